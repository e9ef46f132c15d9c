//! `cargo xtask md check`: is each finished sample an amorphous glass with
//! sane numbers?
//!
//! Per sample: density and energy per atom of the 0 K reference, partial
//! g(r) first peaks, the fraction of icosahedral and crystalline atoms by
//! common-neighbour analysis (LAMMPS `cna/atom`, cutoff at the first minimum
//! of the total g(r)), and the shear stress–strain curve (shear modulus from
//! the first 1 % of strain, peak stress). For Cu-Zr near Cu64Zr36 the density
//! is compared with the sanity value of shared/MD.md (7.70 g/cm³, 4 000
//! atoms, 10¹³ K/s, same potential): it must agree within 3 %.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::{CONDITIONS, Paths, write_atomic};

/// shared/MD.md: Cu64Zr36, 4 000 atoms, 10¹³ K/s, Mendelev 2009, 0 K.
const CUZR_DENSITY: f64 = 7.70;
const CUZR_ENERGY: f64 = -4.4673;
/// No more than this fraction of atoms may sit in fcc, hcp or bcc environments.
const MAX_CRYSTAL: f64 = 0.05;

/// Checks every complete sample under `data/md`, or the sample folders given.
pub fn check(paths: &Paths, args: &[String]) -> Result<()> {
    let samples: Vec<PathBuf> = if args.is_empty() {
        let mut v = Vec::new();
        find_samples(&paths.md(), &mut v)?;
        v.sort();
        v
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    if samples.is_empty() {
        bail!(
            "no finished sample under {}: run `cargo xtask md run ...` first",
            paths.md().display()
        );
    }
    let mut failures = 0;
    for dir in &samples {
        match check_sample(paths, dir) {
            Ok(true) => {}
            Ok(false) => failures += 1,
            Err(e) => {
                println!("{}: cannot check: {e:#}", dir.display());
                failures += 1;
            }
        }
    }
    if failures > 0 {
        bail!("{failures} of {} samples failed the check", samples.len());
    }
    println!(
        "md check: {} samples are amorphous with sane numbers",
        samples.len()
    );
    Ok(())
}

fn find_samples(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if dir.join("manifest.json").exists() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            find_samples(&p, out)?;
        }
    }
    Ok(())
}

/// Columns of the g(r) table: r, then g and coordination for *-*, 1-1, 1-2, 2-2.
fn read_rdf(path: &Path) -> Result<Vec<[f64; 5]>> {
    let text = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let v: Vec<f64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if v.len() == 10 {
            rows.push([v[1], v[2], v[4], v[6], v[8]]);
        }
    }
    if rows.is_empty() {
        bail!("{} has no g(r) rows", path.display());
    }
    Ok(rows)
}

/// The position of the highest g(r) value of column `c` between `lo` and `hi` Å.
fn peak(rows: &[[f64; 5]], c: usize, lo: f64, hi: f64) -> f64 {
    rows.iter()
        .filter(|r| r[0] >= lo && r[0] <= hi)
        .max_by(|a, b| a[c].total_cmp(&b[c]))
        .map_or(f64::NAN, |r| r[0])
}

/// The first minimum of the total g(r) after its first peak.
fn first_minimum(rows: &[[f64; 5]]) -> f64 {
    let p = peak(rows, 1, 2.0, 4.0);
    rows.iter()
        .filter(|r| r[0] > p && r[0] < p + 2.0)
        .min_by(|a, b| a[1].total_cmp(&b[1]))
        .map_or(3.6, |r| r[0])
}

fn lammps(paths: &Paths, dir: &Path, name: &str, input: &str) -> Result<()> {
    write_atomic(&dir.join(format!("in.{name}")), input.as_bytes())?;
    let out = Command::new(paths.lmp())
        .args([
            "-in",
            &format!("in.{name}"),
            "-log",
            &format!("log.{name}"),
            "-screen",
            "none",
        ])
        .current_dir(dir)
        .output()
        .context("cannot start lmp")?;
    if !out.status.success() {
        bail!(
            "LAMMPS failed on {name} ({}); see {}",
            out.status,
            dir.join(format!("log.{name}")).display()
        );
    }
    Ok(())
}

pub(super) fn check_sample(paths: &Paths, dir: &Path) -> Result<bool> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json"))?)?;
    let cname = manifest["condition"]
        .as_str()
        .context("manifest without condition")?;
    let condition = CONDITIONS
        .iter()
        .find(|c| c.name == cname)
        .with_context(|| format!("unknown condition {cname}"))?;
    let alloy = condition.alloy;
    let work = dir.join("check");
    std::fs::create_dir_all(&work)?;
    let setup = format!(
        "units metal\natom_style atomic\nboundary p p p\nread_data ../reference.data\npair_style eam/fs\npair_coeff * * {pot} {e1} {e2}\nmass 1 {m1}\nmass 2 {m2}\n",
        pot = paths.potential(alloy).display(),
        e1 = alloy.elements[0],
        e2 = alloy.elements[1],
        m1 = alloy.masses[0],
        m2 = alloy.masses[1],
    );
    lammps(
        paths,
        &work,
        "rdf",
        &(setup.clone()
            + "neighbor 2.0 bin\ncomm_modify cutoff 10.5\ncompute rdf all rdf 400 * * 1 1 1 2 2 2 cutoff 8.0\nfix rdf all ave/time 1 1 1 c_rdf[*] file rdf.txt mode vector\n\
               thermo_style custom step pe vol density\nrun 0\nprint \"SUMMARY $(pe/atoms:%.8f) $(vol/atoms:%.6f) $(density:%.6f)\"\n"),
    )?;
    let rows = read_rdf(&work.join("rdf.txt"))?;
    let log = std::fs::read_to_string(work.join("log.rdf"))?;
    let summary: Vec<f64> = log
        .lines()
        .find(|l| l.starts_with("SUMMARY "))
        .context("no summary line in log.rdf")?
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let (energy, volume, density) = (summary[0], summary[1], summary[2]);
    let cutoff = first_minimum(&rows);
    lammps(
        paths,
        &work,
        "cna",
        &(setup
            + &format!(
                "compute cna all cna/atom {cutoff}\ndump d all custom 1 cna.txt id type c_cna\ndump_modify d sort id\nrun 0\n"
            )),
    )?;
    let cna = std::fs::read_to_string(work.join("cna.txt"))?;
    let mut counts = [0usize; 6];
    let mut ico_by_type = [0usize; 3];
    let mut n_by_type = [0usize; 3];
    let mut atoms = 0;
    let mut in_atoms = false;
    for l in cna.lines() {
        if l.starts_with("ITEM: ATOMS") {
            in_atoms = true;
            continue;
        }
        if !in_atoms {
            continue;
        }
        let v: Vec<usize> = l
            .split_whitespace()
            .filter_map(|x| x.parse::<f64>().ok().map(|f| f as usize))
            .collect();
        if v.len() == 3 && v[1] <= 2 && v[2] <= 5 {
            counts[v[2]] += 1;
            n_by_type[v[1]] += 1;
            if v[2] == 4 {
                ico_by_type[v[1]] += 1;
            }
            atoms += 1;
        }
    }
    let frac = |n: usize| n as f64 / atoms.max(1) as f64;
    // cna/atom: 1 fcc, 2 hcp, 3 bcc, 4 icosahedral, 5 other.
    let crystal = frac(counts[1] + counts[2] + counts[3]);
    let ico = frac(counts[4]);
    let ico_1 = ico_by_type[1] as f64 / n_by_type[1].max(1) as f64;

    // A reference-only sample (the window evidence) has no shear curve.
    let ss = std::fs::read_to_string(dir.join("stress-strain.txt")).unwrap_or_default();
    let curve: Vec<(f64, f64)> = ss
        .lines()
        .filter_map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            // Shear stress is −pxy; LAMMPS metal pressure is in bar.
            (v.len() == 5).then(|| (v[1], -v[2] * 1e-4))
        })
        .collect();
    let elastic: Vec<&(f64, f64)> = curve.iter().filter(|(e, _)| *e <= 0.01 + 1e-9).collect();
    let modulus = {
        let n = elastic.len() as f64;
        let (sx, sy) = elastic
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        let (sxx, sxy) = elastic
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x * x, b + x * y));
        (n * sxy - sx * sy) / (n * sxx - sx * sx)
    };
    let (peak_strain, peak_stress) = curve.iter().copied().fold(
        (0.0, f64::NEG_INFINITY),
        |m, p| if p.1 > m.1 { p } else { m },
    );

    let (e1, e2) = (alloy.elements[0], alloy.elements[1]);
    println!("{}:", dir.display());
    println!("  energy            {energy:.4} eV/atom");
    println!("  volume            {volume:.3} Å³/atom, density {density:.4} g/cm³");
    println!(
        "  g(r) first peaks  {e1}-{e1} {:.2}  {e1}-{e2} {:.2}  {e2}-{e2} {:.2} Å (first minimum {cutoff:.2} Å)",
        peak(&rows, 2, 2.0, 3.2),
        peak(&rows, 3, 2.0, 3.4),
        peak(&rows, 4, 2.4, 4.0)
    );
    println!(
        "  CNA               icosahedral {:.1} % ({e1}-centred {:.1} %), fcc+hcp+bcc {:.2} %",
        100.0 * ico,
        100.0 * ico_1,
        100.0 * crystal
    );
    println!(
        "  shear             modulus {modulus:.1} GPa, peak {peak_stress:.2} GPa at {:.2} % strain ({} frames)",
        100.0 * peak_strain,
        curve.len()
    );
    let mut ok = true;
    if crystal > MAX_CRYSTAL {
        println!(
            "  FAIL: {:.1} % of atoms are crystalline (at most {:.0} % allowed)",
            100.0 * crystal,
            100.0 * MAX_CRYSTAL
        );
        ok = false;
    }
    if !ss.is_empty() && curve.len() != 81 {
        println!(
            "  FAIL: the stress-strain curve has {} points, expected 81",
            curve.len()
        );
        ok = false;
    }
    if alloy.name == "CuZr" && (condition.fraction_2 - 0.36).abs() < 0.02 {
        let off = (density - CUZR_DENSITY) / CUZR_DENSITY;
        println!(
            "  shared/MD.md      {CUZR_DENSITY} g/cm³ and {CUZR_ENERGY} eV/atom for Cu64Zr36: density off by {:+.2} %, energy by {:+.4} eV",
            100.0 * off,
            energy - CUZR_ENERGY
        );
        if off.abs() > 0.03 {
            println!("  FAIL: density differs from shared/MD.md by more than 3 %");
            ok = false;
        }
    }
    let report = json!({
        "energy_eV_per_atom": energy, "volume_A3_per_atom": volume, "density_g_cm3": density,
        "gr_first_peaks_A": { format!("{e1}-{e1}"): peak(&rows, 2, 2.0, 3.2), format!("{e1}-{e2}"): peak(&rows, 3, 2.0, 3.4), format!("{e2}-{e2}"): peak(&rows, 4, 2.4, 4.0) },
        "gr_first_minimum_A": cutoff,
        "cna": { "cutoff_A": cutoff, "icosahedral": ico, "icosahedral_type1_centred": ico_1, "crystalline": crystal },
        "shear": { "modulus_GPa": modulus, "peak_stress_GPa": peak_stress, "peak_strain": peak_strain },
        "stress_strain": curve,
        "passed": ok,
    });
    write_atomic(
        &dir.join("check.json"),
        serde_json::to_string_pretty(&report)?.as_bytes(),
    )?;
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_and_minimum_of_a_hand_made_rdf() {
        // g(r) = 1 + 2 cos(k x) exp(−x/2), x = r − 2.7, k = 2π/1.8: its extrema
        // solve tan(k x) = −1/(2k), so the peak is at x = −0.0408 (r = 2.659)
        // and the minimum at x = π/k − 0.0408 (r = 3.559).
        let k = 2.0 * std::f64::consts::PI / 1.8;
        let rows: Vec<[f64; 5]> = (100..400)
            .map(|i| {
                let r = 0.01 * f64::from(i);
                let x = r - 2.7;
                let g = 1.0 + 2.0 * (k * x).cos() * (-x / 2.0).exp();
                [r, g, g, g, g]
            })
            .collect();
        let shift = (-1.0 / (2.0 * k)).atan() / k;
        assert!((peak(&rows, 1, 2.0, 3.2) - (2.7 + shift)).abs() < 0.006);
        let m = first_minimum(&rows);
        assert!(
            (m - (2.7 + std::f64::consts::PI / k + shift)).abs() < 0.006,
            "{m}"
        );
    }
}
