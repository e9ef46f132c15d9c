//! Learning plasticity from structure for `interstice`.
//!
//! The [`metrics`] of shared/SPEC.md §7 (checked against scikit-learn), a
//! seeded gradient-boosted tree classifier with the paper's settings
//! ([`gbdt`], also behind linfa's `Fit` and `Predict`), the logistic
//! baseline ([`baselines`]), and the 3 × 5 undersampling and
//! cross-validation [`protocol`] with quench-in softness. This crate sees
//! feature matrices and column names, never a frame. Still to come
//! (issue 9): the SVM baseline and the scikit-learn peer benchmark.
#![deny(missing_docs)]

pub mod baselines;
#[cfg(feature = "serde")]
pub mod ensemble;
pub mod folds;
pub mod gbdt;
pub mod metrics;
pub mod protocol;
#[cfg(feature = "serde")]
pub mod report;
pub mod stats;

/// What can go wrong in learning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LearnError {
    /// Labels and scores of different lengths, or an empty sample.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A metric that needs both classes got one.
    #[error("{metric} needs both classes, found only {class}")]
    OneClass {
        /// The metric.
        metric: &'static str,
        /// The class that was present.
        class: &'static str,
    },
}
