//! Fig. 3: quench-in softness of the base glass (a: histogram, b: the
//! probability of being plastic, c: mass–radius scaling and g(r) of the
//! hardest and softest atoms, d: their interstice features, e: softness of
//! the atoms activated at each strain step) and f: softness of other
//! compositions and quench rates under the base model.

use interstice_features::analysis;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::Frame;
use interstice_io::{Table, Trajectory};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    BLUE, Drawn, Figure, GREY, Numbers, PALETTE, RED, SANS, Side, Softness, histogram, legend_box,
    line_key, mean, quantile, save, violin,
};
use crate::config::{Config, Role};
use crate::run::Layout;

/// Hardest atoms: QS below this (the paper's).
const HARD: f64 = 0.1;
/// Softest atoms: QS above this (the paper's).
const SOFT: f64 = 0.7;
/// Fewer atoms than this in a group: use the 10 % hardest or softest instead.
const MIN_GROUP: usize = 20;

/// The base glass's softness from models that never saw each atom's label
/// (the 15-model mean would score training atoms in-sample and flatter
/// every panel drawn on the training glass).
fn base_softness(config: &Config) -> Result<Softness> {
    Softness::read_held_out(&Layout::new(config, config.base()).trained("paper80", "qs.csv"))
}

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

/// Indices of the hardest and softest atoms, and how they were chosen.
fn groups(qs: &[f64]) -> (Vec<usize>, Vec<usize>, String, String) {
    let hard: Vec<usize> = (0..qs.len()).filter(|&i| qs[i] < HARD).collect();
    let soft: Vec<usize> = (0..qs.len()).filter(|&i| qs[i] > SOFT).collect();
    let q10 = quantile(qs, 0.1);
    let q90 = quantile(qs, 0.9);
    let (hard, hl) = if hard.len() >= MIN_GROUP {
        (hard, format!("hardest (QS < {HARD})"))
    } else {
        (
            (0..qs.len()).filter(|&i| qs[i] <= q10).collect(),
            format!("hardest 10 % (QS ≤ {q10:.2})"),
        )
    };
    let (soft, sl) = if soft.len() >= MIN_GROUP {
        (soft, format!("softest (QS > {SOFT})"))
    } else {
        (
            (0..qs.len()).filter(|&i| qs[i] >= q90).collect(),
            format!("softest 10 % (QS ≥ {q90:.2})"),
        )
    };
    (hard, soft, hl, sl)
}

/// A histogram series: (label, colour, filled, bars as (x0, x1, y)).
type Bars = (String, RGBColor, bool, Vec<(f64, f64, f64)>);
/// A line series: (label, colour, points).
type Line = (String, RGBColor, Vec<(f64, f64)>);

struct Hist {
    title: String,
    x_desc: String,
    y_desc: String,
    series: Vec<Bars>,
    x: (f64, f64),
    log_y: bool,
    /// A horizontal reference line (label, y).
    hline: Option<(String, f64)>,
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
                let color = *color;
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
                let color = *color;
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

fn bars(values: &[f64], lo: f64, hi: f64, bins: usize, density: bool) -> Vec<(f64, f64, f64)> {
    let h = histogram(values, lo, hi, bins);
    let w = (hi - lo) / bins as f64;
    let n: usize = h.iter().sum();
    h.iter()
        .enumerate()
        .map(|(k, &c)| {
            let y = if density {
                c as f64 / (n.max(1) as f64 * w)
            } else {
                c as f64
            };
            (lo + k as f64 * w, lo + (k + 1) as f64 * w, y)
        })
        .collect()
}

/// Fig. 3a: the base glass's quench-in softness, all and plastic atoms.
///
/// # Errors
/// A missing or malformed `qs.csv`, or a drawing error.
pub fn fig3a(config: &Config, dir: &Path) -> Result<PathBuf> {
    let s = base_softness(config)?;
    let title = format!(
        "a  Quench-in softness of {} ({} atoms, held out)",
        config.base().legend(),
        s.qs.len()
    );
    softness_histogram(&s, title, dir, "fig3a")
}

/// A histogram of quench-in softness (bins of 0.02), all atoms and the
/// plastic ones, into `<dir>/<id>/` (Fig. 3a; also the demo's figure).
///
/// # Errors
/// A drawing or file error.
pub fn softness_histogram(s: &Softness, title: String, dir: &Path, id: &str) -> Result<PathBuf> {
    let plastic: Vec<f64> =
        s.qs.iter()
            .zip(&s.plastic)
            .filter(|p| *p.1)
            .map(|p| *p.0)
            .collect();
    let all = bars(&s.qs, 0.0, 1.0, 50, false);
    let pl = bars(&plastic, 0.0, 1.0, 50, false);
    let mut csv = String::from("qs_lo,qs_hi,atoms,plastic_atoms\n");
    for (a, b) in all.iter().zip(&pl) {
        let _ = writeln!(csv, "{:?},{:?},{},{}", a.0, a.1, a.2, b.2);
    }
    let n = s.qs.len() as f64;
    let summary = BTreeMap::from([
        ("mean_qs".to_string(), mean(&s.qs)),
        ("median_qs".to_string(), quantile(&s.qs, 0.5)),
        (
            "share_qs_below_0.1".to_string(),
            s.qs.iter().filter(|&&q| q < HARD).count() as f64 / n,
        ),
        (
            "share_qs_above_0.7".to_string(),
            s.qs.iter().filter(|&&q| q > SOFT).count() as f64 / n,
        ),
        ("mean_qs_plastic".to_string(), mean(&plastic)),
    ]);
    let fig = Hist {
        title,
        x_desc: "quench-in softness QS".into(),
        y_desc: "atoms per 0.02 bin".into(),
        series: vec![
            ("all atoms".into(), GREY, true, all),
            ("plastic atoms (top D²min)".into(), RED, true, pl),
        ],
        x: (0.0, 1.0),
        log_y: false,
        hline: None,
    };
    save(&fig, dir, id, &Numbers { csv, summary })
}

pub fn fig3b(config: &Config, dir: &Path) -> Result<PathBuf> {
    let s = base_softness(config)?;
    let bins = 20;
    let all = histogram(&s.qs, 0.0, 1.0, bins);
    let pq: Vec<f64> =
        s.qs.iter()
            .zip(&s.plastic)
            .filter(|p| *p.1)
            .map(|p| *p.0)
            .collect();
    let pl = histogram(&pq, 0.0, 1.0, bins);
    let mut csv = String::from("qs_lo,qs_hi,atoms,plastic_atoms,p_plastic\n");
    let mut pts = Vec::new();
    for k in 0..bins {
        let (a, b) = (k as f64 / bins as f64, (k + 1) as f64 / bins as f64);
        let p = if all[k] > 0 {
            pl[k] as f64 / all[k] as f64
        } else {
            f64::NAN
        };
        let _ = writeln!(csv, "{a:?},{b:?},{},{},{p:?}", all[k], pl[k]);
        if all[k] > 0 {
            pts.push((a, b, p));
        }
    }
    let rate = pq.len() as f64 / s.qs.len() as f64;
    let p_of = |sel: &dyn Fn(f64) -> bool| {
        let idx: Vec<usize> = (0..s.qs.len()).filter(|&i| sel(s.qs[i])).collect();
        idx.iter().filter(|&&i| s.plastic[i]).count() as f64 / idx.len().max(1) as f64
    };
    let summary = BTreeMap::from([
        ("p_plastic_qs_above_0.7".to_string(), p_of(&|q| q > SOFT)),
        ("p_plastic_qs_below_0.1".to_string(), p_of(&|q| q < HARD)),
        ("base_rate".to_string(), rate),
    ]);
    let fig = Hist {
        title: "b  Probability of being plastic against quench-in softness".into(),
        x_desc: "quench-in softness QS (bins of 0.05)".into(),
        y_desc: "P(plastic | QS)".into(),
        series: vec![("P(plastic | QS)".into(), RED, true, pts)],
        x: (0.0, 1.0),
        log_y: true,
        hline: Some((format!("all atoms ({:.1} %)", 100.0 * rate), rate)),
    };
    save(&fig, dir, "fig3b", &Numbers { csv, summary })
}

fn read_frame(path: &Path) -> Result<Frame> {
    Trajectory::open(path)?
        .read()?
        .with_context(|| format!("{} has no frame", path.display()))
}

/// Rows of `frame` in the order of `ids`.
fn rows_of(frame: &Frame, ids: &[u64]) -> Result<Vec<usize>> {
    let row: HashMap<u64, usize> = frame
        .ids()
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    ids.iter()
        .map(|id| {
            row.get(id)
                .copied()
                .with_context(|| format!("atom id {id} is not in the reference frame"))
        })
        .collect()
}

struct Fig3c {
    mass: Vec<Line>,
    gr: Vec<Line>,
    r_max: f64,
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
            let color = *color;
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
            let color = *color;
            c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .d()?
                .label(label.clone())
                .legend(line_key(color, 2));
        }
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 14)?;
        Ok(())
    }
}

pub fn fig3c(config: &Config, dir: &Path) -> Result<PathBuf> {
    let base = config.base();
    let s = base_softness(config)?;
    let frame = read_frame(&base.frame(0))?;
    let rows = rows_of(&frame, &s.ids)?;
    let (hard, soft, hl, sl) = groups(&s.qs);
    let all: Vec<usize> = (0..s.qs.len()).collect();
    let w = frame.sim_box().perpendicular_widths();
    // Beyond half the box an atom meets its own images: stop there.
    let r_max = (0.5 * w.iter().copied().fold(f64::INFINITY, f64::min)).min(30.0);
    let dr = 0.2;
    let bins = (r_max / dr).floor() as usize;
    let rg = 10.0f64.min(r_max);
    let gbins = (rg / 0.05).floor() as usize;
    let volume = frame.sim_box().volume();
    let mut mass = Vec::new();
    let mut gr = Vec::new();
    let mut csv = String::from("group,r,mass,g\n");
    let mut summary = BTreeMap::new();
    for (key, label, color, idx) in [
        ("hardest", hl, BLUE, &hard),
        ("softest", sl, RED, &soft),
        ("all", "all atoms".to_string(), GREY, &all),
    ] {
        let pts: Vec<[f64; 3]> = idx.iter().map(|&k| frame.positions()[rows[k]]).collect();
        let d = analysis::pair_distances(frame.sim_box(), &pts, r_max)?;
        let m = analysis::mass_radius(&d, pts.len(), dr, bins);
        let g = analysis::radial_distribution(&d, pts.len(), volume, 0.05, gbins);
        for (r, v) in &m {
            let _ = writeln!(csv, "{key},{r:?},{v:?},");
        }
        for (r, v) in &g {
            let _ = writeln!(csv, "{key},{r:?},,{v:?}");
        }
        let df = analysis::log_slope(&m, 4.0, r_max);
        summary.insert(format!("fractal_dimension_{key}"), df);
        summary.insert(format!("atoms_{key}"), idx.len() as f64);
        mass.push((
            format!("{label}: {} atoms, slope {df:.2}", idx.len()),
            color,
            m,
        ));
        gr.push((label, color, g));
    }
    summary.insert("r_max".into(), r_max);
    let fig = Fig3c { mass, gr, r_max };
    save(&fig, dir, "fig3c", &Numbers { csv, summary })
}

struct Fig3d {
    names: Vec<String>,
    hard: Vec<Vec<f64>>,
    soft: Vec<Vec<f64>>,
    labels: (String, String),
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

pub fn fig3d(config: &Config, dir: &Path) -> Result<PathBuf> {
    let l = Layout::new(config, config.base());
    let s = base_softness(config)?;
    let t = Table::read(l.features("paper80"))?;
    if t.ids != s.ids {
        bail!("the feature table and the softness table list different atoms");
    }
    let (hard, soft, hl, sl) = groups(&s.qs);
    // The 16 short-range interstice features (SPEC §4), in column order.
    let names: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !c.starts_with("MRO_"))
        .take(16)
        .cloned()
        .collect();
    let mut fig = Fig3d {
        names: names.clone(),
        hard: Vec::new(),
        soft: Vec::new(),
        labels: (
            format!("{hl}, {} atoms", hard.len()),
            format!("{sl}, {} atoms", soft.len()),
        ),
    };
    let mut csv = String::from("feature,group,mean_scaled,median_scaled\n");
    let mut summary = BTreeMap::new();
    for name in &names {
        let k = t.column_index(name).context("feature column")?;
        let v = t.column(k);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let scale = |x: f64| if hi > lo { (x - lo) / (hi - lo) } else { 0.0 };
        let h: Vec<f64> = hard.iter().map(|&i| scale(v[i])).collect();
        let so: Vec<f64> = soft.iter().map(|&i| scale(v[i])).collect();
        let _ = writeln!(csv, "{name},hardest,{:?},{:?}", mean(&h), quantile(&h, 0.5));
        let _ = writeln!(
            csv,
            "{name},softest,{:?},{:?}",
            mean(&so),
            quantile(&so, 0.5)
        );
        summary.insert(format!("soft_minus_hard_{name}"), mean(&so) - mean(&h));
        fig.hard.push(h);
        fig.soft.push(so);
    }
    save(&fig, dir, "fig3d", &Numbers { csv, summary })
}

struct Fig3e {
    /// (strain %, QS of the atoms first activated at that step).
    steps: Vec<(f64, Vec<f64>)>,
    stress: Vec<(f64, f64)>,
    max_strain: f64,
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

/// The AQS stress–strain curve `stress-strain.txt` of `xtask md`, as
/// (strain %, shear stress GPa); empty when the file is absent.
fn stress_strain(dir: &Path) -> Result<Vec<(f64, f64)>> {
    let path = dir.join("stress-strain.txt");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() || f[0].starts_with('#') {
            continue;
        }
        let num = |k: usize| -> Result<f64> {
            f.get(k).and_then(|s| s.parse().ok()).with_context(|| {
                format!(
                    "{} line {}: expected step, strain, pxy (bar), …",
                    path.display(),
                    n + 1
                )
            })
        };
        // LAMMPS' pxy is a pressure in bar: the shear stress is −pxy.
        out.push((100.0 * num(1)?, -num(2)? * 1e-4));
    }
    Ok(out)
}

/// The `first-plastic.csv` of `interstice first-plastic`: atom id and the
/// step at which it first became plastic (empty: never).
fn read_first_plastic(path: &Path) -> Result<Vec<(u64, Option<usize>)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = header
        .iter()
        .position(|&h| h == "first_plastic_step")
        .with_context(|| format!("{}: no first_plastic_step column", path.display()))?;
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let f: Vec<&str> = l.split(',').collect();
            let bad = || {
                format!(
                    "{} line {}: expected id,type,first_plastic_step",
                    path.display(),
                    n + 2
                )
            };
            let id = f.first().and_then(|s| s.parse().ok()).with_context(bad)?;
            let step = match f.get(col).copied() {
                Some("") => None,
                Some(s) => Some(s.parse().ok().with_context(bad)?),
                None => anyhow::bail!(bad()),
            };
            Ok((id, step))
        })
        .collect()
}

pub fn fig3e(config: &Config, dir: &Path) -> Result<PathBuf> {
    let base = config.base();
    let l = Layout::new(config, base);
    let s = base_softness(config)?;
    let first = read_first_plastic(&l.first_plastic())?;
    let qs_of: HashMap<u64, f64> = s.ids.iter().copied().zip(s.qs.iter().copied()).collect();
    let n_steps = base.trajectory().len();
    let mut steps: Vec<(f64, Vec<f64>)> = (1..=n_steps)
        .map(|k| (100.0 * k as f64 * config.labels.strain_step, Vec::new()))
        .collect();
    for (id, step) in first {
        if let Some(step) = step.filter(|&k| k >= 1 && k <= n_steps) {
            let q = *qs_of
                .get(&id)
                .with_context(|| format!("atom id {id} has no QS"))?;
            steps[step - 1].1.push(q);
        }
    }
    let mut csv = String::from("step,strain_percent,activated,median_qs,mean_qs\n");
    for (k, (x, q)) in steps.iter().enumerate() {
        let _ = writeln!(
            csv,
            "{},{x:?},{},{:?},{:?}",
            k + 1,
            q.len(),
            quantile(q, 0.5),
            mean(q)
        );
    }
    let stress = stress_strain(&base.dir)?;
    // The atoms in the order they yield: the first quarter of them against
    // the rest (the paper: the earliest are the softest).
    let order: Vec<f64> = steps.iter().flat_map(|s| s.1.iter().copied()).collect();
    if order.len() < 4 {
        bail!(
            "fewer than 4 atoms of {} ever reach the label threshold of D²min over {n_steps} frames: no strain map to draw",
            base.name
        );
    }
    let quarter = order.len().div_ceil(4);
    let summary = BTreeMap::from([
        (
            "share_activated".to_string(),
            order.len() as f64 / s.qs.len() as f64,
        ),
        (
            "mean_qs_first_activated_quarter".to_string(),
            mean(&order[..quarter]),
        ),
        (
            "mean_qs_later_activated".to_string(),
            mean(&order[quarter..]),
        ),
        ("mean_qs_all".to_string(), mean(&s.qs)),
    ]);
    let max_strain = 100.0 * n_steps as f64 * config.labels.strain_step;
    let fig = Fig3e {
        steps,
        stress,
        max_strain,
    };
    save(&fig, dir, "fig3e", &Numbers { csv, summary })
}

pub fn fig3f(config: &Config, dir: &Path) -> Result<PathBuf> {
    let base = config.base();
    let mut series = Vec::new();
    let mut csv = String::from("dataset,condition,rate,qs_lo,qs_hi,density\n");
    let mut summary = BTreeMap::new();
    let mut sets: Vec<(&crate::config::Dataset, PathBuf)> =
        vec![(base, Layout::new(config, base).trained("paper80", "qs.csv"))];
    for d in config
        .datasets
        .iter()
        .filter(|d| matches!(d.role, Role::OtherRate | Role::OtherComposition))
    {
        sets.push((d, Layout::new(config, d).transfer_qs("paper80")));
    }
    if sets.len() < 2 {
        bail!("fig3f needs data sets with role other-rate or other-composition");
    }
    for (k, (d, path)) in sets.iter().enumerate() {
        let s = if d.role == Role::Base {
            Softness::read_held_out(path)?
        } else {
            Softness::read(path)?
        };
        let b = bars(&s.qs, 0.0, 1.0, 50, true);
        for (a, bb, y) in &b {
            let _ = writeln!(
                csv,
                "{},{},{},{a:?},{bb:?},{y:?}",
                d.name,
                d.condition,
                d.rate.map_or(String::new(), |r| format!("{r:e}"))
            );
        }
        summary.insert(format!("mean_qs_{}", d.name), mean(&s.qs));
        let tag = if d.role == Role::Base { " (base)" } else { "" };
        series.push((
            format!("{}{tag}: mean QS {:.3}", d.legend(), mean(&s.qs)),
            PALETTE[k % PALETTE.len()],
            false,
            b,
        ));
    }
    let fig = Hist {
        title: "f  Quench-in softness of other compositions and quench rates (base model)".into(),
        x_desc: "quench-in softness QS".into(),
        y_desc: "probability density".into(),
        series,
        x: (0.0, 1.0),
        log_y: false,
        hline: None,
    };
    save(&fig, dir, "fig3f", &Numbers { csv, summary })
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
