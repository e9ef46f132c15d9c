//! The ranks a distributed command runs on: MPI's when this binary is
//! built with the `mpi` feature and started by `mpirun`, else this one
//! process. Only rank 0 prints.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use interstice_distributed::Comm;

/// Set on ranks other than 0: `main` then prints no error (rank 0 prints
/// the same one).
static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether this process should stay silent.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// The number of ranks `mpirun` (OpenMPI, MPICH, Intel MPI, Slurm's PMI)
/// says this process is one of, if any.
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

/// Whether a command runs distributed: asked for, or started by `mpirun`
/// with more than one rank.
pub fn distributed(asked: bool) -> bool {
    asked || launched_ranks().is_some_and(|n| n > 1)
}

/// Runs `f` on the ranks: MPI's if built with it, else this process alone
/// (refused under `mpirun` with several ranks, which would run the whole
/// job several times over the same output).
pub fn run<T>(f: impl FnOnce(&dyn Comm) -> Result<T>) -> Result<T> {
    #[cfg(feature = "mpi")]
    {
        if let Some(comm) = interstice_distributed::MpiComm::init() {
            QUIET.store(comm.rank() != 0, Ordering::Relaxed);
            return f(&comm);
        }
    }
    if let Some(n) = launched_ranks().filter(|&n| n > 1) {
        bail!(
            "started as one of {n} MPI ranks, but this interstice was built without MPI: \
             build it with `cargo build --release -p interstice --features mpi` (or run one process)"
        );
    }
    f(&interstice_distributed::Single)
}

/// Whether this process is rank 0 of `comm` (the one that prints).
pub fn root(comm: &dyn Comm) -> bool {
    comm.rank() == 0
}

/// `--out` of a distributed command: a partitioned table (a folder) whose
/// parent folder exists.
pub fn check_dataset_out(out: &std::path::Path) -> Result<()> {
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            dir.display()
        );
    }
    if out.exists() && !interstice_io::dataset::is_dataset(out) {
        bail!(
            "--out {}: exists and is not a partitioned table interstice wrote; a distributed run writes a folder there and replaces only its own",
            out.display()
        );
    }
    Ok(())
}

/// This process's peak resident memory (`VmHWM`), bytes; 0 where the
/// system does not say.
pub fn peak_memory() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })
        .unwrap_or(0)
}

/// Every rank's peak memory, as `a, b, … MB` (collective).
pub fn peak_memory_per_rank(comm: &dyn Comm) -> String {
    interstice_distributed::gather_u64(comm, peak_memory())
        .iter()
        .map(|b| format!("{:.0}", *b as f64 / 1e6))
        .collect::<Vec<_>>()
        .join(", ")
}
