//! Fig. 4: ΔAUC per transfer scenario and feature set.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Drawn, Figure, GREY, RED, SANS, Side, legend_box, violin};
use crate::config::Role;
use crate::figures::fig4::{Fig4, Point};

impl Figure for Fig4 {
    const SIZE: (u32, u32) = (1100, 1180);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (top, bottom) = root.split_vertically(590);
        panel(
            self,
            &top,
            "a  the paper's protocol: base model's ROC-AUC on new data − the target's own random-fold score",
            &self.points,
        )?;
        panel(
            self,
            &bottom,
            "b  honest: − the target's own slab score (guarded folds); filled: interstice 80, hollow: symmetry functions 166",
            &self.honest,
        )
    }
}

/// One panel: ΔAUC violins and points per scenario and feature set.
fn panel<DB: DrawingBackend>(
    fig: &Fig4,
    root: &DrawingArea<DB, Shift>,
    caption: &str,
    points: &[Point],
) -> Result<()> {
    {
        let scen = Role::SCENARIOS;
        let mut c = ChartBuilder::on(root)
            .caption(caption, (SANS, 16))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..scen.len() as f64 - 0.5, fig.lo..fig.hi)
            .d()?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(scen.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < scen.len() {
                    scen[k as usize].label().to_string()
                } else {
                    String::new()
                }
            })
            .y_desc("ΔROC-AUC (generalisation − same condition)")
            .label_style((SANS, 14))
            .draw()
            .d()?;
        c.draw_series(LineSeries::new(
            [(-0.5, 0.0), (scen.len() as f64 - 0.5, 0.0)],
            GREY.stroke_width(1),
        ))
        .d()?;
        for (si, _) in scen.iter().enumerate() {
            for (fi, _) in fig.sets.iter().enumerate() {
                let vals: Vec<f64> = points
                    .iter()
                    .filter(|p| p.0 == si && p.1 == fi)
                    .map(|p| p.2)
                    .collect();
                let (color, side, filled) = if fi == 0 {
                    (BLUE, Side::Left, true)
                } else {
                    (RED, Side::Right, false)
                };
                if let Some(v) = violin(&vals, si as f64, 0.38, side, color, filled) {
                    c.draw_series(std::iter::once(v)).d()?;
                }
                let dx = if fi == 0 { -0.12 } else { 0.12 };
                let x = si as f64 + dx;
                if !vals.is_empty() {
                    // The mean over the target data sets: a short bar.
                    let m = crate::figures::mean(&vals);
                    c.draw_series(std::iter::once(PathElement::new(
                        [(x - 0.08, m), (x + 0.08, m)],
                        BLACK.stroke_width(2),
                    )))
                    .d()?;
                }
                if !filled {
                    c.draw_series(vals.iter().map(|&y| Circle::new((x, y), 5, WHITE.filled())))
                        .d()?;
                }
                c.draw_series(vals.iter().map(|&y| {
                    let style = if filled {
                        color.filled()
                    } else {
                        color.stroke_width(2)
                    };
                    Circle::new((x, y), 5, style)
                }))
                .d()?;
            }
        }
        for (fi, name) in fig.sets.iter().enumerate() {
            let color = if fi == 0 { BLUE } else { RED };
            c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .d()?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Circle::new(
                        (x + 10, y),
                        5,
                        if fi == 0 {
                            color.filled()
                        } else {
                            color.stroke_width(2)
                        },
                    )
                });
        }
        c.draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .d()?
            .label("mean over target data sets")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        legend_box(&mut c, SeriesLabelPosition::LowerLeft, 15)?;
        Ok(())
    }
}
