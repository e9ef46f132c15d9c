//! Any frame file, by its content: a LAMMPS dump, a LAMMPS data file or
//! extended XYZ, plain or gzipped, chosen by sniffing the first lines with
//! the file name's extension as a hint.

use std::path::Path;

use interstice_core::{Frame, TypeMap};

use crate::source::{LineStream, Source};
use crate::{DataFile, DumpReader, ExtXyzReader, FORMATS, FormatInfo, IoError, TrajectoryReader};

/// The formats [`Trajectory`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A LAMMPS text dump.
    Dump,
    /// A LAMMPS data file (one frame).
    Data,
    /// Extended XYZ.
    ExtXyz,
}

impl Format {
    /// The format's metadata.
    pub fn info(self) -> &'static FormatInfo {
        match self {
            Format::Dump => &FORMATS[0],
            Format::Data => &FORMATS[1],
            Format::ExtXyz => &FORMATS[2],
        }
    }

    /// The format a file name suggests, if any (`.gz` looked through).
    pub fn from_extension(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        [Format::Dump, Format::Data, Format::ExtXyz]
            .into_iter()
            .find(|f| f.info().extensions.contains(&ext))
    }

    /// The format of a file from its first lines; `hint` breaks ties.
    ///
    /// A dump starts with `ITEM:`; extended XYZ with an atom count and a
    /// comment line holding `Lattice=` or `Properties=`; a data file has a
    /// title line and then header lines, one of them `N atoms`.
    fn sniff(lines: &[String], hint: Option<Format>) -> Option<Format> {
        let content: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        let first = content.iter().position(|l| !l.is_empty())?;
        if content[first].starts_with("ITEM:") {
            return Some(Format::Dump);
        }
        let is_count = content[first].parse::<u64>().is_ok();
        let next = content.get(first + 1).copied().unwrap_or("");
        let keyed =
            next.contains("Lattice=") || next.contains("Properties=") || next.contains("lattice=");
        if is_count && (keyed || hint == Some(Format::ExtXyz)) {
            return Some(Format::ExtXyz);
        }
        // A data file: title, then header keywords; `N atoms` within the header.
        let has_atoms = content.iter().skip(first + 1).any(|l| {
            let l = l.split('#').next().unwrap_or("").trim();
            let w: Vec<&str> = l.split_ascii_whitespace().collect();
            w.len() == 2 && w[1] == "atoms" && w[0].parse::<u64>().is_ok()
        });
        if has_atoms {
            return Some(Format::Data);
        }
        None
    }
}

/// A frame reader for any supported format, opened by content.
///
/// ```
/// use interstice_io::{Format, Source, Trajectory};
/// let xyz = b"1\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nCu 1 2 3\n";
/// let mut t = Trajectory::from_source(Source::Memory { name: "m.xyz".into(), bytes: xyz }, None)?;
/// assert_eq!(t.format(), Format::ExtXyz);
/// let f = t.read_at(0)?;
/// assert_eq!((f.types()[0], f.positions()[0]), (29, [1.0, 2.0, 3.0]));
/// # Ok::<(), interstice_io::IoError>(())
/// ```
pub enum Trajectory<'a> {
    /// A LAMMPS dump.
    Dump(DumpReader<'a>),
    /// A LAMMPS data file, read whole when opened.
    Data(DataReader),
    /// Extended XYZ.
    ExtXyz(ExtXyzReader<'a>),
}

/// A data file as a one-frame trajectory.
pub struct DataReader {
    name: String,
    file: DataFile,
    next: usize,
    map: Option<TypeMap>,
}

impl DataReader {
    fn frame(&self) -> Result<Frame, IoError> {
        if let Some(map) = &self.map {
            let f = &self.file.frame;
            if let Some(k) = f.types().iter().position(|&t| map.species(t).is_err()) {
                return Err(IoError::invalid(
                    &self.name,
                    format!(
                        "atom type {} (atom id {}) is not in the type map '{map}'",
                        f.types()[k],
                        f.ids()[k]
                    ),
                ));
            }
        }
        Ok(self.file.frame.clone())
    }

    fn out_of_range(&self, index: usize) -> IoError {
        IoError::FrameOutOfRange {
            path: self.name.clone(),
            index,
            count: 1,
        }
    }
}

impl Trajectory<'static> {
    /// Opens a file in any supported format, plain or gzipped.
    ///
    /// # Errors
    /// [`IoError::Os`] if it cannot be read; [`IoError::Invalid`] naming the
    /// formats tried when the content is none of them; a data file's own
    /// errors, since it is read whole here.
    pub fn open(path: impl AsRef<Path>) -> Result<Trajectory<'static>, IoError> {
        let path = path.as_ref();
        Trajectory::from_source(
            Source::File(path.to_path_buf()),
            Format::from_extension(path),
        )
    }
}

impl<'a> Trajectory<'a> {
    /// Opens any [`Source`]; `hint` is the format its name suggests.
    ///
    /// # Errors
    /// As [`Trajectory::open`].
    pub fn from_source(
        source: Source<'a>,
        hint: Option<Format>,
    ) -> Result<Trajectory<'a>, IoError> {
        let name = source.name();
        let hint = hint.or_else(|| Format::from_extension(Path::new(&name)));
        let mut lines = Vec::new();
        {
            let mut s = LineStream::open(source.clone())?;
            let mut buf = Vec::new();
            while lines.len() < 40 && s.read_line(&mut buf)? {
                lines.push(String::from_utf8_lossy(&buf[..buf.len().min(4096)]).into_owned());
            }
        }
        let format = Format::sniff(&lines, hint).ok_or_else(|| {
            let first = lines
                .iter()
                .find(|l| !l.trim().is_empty())
                .map(|l| crate::error::excerpt(l.as_bytes()))
                .unwrap_or_else(|| "nothing (an empty file)".to_string());
            IoError::invalid(
                &name,
                format!(
                    "not a format interstice reads; tried a LAMMPS dump (starts with 'ITEM: TIMESTEP'), extended XYZ (an atom count, then a line with Lattice= and Properties=) and a LAMMPS data file (a title, then header lines with 'N atoms'); the file starts with '{first}'"
                ),
            )
        })?;
        Ok(match format {
            Format::Dump => Trajectory::Dump(DumpReader::from_source(source)?),
            Format::ExtXyz => Trajectory::ExtXyz(ExtXyzReader::from_source(source)?),
            Format::Data => Trajectory::Data(DataReader {
                name,
                file: crate::read_data_from(source)?,
                next: 0,
                map: None,
            }),
        })
    }

    /// Checks types (and maps element symbols of extended XYZ) with `map`.
    #[must_use]
    pub fn with_type_map(self, map: &TypeMap) -> Trajectory<'a> {
        match self {
            Trajectory::Dump(r) => Trajectory::Dump(r.with_type_map(map)),
            Trajectory::ExtXyz(r) => Trajectory::ExtXyz(r.with_type_map(map)),
            Trajectory::Data(mut r) => {
                r.map = Some(map.clone());
                Trajectory::Data(r)
            }
        }
    }

    /// The format found.
    pub fn format(&self) -> Format {
        match self {
            Trajectory::Dump(_) => Format::Dump,
            Trajectory::Data(_) => Format::Data,
            Trajectory::ExtXyz(_) => Format::ExtXyz,
        }
    }

    /// The file name used in messages.
    pub fn name(&self) -> &str {
        match self {
            Trajectory::Dump(r) => r.name(),
            Trajectory::Data(r) => &r.name,
            Trajectory::ExtXyz(r) => r.name(),
        }
    }

    /// The data file's header, masses and labels, for a data file.
    pub fn data_file(&self) -> Option<&DataFile> {
        match self {
            Trajectory::Data(r) => Some(&r.file),
            _ => None,
        }
    }

    /// Reads the next frame, or `None` at the end.
    ///
    /// # Errors
    /// As the format's reader.
    pub fn read(&mut self) -> Result<Option<Frame>, IoError> {
        let mut frame = Frame::default();
        Ok(if self.read_into(&mut frame)? {
            Some(frame)
        } else {
            None
        })
    }

    /// Reads frame `index` (0-based).
    ///
    /// # Errors
    /// [`IoError::FrameOutOfRange`] past the end; as the format's reader.
    pub fn read_at(&mut self, index: usize) -> Result<Frame, IoError> {
        let mut frame = Frame::default();
        self.read_at_into(index, &mut frame)?;
        Ok(frame)
    }
}

impl TrajectoryReader for Trajectory<'_> {
    fn info(&self) -> &'static FormatInfo {
        self.format().info()
    }

    fn frame_count(&mut self) -> Result<usize, IoError> {
        match self {
            Trajectory::Dump(r) => r.frame_count(),
            Trajectory::ExtXyz(r) => r.frame_count(),
            Trajectory::Data(_) => Ok(1),
        }
    }

    fn read_into(&mut self, frame: &mut Frame) -> Result<bool, IoError> {
        match self {
            Trajectory::Dump(r) => r.read_into(frame),
            Trajectory::ExtXyz(r) => r.read_into(frame),
            Trajectory::Data(r) => {
                if r.next > 0 {
                    return Ok(false);
                }
                *frame = r.frame()?;
                r.next = 1;
                Ok(true)
            }
        }
    }

    fn forward(&mut self) -> Result<bool, IoError> {
        match self {
            Trajectory::Dump(r) => r.forward(),
            Trajectory::ExtXyz(r) => r.forward(),
            Trajectory::Data(r) => {
                let had = r.next == 0;
                r.next = 1;
                Ok(had)
            }
        }
    }

    fn read_at_into(&mut self, index: usize, frame: &mut Frame) -> Result<(), IoError> {
        match self {
            Trajectory::Dump(r) => r.read_at_into(index, frame),
            Trajectory::ExtXyz(r) => r.read_at_into(index, frame),
            Trajectory::Data(r) => {
                if index != 0 {
                    return Err(r.out_of_range(index));
                }
                *frame = r.frame()?;
                r.next = 1;
                Ok(())
            }
        }
    }
}
