//! `interstice predict`: quench-in softness of new atoms from a saved model.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::gbdt::Matrix;

use crate::train::{MODEL_FORMAT, ModelFile};

/// Arguments of `interstice predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// A model saved by `interstice train --model`.
    #[arg(long)]
    pub model: PathBuf,
    /// Feature table (CSV) with the model's feature columns.
    #[arg(long)]
    pub features: PathBuf,
    /// Quench-in softness per atom (CSV: id, qs).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the command.
pub fn run(args: &PredictArgs, out: &mut impl Write) -> Result<()> {
    let text = std::fs::read_to_string(&args.model)
        .with_context(|| format!("cannot read {}", args.model.display()))?;
    let model: ModelFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not an interstice model file", args.model.display()))?;
    if model.format != MODEL_FORMAT {
        bail!(
            "{}: model format '{}', expected '{MODEL_FORMAT}'",
            args.model.display(),
            model.format
        );
    }
    let table = Table::read_csv(&args.features)?;
    if table.columns != model.features {
        let k = table
            .columns
            .iter()
            .zip(&model.features)
            .position(|(a, b)| a != b)
            .unwrap_or(table.columns.len().min(model.features.len()));
        bail!(
            "{} has {} feature columns but the model was trained on {}; first difference at column {}: '{}' instead of '{}'",
            args.features.display(),
            table.columns.len(),
            model.features.len(),
            k + 1,
            table.columns.get(k).map_or("(none)", String::as_str),
            model.features.get(k).map_or("(none)", String::as_str)
        );
    }
    let x = Matrix::new(&table.values, table.ids.len(), table.columns.len())?;
    let mut qs = vec![0.0; table.ids.len()];
    for m in &model.models {
        for (q, p) in qs.iter_mut().zip(m.predict_proba(&x)?) {
            *q += p / model.models.len() as f64;
        }
    }
    Table {
        columns: vec!["qs".into()],
        ids: table.ids.clone(),
        values: qs,
    }
    .write_csv(&args.out)?;
    writeln!(
        out,
        "{} atoms scored by {} models; wrote {}",
        table.ids.len(),
        model.models.len(),
        args.out.display()
    )?;
    Ok(())
}
