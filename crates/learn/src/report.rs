//! The protocol's scores as a file (`metrics.json`): written by `interstice
//! train` and read by the results table and the figures through the same
//! type. Fields are in alphabetical order, as the JSON has always been.

use std::collections::BTreeMap;

use crate::protocol::{FoldScores, ProtocolParams, ProtocolResult, mean_std};

/// Mean and standard deviation of one score over the models.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeanStd {
    /// The mean.
    pub mean: f64,
    /// The population standard deviation.
    pub std: f64,
}

/// One model's scores (balanced test fold, and the natural class ratio).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelScores {
    /// Accuracy on the balanced test fold.
    pub accuracy: f64,
    /// F1 on the balanced test fold.
    pub f1: f64,
    /// Which fold.
    pub fold: usize,
    /// Average precision, natural ratio.
    pub natural_average_precision: f64,
    /// Share of plastic samples in the natural test set.
    pub natural_base_rate: f64,
    /// Precision in the top percent, natural ratio.
    pub natural_precision_top: f64,
    /// ROC-AUC, natural ratio.
    pub natural_roc_auc: f64,
    /// Precision on the balanced test fold.
    pub precision: f64,
    /// Recall on the balanced test fold.
    pub recall: f64,
    /// ROC-AUC on the balanced test fold.
    pub roc_auc: f64,
    /// Which undersampling.
    pub undersampling: usize,
}

/// A named score of one model.
pub type Score = (&'static str, fn(&FoldScores) -> f64);

/// The scores that `summary` averages, by name, in the order they print.
pub const SCORES: [Score; 9] = [
    ("roc_auc", |f| f.roc_auc),
    ("accuracy", |f| f.accuracy),
    ("f1", |f| f.f1),
    ("precision", |f| f.precision),
    ("recall", |f| f.recall),
    ("natural_roc_auc", |f| f.natural_roc_auc),
    ("natural_average_precision", |f| f.natural_average_precision),
    ("natural_precision_top", |f| f.natural_precision_top),
    ("natural_base_rate", |f| f.natural_base_rate),
];

/// `metrics.json`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    /// Labelled atoms.
    pub atoms: usize,
    /// Feature columns.
    pub features: usize,
    /// Folds per undersampling.
    pub folds_per_undersampling: usize,
    /// The interstice version that trained.
    pub interstice_version: String,
    /// Every model's scores.
    pub models: Vec<ModelScores>,
    /// Plastic atoms.
    pub plastic: usize,
    /// The protocol seed.
    pub seed: u64,
    /// Mean and std of each score of [`SCORES`] over the models.
    pub summary: BTreeMap<String, MeanStd>,
    /// The top fraction for precision at the top, percent.
    pub top_percent: f64,
    /// Undersamplings.
    pub undersamplings: usize,
    /// Test folds left out because they hold one class only (slab folds of
    /// a small glass), named; absent when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_folds: Vec<String>,
}

impl Metrics {
    /// The metrics of a protocol run on `labels` with `features` columns.
    pub fn of(
        r: &ProtocolResult,
        params: &ProtocolParams,
        features: usize,
        labels: &[bool],
        version: &str,
    ) -> Metrics {
        let models = r
            .folds
            .iter()
            .map(|f| ModelScores {
                accuracy: f.accuracy,
                f1: f.f1,
                fold: f.fold,
                natural_average_precision: f.natural_average_precision,
                natural_base_rate: f.natural_base_rate,
                natural_precision_top: f.natural_precision_top,
                natural_roc_auc: f.natural_roc_auc,
                precision: f.precision,
                recall: f.recall,
                roc_auc: f.roc_auc,
                undersampling: f.repeat,
            })
            .collect();
        let summary = SCORES
            .iter()
            .map(|(name, get)| {
                let (mean, std) = mean_std(&r.folds.iter().map(get).collect::<Vec<_>>());
                ((*name).to_string(), MeanStd { mean, std })
            })
            .collect();
        Metrics {
            atoms: labels.len(),
            features,
            folds_per_undersampling: params.folds,
            interstice_version: version.to_string(),
            models,
            plastic: labels.iter().filter(|&&l| l).count(),
            seed: params.seed,
            summary,
            top_percent: params.top_percent,
            undersamplings: params.undersamplings,
            skipped_folds: r.skipped.clone(),
        }
    }

    /// The summary of one score, if it has that name.
    pub fn score(&self, name: &str) -> Option<MeanStd> {
        self.summary.get(name).copied()
    }
}
