//! Fig. 2 (the base model by feature set: ROC curves and AUC, feature
//! importances) and Fig. 4 (transferability over five scenarios).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    BLUE, Drawn, Figure, GREY, Numbers, PALETTE, RED, SANS, Side, legend_box, line_key, save,
    violin,
};
use crate::config::{Config, Role};
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

/// One transfer test: scenario index, feature set index, ΔAUC, target name.
type Point = (usize, usize, f64, String);

struct Fig4 {
    points: Vec<Point>,
    sets: Vec<String>,
    lo: f64,
    hi: f64,
}

impl Figure for Fig4 {
    const SIZE: (u32, u32) = (1100, 620);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let scen = Role::SCENARIOS;
        let mut c = ChartBuilder::on(root)
            .caption(
                "Transferability: the base model's ROC-AUC on new data − a model trained on that data (filled: interstice 80, hollow: symmetry functions 166)",
                (SANS, 17),
            )
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..scen.len() as f64 - 0.5, self.lo..self.hi)
            .d()?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(scen.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < scen.len() {
                    scen[k as usize].label().to_string()
                } else {
                    String::new()
                }
            })
            .y_desc("ΔROC-AUC (generalisation − same condition)")
            .label_style((SANS, 14))
            .draw()
            .d()?;
        c.draw_series(LineSeries::new(
            [(-0.5, 0.0), (scen.len() as f64 - 0.5, 0.0)],
            GREY.stroke_width(1),
        ))
        .d()?;
        for (si, _) in scen.iter().enumerate() {
            for (fi, _) in self.sets.iter().enumerate() {
                let vals: Vec<f64> = self
                    .points
                    .iter()
                    .filter(|p| p.0 == si && p.1 == fi)
                    .map(|p| p.2)
                    .collect();
                let (color, side, filled) = if fi == 0 {
                    (BLUE, Side::Left, true)
                } else {
                    (RED, Side::Right, false)
                };
                if let Some(v) = violin(&vals, si as f64, 0.38, side, color, filled) {
                    c.draw_series(std::iter::once(v)).d()?;
                }
                let dx = if fi == 0 { -0.12 } else { 0.12 };
                let x = si as f64 + dx;
                if !vals.is_empty() {
                    // The mean over the target data sets: a short bar.
                    let m = super::mean(&vals);
                    c.draw_series(std::iter::once(PathElement::new(
                        [(x - 0.08, m), (x + 0.08, m)],
                        BLACK.stroke_width(2),
                    )))
                    .d()?;
                }
                if !filled {
                    c.draw_series(vals.iter().map(|&y| Circle::new((x, y), 5, WHITE.filled())))
                        .d()?;
                }
                c.draw_series(vals.iter().map(|&y| {
                    let style = if filled {
                        color.filled()
                    } else {
                        color.stroke_width(2)
                    };
                    Circle::new((x, y), 5, style)
                }))
                .d()?;
            }
        }
        for (fi, name) in self.sets.iter().enumerate() {
            let color = if fi == 0 { BLUE } else { RED };
            c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .d()?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Circle::new(
                        (x + 10, y),
                        5,
                        if fi == 0 {
                            color.filled()
                        } else {
                            color.stroke_width(2)
                        },
                    )
                });
        }
        c.draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .d()?
            .label("mean over target data sets")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        legend_box(&mut c, SeriesLabelPosition::LowerLeft, 15)?;
        Ok(())
    }
}

pub fn fig4(config: &Config, results: &Results, dir: &Path) -> Result<PathBuf> {
    let sets: Vec<String> = ["paper80", "sf166"]
        .into_iter()
        .filter(|s| results.base(s).is_some())
        .map(String::from)
        .collect();
    if sets.is_empty() {
        bail!("fig4 needs paper80 (and sf166) in feature_sets");
    }
    let mut points = Vec::new();
    let mut csv = String::from(
        "scenario,feature_set,dataset,roc_auc,balanced_roc_auc,same_condition_roc_auc,delta_roc_auc,average_precision,precision_top5,base_rate\n",
    );
    let mut summary = BTreeMap::new();
    for (si, role) in Role::SCENARIOS.iter().enumerate() {
        for (fi, set) in sets.iter().enumerate() {
            let mut deltas = Vec::new();
            for t in results
                .transfer
                .iter()
                .filter(|t| t.role == *role && &t.set == set)
            {
                let delta = t.delta_auc();
                let s = &t.scores;
                let _ = writeln!(
                    csv,
                    "{},{set},{},{:?},{:?},{:?},{delta:?},{:?},{:?},{:?}",
                    role.label(),
                    t.dataset,
                    s.roc_auc,
                    s.balanced_roc_auc.0,
                    t.own_roc_auc,
                    s.average_precision,
                    s.precision_top,
                    s.base_rate
                );
                deltas.push(delta);
                points.push((si, fi, delta, t.dataset.clone()));
            }
            if !deltas.is_empty() {
                let key = role.label().replace(' ', "_");
                summary.insert(format!("delta_auc_{key}_{set}"), super::mean(&deltas));
            }
        }
    }
    if points.is_empty() {
        bail!("fig4 needs data sets other than the base (roles new-configuration, other-rate, …)");
    }
    let lo = points.iter().map(|p| p.2).fold(0.0, f64::min) - 0.05;
    let hi = points.iter().map(|p| p.2).fold(0.0, f64::max) + 0.05;
    let fig = Fig4 {
        points,
        sets,
        lo,
        hi,
    };
    let _ = config;
    save(&fig, dir, "fig4", &Numbers { csv, summary })
}
