//! File formats of interstice: LAMMPS dumps and data files and extended XYZ,
//! read and written; [`Trajectory`] opens any of them by their content.
//!
//! After chemfiles' format layer: each format has static metadata
//! ([`FormatInfo`]); trajectory readers implement [`TrajectoryReader`] with
//! sequential reads that reuse buffers, a cheap `forward` that skips a frame,
//! and random access through an offset index. Where the bytes come from
//! (a file or memory, plain or gzip, concatenated gzip members included) is a
//! separate layer ([`Source`]), so tests read from memory.
//!
//! Writers are atomic: they write a temporary file next to the destination and
//! rename it when everything is written ([`OutputFile`]).
//!
//! This is the only interstice crate that touches files.
#![deny(missing_docs)]

mod data;
mod dump;
mod error;
mod extxyz;
mod index;
mod output;
mod parquet_table;
mod source;
mod table;
mod text;

pub mod dataset;
pub use data::{AtomStyle, DataFile, read_data, read_data_from, write_data, write_data_to};
pub use dump::{AtomLines, DumpReader, DumpWriter, line_starts};
pub use error::IoError;
pub use extxyz::{ExtXyzReader, ExtXyzWriter};
pub use interstice_core::Frame;
pub use output::{OutputFile, set_commit_observer};
pub use parquet_table::{ParquetTableWriter, TableMeta};
pub use source::Source;
pub use table::Table;

/// What a format is and what it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatInfo {
    /// The format's name.
    pub name: &'static str,
    /// File name endings that usually mean this format (before any `.gz`).
    pub extensions: &'static [&'static str],
    /// One line on what it is.
    pub description: &'static str,
    /// Whether a file can hold several frames.
    pub multiple_frames: bool,
    /// Whether the format carries image flags.
    pub image_flags: bool,
    /// Whether it carries extra named per-atom columns.
    pub extra_columns: bool,
    /// Whether interstice can write it.
    pub writes: bool,
}

/// Every format interstice reads.
pub static FORMATS: [FormatInfo; 3] = [
    FormatInfo {
        name: "LAMMPS dump",
        extensions: &["dump", "lammpstrj", "dump.gz", "lammpstrj.gz"],
        description: "text dump (dump atom / dump custom): any column order, x|xu|xs|xsu, image flags, extra columns, restricted and general triclinic",
        multiple_frames: true,
        image_flags: true,
        extra_columns: true,
        writes: true,
    },
    FormatInfo {
        name: "LAMMPS data",
        extensions: &["data", "lmp", "data.gz"],
        description: "data file, atom_style atomic, charge or full: header, Masses, Atoms, Velocities, Atom Type Labels, restricted and general triclinic",
        multiple_frames: false,
        image_flags: true,
        extra_columns: false,
        writes: true,
    },
    FormatInfo {
        name: "extended XYZ",
        extensions: &["xyz", "extxyz", "xyz.gz", "extxyz.gz"],
        description: "ASE's and OVITO's XYZ with Lattice=, Properties=, pbc= (and OVITO's Origin=); species as elements or type numbers; extra columns",
        multiple_frames: true,
        image_flags: false,
        extra_columns: true,
        writes: true,
    },
];

/// How far from its box (in box lengths) a position may lie.
const FAR_BOX_LENGTHS: f64 = 1e6;

/// A position a million box lengths from the box is a damaged file, not a
/// state of matter: no simulation writes one, wrapping it loses every digit,
/// and its image flags would overflow. `first_line` is the line of atom 0.
pub(crate) fn check_far_positions(
    name: &str,
    sim_box: &interstice_core::SimBox,
    positions: &[[f64; 3]],
    ids: &[u64],
    first_line: u64,
) -> Result<(), IoError> {
    for (k, p) in positions.iter().enumerate() {
        let f = sim_box.to_fractional(*p);
        if let Some(a) = (0..3).find(|&a| f[a].abs() >= FAR_BOX_LENGTHS) {
            return Err(IoError::parse(
                name,
                first_line + k as u64,
                format!(
                    "atom {} lies {:.3e} box lengths along {} from the box; expected a position near it (at most {FAR_BOX_LENGTHS:e} box lengths away)",
                    ids.get(k).copied().unwrap_or(0),
                    f[a],
                    ["x", "y", "z"][a]
                ),
            ));
        }
    }
    Ok(())
}

mod trajectory;
pub use trajectory::{DataReader, Format, Trajectory};

/// A reader of frames, sequential and random-access.
pub trait TrajectoryReader {
    /// The format's metadata.
    fn info(&self) -> &'static FormatInfo;

    /// The number of frames.
    ///
    /// # Errors
    /// When the content is malformed or cannot be read.
    fn frame_count(&mut self) -> Result<usize, IoError>;

    /// Reads the next frame into `frame`, reusing its buffers; `false` at the end.
    ///
    /// # Errors
    /// When the content is malformed or cannot be read.
    fn read_into(&mut self, frame: &mut Frame) -> Result<bool, IoError>;

    /// Skips the next frame cheaply (without parsing atoms where the format
    /// allows); `false` at the end.
    ///
    /// # Errors
    /// When the content is malformed or cannot be read.
    fn forward(&mut self) -> Result<bool, IoError>;

    /// Reads frame `index` into `frame`.
    ///
    /// # Errors
    /// When the index is past the end, or as [`TrajectoryReader::read_into`].
    fn read_at_into(&mut self, index: usize, frame: &mut Frame) -> Result<(), IoError>;
}
