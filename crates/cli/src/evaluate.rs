//! `interstice evaluate`: score a saved model on another data set (another
//! configuration, quench rate, composition or alloy), the transfer test of
//! the paper's Fig. 4, on the natural class ratio.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use interstice_io::Table;
use interstice_learn::metrics::{Confusion, average_precision, precision_at_top_percent, roc_auc};
use interstice_pipeline::model;

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

/// Runs the command.
pub fn run(args: &EvaluateArgs, out: &mut impl Write) -> Result<()> {
    if !(args.top_percent > 0.0 && args.top_percent <= 100.0) {
        bail!(
            "--top-percent must be in (0, 100], found {}",
            args.top_percent
        );
    }
    let model = model::load(&args.model)?;
    let table = Table::read(&args.features)?;
    let qs = model::softness(&model, &table, &args.features)?;
    let y = model::read_labels(&table.ids, &args.labels, &args.label_column)?;
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
