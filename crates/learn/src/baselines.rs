//! Baselines and linfa's vocabulary (HOUSE_STYLE H11).
//!
//! - [`LogisticParams`]: L2-regularised logistic regression from
//!   `linfa-logistic` on standardised features, with its probabilities
//!   oriented to the plastic class (linfa reports the probability of
//!   whichever class it made "positive", which with a minority plastic class
//!   is the other one: a raw ROC-AUC of 0.24 instead of 0.76, see
//!   shared/CRATES.md).
//! - [`SvmParams`]: an RBF SVM from `linfa-svm` with Platt probabilities,
//!   on standardised features.
//! - linfa's `Fit` for [`GbdtParams`] and `PredictInplace` (probabilities)
//!   for [`Gbdt`], so the booster drops into linfa pipelines.

use linfa::dataset::AsSingleTargets;
use linfa::dataset::Pr;
use linfa::prelude::*;
use linfa::traits::{Fit, PredictInplace};
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2, ArrayBase, Data, Ix2};

use crate::LearnError;
use crate::gbdt::{Gbdt, GbdtParams, Matrix};

impl From<Error> for LearnError {
    fn from(e: Error) -> LearnError {
        LearnError::InvalidInput(format!("linfa: {e}"))
    }
}

/// Mean and standard deviation of every column of the training rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Standardizer {
    /// Fits on `x` (a constant column gets scale 1).
    pub fn fit(x: &Matrix<'_>) -> Standardizer {
        let (n, k) = (x.rows(), x.cols());
        let mut mean = vec![0.0; k];
        let mut scale = vec![0.0; k];
        for c in 0..k {
            let m = (0..n).map(|r| x.get(r, c)).sum::<f64>() / n.max(1) as f64;
            let v = (0..n).map(|r| (x.get(r, c) - m).powi(2)).sum::<f64>() / n.max(1) as f64;
            mean[c] = m;
            scale[c] = if v > 0.0 { v.sqrt() } else { 1.0 };
        }
        Standardizer { mean, scale }
    }

    /// An error unless `x` has the columns this was fitted on.
    pub fn check_columns(&self, x: &Matrix<'_>) -> Result<(), LearnError> {
        if x.cols() == self.mean.len() {
            return Ok(());
        }
        Err(LearnError::InvalidInput(format!(
            "{} columns, the model was trained on {}",
            x.cols(),
            self.mean.len()
        )))
    }

    /// `(x − mean) / scale` as an ndarray matrix.
    pub fn transform(&self, x: &Matrix<'_>) -> Array2<f64> {
        Array2::from_shape_fn((x.rows(), x.cols()), |(r, c)| {
            (x.get(r, c) - self.mean[c]) / self.scale[c]
        })
    }
}

/// The checks every baseline makes before fitting (matching lengths, both
/// classes), and its standardised training matrix.
fn standardized(
    x: &Matrix<'_>,
    y: &[bool],
    what: &'static str,
) -> Result<(Standardizer, Array2<f64>), LearnError> {
    if y.len() != x.rows() {
        return Err(LearnError::InvalidInput(format!(
            "{} labels for {} rows",
            y.len(),
            x.rows()
        )));
    }
    if !y.iter().any(|&l| l) || y.iter().all(|&l| l) {
        return Err(LearnError::OneClass {
            metric: what,
            class: if y.first() == Some(&true) {
                "plastic"
            } else {
                "non-plastic"
            },
        });
    }
    let standardizer = Standardizer::fit(x);
    let records = standardizer.transform(x);
    if records.iter().any(|v| !v.is_finite()) {
        return Err(LearnError::InvalidInput(
            "a feature overflows when standardised".into(),
        ));
    }
    Ok((standardizer, records))
}

/// Logistic regression on standardised features.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogisticParams {
    /// L2 penalty (linfa's `alpha`, 1.0 by default).
    pub alpha: f64,
    /// Optimiser iterations (200).
    pub max_iterations: u64,
}

impl Default for LogisticParams {
    fn default() -> LogisticParams {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 200,
        }
    }
}

/// A fitted [`LogisticParams`] model.
#[derive(Debug)]
pub struct LogisticModel {
    standardizer: Standardizer,
    model: FittedLogisticRegression<f64, bool>,
}

impl LogisticParams {
    /// Fits on `x` and labels `y`.
    ///
    /// # Errors
    /// A single class, non-finite features, mismatched lengths, or the
    /// optimiser's failure.
    pub fn fit(&self, x: &Matrix<'_>, y: &[bool]) -> Result<LogisticModel, LearnError> {
        let (standardizer, records) = standardized(x, y, "logistic regression")?;
        let dataset = Dataset::new(records, Array1::from(y.to_vec()));
        let model = LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .fit(&dataset)
            .map_err(|e| LearnError::InvalidInput(format!("logistic regression: {e}")))?;
        Ok(LogisticModel {
            standardizer,
            model,
        })
    }
}

impl LogisticModel {
    /// The probability that each row is plastic (`true`).
    ///
    /// # Errors
    /// A different number of columns than in training.
    pub fn predict_proba(&self, x: &Matrix<'_>) -> Result<Vec<f64>, LearnError> {
        self.standardizer.check_columns(x)?;
        let p = self
            .model
            .predict_probabilities(&self.standardizer.transform(x));
        // linfa's probabilities are of its `pos` class; orient to `true`.
        let pos_is_plastic = self.model.labels().pos.class;
        Ok(p.iter()
            .map(|&v| if pos_is_plastic { v } else { 1.0 - v })
            .collect())
    }

    /// |coefficient| of each standardised feature, normalised to sum 1.
    pub fn importances(&self) -> Vec<f64> {
        let c: Vec<f64> = self.model.params().iter().map(|v| v.abs()).collect();
        let s: f64 = c.iter().sum();
        c.iter()
            .map(|v| if s > 0.0 { v / s } else { 0.0 })
            .collect()
    }
}

/// An RBF support-vector machine with Platt-scaled probabilities, on
/// standardised features (Cubuk et al.'s softness is of this kind).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SvmParams {
    /// The penalty C of both classes (1).
    pub c: f64,
    /// The Gaussian kernel's width ε in `exp(−|a − b|² / ε)`; `None` takes
    /// the number of features, which on standardised features is
    /// scikit-learn's `gamma = "scale"`.
    pub eps: Option<f64>,
}

impl Default for SvmParams {
    fn default() -> SvmParams {
        SvmParams { c: 1.0, eps: None }
    }
}

/// A fitted [`SvmParams`] model.
pub struct SvmModel {
    standardizer: Standardizer,
    model: linfa_svm::Svm<f64, Pr>,
}

impl std::fmt::Debug for SvmModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SvmModel").finish_non_exhaustive()
    }
}

impl SvmParams {
    /// Fits on `x` and labels `y`.
    ///
    /// # Errors
    /// A single class, non-finite features, mismatched lengths, or the
    /// solver's failure.
    pub fn fit(&self, x: &Matrix<'_>, y: &[bool]) -> Result<SvmModel, LearnError> {
        let (standardizer, records) = standardized(x, y, "SVM")?;
        let eps = self.eps.unwrap_or(x.cols() as f64);
        let dataset = Dataset::new(records, Array1::from(y.to_vec()));
        let model = linfa_svm::Svm::<f64, Pr>::params()
            .gaussian_kernel(eps)
            .pos_neg_weights(self.c, self.c)
            .fit(&dataset)
            .map_err(|e| LearnError::InvalidInput(format!("SVM: {e}")))?;
        Ok(SvmModel {
            standardizer,
            model,
        })
    }
}

impl SvmModel {
    /// The Platt probability that each row is plastic (`true`).
    ///
    /// # Errors
    /// A different number of columns than in training.
    pub fn predict_proba(&self, x: &Matrix<'_>) -> Result<Vec<f64>, LearnError> {
        self.standardizer.check_columns(x)?;
        let p: Array1<Pr> = self.model.predict(&self.standardizer.transform(x));
        Ok(p.iter().map(|v| f64::from(**v)).collect())
    }
}

fn to_row_major<D: Data<Elem = f64>>(x: &ArrayBase<D, Ix2>) -> Vec<f64> {
    x.rows().into_iter().flat_map(|r| r.to_vec()).collect()
}

impl<D: Data<Elem = f64>, T: AsSingleTargets<Elem = bool>> Fit<ArrayBase<D, Ix2>, T, LearnError>
    for GbdtParams
{
    type Object = Gbdt;

    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Gbdt, LearnError> {
        let records = dataset.records();
        let data = to_row_major(records);
        let x = Matrix::new(&data, records.nrows(), records.ncols())?;
        let y: Vec<bool> = dataset.as_single_targets().to_vec();
        GbdtParams::fit(self, &x, &y)
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for Gbdt {
    /// The probability of `true` (plastic) for every row; rows whose
    /// column count does not match the model get NaN.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        let data = to_row_major(x);
        let p = Matrix::new(&data, x.nrows(), x.ncols())
            .and_then(|m| self.predict_proba(&m))
            .unwrap_or_else(|_| vec![f64::NAN; x.nrows()]);
        for (o, v) in y.iter_mut().zip(p) {
            *o = v;
        }
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::roc_auc;
    use interstice_core::rng::SplitMix64;

    /// A minority class (10 %) that is separable along one feature: the
    /// oriented probabilities must rank it on top (AUC near 1), never
    /// upside down (AUC near 0), which is what linfa's raw output gives.
    #[test]
    fn logistic_probabilities_are_oriented_to_the_plastic_class() {
        let mut rng = SplitMix64::new(5);
        let n = 600;
        let y: Vec<bool> = (0..n).map(|i| i % 10 == 0).collect();
        let data: Vec<f64> = y
            .iter()
            .flat_map(|&l| {
                let a = rng.next_f64() + if l { 0.8 } else { 0.0 };
                [a, rng.next_f64()]
            })
            .collect();
        let x = Matrix::new(&data, n, 2).unwrap();
        let m = LogisticParams::default().fit(&x, &y).unwrap();
        let p = m.predict_proba(&x).unwrap();
        let auc = roc_auc(&y, &p).unwrap();
        assert!(
            auc > 0.9,
            "AUC {auc}: probabilities not oriented to plastic"
        );
        // The raw linfa output for the same rows, for the record: its
        // positive class here is the majority, so it ranks upside down.
        let raw = m.model.predict_probabilities(&m.standardizer.transform(&x));
        if !m.model.labels().pos.class {
            assert!(roc_auc(&y, &raw.to_vec()).unwrap() < 0.1);
        }
        let imp = m.importances();
        assert!(imp[0] > imp[1]);
        assert!(LogisticParams::default().fit(&x, &vec![false; n]).is_err());
    }

    /// The same separable minority class: Platt probabilities rank it on
    /// top (an orientation flip would give an AUC near 0).
    #[test]
    fn svm_probabilities_rank_the_plastic_class_on_top() {
        let mut rng = SplitMix64::new(7);
        let n = 400;
        let y: Vec<bool> = (0..n).map(|i| i % 4 == 0).collect();
        let data: Vec<f64> = y
            .iter()
            .flat_map(|&l| [rng.next_f64() + if l { 0.8 } else { 0.0 }, rng.next_f64()])
            .collect();
        let x = Matrix::new(&data, n, 2).unwrap();
        let m = SvmParams::default().fit(&x, &y).unwrap();
        let p = m.predict_proba(&x).unwrap();
        assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
        let auc = roc_auc(&y, &p).unwrap();
        assert!(auc > 0.9, "AUC {auc}");
        assert!(SvmParams::default().fit(&x, &vec![true; n]).is_err());
    }

    #[test]
    fn gbdt_through_linfa_traits_equals_the_direct_call() {
        let mut rng = SplitMix64::new(9);
        let n = 300;
        let y: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        let data: Vec<f64> = y
            .iter()
            .flat_map(|&l| [rng.next_f64() + f64::from(u8::from(l)), rng.next_f64()])
            .collect();
        let params = GbdtParams {
            n_trees: 20,
            ..GbdtParams::default()
        };
        let x = Matrix::new(&data, n, 2).unwrap();
        let direct = params.fit(&x, &y).unwrap().predict_proba(&x).unwrap();
        let records = Array2::from_shape_vec((n, 2), data.clone()).unwrap();
        let ds = Dataset::new(records.clone(), Array1::from(y.clone()));
        let model: Gbdt = Fit::fit(&params, &ds).unwrap();
        let p: Array1<f64> = model.predict(&records);
        assert_eq!(p.to_vec(), direct);
    }
}
