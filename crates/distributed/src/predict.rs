//! `interstice predict` over the ranks: each rank scores its share of a
//! feature table (its parts of a partitioned table, round robin, or its
//! slice of the rows of one file) and writes its part of the softness
//! table. Softness is a function of each row alone, so every rank count
//! gives the single-process numbers bit for bit.

use std::path::PathBuf;

use anyhow::Result;
use interstice_io::{ParquetTableWriter, Table, TableMeta, dataset};

use crate::comm::{Comm, agree_done, gather_u64};
use crate::jobs::{commit_parts, on_rank0};

/// `interstice predict` over the ranks of `comm`.
#[derive(Clone, Debug)]
pub struct Predict {
    /// A model saved by `interstice train --model`.
    pub model: PathBuf,
    /// A feature table: a partitioned table (a folder), Parquet or CSV.
    pub features: PathBuf,
    /// The partitioned softness table to write (a folder; column `qs`).
    pub out: PathBuf,
}

/// This rank's rows of the feature table, with their types when the table
/// has them.
fn my_rows(comm: &dyn Comm, path: &std::path::Path) -> Result<(Table, Option<Vec<u32>>)> {
    let (p, r) = (comm.size(), comm.rank());
    if dataset::is_dataset(path) {
        let parts = dataset::parts(path)?;
        let (mut table, mut types) = (Table::default(), Some(Vec::new()));
        for (k, (file, _)) in parts.iter().enumerate().filter(|(k, _)| k % p == r) {
            let (t, m) = Table::read_parquet(path.join(file))?;
            if k == r {
                table.columns = t.columns.clone();
            }
            table.ids.extend(t.ids);
            table.values.extend(t.values);
            match (&mut types, m.types) {
                (Some(all), Some(v)) => all.extend(v),
                _ => types = None,
            }
        }
        if table.columns.is_empty() {
            // No part here: the columns of part 0, for the model check.
            let first = path.join(&parts[0].0);
            table.columns = Table::read_parquet(first)?.0.columns;
        }
        return Ok((table, types));
    }
    let (t, types) = if path.extension().is_some_and(|e| e == "parquet") {
        let (t, m): (Table, TableMeta) = Table::read_parquet(path)?;
        (t, m.types)
    } else {
        (Table::read_csv(path)?, None)
    };
    let n = t.ids.len();
    let (a, b) = (n * r / p, n * (r + 1) / p);
    let k = t.columns.len();
    Ok((
        Table {
            columns: t.columns,
            ids: t.ids[a..b].to_vec(),
            values: t.values[a * k..b * k].to_vec(),
        },
        types.map(|v| v[a..b].to_vec()),
    ))
}

/// Runs a [`Predict`] job (collective); returns the rows scored and the
/// number of models.
///
/// # Errors
/// As the single-process `predict`, on every rank; file errors.
pub fn predict(comm: &dyn Comm, job: &Predict) -> Result<(u64, usize)> {
    let (p, rank) = (comm.size(), comm.rank());
    let model = agree_done(comm, interstice_pipeline::model::load(&job.model))?;
    on_rank0(comm, || dataset::begin(&job.out))?;
    let scored = (|| -> Result<u64> {
        let (table, types) = my_rows(comm, &job.features)?;
        let qs = if table.ids.is_empty() {
            Vec::new()
        } else {
            interstice_pipeline::model::softness(&model, &table, &job.features)?
        };
        let kv = vec![
            ("model".to_string(), job.model.display().to_string()),
            ("features".to_string(), job.features.display().to_string()),
            ("partition".to_string(), format!("rank {rank} of {p}")),
        ];
        let mut w = ParquetTableWriter::create(
            dataset::part_path(&job.out, rank, p),
            &["qs".to_string()],
            types.is_some(),
            false,
            &kv,
        )?;
        if !table.ids.is_empty() {
            w.write_rows(&table.ids, types.as_deref(), None, &qs)?;
        }
        w.finish()?;
        Ok(table.ids.len() as u64)
    })();
    let rows = match agree_done(comm, scored) {
        Ok(n) => n,
        Err(e) => {
            if rank == 0 {
                let _ = dataset::abandon(&job.out);
            }
            return Err(e);
        }
    };
    let all = gather_u64(comm, rows);
    commit_parts(comm, &job.out, &all)?;
    Ok((all.iter().sum(), model.models.len()))
}
