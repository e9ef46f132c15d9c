//! The nearest-image backend: each other point once, at its minimum image.
//! Quadratic. It is amlearn's (and many scripts') view of a periodic box:
//! below half the box's smallest width it agrees with every other backend;
//! beyond, where a point can meet several images of another (or its own),
//! it keeps only the nearest one, which is what a parity check with such
//! codes needs and what a physical neighbour list must not do.

use interstice_core::SimBox;

use crate::brute::wrapped_fraction;
use crate::{Bond, NeighborQuery, Query, SpatialError, bond_order, check_points};

/// Every point at its minimum image: O(N) per query point.
#[derive(Clone, Debug)]
pub struct NearestImage {
    sim_box: SimBox,
    input: Vec<[f64; 3]>,
    /// Wrapped fractional coordinates, to name each bond's image.
    frac: Vec<[f64; 3]>,
}

impl NearestImage {
    /// Indexes `points` in `sim_box`.
    ///
    /// # Errors
    /// [`SpatialError::NonFinitePoint`], [`SpatialError::TooManyPoints`].
    pub fn new(sim_box: SimBox, points: &[[f64; 3]]) -> Result<NearestImage, SpatialError> {
        check_points(points)?;
        Ok(NearestImage {
            sim_box,
            input: points.to_vec(),
            frac: points
                .iter()
                .map(|&p| wrapped_fraction(&sim_box, p))
                .collect(),
        })
    }

    /// Every other point's minimum image within `r` (strictly closer),
    /// in canonical order.
    fn within(&self, p: [f64; 3], exclude: Option<usize>, r: f64, out: &mut Vec<Bond>) {
        let start = out.len();
        let fq = wrapped_fraction(&self.sim_box, p);
        for (j, x) in self.input.iter().enumerate() {
            if exclude == Some(j) {
                continue;
            }
            let d = self
                .sim_box
                .min_image([x[0] - p[0], x[1] - p[1], x[2] - p[2]]);
            let distance = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            if distance < r {
                // vector = x_j + H image − q, both wrapped.
                let fd = self.sim_box.fractional_vector(d);
                let image = [0, 1, 2].map(|a| (fd[a] - (self.frac[j][a] - fq[a])).round() as i32);
                out.push(Bond {
                    j: j as u32,
                    distance,
                    vector: d,
                    image,
                });
            }
        }
        out[start..].sort_unstable_by(bond_order);
    }
}

impl NeighborQuery for NearestImage {
    fn name(&self) -> &'static str {
        "nearest image"
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
            Query::Ball { r_max } => self.within(p, exclude, r_max, out),
            Query::Nearest { k, r_max } => {
                let start = out.len();
                self.within(p, exclude, r_max.unwrap_or(f64::INFINITY), out);
                out.truncate((start + k).min(out.len()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_half_the_box_each_point_comes_once() {
        // Two points in a 5 Å cube: with r = 4.4 every backend finds the
        // second point at several images and the first at its own; this
        // view finds the second once, at 1 Å, and never the first.
        let b = SimBox::cubic(5.0).unwrap();
        let p = [[0.5, 0.5, 0.5], [4.5, 0.5, 0.5]];
        let l = NearestImage::new(b, &p)
            .unwrap()
            .query_all(&Query::ball(4.4).unwrap())
            .unwrap();
        assert_eq!(l.neighbors_of(0), &[1]);
        assert_eq!(l.vectors_of(0), &[[-1.0, 0.0, 0.0]]);
        let brute = crate::BruteForce::new(b, &p)
            .unwrap()
            .query_all(&Query::ball(4.4).unwrap())
            .unwrap();
        assert!(brute.neighbors_of(0).len() > 1);
    }
}
