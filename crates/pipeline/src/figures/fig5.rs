//! Fig. 5 (ours, shared/SPEC.md §8): the learning curve over glasses (the
//! honest ROC-AUC and PR-AUC on glasses never seen in training against the
//! number of training glasses) and the guard curve of the slab folds (the
//! leak as the guard grows).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde::Serialize;

use super::{FigureData, Inputs, Numbers, Plot};
use crate::config::{Config, Dataset, Role};
use crate::honest::{read_guard_curve, read_learning_curve};
use crate::layout::Layout;

/// The glasses of the learning curve: the base and its new configurations
/// (the base condition), in the configuration's order.
pub fn curve_glasses(config: &Config) -> Vec<&Dataset> {
    config
        .datasets
        .iter()
        .filter(|d| matches!(d.role, Role::Base | Role::NewConfiguration))
        .collect()
}

/// A score on unseen glasses: training glasses, mean over test glasses and
/// its 95 % bootstrap interval.
pub type CurvePoint = (usize, f64, f64, f64);

/// One feature set's learning curve.
#[derive(Clone, Debug, Serialize)]
pub struct Learning {
    /// The feature set.
    pub set: String,
    /// ROC-AUC against training glasses.
    pub roc_auc: Vec<CurvePoint>,
    /// PR-AUC against training glasses.
    pub average_precision: Vec<CurvePoint>,
    /// The mean plastic share of the test glasses (PR-AUC's chance level).
    pub base_rate: f64,
}

/// The numbers drawn in Fig. 5.
#[derive(Clone, Debug, Serialize)]
pub struct Fig5 {
    /// Glasses of the base condition (empty curves below two).
    pub glasses: usize,
    /// Per feature set.
    pub learning: Vec<Learning>,
    /// Per feature set: (guard Å, slab ROC-AUC).
    pub guard: Vec<(String, Vec<(f64, f64)>)>,
    /// The guard of the honest protocol, Å.
    pub default_guard: f64,
    /// Per feature set: the random folds' ROC-AUC (the paper's), the
    /// reference the guard curve falls from.
    pub random: Vec<(String, f64)>,
}

/// Fig. 5 from the guard curves and learning curves of the run.
///
/// # Errors
/// A missing or malformed curve file.
pub fn fig5(inputs: &Inputs<'_>) -> Result<FigureData> {
    let config = inputs.config;
    let lb = Layout::new(config, config.base());
    let glasses = curve_glasses(config).len();
    let mut csv = String::from("panel,feature_set,x,value,ci_low,ci_high\n");
    let mut summary = BTreeMap::new();
    let mut guard = Vec::new();
    let mut learning = Vec::new();
    for &set in &config.feature_sets {
        let name = set.name();
        let curve = read_guard_curve(&lb.trained(set, "guard-curve.csv"))?;
        for (g, a) in &curve {
            let _ = writeln!(csv, "guard,{name},{g:?},{a:?},,");
            summary.insert(format!("guard_roc_auc_{name}_{g}A"), *a);
        }
        guard.push((name.to_string(), curve));
        if glasses < 2 {
            continue;
        }
        let points = read_learning_curve(&lb.trained(set, "learning-curve.csv"))?;
        let mut l = Learning {
            set: name.to_string(),
            roc_auc: Vec::new(),
            average_precision: Vec::new(),
            base_rate: super::mean(&points.iter().map(|p| p.base_rate).collect::<Vec<_>>()),
        };
        for k in 1..glasses {
            let at: Vec<_> = points.iter().filter(|p| p.training_glasses == k).collect();
            if at.len() != glasses {
                bail!(
                    "{}: {} test glasses for {k} training glass(es), expected {glasses}: rerun the learning curve",
                    lb.trained(set, "learning-curve.csv").display(),
                    at.len()
                );
            }
            for (panel, series, values) in [
                (
                    "learning_roc_auc",
                    &mut l.roc_auc,
                    at.iter().map(|p| p.roc_auc).collect::<Vec<_>>(),
                ),
                (
                    "learning_average_precision",
                    &mut l.average_precision,
                    at.iter().map(|p| p.average_precision).collect(),
                ),
            ] {
                let (m, lo, hi) = interstice_learn::stats::bootstrap_mean(
                    &values,
                    crate::results::RESAMPLES,
                    config.seed,
                );
                let _ = writeln!(csv, "{panel},{name},{k},{m:?},{lo:?},{hi:?}");
                let key = panel.trim_start_matches("learning_");
                summary.insert(format!("learning_{key}_{name}_{k}glasses"), m);
                series.push((k, m, lo, hi));
            }
        }
        learning.push(l);
    }
    let fig = Fig5 {
        glasses,
        learning,
        guard,
        default_guard: config.evaluation.guard,
        random: inputs
            .results
            .base
            .iter()
            .map(|b| (b.set.name().to_string(), b.roc_auc.0))
            .collect(),
    };
    Ok(FigureData::new(
        "fig5",
        Plot::Fig5(fig),
        Numbers { csv, summary },
    ))
}
