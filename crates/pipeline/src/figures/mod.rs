//! The paper's figures (shared/SPEC.md §8) as numbers: each figure is a
//! function from a finished run ([`Inputs`]) to a [`FigureData`], the series
//! it draws ([`Plot`]) with the CSV behind it and the flat `summary.json` map
//! that `cargo xtask reproduce --check` compares with committed expectations.
//! Drawing is a separate layer (the `draw` feature), so the
//! numbers are reachable without a plotting stack.
//!
//! [`crate::figure_files::write`] puts a figure into `<figures>/<id>/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use interstice_features::FrameContext;
use serde::Serialize;

use crate::config::{Config, FigureId};
use crate::results::Results;

pub mod fig1;
pub mod fig2;
pub mod fig3;
pub mod fig4;
pub mod fig5;

pub use interstice_features::analysis::histogram;
pub use interstice_learn::stats::{kde, mean, quantile};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Hardest atoms and interstice features.
pub const BLUE: Rgb = Rgb(31, 119, 180);
/// Softest atoms and symmetry functions.
pub const RED: Rgb = Rgb(214, 39, 40);
/// All atoms, other.
pub const GREY: Rgb = Rgb(110, 110, 110);
/// Data sets (matplotlib's tab10).
pub const PALETTE: [Rgb; 8] = [
    Rgb(31, 119, 180),
    Rgb(255, 127, 14),
    Rgb(44, 160, 44),
    Rgb(214, 39, 40),
    Rgb(148, 103, 189),
    Rgb(140, 86, 75),
    Rgb(227, 119, 194),
    Rgb(127, 127, 127),
];

/// What a figure is computed from: a run's configuration and results, and
/// the base glass's feature context (its frame, radii and tessellation).
pub struct Inputs<'a> {
    /// The run's configuration.
    pub config: &'a Config,
    /// Its results.
    pub results: &'a Results,
    /// The base glass's reference frame with the paper's feature settings.
    pub base: &'a FrameContext<'a>,
}

/// A figure's numbers: the CSV behind it and the summary for `--check`.
#[derive(Clone, Debug, Serialize)]
pub struct Numbers {
    /// CSV text with a header line.
    pub csv: String,
    /// Summary numbers by name.
    pub summary: BTreeMap<String, f64>,
}

/// The series a figure draws.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub enum Plot {
    /// Fig. 1.
    Fig1(fig1::Fig1),
    /// Fig. 2.
    Fig2(fig2::Fig2),
    /// A histogram: Fig. 3a, 3b, 3f.
    Hist(fig3::Hist),
    /// Fig. 3c.
    Fig3c(fig3::Fig3c),
    /// Fig. 3d.
    Fig3d(fig3::Fig3d),
    /// Fig. 3e.
    Fig3e(fig3::Fig3e),
    /// Fig. 4.
    Fig4(fig4::Fig4),
    /// Fig. 5.
    Fig5(fig5::Fig5),
}

/// One figure's numbers and series.
#[derive(Clone, Debug, Serialize)]
pub struct FigureData {
    /// Its name (`fig1` …), the folder and file names.
    pub id: String,
    /// What it draws.
    pub plot: Plot,
    /// The CSV and summary behind it.
    pub numbers: Numbers,
}

impl FigureData {
    /// A figure called `id`.
    pub fn new(id: &str, plot: Plot, numbers: Numbers) -> FigureData {
        FigureData {
            id: id.into(),
            plot,
            numbers,
        }
    }
}

/// Computes figure `id` from a finished run.
///
/// # Errors
/// Missing or malformed run outputs (named).
pub fn compute(id: FigureId, inputs: &Inputs<'_>) -> Result<FigureData> {
    match id {
        FigureId::Fig1 => fig1::fig1(inputs),
        FigureId::Fig2 => fig2::fig2(inputs),
        FigureId::Fig3a => fig3::fig3a(inputs),
        FigureId::Fig3b => fig3::fig3b(inputs),
        FigureId::Fig3c => fig3::fig3c(inputs),
        FigureId::Fig3d => fig3::fig3d(inputs),
        FigureId::Fig3e => fig3::fig3e(inputs),
        FigureId::Fig3f => fig3::fig3f(inputs),
        FigureId::Fig4 => fig4::fig4(inputs),
        FigureId::Fig5 => fig5::fig5(inputs),
    }
}

/// Atom ids, quench-in softness and plastic labels from a `qs.csv`.
pub struct Softness {
    /// Atom ids.
    pub ids: Vec<u64>,
    /// Quench-in softness.
    pub qs: Vec<f64>,
    /// Held-out softness, where the table has it.
    pub held_out: Option<Vec<f64>>,
    /// Plastic labels.
    pub plastic: Vec<bool>,
}

impl Softness {
    /// Reads a table with `qs` and `plastic` columns.
    ///
    /// # Errors
    /// A missing file or column.
    pub fn read(path: &Path) -> Result<Softness> {
        let t = interstice_io::Table::read_csv(path)?;
        let col = |n: &str| {
            t.column_index(n)
                .map(|k| t.column(k))
                .with_context(|| format!("{}: no column {n}", path.display()))
        };
        let qs = col("qs")?;
        let held_out = col("qs_held_out").ok();
        let plastic = col("plastic")?.iter().map(|&p| p == 1.0).collect();
        Ok(Softness {
            ids: t.ids.clone(),
            qs,
            held_out,
            plastic,
        })
    }

    /// Reads a `qs.csv` of `interstice train` and keeps the held-out
    /// softness (`qs_held_out`: only models that never saw the atom's label)
    /// as `qs`: the honest score of the training glass itself.
    ///
    /// # Errors
    /// A missing file or column.
    pub fn read_held_out(path: &Path) -> Result<Softness> {
        let mut s = Softness::read(path)?;
        s.qs = s
            .held_out
            .take()
            .with_context(|| format!("{}: no column qs_held_out", path.display()))?;
        Ok(s)
    }
}
