//! Domain decomposition for glasses larger than one machine: the box is
//! cut into one domain per rank ([`Decomposition`], the widest axis first);
//! each rank reads its share of the frame ([`read_share`]: byte ranges of
//! a plain dump, line ranges of a gzipped one, its files of a LAMMPS
//! per-processor dump), sends every atom to the ranks that hold it as a
//! home atom or a ghost ([`exchange`]), computes the rows of its home
//! atoms, and writes them as its part of a partitioned table
//! ([`interstice_io::dataset`]), which pandas, polars, pyarrow, DuckDB and
//! Spark read as one table.
//!
//! Every row equals, bit for bit, the single-process row of that atom, for
//! any number of ranks: a rank holds its atoms in the whole frame's order,
//! the tessellation of a part uses the whole frame's spacing and refuses a
//! cell that would reach past the ghosts
//! ([`interstice_geometry::VoronoiParams::part`]), and a skin that proves
//! too thin is widened on every rank and the step redone ([`featurize`],
//! [`voronoi`]).
//!
//! The ranks talk through the [`Comm`] trait: MPI with the `mpi` feature
//! (`MpiComm`), threads of one process ([`run_threads`]: the tests, and
//! a machine without MPI), or one process ([`Single`]).
//!
//! ```
//! use interstice_distributed::{Decomposition, run_threads, Comm};
//! let d = Decomposition::new([40.0, 40.0, 20.0], 4);
//! assert_eq!(d.dims(), [2, 2, 1]);
//! let ranks = run_threads(4, |c| c.all_gather(&[c.rank() as u8]).len());
//! assert_eq!(ranks, vec![4; 4]);
//! ```

mod comm;
mod domain;
mod exchange;
mod jobs;
mod label;
#[cfg(feature = "mpi")]
mod mpi_comm;
mod predict;
mod read;

pub use comm::{Comm, Outcome, Single, ThreadComm, agree, agree_done, gather_u64, run_threads};
pub use domain::Decomposition;
pub use exchange::{Local, exchange};
pub use jobs::{Featurize, Report, Voronoi, featurize, voronoi};
pub use label::{LABEL_COLUMNS, Label, LabelSummary, label};
#[cfg(feature = "mpi")]
pub use mpi_comm::MpiComm;
pub use predict::{Predict, predict};
pub use read::{Input, Share, read_share};
