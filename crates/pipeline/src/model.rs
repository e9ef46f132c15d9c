//! Model files on disk and the tables around them: reading and checking a
//! saved ensemble, scoring a feature table with it, and reading 0/1 labels.

use std::path::Path;

use anyhow::{Context, Result, bail};
use interstice_io::Table;
use interstice_learn::gbdt::Matrix;

pub use interstice_learn::ensemble::{MODEL_FORMAT, ModelFile};

/// Whether a model path names the compact binary format (`.postcard`).
pub fn is_postcard(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "postcard")
}

/// Reads a model file (JSON, or postcard by its name) and checks it completely.
///
/// # Errors
/// An unreadable file, not a model file, or a model that fails its checks.
pub fn load(path: &Path) -> Result<ModelFile> {
    let model: ModelFile = if is_postcard(path) {
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

/// Writes a model file: JSON, or postcard when the name ends in `.postcard`.
///
/// # Errors
/// File errors.
pub fn save(file: &ModelFile, path: &Path) -> Result<()> {
    use std::io::Write as _;
    let mut f = interstice_io::OutputFile::create(path)?;
    if is_postcard(path) {
        let bytes = postcard::to_stdvec(file).context("cannot encode the models")?;
        f.write_all(&bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        serde_json::to_writer(&mut f, file)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    f.commit()?;
    Ok(())
}

/// Quench-in softness of every row of `table` (columns checked against the
/// model); `what` names the table in messages.
///
/// # Errors
/// A bad table or columns that do not match the model's.
pub fn softness(model: &ModelFile, table: &Table, what: &Path) -> Result<Vec<f64>> {
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

/// The 0/1 labels of `ids` from column `column` of the CSV table at `path`.
///
/// # Errors
/// A missing column, an atom without a label, or a label other than 0 or 1.
pub fn read_labels(ids: &[u64], path: &Path, column: &str) -> Result<Vec<bool>> {
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
