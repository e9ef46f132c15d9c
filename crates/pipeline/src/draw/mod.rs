//! Drawing the figures with plotters (the `draw` feature): each figure's
//! [`Plot`] drawn onto a PNG and an SVG backend with the bundled font.

use std::path::Path;

use anyhow::{Context, Result, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figures::{FigureData, Plot, Rgb, kde};

mod fig1;
mod fig2;
mod fig3;
mod fig4;
mod fig5;

/// The bundled font (DejaVu Sans; licence in `assets/`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family name the figures use.
const SANS: &str = "sans-serif";

/// A figure colour as plotters' colour.
const fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The figures' blue.
const BLUE: RGBColor = rgb(crate::figures::BLUE);
/// The figures' red.
const RED: RGBColor = rgb(crate::figures::RED);
/// The figures' grey.
const GREY: RGBColor = rgb(crate::figures::GREY);

/// The data-set palette's colour `k` (cycling).
fn palette(k: usize) -> RGBColor {
    let p = crate::figures::PALETTE;
    rgb(p[k % p.len()])
}

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
trait Drawn<T> {
    /// The value, or the drawing error as text.
    fn d(self) -> Result<T>;
}

impl<T, E: std::fmt::Debug> Drawn<T> for std::result::Result<T, E> {
    fn d(self) -> Result<T> {
        self.map_err(|e| anyhow::anyhow!("drawing failed: {e:?}"))
    }
}

/// A figure that draws itself on any plotters backend.
trait Figure {
    /// Width and height in pixels.
    const SIZE: (u32, u32);
    /// Draws onto `root`.
    ///
    /// # Errors
    /// Drawing errors.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Draws the series labels of `c` in a white box with a black border.
fn legend_box<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
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
fn line_key(color: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(width))
}

/// Draws `fig` as `<dir>/<id>.png` and `<dir>/<id>.svg`.
fn save<F: Figure>(fig: &F, dir: &Path, id: &str) -> Result<()> {
    register_font()?;
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
    let path = dir.join(format!("{id}.svg"));
    crate::common::write_file(&path, svg.as_bytes())?;
    Ok(())
}

/// Draws a figure's PNG and SVG into `dir`.
///
/// # Errors
/// Drawing or file errors.
pub(crate) fn render(data: &FigureData, dir: &Path) -> Result<()> {
    let id = &data.id;
    match &data.plot {
        Plot::Fig1(f) => save(f, dir, id),
        Plot::Fig2(f) => save(f, dir, id),
        Plot::Hist(f) => save(f, dir, id),
        Plot::Fig3c(f) => save(f, dir, id),
        Plot::Fig3d(f) => save(f, dir, id),
        Plot::Fig3e(f) => save(f, dir, id),
        Plot::Fig4(f) => save(f, dir, id),
        Plot::Fig5(f) => save(f, dir, id),
    }
}

/// Which half of a violin to draw.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Both halves.
    Both,
    /// The left half.
    Left,
    /// The right half.
    Right,
}

/// A violin of `values` centred at `x` (data units), `half` wide at its
/// widest, values on the y axis; filled or as an outline.
fn violin(
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
