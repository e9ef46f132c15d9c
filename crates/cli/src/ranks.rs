//! The ranks a distributed command runs on: MPI's when this binary is
//! built with the `mpi` feature and started by `mpirun`, else this one
//! process. Only rank 0 prints.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use interstice_distributed::Comm;

/// The options of a command that can run distributed.
#[derive(clap::Args, Debug)]
pub struct RanksArgs {
    /// Split the box into one domain per MPI rank (implied under `mpirun`
    /// with several ranks; one domain without MPI): each rank reads its
    /// share of the file (byte ranges of a plain dump; a name with `%` is a
    /// LAMMPS per-processor dump) and writes its domain's rows as its part
    /// of a partitioned Parquet table. `--out` is then a folder that pandas,
    /// polars, pyarrow, DuckDB and Spark read as one table; its rows are
    /// the single-process rows, bit for bit.
    #[arg(long)]
    pub distributed: bool,
    /// With --distributed: the first ghost skin around each domain, Å
    /// (default: enough for the command's cutoffs); widened on every rank
    /// while a cell needs more.
    #[arg(long, value_parser = positive_length)]
    pub ghost_skin: Option<f64>,
}

impl RanksArgs {
    /// Whether the command runs distributed: asked for, or started by
    /// `mpirun` with more than one rank.
    pub fn on(&self) -> bool {
        self.distributed || launched_ranks().is_some_and(|n| n > 1)
    }
}

fn positive_length(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected a positive length in Å, found '{s}'")),
    }
}

/// Set on ranks other than 0: `main` then prints no error (rank 0 prints
/// the same one).
static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether this process should stay silent.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// The number of ranks `mpirun` (OpenMPI, MPICH, Slurm's PMI) says this
/// process is one of, if any.
fn launched_ranks() -> Option<usize> {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "PMIX_SIZE",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .find_map(|v| std::env::var(v).ok()?.parse().ok())
}

/// Runs `f` on the ranks (MPI's if built with it, else this process alone;
/// refused under `mpirun` with several ranks, which would run the whole
/// job several times over one output) and prints the line it returns, with
/// every rank's peak memory, on rank 0.
pub fn run(out: &mut impl Write, f: impl FnOnce(&dyn Comm) -> Result<String>) -> Result<()> {
    #[cfg(feature = "mpi")]
    {
        if let Some(comm) = interstice_distributed::MpiComm::init() {
            QUIET.store(comm.rank() != 0, Ordering::Relaxed);
            return print(out, &comm, f);
        }
    }
    if let Some(n) = launched_ranks().filter(|&n| n > 1) {
        bail!(
            "started as one of {n} MPI ranks, but this interstice was built without MPI: \
             build it with `cargo build --release -p interstice --features mpi` (or run one process)"
        );
    }
    print(out, &interstice_distributed::Single, f)
}

fn print(
    out: &mut impl Write,
    comm: &dyn Comm,
    f: impl FnOnce(&dyn Comm) -> Result<String>,
) -> Result<()> {
    let line = f(comm)?;
    let memory: Vec<String> = interstice_distributed::gather_u64(comm, peak_memory())
        .iter()
        .map(|b| format!("{:.0}", *b as f64 / 1e6))
        .collect();
    if comm.rank() == 0 {
        writeln!(
            out,
            "{line} (peak memory per rank {} MB)",
            memory.join(", ")
        )?;
    }
    Ok(())
}

/// This process's peak resident memory (`VmHWM`), bytes; 0 where the
/// system does not say.
fn peak_memory() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })
        .unwrap_or(0)
}
