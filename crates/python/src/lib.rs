//! `interstice._interstice`: the library crates as a Python extension
//! module. Conversions only: every computation is a call into the library
//! crates or the pipeline, with the GIL released while it runs. The
//! package `interstice` (python/interstice) wraps this module with pandas
//! tables and the ASE and OVITO adapters.

use std::path::{Path, PathBuf};

use interstice_core::{Frame, GeneralCell, SimBox, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_pipeline::featurize::Source;
use numpy::ndarray::{Array2, ArrayView1, ArrayView2, ShapeBuilder as _};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyFileNotFoundError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A library error as the Python exception a user expects: the message the
/// CLI would print, as `ValueError`.
fn value_error(e: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{e:#}"))
}

/// A read-only numpy array over `view`, memory of `frame`'s own `Frame`,
/// without a copy; the array keeps `frame` alive as its base object.
#[allow(unsafe_code)] // the one zero-copy view: see SAFETY
fn frame_view<'py, T: numpy::Element, D: numpy::ndarray::Dimension>(
    frame: &Bound<'py, PyFrame>,
    view: numpy::ndarray::ArrayView<'_, T, D>,
) -> PyResult<Bound<'py, numpy::PyArray<T, D>>> {
    // SAFETY: every caller passes a view of `frame`'s `Frame`. The class is
    // frozen, so that frame is never changed or moved while the Python
    // object lives, and the array keeps the object alive as its base; the
    // array is made read-only below, so Python cannot write through it.
    let array = unsafe { numpy::PyArray::borrow_from_array(&view, frame.clone().into_any()) };
    array
        .as_any()
        .getattr("flags")?
        .setattr("writeable", false)?;
    Ok(array)
}

/// `FileNotFoundError` for a missing input, named.
fn check_exists(path: &Path) -> PyResult<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(PyFileNotFoundError::new_err(format!(
            "{}: no such file",
            path.display()
        )))
    }
}

/// A type map from a dict `{1: "Cu", 2: "Zr"}` or the text `"1=Cu,2=Zr"`.
fn type_map(types: Option<&Bound<'_, PyAny>>) -> PyResult<Option<TypeMap>> {
    let Some(t) = types else { return Ok(None) };
    if t.is_none() {
        return Ok(None);
    }
    let text = if let Ok(s) = t.extract::<String>() {
        s
    } else if let Ok(d) = t.cast::<PyDict>() {
        let mut pairs: Vec<(u32, String)> = Vec::new();
        for (k, v) in d.iter() {
            pairs.push((
                k.extract::<u32>().map_err(|_| {
                    PyValueError::new_err("types: keys must be LAMMPS types (whole numbers ≥ 1)")
                })?,
                v.extract::<String>().map_err(|_| {
                    PyValueError::new_err("types: values must be element symbols such as \"Cu\"")
                })?,
            ));
        }
        pairs.sort();
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    } else {
        return Err(PyValueError::new_err(
            "types: expected a dict such as {1: \"Cu\", 2: \"Zr\"} or the text \"1=Cu,2=Zr\"",
        ));
    };
    TypeMap::parse(&text)
        .map(Some)
        .map_err(|e| PyValueError::new_err(format!("types '{text}': {e}")))
}

/// One configuration: the atoms, the periodic box and (when known) which
/// element each LAMMPS type is.
#[pyclass(name = "Frame", module = "interstice", frozen)]
pub struct PyFrame {
    frame: Frame,
    types: Option<TypeMap>,
}

impl PyFrame {
    fn type_map(&self, what: &str) -> PyResult<&TypeMap> {
        self.types.as_ref().ok_or_else(|| {
            PyValueError::new_err(format!(
                "{what} needs the elements: give types={{1: \"Cu\", 2: \"Zr\"}} when reading the frame"
            ))
        })
    }
}

#[pymethods]
impl PyFrame {
    /// A frame from arrays: `positions` (N × 3, Å), `types` (N whole numbers
    /// ≥ 1, or N element symbols), `cell` (3 × 3, rows are the edge vectors
    /// a, b, c, in any orientation: a general cell is rotated into LAMMPS'
    /// restricted one, as LAMMPS and OVITO do), `origin` (the cell's corner),
    /// `pbc` (periodic along a, b, c), `ids` (default 1 … N) and
    /// `type_map` (elements of integer types).
    #[staticmethod]
    #[pyo3(signature = (positions, types, cell, origin=None, pbc=(true, true, true), ids=None, type_map=None))]
    fn from_arrays(
        positions: PyReadonlyArray2<'_, f64>,
        types: &Bound<'_, PyAny>,
        cell: PyReadonlyArray2<'_, f64>,
        origin: Option<[f64; 3]>,
        pbc: (bool, bool, bool),
        ids: Option<PyReadonlyArray1<'_, i64>>,
        type_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFrame> {
        let p = positions.as_array();
        if p.ncols() != 3 {
            return Err(PyValueError::new_err(format!(
                "positions: expected an N × 3 array, found {} columns",
                p.ncols()
            )));
        }
        let n = p.nrows();
        let c = cell.as_array();
        if c.shape() != [3, 3] {
            return Err(PyValueError::new_err(format!(
                "cell: expected a 3 × 3 array (rows a, b, c), found {:?}",
                c.shape()
            )));
        }
        let vectors = [
            [c[[0, 0]], c[[0, 1]], c[[0, 2]]],
            [c[[1, 0]], c[[1, 1]], c[[1, 2]]],
            [c[[2, 0]], c[[2, 1]], c[[2, 2]]],
        ];
        let general = GeneralCell {
            vectors,
            origin: origin.unwrap_or([0.0; 3]),
        };
        let (sim_box, orientation) = general
            .to_restricted()
            .map_err(|e| PyValueError::new_err(format!("cell: {e}")))?;
        let sim_box: SimBox = sim_box.with_periodicity([pbc.0, pbc.1, pbc.2]);
        let mut pos: Vec<[f64; 3]> = p.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect();
        if let Some(o) = &orientation {
            for x in &mut pos {
                *x = o.to_restricted(*x);
            }
        }
        // Types: whole numbers, or symbols numbered in order of appearance.
        let (type_ids, symbols_map) = if let Ok(t) = types.extract::<PyReadonlyArray1<'_, i64>>() {
            let t = t.as_array();
            let v = t
                .iter()
                .map(|&x| u32::try_from(x).ok().filter(|&x| x >= 1))
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| {
                    PyValueError::new_err("types: LAMMPS types are whole numbers ≥ 1")
                })?;
            (v, None)
        } else if let Ok(s) = types.extract::<Vec<String>>() {
            let mut order: Vec<String> = Vec::new();
            let v = s
                .iter()
                .map(|x| {
                    let k = order.iter().position(|o| o == x).unwrap_or_else(|| {
                        order.push(x.clone());
                        order.len() - 1
                    });
                    k as u32 + 1
                })
                .collect();
            let text = order
                .iter()
                .enumerate()
                .map(|(k, s)| format!("{}={s}", k + 1))
                .collect::<Vec<_>>()
                .join(",");
            (
                v,
                Some(
                    TypeMap::parse(&text)
                        .map_err(|e| PyValueError::new_err(format!("types: {e}")))?,
                ),
            )
        } else {
            return Err(PyValueError::new_err(
                "types: expected N whole numbers (LAMMPS types) or N element symbols",
            ));
        };
        if type_ids.len() != n {
            return Err(PyValueError::new_err(format!(
                "types: {} entries for {n} positions",
                type_ids.len()
            )));
        }
        let ids: Vec<u64> = match ids {
            None => (1..=n as u64).collect(),
            Some(a) => a
                .as_array()
                .iter()
                .map(|&x| u64::try_from(x).ok())
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| PyValueError::new_err("ids: expected whole numbers ≥ 0"))?,
        };
        let map = match (symbols_map, self::type_map(type_map)?) {
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err(
                    "type_map: the types are element symbols already",
                ));
            }
            (a, b) => a.or(b),
        };
        if let Some(m) = &map {
            m.check_types(&type_ids)
                .map_err(|e| PyValueError::new_err(format!("types: {e}")))?;
        }
        let mut parts = interstice_core::FrameParts {
            sim_box,
            ids,
            types: type_ids,
            positions: pos,
            ..Default::default()
        };
        parts.orientation = orientation;
        let frame = Frame::from_parts(parts).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyFrame { frame, types: map })
    }

    /// The number of atoms.
    fn __len__(&self) -> usize {
        self.frame.len()
    }

    fn __repr__(&self) -> String {
        let l = self.frame.sim_box().lengths();
        format!(
            "Frame({} atoms, box {:.3} × {:.3} × {:.3} Å{}, types {})",
            self.frame.len(),
            l[0],
            l[1],
            l[2],
            if self.frame.sim_box().is_triclinic() {
                ", triclinic"
            } else {
                ""
            },
            self.types
                .as_ref()
                .map_or_else(|| "unnamed".to_string(), ToString::to_string)
        )
    }

    /// Positions, N × 3, Å (LAMMPS' restricted orientation). A read-only
    /// view of the frame's own memory (no copy); `.copy()` to modify.
    #[getter]
    fn positions<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let frame = &slf.get().frame;
        let view = ArrayView2::from_shape((frame.len(), 3), frame.positions().as_flattened())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        frame_view(&slf, view)
    }

    /// Atom ids: a read-only view of the frame's memory (no copy).
    #[getter]
    fn ids<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        frame_view(&slf, ArrayView1::from(slf.get().frame.ids()))
    }

    /// LAMMPS types: a read-only view of the frame's memory (no copy).
    #[getter]
    fn types<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<u32>>> {
        frame_view(&slf, ArrayView1::from(slf.get().frame.types()))
    }

    /// The cell: rows are the edge vectors a, b, c (restricted orientation), Å.
    #[getter]
    fn cell<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let b = self.frame.sim_box();
        let flat: Vec<f64> = (0..3).flat_map(|i| b.lattice_vector(i)).collect();
        Array2::from_shape_vec((3, 3), flat)
            .expect("3 × 3")
            .into_pyarray(py)
    }

    /// The corner of the cell (LAMMPS' `lo`), Å.
    #[getter]
    fn origin(&self) -> [f64; 3] {
        self.frame.sim_box().lo()
    }

    /// Periodic along a, b, c.
    #[getter]
    fn pbc(&self) -> [bool; 3] {
        self.frame.sim_box().periodic()
    }

    /// The element of each type, `{1: "Cu", 2: "Zr"}`, or None.
    #[getter]
    fn elements<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(m) = &self.types else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        for (t, s) in m.iter() {
            d.set_item(t, s.element.symbol)?;
        }
        Ok(Some(d))
    }
}

/// Reads frame `frame` (0-based; negative counts from the end) of a LAMMPS
/// dump, data file or extended XYZ file (plain or gzipped), with `types`
/// naming the elements of LAMMPS types (`{1: "Cu", 2: "Zr"}`); a file that
/// names its elements needs none.
#[pyfunction]
#[pyo3(signature = (path, frame=0, types=None))]
fn read_dump(
    py: Python<'_>,
    path: PathBuf,
    frame: i64,
    types: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyFrame> {
    check_exists(&path)?;
    let map = type_map(types)?;
    off_gil(py, || -> anyhow::Result<PyFrame> {
        let mut reader = interstice_pipeline::common::open_frames(&path, map.as_ref())?;
        let (_, f) = interstice_pipeline::common::read_frame(&mut reader, frame, "frame")?;
        let map = interstice_pipeline::common::species_map(map, &f, &path.display().to_string())?;
        Ok(PyFrame {
            frame: f,
            types: map,
        })
    })
    .map_err(value_error)
}

/// Every pair closer than `cutoff` Å through periodic images, both
/// directions: arrays `i`, `j` (0-based atom indices), `distance` and
/// `vector` (from i to j, N × 3).
#[pyfunction]
fn neighbors<'py>(py: Python<'py>, frame: &PyFrame, cutoff: f64) -> PyResult<Bound<'py, PyDict>> {
    use interstice_spatial::{CellList, NeighborQuery, Query};
    let list = off_gil(py, || -> anyhow::Result<_> {
        let q = Query::ball(cutoff)?;
        let cells = CellList::new(*frame.frame.sim_box(), frame.frame.positions(), cutoff)?;
        Ok(cells.query_all(&q)?)
    })
    .map_err(value_error)?;
    let mut i = Vec::with_capacity(list.len());
    for a in 0..list.num_query_points() {
        i.extend(std::iter::repeat_n(a as u32, list.range(a).len()));
    }
    let d = PyDict::new(py);
    d.set_item("i", i.into_pyarray(py))?;
    d.set_item("j", list.neighbors().to_vec().into_pyarray(py))?;
    d.set_item("distance", list.distances().to_vec().into_pyarray(py))?;
    let flat: Vec<f64> = list.vectors().iter().flatten().copied().collect();
    d.set_item(
        "vector",
        Array2::from_shape_vec((list.len(), 3), flat)
            .expect("M × 3")
            .into_pyarray(py),
    )?;
    Ok(d)
}

/// The periodic Voronoi tessellation (radical with the elements' Miracle
/// radii when `radical`): per atom `volume`, `coordination` and `index`
/// (N × 6: faces with 3, 4, 5, 6, 7, 8+ edges); per face `face_atom`,
/// `face_neighbor`, `face_area` and `face_vector` (F × 3).
#[pyfunction]
#[pyo3(signature = (frame, radical=false))]
fn voronoi<'py>(py: Python<'py>, frame: &PyFrame, radical: bool) -> PyResult<Bound<'py, PyDict>> {
    use interstice_geometry::{Voronoi, VoronoiParams};
    let params = if radical {
        let m = frame.type_map("a radical tessellation")?;
        let radii = frame
            .frame
            .types()
            .iter()
            .map(|&t| m.radius(t))
            .collect::<Result<Vec<f64>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        VoronoiParams::radical(radii)
    } else {
        VoronoiParams::plain()
    };
    let v = off_gil(py, || {
        Voronoi::compute(frame.frame.positions(), frame.frame.sim_box(), &params)
    })
    .map_err(|e| {
        value_error(interstice_pipeline::common::tessellation_error(
            e,
            &frame.frame,
            "the frame",
            0,
        ))
    })?;
    let n = v.len();
    let index: Vec<u32> = (0..n).flat_map(|i| v.index(i)).collect();
    let (mut atom, mut neighbor, mut area, mut vector) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        for f in v.faces(i) {
            atom.push(i as u32);
            neighbor.push(f.neighbor);
            area.push(f.area);
            vector.extend(f.vector);
        }
    }
    let d = PyDict::new(py);
    d.set_item("volume", v.volumes().to_vec().into_pyarray(py))?;
    d.set_item(
        "coordination",
        (0..n)
            .map(|i| v.coordination(i) as u32)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    d.set_item(
        "index",
        Array2::from_shape_vec((n, 6), index)
            .expect("N × 6")
            .into_pyarray(py),
    )?;
    let faces = atom.len();
    d.set_item("face_atom", atom.into_pyarray(py))?;
    d.set_item("face_neighbor", neighbor.into_pyarray(py))?;
    d.set_item("face_area", area.into_pyarray(py))?;
    d.set_item(
        "face_vector",
        Array2::from_shape_vec((faces, 3), vector)
            .expect("F × 3")
            .into_pyarray(py),
    )?;
    Ok(d)
}

/// D²min of every atom of `reference` into `current` (atoms matched by id;
/// OVITO's convention, neighbours within `cutoff` Å of the reference), the
/// local shear and volumetric strain, and plastic labels: the top
/// `percent` % of D²min, never below `noise_floor` Å².
#[pyfunction]
#[pyo3(signature = (reference, current, cutoff=5.0, percent=5.0, noise_floor=interstice_d2min::DEFAULT_NOISE_FLOOR))]
fn d2min<'py>(
    py: Python<'py>,
    reference: &PyFrame,
    current: &PyFrame,
    cutoff: f64,
    percent: f64,
    noise_floor: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let rule = interstice_pipeline::common::LabelRule {
        cutoff,
        percent,
        threshold: None,
        noise_floor,
    };
    let labels = off_gil(py, || -> anyhow::Result<_> {
        rule.check()?;
        interstice_pipeline::label::label(&reference.frame, &current.frame, &rule, false)
    })
    .map_err(value_error)?;
    let d = PyDict::new(py);
    let s = labels.strain;
    d.set_item("id", s.ids.into_pyarray(py))?;
    d.set_item("d2min", s.d2min.into_pyarray(py))?;
    d.set_item("shear_strain", s.shear_strain.into_pyarray(py))?;
    d.set_item("volumetric_strain", s.volumetric_strain.into_pyarray(py))?;
    d.set_item("plastic", labels.plastic.into_pyarray(py))?;
    Ok(d)
}

/// Plastic labels of `reference` from several sheared runs of it (loading
/// directions), combined by `combine`: `"rank-mean"` (the plastic
/// propensity: each run's D²min as a percentile rank, averaged; the top
/// `percent` % are plastic) or `"any"` (plastic in any run). Returns `id`,
/// `propensity`, `plastic`, and per run `d2min_K` and `plastic_K` (K = 1 …).
#[pyfunction]
#[pyo3(signature = (reference, runs, cutoff=5.0, percent=5.0, combine="rank-mean", noise_floor=interstice_d2min::DEFAULT_NOISE_FLOOR))]
fn label<'py>(
    py: Python<'py>,
    reference: &PyFrame,
    runs: Vec<PyRef<'py, PyFrame>>,
    cutoff: f64,
    percent: f64,
    combine: &str,
    noise_floor: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let how = interstice_pipeline::label::Combine::parse(combine).map_err(|_| {
        PyValueError::new_err(format!("combine '{combine}': expected rank-mean or any"))
    })?;
    let rule = interstice_pipeline::common::LabelRule {
        cutoff,
        percent,
        threshold: None,
        noise_floor,
    };
    let frames: Vec<&Frame> = runs.iter().map(|r| &r.frame).collect();
    let c = off_gil(py, || -> anyhow::Result<_> {
        rule.check()?;
        let labels = frames
            .iter()
            .map(|f| interstice_pipeline::label::label(&reference.frame, f, &rule, false))
            .collect::<anyhow::Result<Vec<_>>>()?;
        interstice_pipeline::label::combine(labels, &rule, how)
    })
    .map_err(value_error)?;
    let d = PyDict::new(py);
    d.set_item("id", c.runs[0].strain.ids.clone().into_pyarray(py))?;
    d.set_item("propensity", c.propensity.clone().into_pyarray(py))?;
    d.set_item("plastic", c.plastic.clone().into_pyarray(py))?;
    for (k, r) in c.runs.iter().enumerate() {
        d.set_item(
            format!("d2min_{}", k + 1),
            r.strain.d2min.clone().into_pyarray(py),
        )?;
        d.set_item(
            format!("plastic_{}", k + 1),
            r.plastic.clone().into_pyarray(py),
        )?;
    }
    Ok(d)
}

/// Runs `f` without the GIL on a thread of rayon's pool, the way a Rust
/// program runs inside `ThreadPool::install`: the sequential parts then run
/// on a worker and every parallel loop starts inside the pool, instead of
/// being injected from the interpreter's thread and waited for.
fn off_gil<R: Send>(py: Python<'_>, f: impl FnOnce() -> R + Send) -> R {
    py.detach(|| rayon::scope(|_| f()))
}

/// A feature table for Python: column names, atom ids, values (N × columns,
/// column-major).
type FeatureTable<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray2<f64>>,
);

/// The features of `preset` (`paper80`, `sf166`, `classical`, `all`) of
/// every atom: `(columns, ids, values)` with `values` N × columns, the same
/// numbers and names as `interstice featurize`, column-major (Fortran
/// order) so that each feature is one contiguous column. `paper80` of a
/// frame larger than `block_atoms` is computed block by block (the same
/// bits, with one block's tessellation in memory).
#[pyfunction]
#[pyo3(signature = (frame, preset="paper80", block_atoms=interstice_features::blocked::DEFAULT_BLOCK_ATOMS))]
fn featurize<'py>(
    py: Python<'py>,
    frame: &PyFrame,
    preset: &str,
    block_atoms: usize,
) -> PyResult<FeatureTable<'py>> {
    if block_atoms == 0 {
        return Err(PyValueError::new_err(
            "block_atoms must be at least 1 (the atoms a block holds)",
        ));
    }
    let preset = Preset::from_name(preset).ok_or_else(|| {
        PyValueError::new_err(format!(
            "preset '{preset}': expected paper80, sf166, classical or all"
        ))
    })?;
    let map = frame.type_map("featurize")?;
    let (columns, x) = off_gil(py, || -> anyhow::Result<_> {
        let ctx = FrameContext::new(&frame.frame, map, ContextParams::paper())?;
        let (columns, x) = interstice_pipeline::featurize::compute_with(
            &ctx,
            preset,
            &Source {
                name: "the frame".into(),
                frame: 0,
            },
            block_atoms,
        )?;
        // Column-major: each feature's column is one contiguous run, so
        // pandas keeps the array as its block and pyarrow wraps each
        // column without a copy. (This is the one copy the row-major
        // table of the CLI makes too.)
        let mut f = Array2::zeros(x.raw_dim().f());
        f.assign(&x);
        Ok((columns, f))
    })
    .map_err(value_error)?;
    let ids = frame.frame.ids().to_vec();
    Ok((columns, ids.into_pyarray(py), x.into_pyarray(py)))
}

/// A trained ensemble: the fold models of the protocol and the feature
/// columns they take. Quench-in softness is their mean probability.
#[pyclass(name = "Model", module = "interstice", frozen)]
pub struct PyModel {
    model: interstice_pipeline::model::ModelFile,
    metrics: Option<String>,
}

#[pymethods]
impl PyModel {
    /// Reads a model written by `interstice train --model` (JSON or postcard).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<PyModel> {
        check_exists(&path)?;
        let model = interstice_pipeline::model::load(&path).map_err(value_error)?;
        Ok(PyModel {
            model,
            metrics: None,
        })
    }

    /// Writes the model (JSON, or postcard for a `.postcard` name) for
    /// `interstice predict` and `interstice evaluate`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        interstice_pipeline::model::save(&self.model, &path).map_err(value_error)
    }

    /// The feature columns, in the order the models take them.
    #[getter]
    fn features(&self) -> Vec<String> {
        self.model.features.clone()
    }

    /// The protocol's metrics as JSON text (models trained in Python), or None.
    #[getter]
    fn metrics_json(&self) -> Option<String> {
        self.metrics.clone()
    }

    /// Quench-in softness of each row of `values` (rows × columns, the
    /// columns named by `columns`, which must be the model's, in order).
    fn softness<'py>(
        &self,
        py: Python<'py>,
        values: PyReadonlyArray2<'_, f64>,
        columns: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = values.as_array();
        let table = interstice_io::Table {
            columns,
            ids: (1..=v.nrows() as u64).collect(),
            values: v.iter().copied().collect(),
        };
        if v.ncols() != table.columns.len() {
            return Err(PyValueError::new_err(format!(
                "values has {} columns but {} column names",
                v.ncols(),
                table.columns.len()
            )));
        }
        let qs = off_gil(py, || {
            interstice_pipeline::model::softness(&self.model, &table, Path::new("the table"))
        })
        .map_err(value_error)?;
        Ok(qs.into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "Model({} fold models, {} features{})",
            self.model.models.len(),
            self.model.features.len(),
            self.model
                .preset
                .as_ref()
                .map_or_else(String::new, |p| format!(", preset {p}"))
        )
    }
}

/// The paper's protocol (3 balanced undersamplings × 5 folds of
/// gradient-boosted trees with the paper's settings) on `values` (rows ×
/// columns) and 0/1 `labels`: the trained model, with its metrics.
#[pyfunction]
#[pyo3(signature = (values, columns, labels, seed=0, trees=300))]
fn train(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    columns: Vec<String>,
    labels: PyReadonlyArray1<'_, bool>,
    seed: u64,
    trees: usize,
) -> PyResult<PyModel> {
    let v = values.as_array();
    if v.ncols() != columns.len() {
        return Err(PyValueError::new_err(format!(
            "values has {} columns but {} column names",
            v.ncols(),
            columns.len()
        )));
    }
    let y: Vec<bool> = labels.as_array().iter().copied().collect();
    if y.len() != v.nrows() {
        return Err(PyValueError::new_err(format!(
            "{} labels for {} rows",
            y.len(),
            v.nrows()
        )));
    }
    let table = interstice_io::Table {
        columns,
        ids: (1..=v.nrows() as u64).collect(),
        values: v.iter().copied().collect(),
    };
    off_gil(py, || -> anyhow::Result<PyModel> {
        interstice_pipeline::common::check_trees(trees, "trees")?;
        let params = interstice_pipeline::train::protocol(
            seed,
            trees,
            interstice_learn::protocol::ModelKind::Gbdt,
        );
        let t = interstice_pipeline::train::train(
            table,
            None,
            y,
            "plastic",
            params,
            Path::new("the labels"),
        )?;
        let metrics = serde_json::to_string_pretty(&t.metrics())?;
        let model = interstice_pipeline::model::ModelFile {
            format: interstice_pipeline::model::MODEL_FORMAT.into(),
            interstice_version: env!("CARGO_PKG_VERSION").into(),
            features: t.features.columns.clone(),
            label_column: "plastic".into(),
            seed,
            gbdt: t.params.gbdt,
            training_sha256: [String::new(), String::new()],
            preset: None,
            models: t.result.models,
        };
        Ok(PyModel {
            model,
            metrics: Some(metrics),
        })
    })
    .map_err(value_error)
}

/// Runs a pipeline configuration file (`interstice run CONFIG.toml`) and
/// returns its results as JSON text.
#[pyfunction]
fn run_config(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    check_exists(&path)?;
    off_gil(py, || -> anyhow::Result<String> {
        let config = interstice_pipeline::Config::read(&path)?;
        let report = interstice_pipeline::run(
            &config,
            &interstice_pipeline::RunOptions::default(),
            &mut interstice_pipeline::Quiet,
        )?;
        Ok(serde_json::to_string(&report.results)?)
    })
    .map_err(value_error)
}

/// Uses `n` threads for every later call (rayon's global pool; it can be
/// set once per process, before the first parallel call).
#[pyfunction]
fn set_num_threads(n: usize) -> PyResult<()> {
    if n == 0 {
        return Err(PyValueError::new_err(
            "set_num_threads: n must be 1 or more",
        ));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| {
            PyRuntimeError::new_err(format!(
                "set_num_threads: {e} (call it once, before the first computation)"
            ))
        })
}

/// The extension module.
#[pymodule]
fn _interstice(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<PyFrame>()?;
    m.add_class::<PyModel>()?;
    m.add_function(wrap_pyfunction!(read_dump, m)?)?;
    m.add_function(wrap_pyfunction!(neighbors, m)?)?;
    m.add_function(wrap_pyfunction!(voronoi, m)?)?;
    m.add_function(wrap_pyfunction!(d2min, m)?)?;
    m.add_function(wrap_pyfunction!(label, m)?)?;
    m.add_function(wrap_pyfunction!(featurize, m)?)?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(run_config, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    Ok(())
}
