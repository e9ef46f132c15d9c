//! Fig. 2: the base model by feature set (ROC curves and AUC, feature
//! importances).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Drawn, Figure, GREY, Numbers, PALETTE, SANS, legend_box, line_key, save};
use crate::config::Config;
use crate::results::Results;
use crate::run::Layout;

/// False-positive rates at which the 15 ROC curves are averaged.
const GRID: usize = 101;

/// The mean ROC curve (vertical averaging) of the balanced test folds in a
/// `curves-roc.csv`.
fn mean_roc(path: &Path) -> Result<Vec<(f64, f64)>> {
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
type MeanCurve = (String, f64, f64, Vec<(f64, f64)>);

struct Fig2 {
    curves: Vec<MeanCurve>,
    importances: Vec<(String, f64)>,
}

impl Figure for Fig2 {
    const SIZE: (u32, u32) = (1400, 620);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, b) = root.split_horizontally(620);
        let mut c = ChartBuilder::on(&a)
            .caption("a  ROC on the balanced test folds (mean of 15)", (SANS, 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .d()?;
        c.configure_mesh()
            .x_desc("false-positive rate")
            .y_desc("true-positive rate")
            .label_style((SANS, 15))
            .draw()
            .d()?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GREY.stroke_width(1),
        ))
        .d()?;
        for (k, (name, m, s, pts)) in self.curves.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
                .d()?
                .label(format!("{name}: AUC {m:.3} ± {s:.3}"))
                .legend(line_key(color, 3));
        }
        legend_box(&mut c, SeriesLabelPosition::LowerRight, 16)?;
        let n = self.importances.len();
        let max = self.importances.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
        let mut c = ChartBuilder::on(&b)
            .caption(
                "b  feature importance, interstice 80 (mean of 15 models)",
                (SANS, 20),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(330)
            .build_cartesian_2d(0f64..max.max(1e-9), 0f64..n as f64)
            .d()?;
        let names: Vec<String> = self.importances.iter().map(|p| p.0.clone()).collect();
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let k = y.floor() as usize;
                if (y - k as f64 - 0.5).abs() < 1e-6 && k < n {
                    names[n - 1 - k].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("impurity importance")
            .label_style((SANS, 13))
            .draw()
            .d()?;
        c.draw_series(self.importances.iter().enumerate().map(|(k, (_, v))| {
            let y = (n - 1 - k) as f64;
            Rectangle::new([(0.0, y + 0.15), (*v, y + 0.85)], BLUE.filled())
        }))
        .d()?;
        Ok(())
    }
}

/// Mean feature importances of a saved model, largest first.
fn importances(model: &Path) -> Result<Vec<(String, f64)>> {
    let m = crate::evaluate::load_model(&model.to_path_buf())?;
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

pub fn fig2(config: &Config, results: &Results, dir: &Path) -> Result<PathBuf> {
    let l = Layout::new(config, config.base());
    let mut curves = Vec::new();
    let mut csv = String::from("feature_set,fpr,mean_tpr\n");
    let mut summary = BTreeMap::new();
    for b in &results.base {
        let pts = mean_roc(&l.trained(&b.set, "curves-roc.csv"))?;
        for (x, y) in &pts {
            let _ = writeln!(csv, "{},{x:?},{y:?}", b.set);
        }
        summary.insert(format!("roc_auc_{}", b.set), b.roc_auc.0);
        summary.insert(
            format!("average_precision_{}", b.set),
            b.average_precision.0,
        );
        curves.push((b.set.clone(), b.roc_auc.0, b.roc_auc.1, pts));
    }
    let imp = importances(&l.trained("paper80", "model.json"))?;
    csv.push_str("\nfeature,importance_paper80\n");
    for (n, v) in &imp {
        let _ = writeln!(csv, "{n},{v:?}");
    }
    let fig = Fig2 {
        curves,
        importances: imp.into_iter().take(15).collect(),
    };
    save(&fig, dir, "fig2", &Numbers { csv, summary })
}
