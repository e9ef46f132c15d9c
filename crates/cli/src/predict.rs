//! `interstice predict`: quench-in softness of new atoms from a saved model.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use interstice_io::Table;
use interstice_pipeline::{common, model};

/// Arguments of `interstice predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// A model saved by `interstice train --model`.
    #[arg(long)]
    pub model: PathBuf,
    /// Feature table (CSV, or Parquet by its `.parquet` name) with the model's feature columns.
    #[arg(long)]
    pub features: PathBuf,
    /// Quench-in softness per atom (CSV: id, qs; with --distributed, a
    /// partitioned Parquet table: a folder).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub ranks: crate::ranks::RanksArgs,
}

/// Runs the command.
pub fn run(args: &PredictArgs, out: &mut impl Write) -> Result<()> {
    if args.ranks.on() {
        common::check_dataset_out(&args.out)?;
        let job = interstice_distributed::Predict {
            model: args.model.clone(),
            features: args.features.clone(),
            out: args.out.clone(),
        };
        return crate::ranks::run(out, |comm| {
            let (rows, models) = interstice_distributed::predict(comm, &job)?;
            Ok(format!(
                "{rows} atoms scored by {models} models on {} ranks; wrote the partitioned table {}",
                comm.size(),
                args.out.display()
            ))
        });
    }
    common::check_outputs(&[("--out", &args.out)])?;
    let model = model::load(&args.model)?;
    let table = Table::read(&args.features)?;
    let qs = model::softness(&model, &table, &args.features)?;
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
