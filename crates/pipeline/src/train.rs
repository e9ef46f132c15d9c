//! The paper's 15-model protocol on a feature table and plastic labels, and
//! the files it leaves: models, metrics, ROC and PR curves, quench-in softness.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::gbdt::{GbdtParams, Matrix};
use interstice_learn::protocol::{
    FoldScores, ModelKind, ProtocolParams, ProtocolResult, cross_validate, mean_std,
};

use crate::model::{MODEL_FORMAT, ModelFile};

/// Reads a feature table (CSV, or Parquet by its `.parquet` name, whose
/// metadata also names the preset), checked for rows, columns and finite
/// values.
///
/// # Errors
/// An unreadable or bad table.
pub fn read_features(path: &Path) -> Result<(Table, Option<String>)> {
    let (table, preset) = if path.extension().is_some_and(|e| e == "parquet") {
        let (t, meta) = Table::read_parquet(path)?;
        let preset = meta
            .key_values
            .into_iter()
            .find(|(k, _)| k == "preset")
            .map(|(_, v)| v);
        (t, preset)
    } else {
        (Table::read_csv(path)?, None)
    };
    crate::common::check_feature_table(&table, path)?;
    Ok((table, preset))
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
}

/// Runs the protocol on `features` and `labels` (one per row).
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
    let result = cross_validate(&x, &labels, &params)?;
    Ok(Training {
        features,
        preset,
        labels,
        label_column: label_column.into(),
        params,
        result,
    })
}

impl Training {
    /// The metrics table for a terminal: four lines.
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
             most important        {}\n",
            r.folds.len(),
            self.params.undersamplings,
            self.params.folds,
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
            top.join(", ")
        )
    }

    /// The model file: the 15 boosters with their feature names, settings,
    /// version and the SHA-256 of the training tables.
    ///
    /// # Errors
    /// Unreadable training tables.
    pub fn model_file(&self, features_path: &Path, labels_path: &Path) -> Result<ModelFile> {
        Ok(ModelFile {
            format: MODEL_FORMAT.into(),
            interstice_version: env!("CARGO_PKG_VERSION").into(),
            features: self.features.columns.clone(),
            label_column: self.label_column.clone(),
            seed: self.params.seed,
            gbdt: self.params.gbdt,
            training_sha256: [
                crate::common::sha256_file(features_path)?,
                crate::common::sha256_file(labels_path)?,
            ],
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

    /// Quench-in softness per atom as CSV: `id,qs,qs_held_out,<label>`;
    /// `qs` is the 15-model mean, or the best fold's model with `best_fold`.
    ///
    /// # Errors
    /// File errors.
    pub fn write_softness(&self, path: &Path, best_fold: bool) -> Result<()> {
        let r = &self.result;
        let qs = if best_fold { &r.qs_best_fold } else { &r.qs };
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
            let mut f = interstice_io::OutputFile::create(&path)?;
            f.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.commit()?;
        }
        Ok(())
    }
}
