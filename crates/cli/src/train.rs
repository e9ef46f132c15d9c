//! `interstice train`: the paper's 15-model protocol on a feature table and
//! plastic labels, with the metrics table and quench-in softness.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::baselines::{LogisticParams, SvmParams};
use interstice_learn::gbdt::{GbdtParams, Matrix};
use interstice_learn::protocol::{ModelKind, ProtocolParams, cross_validate, mean_std};

/// Arguments of `interstice train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Feature table: CSV (`id` then one column per feature) or Parquet (by its `.parquet` name).
    #[arg(long)]
    pub features: PathBuf,
    /// Labels (CSV with `id` and a 0/1 column, as `interstice label` writes).
    #[arg(long)]
    pub labels: PathBuf,
    /// The label column.
    #[arg(long, default_value = "plastic")]
    pub label_column: String,
    /// Seed of the undersampling, folds and feature sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Boosting stages per model.
    #[arg(long, default_value_t = 300)]
    pub trees: usize,
    /// The classifier: `gbdt` (the paper's), or the baselines `logistic` and `svm`
    /// (RBF, Platt probabilities), both on standardised features.
    #[arg(long, default_value = "gbdt")]
    pub classifier: String,
    /// Quench-in softness per atom (CSV: id, qs, qs_held_out, label; `qs_held_out`
    /// averages only the models that did not train on the atom).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Quench-in softness as the `mean` probability of the 15 models (the paper's)
    /// or that of the `best-fold` model (highest balanced-fold ROC-AUC).
    #[arg(long, default_value = "mean")]
    pub qs: String,
    /// Write the scores of every model and their mean ± std as JSON.
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// Write the ROC and precision–recall curves of every model to
    /// PREFIX-roc.csv and PREFIX-pr.csv (columns: model, set = balanced or
    /// natural, x, y, threshold).
    #[arg(long, value_name = "PREFIX")]
    pub curves: Option<PathBuf>,
    /// Save the 15 models, with the feature names, preset, settings, version and the
    /// SHA-256 of the training tables, for `interstice predict`: readable JSON, or
    /// compact postcard when the name ends in `.postcard`.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

pub use interstice_learn::ensemble::{MODEL_FORMAT, ModelFile};

/// The 0/1 labels of `ids` from column `column` of the CSV table at `path`.
///
/// # Errors
/// A missing column, an atom without a label, or a label other than 0 or 1.
pub fn read_labels(ids: &[u64], path: &std::path::Path, column: &str) -> Result<Vec<bool>> {
    let labels = Table::read_csv(path)?;
    let col = labels
        .column_index(column)
        .with_context(|| format!("{}: no column '{column}'", path.display()))?;
    let label_of: std::collections::HashMap<u64, f64> =
        labels.ids.iter().copied().zip(labels.column(col)).collect();
    ids.iter()
        .map(|id| {
            let v = *label_of
                .get(id)
                .with_context(|| format!("atom id {id} has no label in {}", path.display()))?;
            if v != 0.0 && v != 1.0 {
                bail!(
                    "{}: label of atom id {id} is {v}, expected 0 or 1",
                    path.display()
                );
            }
            Ok(v == 1.0)
        })
        .collect()
}

/// Runs the protocol and prints the metrics table to `out`.
pub fn run(args: &TrainArgs, out: &mut impl Write) -> Result<()> {
    crate::common::check_trees(args.trees, "--trees")?;
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    for (flag, p) in [
        ("--out", &args.out),
        ("--model", &args.model),
        ("--metrics", &args.metrics),
    ] {
        if let Some(p) = p {
            outputs.push((flag, p.as_path()));
        }
    }
    crate::common::check_outputs(&outputs)?;
    // One read: Parquet also carries the preset in its metadata.
    let (features, preset) = if args.features.extension().is_some_and(|e| e == "parquet") {
        let (t, meta) = Table::read_parquet(&args.features)?;
        let preset = meta
            .key_values
            .into_iter()
            .find(|(k, _)| k == "preset")
            .map(|(_, v)| v);
        (t, preset)
    } else {
        (Table::read_csv(&args.features)?, None)
    };
    crate::common::check_feature_table(&features, &args.features)?;
    let y = read_labels(&features.ids, &args.labels, &args.label_column)?;
    let plastic = y.iter().filter(|&&l| l).count();
    if plastic == 0 || plastic == y.len() {
        bail!(
            "{}: column '{}' labels {} of the {} atoms plastic; learning needs both classes",
            args.labels.display(),
            args.label_column,
            if plastic == 0 { "none" } else { "all" },
            y.len()
        );
    }
    let x = Matrix::new(&features.values, features.ids.len(), features.columns.len())?;
    let best_fold = match args.qs.as_str() {
        "mean" => false,
        "best-fold" => true,
        other => bail!("--qs {other}: expected mean or best-fold"),
    };
    let model = match args.classifier.as_str() {
        "gbdt" => ModelKind::Gbdt,
        "logistic" | "svm" if args.model.is_some() => {
            bail!(
                "--model saves boosters only; drop it with --classifier {}",
                args.classifier
            )
        }
        "logistic" => ModelKind::Logistic(LogisticParams::default()),
        "svm" => ModelKind::Svm(SvmParams::default()),
        other => bail!("--classifier {other}: expected gbdt, logistic or svm"),
    };
    let params = ProtocolParams {
        seed: args.seed,
        gbdt: GbdtParams {
            n_trees: args.trees,
            ..GbdtParams::default()
        },
        model,
        ..ProtocolParams::default()
    };
    let r = cross_validate(&x, &y, &params)?;
    let stat = |f: &dyn Fn(&interstice_learn::protocol::FoldScores) -> f64| {
        let (m, s) = mean_std(&r.folds.iter().map(f).collect::<Vec<_>>());
        format!("{m:.3} ± {s:.3}")
    };
    writeln!(
        out,
        "{} models ({} undersamplings × {} folds), {} atoms, {plastic} plastic ({:.2} %), {} features",
        r.folds.len(),
        params.undersamplings,
        params.folds,
        y.len(),
        100.0 * plastic as f64 / y.len() as f64,
        features.columns.len()
    )?;
    writeln!(
        out,
        "balanced test folds   ROC-AUC {}  accuracy {}  F1 {}  precision {}  recall {}",
        stat(&|f| f.roc_auc),
        stat(&|f| f.accuracy),
        stat(&|f| f.f1),
        stat(&|f| f.precision),
        stat(&|f| f.recall)
    )?;
    writeln!(
        out,
        "natural class ratio   ROC-AUC {}  average precision {} (chance {})  precision in the top {} % {}",
        stat(&|f| f.natural_roc_auc),
        stat(&|f| f.natural_average_precision),
        stat(&|f| f.natural_base_rate),
        params.top_percent,
        stat(&|f| f.natural_precision_top)
    )?;
    let mut importance = vec![0.0; features.columns.len()];
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
        .map(|&k| format!("{} {:.3}", features.columns[k], importance[k]))
        .collect();
    writeln!(out, "most important        {}", top.join(", "))?;
    if let Some(path) = &args.model {
        let file = ModelFile {
            format: MODEL_FORMAT.into(),
            interstice_version: env!("CARGO_PKG_VERSION").into(),
            features: features.columns.clone(),
            label_column: args.label_column.clone(),
            seed: args.seed,
            gbdt: params.gbdt,
            training_sha256: [
                crate::common::sha256_file(&args.features)?,
                crate::common::sha256_file(&args.labels)?,
            ],
            preset,
            models: r.models.clone(),
        };
        let mut f = interstice_io::OutputFile::create(path)?;
        if is_postcard(path) {
            let bytes = postcard::to_stdvec(&file).context("cannot encode the models")?;
            f.write_all(&bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        } else {
            serde_json::to_writer(&mut f, &file)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        f.commit()?;
        writeln!(
            out,
            "wrote {} models to {}",
            file.models.len(),
            path.display()
        )?;
    }
    if let Some(path) = &args.metrics {
        write_metrics(path, &r, &params, &features.columns, &y)?;
        writeln!(out, "wrote metrics to {}", path.display())?;
    }
    if let Some(prefix) = &args.curves {
        write_curves(prefix, &r)?;
        writeln!(
            out,
            "wrote ROC and PR curves to {}-roc.csv and -pr.csv",
            prefix.display()
        )?;
    }
    if let Some(path) = &args.out {
        let qs = if best_fold { &r.qs_best_fold } else { &r.qs };
        let table = Table {
            columns: vec!["qs".into(), "qs_held_out".into(), args.label_column.clone()],
            ids: features.ids.clone(),
            values: qs
                .iter()
                .zip(&r.qs_held_out)
                .zip(&y)
                .flat_map(|((q, h), &l)| [*q, *h, f64::from(u8::from(l))])
                .collect(),
        };
        table.write_csv(path)?;
        writeln!(out, "wrote quench-in softness to {}", path.display())?;
    }
    Ok(())
}

/// Every model's ROC and PR curves on its balanced test fold and on the
/// natural class ratio, as two CSV files.
fn write_curves(
    prefix: &std::path::Path,
    r: &interstice_learn::protocol::ProtocolResult,
) -> Result<()> {
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
        for (k, f) in r.folds.iter().enumerate() {
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

/// Whether a model path names the compact binary format.
pub fn is_postcard(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "postcard")
}

/// The per-model scores and their summary as JSON.
fn write_metrics(
    path: &std::path::Path,
    r: &interstice_learn::protocol::ProtocolResult,
    params: &ProtocolParams,
    columns: &[String],
    y: &[bool],
) -> Result<()> {
    let doc = interstice_learn::report::Metrics::of(
        r,
        params,
        columns.len(),
        y,
        env!("CARGO_PKG_VERSION"),
    );
    let mut f = interstice_io::OutputFile::create(path)?;
    serde_json::to_writer_pretty(&mut f, &doc)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.commit()?;
    Ok(())
}
