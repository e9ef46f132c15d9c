//! Classification metrics for plasticity prediction, with scikit-learn's
//! definitions (checked against scikit-learn 1.9 in `tests/metrics.rs`).
//!
//! Scores are the predicted probability of the plastic class (label
//! `true`). Metrics that rank (ROC-AUC, average precision, precision in the
//! top k %) use the scores; the others use the prediction `score > 0.5`
//! (scikit-learn's `predict` for a binary `predict_proba`).

use crate::LearnError;

fn check(labels: &[bool], scores: &[f64]) -> Result<(usize, usize), LearnError> {
    if labels.len() != scores.len() {
        return Err(LearnError::InvalidInput(format!(
            "{} labels but {} scores",
            labels.len(),
            scores.len()
        )));
    }
    if labels.is_empty() {
        return Err(LearnError::InvalidInput("no samples".into()));
    }
    if let Some(k) = scores.iter().position(|s| s.is_nan()) {
        return Err(LearnError::InvalidInput(format!("score {k} is NaN")));
    }
    let pos = labels.iter().filter(|&&l| l).count();
    Ok((pos, labels.len() - pos))
}

/// Indices sorted by descending score (ties in index order).
fn by_score(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

/// The ROC curve: false and true positive rates at every distinct score
/// threshold (descending), starting at (0, 0); `thresholds[k]` is the score
/// at and above which samples are called positive for point `k + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// x values (false positive rate for ROC, recall for PR).
    pub x: Vec<f64>,
    /// y values (true positive rate for ROC, precision for PR).
    pub y: Vec<f64>,
    /// Score thresholds.
    pub thresholds: Vec<f64>,
}

/// Cumulative (false positives, true positives) at each distinct threshold.
fn cumulative(labels: &[bool], scores: &[f64]) -> Vec<(usize, usize, f64)> {
    let order = by_score(scores);
    let mut out = Vec::new();
    let (mut fp, mut tp) = (0, 0);
    for (k, &i) in order.iter().enumerate() {
        if labels[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last = k + 1 == order.len() || scores[order[k + 1]] != scores[i];
        if last {
            out.push((fp, tp, scores[i]));
        }
    }
    out
}

/// The ROC curve.
///
/// # Errors
/// [`LearnError::InvalidInput`], and [`LearnError::OneClass`] if a class is missing.
pub fn roc_curve(labels: &[bool], scores: &[f64]) -> Result<Curve, LearnError> {
    let (pos, neg) = check(labels, scores)?;
    one_class("ROC", pos, neg)?;
    let mut c = Curve {
        x: vec![0.0],
        y: vec![0.0],
        thresholds: Vec::new(),
    };
    for (fp, tp, t) in cumulative(labels, scores) {
        c.x.push(fp as f64 / neg as f64);
        c.y.push(tp as f64 / pos as f64);
        c.thresholds.push(t);
    }
    Ok(c)
}

fn one_class(metric: &'static str, pos: usize, neg: usize) -> Result<(), LearnError> {
    match (pos, neg) {
        (0, _) => Err(LearnError::OneClass {
            metric,
            class: "non-plastic",
        }),
        (_, 0) => Err(LearnError::OneClass {
            metric,
            class: "plastic",
        }),
        _ => Ok(()),
    }
}

/// Area under the ROC curve (trapezoidal, so ties count one half: the
/// Mann–Whitney statistic).
///
/// # Errors
/// As [`roc_curve`].
pub fn roc_auc(labels: &[bool], scores: &[f64]) -> Result<f64, LearnError> {
    let c = roc_curve(labels, scores)?;
    Ok(c.x
        .windows(2)
        .zip(c.y.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum())
}

/// The precision–recall curve at every distinct threshold (descending).
///
/// # Errors
/// [`LearnError::InvalidInput`]; [`LearnError::OneClass`] without plastic samples.
pub fn precision_recall_curve(labels: &[bool], scores: &[f64]) -> Result<Curve, LearnError> {
    let (pos, _) = check(labels, scores)?;
    if pos == 0 {
        return Err(LearnError::OneClass {
            metric: "precision-recall",
            class: "non-plastic",
        });
    }
    let mut c = Curve {
        x: Vec::new(),
        y: Vec::new(),
        thresholds: Vec::new(),
    };
    for (fp, tp, t) in cumulative(labels, scores) {
        c.x.push(tp as f64 / pos as f64);
        c.y.push(tp as f64 / (tp + fp) as f64);
        c.thresholds.push(t);
    }
    Ok(c)
}

/// Average precision, `Σₙ (Rₙ − Rₙ₋₁) Pₙ` over the thresholds (no
/// interpolation: scikit-learn's `average_precision_score`), the area under
/// the precision–recall curve that imbalanced data calls for.
///
/// # Errors
/// As [`precision_recall_curve`].
pub fn average_precision(labels: &[bool], scores: &[f64]) -> Result<f64, LearnError> {
    let c = precision_recall_curve(labels, scores)?;
    let mut prev = 0.0;
    let mut ap = 0.0;
    for (r, p) in c.x.iter().zip(&c.y) {
        ap += (r - prev) * p;
        prev = *r;
    }
    Ok(ap)
}

/// Precision among the top `percent` % of samples by score
/// (`⌈N · percent / 100⌉` samples, ties broken by sample order): where a user
/// looking at the softest atoms finds plastic ones.
///
/// # Errors
/// [`LearnError::InvalidInput`] for a percent outside (0, 100].
pub fn precision_at_top_percent(
    labels: &[bool],
    scores: &[f64],
    percent: f64,
) -> Result<f64, LearnError> {
    check(labels, scores)?;
    if percent.is_nan() || percent <= 0.0 || percent > 100.0 {
        return Err(LearnError::InvalidInput(format!(
            "percent must be in (0, 100], found {percent}"
        )));
    }
    let k = ((labels.len() as f64 * percent / 100.0).ceil() as usize).clamp(1, labels.len());
    let order = by_score(scores);
    Ok(order[..k].iter().filter(|&&i| labels[i]).count() as f64 / k as f64)
}

/// Counts of the prediction `score > 0.5` against the labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confusion {
    /// Plastic, predicted plastic.
    pub tp: usize,
    /// Non-plastic, predicted plastic.
    pub fp: usize,
    /// Non-plastic, predicted non-plastic.
    pub tn: usize,
    /// Plastic, predicted non-plastic.
    pub fn_: usize,
}

impl Confusion {
    /// Counts the prediction `score > 0.5`.
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`].
    pub fn new(labels: &[bool], scores: &[f64]) -> Result<Confusion, LearnError> {
        check(labels, scores)?;
        let mut c = Confusion {
            tp: 0,
            fp: 0,
            tn: 0,
            fn_: 0,
        };
        for (&l, &s) in labels.iter().zip(scores) {
            match (l, s > 0.5) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (false, false) => c.tn += 1,
                (true, false) => c.fn_ += 1,
            }
        }
        Ok(c)
    }

    /// Fraction of correct predictions.
    pub fn accuracy(&self) -> f64 {
        (self.tp + self.tn) as f64 / (self.tp + self.fp + self.tn + self.fn_) as f64
    }

    /// `tp / (tp + fp)`, 0 when nothing is predicted plastic.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)`, 0 without plastic samples.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The mean of several ROC curves by vertical averaging on `grid` evenly
/// spaced false-positive rates from 0 to 1: at each rate, the mean over the
/// curves of the highest true-positive rate each reaches at or below it
/// (each curve read as a step function). Curves are `(fpr, tpr)` points.
///
/// # Errors
/// [`LearnError::InvalidInput`] for no curves or a grid of fewer than 2 points.
///
/// ```
/// use interstice_learn::metrics::mean_roc;
/// let perfect = vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
/// let chance = vec![(0.0, 0.0), (1.0, 1.0)];
/// let m = mean_roc(&[perfect, chance], 3)?;
/// assert_eq!(m, vec![(0.0, 0.5), (0.5, 0.5), (1.0, 1.0)]);
/// # Ok::<(), interstice_learn::LearnError>(())
/// ```
pub fn mean_roc(curves: &[Vec<(f64, f64)>], grid: usize) -> Result<Vec<(f64, f64)>, LearnError> {
    if curves.is_empty() || grid < 2 {
        return Err(LearnError::InvalidInput(format!(
            "mean ROC of {} curves on {grid} points: expected at least one curve and two points",
            curves.len()
        )));
    }
    let mut mean = vec![0.0; grid];
    for c in curves {
        for (k, m) in mean.iter_mut().enumerate() {
            let x = k as f64 / (grid - 1) as f64;
            // The highest TPR reached at FPR <= x (a step curve).
            let y = c
                .iter()
                .filter(|p| p.0 <= x + 1e-12)
                .map(|p| p.1)
                .fold(0.0, f64::max);
            *m += y / curves.len() as f64;
        }
    }
    Ok(mean
        .into_iter()
        .enumerate()
        .map(|(k, y)| (k as f64 / (grid - 1) as f64, y))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_cases() {
        // Perfect ranking, reversed ranking, and all tied.
        let l = [true, true, false, false];
        assert_eq!(roc_auc(&l, &[0.9, 0.8, 0.2, 0.1]).unwrap(), 1.0);
        assert_eq!(roc_auc(&l, &[0.1, 0.2, 0.8, 0.9]).unwrap(), 0.0);
        assert_eq!(roc_auc(&l, &[0.5; 4]).unwrap(), 0.5);
        // One inversion of four positive-negative pairs: U = 3/4.
        assert_eq!(roc_auc(&l, &[0.9, 0.3, 0.4, 0.1]).unwrap(), 0.75);
        // AP: ranks 1 (+), 2 (−), 3 (+): (1/2)·1 + (1/2)·(2/3).
        let ap = average_precision(&[true, false, true], &[0.9, 0.8, 0.7]).unwrap();
        assert!((ap - (0.5 + 1.0 / 3.0)).abs() < 1e-15);
        assert_eq!(
            precision_at_top_percent(&[true, false, true, false], &[0.9, 0.8, 0.7, 0.1], 50.0)
                .unwrap(),
            0.5
        );
        let c = Confusion::new(&[true, true, false, false], &[0.9, 0.4, 0.6, 0.5]).unwrap();
        assert_eq!(
            c,
            Confusion {
                tp: 1,
                fp: 1,
                tn: 1,
                fn_: 1
            }
        );
        assert_eq!(
            (c.accuracy(), c.precision(), c.recall(), c.f1()),
            (0.5, 0.5, 0.5, 0.5)
        );
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            roc_auc(&[true], &[0.1, 0.2]).unwrap_err().to_string(),
            "invalid input: 1 labels but 2 scores"
        );
        assert_eq!(
            roc_auc(&[true, true], &[0.1, 0.2]).unwrap_err().to_string(),
            "ROC needs both classes, found only plastic"
        );
        assert_eq!(
            roc_auc(&[false, true], &[f64::NAN, 0.2])
                .unwrap_err()
                .to_string(),
            "invalid input: score 0 is NaN"
        );
        assert!(precision_at_top_percent(&[true], &[0.1], 0.0).is_err());
        assert!(average_precision(&[false, false], &[0.1, 0.2]).is_err());
    }
}
