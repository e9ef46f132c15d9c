//! Non-affine displacement (Falk–Langer D²min), local affine strain and
//! plastic labels for `interstice` (shared/SPEC.md §6).
//!
//! For atom `i` and its neighbours `j` within the cutoff in the reference
//! frame, with bond vectors `d⁰ᵢⱼ = x⁰ⱼ + H⁰ n − x⁰ᵢ` (reference, through
//! the periodic image `n` the neighbour search found) and
//! `dᵢⱼ = xⱼ + H n − xᵢ` (the same image carried into the current box, after
//! undoing any re-wrap of `i` or `j` between the frames), so that any
//! cutoff, even past half the box, follows the same bonds:
//!
//! - `X = Σⱼ dᵢⱼ ⊗ d⁰ᵢⱼ`, `Y = Σⱼ d⁰ᵢⱼ ⊗ d⁰ᵢⱼ`, `F = X Y⁻¹` (the local
//!   deformation gradient);
//! - `D²min = Σⱼ |dᵢⱼ − F d⁰ᵢⱼ|²` — the sum convention of Falk and Langer
//!   (Phys. Rev. E 57, 7192, 1998) and of OVITO's atomic-strain modifier;
//!   [`D2minParams::per_neighbor`] divides by the neighbour count instead;
//! - the Green–Lagrangian strain `E = ½ (Fᵀ F − I)`, its von Mises shear
//!   invariant `√(E_xy² + E_xz² + E_yz² + ((E_xx − E_yy)² + (E_xx − E_zz)² +
//!   (E_yy − E_zz)²) / 6)` and the volumetric strain `(E_xx + E_yy + E_zz) / 3`,
//!   as OVITO reports them.
//!
//! Atoms are matched by id, in any order. An atom whose `Y` is singular
//! (fewer than three non-coplanar neighbours) gets NaN and is listed in
//! [`AtomicStrain::invalid`], never a silent number.
//!
//! This crate depends only on `interstice-core` and `interstice-spatial`, so
//! a simulation code can use it alone.
#![deny(missing_docs)]

use std::collections::HashMap;

use interstice_core::Frame;
use interstice_spatial::{Bond, CellList, NeighborQuery};
use rayon::prelude::*;

mod labels;

pub use labels::{
    DEFAULT_NOISE_FLOOR, FirstPlastic, first_plastic_step, overlap, percentile_ranks,
    plastic_above, plastic_top_percent, plastic_top_percent_above, propensity,
};

/// Everything that can go wrong computing D²min.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum D2minError {
    /// Parameters out of range.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
    /// The two frames do not hold the same atoms.
    #[error("reference has {reference} atoms but the deformed frame has {current}")]
    AtomCount {
        /// Atoms in the reference.
        reference: usize,
        /// Atoms in the current frame.
        current: usize,
    },
    /// Ids of the reference missing from the current frame.
    #[error("{count} reference atom ids are missing from the deformed frame (first: {first:?})")]
    UnmatchedIds {
        /// How many.
        count: usize,
        /// Up to ten of them.
        first: Vec<u64>,
    },
    /// A neighbour search failure (for example a non-finite position).
    #[error("neighbour search: {0}")]
    Spatial(String),
    /// No atom has a single neighbour within the cutoff.
    #[error("no atom has a neighbour within the cutoff of {0} Å")]
    NoNeighbors(f64),
}

/// Parameters of the D²min computation; check them with [`D2minParams::check`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct D2minParams {
    cutoff: f64,
    per_neighbor: bool,
}

impl D2minParams {
    /// Neighbours within `cutoff` Å in the reference (no universal default:
    /// 5.0 Å, the first minimum of g(r), is usual for Cu-Zr). The sum
    /// convention by default.
    pub fn new(cutoff: f64) -> D2minParams {
        D2minParams {
            cutoff,
            per_neighbor: false,
        }
    }

    /// Divide D²min by the neighbour count (pyscal's convention) instead of summing.
    #[must_use]
    pub fn per_neighbor(mut self, yes: bool) -> D2minParams {
        self.per_neighbor = yes;
        self
    }

    /// The cutoff, Å.
    pub fn cutoff(&self) -> f64 {
        self.cutoff
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`D2minError::InvalidParams`] unless the cutoff is finite and positive.
    pub fn check(&self) -> Result<(), D2minError> {
        if self.cutoff.is_finite() && self.cutoff > 0.0 {
            Ok(())
        } else {
            Err(D2minError::InvalidParams(format!(
                "cutoff must be finite and positive, found {}",
                self.cutoff
            )))
        }
    }
}

/// Per-atom results, in the reference frame's atom order.
#[derive(Clone, Debug, PartialEq)]
pub struct AtomicStrain {
    /// Atom ids (the reference's).
    pub ids: Vec<u64>,
    /// D²min, Å² (NaN for invalid atoms).
    pub d2min: Vec<f64>,
    /// Von Mises shear invariant of the Green–Lagrangian strain.
    pub shear_strain: Vec<f64>,
    /// Volumetric strain, a third of the trace of the Green–Lagrangian strain.
    pub volumetric_strain: Vec<f64>,
    /// The local deformation gradient `F`, rows first.
    pub deformation_gradient: Vec<[[f64; 3]; 3]>,
    /// Neighbours used per atom.
    pub neighbor_count: Vec<u32>,
    /// Indices (reference order) of atoms whose `Y` is singular.
    pub invalid: Vec<usize>,
}

type M3 = [[f64; 3]; 3];

/// The lattice shift of each atom between the reference and the current
/// frame: the whole periods by which its fractional coordinates moved
/// (a re-wrap across a periodic face), `round(f_cur − f_ref)` on periodic
/// axes. A physical displacement never comes near half a period in
/// fractional coordinates (the affine part of the deformation is carried by
/// the box), so the rounding is exact.
fn wrap_shifts(reference: &Frame, current: &Frame, to_current: &[usize]) -> Vec<[f64; 3]> {
    let (rb, cb) = (reference.sim_box(), current.sim_box());
    let periodic = cb.periodic();
    let (rp, cp) = (reference.positions(), current.positions());
    (0..reference.len())
        .into_par_iter()
        .map(|i| {
            let fr = rb.to_fractional(rp[i]);
            let fc = cb.to_fractional(cp[to_current[i]]);
            let mut t = [0.0; 3];
            for a in 0..3 {
                if periodic[a] {
                    t[a] = (fc[a] - fr[a]).round();
                }
            }
            t
        })
        .collect()
}

fn det(m: &M3) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

fn inverse(m: &M3) -> Option<M3> {
    let d = det(m);
    // Relative to the scale of m: a (near-)coplanar neighbourhood is singular.
    let scale = (m[0][0].abs() + m[1][1].abs() + m[2][2].abs()) / 3.0;
    if d.is_nan() || d.abs() <= 1e-12 * scale * scale * scale {
        return None;
    }
    let c = |a: usize, b: usize, p: usize, q: usize| m[a][b] * m[p][q] - m[a][q] * m[p][b];
    Some([
        [c(1, 1, 2, 2) / d, -c(0, 1, 2, 2) / d, c(0, 1, 1, 2) / d],
        [-c(1, 0, 2, 2) / d, c(0, 0, 2, 2) / d, -c(0, 0, 1, 2) / d],
        [c(1, 0, 2, 1) / d, -c(0, 0, 2, 1) / d, c(0, 0, 1, 1) / d],
    ])
}

fn mul(a: &M3, b: &M3) -> M3 {
    let mut r = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        }
    }
    r
}

/// D²min, strain and deformation gradient of every reference atom.
///
/// # Errors
/// [`D2minError::InvalidParams`], [`D2minError::AtomCount`],
/// [`D2minError::UnmatchedIds`], [`D2minError::Spatial`] and
/// [`D2minError::NoNeighbors`].
pub fn atomic_strain(
    reference: &Frame,
    current: &Frame,
    params: &D2minParams,
) -> Result<AtomicStrain, D2minError> {
    let list = neighbors(reference, params)?;
    strain_with(reference, &list, current, params)
}

/// [`atomic_strain`] with the reference's neighbours from `neighbors`, any
/// backend built over the reference's positions and box (a simulation
/// code's own structure, a k-d tree, …); bonds are those shorter than
/// `params.cutoff`. The sums run in the order the backend gives the bonds,
/// so two backends agree to rounding, and one backend gives the same bits
/// for any thread count.
///
/// # Errors
/// As [`atomic_strain`], and [`D2minError::InvalidParams`] when `neighbors`
/// holds another number of points or another box than the reference.
pub fn atomic_strain_with<Q: NeighborQuery + ?Sized>(
    reference: &Frame,
    neighbors: &Q,
    current: &Frame,
    params: &D2minParams,
) -> Result<AtomicStrain, D2minError> {
    params.check()?;
    let same_points = neighbors.len() == reference.len()
        && neighbors.sim_box() == reference.sim_box()
        && (0..reference.len()).all(|i| neighbors.point(i) == reference.positions()[i]);
    if !same_points {
        return Err(D2minError::InvalidParams(format!(
            "the neighbour structure ({}, {} points) was not built over the reference ({} atoms, its box and positions)",
            neighbors.name(),
            neighbors.len(),
            reference.len()
        )));
    }
    strain_with(reference, neighbors, current, params)
}

/// The reference's cell list for the cutoff: neighbours are found per atom,
/// unsorted, and summed at once, so no list is materialised.
fn neighbors(reference: &Frame, params: &D2minParams) -> Result<CellList, D2minError> {
    params.check()?;
    CellList::new(*reference.sim_box(), reference.positions(), params.cutoff)
        .map_err(|e| D2minError::Spatial(e.to_string()))
}

/// For each reference atom, the index of the atom with the same id in the
/// current frame. Dense ids (the usual 1..N) use a lookup table, others a hash map.
fn match_ids(reference: &[u64], current: &[u64]) -> Result<Vec<usize>, D2minError> {
    let max = current.iter().copied().max().unwrap_or(0);
    let lookup: Box<dyn Fn(u64) -> Option<usize> + Sync> = if max < 8 * current.len() as u64 + 64 {
        let mut table = vec![usize::MAX; max as usize + 1];
        for (k, &id) in current.iter().enumerate() {
            table[id as usize] = k;
        }
        Box::new(move |id| table.get(id as usize).copied().filter(|&k| k != usize::MAX))
    } else {
        let map: HashMap<u64, usize> = current.iter().enumerate().map(|(k, &id)| (id, k)).collect();
        Box::new(move |id| map.get(&id).copied())
    };
    let found: Vec<Option<usize>> = reference.iter().map(|&id| lookup(id)).collect();
    let missing: Vec<u64> = reference
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(&id, _)| id)
        .collect();
    if !missing.is_empty() {
        return Err(D2minError::UnmatchedIds {
            count: missing.len(),
            first: missing.into_iter().take(10).collect(),
        });
    }
    Ok(found.into_iter().map(|f| f.unwrap_or(0)).collect())
}

/// Whether D²min of a trajectory is taken against the first frame or the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every frame against the quenched reference.
    Cumulative,
    /// Every frame against the frame before it.
    Incremental,
}

/// D²min over a trajectory, streamed frame by frame: only the reference (or
/// the previous frame) and its neighbour list are kept. In cumulative mode
/// the reference's neighbour list is built once.
#[derive(Debug)]
pub struct StrainSeries {
    params: D2minParams,
    mode: Mode,
    reference: Frame,
    list: CellList,
}

impl StrainSeries {
    /// Starts a series at `reference`.
    ///
    /// # Errors
    /// As [`atomic_strain`].
    pub fn new(
        reference: Frame,
        params: D2minParams,
        mode: Mode,
    ) -> Result<StrainSeries, D2minError> {
        let list = neighbors(&reference, &params)?;
        Ok(StrainSeries {
            params,
            mode,
            reference,
            list,
        })
    }

    /// The strain of the next frame; in incremental mode the frame then
    /// becomes the reference of the one after it.
    ///
    /// # Errors
    /// As [`atomic_strain`].
    pub fn push(&mut self, frame: Frame) -> Result<AtomicStrain, D2minError> {
        let s = strain_with(&self.reference, &self.list, &frame, &self.params)?;
        if self.mode == Mode::Incremental {
            self.list = neighbors(&frame, &self.params)?;
            self.reference = frame;
        }
        Ok(s)
    }
}

fn strain_with<Q: NeighborQuery + ?Sized>(
    reference: &Frame,
    list: &Q,
    current: &Frame,
    params: &D2minParams,
) -> Result<AtomicStrain, D2minError> {
    if reference.len() != current.len() {
        return Err(D2minError::AtomCount {
            reference: reference.len(),
            current: current.len(),
        });
    }
    let to_current = match_ids(reference.ids(), current.ids())?;
    let cur_box = *current.sim_box();
    let ref_box = *reference.sim_box();
    let cur = current.positions();
    let shifts = wrap_shifts(reference, current, &to_current);
    let ref_pos = reference.positions();
    let per_atom: Vec<(f64, f64, f64, M3, u32)> = (0..reference.len())
        .into_par_iter()
        .map_init(
            || (Vec::<Bond>::new(), Vec::<([f64; 3], [f64; 3])>::new()),
            |(found, bonds), i| {
                let ci = cur[to_current[i]];
                let ri = ref_pos[i];
                let ti = shifts[i];
                let mut x = [[0.0; 3]; 3];
                let mut y = [[0.0; 3]; 3];
                found.clear();
                list.ball_unsorted(ri, Some(i), params.cutoff, found);
                bonds.clear();
                bonds.extend(found.iter().map(|b| {
                    let j = b.j as usize;
                    // The bond's lattice image relative to the coordinates as
                    // given: d⁰ = x⁰_j + H⁰ m − x⁰_i (integers, rounded).
                    let rj = ref_pos[j];
                    let m = ref_box.fractional_vector([
                        b.vector[0] - (rj[0] - ri[0]),
                        b.vector[1] - (rj[1] - ri[1]),
                        b.vector[2] - (rj[2] - ri[2]),
                    ]);
                    // The same image in the current box, after undoing each
                    // atom's re-wrap: d = x_j + H (m − t_j + t_i) − x_i.
                    let tj = shifts[j];
                    let n = [
                        m[0].round() - tj[0] + ti[0],
                        m[1].round() - tj[1] + ti[1],
                        m[2].round() - tj[2] + ti[2],
                    ];
                    let s = cur_box.cartesian_vector(n);
                    let cj = cur[to_current[j]];
                    (
                        [
                            cj[0] + s[0] - ci[0],
                            cj[1] + s[1] - ci[1],
                            cj[2] + s[2] - ci[2],
                        ],
                        b.vector,
                    )
                }));
                for (d, d0) in bonds.iter() {
                    for a in 0..3 {
                        for b in 0..3 {
                            x[a][b] += d[a] * d0[b];
                            y[a][b] += d0[a] * d0[b];
                        }
                    }
                }
                let n = bonds.len() as u32;
                let Some(yi) = inverse(&y) else {
                    return (f64::NAN, f64::NAN, f64::NAN, [[f64::NAN; 3]; 3], n);
                };
                let f = mul(&x, &yi);
                let mut d2 = 0.0;
                for (d, d0) in bonds.iter() {
                    for a in 0..3 {
                        let r = d[a] - (f[a][0] * d0[0] + f[a][1] * d0[1] + f[a][2] * d0[2]);
                        d2 += r * r;
                    }
                }
                if params.per_neighbor {
                    d2 /= f64::from(n);
                }
                // E = (FᵀF − I) / 2.
                let mut e = [[0.0; 3]; 3];
                for a in 0..3 {
                    for b in 0..3 {
                        e[a][b] = 0.5
                            * (f[0][a] * f[0][b] + f[1][a] * f[1][b] + f[2][a] * f[2][b]
                                - if a == b { 1.0 } else { 0.0 });
                    }
                }
                let shear = (e[0][1] * e[0][1]
                    + e[0][2] * e[0][2]
                    + e[1][2] * e[1][2]
                    + ((e[0][0] - e[1][1]).powi(2)
                        + (e[0][0] - e[2][2]).powi(2)
                        + (e[1][1] - e[2][2]).powi(2))
                        / 6.0)
                    .sqrt();
                let volumetric = (e[0][0] + e[1][1] + e[2][2]) / 3.0;
                (d2, shear, volumetric, f, n)
            },
        )
        .collect();
    if !per_atom.is_empty() && per_atom.iter().all(|r| r.4 == 0) {
        return Err(D2minError::NoNeighbors(params.cutoff));
    }
    let invalid = per_atom
        .iter()
        .enumerate()
        .filter(|(_, r)| r.0.is_nan())
        .map(|(k, _)| k)
        .collect();
    Ok(AtomicStrain {
        ids: reference.ids().to_vec(),
        d2min: per_atom.iter().map(|r| r.0).collect(),
        shear_strain: per_atom.iter().map(|r| r.1).collect(),
        volumetric_strain: per_atom.iter().map(|r| r.2).collect(),
        deformation_gradient: per_atom.iter().map(|r| r.3).collect(),
        neighbor_count: per_atom.iter().map(|r| r.4).collect(),
        invalid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_known_matrix() {
        let m = [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]];
        let inv = inverse(&m).unwrap();
        let id = mul(&m, &inv);
        for a in 0..3 {
            for b in 0..3 {
                assert!((id[a][b] - if a == b { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        assert!(inverse(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]).is_none());
    }

    #[test]
    fn params_are_checked() {
        assert_eq!(
            D2minParams::new(-1.0).check().unwrap_err().to_string(),
            "invalid parameter: cutoff must be finite and positive, found -1"
        );
        fn send_sync<T: Send + Sync>() {}
        send_sync::<D2minParams>();
    }
}
