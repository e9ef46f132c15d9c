//! `interstice train`: the paper's 15-model protocol on a feature table and
//! plastic labels, with the metrics table and quench-in softness.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use interstice_pipeline::{common, model, train};

/// Arguments of `interstice train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Feature table: CSV (`id` then one column per feature) or Parquet (by its
    /// `.parquet` name). Repeat it (with `--labels`) to pool several glasses.
    #[arg(long, required = true)]
    pub features: Vec<PathBuf>,
    /// Labels (CSV with `id` and a 0/1 column, as `interstice label` writes),
    /// one per `--features`, in the same order.
    #[arg(long, required = true)]
    pub labels: Vec<PathBuf>,
    /// Folds: `random` (the paper's), `blocks` (slabs along each cell vector
    /// in turn, training atoms within `--guard` of the test slab dropped;
    /// shared/SPEC.md §7b) or `glasses` (leave one glass out). Honest folds
    /// also print the paper's protocol's scores beside theirs.
    #[arg(long, default_value = "random")]
    pub cv: String,
    /// The guard of `--cv blocks`, Å.
    #[arg(long, default_value_t = train::DEFAULT_GUARD, allow_hyphen_values = true)]
    pub guard: f64,
    /// With `--cv blocks`: K³ cells (K along each cell vector, each cell a
    /// test fold in every undersampling) instead of slabs.
    #[arg(long, value_name = "K")]
    pub cells: Option<usize>,
    /// Standardise every feature within each glass before pooling (mean 0,
    /// variance 1 per glass; uses no labels).
    #[arg(long)]
    pub standardize_per_glass: bool,
    /// With `--cv blocks`, also print the slab score at every whole guard
    /// from 0 Å to `--guard` (the leak as a curve; one protocol run each).
    #[arg(long)]
    pub guard_curve: bool,
    /// The frame each `--features` table was computed from, for `--cv blocks`
    /// (default: the file and frame a Parquet table names).
    #[arg(long)]
    pub positions: Vec<PathBuf>,
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
    /// averages only the models that did not train on the atom; with several
    /// glasses, a `glass` column first, as atom ids repeat).
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
    if args.labels.len() != args.features.len() {
        bail!(
            "{} --features but {} --labels; give one labels table per feature table",
            args.features.len(),
            args.labels.len()
        );
    }
    if !args.positions.is_empty() && args.positions.len() != args.features.len() {
        bail!(
            "{} --positions for {} --features; give one frame per feature table or none",
            args.positions.len(),
            args.features.len()
        );
    }
    let cv = train::Cv::parse(&args.cv, args.guard, args.cells, args.features.len())?;
    let best_fold = train::best_fold(&args.qs)?;
    let kind = train::classifier(&args.classifier, args.model.is_some())?;
    let glasses: Vec<train::GlassFiles> = (0..args.features.len())
        .map(|k| train::GlassFiles {
            features: args.features[k].clone(),
            labels: args.labels[k].clone(),
            positions: args.positions.get(k).cloned(),
        })
        .collect();
    let mut pooled = train::pool(
        &glasses,
        &args.label_column,
        matches!(cv, train::Cv::Blocks { .. }),
    )?;
    if args.standardize_per_glass {
        if args.model.is_some() {
            bail!(
                "--standardize-per-glass trains on per-glass z-scores, which a saved model's users would not know to apply; drop --model"
            );
        }
        train::standardize_per_glass(&mut pooled);
    }
    let folds = train::folds(cv, &pooled)?;
    let params = train::protocol(args.seed, args.trees, kind);
    if args.guard_curve && matches!(cv, train::Cv::Blocks { .. }) {
        let mut guards: Vec<f64> = (0..)
            .map(f64::from)
            .take_while(|g| *g < args.guard)
            .collect();
        guards.push(args.guard);
        let curve = train::guard_curve(&pooled, params, &guards, args.cells)?;
        let points: Vec<String> = curve.iter().map(|(g, a)| format!("{g} Å {a:.3}")).collect();
        let block = if args.cells.is_some() { "cell" } else { "slab" };
        writeln!(out, "guard curve ({block} ROC-AUC): {}", points.join(", "))?;
    }
    let glass = pooled.glass.clone();
    let n_glasses = args.features.len();
    let honest = cv != train::Cv::Random;
    // The paper's protocol beside the honest one, on the same atoms.
    let paper = if honest {
        let start = std::time::Instant::now();
        let t = train::train(
            pooled.features.clone(),
            pooled.preset.clone(),
            pooled.labels.clone(),
            &args.label_column,
            params,
            &args.labels[0],
        )?;
        Some((t, start.elapsed().as_secs_f64()))
    } else {
        None
    };
    let start = std::time::Instant::now();
    let mut t = train::train_with(
        pooled.features,
        pooled.preset,
        pooled.labels,
        &args.label_column,
        params,
        &folds,
        &args.labels[0],
    )?;
    let seconds = start.elapsed().as_secs_f64();
    t.glass = glass;
    if n_glasses > 1 {
        writeln!(out, "{n_glasses} glasses pooled")?;
    }
    write!(out, "{}", t.report())?;
    if let Some((p, paper_seconds)) = &paper {
        writeln!(
            out,
            "paper's protocol, {}: {} ({paper_seconds:.1} s)",
            train::Cv::Random.describe(),
            p.summary_line()
        )?;
        writeln!(
            out,
            "honest protocol, {}: {} ({seconds:.1} s)",
            cv.describe(),
            t.summary_line()
        )?;
    }
    if let Some(path) = &args.model {
        let f: Vec<&std::path::Path> = args.features.iter().map(PathBuf::as_path).collect();
        let l: Vec<&std::path::Path> = args.labels.iter().map(PathBuf::as_path).collect();
        let file = t.model_file_of(&f, &l)?;
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
