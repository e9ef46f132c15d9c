//! Fold strategies that cannot leak through space (shared/SPEC.md §7b).
//!
//! Plastic atoms come in clusters and medium-range features average over
//! neighbours, so with random atom-level folds a test atom's features and
//! label echo those of its neighbours in the training set. [`Folds::Slabs`]
//! cuts the periodic cell into `k` slabs along one cell vector per
//! undersampling (fractional coordinates, so any tilt works): each slab is
//! a test fold, and every training atom closer than the guard distance to
//! it, through periodic images, is dropped. [`Folds::Groups`] leaves one
//! group (one glass) out. Both keep the paper's shape: `undersamplings`
//! repeats, each a balanced, seeded draw from the training part, and a test
//! fold scored balanced and at its natural class ratio.
//!
//! This module sees only numbers: fractional coordinates and the cell's
//! perpendicular widths, never a frame.

use interstice_core::rng::SplitMix64;

use crate::LearnError;
use crate::protocol::{ProtocolParams, Split};

/// Where each sample sits in its periodic cell, for [`Folds::Slabs`].
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// Fractional coordinates of every sample (any real numbers: wrapped here).
    pub fractional: Vec<[f64; 3]>,
    /// The perpendicular widths of each sample's cell along its three cell
    /// vectors, Å (the distance between opposite faces): one entry per
    /// sample, so samples of several glasses can be pooled.
    pub widths: Vec<[f64; 3]>,
}

/// How the samples are split into training and test folds.
#[derive(Clone, Debug, PartialEq)]
pub enum Folds {
    /// The paper's protocol: seeded random, stratified folds of each balanced subset.
    Random,
    /// `params.folds` slabs along cell vector `repeat % 3` of each
    /// undersampling; training atoms closer than `guard` Å to the test slab
    /// (through periodic images) are dropped.
    Slabs {
        /// Where the samples are.
        geometry: Geometry,
        /// The guard distance, Å (0 drops nothing).
        guard: f64,
    },
    /// `per_axis`³ cells of the periodic cell (fractional coordinates), each
    /// a test fold in every undersampling; a training sample is kept only if
    /// it is at least `guard` Å from the test cell along some cell vector
    /// (the distance between the planes bounds the true distance from
    /// below, so no kept sample is closer than the guard, in any tilt).
    Cells {
        /// Where the samples are.
        geometry: Geometry,
        /// The guard distance, Å (0 drops nothing).
        guard: f64,
        /// Cells along each cell vector (2 or more).
        per_axis: usize,
    },
    /// Leave one group out: sample `i` belongs to group `groups[i]`
    /// (0-based; every group from 0 to the largest appears).
    Groups(Vec<usize>),
}

impl Folds {
    /// A short name for reports: `random`, `slabs (guard 5 Å)`, `glasses`.
    pub fn describe(&self) -> String {
        match self {
            Folds::Random => "random".into(),
            Folds::Slabs { guard, .. } => format!("slabs (guard {guard} Å)"),
            Folds::Cells {
                guard, per_axis, ..
            } => format!("{per_axis}³ cells (guard {guard} Å)"),
            Folds::Groups(_) => "leave one glass out".into(),
        }
    }
}

/// The periodic distance, in fractional units, from `s` to the interval
/// `[lo, hi)` of the unit circle.
fn periodic_gap(s: f64, lo: f64, hi: f64) -> f64 {
    let s = s.rem_euclid(1.0);
    if s >= lo && s < hi {
        return 0.0;
    }
    let below = (lo - s).rem_euclid(1.0);
    let above = (s - hi).rem_euclid(1.0);
    below.min(above)
}

/// Checks the positions and widths of `n` samples and the guard.
fn check_geometry(geometry: &Geometry, guard: f64, n: usize) -> Result<(), LearnError> {
    let bad = |m: String| Err(LearnError::InvalidInput(m));
    if geometry.fractional.len() != n || geometry.widths.len() != n {
        return bad(format!(
            "{} positions and {} cell widths for {n} samples",
            geometry.fractional.len(),
            geometry.widths.len(),
        ));
    }
    if !(guard.is_finite() && guard >= 0.0) {
        return bad(format!(
            "the guard must be a finite distance ≥ 0 Å, found {guard}"
        ));
    }
    if let Some(w) = geometry
        .widths
        .iter()
        .flatten()
        .find(|w| !(w.is_finite() && **w > 0.0))
    {
        return bad(format!("cell widths must be finite and > 0, found {w}"));
    }
    if let Some(p) = geometry
        .fractional
        .iter()
        .find(|p| !p.iter().all(|c| c.is_finite()))
    {
        return bad(format!("a non-finite position {p:?}"));
    }
    Ok(())
}

/// As many samples of each class as the smaller class has, drawn with
/// `rng` (both classes shuffled, then cut), sorted.
fn balanced_draw(rng: &mut SplitMix64, mut a: Vec<usize>, mut b: Vec<usize>) -> Vec<usize> {
    let n = a.len().min(b.len());
    rng.shuffle(&mut a);
    rng.shuffle(&mut b);
    a.truncate(n);
    b.truncate(n);
    let mut out: Vec<usize> = a.into_iter().chain(b).collect();
    out.sort_unstable();
    out
}

/// The splits of a protocol, and the test folds it could not score.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The splits, in (repeat, fold) order.
    pub splits: Vec<Split>,
    /// Test slabs left out because they hold one class only (plastic atoms
    /// cluster, so a small glass may have a slab without any): one line each.
    pub skipped: Vec<String>,
}

/// The splits of `folds` for labels `y`. A test slab with one class only
/// cannot be scored: it is skipped and named in [`Plan::skipped`].
///
/// # Errors
/// [`LearnError::InvalidInput`] for inconsistent inputs (lengths, a bad
/// guard or width, fewer than 2 groups or folds), a training part or a
/// left-out glass without both classes, or no test slab with both (named).
pub fn splits_with(y: &[bool], params: &ProtocolParams, folds: &Folds) -> Result<Plan, LearnError> {
    let bad = |m: String| Err(LearnError::InvalidInput(m));
    if params.undersamplings == 0 {
        return bad("at least 1 undersampling".into());
    }
    // Test folds: (repeat, fold, members), and for each a training pool.
    let mut plan: Vec<(usize, usize, Vec<usize>, Vec<usize>)> = Vec::new();
    match folds {
        Folds::Random => {
            return Ok(Plan {
                splits: crate::protocol::splits(y, params)?,
                skipped: Vec::new(),
            });
        }
        Folds::Slabs { geometry, guard } => {
            check_geometry(geometry, *guard, y.len())?;
            let k = params.folds;
            if k < 2 {
                return bad("at least 2 slabs".into());
            }
            for repeat in 0..params.undersamplings {
                let axis = repeat % 3;
                for fold in 0..k {
                    let (lo, hi) = (fold as f64 / k as f64, (fold + 1) as f64 / k as f64);
                    let mut test = Vec::new();
                    let mut pool = Vec::new();
                    for (i, p) in geometry.fractional.iter().enumerate() {
                        let gap = periodic_gap(p[axis], lo, hi) * geometry.widths[i][axis];
                        if gap == 0.0 {
                            test.push(i);
                        } else if gap >= *guard {
                            pool.push(i);
                        }
                    }
                    plan.push((repeat, fold, test, pool));
                }
            }
        }
        Folds::Cells {
            geometry,
            guard,
            per_axis,
        } => {
            check_geometry(geometry, *guard, y.len())?;
            let k = *per_axis;
            if !(2..=10).contains(&k) {
                return bad(format!("2 to 10 cells per axis, found {k}"));
            }
            for repeat in 0..params.undersamplings {
                for fold in 0..k * k * k {
                    let cell = [fold / (k * k), (fold / k) % k, fold % k];
                    let mut test = Vec::new();
                    let mut pool = Vec::new();
                    for (i, p) in geometry.fractional.iter().enumerate() {
                        // The largest plane-to-plane gap bounds the distance
                        // to the cell from below.
                        let gap = (0..3)
                            .map(|a| {
                                let (lo, hi) =
                                    (cell[a] as f64 / k as f64, (cell[a] + 1) as f64 / k as f64);
                                periodic_gap(p[a], lo, hi) * geometry.widths[i][a]
                            })
                            .fold(0.0, f64::max);
                        if gap == 0.0 {
                            test.push(i);
                        } else if gap >= *guard {
                            pool.push(i);
                        }
                    }
                    plan.push((repeat, fold, test, pool));
                }
            }
        }
        Folds::Groups(groups) => {
            if groups.len() != y.len() {
                return bad(format!(
                    "{} group ids for {} samples",
                    groups.len(),
                    y.len()
                ));
            }
            let n_groups = groups.iter().max().map_or(0, |m| m + 1);
            if n_groups < 2 {
                return bad("leaving one glass out needs at least 2 glasses".into());
            }
            for repeat in 0..params.undersamplings {
                for g in 0..n_groups {
                    let test: Vec<usize> = (0..y.len()).filter(|&i| groups[i] == g).collect();
                    if test.is_empty() {
                        return bad(format!("glass {g} has no samples"));
                    }
                    let pool: Vec<usize> = (0..y.len()).filter(|&i| groups[i] != g).collect();
                    plan.push((repeat, g, test, pool));
                }
            }
        }
    }
    let n_pos = y.iter().filter(|&&l| l).count();
    let minority_class = n_pos <= y.len() - n_pos;
    let mut out = Vec::with_capacity(plan.len());
    let mut skipped = Vec::new();
    let slabs = matches!(folds, Folds::Slabs { .. } | Folds::Cells { .. });
    for (repeat, fold, test_all, pool) in plan {
        let (pmin, pmaj): (Vec<usize>, Vec<usize>) =
            pool.iter().partition(|&&i| y[i] == minority_class);
        let (tmin, tmaj): (Vec<usize>, Vec<usize>) =
            test_all.iter().partition(|&&i| y[i] == minority_class);
        let what = || format!("{} fold {fold} of repeat {repeat}", folds.describe());
        if slabs && (tmin.is_empty() || tmaj.is_empty()) {
            skipped.push(format!(
                "{}: the test slab has {} and {} samples of the two classes, so it cannot be scored",
                what(),
                tmin.len(),
                tmaj.len()
            ));
            continue;
        }
        for (part, min, maj, advice) in [
            (
                "training part",
                &pmin,
                &pmaj,
                "use fewer folds or a smaller guard",
            ),
            ("test fold", &tmin, &tmaj, "use fewer folds"),
        ] {
            if min.is_empty() || maj.is_empty() {
                return bad(format!(
                    "{}: the {part} has {} and {} samples of the two classes; {advice}",
                    what(),
                    min.len(),
                    maj.len()
                ));
            }
        }
        let mut rng = SplitMix64::new(
            params
                .seed
                .wrapping_mul(3_000_017)
                .wrapping_add((repeat * 1_000_003 + fold) as u64),
        );
        // Training: a balanced, seeded draw from the pool. Balanced test:
        // every test minority sample, as many majority ones.
        let train = balanced_draw(&mut rng, pmin, pmaj);
        let test = balanced_draw(&mut rng, tmin, tmaj);
        out.push(Split {
            repeat,
            fold,
            train,
            test,
            natural_test: test_all,
        });
    }
    if out.is_empty() {
        return bad(format!(
            "{}: no test slab holds both classes ({} skipped); use fewer slabs",
            folds.describe(),
            skipped.len()
        ));
    }
    Ok(Plan {
        splits: out,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_gaps() {
        assert_eq!(periodic_gap(0.5, 0.4, 0.6), 0.0);
        assert!((periodic_gap(0.3, 0.4, 0.6) - 0.1).abs() < 1e-12);
        assert!((periodic_gap(0.65, 0.4, 0.6) - 0.05).abs() < 1e-12);
        // Through the periodic boundary.
        assert!((periodic_gap(0.95, 0.0, 0.2) - 0.05).abs() < 1e-12);
        assert!((periodic_gap(0.25, 0.8, 1.0) - 0.25).abs() < 1e-12);
        assert!((periodic_gap(-0.05, 0.0, 0.2) - 0.05).abs() < 1e-12);
        assert_eq!(periodic_gap(1.1, 0.0, 0.2), 0.0);
    }

    fn grid(n: usize) -> Geometry {
        let mut rng = SplitMix64::new(9);
        Geometry {
            fractional: (0..n)
                .map(|_| [rng.next_f64(), rng.next_f64(), rng.next_f64()])
                .collect(),
            widths: vec![[20.0, 25.0, 30.0]; n],
        }
    }

    #[test]
    fn slabs_drop_the_guard_and_never_train_on_the_test_slab() {
        let g = grid(3000);
        let y: Vec<bool> = (0..3000).map(|i| i % 10 == 0).collect();
        let params = ProtocolParams::default();
        let guard = 2.0;
        let s = splits_with(
            &y,
            &params,
            &Folds::Slabs {
                geometry: g.clone(),
                guard,
            },
        )
        .unwrap();
        assert!(s.skipped.is_empty());
        let s = s.splits;
        assert_eq!(s.len(), 15);
        for split in &s {
            let axis = split.repeat % 3;
            let w = g.widths[0][axis];
            let (lo, hi) = (split.fold as f64 / 5.0, (split.fold + 1) as f64 / 5.0);
            for &i in &split.train {
                let gap = periodic_gap(g.fractional[i][axis], lo, hi) * w;
                assert!(
                    gap >= guard,
                    "training sample {i} is {gap} Å from the test slab"
                );
            }
            for &i in &split.natural_test {
                assert_eq!(periodic_gap(g.fractional[i][axis], lo, hi), 0.0);
            }
            // Balanced training and test.
            let tp = split.train.iter().filter(|&&i| y[i]).count();
            assert_eq!(2 * tp, split.train.len());
            let sp = split.test.iter().filter(|&&i| y[i]).count();
            assert_eq!(2 * sp, split.test.len());
            assert!(split.test.iter().all(|i| split.natural_test.contains(i)));
        }
        // Each axis' slabs partition the samples: every sample is tested
        // once per repeat.
        for r in 0..3 {
            let mut all: Vec<usize> = s
                .iter()
                .filter(|x| x.repeat == r)
                .flat_map(|x| x.natural_test.iter().copied())
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..3000).collect::<Vec<_>>());
        }
        // Deterministic.
        let again = splits_with(
            &y,
            &params,
            &Folds::Slabs {
                geometry: g.clone(),
                guard,
            },
        )
        .unwrap();
        assert_eq!(s, again.splits);
        // A guard that swallows the box is an error naming the fold.
        let e = splits_with(
            &y,
            &params,
            &Folds::Slabs {
                geometry: g,
                guard: 50.0,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("training part"), "{e}");
    }

    #[test]
    fn cells_hold_out_one_cube_and_guard_it() {
        let g = grid(4000);
        let y: Vec<bool> = (0..4000).map(|i| i % 10 == 0).collect();
        let guard = 3.0;
        let plan = splits_with(
            &y,
            &ProtocolParams::default(),
            &Folds::Cells {
                geometry: g.clone(),
                guard,
                per_axis: 2,
            },
        )
        .unwrap();
        // 8 cells in each of 3 undersamplings.
        assert_eq!(plan.splits.len() + plan.skipped.len(), 24);
        assert!(plan.skipped.is_empty());
        for s in &plan.splits {
            let cell = [s.fold / 4, (s.fold / 2) % 2, s.fold % 2];
            let gap = |i: usize, a: usize| {
                let lo = cell[a] as f64 / 2.0;
                periodic_gap(g.fractional[i][a], lo, lo + 0.5) * g.widths[i][a]
            };
            for &i in &s.natural_test {
                assert!((0..3).all(|a| gap(i, a) == 0.0));
            }
            // Brute force: a kept training sample is at least the guard
            // away along some cell vector (orthogonal widths here, so the
            // true distance is at least that).
            for &i in &s.train {
                let d2: f64 = (0..3).map(|a| gap(i, a).powi(2)).sum();
                assert!(d2.sqrt() >= guard, "sample {i} at {} Å", d2.sqrt());
            }
        }
        // Each repeat's cells partition the samples.
        let mut all: Vec<usize> = plan
            .splits
            .iter()
            .filter(|s| s.repeat == 1)
            .flat_map(|s| s.natural_test.iter().copied())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..4000).collect::<Vec<_>>());
        let e = splits_with(
            &y,
            &ProtocolParams::default(),
            &Folds::Cells {
                geometry: g,
                guard,
                per_axis: 1,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("2 to 10 cells per axis"), "{e}");
    }

    #[test]
    fn groups_leave_one_out() {
        let y: Vec<bool> = (0..600).map(|i| i % 7 == 0).collect();
        let groups: Vec<usize> = (0..600).map(|i| i / 200).collect();
        let s = splits_with(
            &y,
            &ProtocolParams::default(),
            &Folds::Groups(groups.clone()),
        )
        .unwrap()
        .splits;
        assert_eq!(s.len(), 9);
        for split in &s {
            assert!(split.train.iter().all(|&i| groups[i] != split.fold));
            assert!(split.natural_test.iter().all(|&i| groups[i] == split.fold));
            assert_eq!(split.natural_test.len(), 200);
        }
        assert!(splits_with(&y, &ProtocolParams::default(), &Folds::Groups(vec![0; 600])).is_err());
    }

    #[test]
    fn a_slab_without_plastic_samples_is_skipped_and_named() {
        // Plastic samples only at fractional x < 0.6: along x, slabs 3 and
        // 4 hold none; along y and z every slab has both classes.
        let g = grid(3000);
        let y: Vec<bool> = (0..3000)
            .map(|i| g.fractional[i][0] < 0.6 && i % 5 == 0)
            .collect();
        let folds = Folds::Slabs {
            geometry: g.clone(),
            guard: 0.0,
        };
        let plan = splits_with(&y, &ProtocolParams::default(), &folds).unwrap();
        assert_eq!(plan.splits.len(), 13);
        assert_eq!(plan.skipped.len(), 2, "{:?}", plan.skipped);
        assert!(
            plan.skipped[0]
                .starts_with("slabs (guard 0 Å) fold 3 of repeat 0: the test slab has 0 and")
        );
        assert!(plan.splits.iter().all(|s| s.repeat != 0 || s.fold < 3));
        // Every slab empty of plastic samples: an error, not an empty protocol.
        let one_slab: Vec<bool> = (0..3000).map(|i| i == 0).collect();
        let g1 = Geometry {
            fractional: vec![[0.1, 0.1, 0.1]; 3000],
            widths: g.widths.clone(),
        };
        let mut y1 = one_slab.clone();
        y1[1] = true;
        let e = splits_with(
            &y1,
            &ProtocolParams::default(),
            &Folds::Slabs {
                geometry: g1,
                guard: 0.0,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no test slab holds both classes") || e.contains("training part"),
            "{e}"
        );
    }
}
