//! Fig. 3: histograms, mass–radius and g(r) curves, feature violins and the
//! strain map.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Drawn, Figure, GREY, RED, SANS, Side, legend_box, line_key, rgb, violin};
use crate::figures::fig3::{Fig3c, Fig3d, Fig3e, Hist};
use crate::figures::quantile;

/// Ticks of a log axis over `[lo, hi]`: 1, 2 and 5 times each power of ten.
fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    for e in first..=last {
        for m in [1.0, 2.0, 5.0] {
            // 5e-3 rather than 5 × 10^-3: the exact decimal.
            let v: f64 = format!("{m}e{e}").parse().unwrap_or(f64::NAN);
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
    }
    out
}
/// A tick label without trailing zeros: 0.01, 0.5, 2, 1000.
fn tick(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
/// A short axis label for a shell statistic: `Volume_interstice_mean_voro`
/// becomes `vol mean·V`.
fn short_name(name: &str) -> String {
    let s = name
        .replace("_interstice", "")
        .replace("Dist", "dist")
        .replace("Volume", "vol")
        .replace("Area", "area")
        .replace('_', " ");
    if let Some(b) = s.strip_suffix(" voro") {
        format!("{b}·V")
    } else if let Some(b) = s.strip_suffix(" dist") {
        format!("{b}·D")
    } else {
        s
    }
}

impl Figure for Hist {
    const SIZE: (u32, u32) = (900, 600);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let ymax = self
            .series
            .iter()
            .flat_map(|s| s.3.iter().map(|b| b.2))
            .fold(0.0, f64::max)
            .max(self.hline.as_ref().map_or(0.0, |h| h.1));
        let mut b = ChartBuilder::on(root);
        b.caption(&self.title, (SANS, 20))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70);
        if self.log_y {
            let ymin = self
                .series
                .iter()
                .flat_map(|s| s.3.iter().map(|b| b.2))
                .filter(|&y| y > 0.0)
                .fold(1.0, f64::min)
                .min(self.hline.as_ref().map_or(1.0, |h| h.1))
                * 0.5;
            let mut c = b
                .build_cartesian_2d(
                    self.x.0..self.x.1,
                    (ymin..(ymax * 2.0).max(ymin * 10.0))
                        .log_scale()
                        .with_key_points(decades(ymin, (ymax * 2.0).max(ymin * 10.0))),
                )
                .d()?;
            c.configure_mesh()
                .x_desc(&self.x_desc)
                .y_desc(&self.y_desc)
                .y_label_formatter(&|v| tick(*v))
                .label_style((SANS, 15))
                .draw()
                .d()?;
            for (label, color, _, bars) in &self.series {
                let color = rgb(*color);
                let pts: Vec<(f64, f64)> = bars
                    .iter()
                    .filter(|b| b.2 > 0.0)
                    .map(|b| (0.5 * (b.0 + b.1), b.2))
                    .collect();
                c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .d()?;
                c.draw_series(pts.iter().map(|&p| Circle::new(p, 5, color.filled())))
                    .d()?
                    .label(label.clone())
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.filled()));
            }
            if let Some((label, y)) = &self.hline {
                c.draw_series(LineSeries::new(
                    [(self.x.0, *y), (self.x.1, *y)],
                    GREY.stroke_width(2),
                ))
                .d()?
                .label(label.clone())
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], GREY.stroke_width(2)));
            }
            legend_box(&mut c, SeriesLabelPosition::UpperLeft, 15)?;
        } else {
            let mut c = b
                .build_cartesian_2d(self.x.0..self.x.1, 0f64..ymax * 1.1)
                .d()?;
            c.configure_mesh()
                .x_desc(&self.x_desc)
                .y_desc(&self.y_desc)
                .label_style((SANS, 15))
                .draw()
                .d()?;
            for (label, color, filled, bars) in &self.series {
                let color = rgb(*color);
                if *filled {
                    c.draw_series(bars.iter().map(|&(a, b, y)| {
                        Rectangle::new([(a, 0.0), (b, y)], color.mix(0.6).filled())
                    }))
                    .d()?
                    .label(label.clone())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.6).filled())
                    });
                } else {
                    let mut pts = Vec::new();
                    for &(a, b, y) in bars {
                        pts.push((a, y));
                        pts.push((b, y));
                    }
                    c.draw_series(LineSeries::new(pts, color.stroke_width(2)))
                        .d()?
                        .label(label.clone())
                        .legend(line_key(color, 2));
                }
            }
            legend_box(&mut c, SeriesLabelPosition::UpperRight, 15)?;
        }
        Ok(())
    }
}

impl Figure for Fig3c {
    const SIZE: (u32, u32) = (1300, 600);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, b) = root.split_horizontally(700);
        let ymax = self
            .mass
            .iter()
            .flat_map(|m| m.2.iter().map(|p| p.1))
            .fold(2.0, f64::max);
        let mut c = ChartBuilder::on(&a)
            .caption(
                "c  Mass–radius scaling M(r) (log–log; slope = fractal dimension)",
                (SANS, 18),
            )
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (1.5f64..self.r_max)
                    .log_scale()
                    .with_key_points(decades(1.5, self.r_max)),
                (0.8f64..ymax * 1.5)
                    .log_scale()
                    .with_key_points(decades(0.8, ymax * 1.5)),
            )
            .d()?;
        c.configure_mesh()
            .x_desc("r (Å)")
            .y_desc("M(r): atoms of the group within r")
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style((SANS, 15))
            .draw()
            .d()?;
        for (label, color, pts) in &self.mass {
            let color = rgb(*color);
            c.draw_series(LineSeries::new(
                pts.iter().copied().filter(|p| p.0 >= 1.5 && p.1 > 0.0),
                color.stroke_width(3),
            ))
            .d()?
            .label(label.clone())
            .legend(line_key(color, 3));
        }
        legend_box(&mut c, SeriesLabelPosition::UpperLeft, 14)?;
        let gmax = self
            .gr
            .iter()
            .flat_map(|m| m.2.iter().map(|p| p.1))
            .fold(1.0, f64::max);
        let rg = self
            .gr
            .first()
            .and_then(|g| g.2.last())
            .map_or(8.0, |p| p.0);
        let mut c = ChartBuilder::on(&b)
            .caption("g(r) within each group", (SANS, 18))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..rg, 0f64..gmax * 1.1)
            .d()?;
        c.configure_mesh()
            .x_desc("r (Å)")
            .y_desc("g(r)")
            .label_style((SANS, 15))
            .draw()
            .d()?;
        for (label, color, pts) in &self.gr {
            let color = rgb(*color);
            c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .d()?
                .label(label.clone())
                .legend(line_key(color, 2));
        }
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 14)?;
        Ok(())
    }
}

impl Figure for Fig3d {
    const SIZE: (u32, u32) = (1500, 600);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.names.len();
        let names = self.names.clone();
        let mut c = ChartBuilder::on(root)
            .caption(
                "d  Interstice features (min–max scaled) of the hardest and softest atoms",
                (SANS, 20),
            )
            .margin(15)
            .x_label_area_size(70)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, -0.05f64..1.05f64)
            .d()?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(2 * n + 1)
            .x_label_style((SANS, 13))
            .x_desc("interstice statistic over the shell of Voronoi (V) or distance-cutoff (D) neighbours")
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < n {
                    short_name(&names[k as usize])
                } else {
                    String::new()
                }
            })
            .x_label_style((SANS, 13).into_font().transform(FontTransform::Rotate90))
            .y_desc("scaled value")
            .label_style((SANS, 14))
            .draw()
            .d()?;
        for k in 0..n {
            for (vals, color, side) in [
                (&self.hard[k], BLUE, Side::Left),
                (&self.soft[k], RED, Side::Right),
            ] {
                if let Some(v) = violin(vals, k as f64, 0.42, side, color, true) {
                    c.draw_series(std::iter::once(v)).d()?;
                }
                let m = quantile(vals, 0.5);
                let dx = if side == Side::Left { -0.2 } else { 0.2 };
                c.draw_series(std::iter::once(Circle::new(
                    (k as f64 + dx * 0.5, m),
                    3,
                    BLACK.filled(),
                )))
                .d()?;
            }
        }
        for (label, color) in [(&self.labels.0, BLUE), (&self.labels.1, RED)] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(-9.0, 0.0), (-8.0, 0.1)],
                color.filled(),
            )))
            .d()?
            .label(label.clone())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.55).filled())
            });
        }
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 15)?;
        Ok(())
    }
}

impl Figure for Fig3e {
    const SIZE: (u32, u32) = (1300, 850);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, b) = root.split_vertically(520);
        let w = self.max_strain / self.steps.len().max(1) as f64;
        let mut c = ChartBuilder::on(&a)
            .caption(
                "e  Quench-in softness of the atoms activated at each strain step",
                (SANS, 20),
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..self.max_strain + w, 0f64..1f64)
            .d()?;
        c.configure_mesh()
            .y_desc("QS of newly activated atoms")
            .label_style((SANS, 15))
            .draw()
            .d()?;
        for (x, q) in &self.steps {
            if let Some(v) = violin(q, *x, 0.45 * w, Side::Both, RED, true) {
                c.draw_series(std::iter::once(v)).d()?;
            } else {
                c.draw_series(q.iter().map(|&y| Circle::new((*x, y), 2, RED.filled())))
                    .d()?;
            }
        }
        c.draw_series(LineSeries::new(
            self.steps
                .iter()
                .filter(|s| !s.1.is_empty())
                .map(|(x, q)| (*x, quantile(q, 0.5))),
            BLACK.stroke_width(2),
        ))
        .d()?
        .label("median")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 15)?;
        let nmax = self.steps.iter().map(|s| s.1.len()).max().unwrap_or(1) as f64;
        let smax = self.stress.iter().map(|p| p.1).fold(0.0, f64::max);
        let (b1, b2) = b.split_horizontally(650);
        let mut c = ChartBuilder::on(&b1)
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..self.max_strain + w, 0f64..nmax * 1.1)
            .d()?;
        c.configure_mesh()
            .x_desc("shear strain (%)")
            .y_desc("newly activated atoms")
            .label_style((SANS, 15))
            .draw()
            .d()?;
        c.draw_series(self.steps.iter().map(|(x, q)| {
            Rectangle::new(
                [(x - 0.4 * w, 0.0), (x + 0.4 * w, q.len() as f64)],
                GREY.filled(),
            )
        }))
        .d()?;
        if !self.stress.is_empty() {
            let mut c = ChartBuilder::on(&b2)
                .margin(15)
                .x_label_area_size(50)
                .y_label_area_size(70)
                .build_cartesian_2d(0f64..self.max_strain + w, 0f64..smax.max(1e-3) * 1.1)
                .d()?;
            c.configure_mesh()
                .x_desc("shear strain (%)")
                .y_desc("shear stress (GPa)")
                .label_style((SANS, 15))
                .draw()
                .d()?;
            c.draw_series(LineSeries::new(
                self.stress.iter().copied(),
                BLUE.stroke_width(2),
            ))
            .d()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{decades, tick};

    #[test]
    fn log_ticks() {
        assert_eq!(decades(1.5, 30.0), [2.0, 5.0, 10.0, 20.0]);
        assert_eq!(
            decades(0.004, 1.2),
            [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
        );
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(0.05), "0.05");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(
            super::short_name("Volume_interstice_mean_voro"),
            "vol mean·V"
        );
        assert_eq!(super::short_name("Dist_interstice_std_dist"), "dist std·D");
    }
}
