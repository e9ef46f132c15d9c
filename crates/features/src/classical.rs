//! The classical catalogue of shared/SPEC.md §5 over Voronoi neighbours:
//! coordination, Voronoi index, motifs, i-fold symmetry (plain, area- and
//! volume-weighted), face-area and pyramid-volume statistics overall and
//! per edge count, distance statistics, cluster and atomic packing
//! efficiency, Steinhardt `q_l`, `ŵ_l` and their neighbour averages.

use interstice_geometry::interstice::cluster_packing_efficiency;
use ndarray::Array2;
use rayon::prelude::*;

use crate::stats::Stat;
use crate::steinhardt::{Wigner3j, ql, qlm_with, wl_hat};
use crate::{FeatureError, Featurizer, FrameContext};

/// Ideal radius ratios of atomic packing efficiency for CN 3..=24
/// (Laws, Miracle & Ferry 2015, as amlearn tabulates them).
const IDEAL_RATIO: [f64; 22] = [
    0.154701, 0.224745, 0.361654, 0.414214, 0.518145, 0.616517, 0.709914, 0.798907, 0.884003,
    0.902113, 0.976006, 1.04733, 1.11632, 1.18318, 1.2481, 1.31123, 1.37271, 1.43267, 1.49119,
    1.5484, 1.60436, 1.65915,
];

const STATS5: [Stat; 5] = [Stat::Sum, Stat::Mean, Stat::Std, Stat::Min, Stat::Max];
const LS: [usize; 4] = [4, 6, 8, 10];

/// The classical descriptors (114 columns; see [`Classical::names`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Classical {
    /// amlearn's `atan(y/x)` azimuth in `q_l` (parity only; its `ŵ_l` is
    /// corrupted and not reproduced).
    pub amlearn_ql: bool,
}

impl Featurizer for Classical {
    fn names(&self) -> Vec<String> {
        let mut n = vec!["CN_voro".to_string(), "CN_dist".to_string()];
        for e in 3..=7 {
            n.push(format!("Voronoi_idx_{e}_voro"));
        }
        for m in ["0_0_12_0_0", "0_0_12_4_0", "polytetrahedral", "any"] {
            n.push(format!("motif_{m}_voro"));
        }
        for w in ["", "area_wt_", "vol_wt_"] {
            for e in 3..=7 {
                n.push(format!("{w}i_fold_symm_idx_{e}_voro"));
            }
        }
        for what in ["area", "vol"] {
            for s in STATS5 {
                n.push(format!("Voronoi_{what}_{}_voro", s.name()));
            }
            for e in 3..=7 {
                for s in STATS5 {
                    n.push(format!("Voronoi_{what}_{}_{e}_edged_voro", s.name()));
                }
            }
        }
        for over in ["voro", "dist"] {
            for s in STATS5 {
                n.push(format!("Voronoi_distance_{}_{over}", s.name()));
            }
        }
        n.push("cluster_packing_efficiency_voro".into());
        n.push("atomic_packing_efficiency_voro".into());
        for pre in ["q", "w_hat", "q_bar", "w_hat_bar"] {
            for l in LS {
                n.push(format!("{pre}_{l}_voro"));
            }
        }
        n
    }

    fn compute(&self, ctx: &FrameContext<'_>) -> Result<Array2<f64>, FeatureError> {
        let v = ctx.voronoi()?;
        let nl = ctx.distance_neighbors()?;
        let r = ctx.radii();
        let n = ctx.len();
        let w3j = Wigner3j::new(&LS);
        // q_lm of every atom first (the averages need the neighbours').
        let qlms: Vec<Vec<Vec<(f64, f64)>>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let bonds: Vec<[f64; 3]> = v.faces(i).iter().map(|f| f.vector).collect();
                LS.iter()
                    .map(|&l| qlm_with(l, &bonds, self.amlearn_ql))
                    .collect()
            })
            .collect();
        let width = self.names().len();
        let rows: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let faces = v.faces(i);
                let cn = faces.len();
                let mut row = Vec::with_capacity(width);
                row.push(cn as f64);
                row.push(nl.neighbors_of(i).len() as f64);
                let edge = |e: usize| -> Vec<usize> {
                    (0..cn)
                        .filter(|&k| (faces[k].edges as usize).clamp(3, 7) == e)
                        .collect()
                };
                let groups: Vec<Vec<usize>> = (3..=7).map(edge).collect();
                let idx: Vec<usize> = groups.iter().map(Vec::len).collect();
                for &c in &idx {
                    row.push(c as f64);
                }
                let is = |t: [usize; 5]| f64::from(u8::from(idx[..] == t[..]));
                let ico = is([0, 0, 12, 0, 0]);
                let z16 = is([0, 0, 12, 4, 0]);
                let poly = f64::from(u8::from(cn > 0 && 2 * idx[1] + idx[2] == 12));
                row.extend([ico, z16, poly, ico.max(z16).max(poly)]);
                let areas: Vec<f64> = faces.iter().map(|f| f.area).collect();
                let vols: Vec<f64> = faces.iter().map(|f| f.pyramid_volume()).collect();
                let (a_sum, v_sum): (f64, f64) = (areas.iter().sum(), vols.iter().sum());
                for g in &groups {
                    row.push(if cn > 0 {
                        g.len() as f64 / cn as f64
                    } else {
                        0.0
                    });
                }
                for g in &groups {
                    let s: f64 = g.iter().map(|&k| areas[k]).sum();
                    row.push(if a_sum > 0.0 { s / a_sum } else { 0.0 });
                }
                for g in &groups {
                    let s: f64 = g.iter().map(|&k| vols[k]).sum();
                    row.push(if v_sum != 0.0 { s / v_sum } else { 0.0 });
                }
                for values in [&areas, &vols] {
                    for s in STATS5 {
                        row.push(s.of(values));
                    }
                    for g in &groups {
                        let sub: Vec<f64> = g.iter().map(|&k| values[k]).collect();
                        for s in STATS5 {
                            row.push(s.of(&sub));
                        }
                    }
                }
                let dv: Vec<f64> = faces.iter().map(|f| f.distance()).collect();
                for s in STATS5 {
                    row.push(s.of(&dv));
                }
                for s in STATS5 {
                    row.push(s.of(nl.distances_of(i)));
                }
                let vectors: Vec<[f64; 3]> = faces.iter().map(|f| f.vector).collect();
                let nr: Vec<f64> = faces.iter().map(|f| r[f.neighbor as usize]).collect();
                row.push(cluster_packing_efficiency(&vectors, &nr, r[i]).unwrap_or(0.0));
                row.push(if (3..=24).contains(&cn) {
                    r[i] / Stat::Mean.of(&nr) - IDEAL_RATIO[cn - 3]
                } else {
                    f64::NAN
                });
                for q in &qlms[i] {
                    row.push(ql(q));
                }
                for q in &qlms[i] {
                    row.push(wl_hat(q, &w3j));
                }
                // Lechner–Dellago: average q_lm over the atom and its neighbours.
                let bar: Vec<Vec<(f64, f64)>> = (0..LS.len())
                    .map(|li| {
                        let mut s = qlms[i][li].clone();
                        for f in faces {
                            for (z, y) in s.iter_mut().zip(&qlms[f.neighbor as usize][li]) {
                                z.0 += y.0;
                                z.1 += y.1;
                            }
                        }
                        let k = (cn + 1) as f64;
                        s.iter().map(|z| (z.0 / k, z.1 / k)).collect()
                    })
                    .collect();
                for q in &bar {
                    row.push(ql(q));
                }
                for q in &bar {
                    row.push(wl_hat(q, &w3j));
                }
                row
            })
            .collect();
        let mut x = Array2::zeros((n, width));
        for (i, row) in rows.iter().enumerate() {
            debug_assert_eq!(row.len(), width);
            for (c, &val) in row.iter().enumerate() {
                x[[i, c]] = val;
            }
        }
        Ok(x)
    }
}
