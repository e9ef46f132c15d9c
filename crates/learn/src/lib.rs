//! Learning plasticity from structure for `interstice`.
//!
//! This crate will hold a seeded gradient-boosted tree classifier with the
//! paper's settings behind linfa's `Fit` and `Predict` traits, logistic and
//! SVM baselines, the 3 × 5 undersampling and cross-validation protocol, the
//! metrics (ROC-AUC, PR-AUC, precision in the top k %, ...), quench-in
//! softness and transfer scoring (shared/SPEC.md §7, issue 9). It sees feature
//! matrices and column names, never a frame.
