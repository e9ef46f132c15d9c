//! Fig. 4: transferability over five scenarios.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};
use interstice_features::Preset;
use serde::Serialize;

use super::{FigureData, Inputs, Numbers, Plot};
use crate::config::Role;

/// One transfer test: scenario index, feature set index, ΔAUC, target name.
pub type Point = (usize, usize, f64, String);

/// The numbers drawn in Fig. 4.
#[derive(Clone, Debug, Serialize)]
pub struct Fig4 {
    /// Every transfer test, ΔAUC against the target's own random-fold score
    /// (the paper's protocol).
    pub points: Vec<Point>,
    /// The same tests, ΔAUC against the target's own slab score (honest).
    pub honest: Vec<Point>,
    /// The feature sets compared.
    pub sets: Vec<String>,
    /// The ΔAUC axis: lower end.
    pub lo: f64,
    /// The ΔAUC axis: upper end.
    pub hi: f64,
}

/// Fig. 4 from the transfer tests.
///
/// # Errors
/// No paper80 base scores, or no transfer test.
pub fn fig4(inputs: &Inputs<'_>) -> Result<FigureData> {
    let results = inputs.results;
    let presets: Vec<Preset> = crate::config::TRANSFER_SETS
        .into_iter()
        .filter(|&s| results.base(s).is_some())
        .collect();
    let sets: Vec<String> = presets.iter().map(|s| s.name().to_string()).collect();
    if sets.is_empty() {
        bail!("fig4 needs paper80 (and sf166) in feature_sets");
    }
    let mut points = Vec::new();
    let mut honest = Vec::new();
    let mut csv = String::from(
        "scenario,feature_set,dataset,roc_auc,balanced_roc_auc,same_condition_roc_auc,delta_roc_auc,same_condition_blocks_roc_auc,delta_roc_auc_blocks,average_precision,precision_top5,base_rate\n",
    );
    let mut summary = BTreeMap::new();
    for (si, role) in Role::SCENARIOS.iter().enumerate() {
        for (fi, &preset) in presets.iter().enumerate() {
            let set = preset.name();
            let (mut deltas, mut honest_deltas) = (Vec::new(), Vec::new());
            for t in results
                .transfer
                .iter()
                .filter(|t| t.role == *role && t.set == preset)
            {
                let (delta, delta_blocks) = (t.delta_auc(), t.delta_auc_blocks());
                let s = &t.scores;
                let _ = writeln!(
                    csv,
                    "{},{set},{},{:?},{:?},{:?},{delta:?},{:?},{delta_blocks:?},{:?},{:?},{:?}",
                    role.label(),
                    t.dataset,
                    s.roc_auc,
                    s.balanced_roc_auc.0,
                    t.own_roc_auc,
                    t.own_blocks_roc_auc,
                    s.average_precision,
                    s.precision_top,
                    s.base_rate
                );
                deltas.push(delta);
                honest_deltas.push(delta_blocks);
                points.push((si, fi, delta, t.dataset.clone()));
                honest.push((si, fi, delta_blocks, t.dataset.clone()));
            }
            if !deltas.is_empty() {
                let key = role.label().replace(' ', "_");
                summary.insert(format!("delta_auc_{key}_{set}"), super::mean(&deltas));
                summary.insert(
                    format!("delta_auc_blocks_{key}_{set}"),
                    super::mean(&honest_deltas),
                );
            }
        }
    }
    if points.is_empty() {
        bail!("fig4 needs data sets other than the base (roles new-configuration, other-rate, …)");
    }
    let all = || points.iter().chain(&honest).map(|p| p.2);
    let lo = all().fold(0.0, f64::min) - 0.05;
    let hi = all().fold(0.0, f64::max) + 0.05;
    let fig = Fig4 {
        points,
        honest,
        sets,
        lo,
        hi,
    };
    Ok(FigureData::new(
        "fig4",
        Plot::Fig4(fig),
        Numbers { csv, summary },
    ))
}
