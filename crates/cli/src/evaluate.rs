//! `interstice evaluate`: score a saved model on another data set (another
//! configuration, quench rate, composition or alloy), the transfer test of
//! the paper's Fig. 4, on the natural class ratio.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::gbdt::Matrix;
use interstice_learn::metrics::{Confusion, average_precision, precision_at_top_percent, roc_auc};

use crate::train::ModelFile;

/// Arguments of `interstice evaluate`.
#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    /// A model saved by `interstice train --model`.
    #[arg(long)]
    pub model: PathBuf,
    /// Feature table (CSV, or Parquet by its `.parquet` name) of the data set to score.
    #[arg(long)]
    pub features: PathBuf,
    /// Its labels (CSV with `id` and a 0/1 column).
    #[arg(long)]
    pub labels: PathBuf,
    /// The label column.
    #[arg(long, default_value = "plastic")]
    pub label_column: String,
    /// The top fraction, in percent, for precision at the top.
    #[arg(long, default_value_t = 5.0)]
    pub top_percent: f64,
}

/// Loads a model file and checks its layout.
pub fn load_model(path: &PathBuf) -> Result<ModelFile> {
    let model: ModelFile = if crate::train::is_postcard(path) {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        postcard::from_bytes(&bytes).with_context(|| {
            format!(
                "{}: not an interstice model file (postcard)",
                path.display()
            )
        })?
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not an interstice model file", path.display()))?
    };
    model
        .check()
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), inner(e)))?;
    Ok(model)
}

/// Quench-in softness of every row of `table` (columns checked against the model).
pub fn softness(model: &ModelFile, table: &Table, what: &std::path::Path) -> Result<Vec<f64>> {
    crate::common::check_feature_table(table, what)?;
    model
        .check_columns(&table.columns)
        .map_err(|e| anyhow::anyhow!("{} {}", what.display(), inner(e)))?;
    let x = Matrix::new(&table.values, table.ids.len(), table.columns.len())?;
    Ok(model.softness(&x)?)
}

/// The message of a check, without the error kind's prefix.
fn inner(e: interstice_learn::LearnError) -> String {
    match e {
        interstice_learn::LearnError::InvalidInput(m) => m,
        other => other.to_string(),
    }
}

/// Runs the command.
pub fn run(args: &EvaluateArgs, out: &mut impl Write) -> Result<()> {
    if !(args.top_percent > 0.0 && args.top_percent <= 100.0) {
        bail!(
            "--top-percent must be in (0, 100], found {}",
            args.top_percent
        );
    }
    let model = load_model(&args.model)?;
    let table = Table::read(&args.features)?;
    let qs = softness(&model, &table, &args.features)?;
    let y = crate::train::read_labels(&table.ids, &args.labels, &args.label_column)?;
    let base = y.iter().filter(|&&l| l).count() as f64 / y.len() as f64;
    let c = Confusion::new(&y, &qs)?;
    writeln!(
        out,
        "{} atoms, {:.2} % plastic, scored by {} models",
        y.len(),
        100.0 * base,
        model.models.len()
    )?;
    writeln!(
        out,
        "natural class ratio   ROC-AUC {:.3}  average precision {:.3} (chance {base:.3})  precision in the top {} % {:.3}",
        roc_auc(&y, &qs)?,
        average_precision(&y, &qs)?,
        args.top_percent,
        precision_at_top_percent(&y, &qs, args.top_percent)?
    )?;
    writeln!(
        out,
        "at p > 0.5            accuracy {:.3}  F1 {:.3}  precision {:.3}  recall {:.3}",
        c.accuracy(),
        c.f1(),
        c.precision(),
        c.recall()
    )?;
    Ok(())
}
