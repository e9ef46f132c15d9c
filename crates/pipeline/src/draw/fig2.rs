//! Fig. 2: mean ROC curves per feature set and the interstice model's
//! importances.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Drawn, Figure, GREY, SANS, legend_box, line_key, palette};
use crate::figures::fig2::{Fig2, MeanCurve};

/// One panel of mean ROC curves.
fn roc_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    curves: &[MeanCurve],
) -> Result<()> {
    let mut c = ChartBuilder::on(area)
        .caption(caption, (SANS, 18))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)
        .d()?;
    c.configure_mesh()
        .x_desc("false-positive rate")
        .y_desc("true-positive rate")
        .label_style((SANS, 15))
        .draw()
        .d()?;
    c.draw_series(LineSeries::new(
        [(0.0, 0.0), (1.0, 1.0)],
        GREY.stroke_width(1),
    ))
    .d()?;
    for (k, (name, m, s, pts)) in curves.iter().enumerate() {
        let color = palette(k);
        c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
            .d()?
            .label(format!("{name}: AUC {m:.3} ± {s:.3}"))
            .legend(line_key(color, 3));
    }
    legend_box(&mut c, SeriesLabelPosition::LowerRight, 16)
}

impl Figure for Fig2 {
    const SIZE: (u32, u32) = (1980, 620);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, rest) = root.split_horizontally(620);
        let (h, b) = rest.split_horizontally(620);
        roc_panel(
            &a,
            "a  random folds (the paper's protocol), mean of 15",
            &self.curves,
        )?;
        roc_panel(
            &h,
            &format!("b  honest: slabs, {} Å guard, mean of 15", self.guard),
            &self.honest,
        )?;
        let n = self.importances.len();
        let max = self.importances.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
        let mut c = ChartBuilder::on(&b)
            .caption(
                "c  feature importance, interstice 80 (mean of 15 models)",
                (SANS, 20),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(330)
            .build_cartesian_2d(0f64..max.max(1e-9), 0f64..n as f64)
            .d()?;
        let names: Vec<String> = self.importances.iter().map(|p| p.0.clone()).collect();
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let k = y.floor() as usize;
                if (y - k as f64 - 0.5).abs() < 1e-6 && k < n {
                    names[n - 1 - k].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("impurity importance")
            .label_style((SANS, 13))
            .draw()
            .d()?;
        c.draw_series(self.importances.iter().enumerate().map(|(k, (_, v))| {
            let y = (n - 1 - k) as f64;
            Rectangle::new([(0.0, y + 0.15), (*v, y + 0.85)], BLUE.filled())
        }))
        .d()?;
        Ok(())
    }
}
