//! Fig. 2: the base model by feature set (ROC curves and AUC, feature
//! importances).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use interstice_features::Preset;
use serde::Serialize;

use super::{FigureData, Inputs, Numbers, Plot};
use crate::layout::Layout;

/// False-positive rates at which the 15 ROC curves are averaged.
const GRID: usize = 101;

/// The mean ROC curve (vertical averaging) of the balanced test folds in a
/// `curves-roc.csv`.
pub fn mean_roc(path: &Path) -> Result<Vec<(f64, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut curves: BTreeMap<u64, Vec<(f64, f64)>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 4 {
            bail!(
                "{} line {}: expected model,set,x,y,threshold",
                path.display(),
                n + 1
            );
        }
        if f[1] != "balanced" {
            continue;
        }
        let parse = |s: &str| {
            s.parse::<f64>().with_context(|| {
                format!("{} line {}: '{s}' is not a number", path.display(), n + 1)
            })
        };
        let model = f[0]
            .parse::<u64>()
            .with_context(|| format!("{} line {}: bad model index", path.display(), n + 1))?;
        curves
            .entry(model)
            .or_default()
            .push((parse(f[2])?, parse(f[3])?));
    }
    if curves.is_empty() {
        bail!("{}: no balanced curves", path.display());
    }
    let curves: Vec<Vec<(f64, f64)>> = curves.into_values().collect();
    Ok(interstice_learn::metrics::mean_roc(&curves, GRID)?)
}

/// A mean ROC curve: (label, mean AUC, its std, points).
pub type MeanCurve = (String, f64, f64, Vec<(f64, f64)>);

/// The numbers drawn in Fig. 2.
#[derive(Clone, Debug, Serialize)]
pub struct Fig2 {
    /// One mean ROC curve per feature set: the paper's random folds.
    pub curves: Vec<MeanCurve>,
    /// The same with the honest slab folds.
    pub honest: Vec<MeanCurve>,
    /// The honest folds' guard, Å.
    pub guard: f64,
    /// The 15 most important features of the interstice model.
    pub importances: Vec<(String, f64)>,
}

/// Mean feature importances of a saved model, largest first.
pub fn importances(model: &Path) -> Result<Vec<(String, f64)>> {
    let m = crate::model::load(model)?;
    let mut imp = vec![0.0; m.features.len()];
    for g in &m.models {
        for (a, b) in imp.iter_mut().zip(g.feature_importances()) {
            *a += b / m.models.len() as f64;
        }
    }
    let mut v: Vec<(String, f64)> = m.features.iter().cloned().zip(imp).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(v)
}

/// Fig. 2 from the base models' curves and importances.
///
/// # Errors
/// A missing or malformed curve or model file.
pub fn fig2(inputs: &Inputs<'_>) -> Result<FigureData> {
    let (config, results) = (inputs.config, inputs.results);
    let l = Layout::new(config, config.base());
    let mut curves = Vec::new();
    let mut honest = Vec::new();
    let mut csv = String::from("protocol,feature_set,fpr,mean_tpr\n");
    let mut summary = BTreeMap::new();
    for b in &results.base {
        let set = b.set.name();
        let pts = mean_roc(&l.trained(b.set, "curves-roc.csv"))?;
        for (x, y) in &pts {
            let _ = writeln!(csv, "random,{set},{x:?},{y:?}");
        }
        summary.insert(format!("roc_auc_{set}"), b.roc_auc.0);
        summary.insert(format!("average_precision_{set}"), b.average_precision.0);
        curves.push((set.to_string(), b.roc_auc.0, b.roc_auc.1, pts));
        let h = &b.blocks;
        let pts = mean_roc(&l.trained(b.set, "curves-blocks-roc.csv"))?;
        for (x, y) in &pts {
            let _ = writeln!(csv, "slabs,{set},{x:?},{y:?}");
        }
        summary.insert(format!("roc_auc_blocks_{set}"), h.roc_auc.0);
        summary.insert(
            format!("average_precision_blocks_{set}"),
            h.average_precision.0,
        );
        honest.push((set.to_string(), h.roc_auc.0, h.roc_auc.1, pts));
    }
    let imp = importances(&l.trained(Preset::Paper80, "model.json"))?;
    csv.push_str("\nfeature,importance_paper80\n");
    for (n, v) in &imp {
        let _ = writeln!(csv, "{n},{v:?}");
    }
    let fig = Fig2 {
        curves,
        honest,
        guard: inputs.config.evaluation.guard,
        importances: imp.into_iter().take(15).collect(),
    };
    Ok(FigureData::new(
        "fig2",
        Plot::Fig2(fig),
        Numbers { csv, summary },
    ))
}
