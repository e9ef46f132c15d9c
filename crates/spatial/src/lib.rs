//! Periodic neighbour finding for `interstice`: one trait, one query enum,
//! one CSR list, and three backends.
//!
//! - [`NeighborQuery`]: what every backend offers; consumers (tessellation,
//!   D²min, features) depend on the trait only.
//! - [`Query`]: a ball of radius `r_max`, or the `k` nearest (optionally
//!   within `r_max`).
//! - [`NeighborList`]: bonds in compressed sparse rows, with distances,
//!   vectors and optional weights; filters take a list and return a list.
//! - Backends: [`CellList`] (fractional coordinates, right in any triclinic
//!   box, for cutoffs beyond half the box width and boxes a few atoms wide),
//!   [`KiddoTree`] (a k-d tree for orthorhombic boxes) and [`BruteForce`], the
//!   oracle.
//!
//! # Bonds and periodic images
//!
//! A bond is a query point, a point `j` and one periodic image of `j`: its
//! vector runs from the query point to that image, `d = x_j + H n − q`.
//! When `r_max` is below half the smallest perpendicular width of the box a
//! pair has at most one bond (the minimum image); beyond that, several images
//! of the same point are separate bonds, and a point can neighbour its own
//! images. Self-exclusion removes only the bond of a point to itself at zero
//! displacement. Ball queries keep bonds with distance strictly below
//! `r_max`.
//!
//! # Order and determinism
//!
//! Bonds of each query point are sorted by distance, then by `j`, then by
//! the image (a total order), so every backend returns the same list, bit for
//! bit, for any number of threads.
//!
//! ```
//! use interstice_core::SimBox;
//! use interstice_spatial::{CellList, NeighborQuery, Query};
//!
//! let b = SimBox::cubic(10.0)?;
//! let points = [[0.5, 0.5, 0.5], [9.5, 0.5, 0.5], [5.0, 5.0, 5.0]];
//! let cells = CellList::new(b, &points, 2.0)?;
//! let list = cells.query_all(&Query::ball(2.0)?)?;
//! assert_eq!(list.neighbors_of(0), &[1]); // across the periodic boundary
//! assert!((list.distances_of(0)[0] - 1.0).abs() < 1e-12);
//! assert!(list.neighbors_of(2).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod brute;
mod cell_list;
mod kiddo_tree;
mod list;
mod nearest_image;

use interstice_core::SimBox;
use rayon::prelude::*;

pub use brute::BruteForce;
pub use cell_list::CellList;
pub use kiddo_tree::KiddoTree;
pub use list::NeighborList;
pub use nearest_image::NearestImage;

/// What went wrong in a neighbour query.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpatialError {
    /// A radius that is not finite and positive, or `k = 0`.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A point that is NaN or infinite.
    #[error("point {index} has a non-finite coordinate")]
    NonFinitePoint {
        /// Zero-based index of the point.
        index: usize,
    },
    /// A backend that cannot handle this box.
    #[error("{backend} cannot handle this box: {reason}")]
    UnsupportedBox {
        /// The backend's name.
        backend: &'static str,
        /// Why.
        reason: String,
    },
    /// Weights or a filter that do not match the list.
    #[error("invalid neighbour list operation: {0}")]
    InvalidList(String),
    /// More points than the 32-bit indices of a list can address.
    #[error("too many points: {0} (at most 4 294 967 295)")]
    TooManyPoints(usize),
}

/// A neighbour query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Query {
    /// Every bond shorter than `r_max`.
    Ball {
        /// The cutoff, Å (strict: a bond of length exactly `r_max` is left out).
        r_max: f64,
    },
    /// The `k` shortest bonds, optionally only those shorter than `r_max`.
    Nearest {
        /// How many bonds per query point.
        k: usize,
        /// An optional cutoff, Å.
        r_max: Option<f64>,
    },
}

impl Query {
    /// A ball query, checked.
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] unless `r_max` is finite and positive.
    pub fn ball(r_max: f64) -> Result<Query, SpatialError> {
        let q = Query::Ball { r_max };
        q.check()?;
        Ok(q)
    }

    /// A k-nearest query, checked.
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] for `k = 0` or a bad radius.
    pub fn nearest(k: usize, r_max: Option<f64>) -> Result<Query, SpatialError> {
        let q = Query::Nearest { k, r_max };
        q.check()?;
        Ok(q)
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`].
    pub fn check(&self) -> Result<(), SpatialError> {
        let radius = |r: f64| {
            if r.is_finite() && r > 0.0 {
                Ok(())
            } else {
                Err(SpatialError::InvalidQuery(format!(
                    "r_max must be finite and positive, found {r}"
                )))
            }
        };
        match *self {
            Query::Ball { r_max } => radius(r_max),
            Query::Nearest { k, r_max } => {
                if k == 0 {
                    return Err(SpatialError::InvalidQuery("k must be at least 1".into()));
                }
                r_max.map_or(Ok(()), radius)
            }
        }
    }

    /// The cutoff, if any.
    pub fn r_max(&self) -> Option<f64> {
        match *self {
            Query::Ball { r_max } => Some(r_max),
            Query::Nearest { r_max, .. } => r_max,
        }
    }
}

/// One bond found by a query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bond {
    /// Index of the neighbour among the backend's points.
    pub j: u32,
    /// Length of `vector`, Å.
    pub distance: f64,
    /// From the query point to this image of point `j`, Å.
    pub vector: [f64; 3],
    /// The image: `vector = x_j + H image − q` with both wrapped into the box.
    pub image: [i32; 3],
}

/// The canonical order of bonds: distance, then `j`, then image.
pub fn bond_order(a: &Bond, b: &Bond) -> std::cmp::Ordering {
    a.distance
        .total_cmp(&b.distance)
        .then(a.j.cmp(&b.j))
        .then(a.image.cmp(&b.image))
}

/// Sorts bonds into canonical order. Distances are never negative, so their
/// bit patterns order like the numbers and compare as integers.
pub(crate) fn sort_bonds(bonds: &mut [Bond]) {
    bonds.sort_unstable_by_key(|b| (b.distance.to_bits(), b.j, b.image));
}

/// A neighbour search structure over a fixed set of points in a box.
pub trait NeighborQuery: Send + Sync + std::fmt::Debug {
    /// The backend's name, for messages.
    fn name(&self) -> &'static str;

    /// The simulation box.
    fn sim_box(&self) -> &SimBox;

    /// The number of points.
    fn len(&self) -> usize;

    /// Whether there are no points.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i` as given (before any wrapping).
    fn point(&self, i: usize) -> [f64; 3];

    /// Appends the bonds of the query point `p` to `out`, in canonical order.
    /// `exclude` names a point whose zero-displacement bond is dropped (the
    /// query point itself, for self-queries). `q` must be checked.
    fn query_point(&self, p: [f64; 3], exclude: Option<usize>, q: &Query, out: &mut Vec<Bond>);

    /// Appends the bonds of `p` shorter than `r_max` (checked by the caller)
    /// in an order of the backend's choosing, deterministic for given inputs:
    /// for consumers that only sum over neighbours, such as D²min, and can
    /// skip the canonical sort. The same bonds as a ball [`Query`]; by
    /// default exactly that query.
    fn ball_unsorted(&self, p: [f64; 3], exclude: Option<usize>, r_max: f64, out: &mut Vec<Bond>) {
        self.query_point(p, exclude, &Query::Ball { r_max }, out);
    }

    /// Every point against all points, excluding each point's bond to itself.
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] for a bad query.
    fn query_all(&self, q: &Query) -> Result<NeighborList, SpatialError> {
        q.check()?;
        Ok(collect(self.len(), self.len(), |i, out| {
            self.query_point(self.point(i), Some(i), q, out)
        }))
    }

    /// The rows of [`NeighborQuery::query_all`] of the points `indices`
    /// alone, in that order (row `k` is point `indices[k]`'s, without its
    /// bond to itself): for a caller that works through a large frame block
    /// by block.
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] for a bad query,
    /// [`SpatialError::InvalidList`] for an index out of range.
    fn query_indices(&self, indices: &[u32], q: &Query) -> Result<NeighborList, SpatialError> {
        q.check()?;
        if let Some(&i) = indices.iter().find(|&&i| i as usize >= self.len()) {
            return Err(SpatialError::InvalidList(format!(
                "point index {i} for {} points",
                self.len()
            )));
        }
        Ok(collect(indices.len(), self.len(), |k, out| {
            let i = indices[k] as usize;
            self.query_point(self.point(i), Some(i), q, out)
        }))
    }

    /// Other query points against this structure's points (no exclusion).
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] for a bad query,
    /// [`SpatialError::NonFinitePoint`] for a bad query point.
    fn query_points(&self, points: &[[f64; 3]], q: &Query) -> Result<NeighborList, SpatialError> {
        q.check()?;
        check_points(points)?;
        Ok(collect(points.len(), self.len(), |i, out| {
            self.query_point(points[i], None, q, out)
        }))
    }
}

/// Like [`collect`], but visits the query points in `order` (a permutation,
/// for example cell order, which keeps the memory a query touches close to
/// the previous query's) and scatters the results back to index order.
/// `bonds_per_point` sizes each chunk's buffer up front (a guess is fine).
fn collect_in_order(
    n_points: usize,
    order: &[u32],
    bonds_per_point: usize,
    query: impl Fn(usize, &mut Vec<Bond>) + Sync,
) -> NeighborList {
    const CHUNK: usize = 512;
    let n_query = order.len();
    let chunks: Vec<(Vec<u32>, Vec<Bond>)> = order
        .par_chunks(CHUNK)
        .map(|idx| {
            let mut counts = Vec::with_capacity(idx.len());
            let mut bonds = Vec::with_capacity(idx.len() * bonds_per_point);
            for &i in idx {
                let before = bonds.len();
                query(i as usize, &mut bonds);
                counts.push((bonds.len() - before) as u32);
            }
            (counts, bonds)
        })
        .collect();
    // Offsets in index order, then every query point's bonds copied to its slot.
    let mut count = vec![0usize; n_query];
    for (c, idx) in chunks.iter().zip(order.chunks(CHUNK)) {
        for (&k, &i) in c.0.iter().zip(idx) {
            count[i as usize] = k as usize;
        }
    }
    let mut offsets = Vec::with_capacity(n_query + 1);
    offsets.push(0usize);
    for k in &count {
        offsets.push(offsets[offsets.len() - 1] + k);
    }
    let total = offsets[n_query];
    let mut neighbors = vec![0u32; total];
    let mut distances = vec![0.0; total];
    let mut vectors = vec![[0.0; 3]; total];
    for ((counts, bonds), idx) in chunks.iter().zip(order.chunks(CHUNK)) {
        let mut at = 0;
        for (&k, &i) in counts.iter().zip(idx) {
            let dst = offsets[i as usize];
            for (t, b) in bonds[at..at + k as usize].iter().enumerate() {
                neighbors[dst + t] = b.j;
                distances[dst + t] = b.distance;
                vectors[dst + t] = b.vector;
            }
            at += k as usize;
        }
    }
    NeighborList::from_parts(offsets, neighbors, distances, vectors, n_points)
}

/// Checks that every coordinate is finite and that indices fit 32 bits.
pub(crate) fn check_points(points: &[[f64; 3]]) -> Result<(), SpatialError> {
    if points.len() > u32::MAX as usize {
        return Err(SpatialError::TooManyPoints(points.len()));
    }
    match points.iter().position(|p| !p.iter().all(|x| x.is_finite())) {
        Some(index) => Err(SpatialError::NonFinitePoint { index }),
        None => Ok(()),
    }
}

/// Runs `query(i, out)` for every query point in parallel, in chunks whose
/// results are concatenated in index order (so the list does not depend on
/// the number of threads), reusing one buffer per chunk.
fn collect(
    n_query: usize,
    n_points: usize,
    query: impl Fn(usize, &mut Vec<Bond>) + Sync,
) -> NeighborList {
    const CHUNK: usize = 512;
    let chunks: Vec<(Vec<u32>, Vec<Bond>)> = (0..n_query.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let range = c * CHUNK..((c + 1) * CHUNK).min(n_query);
            let mut counts = Vec::with_capacity(range.len());
            let mut bonds = Vec::new();
            for i in range {
                let before = bonds.len();
                query(i, &mut bonds);
                counts.push((bonds.len() - before) as u32);
            }
            (counts, bonds)
        })
        .collect();
    NeighborList::from_chunks(n_query, n_points, chunks)
}

/// The k-nearest query answered with ball queries of growing radius: a ball
/// that holds at least `k` bonds holds the `k` nearest. `reach` bounds the
/// distance to every point when no axis is periodic (there are then finitely
/// many bonds); with a periodic axis images go on forever and the radius
/// grows until `k` bonds are found.
pub(crate) fn nearest_by_balls(
    sim_box: &SimBox,
    n_points: usize,
    k: usize,
    r_max: Option<f64>,
    reach: f64,
    out: &mut Vec<Bond>,
    mut ball: impl FnMut(f64, &mut Vec<Bond>),
) {
    let start = out.len();
    if n_points == 0 {
        return;
    }
    let periodic = sim_box.periodic().iter().any(|&p| p);
    // A radius that holds about k + 1 points at the mean density.
    let density = n_points as f64 / sim_box.volume();
    let mut r = (3.0 * (k as f64 + 1.0) / (4.0 * std::f64::consts::PI * density)).cbrt() * 1.25;
    loop {
        let radius = r_max.map_or(r, |m| r.min(m));
        out.truncate(start);
        ball(radius, out);
        let found = out.len() - start;
        let capped = r_max.is_some_and(|m| r >= m);
        if found >= k || capped || (!periodic && r > reach) {
            out.truncate(start + k.min(found));
            return;
        }
        r *= 2.0;
    }
}

/// An upper bound on the distance from `p` to any of `points`: the distance
/// to their bounding box plus its diagonal (with a margin for rounding).
pub(crate) fn finite_reach(lo: [f64; 3], hi: [f64; 3], p: [f64; 3]) -> f64 {
    let mut gap = 0.0;
    let mut diag = 0.0;
    for a in 0..3 {
        let g = (lo[a] - p[a]).max(p[a] - hi[a]).max(0.0);
        gap += g * g;
        diag += (hi[a] - lo[a]).powi(2);
    }
    (gap.sqrt() + diag.sqrt()) * (1.0 + 1e-9) + 1e-9
}

/// The bounding box of a set of points.
pub(crate) fn bounds(points: &[[f64; 3]]) -> ([f64; 3], [f64; 3]) {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in points {
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked() {
        assert_eq!(
            Query::ball(0.0).unwrap_err().to_string(),
            "invalid query: r_max must be finite and positive, found 0"
        );
        assert_eq!(
            Query::ball(f64::NAN).unwrap_err().to_string(),
            "invalid query: r_max must be finite and positive, found NaN"
        );
        assert_eq!(
            Query::nearest(0, None).unwrap_err().to_string(),
            "invalid query: k must be at least 1"
        );
        assert!(Query::nearest(3, Some(-1.0)).is_err());
        assert_eq!(Query::nearest(3, Some(2.0)).unwrap().r_max(), Some(2.0));
    }

    #[test]
    fn params_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Query>();
        assert_send_sync::<CellList>();
        assert_send_sync::<KiddoTree>();
        assert_send_sync::<BruteForce>();
        assert_send_sync::<NeighborList>();
    }
}
