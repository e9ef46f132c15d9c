//! The cell list: points binned on fractional coordinates, so any triclinic
//! box works, and the cells within reach visited with their periodic image,
//! so cutoffs beyond half the box (several images of one point) and boxes only
//! a few atoms wide work too.
//!
//! Cells are at least the cutoff hint wide along each perpendicular width;
//! a ball query of radius `r` visits, per axis, the cells whose fractional
//! span meets `[f − r/w, f + r/w]` (a sphere of radius `r` spans `r/w` in
//! fractional units along an axis of perpendicular width `w`). Per query
//! point the only allocation is the caller's output buffer.

use interstice_core::SimBox;

use crate::brute::wrapped_fraction;
use crate::{
    Bond, NeighborList, NeighborQuery, Query, SpatialError, bounds, check_points, finite_reach,
    nearest_by_balls, sort_bonds,
};

/// A cell list over fractional coordinates.
#[derive(Clone, Debug)]
pub struct CellList {
    sim_box: SimBox,
    input: Vec<[f64; 3]>,
    dims: [usize; 3],
    /// `cell_start[c]..cell_start[c + 1]` indexes `items` and `positions` of cell `c`.
    cell_start: Vec<u32>,
    /// Point indices in cell order.
    items: Vec<u32>,
    /// Wrapped Cartesian positions in cell order.
    positions: Vec<[f64; 3]>,
    bounds: ([f64; 3], [f64; 3]),
}

/// At most this many cells per axis.
const MAX_DIM: usize = 1024;

impl CellList {
    /// Bins `points` in `sim_box` for queries of radius about `r_hint` (any
    /// radius works; the hint sets the cell size).
    ///
    /// # Errors
    /// [`SpatialError::InvalidQuery`] for a bad hint,
    /// [`SpatialError::NonFinitePoint`], [`SpatialError::TooManyPoints`].
    pub fn new(
        sim_box: SimBox,
        points: &[[f64; 3]],
        r_hint: f64,
    ) -> Result<CellList, SpatialError> {
        CellList::part_of(sim_box, points, r_hint, points.len())
    }

    /// A cell list of `points`, a part of a frame of `whole_len` points in
    /// the same box (one process's domain and ghosts, in the whole frame's
    /// order): the cells are those of the whole frame, so
    /// [`NeighborQuery::ball_unsorted`] gives each point's bonds in the
    /// order the whole frame's list gives them, and a sum over them has the
    /// same bits.
    ///
    /// # Errors
    /// As [`CellList::new`].
    pub fn part_of(
        sim_box: SimBox,
        points: &[[f64; 3]],
        r_hint: f64,
        whole_len: usize,
    ) -> Result<CellList, SpatialError> {
        Query::ball(r_hint)?;
        check_points(points)?;
        let n = whole_len.max(points.len());
        let w = sim_box.perpendicular_widths();
        let mut dims = [1usize; 3];
        for a in 0..3 {
            dims[a] = ((w[a] / r_hint).floor() as usize).clamp(1, MAX_DIM);
        }
        // Not many more cells than points: empty cells cost time and memory.
        while dims.iter().product::<usize>() > 2 * n.max(1) && dims.iter().any(|&d| d > 1) {
            let a = (0..3).max_by_key(|&a| dims[a]).unwrap_or(0);
            dims[a] = dims[a].div_ceil(2);
        }
        let ncells = dims.iter().product::<usize>();
        let n = points.len();
        let frac: Vec<[f64; 3]> = points
            .iter()
            .map(|&p| wrapped_fraction(&sim_box, p))
            .collect();
        let cell_of = |f: [f64; 3]| -> usize {
            let mut c = [0usize; 3];
            for a in 0..3 {
                c[a] = ((f[a] * dims[a] as f64).floor().max(0.0) as usize).min(dims[a] - 1);
            }
            (c[2] * dims[1] + c[1]) * dims[0] + c[0]
        };
        let cells: Vec<usize> = frac.iter().map(|&f| cell_of(f)).collect();
        let mut cell_start = vec![0u32; ncells + 1];
        for &c in &cells {
            cell_start[c + 1] += 1;
        }
        for c in 0..ncells {
            cell_start[c + 1] += cell_start[c];
        }
        let mut fill = cell_start.clone();
        let mut items = vec![0u32; n];
        let mut positions = vec![[0.0; 3]; n];
        for (i, &c) in cells.iter().enumerate() {
            let slot = fill[c] as usize;
            fill[c] += 1;
            items[slot] = i as u32;
            positions[slot] = sim_box.to_cartesian(frac[i]);
        }
        let bounds = bounds(&positions);
        Ok(CellList {
            sim_box,
            input: points.to_vec(),
            dims,
            cell_start,
            items,
            positions,
            bounds,
        })
    }

    /// Cells per axis.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    fn ball(&self, p: [f64; 3], exclude: Option<usize>, r: f64, out: &mut Vec<Bond>) {
        self.ball_impl(p, exclude, r, out, true);
    }

    fn ball_impl(
        &self,
        p: [f64; 3],
        exclude: Option<usize>,
        r: f64,
        out: &mut Vec<Bond>,
        sorted: bool,
    ) {
        let start = out.len();
        let fq = wrapped_fraction(&self.sim_box, p);
        let q = self.sim_box.to_cartesian(fq);
        let w = self.sim_box.perpendicular_widths();
        let periodic = self.sim_box.periodic();
        let r2 = r * r;
        let mut range = [(0i64, 0i64); 3];
        for a in 0..3 {
            let n = self.dims[a] as f64;
            let reach = r / w[a] * (1.0 + 1e-12);
            let (mut lo, mut hi) = (
                ((fq[a] - reach) * n).floor() as i64,
                ((fq[a] + reach) * n).floor() as i64,
            );
            if !periodic[a] {
                lo = lo.clamp(0, self.dims[a] as i64 - 1);
                hi = hi.clamp(0, self.dims[a] as i64 - 1);
            }
            range[a] = (lo, hi);
        }
        let [nx, ny, nz] = [
            self.dims[0] as i64,
            self.dims[1] as i64,
            self.dims[2] as i64,
        ];
        for cz in range[2].0..=range[2].1 {
            let (sz, iz) = (cz.div_euclid(nz), cz.rem_euclid(nz));
            for cy in range[1].0..=range[1].1 {
                let (sy, iy) = (cy.div_euclid(ny), cy.rem_euclid(ny));
                for cx in range[0].0..=range[0].1 {
                    let (sx, ix) = (cx.div_euclid(nx), cx.rem_euclid(nx));
                    let image = [sx as i32, sy as i32, sz as i32];
                    let s = self
                        .sim_box
                        .cartesian_vector([sx as f64, sy as f64, sz as f64]);
                    let base = [s[0] - q[0], s[1] - q[1], s[2] - q[2]];
                    let c = ((iz * ny + iy) * nx + ix) as usize;
                    let (a, b) = (self.cell_start[c] as usize, self.cell_start[c + 1] as usize);
                    for (x, &j) in self.positions[a..b].iter().zip(&self.items[a..b]) {
                        let d = [x[0] + base[0], x[1] + base[1], x[2] + base[2]];
                        let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                        if d2 < r2 && !(exclude == Some(j as usize) && image == [0; 3]) {
                            out.push(Bond {
                                j,
                                distance: d2.sqrt(),
                                vector: d,
                                image,
                            });
                        }
                    }
                }
            }
        }
        // The excluded self bond (image 0, found once) is removed here rather
        // than tested for every candidate.
        if let Some(ex) = exclude
            && let Some(k) = out[start..]
                .iter()
                .position(|b| b.j as usize == ex && b.image == [0; 3])
        {
            out.swap_remove(start + k);
        }
        if sorted {
            sort_bonds(&mut out[start..]);
        }
    }
}

impl NeighborQuery for CellList {
    fn name(&self) -> &'static str {
        "cell list"
    }

    fn sim_box(&self) -> &SimBox {
        &self.sim_box
    }

    fn len(&self) -> usize {
        self.input.len()
    }

    fn point(&self, i: usize) -> [f64; 3] {
        self.input[i]
    }

    /// The bonds in the order the cells are visited (deterministic for given
    /// inputs, but not the canonical order): no sort.
    fn ball_unsorted(&self, p: [f64; 3], exclude: Option<usize>, r_max: f64, out: &mut Vec<Bond>) {
        self.ball_impl(p, exclude, r_max, out, false);
    }

    /// Visits the points in cell order (for memory locality); the list is the
    /// same as the provided method's, in index order.
    fn query_all(&self, q: &Query) -> Result<NeighborList, SpatialError> {
        q.check()?;
        // Expected bonds per point at the mean density, with a margin.
        let expected = match *q {
            Query::Ball { r_max } => {
                let density = self.len() as f64 / self.sim_box.volume();
                (1.2 * density * 4.0 / 3.0 * std::f64::consts::PI * r_max.powi(3)).min(1e4) as usize
            }
            Query::Nearest { k, .. } => k.min(10_000),
        };
        Ok(crate::collect_in_order(
            self.len(),
            &self.items,
            expected,
            |i, out| {
                self.query_point(self.input[i], Some(i), q, out);
            },
        ))
    }

    fn query_point(&self, p: [f64; 3], exclude: Option<usize>, q: &Query, out: &mut Vec<Bond>) {
        match *q {
            Query::Ball { r_max } => self.ball(p, exclude, r_max, out),
            Query::Nearest { k, r_max } => {
                let reach = finite_reach(
                    self.bounds.0,
                    self.bounds.1,
                    self.sim_box
                        .to_cartesian(wrapped_fraction(&self.sim_box, p)),
                );
                nearest_by_balls(&self.sim_box, self.len(), k, r_max, reach, out, |r, out| {
                    self.ball(p, exclude, r, out)
                });
            }
        }
    }
}
