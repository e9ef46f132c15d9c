//! A figure's files in `<figures>/<id>/`: `<id>.png` and `<id>.svg` (with
//! the `draw` feature), `<id>.csv` and `summary.json`, each through a
//! temporary sibling and a rename.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::figures::FigureData;

/// Writes a figure into `<dir>/<id>/`: PNG and SVG (with the `draw`
/// feature), the CSV and `summary.json`; returns that folder.
///
/// # Errors
/// A non-finite summary number, drawing or file errors.
pub fn write(data: &FigureData, dir: &Path) -> Result<PathBuf> {
    let id = &data.id;
    let dir = dir.join(id);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(feature = "draw")]
    crate::draw::render(data, &dir)?;
    crate::common::write_file(&dir.join(format!("{id}.csv")), data.numbers.csv.as_bytes())?;
    if let Some((k, v)) = data.numbers.summary.iter().find(|(_, v)| !v.is_finite()) {
        bail!("{id}: summary number {k} is {v}");
    }
    let json = serde_json::to_string_pretty(&data.numbers.summary).context("summary")?;
    crate::common::write_file(&dir.join("summary.json"), json.as_bytes())?;
    Ok(dir)
}
