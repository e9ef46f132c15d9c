//! The paper's figures (shared/SPEC.md §8), drawn with plotters from the
//! files of an `interstice run`.
//!
//! Each figure goes to `<figures>/<id>/`: `<id>.png`, `<id>.svg`, the
//! numbers behind it as `<id>.csv`, and `summary.json`, a flat map of the
//! figure's summary numbers that `cargo xtask reproduce --check` compares
//! with committed expectations. Every file is written through a temporary
//! sibling and a rename.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::config::Config;
use crate::results::Results;

mod fig1;
mod fig2;
pub mod fig3;
mod fig4;

/// The bundled font (DejaVu Sans; licence in `assets/`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family name the figures use.
pub const SANS: &str = "sans-serif";

/// Colours: hardest/interstice (blue), softest/symmetry functions (red),
/// all/other (grey), and a palette for data sets.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
/// Red.
pub const RED: RGBColor = RGBColor(214, 39, 40);
/// Grey.
pub const GREY: RGBColor = RGBColor(110, 110, 110);
/// Data-set palette (matplotlib's tab10).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn register_font() -> Result<()> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok =
        *DONE.get_or_init(|| plotters::style::register_font(SANS, FontStyle::Normal, FONT).is_ok());
    if !ok {
        bail!("the bundled font could not be read");
    }
    Ok(())
}

/// Turns a plotters error into an `anyhow` error.
pub trait Drawn<T> {
    /// The value, or the drawing error as text.
    fn d(self) -> Result<T>;
}

impl<T, E: std::fmt::Debug> Drawn<T> for std::result::Result<T, E> {
    fn d(self) -> Result<T> {
        self.map_err(|e| anyhow::anyhow!("drawing failed: {e:?}"))
    }
}

/// A figure that draws itself on any plotters backend.
pub trait Figure {
    /// Width and height in pixels.
    const SIZE: (u32, u32);
    /// Draws onto `root`.
    ///
    /// # Errors
    /// Drawing errors.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// A figure's numbers: the CSV behind it and the summary for `--check`.
pub struct Numbers {
    /// CSV text with a header line.
    pub csv: String,
    /// Summary numbers by name.
    pub summary: BTreeMap<String, f64>,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = interstice_io::OutputFile::create(path)?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.commit()?;
    Ok(())
}

/// Draws the series labels of `c` in a white box with a black border.
///
/// # Errors
/// A drawing error.
pub fn legend_box<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    c: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    font_size: u32,
) -> Result<()> {
    c.configure_series_labels()
        .position(position)
        .label_font((SANS, font_size))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .d()
}

/// The legend key of a line series: a 20-pixel stroke.
pub fn line_key(color: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(width))
}

/// Writes PNG, SVG, CSV and summary of figure `id` into `<dir>/<id>/`.
///
/// # Errors
/// Drawing or file errors.
pub fn save<F: Figure>(fig: &F, dir: &Path, id: &str, numbers: &Numbers) -> Result<PathBuf> {
    register_font()?;
    let dir = dir.join(id);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let png = dir.join(format!("{id}.png"));
    let tmp = dir.join(format!(".{id}.tmp.png"));
    {
        let root = BitMapBackend::new(&tmp, F::SIZE).into_drawing_area();
        root.fill(&WHITE).d()?;
        fig.draw(&root)?;
        root.present().d()?;
    }
    std::fs::rename(&tmp, &png).with_context(|| format!("cannot write {}", png.display()))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, F::SIZE).into_drawing_area();
        root.fill(&WHITE).d()?;
        fig.draw(&root)?;
        root.present().d()?;
    }
    write_atomic(&dir.join(format!("{id}.svg")), svg.as_bytes())?;
    write_atomic(&dir.join(format!("{id}.csv")), numbers.csv.as_bytes())?;
    if let Some((k, v)) = numbers.summary.iter().find(|(_, v)| !v.is_finite()) {
        bail!("{id}: summary number {k} is {v}");
    }
    let json = serde_json::to_string_pretty(&numbers.summary).context("summary")?;
    write_atomic(&dir.join("summary.json"), json.as_bytes())?;
    Ok(dir)
}

/// Draws figure `id` from a finished run.
///
/// # Errors
/// Missing run outputs or drawing errors.
pub fn draw(id: &str, config: &Config, results: &Results) -> Result<PathBuf> {
    let dir = config.figures_dir();
    match id {
        "fig1" => fig1::draw(config, dir),
        "fig2" => fig2::fig2(config, results, dir),
        "fig3a" => fig3::fig3a(config, dir),
        "fig3b" => fig3::fig3b(config, dir),
        "fig3c" => fig3::fig3c(config, dir),
        "fig3d" => fig3::fig3d(config, dir),
        "fig3e" => fig3::fig3e(config, dir),
        "fig3f" => fig3::fig3f(config, dir),
        "fig4" => fig4::fig4(config, results, dir),
        other => bail!("unknown figure '{other}'"),
    }
    .with_context(|| format!("figure {id}"))
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

pub use interstice_features::analysis::histogram;
pub use interstice_learn::stats::{kde, mean, quantile};

/// Which half of a violin to draw.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Both halves.
    Both,
    /// The left half.
    Left,
    /// The right half.
    Right,
}

/// A violin of `values` centred at `x` (data units), `half` wide at its
/// widest, values on the y axis; filled or as an outline.
pub fn violin(
    values: &[f64],
    x: f64,
    half: f64,
    side: Side,
    color: RGBColor,
    filled: bool,
) -> Option<Polygon<(f64, f64)>> {
    // Fewer values than this make a shape that says nothing: draw points.
    if values.len() < 5 {
        return None;
    }
    let k = kde(values, 80);
    let max = k.iter().map(|p| p.1).fold(0.0, f64::max);
    if max <= 0.0 {
        return None;
    }
    let w = |d: f64| half * d / max;
    let left = side != Side::Right;
    let right = side != Side::Left;
    let mut pts: Vec<(f64, f64)> = k
        .iter()
        .map(|&(y, d)| (if right { x + w(d) } else { x }, y))
        .collect();
    pts.extend(
        k.iter()
            .rev()
            .map(|&(y, d)| (if left { x - w(d) } else { x }, y)),
    );
    // A polygon is always filled: "hollow" is a pale fill.
    let style = if filled {
        color.mix(0.55).filled()
    } else {
        color.mix(0.18).filled()
    };
    Some(Polygon::new(pts, style))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violin_needs_five_values() {
        assert!(violin(&[1.0, 2.0], 0.0, 1.0, Side::Both, BLUE, true).is_none());
    }
}
