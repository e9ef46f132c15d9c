//! File formats of interstice: LAMMPS dumps and data files, read and written.
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
mod output;
mod parquet_table;
mod source;
mod table;
mod text;

pub use data::{DataFile, read_data, read_data_from, write_data, write_data_to};
pub use dump::{DumpReader, DumpWriter};
pub use error::IoError;
pub use interstice_core::Frame;
pub use output::{OutputFile, set_commit_observer};
pub use parquet_table::TableMeta;
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
pub static FORMATS: [FormatInfo; 2] = [
    FormatInfo {
        name: "LAMMPS dump",
        extensions: &["dump", "lammpstrj", "dump.gz", "lammpstrj.gz"],
        description: "text dump (dump atom / dump custom): any column order, x|xu|xs|xsu, image flags, extra columns, triclinic",
        multiple_frames: true,
        image_flags: true,
        extra_columns: true,
        writes: true,
    },
    FormatInfo {
        name: "LAMMPS data",
        extensions: &["data", "lmp", "data.gz"],
        description: "data file with atom_style atomic: header, Masses, Atoms, Velocities, tilt line",
        multiple_frames: false,
        image_flags: true,
        extra_columns: false,
        writes: true,
    },
];

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
