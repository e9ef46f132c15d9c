//! The honest evaluation of shared/SPEC.md §7b inside a run: the leakage
//! (guard) curve of the slab folds, and the learning curve over glasses:
//! models trained on k glasses of a condition score a glass none of them saw.
//!
//! Both are written as small CSV files that Fig. 5 reads back
//! ([`write_guard_curve`]/[`read_guard_curve`],
//! [`write_learning_curve`]/[`read_learning_curve`]).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use interstice_core::Frame;
use interstice_core::rng::SplitMix64;
use interstice_io::Table;
use interstice_learn::folds::{Folds, Geometry};
use interstice_learn::gbdt::Matrix;
use interstice_learn::metrics::{average_precision, roc_auc};
use interstice_learn::protocol::{ProtocolParams, cross_validate_with};

/// Training subsets tried per (training-set size, test glass) at most:
/// every subset when there are this many or fewer, else this many seeded draws.
pub const MAX_SUBSETS: usize = 5;

/// The fractional coordinates of the atoms `ids` in `frame`, with the
/// cell's perpendicular widths: what block folds need; `what` names the
/// frame in messages.
///
/// # Errors
/// An id that is not in the frame.
pub fn geometry_of(ids: &[u64], frame: &Frame, what: &Path) -> Result<Geometry> {
    let row: std::collections::HashMap<u64, usize> = frame
        .ids()
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    let b = frame.sim_box();
    let widths = b.perpendicular_widths();
    let fractional = ids
        .iter()
        .map(|id| {
            let i = *row.get(id).with_context(|| {
                format!(
                    "atom id {id} of the feature table is not in {}",
                    what.display()
                )
            })?;
            Ok(b.to_fractional(frame.positions()[i]))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Geometry {
        widths: vec![widths; fractional.len()],
        fractional,
    })
}

/// The block protocol's mean balanced ROC-AUC at each guard of `guards`,
/// Å: slabs, or `cells`³ cells.
///
/// # Errors
/// One class only, or an error of the protocol.
pub fn guard_curve(
    features: &Table,
    labels: &[bool],
    geometry: &Geometry,
    params: &ProtocolParams,
    guards: &[f64],
    cells: Option<usize>,
) -> Result<Vec<(f64, f64)>> {
    let x = Matrix::new(&features.values, features.ids.len(), features.columns.len())?;
    guards
        .iter()
        .map(|&guard| {
            let folds = match cells {
                None => Folds::Slabs {
                    geometry: geometry.clone(),
                    guard,
                },
                Some(per_axis) => Folds::Cells {
                    geometry: geometry.clone(),
                    guard,
                    per_axis,
                },
            };
            let r = cross_validate_with(&x, labels, params, &folds)?;
            let aucs: Vec<f64> = r.folds.iter().map(|f| f.roc_auc).collect();
            Ok((guard, interstice_learn::stats::mean(&aucs)))
        })
        .collect()
}

/// Writes a guard curve as `guard,roc_auc`.
///
/// # Errors
/// File errors.
pub fn write_guard_curve(curve: &[(f64, f64)], path: &Path) -> Result<()> {
    let mut text = String::from("guard,roc_auc\n");
    for (g, a) in curve {
        let _ = writeln!(text, "{g:?},{a:?}");
    }
    crate::common::write_file(path, text.as_bytes())
}

/// Reads a guard curve written by [`write_guard_curve`].
///
/// # Errors
/// A missing file or a malformed line (named).
pub fn read_guard_curve(path: &Path) -> Result<Vec<(f64, f64)>> {
    let rows = read_numbers(path, "guard,roc_auc", 2)?;
    Ok(rows.into_iter().map(|r| (r[0], r[1])).collect())
}

/// One glass of a learning curve: its name, feature table and labels.
pub struct CurveGlass {
    /// A name for the records.
    pub name: String,
    /// Its feature table (the same columns for every glass).
    pub features: Table,
    /// Its labels, one per row.
    pub labels: Vec<bool>,
}

/// A point of the learning curve: models trained on `training_glasses`
/// glasses score `test_glass`, which none of them saw; the scores are the
/// mean over the training subsets tried, on all the test glass's atoms.
#[derive(Clone, Debug, PartialEq)]
pub struct LearningPoint {
    /// How many glasses the models learned from.
    pub training_glasses: usize,
    /// The glass scored (index into the glasses given).
    pub test_glass: usize,
    /// How many training subsets the scores average.
    pub subsets: usize,
    /// ROC-AUC on every atom of the test glass (natural class ratio).
    pub roc_auc: f64,
    /// Average precision (PR-AUC) on every atom of the test glass.
    pub average_precision: f64,
    /// The test glass's plastic share (the chance level of PR-AUC).
    pub base_rate: f64,
}

/// Every subset of `others` of size `k`, in lexicographic order.
fn subsets(others: &[usize], k: usize) -> Vec<Vec<usize>> {
    fn go(from: &[usize], k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for (i, &g) in from.iter().enumerate() {
            if from.len() - i < k - cur.len() {
                break;
            }
            cur.push(g);
            go(&from[i + 1..], k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(others, k, &mut Vec::new(), &mut out);
    out
}

/// The training subsets of size `k` for test glass `t` of `n`: all of them
/// when there are at most [`MAX_SUBSETS`], else that many seeded draws.
pub fn training_subsets(n: usize, t: usize, k: usize, seed: u64) -> Vec<Vec<usize>> {
    let others: Vec<usize> = (0..n).filter(|&i| i != t).collect();
    let mut all = subsets(&others, k);
    if all.len() > MAX_SUBSETS {
        let mut rng = SplitMix64::new(seed ^ ((n as u64) << 32) ^ ((t as u64) << 16) ^ k as u64);
        rng.shuffle(&mut all);
        all.truncate(MAX_SUBSETS);
        all.sort();
    }
    all
}

/// The learning curve over glasses: for k = 1 … n − 1 training glasses and
/// every test glass, the paper's protocol (`params`, random folds, 15
/// models) on the pooled training glasses; the models' mean probability
/// scores every atom of the test glass. Each training subset is trained
/// once and reused for every glass it does not contain.
///
/// # Errors
/// Fewer than two glasses, tables with different columns, a glass with one
/// class only, or an error of the learner.
pub fn learning_curve(
    glasses: &[CurveGlass],
    params: &ProtocolParams,
) -> Result<Vec<LearningPoint>> {
    let n = glasses.len();
    if n < 2 {
        bail!("a learning curve over glasses needs at least two glasses, found {n}");
    }
    for g in &glasses[1..] {
        if g.features.columns != glasses[0].features.columns {
            bail!(
                "glass '{}' has other feature columns than '{}'",
                g.name,
                glasses[0].name
            );
        }
    }
    let mut models: std::collections::BTreeMap<Vec<usize>, Vec<interstice_learn::gbdt::Gbdt>> =
        std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for k in 1..n {
        for t in 0..n {
            let test = &glasses[t];
            let x_test = Matrix::new(
                &test.features.values,
                test.features.ids.len(),
                test.features.columns.len(),
            )?;
            let (mut aucs, mut aps) = (Vec::new(), Vec::new());
            let subsets = training_subsets(n, t, k, params.seed);
            for train in &subsets {
                if !models.contains_key(train) {
                    let mut values = Vec::new();
                    let mut labels = Vec::new();
                    for &g in train {
                        values.extend_from_slice(&glasses[g].features.values);
                        labels.extend_from_slice(&glasses[g].labels);
                    }
                    let x = Matrix::new(&values, labels.len(), test.features.columns.len())?;
                    let r = cross_validate_with(&x, &labels, params, &Folds::Random).with_context(
                        || {
                            let names: Vec<&str> =
                                train.iter().map(|&g| glasses[g].name.as_str()).collect();
                            format!("training on {}", names.join(", "))
                        },
                    )?;
                    models.insert(train.clone(), r.models);
                }
                let ensemble = &models[train];
                let mut qs = vec![0.0; test.labels.len()];
                for m in ensemble {
                    for (q, p) in qs.iter_mut().zip(m.predict_proba(&x_test)?) {
                        *q += p / ensemble.len() as f64;
                    }
                }
                aucs.push(roc_auc(&test.labels, &qs)?);
                aps.push(average_precision(&test.labels, &qs)?);
            }
            let plastic = test.labels.iter().filter(|&&l| l).count();
            out.push(LearningPoint {
                training_glasses: k,
                test_glass: t,
                subsets: subsets.len(),
                roc_auc: interstice_learn::stats::mean(&aucs),
                average_precision: interstice_learn::stats::mean(&aps),
                base_rate: plastic as f64 / test.labels.len().max(1) as f64,
            });
        }
    }
    Ok(out)
}

const LEARNING_HEADER: &str =
    "training_glasses,test_glass,subsets,roc_auc,average_precision,base_rate";

/// Writes a learning curve, one line per (training glasses, test glass).
///
/// # Errors
/// File errors.
pub fn write_learning_curve(points: &[LearningPoint], path: &Path) -> Result<()> {
    let mut text = format!("{LEARNING_HEADER}\n");
    for p in points {
        let _ = writeln!(
            text,
            "{},{},{},{:?},{:?},{:?}",
            p.training_glasses,
            p.test_glass,
            p.subsets,
            p.roc_auc,
            p.average_precision,
            p.base_rate
        );
    }
    crate::common::write_file(path, text.as_bytes())
}

/// Reads a learning curve written by [`write_learning_curve`].
///
/// # Errors
/// A missing file or a malformed line (named).
pub fn read_learning_curve(path: &Path) -> Result<Vec<LearningPoint>> {
    read_numbers(path, LEARNING_HEADER, 6)?
        .into_iter()
        .map(|r| {
            Ok(LearningPoint {
                training_glasses: r[0] as usize,
                test_glass: r[1] as usize,
                subsets: r[2] as usize,
                roc_auc: r[3],
                average_precision: r[4],
                base_rate: r[5],
            })
        })
        .collect()
}

/// The rows of a small numeric CSV with a known header.
fn read_numbers(path: &Path, header: &str, width: usize) -> Result<Vec<Vec<f64>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        bail!("{}: expected the header '{header}'", path.display());
    }
    lines
        .enumerate()
        .map(|(k, line)| {
            let row: Vec<f64> = line
                .split(',')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()
                .filter(|r: &Vec<f64>| r.len() == width)
                .with_context(|| {
                    format!(
                        "{} line {}: expected {width} numbers, found '{line}'",
                        path.display(),
                        k + 2
                    )
                })?;
            Ok(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_leave_the_test_glass_out_and_are_capped() {
        assert_eq!(training_subsets(3, 0, 1, 1), [vec![1], vec![2]]);
        assert_eq!(training_subsets(3, 1, 2, 1), [vec![0, 2]]);
        assert_eq!(training_subsets(4, 3, 2, 1).len(), 3);
        // C(7, 3) = 35 subsets: five seeded draws, the same every time.
        let a = training_subsets(8, 2, 3, 9);
        assert_eq!(a.len(), MAX_SUBSETS);
        assert_eq!(a, training_subsets(8, 2, 3, 9));
        assert!(a.iter().all(|s| s.len() == 3 && !s.contains(&2)));
    }

    /// A glass whose label is "feature 0 is large" (learnable) plus noise
    /// columns, or labels that ignore the features.
    fn glass(seed: u64, learnable: bool) -> CurveGlass {
        let mut rng = SplitMix64::new(seed);
        let n = 400;
        let mut values = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let row: Vec<f64> = (0..3).map(|_| rng.next_f64()).collect();
            labels.push(if learnable {
                row[0] > 0.85
            } else {
                rng.next_f64() > 0.85
            });
            values.extend(row);
        }
        CurveGlass {
            name: format!("g{seed}"),
            features: Table {
                columns: vec!["a".into(), "b".into(), "c".into()],
                ids: (1..=n as u64).collect(),
                values,
            },
            labels,
        }
    }

    #[test]
    fn learning_curve_scores_unseen_glasses() {
        let params = crate::train::protocol(3, 20, interstice_learn::protocol::ModelKind::Gbdt);
        let glasses: Vec<CurveGlass> = (1..=3).map(|s| glass(s, true)).collect();
        let pts = learning_curve(&glasses, &params).unwrap();
        // k = 1, 2 for each of three test glasses.
        assert_eq!(pts.len(), 6);
        assert_eq!(pts.iter().filter(|p| p.training_glasses == 2).count(), 3);
        assert!(pts.iter().all(|p| p.subsets == 3 - p.training_glasses));
        for p in &pts {
            assert!(p.roc_auc > 0.95, "{p:?}");
            assert!(p.average_precision > 3.0 * p.base_rate, "{p:?}");
        }
        // Labels unrelated to the features: chance on unseen glasses.
        let noise: Vec<CurveGlass> = (4..=6).map(|s| glass(s, false)).collect();
        let pts = learning_curve(&noise, &params).unwrap();
        let mean = pts.iter().map(|p| p.roc_auc).sum::<f64>() / pts.len() as f64;
        assert!((mean - 0.5).abs() < 0.08, "{mean}");

        // Written and read back equal.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lc.csv");
        write_learning_curve(&pts, &path).unwrap();
        assert_eq!(read_learning_curve(&path).unwrap(), pts);
        std::fs::write(&path, "training_glasses,test_glass\n1,2\n").unwrap();
        let e = format!("{:#}", read_learning_curve(&path).unwrap_err());
        assert!(e.contains("expected the header"), "{e}");
        std::fs::write(&path, format!("{LEARNING_HEADER}\n1,0,1,x,0.5,0.1\n")).unwrap();
        let e = format!("{:#}", read_learning_curve(&path).unwrap_err());
        assert!(e.contains("line 2: expected 6 numbers"), "{e}");

        assert!(learning_curve(&glasses[..1], &params).is_err());
    }
}
