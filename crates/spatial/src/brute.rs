//! The brute-force backend: every point, every image that could be within
//! reach. Quadratic, simple, and the oracle the other backends are tested
//! against.

use interstice_core::SimBox;

use crate::{
    Bond, NeighborQuery, Query, SpatialError, bond_order, bounds, check_points, finite_reach,
    nearest_by_balls,
};

/// All pairs, all images: O(N) per query point.
#[derive(Clone, Debug)]
pub struct BruteForce {
    sim_box: SimBox,
    input: Vec<[f64; 3]>,
    /// Positions wrapped into the box (periodic axes), Cartesian and fractional.
    wrapped: Vec<[f64; 3]>,
    frac: Vec<[f64; 3]>,
    bounds: ([f64; 3], [f64; 3]),
}

impl BruteForce {
    /// Indexes `points` in `sim_box`.
    ///
    /// # Errors
    /// [`SpatialError::NonFinitePoint`], [`SpatialError::TooManyPoints`].
    pub fn new(sim_box: SimBox, points: &[[f64; 3]]) -> Result<BruteForce, SpatialError> {
        check_points(points)?;
        let frac: Vec<[f64; 3]> = points
            .iter()
            .map(|&p| wrapped_fraction(&sim_box, p))
            .collect();
        let wrapped: Vec<[f64; 3]> = frac.iter().map(|&f| sim_box.to_cartesian(f)).collect();
        let bounds = bounds(&wrapped);
        Ok(BruteForce {
            sim_box,
            input: points.to_vec(),
            wrapped,
            frac,
            bounds,
        })
    }

    fn ball(&self, p: [f64; 3], exclude: Option<usize>, r: f64, out: &mut Vec<Bond>) {
        let fq = wrapped_fraction(&self.sim_box, p);
        let q = self.sim_box.to_cartesian(fq);
        let w = self.sim_box.perpendicular_widths();
        let periodic = self.sim_box.periodic();
        let r2 = r * r;
        let start = out.len();
        for (j, (&x, fj)) in self.wrapped.iter().zip(&self.frac).enumerate() {
            // Images n with |f_j + n − f_q| ≤ r / w on each periodic axis.
            let mut range = [(0i64, 0i64); 3];
            for a in 0..3 {
                if periodic[a] {
                    let reach = r / w[a] * (1.0 + 1e-12);
                    let d = fj[a] - fq[a];
                    range[a] = ((-reach - d).ceil() as i64, (reach - d).floor() as i64);
                }
            }
            for n0 in range[0].0..=range[0].1 {
                for n1 in range[1].0..=range[1].1 {
                    for n2 in range[2].0..=range[2].1 {
                        let image = [n0 as i32, n1 as i32, n2 as i32];
                        if exclude == Some(j) && image == [0; 3] {
                            continue;
                        }
                        let s = self
                            .sim_box
                            .cartesian_vector([n0 as f64, n1 as f64, n2 as f64]);
                        let d = [x[0] + s[0] - q[0], x[1] + s[1] - q[1], x[2] + s[2] - q[2]];
                        let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                        if d2 < r2 {
                            out.push(Bond {
                                j: j as u32,
                                distance: d2.sqrt(),
                                vector: d,
                                image,
                            });
                        }
                    }
                }
            }
        }
        out[start..].sort_unstable_by(bond_order);
    }
}

/// Fractional coordinates wrapped into `[0, 1)` on periodic axes.
pub(crate) fn wrapped_fraction(sim_box: &SimBox, p: [f64; 3]) -> [f64; 3] {
    let mut f = sim_box.to_fractional(p);
    for a in 0..3 {
        if sim_box.periodic()[a] {
            f[a] -= f[a].floor();
            if f[a] >= 1.0 {
                f[a] = 0.0;
            }
        }
    }
    f
}

impl NeighborQuery for BruteForce {
    fn name(&self) -> &'static str {
        "brute force"
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
