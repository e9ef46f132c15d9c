//! Behler–Parrinello symmetry functions as the "softness" baseline of
//! Cubuk et al. computes them in amlearn (shared/SPEC.md §5): no smooth
//! cutoff, neighbours within the cutoff inclusive, radial functions per
//! species and angular ones per unordered species pair.

use interstice_spatial::{CellList, NeighborQuery, Query};
use ndarray::Array2;
use rayon::prelude::*;

use crate::{FeatureError, Featurizer, FrameContext};

/// One angular set `(ξ, λ, ζ)`, ξ in Å.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AngularSet {
    /// Width ξ, Å.
    pub xi: f64,
    /// λ = ±1.
    pub lambda: f64,
    /// Exponent ζ.
    pub zeta: f64,
}

/// Radial and angular symmetry functions.
#[derive(Clone, Debug, PartialEq)]
pub struct SymmetryFunctions {
    /// Spacing Δr of the radial shells, Å (also their Gaussian width).
    pub dr: f64,
    /// Number of radial shells `r_s = nΔr`, `n = 0..n_radial`.
    pub n_radial: usize,
    /// Neighbours within this distance (inclusive), Å.
    pub cutoff: f64,
    /// The angular sets.
    pub angular: Vec<AngularSet>,
    /// amlearn's `r_jk`: the minimum-image distance between `j` and `k`
    /// instead of the true side `|r_ij − r_ik|` of the triangle (they differ
    /// only in boxes thinner than about twice the cutoff).
    pub amlearn_rjk: bool,
}

impl SymmetryFunctions {
    /// The paper's 166 for a binary: σ = 2.52 Å (twice the Cu radius),
    /// Δr = 0.1σ, 50 radial shells, cutoff 2.5σ, and 22 angular sets.
    pub fn paper() -> SymmetryFunctions {
        let sigma = 2.52;
        let xi = [
            14.633, 14.633, 14.638, 14.638, 2.554, 2.554, 2.554, 2.554, 1.648, 1.648, 1.204, 1.204,
            1.204, 1.204, 0.933, 0.933, 0.933, 0.933, 0.695, 0.695, 0.695, 0.695,
        ];
        let lambda = [
            -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
            1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        ];
        let zeta = [
            1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0, 2.0, 1.0, 2.0, 4.0, 16.0, 1.0, 2.0, 4.0,
            16.0, 1.0, 2.0, 4.0, 16.0,
        ];
        SymmetryFunctions {
            dr: 0.1 * sigma,
            n_radial: 50,
            cutoff: 2.5 * sigma,
            angular: (0..22)
                .map(|k| AngularSet {
                    xi: xi[k] * sigma,
                    lambda: lambda[k],
                    zeta: zeta[k],
                })
                .collect(),
            amlearn_rjk: false,
        }
    }

    fn species(ctx: &FrameContext<'_>) -> Vec<u32> {
        let mut t: Vec<u32> = ctx.types().iter().map(|(t, _)| t).collect();
        t.sort_unstable();
        t
    }

    fn pairs(species: &[u32]) -> Vec<(usize, usize)> {
        let mut p = Vec::new();
        for a in 0..species.len() {
            for b in a..species.len() {
                p.push((a, b));
            }
        }
        p
    }

    /// The column names for the species (LAMMPS types) `species`, sorted:
    /// radial `{type}_{r_s:.3f}` type after type, then angular
    /// `{t1}_{t2}_{ξ:.3f}_{λ:.3f}_{ζ:.3f}` pair after pair.
    pub fn names_for(&self, species: &[u32]) -> Vec<String> {
        let mut names = Vec::new();
        for t in species {
            for n in 0..self.n_radial {
                names.push(format!("{t}_{:.3}", n as f64 * self.dr));
            }
        }
        for (a, b) in SymmetryFunctions::pairs(species) {
            for s in &self.angular {
                names.push(format!(
                    "{}_{}_{:.3}_{:.3}_{:.3}",
                    species[a], species[b], s.xi, s.lambda, s.zeta
                ));
            }
        }
        names
    }
}

impl Featurizer for SymmetryFunctions {
    fn names(&self) -> Vec<String> {
        // Without a frame the species are unknown; a binary 1, 2 is the
        // paper's case. `compute` uses the frame's type map.
        self.names_for(&[1, 2])
    }

    fn compute(&self, ctx: &FrameContext<'_>) -> Result<Array2<f64>, FeatureError> {
        if !(self.cutoff.is_finite() && self.cutoff > 0.0 && self.dr > 0.0) {
            return Err(FeatureError::InvalidParams(format!(
                "symmetry functions need a positive cutoff and Δr, found {} and {}",
                self.cutoff, self.dr
            )));
        }
        let frame = ctx.frame();
        let species = SymmetryFunctions::species(ctx);
        let ns = species.len();
        let kind: Vec<usize> = frame
            .types()
            .iter()
            .map(|t| {
                species
                    .iter()
                    .position(|s| s == t)
                    .expect("types checked by the context")
            })
            .collect();
        let pairs = SymmetryFunctions::pairs(&species);
        let pair_index = |a: usize, b: usize| {
            let (a, b) = (a.min(b), a.max(b));
            pairs
                .iter()
                .position(|&p| p == (a, b))
                .expect("every pair listed")
        };
        let pair_of: Vec<Vec<usize>> = (0..ns)
            .map(|a| (0..ns).map(|b| pair_index(a, b)).collect())
            .collect();
        // Inclusive cutoff: every bond shorter than the next float up.
        let rc = self.cutoff.next_up();
        let list = if ctx.params().nearest_image {
            ctx.nearest_image_list(self.cutoff, true)?
        } else {
            let cl = CellList::new(*frame.sim_box(), frame.positions(), rc)?;
            cl.query_all(&Query::ball(rc)?)?
        };
        let n_rad = ns * self.n_radial;
        let n_ang = pairs.len() * self.angular.len();
        let width2 = 2.0 * self.dr * self.dr;
        // Distinct widths share one exponential; integral ζ use powi.
        let mut widths: Vec<f64> = Vec::new();
        let set_width: Vec<usize> = self
            .angular
            .iter()
            .map(|s| {
                let w = 1.0 / (s.xi * s.xi);
                match widths.iter().position(|&x| x == w) {
                    Some(k) => k,
                    None => {
                        widths.push(w);
                        widths.len() - 1
                    }
                }
            })
            .collect();
        let int_zeta: Vec<Option<i32>> = self
            .angular
            .iter()
            .map(|s| (s.zeta.fract() == 0.0 && s.zeta.abs() < 64.0).then_some(s.zeta as i32))
            .collect();
        let sim_box = frame.sim_box();
        let rows: Vec<Vec<f64>> = (0..frame.len())
            .into_par_iter()
            .map(|i| {
                let mut row = vec![0.0; n_rad + n_ang];
                let mut expo = vec![0.0; widths.len()];
                let js = list.neighbors_of(i);
                let ds = list.distances_of(i);
                let vs = list.vectors_of(i);
                for (&j, &d) in js.iter().zip(ds) {
                    let base = kind[j as usize] * self.n_radial;
                    for n in 0..self.n_radial {
                        let x = d - n as f64 * self.dr;
                        row[base + n] += (-x * x / width2).exp();
                    }
                }
                for a in 0..js.len() {
                    for b in (a + 1)..js.len() {
                        let (ka, kb) = (kind[js[a] as usize], kind[js[b] as usize]);
                        // Like species: unordered pairs j < k; unlike: every
                        // j of t1 with every k of t2, which is again each
                        // unordered pair of neighbours once.
                        let p = pair_of[ka][kb];
                        let (va, vb) = (vs[a], vs[b]);
                        let rjk2 = if self.amlearn_rjk {
                            let pa = frame.positions()[js[a] as usize];
                            let pb = frame.positions()[js[b] as usize];
                            let d =
                                sim_box.min_image([pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]]);
                            d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
                        } else {
                            let d = [vb[0] - va[0], vb[1] - va[1], vb[2] - va[2]];
                            d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
                        };
                        let (ra, rb) = (ds[a], ds[b]);
                        let cos = (va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]) / (ra * rb);
                        let s2 = ra * ra + rb * rb + rjk2;
                        for (k, &w) in widths.iter().enumerate() {
                            expo[k] = (-s2 * w).exp();
                        }
                        for (q, set) in self.angular.iter().enumerate() {
                            let base = (1.0 + set.lambda * cos).max(0.0);
                            let ang = match int_zeta[q] {
                                Some(z) => base.powi(z),
                                None => base.powf(set.zeta),
                            };
                            row[n_rad + p * self.angular.len() + q] += expo[set_width[q]] * ang;
                        }
                    }
                }
                row
            })
            .collect();
        let mut x = Array2::zeros((frame.len(), n_rad + n_ang));
        for (i, row) in rows.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                x[[i, c]] = v;
            }
        }
        Ok(x)
    }
}
