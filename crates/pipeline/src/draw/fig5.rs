//! Fig. 5: the learning curve over glasses and the guard curve.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, Figure, GREY, SANS, legend_box, line_key, palette};
use crate::figures::fig5::{CurvePoint, Fig5};

/// One learning-curve panel: mean and 95 % interval per feature set.
fn learning_panel<DB: DrawingBackend>(
    fig: &Fig5,
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    y_desc: &str,
    series: &dyn Fn(&crate::figures::fig5::Learning) -> &[CurvePoint],
    chance: Option<f64>,
) -> Result<()> {
    let kmax = fig.glasses.max(2) - 1;
    let mut c = ChartBuilder::on(area)
        .caption(caption, (SANS, 17))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.5f64..kmax as f64 + 0.5, 0f64..1f64)
        .d()?;
    c.configure_mesh()
        .x_labels(kmax + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc("training glasses")
        .y_desc(y_desc)
        .label_style((SANS, 15))
        .draw()
        .d()?;
    if let Some(y) = chance {
        c.draw_series(LineSeries::new(
            [(0.5, y), (kmax as f64 + 0.5, y)],
            GREY.stroke_width(1),
        ))
        .d()?;
    }
    if fig.learning.is_empty() {
        c.draw_series(std::iter::once(Text::new(
            format!(
                "needs two or more glasses of the base condition ({} here)",
                fig.glasses
            ),
            (0.6, 0.5),
            (SANS, 16),
        )))
        .d()?;
    }
    for (k, l) in fig.learning.iter().enumerate() {
        let color = palette(k);
        let pts = series(l);
        c.draw_series(pts.iter().map(|&(x, _, lo, hi)| {
            PathElement::new([(x as f64, lo), (x as f64, hi)], color.stroke_width(2))
        }))
        .d()?;
        c.draw_series(LineSeries::new(
            pts.iter().map(|&(x, m, _, _)| (x as f64, m)),
            color.stroke_width(3),
        ))
        .d()?
        .label(l.set.clone())
        .legend(line_key(color, 3));
        c.draw_series(
            pts.iter()
                .map(|&(x, m, _, _)| Circle::new((x as f64, m), 5, color.filled())),
        )
        .d()?;
    }
    if !fig.learning.is_empty() {
        legend_box(&mut c, SeriesLabelPosition::LowerRight, 15)?;
    }
    Ok(())
}

impl Figure for Fig5 {
    const SIZE: (u32, u32) = (1860, 620);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, rest) = root.split_horizontally(620);
        let (b, g) = rest.split_horizontally(620);
        learning_panel(
            self,
            &a,
            "a  ROC-AUC on unseen glasses (mean, 95 % CI)",
            "ROC-AUC, natural class ratio",
            &|l| &l.roc_auc,
            Some(0.5),
        )?;
        let chance = crate::figures::mean(
            &self
                .learning
                .iter()
                .map(|l| l.base_rate)
                .collect::<Vec<_>>(),
        );
        learning_panel(
            self,
            &b,
            "b  PR-AUC on unseen glasses (grey: chance)",
            "average precision",
            &|l| &l.average_precision,
            chance.is_finite().then_some(chance),
        )?;
        let gmax = self
            .guard
            .iter()
            .flat_map(|(_, c)| c.iter().map(|p| p.0))
            .fold(self.default_guard, f64::max);
        let mut c = ChartBuilder::on(&g)
            .caption(
                "c  the leak: slab ROC-AUC against the guard (dashed: random folds)",
                (SANS, 17),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(-0.2f64..gmax + 0.2, 0.4f64..1f64)
            .d()?;
        c.configure_mesh()
            .x_desc("guard, Å (0: slabs alone)")
            .y_desc("ROC-AUC, balanced test slabs")
            .label_style((SANS, 15))
            .draw()
            .d()?;
        c.draw_series(LineSeries::new(
            [(-0.2, 0.5), (gmax + 0.2, 0.5)],
            GREY.stroke_width(1),
        ))
        .d()?;
        c.draw_series(LineSeries::new(
            [(self.default_guard, 0.4), (self.default_guard, 1.0)],
            GREY.stroke_width(1),
        ))
        .d()?;
        for (k, (name, curve)) in self.guard.iter().enumerate() {
            let color = palette(k);
            // The paper's random folds on the same atoms: where the leak starts.
            if let Some((_, r)) = self.random.iter().find(|(n, _)| n == name) {
                c.draw_series(DashedLineSeries::new(
                    [(-0.2, *r), (gmax + 0.2, *r)],
                    8,
                    6,
                    color.stroke_width(1),
                ))
                .d()?;
            }
            c.draw_series(LineSeries::new(
                curve.iter().copied(),
                color.stroke_width(3),
            ))
            .d()?
            .label(name.clone())
            .legend(line_key(color, 3));
            c.draw_series(curve.iter().map(|&p| Circle::new(p, 5, color.filled())))
                .d()?;
        }
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 15)?;
        Ok(())
    }
}
