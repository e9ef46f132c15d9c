//! Pieces shared by the steps and by the commands of the `interstice` binary:
//! the label rule, the checks of outputs and feature tables, opening frames
//! of any format, and SHA-256.

use std::path::Path;

use anyhow::{Context, Result};
use interstice_core::Frame;
use interstice_core::TypeMap;
use interstice_geometry::GeometryError;
use interstice_io::{Trajectory, TrajectoryReader};

/// How `label` and `first-plastic` call an atom plastic: the top
/// `percent` % of D²min, or D²min at or above `threshold`, and never below
/// `noise_floor`; with the D²min neighbour cutoff.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelRule {
    /// The D²min neighbour cutoff, Å.
    pub cutoff: f64,
    /// Plastic: the top `percent` % of D²min (when no threshold is given).
    pub percent: f64,
    /// Plastic: D²min at or above this, Å².
    pub threshold: Option<f64>,
    /// D²min below this is never plastic, Å².
    pub noise_floor: f64,
}

impl LabelRule {
    /// Checks every number with its option's name and range.
    pub fn check(&self) -> Result<()> {
        interstice_d2min::D2minParams::new(self.cutoff)
            .check()
            .context("--cutoff")?;
        if self.threshold.is_none() && !(self.percent > 0.0 && self.percent <= 100.0) {
            anyhow::bail!("--percent must be in (0, 100], found {}", self.percent);
        }
        if let Some(t) = self.threshold
            && !(t.is_finite() && t >= 0.0)
        {
            anyhow::bail!("--threshold must be a finite D²min ≥ 0 Å², found {t}");
        }
        if !(self.noise_floor.is_finite() && self.noise_floor >= 0.0) {
            anyhow::bail!(
                "--noise-floor must be a finite D²min ≥ 0 Å², found {}",
                self.noise_floor
            );
        }
        Ok(())
    }

    /// The plastic labels of one frame's D²min.
    pub fn labels(&self, d2min: &[f64]) -> Vec<bool> {
        match self.threshold {
            Some(t) => interstice_d2min::plastic_above(d2min, t.max(self.noise_floor)),
            None => {
                interstice_d2min::plastic_top_percent_above(d2min, self.percent, self.noise_floor)
            }
        }
    }
}

/// The largest number of boosting stages a model may ask for: far above
/// any use (the paper's 300) and small enough that memory for the trees is
/// never the failure.
pub const MAX_TREES: usize = 100_000;

/// Checks `--trees` (or a configuration's `trees`).
pub fn check_trees(trees: usize, what: &str) -> Result<()> {
    if !(1..=MAX_TREES).contains(&trees) {
        anyhow::bail!("{what} must be 1 to {MAX_TREES}, found {trees}");
    }
    Ok(())
}

/// Checks, before any work, that every output path can be written: not an
/// existing directory, in a folder that exists, and no two outputs the same
/// file. `outputs` pairs each path with the option that names it.
pub fn check_outputs(outputs: &[(&str, &Path)]) -> Result<()> {
    for (k, (flag, path)) in outputs.iter().enumerate() {
        if path.is_dir() {
            anyhow::bail!(
                "{flag} {}: is a directory; expected a file name",
                path.display()
            );
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent
            && !dir.is_dir()
        {
            anyhow::bail!(
                "{flag} {}: the folder {} does not exist",
                path.display(),
                dir.display()
            );
        }
        for (other_flag, other) in &outputs[..k] {
            if other == path {
                anyhow::bail!(
                    "{other_flag} and {flag} name the same file {}; give each output its own",
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// Checks a feature table read from `path` before it is learnt from or
/// scored: rows, feature columns, and finite numbers (naming the row, the
/// atom id and the column of the first bad value).
pub fn check_feature_table(table: &interstice_io::Table, path: &Path) -> Result<()> {
    let name = path.display();
    if table.ids.is_empty() {
        anyhow::bail!("{name}: the table has no rows (a header alone)");
    }
    if table.columns.is_empty() {
        anyhow::bail!("{name}: the table has only the id column; expected feature columns");
    }
    let k = table.columns.len();
    if let Some(at) = table.values.iter().position(|v| !v.is_finite()) {
        let (r, c) = (at / k, at % k);
        anyhow::bail!(
            "{name}: row {} (id {}), column '{}': {} is not a finite number",
            r + 1,
            table.ids[r],
            table.columns[c],
            table.values[at]
        );
    }
    Ok(())
}

/// Parses `--types`, if given.
pub fn type_map(types: Option<&str>) -> Result<Option<TypeMap>> {
    types.map(TypeMap::parse).transpose().context("--types")
}

/// Opens a frame file of any format interstice reads (a LAMMPS dump or data
/// file, extended XYZ; found by content), checking atom types against `map`
/// while reading when given.
pub fn open_frames(path: &Path, map: Option<&TypeMap>) -> Result<Trajectory<'static>> {
    let reader = Trajectory::open(path)?;
    Ok(match map {
        Some(m) => reader.with_type_map(m),
        None => reader,
    })
}

/// `--out` of a distributed command: a partitioned table (a folder) whose
/// parent folder exists; an existing path only if it is such a table.
///
/// # Errors
/// A missing parent folder; a file or a foreign folder at `out`.
pub fn check_dataset_out(out: &Path) -> Result<()> {
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !dir.is_dir()
    {
        anyhow::bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            dir.display()
        );
    }
    if out.exists() && !interstice_io::dataset::is_dataset(out) {
        anyhow::bail!(
            "--out {}: exists and is not a partitioned table interstice wrote; a distributed run writes a folder there and replaces only its own",
            out.display()
        );
    }
    Ok(())
}

/// The species of each type: `given` (from `--types`), checked against the
/// frame's `element` column when it has one, or else read from that column
/// (extended XYZ species, data-file type labels, a dump's `element`).
pub fn species_map(given: Option<TypeMap>, frame: &Frame, name: &str) -> Result<Option<TypeMap>> {
    let Some(interstice_core::ColumnData::Text(elements)) = frame.column("element") else {
        return Ok(given);
    };
    let mut pairs: std::collections::BTreeMap<u32, &str> = Default::default();
    for (k, (&t, e)) in frame.types().iter().zip(elements).enumerate() {
        let previous = *pairs.entry(t).or_insert(e.as_str());
        if previous != e {
            anyhow::bail!(
                "{name}: atom type {t} is '{previous}' and '{e}' (atom id {}); expected one species per type",
                frame.ids()[k]
            );
        }
    }
    match given {
        Some(map) => {
            for (t, e) in &pairs {
                let s = map.species(*t)?;
                if s.element.symbol != *e {
                    anyhow::bail!(
                        "{name}: atom type {t} is {e} in the file but {} in --types {map}",
                        s.element.symbol
                    );
                }
            }
            Ok(Some(map))
        }
        None => {
            let list: Vec<(u32, &str)> = pairs.into_iter().collect();
            Ok(Some(TypeMap::from_pairs(&list).with_context(|| {
                format!("{name}: the file's species; give --types to name them")
            })?))
        }
    }
}

/// Reads frame `frame` of `reader` (0-based; negative counts from the end)
/// and returns its index with it; `flag` names the option in the error. A
/// non-negative index reads only up to that frame, so a damaged later frame
/// does not stop it; a negative one must count the frames first.
pub fn read_frame(reader: &mut Trajectory<'_>, frame: i64, flag: &str) -> Result<(usize, Frame)> {
    let index = if frame < 0 {
        let count = reader.frame_count()?;
        usize::try_from(count as i64 + frame)
            .ok()
            .with_context(|| format!("{flag} {frame}: {} has {count} frames", reader.name()))?
    } else {
        frame as usize
    };
    match reader.read_at(index) {
        Ok(f) => Ok((index, f)),
        // Name the option when the frame does not exist; a damaged frame's
        // own message already names the file and line.
        Err(e @ interstice_io::IoError::FrameOutOfRange { .. }) => {
            Err(anyhow::Error::new(e).context(format!("{flag} {frame}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A tessellation error of frame `k` of `name` as one line, naming atoms
/// by their ids (the library knows only row indices).
pub fn tessellation_error(e: GeometryError, frame: &Frame, name: &str, k: usize) -> anyhow::Error {
    match e {
        GeometryError::TooClose { i, j, distance, .. } => anyhow::anyhow!(
            "{name}, frame {k}: atoms with ids {} and {} are {distance:.3e} Å apart; \
             the Voronoi tessellation needs distinct positions (a duplicated atom?)",
            frame.ids()[i],
            frame.ids()[j]
        ),
        other => anyhow::Error::new(other).context(format!("{name}, frame {k}")),
    }
}

/// Writes `bytes` to `path` atomically (a temporary sibling, then a rename:
/// [`interstice_io::OutputFile`]).
///
/// # Errors
/// File errors, naming the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut f = interstice_io::OutputFile::create(path)?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.commit()?;
    Ok(())
}

/// SHA-256 of a file's bytes, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(sha256_bytes(&bytes))
}

/// SHA-256 of bytes, hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
