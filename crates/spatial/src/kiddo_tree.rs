//! The kiddo backend: an immutable k-d tree over the wrapped positions of an
//! orthorhombic box, queried once per periodic image that could hold a
//! neighbour. Tilted boxes are refused (kiddo's periodic support is for
//! rectangular boxes); use [`crate::CellList`] there.
//!
//! kiddo returns a fresh vector per query, so this backend allocates per
//! query point; the cell list does not.

use std::num::NonZero;

use interstice_core::SimBox;
use kiddo::{ImmutableKdTree, SquaredEuclidean};

use crate::brute::wrapped_fraction;
use crate::{Bond, NeighborQuery, Query, SpatialError, bond_order, check_points};

/// A k-d tree (kiddo 6) for orthorhombic boxes.
pub struct KiddoTree {
    sim_box: SimBox,
    input: Vec<[f64; 3]>,
    wrapped: Vec<[f64; 3]>,
    /// Bounding box of the wrapped points (on non-periodic axes they may lie outside the box).
    bounds: ([f64; 3], [f64; 3]),
    tree: Option<ImmutableKdTree<f64, 3>>,
}

impl std::fmt::Debug for KiddoTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KiddoTree")
            .field("sim_box", &self.sim_box)
            .field("points", &self.input.len())
            .finish()
    }
}

impl KiddoTree {
    /// Builds the tree.
    ///
    /// # Errors
    /// [`SpatialError::UnsupportedBox`] for a tilted box,
    /// [`SpatialError::NonFinitePoint`], [`SpatialError::TooManyPoints`].
    pub fn new(sim_box: SimBox, points: &[[f64; 3]]) -> Result<KiddoTree, SpatialError> {
        if sim_box.is_triclinic() {
            return Err(SpatialError::UnsupportedBox {
                backend: "kiddo",
                reason: format!(
                    "tilts {:?} are not zero: use the cell list for triclinic boxes",
                    sim_box.tilts()
                ),
            });
        }
        check_points(points)?;
        let wrapped: Vec<[f64; 3]> = points
            .iter()
            .map(|&p| sim_box.to_cartesian(wrapped_fraction(&sim_box, p)))
            .collect();
        let tree = if wrapped.is_empty() {
            None
        } else {
            Some(ImmutableKdTree::new_from_slice(&wrapped).map_err(|e| {
                SpatialError::InvalidList(format!("kiddo could not build its tree: {e:?}"))
            })?)
        };
        let bounds = crate::bounds(&wrapped);
        Ok(KiddoTree {
            sim_box,
            input: points.to_vec(),
            wrapped,
            bounds,
            tree,
        })
    }

    /// Lower bound of the distance from `q` to the points of image `n`.
    fn image_gap(&self, q: [f64; 3], n: [i64; 3]) -> f64 {
        let (lo, hi) = self.bounds;
        let l = self.sim_box.lengths();
        let mut g2 = 0.0;
        for a in 0..3 {
            let (b0, b1) = (lo[a] + n[a] as f64 * l[a], hi[a] + n[a] as f64 * l[a]);
            let g = (b0 - q[a]).max(q[a] - b1).max(0.0);
            g2 += g * g;
        }
        g2.sqrt()
    }

    /// Bonds to the points of image `n` shorter than `r_max` and no longer
    /// than `limit` (the current k-th distance: ties at it must be seen), the
    /// k nearest if `k` is given.
    #[allow(clippy::too_many_arguments)]
    fn query_image(
        &self,
        tree: &ImmutableKdTree<f64, 3>,
        q: [f64; 3],
        n: [i64; 3],
        r_max: f64,
        limit: f64,
        k: Option<usize>,
        exclude: Option<usize>,
        out: &mut Vec<Bond>,
    ) {
        let r = r_max.min(limit);
        let s = self
            .sim_box
            .cartesian_vector([n[0] as f64, n[1] as f64, n[2] as f64]);
        let shifted = [q[0] - s[0], q[1] - s[1], q[2] - s[2]];
        let image = [n[0] as i32, n[1] as i32, n[2] as i32];
        let (r2, max2, lim2) = (r * r, r_max * r_max, limit * limit);
        let mut push = |j: usize| {
            if exclude == Some(j) && image == [0; 3] {
                return;
            }
            let x = self.wrapped[j];
            let d = [x[0] + s[0] - q[0], x[1] + s[1] - q[1], x[2] + s[2] - q[2]];
            let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if d2 < max2 && d2 <= lim2 {
                out.push(Bond {
                    j: j as u32,
                    distance: d2.sqrt(),
                    vector: d,
                    image,
                });
            }
        };
        match k {
            None => {
                for m in tree
                    .query(&shifted)
                    .within::<SquaredEuclidean<f64>>(r2)
                    .unsorted()
                    .execute()
                {
                    push(m.item as usize);
                }
            }
            Some(k) => {
                // One more than k, in case the excluded point is among them.
                let want = NonZero::new(k + 1).unwrap_or(NonZero::<usize>::MIN);
                let found = if r.is_finite() {
                    tree.query(&shifted)
                        .nearest_n::<SquaredEuclidean<f64>>(want)
                        .within(r2)
                        .execute()
                } else {
                    tree.query(&shifted)
                        .nearest_n::<SquaredEuclidean<f64>>(want)
                        .execute()
                };
                for m in found {
                    push(m.item as usize);
                }
            }
        }
    }

    fn search(
        &self,
        p: [f64; 3],
        exclude: Option<usize>,
        r_max: f64,
        k: Option<usize>,
        out: &mut Vec<Bond>,
    ) {
        let Some(tree) = &self.tree else { return };
        let start = out.len();
        let q = self
            .sim_box
            .to_cartesian(wrapped_fraction(&self.sim_box, p));
        let periodic = self.sim_box.periodic();
        let l = self.sim_box.lengths();
        let l_min = (0..3)
            .filter(|&a| periodic[a])
            .map(|a| l[a])
            .fold(f64::INFINITY, f64::min);
        // Visit images shell by shell (max |n_a| = m) while a shell can still hold a closer bond.
        let mut m = 0i64;
        loop {
            let lim = |a: usize| if periodic[a] { m } else { 0 };
            let mut shell = Vec::new();
            for n0 in -lim(0)..=lim(0) {
                for n1 in -lim(1)..=lim(1) {
                    for n2 in -lim(2)..=lim(2) {
                        if n0.abs().max(n1.abs()).max(n2.abs()) == m {
                            shell.push([n0, n1, n2]);
                        }
                    }
                }
            }
            for n in shell {
                let limit = match k {
                    Some(k) if out.len() - start >= k => out[start + k - 1].distance,
                    _ => f64::INFINITY,
                };
                if self.image_gap(q, n) < r_max && self.image_gap(q, n) <= limit {
                    self.query_image(tree, q, n, r_max, limit, k, exclude, out);
                    out[start..].sort_unstable_by(bond_order);
                    if let Some(k) = k {
                        out.truncate(start + k.min(out.len() - start));
                    }
                }
            }
            if l_min.is_infinite() {
                break;
            }
            // Every image of the next shell is at least m · l_min away.
            let bound = m as f64 * l_min;
            let limit = match k {
                Some(k) if out.len() - start >= k => out[start + k - 1].distance,
                _ => f64::INFINITY,
            };
            if bound >= r_max || bound > limit {
                break;
            }
            m += 1;
        }
        out[start..].sort_unstable_by(bond_order);
    }
}

impl NeighborQuery for KiddoTree {
    fn name(&self) -> &'static str {
        "kiddo"
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

    fn query_point(&self, p: [f64; 3], exclude: Option<usize>, q: &Query, out: &mut Vec<Bond>) {
        match *q {
            Query::Ball { r_max } => self.search(p, exclude, r_max, None, out),
            Query::Nearest { k, r_max } => {
                self.search(p, exclude, r_max.unwrap_or(f64::INFINITY), Some(k), out)
            }
        }
    }
}
