//! Fig. 1: the slab's triangles coloured by their 2-D area interstice, and
//! one atom's interstices against the glass's.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, Figure, GREY, RED, SANS, legend_box};
use crate::figures::fig1::{Fig1, SLAB};
use crate::figures::histogram;

/// A viridis-like colour for t in [0, 1].
fn colormap(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Figure for Fig1 {
    const SIZE: (u32, u32) = (1400, 720);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, b) = root.split_horizontally(720);
        let ((x0, y0), (x1, y1)) = (
            (self.window.0[0], self.window.0[1]),
            (self.window.1[0], self.window.1[1]),
        );
        let mut c = ChartBuilder::on(&a)
            .caption(
                format!("a  A {SLAB} Å slab, triangulated in its plane: 2-D area interstices"),
                (SANS, 18),
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0..y1)
            .d()?;
        c.configure_mesh()
            .disable_mesh()
            .x_desc("x (Å)")
            .y_desc("y (Å)")
            .label_style((SANS, 14))
            .draw()
            .d()?;
        c.draw_series(self.triangles.iter().map(|(p, v)| {
            Polygon::new(
                p.iter().map(|q| (q[0], q[1])).collect::<Vec<_>>(),
                colormap(*v / 0.6).filled(),
            )
        }))
        .d()?
        .label("triangle: 2-D area interstice, 0 (purple) to ≥ 0.6 (yellow)")
        .legend(|(x, y)| {
            let seg = |k: i32| {
                Rectangle::new(
                    [(4 * k, -6), (4 * k + 4, 6)],
                    colormap(f64::from(k) / 4.0).filled(),
                )
            };
            EmptyElement::at((x, y)) + seg(0) + seg(1) + seg(2) + seg(3) + seg(4)
        });
        c.draw_series(self.triangles.iter().map(|(p, _)| {
            let mut v: Vec<(f64, f64)> = p.iter().map(|q| (q[0], q[1])).collect();
            v.push(v[0]);
            PathElement::new(v, WHITE.mix(0.6).stroke_width(1))
        }))
        .d()?;
        for (kind, name) in self.elements.iter().enumerate() {
            let color = if kind == 0 {
                RGBColor(230, 140, 60)
            } else {
                RGBColor(120, 160, 220)
            };
            c.draw_series(self.atoms.iter().filter(|a| a.2 == kind).map(|(p, r, _)| {
                let v: Vec<(f64, f64)> = (0..32)
                    .map(|k| {
                        let t = k as f64 / 32.0 * std::f64::consts::TAU;
                        (p[0] + r * t.cos(), p[1] + r * t.sin())
                    })
                    .collect();
                Polygon::new(v, color.mix(0.45).filled())
            }))
            .d()?
            .label(format!("{name} (disc: Miracle radius)"))
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, color.filled()));
        }
        c.draw_series(std::iter::once(Circle::new(
            (self.centre[0], self.centre[1]),
            7,
            RED.stroke_width(3),
        )))
        .d()?
        .label(format!("the atom of panel b ({})", self.atom_label))
        .legend(|(x, y)| Circle::new((x + 10, y), 6, RED.stroke_width(3)));
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 13)?;
        let panels = b.split_evenly((3, 1));
        for (area, (title, all, own)) in panels.iter().zip(&self.panels) {
            let lo = all
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .min(own.iter().copied().fold(f64::INFINITY, f64::min));
            let hi = all
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(own.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            let (lo, hi) = if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5, lo + 0.5)
            };
            let bins = 40;
            let h = histogram(all, lo, hi, bins);
            let n: usize = h.iter().sum();
            let w = (hi - lo) / bins as f64;
            let dens: Vec<(f64, f64)> = h
                .iter()
                .enumerate()
                .map(|(k, &c)| (lo + (k as f64 + 0.5) * w, c as f64 / (n.max(1) as f64 * w)))
                .collect();
            let ymax = dens.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9);
            let mut c = ChartBuilder::on(area)
                .caption(title, (SANS, 15))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(55)
                .build_cartesian_2d(lo..hi, 0f64..ymax * 1.15)
                .d()?;
            c.configure_mesh()
                .disable_mesh()
                .label_style((SANS, 12))
                .y_desc("density")
                .draw()
                .d()?;
            c.draw_series(dens.iter().map(|&(x, y)| {
                Rectangle::new(
                    [(x - 0.5 * w, 0.0), (x + 0.5 * w, y)],
                    GREY.mix(0.5).filled(),
                )
            }))
            .d()?;
            c.draw_series(
                own.iter()
                    .map(|&x| PathElement::new([(x, 0.0), (x, ymax * 0.35)], RED.stroke_width(2))),
            )
            .d()?;
            let (m, s) = interstice_learn::protocol::mean_std(own);
            let mn = own.iter().copied().fold(f64::INFINITY, f64::min);
            let mx = own.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            c.draw_series(std::iter::once(Text::new(
                format!("atom: mean {m:.3}, std {s:.3}, min {mn:.3}, max {mx:.3}"),
                (lo + 0.02 * (hi - lo), ymax * 1.08),
                (SANS, 13).into_font().color(&RED),
            )))
            .d()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_ends() {
        assert_eq!(colormap(0.0), RGBColor(68, 1, 84));
        assert_eq!(colormap(1.0), RGBColor(253, 231, 37));
    }
}
