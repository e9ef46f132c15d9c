//! Project automation, after matklad's cargo-xtask: `cargo xtask <task>`.
//!
//! Tasks today:
//! - `tidy`: the source-hygiene checks of [`tidy`] (also run as a `#[test]`);
//! - `md`: LAMMPS glasses and their shear trajectories ([`md`]);
//! - `bench-peers`: our time against a peer code's in the same run ([`bench_peers`]);
//! - `codegen`: documents generated from the code, checked in CI ([`codegen`]);
//! - `compat`: OVITO and ASE read every file `interstice convert` writes
//!   ([`compat`]);
//! - `reproduce`: the paper's figures through the `interstice` binary
//!   ([`reproduce`]);
//! - `honest`: leak-free evaluation on the committed glasses ([`honest`]);
//! - `python`: the Python package built, tested and shown in OVITO ([`python`]);
//! - `mpi`: the MPI binary checked against one process on 1, 2 and 4 ranks
//!   ([`mpi`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench_peers;
mod binary;
mod codegen;
mod compat;
mod honest;
mod md;
mod mpi;
mod python;
mod reproduce;
mod tidy;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  bench-peers spatial   our neighbour list against freud's, timed in the same run
  bench-peers d2min     our D²min against OVITO's AtomicStrainModifier
  bench-peers geometry  our Voronoi against voro++ and freud (--large adds 1M atoms)
  bench-peers features  our paper80 features against amlearn 0.3.4's pipeline
                        (--large: ours alone on 1.008M atoms, whole and block by block,
                        2 threads, peak memory; --huge adds 10.2M atoms block by block)
  bench-peers learn     the 15-model protocol (interstice train) against scikit-learn's
                        GradientBoostingClassifier and LightGBM [--repeats N] [--seed S]
  codegen [--check]     write docs/features.md from the code (--check: fail if stale)
  md      make metallic glasses with LAMMPS (cargo xtask md for details)
  compat                OVITO and ASE read what interstice writes (dump, data, extended XYZ)
  python                pip install ./crates/python into .venv, its pytest suite, the OVITO example
  mpi [--scaling] [--huge]
          interstice with MPI (OpenMPI from Debian): mpirun -np 1, 2, 4 featurize and voronoi
          on the fixture, a 256 000-atom replica and a per-processor dump, each partitioned
          table equal to the single process bit for bit (--scaling: strong and weak scaling;
          --huge: 10.2M atoms on 2 ranks)
  reproduce [FIGURE... | --all] [--data quick|paper-scaled] [--check | --bless] [--np N] [--jobs J]
          the paper's figures, drawn by `interstice run` into target/figures/<data>/<id>/
          (cargo xtask reproduce --help for details)
  honest [--trees N] [--datasets DIR] [--write]
          random folds against guarded slabs and one glass left out, on every committed
          glass sheared in six directions (--write: into docs/results.md)
  tidy    check that every .rs file opens with //!, that no test is ignored or
          expects a panic, and that error messages are lowercase without a
          trailing period";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("tidy") if args.len() == 1 => tidy::run(&project_root()),
        Some("md") => md::main(&project_root(), &args[1..]),
        Some("codegen") if args.len() == 1 => codegen::run(&project_root(), false),
        Some("codegen") if args.len() == 2 && args[1] == "--check" => {
            codegen::run(&project_root(), true)
        }
        Some("bench-peers") => bench_peers::main(&project_root(), &args[1..]),
        Some("reproduce") => reproduce::main(&project_root(), &args[1..]),
        Some("compat") => compat::main(&project_root(), &args[1..]),
        Some("python") => python::main(&project_root(), &args[1..]),
        Some("mpi") => mpi::main(&project_root(), &args[1..]),
        Some("honest") => honest::main(&project_root(), &args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's folder.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
