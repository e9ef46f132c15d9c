//! Fig. 3: quench-in softness of the base glass (a: histogram, b: the
//! probability of being plastic, c: mass–radius scaling and g(r) of the
//! hardest and softest atoms, d: their interstice features, e: softness of
//! the atoms activated at each strain step) and f: softness of other
//! compositions and quench rates under the base model.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::Frame;
use interstice_features::{Preset, analysis};
use interstice_io::Table;
use serde::Serialize;

use super::{
    BLUE, FigureData, GREY, Inputs, Numbers, PALETTE, Plot, RED, Rgb, Softness, histogram, mean,
    quantile,
};
use crate::config::{Config, Role};
use crate::layout::Layout;

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
    Softness::read_held_out(&Layout::new(config, config.base()).trained(Preset::Paper80, "qs.csv"))
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
pub type Bars = (String, Rgb, bool, Vec<(f64, f64, f64)>);
/// A line series: (label, colour, points).
pub type Line = (String, Rgb, Vec<(f64, f64)>);

/// The numbers drawn in a histogram (Fig. 3a, 3b, 3f and the demo's figure).
#[derive(Clone, Debug, Serialize)]
pub struct Hist {
    /// The title.
    pub title: String,
    /// The x axis' label.
    pub x_desc: String,
    /// The y axis' label.
    pub y_desc: String,
    /// The series.
    pub series: Vec<Bars>,
    /// The x range.
    pub x: (f64, f64),
    /// A logarithmic y axis.
    pub log_y: bool,
    /// A horizontal reference line (label, y).
    pub hline: Option<(String, f64)>,
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
pub fn fig3a(inputs: &Inputs<'_>) -> Result<FigureData> {
    let config = inputs.config;
    let s = base_softness(config)?;
    let title = format!(
        "a  Quench-in softness of {} ({} atoms, held out)",
        config.base().legend(),
        s.qs.len()
    );
    Ok(softness_histogram(&s, title, "fig3a"))
}

/// A histogram of quench-in softness (bins of 0.02), all atoms and the
/// plastic ones, as figure `id` (Fig. 3a; also the demo's figure).
pub fn softness_histogram(s: &Softness, title: String, id: &str) -> FigureData {
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
    FigureData::new(id, Plot::Hist(fig), Numbers { csv, summary })
}

/// Fig. 3b: the probability of being plastic against softness.
///
/// # Errors
/// A missing or malformed `qs.csv`.
pub fn fig3b(inputs: &Inputs<'_>) -> Result<FigureData> {
    let s = base_softness(inputs.config)?;
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
    Ok(FigureData::new(
        "fig3b",
        Plot::Hist(fig),
        Numbers { csv, summary },
    ))
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

/// The numbers drawn in Fig. 3c.
#[derive(Clone, Debug, Serialize)]
pub struct Fig3c {
    /// The mass–radius curve of each group.
    pub mass: Vec<Line>,
    /// g(r) of each group.
    pub gr: Vec<Line>,
    /// The largest radius, Å.
    pub r_max: f64,
}

/// Fig. 3c: mass–radius scaling and g(r) of the hardest and softest atoms.
///
/// # Errors
/// A missing or malformed `qs.csv`, or atoms not in the base frame.
pub fn fig3c(inputs: &Inputs<'_>) -> Result<FigureData> {
    let s = base_softness(inputs.config)?;
    let frame = inputs.base.frame();
    let rows = rows_of(frame, &s.ids)?;
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
    Ok(FigureData::new(
        "fig3c",
        Plot::Fig3c(fig),
        Numbers { csv, summary },
    ))
}

/// The numbers drawn in Fig. 3d.
#[derive(Clone, Debug, Serialize)]
pub struct Fig3d {
    /// The features.
    pub names: Vec<String>,
    /// Each feature of the hardest atoms, scaled to [0, 1].
    pub hard: Vec<Vec<f64>>,
    /// Each feature of the softest atoms, scaled to [0, 1].
    pub soft: Vec<Vec<f64>>,
    /// The two groups, described.
    pub labels: (String, String),
}

/// Fig. 3d: the short-range interstice features of the hardest and softest atoms.
///
/// # Errors
/// Missing or mismatched tables.
pub fn fig3d(inputs: &Inputs<'_>) -> Result<FigureData> {
    let config = inputs.config;
    let l = Layout::new(config, config.base());
    let s = base_softness(config)?;
    let t = Table::read(l.features(Preset::Paper80))?;
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
    Ok(FigureData::new(
        "fig3d",
        Plot::Fig3d(fig),
        Numbers { csv, summary },
    ))
}

/// The numbers drawn in Fig. 3e.
#[derive(Clone, Debug, Serialize)]
pub struct Fig3e {
    /// (strain %, QS of the atoms first activated at that step).
    pub steps: Vec<(f64, Vec<f64>)>,
    /// The stress–strain curve (strain %, GPa).
    pub stress: Vec<(f64, f64)>,
    /// The largest strain, %.
    pub max_strain: f64,
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

/// Fig. 3e: softness of the atoms activated at each strain step.
///
/// # Errors
/// Missing tables, or fewer than 4 activated atoms.
pub fn fig3e(inputs: &Inputs<'_>) -> Result<FigureData> {
    let config = inputs.config;
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
    Ok(FigureData::new(
        "fig3e",
        Plot::Fig3e(fig),
        Numbers { csv, summary },
    ))
}

/// Fig. 3f: softness of other compositions and quench rates under the base model.
///
/// # Errors
/// No such data set, or missing tables.
pub fn fig3f(inputs: &Inputs<'_>) -> Result<FigureData> {
    let config: &Config = inputs.config;
    let base = config.base();
    let mut series = Vec::new();
    let mut csv = String::from("dataset,condition,rate,qs_lo,qs_hi,density\n");
    let mut summary = BTreeMap::new();
    let mut sets: Vec<(&crate::config::Dataset, PathBuf)> = vec![(
        base,
        Layout::new(config, base).trained(Preset::Paper80, "qs.csv"),
    )];
    for d in config
        .datasets
        .iter()
        .filter(|d| matches!(d.role, Role::OtherRate | Role::OtherComposition))
    {
        sets.push((d, Layout::new(config, d).transfer_qs(Preset::Paper80)));
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
    Ok(FigureData::new(
        "fig3f",
        Plot::Hist(fig),
        Numbers { csv, summary },
    ))
}
