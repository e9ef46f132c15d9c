//! The paper's 15-model protocol on a feature table and plastic labels, and
//! the files it leaves: models, metrics, ROC and PR curves, quench-in softness.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::folds::{Folds, Geometry};
use interstice_learn::gbdt::{GbdtParams, Matrix};
use interstice_learn::protocol::{
    FoldScores, ModelKind, ProtocolParams, ProtocolResult, cross_validate_with, mean_std,
};

use crate::model::{MODEL_FORMAT, ModelFile};

/// Reads a feature table (CSV, or Parquet by its `.parquet` name, whose
/// metadata also names the preset), checked for rows, columns and finite
/// values.
///
/// # Errors
/// An unreadable or bad table.
pub fn read_features(path: &Path) -> Result<(Table, Option<String>)> {
    let (table, meta) = read_features_meta(path)?;
    let preset = meta
        .iter()
        .find(|(k, _)| k == "preset")
        .map(|(_, v)| v.clone());
    Ok((table, preset))
}

/// [`read_features`] with the table's key-value metadata (Parquet; empty for CSV).
///
/// # Errors
/// An unreadable or bad table.
pub fn read_features_meta(path: &Path) -> Result<(Table, Vec<(String, String)>)> {
    let (table, meta) = if path.extension().is_some_and(|e| e == "parquet") {
        let (t, meta) = Table::read_parquet(path)?;
        (t, meta.key_values)
    } else {
        (Table::read_csv(path)?, Vec::new())
    };
    crate::common::check_feature_table(&table, path)?;
    Ok((table, meta))
}

/// How the protocol splits the atoms (shared/SPEC.md §7b).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cv {
    /// The paper's random folds.
    Random,
    /// Slabs along each cell vector in turn, or `cells`³ cells; training
    /// atoms closer than `guard` Å to the test block are dropped.
    Blocks {
        /// The guard distance, Å.
        guard: f64,
        /// Cells per cell vector (k³ cells), or `None` for slabs.
        cells: Option<usize>,
    },
    /// Leave one glass out.
    Glasses,
}

/// The default guard, Å: the synthetic leakage test (crates/learn/tests/leakage.rs)
/// flattens from about 5 Å, and so does the measurement on a real
/// glass (0.56 at 3 Å, 0.55 at 5 Å).
pub const DEFAULT_GUARD: f64 = 5.0;

impl Cv {
    /// The folds called `name` (`random`, `blocks`, `glasses`), with the
    /// guard of `blocks` and its cells per axis (`None`: slabs), for
    /// `glasses` pooled glasses; messages name the `--cv`, `--guard` and
    /// `--cells` options.
    ///
    /// # Errors
    /// An unknown name, a bad guard or cell count, `--cells` without
    /// blocks, or `glasses` with fewer than two.
    pub fn parse(name: &str, guard: f64, cells: Option<usize>, glasses: usize) -> Result<Cv> {
        if cells.is_some() && name != "blocks" {
            bail!("--cells cuts blocks: give it with --cv blocks");
        }
        match name {
            "random" => Ok(Cv::Random),
            "blocks" if !(guard.is_finite() && guard >= 0.0) => {
                bail!("--guard must be a finite distance ≥ 0 Å, found {guard}")
            }
            "blocks" if cells.is_some_and(|k| !(2..=10).contains(&k)) => {
                bail!(
                    "--cells must be 2 to 10 cells per cell vector, found {}",
                    cells.unwrap_or(0)
                )
            }
            "blocks" => Ok(Cv::Blocks { guard, cells }),
            "glasses" if glasses < 2 => bail!(
                "--cv glasses leaves one glass out: give at least two --features/--labels pairs"
            ),
            "glasses" => Ok(Cv::Glasses),
            other => bail!("--cv {other}: expected random, blocks or glasses"),
        }
    }

    /// The name on the command line and in reports.
    pub fn describe(self) -> String {
        match self {
            Cv::Random => "random folds (the paper's protocol)".into(),
            Cv::Blocks { guard, cells: None } => format!("slabs with a {guard} Å guard"),
            Cv::Blocks {
                guard,
                cells: Some(k),
            } => format!("{k}³ cells with a {guard} Å guard"),
            Cv::Glasses => "one glass left out".into(),
        }
    }
}

/// One glass to learn from: its feature table, its labels, and (for
/// [`Cv::Blocks`]) the frame its features came from.
#[derive(Clone, Debug)]
pub struct GlassFiles {
    /// The feature table.
    pub features: PathBuf,
    /// The labels (CSV with `id` and a 0/1 column).
    pub labels: PathBuf,
    /// The frame with the atoms' positions; by default the Parquet table's
    /// `source.file` and `source.frame`.
    pub positions: Option<PathBuf>,
}

/// Several glasses pooled into one table.
pub struct Pooled {
    /// The rows of every glass, in order.
    pub features: Table,
    /// The preset all tables name, if any.
    pub preset: Option<String>,
    /// The label of every row.
    pub labels: Vec<bool>,
    /// The glass of every row (0-based, in the order given).
    pub glass: Vec<usize>,
    /// Where every row sits, when asked for.
    pub geometry: Option<Geometry>,
}

/// Reads and pools glasses: the same feature columns in every table;
/// positions (fractional, with each cell's widths) when `positions` is set.
///
/// # Errors
/// Unreadable or inconsistent tables, missing labels, or (with
/// `positions`) a table without a frame to take positions from.
pub fn pool(glasses: &[GlassFiles], label_column: &str, positions: bool) -> Result<Pooled> {
    let mut out: Option<Pooled> = None;
    for (g, files) in glasses.iter().enumerate() {
        let (table, meta) = read_features_meta(&files.features)?;
        let labels = crate::model::read_labels(&table.ids, &files.labels, label_column)?;
        let key = |k: &str| meta.iter().find(|(m, _)| m == k).map(|(_, v)| v.clone());
        let geometry = if positions {
            let (path, frame) = match (&files.positions, key("source.file")) {
                (Some(p), _) => (p.clone(), 0),
                (None, Some(f)) => (
                    PathBuf::from(f),
                    key("source.frame")
                        .and_then(|k| k.parse().ok())
                        .unwrap_or(0),
                ),
                (None, None) => bail!(
                    "{}: block folds need the atoms' positions, and the table does not name its frame (a Parquet table of interstice featurize does); give --positions",
                    files.features.display()
                ),
            };
            Some(positions_of(&table.ids, &path, frame).with_context(|| {
                format!(
                    "{}: the positions of its atoms (give --positions when the table's frame has moved)",
                    files.features.display()
                )
            })?)
        } else {
            None
        };
        let preset = key("preset");
        match &mut out {
            None => {
                out = Some(Pooled {
                    glass: vec![g; table.ids.len()],
                    features: table,
                    preset,
                    labels,
                    geometry,
                })
            }
            Some(p) => {
                if p.features.columns != table.columns {
                    bail!(
                        "{}: its feature columns differ from those of {}; pool tables of one preset",
                        files.features.display(),
                        glasses[0].features.display()
                    );
                }
                if p.preset != preset {
                    p.preset = None;
                }
                p.glass.extend(std::iter::repeat_n(g, table.ids.len()));
                p.features.ids.extend(&table.ids);
                p.features.values.extend(&table.values);
                p.labels.extend(labels);
                if let (Some(a), Some(b)) = (&mut p.geometry, geometry) {
                    a.fractional.extend(b.fractional);
                    a.widths.extend(b.widths);
                }
            }
        }
    }
    out.context("no glass to learn from")
}

/// Standardises every feature within each glass (zero mean, unit variance
/// over that glass's atoms; a constant column becomes 0): a per-glass
/// normalisation that uses no labels, so a left-out glass may use it too.
pub fn standardize_per_glass(pooled: &mut Pooled) {
    let cols = pooled.features.columns.len();
    let n_glasses = pooled.glass.iter().max().map_or(0, |m| m + 1);
    for g in 0..n_glasses {
        let rows: Vec<usize> = (0..pooled.glass.len())
            .filter(|&i| pooled.glass[i] == g)
            .collect();
        for c in 0..cols {
            let v: Vec<f64> = rows
                .iter()
                .map(|&i| pooled.features.values[i * cols + c])
                .collect();
            let (m, sd) = mean_std(&v);
            for &i in &rows {
                let x = &mut pooled.features.values[i * cols + c];
                *x = if sd > 0.0 { (*x - m) / sd } else { 0.0 };
            }
        }
    }
}

/// The fractional coordinates of the atoms `ids` in frame `k` of `path`,
/// with the cell's perpendicular widths.
fn positions_of(ids: &[u64], path: &Path, k: usize) -> Result<Geometry> {
    let mut reader = crate::common::open_frames(path, None)?;
    let (_, frame) = crate::common::read_frame(&mut reader, k as i64, "the positions' frame")?;
    crate::honest::geometry_of(ids, &frame, path)
}

/// The leakage curve: the mean balanced ROC-AUC of the block protocol
/// (slabs, or `cells`³ cells) at each guard of `guards` (Å), so the leak
/// shows as the guard grows.
///
/// # Errors
/// Pooled glasses without positions, or an error of the protocol.
pub fn guard_curve(
    pooled: &Pooled,
    params: ProtocolParams,
    guards: &[f64],
    cells: Option<usize>,
) -> Result<Vec<(f64, f64)>> {
    let geometry = pooled
        .geometry
        .as_ref()
        .context("a guard curve needs the atoms' positions")?;
    crate::honest::guard_curve(
        &pooled.features,
        &pooled.labels,
        geometry,
        &params,
        guards,
        cells,
    )
}

/// The folds of `cv` for pooled glasses.
///
/// # Errors
/// Block folds without positions.
pub fn folds(cv: Cv, pooled: &Pooled) -> Result<Folds> {
    Ok(match cv {
        Cv::Random => Folds::Random,
        Cv::Blocks { guard, cells } => {
            let geometry = pooled
                .geometry
                .clone()
                .context("block folds need the atoms' positions")?;
            match cells {
                None => Folds::Slabs { geometry, guard },
                Some(per_axis) => Folds::Cells {
                    geometry,
                    guard,
                    per_axis,
                },
            }
        }
        Cv::Glasses => Folds::Groups(pooled.glass.clone()),
    })
}

/// Whether quench-in softness is the `mean` of the models (the paper's,
/// `false`) or the `best-fold` model's (`true`).
///
/// # Errors
/// Another name (the `--qs` option's message).
pub fn best_fold(name: &str) -> Result<bool> {
    match name {
        "mean" => Ok(false),
        "best-fold" => Ok(true),
        other => bail!("--qs {other}: expected mean or best-fold"),
    }
}

/// The classifier called `name`: `gbdt` (the paper's), or the baselines
/// `logistic` and `svm`, which cannot be saved (`saving`).
///
/// # Errors
/// Another name, or a baseline to be saved (the options' messages).
pub fn classifier(name: &str, saving: bool) -> Result<ModelKind> {
    use interstice_learn::baselines::{LogisticParams, SvmParams};
    match name {
        "gbdt" => Ok(ModelKind::Gbdt),
        "logistic" | "svm" if saving => {
            bail!("--model saves boosters only; drop it with --classifier {name}")
        }
        "logistic" => Ok(ModelKind::Logistic(LogisticParams::default())),
        "svm" => Ok(ModelKind::Svm(SvmParams::default())),
        other => bail!("--classifier {other}: expected gbdt, logistic or svm"),
    }
}

/// The protocol's settings with the paper's GBDT and `trees` boosting stages.
pub fn protocol(seed: u64, trees: usize, model: ModelKind) -> ProtocolParams {
    ProtocolParams {
        seed,
        gbdt: GbdtParams {
            n_trees: trees,
            ..GbdtParams::default()
        },
        model,
        ..ProtocolParams::default()
    }
}

/// A finished protocol with what it was run on.
pub struct Training {
    /// The feature table.
    pub features: Table,
    /// The preset named in the table's metadata, if any.
    pub preset: Option<String>,
    /// The label of every row.
    pub labels: Vec<bool>,
    /// The label column's name.
    pub label_column: String,
    /// The settings.
    pub params: ProtocolParams,
    /// The 15 models, their scores and the softness.
    pub result: ProtocolResult,
    /// The glass of every row when several were pooled (0-based), else all 0.
    pub glass: Vec<usize>,
}

/// Runs the protocol on `features` and `labels` (one per row) with the
/// paper's random folds.
///
/// # Errors
/// One class only, or an error of the learner.
pub fn train(
    features: Table,
    preset: Option<String>,
    labels: Vec<bool>,
    label_column: &str,
    params: ProtocolParams,
    labels_name: &Path,
) -> Result<Training> {
    train_with(
        features,
        preset,
        labels,
        label_column,
        params,
        &Folds::Random,
        labels_name,
    )
}

/// [`train`] with the folds of `folds`.
///
/// # Errors
/// One class only, folds that cannot be made, or an error of the learner.
pub fn train_with(
    features: Table,
    preset: Option<String>,
    labels: Vec<bool>,
    label_column: &str,
    params: ProtocolParams,
    folds: &Folds,
    labels_name: &Path,
) -> Result<Training> {
    let plastic = labels.iter().filter(|&&l| l).count();
    if plastic == 0 || plastic == labels.len() {
        bail!(
            "{}: column '{label_column}' labels {} of the {} atoms plastic; learning needs both classes",
            labels_name.display(),
            if plastic == 0 { "none" } else { "all" },
            labels.len()
        );
    }
    let x = Matrix::new(&features.values, features.ids.len(), features.columns.len())?;
    let result = cross_validate_with(&x, &labels, &params, folds)?;
    Ok(Training {
        glass: vec![0; features.ids.len()],
        features,
        preset,
        labels,
        label_column: label_column.into(),
        params,
        result,
    })
}

impl Training {
    /// Mean ± std of a score over the models.
    pub fn stat(&self, f: &dyn Fn(&FoldScores) -> f64) -> (f64, f64) {
        mean_std(&self.result.folds.iter().map(f).collect::<Vec<_>>())
    }

    /// One line of the scores that matter for honest evaluation: balanced
    /// ROC-AUC, and at the natural ratio ROC-AUC, PR-AUC with its chance
    /// level and precision in the top 5 %.
    pub fn summary_line(&self) -> String {
        let pm = |v: (f64, f64)| format!("{:.3} ± {:.3}", v.0, v.1);
        format!(
            "ROC-AUC {} (natural ratio {}), PR-AUC {} (chance {:.3}), precision in the top {} % {}{}",
            pm(self.stat(&|f| f.roc_auc)),
            pm(self.stat(&|f| f.natural_roc_auc)),
            pm(self.stat(&|f| f.natural_average_precision)),
            self.stat(&|f| f.natural_base_rate).0,
            self.params.top_percent,
            pm(self.stat(&|f| f.natural_precision_top)),
            self.skipped_note()
        )
    }

    /// "; k of n test slabs skipped (one class only)", or nothing.
    fn skipped_note(&self) -> String {
        let k = self.result.skipped.len();
        if k == 0 {
            return String::new();
        }
        format!(
            "; {k} of {} test slabs skipped (one class only: plastic atoms cluster)",
            k + self.result.folds.len()
        )
    }

    /// The metrics table for a terminal: four lines (five when test slabs
    /// were skipped).
    pub fn report(&self) -> String {
        let r = &self.result;
        let y = &self.labels;
        let plastic = y.iter().filter(|&&l| l).count();
        let stat = |f: &dyn Fn(&FoldScores) -> f64| {
            let (m, s) = mean_std(&r.folds.iter().map(f).collect::<Vec<_>>());
            format!("{m:.3} ± {s:.3}")
        };
        let mut importance = vec![0.0; self.features.columns.len()];
        for f in &r.folds {
            for (a, b) in importance.iter_mut().zip(&f.importances) {
                *a += b / r.folds.len() as f64;
            }
        }
        let mut order: Vec<usize> = (0..importance.len()).collect();
        order.sort_by(|&a, &b| importance[b].total_cmp(&importance[a]).then(a.cmp(&b)));
        let top: Vec<String> = order
            .iter()
            .take(5)
            .map(|&k| format!("{} {:.3}", self.features.columns[k], importance[k]))
            .collect();
        format!(
            "{} models ({} undersamplings × {} folds), {} atoms, {plastic} plastic ({:.2} %), {} features\n\
             balanced test folds   ROC-AUC {}  accuracy {}  F1 {}  precision {}  recall {}\n\
             natural class ratio   ROC-AUC {}  average precision {} (chance {})  precision in the top {} % {}\n\
             most important        {}\n{}",
            r.folds.len(),
            self.params.undersamplings,
            r.folds.iter().map(|f| f.fold + 1).max().unwrap_or(0),
            y.len(),
            100.0 * plastic as f64 / y.len() as f64,
            self.features.columns.len(),
            stat(&|f| f.roc_auc),
            stat(&|f| f.accuracy),
            stat(&|f| f.f1),
            stat(&|f| f.precision),
            stat(&|f| f.recall),
            stat(&|f| f.natural_roc_auc),
            stat(&|f| f.natural_average_precision),
            stat(&|f| f.natural_base_rate),
            self.params.top_percent,
            stat(&|f| f.natural_precision_top),
            top.join(", "),
            self.result
                .skipped
                .iter()
                .map(|s| format!("skipped               {s}\n"))
                .collect::<String>()
        )
    }

    /// The model file: the 15 boosters with their feature names, settings,
    /// version and the SHA-256 of the training tables.
    ///
    /// # Errors
    /// Unreadable training tables.
    pub fn model_file(&self, features_path: &Path, labels_path: &Path) -> Result<ModelFile> {
        self.model_file_of(&[features_path], &[labels_path])
    }

    /// [`Training::model_file`] of pooled glasses: each training SHA-256 is
    /// that of one file, or of the list of the files' SHA-256 (one per line)
    /// when there are several.
    ///
    /// # Errors
    /// Unreadable training tables.
    pub fn model_file_of(&self, features: &[&Path], labels: &[&Path]) -> Result<ModelFile> {
        let sum = |paths: &[&Path]| -> Result<String> {
            if let [one] = paths {
                return crate::common::sha256_file(one);
            }
            let mut text = String::new();
            for p in paths {
                text.push_str(&crate::common::sha256_file(p)?);
                text.push('\n');
            }
            Ok(crate::common::sha256_bytes(text.as_bytes()))
        };
        let (features_sum, labels_sum) = (sum(features)?, sum(labels)?);
        Ok(ModelFile {
            format: MODEL_FORMAT.into(),
            interstice_version: env!("CARGO_PKG_VERSION").into(),
            features: self.features.columns.clone(),
            label_column: self.label_column.clone(),
            seed: self.params.seed,
            gbdt: self.params.gbdt,
            training_sha256: [features_sum, labels_sum],
            preset: self.preset.clone(),
            models: self.result.models.clone(),
        })
    }

    /// The per-model scores and their summary, as `metrics.json`.
    pub fn metrics(&self) -> interstice_learn::report::Metrics {
        interstice_learn::report::Metrics::of(
            &self.result,
            &self.params,
            self.features.columns.len(),
            &self.labels,
            env!("CARGO_PKG_VERSION"),
        )
    }

    /// Writes [`Training::metrics`] as pretty JSON.
    ///
    /// # Errors
    /// File errors.
    pub fn write_metrics(&self, path: &Path) -> Result<()> {
        let mut f = interstice_io::OutputFile::create(path)?;
        serde_json::to_writer_pretty(&mut f, &self.metrics())
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.commit()?;
        Ok(())
    }

    /// Quench-in softness per atom as CSV: `id,qs,qs_held_out,<label>`, or
    /// `glass,id,qs,qs_held_out,<label>` when several glasses were pooled
    /// (atom ids repeat across glasses); `qs` is the 15-model mean, or the
    /// best fold's model with `best_fold`.
    ///
    /// # Errors
    /// File errors.
    pub fn write_softness(&self, path: &Path, best_fold: bool) -> Result<()> {
        let r = &self.result;
        let qs = if best_fold { &r.qs_best_fold } else { &r.qs };
        if self.glass.iter().any(|&g| g != 0) {
            // Pooled glasses repeat atom ids: the key is (glass, id), so this
            // is a plain CSV rather than an id-keyed table.
            use std::fmt::Write as _;
            let mut text = format!("glass,id,qs,qs_held_out,{}\n", self.label_column);
            for i in 0..qs.len() {
                let _ = writeln!(
                    text,
                    "{},{},{:?},{:?},{}",
                    self.glass[i],
                    self.features.ids[i],
                    qs[i],
                    r.qs_held_out[i],
                    u8::from(self.labels[i])
                );
            }
            crate::common::write_file(path, text.as_bytes())?;
            return Ok(());
        }
        Table {
            columns: vec!["qs".into(), "qs_held_out".into(), self.label_column.clone()],
            ids: self.features.ids.clone(),
            values: qs
                .iter()
                .zip(&r.qs_held_out)
                .zip(&self.labels)
                .flat_map(|((q, h), &l)| [*q, *h, f64::from(u8::from(l))])
                .collect(),
        }
        .write_csv(path)?;
        Ok(())
    }

    /// Every model's ROC and PR curves on its balanced test fold and on the
    /// natural class ratio, as `PREFIX-roc.csv` and `PREFIX-pr.csv`
    /// (columns: model, set, x, y, threshold).
    ///
    /// # Errors
    /// File errors.
    pub fn write_curves(&self, prefix: &Path) -> Result<()> {
        use interstice_learn::metrics::{precision_recall_curve, roc_curve};
        use std::fmt::Write as _;
        let name = |suffix: &str| {
            let mut p = prefix.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        for (suffix, header, roc) in [
            ("-roc.csv", "model,set,fpr,tpr,threshold", true),
            ("-pr.csv", "model,set,recall,precision,threshold", false),
        ] {
            let mut text = format!("{header}\n");
            for (k, f) in self.result.folds.iter().enumerate() {
                for (set, (y, p)) in [("balanced", &f.test), ("natural", &f.natural)] {
                    let c = if roc {
                        roc_curve(y, p)?
                    } else {
                        precision_recall_curve(y, p)?
                    };
                    // ROC starts at (0, 0) with no threshold; PR has one per point.
                    let offset = c.x.len() - c.thresholds.len();
                    for i in 0..c.x.len() {
                        let t = if i >= offset {
                            format!("{:?}", c.thresholds[i - offset])
                        } else {
                            String::new()
                        };
                        let _ = writeln!(text, "{k},{set},{:?},{:?},{t}", c.x[i], c.y[i]);
                    }
                }
            }
            let path = name(suffix);
            crate::common::write_file(&path, text.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_glass_standardisation() {
        let mut p = Pooled {
            features: Table {
                columns: vec!["a".into(), "b".into()],
                ids: vec![1, 2, 3, 1, 2],
                values: vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 10.0, 0.0, 30.0, 1.0],
            },
            preset: None,
            labels: vec![false; 5],
            glass: vec![0, 0, 0, 1, 1],
            geometry: None,
        };
        standardize_per_glass(&mut p);
        let v = &p.features.values;
        // Glass 0, column a: 1, 2, 3 → −1.2247, 0, 1.2247; column b constant → 0.
        let s = 1.5f64.sqrt();
        for (got, want) in [
            (v[0], -s),
            (v[2], 0.0),
            (v[4], s),
            (v[1], 0.0),
            (v[3], 0.0),
            (v[5], 0.0),
        ] {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // Glass 1: two values each → −1 and 1.
        assert_eq!([v[6], v[8], v[7], v[9]], [-1.0, 1.0, -1.0, 1.0]);
    }
}
