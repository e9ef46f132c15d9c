//! The paper's protocol (shared/SPEC.md §7): 3 seeded undersamplings of the
//! majority class to the minority's size × stratified 5-fold cross-validation
//! on each balanced subset = 15 models.
//!
//! Each model is scored on its balanced test fold (ROC-AUC, accuracy, F1,
//! precision, recall, as the paper reports) and on the natural, imbalanced
//! class ratio: every sample it was not trained on (its test fold plus the
//! majority samples left out by the undersampling), where average precision
//! and precision in the top k % say what a user looking at the softest atoms
//! finds. Quench-in softness is the mean predicted probability of the 15
//! models. No sample is ever in the training and the test set of one model.

use interstice_core::rng::SplitMix64;

use crate::LearnError;
use crate::baselines::{LogisticParams, SvmParams};
use crate::gbdt::{Gbdt, GbdtParams, Matrix};
use crate::metrics::{Confusion, average_precision, precision_at_top_percent, roc_auc};

/// Protocol parameters; the defaults are the paper's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProtocolParams {
    /// Independent undersamplings (3).
    pub undersamplings: usize,
    /// Cross-validation folds per undersampling (5).
    pub folds: usize,
    /// Seed of the undersamplings and fold assignments (the booster's seeds derive from it).
    pub seed: u64,
    /// The top fraction of samples, in percent, for precision at the top (5).
    pub top_percent: f64,
    /// The booster.
    pub gbdt: GbdtParams,
    /// Which classifier the folds train (the paper's booster by default).
    pub model: ModelKind,
}

/// The classifier of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum ModelKind {
    /// Gradient-boosted trees with [`ProtocolParams::gbdt`].
    #[default]
    Gbdt,
    /// The logistic-regression baseline on standardised features.
    Logistic(LogisticParams),
    /// The RBF SVM baseline (Platt probabilities) on standardised features.
    Svm(SvmParams),
}

impl Default for ProtocolParams {
    fn default() -> ProtocolParams {
        ProtocolParams {
            undersamplings: 3,
            folds: 5,
            seed: 0,
            top_percent: 5.0,
            gbdt: GbdtParams::default(),
            model: ModelKind::Gbdt,
        }
    }
}

/// The samples of one model: training, balanced test, and samples not
/// trained on at the natural class ratio.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Which undersampling.
    pub repeat: usize,
    /// Which fold.
    pub fold: usize,
    /// Training samples.
    pub train: Vec<usize>,
    /// The balanced test fold.
    pub test: Vec<usize>,
    /// Samples never trained on at the data set's class ratio: the fold's
    /// minority test samples and as many untrained majority samples as the
    /// whole data's ratio asks for (seeded).
    pub natural_test: Vec<usize>,
}

/// The splits of the protocol for labels `y`.
///
/// # Errors
/// [`LearnError::InvalidInput`] when the minority class has fewer samples
/// than folds, or parameters are zero.
pub fn splits(y: &[bool], params: &ProtocolParams) -> Result<Vec<Split>, LearnError> {
    if params.undersamplings == 0 || params.folds < 2 {
        return Err(LearnError::InvalidInput(
            "at least 1 undersampling and 2 folds".into(),
        ));
    }
    let pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
    let neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
    let minority_class = pos.len() <= neg.len();
    let (minority, majority) = if minority_class {
        (pos, neg)
    } else {
        (neg, pos)
    };
    // Majority samples per minority sample in the whole data set.
    let ratio = majority.len() as f64 / minority.len().max(1) as f64;
    if minority.len() < params.folds {
        return Err(LearnError::InvalidInput(format!(
            "the minority class has {} samples, fewer than the {} folds",
            minority.len(),
            params.folds
        )));
    }
    let mut out = Vec::new();
    for repeat in 0..params.undersamplings {
        let mut rng = SplitMix64::new(
            params
                .seed
                .wrapping_mul(1_000_003)
                .wrapping_add(repeat as u64),
        );
        let mut maj = majority.clone();
        rng.shuffle(&mut maj);
        maj.truncate(minority.len());
        let mut min = minority.clone();
        rng.shuffle(&mut min);
        // Stratified: each class dealt round-robin into the folds.
        let fold_of = |k: usize| k % params.folds;
        for fold in 0..params.folds {
            let mut train = Vec::new();
            let mut test = Vec::new();
            for class in [&min, &maj] {
                for (k, &i) in class.iter().enumerate() {
                    if fold_of(k) == fold {
                        test.push(i)
                    } else {
                        train.push(i)
                    }
                }
            }
            train.sort_unstable();
            test.sort_unstable();
            let mut in_train = vec![false; y.len()];
            for &i in &train {
                in_train[i] = true;
            }
            // The natural class ratio: the fold's untrained minority
            // samples with majority samples not trained on, drawn (seeded)
            // so the two classes stand as in the whole data set.
            let test_min: Vec<usize> = (0..y.len())
                .filter(|&i| !in_train[i] && y[i] == minority_class)
                .collect();
            let mut rest_maj: Vec<usize> = (0..y.len())
                .filter(|&i| !in_train[i] && y[i] != minority_class)
                .collect();
            let want = ((test_min.len() as f64 * ratio).round() as usize).min(rest_maj.len());
            let mut nrng = SplitMix64::new(
                params
                    .seed
                    .wrapping_mul(2_000_003)
                    .wrapping_add((repeat * params.folds + fold) as u64),
            );
            nrng.shuffle(&mut rest_maj);
            rest_maj.truncate(want);
            let mut natural_test = test_min;
            natural_test.extend(rest_maj);
            natural_test.sort_unstable();
            out.push(Split {
                repeat,
                fold,
                train,
                test,
                natural_test,
            });
        }
    }
    Ok(out)
}

/// The scores of one model.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldScores {
    /// Which undersampling.
    pub repeat: usize,
    /// Which fold.
    pub fold: usize,
    /// ROC-AUC on the balanced test fold.
    pub roc_auc: f64,
    /// Accuracy on the balanced test fold (prediction `p > 0.5`).
    pub accuracy: f64,
    /// F1 on the balanced test fold.
    pub f1: f64,
    /// Precision on the balanced test fold.
    pub precision: f64,
    /// Recall on the balanced test fold.
    pub recall: f64,
    /// ROC-AUC on samples never trained on, at the natural class ratio ([`Split::natural_test`]).
    pub natural_roc_auc: f64,
    /// Average precision on the natural class ratio.
    pub natural_average_precision: f64,
    /// Precision among the top `top_percent` % by score, natural ratio.
    pub natural_precision_top: f64,
    /// The share of plastic samples in the natural test set (AP of a random ranking).
    pub natural_base_rate: f64,
    /// The model's feature importances.
    pub importances: Vec<f64>,
    /// Labels and scores of the balanced test fold (for ROC and PR curves).
    pub test: (Vec<bool>, Vec<f64>),
    /// Labels and scores of every sample not trained on.
    pub natural: (Vec<bool>, Vec<f64>),
}

/// The result of the whole protocol.
#[derive(Clone, Debug)]
pub struct ProtocolResult {
    /// One entry per model, in (undersampling, fold) order.
    pub folds: Vec<FoldScores>,
    /// Quench-in softness: the mean probability of the models, per sample.
    pub qs: Vec<f64>,
    /// The "best fold" option: the probabilities of the model with the
    /// highest ROC-AUC on its balanced test fold (the first on ties).
    pub qs_best_fold: Vec<f64>,
    /// Held-out softness: per sample, the mean probability of the models
    /// that did not train on it (every sample is held out by at least one
    /// model of each undersampling). Unlike `qs`, it never scores a sample
    /// with a model that saw its label, so it is the honest score of the
    /// training glass itself.
    pub qs_held_out: Vec<f64>,
    /// The fitted models (boosters only; empty for the baselines).
    pub models: Vec<Gbdt>,
    /// Test folds that could not be scored (a slab with one class only), named.
    pub skipped: Vec<String>,
}

/// Mean and population standard deviation.
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, var.sqrt())
}

fn rows(x: &Matrix<'_>, idx: &[usize], buf: &mut Vec<f64>) {
    buf.clear();
    for &i in idx {
        for c in 0..x.cols() {
            buf.push(x.get(i, c));
        }
    }
}

/// Runs the protocol on features `x` and labels `y` with the paper's random folds.
///
/// # Errors
/// As [`splits`] and [`GbdtParams::fit`].
pub fn cross_validate(
    x: &Matrix<'_>,
    y: &[bool],
    params: &ProtocolParams,
) -> Result<ProtocolResult, LearnError> {
    cross_validate_with(x, y, params, &crate::folds::Folds::Random)
}

/// Runs the protocol with the folds of `folds` ([`crate::folds`]): random
/// (the paper's, bit for bit [`cross_validate`]), spatial slabs with a
/// guard, or one glass left out.
///
/// # Errors
/// As [`crate::folds::splits_with`] and [`GbdtParams::fit`].
pub fn cross_validate_with(
    x: &Matrix<'_>,
    y: &[bool],
    params: &ProtocolParams,
    folds: &crate::folds::Folds,
) -> Result<ProtocolResult, LearnError> {
    if y.len() != x.rows() {
        return Err(LearnError::InvalidInput(format!(
            "{} labels for {} rows",
            y.len(),
            x.rows()
        )));
    }
    let crate::folds::Plan {
        splits: all,
        skipped,
    } = crate::folds::splits_with(y, params, folds)?;
    let mut folds = Vec::with_capacity(all.len());
    let mut models = Vec::with_capacity(all.len());
    let mut qs = vec![0.0; y.len()];
    let mut held_sum = vec![0.0; y.len()];
    let mut held_count = vec![0_usize; y.len()];
    let mut in_train = vec![false; y.len()];
    let mut best = (f64::NEG_INFINITY, Vec::new());
    let mut buf = Vec::new();
    let everything: Vec<f64> = {
        let mut b = Vec::new();
        rows(x, &(0..y.len()).collect::<Vec<_>>(), &mut b);
        b
    };
    let full = Matrix::new(&everything, y.len(), x.cols())?;
    for (k, s) in all.iter().enumerate() {
        rows(x, &s.train, &mut buf);
        let train = Matrix::new(&buf, s.train.len(), x.cols())?;
        let train_y: Vec<bool> = s.train.iter().map(|&i| y[i]).collect();
        let (p, importances, model) = match params.model {
            ModelKind::Gbdt => {
                let gbdt = GbdtParams {
                    seed: params.seed.wrapping_mul(1000).wrapping_add(k as u64),
                    ..params.gbdt
                };
                let model = gbdt.fit(&train, &train_y)?;
                let p = model.predict_proba(&full)?;
                let imp = model.feature_importances().to_vec();
                (p, imp, Some(model))
            }
            ModelKind::Logistic(lp) => {
                let model = lp.fit(&train, &train_y)?;
                (model.predict_proba(&full)?, model.importances(), None)
            }
            ModelKind::Svm(sp) => {
                let model = sp.fit(&train, &train_y)?;
                // An RBF SVM has no per-feature importances.
                (model.predict_proba(&full)?, vec![0.0; x.cols()], None)
            }
        };
        for (q, pi) in qs.iter_mut().zip(&p) {
            *q += pi / all.len() as f64;
        }
        in_train.fill(false);
        for &i in &s.train {
            in_train[i] = true;
        }
        for i in (0..y.len()).filter(|&i| !in_train[i]) {
            held_sum[i] += p[i];
            held_count[i] += 1;
        }
        let pick = |idx: &[usize]| -> (Vec<bool>, Vec<f64>) {
            (
                idx.iter().map(|&i| y[i]).collect(),
                idx.iter().map(|&i| p[i]).collect(),
            )
        };
        let (ty, tp) = pick(&s.test);
        let (ny, np) = pick(&s.natural_test);
        let c = Confusion::new(&ty, &tp)?;
        let auc = roc_auc(&ty, &tp)?;
        if auc > best.0 {
            best = (auc, p.clone());
        }
        folds.push(FoldScores {
            repeat: s.repeat,
            fold: s.fold,
            roc_auc: auc,
            accuracy: c.accuracy(),
            f1: c.f1(),
            precision: c.precision(),
            recall: c.recall(),
            natural_roc_auc: roc_auc(&ny, &np)?,
            natural_average_precision: average_precision(&ny, &np)?,
            natural_precision_top: precision_at_top_percent(&ny, &np, params.top_percent)?,
            natural_base_rate: ny.iter().filter(|&&l| l).count() as f64 / ny.len() as f64,
            importances,
            test: (ty, tp),
            natural: (ny, np),
        });
        models.extend(model);
    }
    let qs_held_out = held_sum
        .iter()
        .zip(&held_count)
        .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
        .collect();
    Ok(ProtocolResult {
        folds,
        qs,
        qs_best_fold: best.1,
        qs_held_out,
        models,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize, every: usize) -> Vec<bool> {
        (0..n).map(|i| i % every == 0).collect()
    }

    #[test]
    fn splits_are_balanced_stratified_and_never_leak() {
        let y = labels(1000, 20); // 50 plastic, 950 not
        let s = splits(&y, &ProtocolParams::default()).unwrap();
        assert_eq!(s.len(), 15);
        for r in 0..3 {
            let folds: Vec<&Split> = s.iter().filter(|x| x.repeat == r).collect();
            let mut tested: Vec<usize> =
                folds.iter().flat_map(|f| f.test.iter().copied()).collect();
            tested.sort_unstable();
            // The test folds partition one balanced subset of 50 + 50.
            assert_eq!(tested.len(), 100);
            assert!(tested.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(tested.iter().filter(|&&i| y[i]).count(), 50);
            for f in folds {
                assert_eq!(f.test.iter().filter(|&&i| y[i]).count(), 10, "stratified");
                assert!(
                    f.train
                        .iter()
                        .all(|i| !f.test.contains(i) && !f.natural_test.contains(i))
                );
                // The natural test set has the data set's class ratio (50 : 950).
                let np = f.natural_test.iter().filter(|&&i| y[i]).count();
                assert_eq!(np, 10);
                assert_eq!(f.natural_test.len() - np, 190);
                assert!(f.natural_test.windows(2).all(|w| w[0] < w[1]));
            }
        }
        // Same seed, same splits; another seed, other undersamplings.
        assert_eq!(s, splits(&y, &ProtocolParams::default()).unwrap());
        assert_ne!(
            s,
            splits(
                &y,
                &ProtocolParams {
                    seed: 1,
                    ..ProtocolParams::default()
                }
            )
            .unwrap()
        );
        assert!(splits(&labels(10, 5), &ProtocolParams::default()).is_err());
    }

    #[test]
    fn best_fold_softness_is_the_best_models_prediction() {
        let mut rng = SplitMix64::new(3);
        let n = 400;
        let y = labels(n, 8);
        let data: Vec<f64> = y
            .iter()
            .flat_map(|&l| [rng.next_f64() + if l { 0.5 } else { 0.0 }, rng.next_f64()])
            .collect();
        let x = Matrix::new(&data, n, 2).unwrap();
        let params = ProtocolParams {
            gbdt: GbdtParams {
                n_trees: 20,
                ..GbdtParams::default()
            },
            ..ProtocolParams::default()
        };
        let r = cross_validate(&x, &y, &params).unwrap();
        let best = (0..r.folds.len())
            .max_by(|&a, &b| {
                r.folds[a]
                    .roc_auc
                    .total_cmp(&r.folds[b].roc_auc)
                    .then(b.cmp(&a))
            })
            .unwrap();
        assert_eq!(r.qs_best_fold, r.models[best].predict_proba(&x).unwrap());
        // The mean softness is the mean of the 15 models' predictions.
        let mean: Vec<f64> = (0..n)
            .map(|i| {
                r.models
                    .iter()
                    .map(|m| m.predict_proba(&x).unwrap()[i])
                    .sum::<f64>()
                    / 15.0
            })
            .collect();
        for (a, b) in r.qs.iter().zip(&mean) {
            assert!((a - b).abs() < 1e-12);
        }
        // Held-out softness: the mean over the models whose training set
        // lacks the sample, recomputed from the splits.
        let all = splits(&y, &params).unwrap();
        let preds: Vec<Vec<f64>> = r
            .models
            .iter()
            .map(|m| m.predict_proba(&x).unwrap())
            .collect();
        for i in 0..n {
            let held: Vec<f64> = all
                .iter()
                .zip(&preds)
                .filter(|(s, _)| !s.train.contains(&i))
                .map(|(_, p)| p[i])
                .collect();
            // At least one model per undersampling never saw sample i.
            assert!(held.len() >= 3, "sample {i}: {}", held.len());
            let m = held.iter().sum::<f64>() / held.len() as f64;
            assert!((r.qs_held_out[i] - m).abs() < 1e-12);
        }
        // Minority samples are held out by exactly their test fold: 3 models.
        let pos = (0..n).find(|&i| y[i]).unwrap();
        let held = all.iter().filter(|s| !s.train.contains(&pos)).count();
        assert_eq!(held, 3);
    }

    #[test]
    fn mean_and_std() {
        assert_eq!(mean_std(&[1.0, 3.0]), (2.0, 1.0));
    }
}
