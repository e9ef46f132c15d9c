//! The `interstice` command line: the thin driver over the library crates.
//!
//! Only this crate knows about command-line flags, configuration files and
//! the layout of output folders.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod demo;
mod evaluate;
mod featurize;
mod first_plastic;
mod info;
mod label;
mod predict;
mod ranks;
mod run;
mod train;
mod voronoi;

/// Predict where a metallic glass deforms plastically from its quenched
/// structure (Wang & Jain, Nat. Commun. 10, 5537, 2019).
#[derive(Parser, Debug)]
#[command(name = "interstice", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The whole method on the bundled Cu65Zr35 glass: features, D²min labels,
    /// the 3 × 5 protocol, quench-in softness, a metrics table and an OVITO dump.
    Demo(demo::DemoArgs),
    /// The whole pipeline from a TOML file: features, labels, the base model,
    /// transfer, a results table and the paper's figures; up-to-date steps are skipped.
    Run(run::RunArgs),
    /// Summarise a LAMMPS dump: frames, atoms, box (with tilts), species, columns.
    Info(info::InfoArgs),
    /// Label plastic atoms by D²min between a reference and a deformed frame.
    Label(label::LabelArgs),
    /// The strain step at which each atom first becomes plastic over a trajectory.
    FirstPlastic(first_plastic::FirstPlasticArgs),
    /// Per-atom features of one frame (the paper's 80 interstice features).
    Featurize(featurize::FeaturizeArgs),
    /// Voronoi cells (plain or radical) of one frame: volume, CN and index per atom.
    Voronoi(voronoi::VoronoiArgs),
    /// Convert between LAMMPS dumps, LAMMPS data files and extended XYZ.
    Convert(convert::ConvertArgs),
    /// Train gradient-boosted trees with the paper's 3 × 5 protocol; print the metrics.
    Train(train::TrainArgs),
    /// Quench-in softness of atoms from a model saved by `train --model`.
    Predict(predict::PredictArgs),
    /// Score a saved model on another data set (transfer), on the natural class ratio.
    Evaluate(evaluate::EvaluateArgs),
}

/// Fault injection for the crash-safety tests (tests/run_faults.rs): with
/// `INTERSTICE_FAULT_ABORT_AFTER_COMMITS=N`, the process aborts right after
/// its N-th committed output file, as a kill at that moment would.
fn install_fault_injection() {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LIMIT: OnceLock<usize> = OnceLock::new();
    static COMMITS: AtomicUsize = AtomicUsize::new(0);
    let Some(n) = std::env::var("INTERSTICE_FAULT_ABORT_AFTER_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
    else {
        return;
    };
    let _ = LIMIT.set(n);
    interstice_io::set_commit_observer(|_| {
        if Some(&(COMMITS.fetch_add(1, Ordering::SeqCst) + 1)) == LIMIT.get() {
            std::process::abort();
        }
    });
}

fn main() -> ExitCode {
    install_fault_injection();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args, &mut std::io::stdout().lock()),
        Command::Run(args) => run::run(&args, &mut std::io::stdout().lock()),
        Command::Info(args) => info::run(&args, &mut std::io::stdout().lock()),
        Command::Label(args) => label::run(&args, &mut std::io::stdout().lock()),
        Command::FirstPlastic(args) => first_plastic::run(&args, &mut std::io::stdout().lock()),
        Command::Featurize(args) => featurize::run(&args, &mut std::io::stdout().lock()),
        Command::Voronoi(args) => voronoi::run(&args, &mut std::io::stdout().lock()),
        Command::Convert(args) => convert::run(&args, &mut std::io::stdout().lock()),
        Command::Train(args) => train::run(&args, &mut std::io::stdout().lock()),
        Command::Predict(args) => predict::run(&args, &mut std::io::stdout().lock()),
        Command::Evaluate(args) => evaluate::run(&args, &mut std::io::stdout().lock()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !ranks::quiet() {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}
