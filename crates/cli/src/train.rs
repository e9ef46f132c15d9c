//! `interstice train`: the paper's 15-model protocol on a feature table and
//! plastic labels, with the metrics table and quench-in softness.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use interstice_learn::baselines::{LogisticParams, SvmParams};
use interstice_learn::protocol::ModelKind;
use interstice_pipeline::{common, model, train};

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

/// Runs the protocol and prints the metrics table to `out`.
pub fn run(args: &TrainArgs, out: &mut impl Write) -> Result<()> {
    common::check_trees(args.trees, "--trees")?;
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
    common::check_outputs(&outputs)?;
    let (features, preset) = train::read_features(&args.features)?;
    let y = model::read_labels(&features.ids, &args.labels, &args.label_column)?;
    let best_fold = match args.qs.as_str() {
        "mean" => false,
        "best-fold" => true,
        other => bail!("--qs {other}: expected mean or best-fold"),
    };
    let kind = match args.classifier.as_str() {
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
    let params = train::protocol(args.seed, args.trees, kind);
    let t = train::train(
        features,
        preset,
        y,
        &args.label_column,
        params,
        &args.labels,
    )?;
    write!(out, "{}", t.report())?;
    if let Some(path) = &args.model {
        let file = t.model_file(&args.features, &args.labels)?;
        model::save(&file, path)?;
        writeln!(
            out,
            "wrote {} models to {}",
            file.models.len(),
            path.display()
        )?;
    }
    if let Some(path) = &args.metrics {
        t.write_metrics(path)?;
        writeln!(out, "wrote metrics to {}", path.display())?;
    }
    if let Some(prefix) = &args.curves {
        t.write_curves(prefix)?;
        writeln!(
            out,
            "wrote ROC and PR curves to {}-roc.csv and -pr.csv",
            prefix.display()
        )?;
    }
    if let Some(path) = &args.out {
        t.write_softness(path, best_fold)?;
        writeln!(out, "wrote quench-in softness to {}", path.display())?;
    }
    Ok(())
}
