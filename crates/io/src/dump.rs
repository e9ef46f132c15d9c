//! LAMMPS text dumps (`dump atom` and `dump custom`): a streaming reader with
//! an offset index and a writer.
//!
//! The reader takes columns in any order; coordinates as `x y z` (wrapped),
//! `xu yu zu` (unwrapped), `xs ys zs` (scaled) or `xsu ysu zsu` (scaled
//! unwrapped), converted to Cartesian Å; image flags `ix iy iz` with wrapped
//! coordinates; every other column kept by name (integers, reals, or text for
//! `element`). Triclinic headers (`ITEM: BOX BOUNDS xy xz yz`) give the
//! *bounding box* of the tilted cell, which is converted back to LAMMPS'
//! `lo`/`hi` (the LAMMPS manual, "Triclinic (non-orthogonal) simulation
//! boxes"; chemfiles 0.10 takes the bounding box as the cell, which is wrong).

use std::path::Path;

use interstice_core::{
    Column, ColumnData, CoreError, Frame, FrameParts, GeneralCell, Orientation, SimBox, TypeMap,
};

use crate::error::excerpt;
use crate::index::{FrameIndex, Indexed};
use crate::output::OutputFile;
use crate::source::{LineStream, Source};
use crate::text::{parse_finite, parse_float, parse_i64, parse_u64, split_fields};
use crate::{FORMATS, FormatInfo, IoError, TrajectoryReader};

/// The dump's metadata: [`FormatInfo`] for LAMMPS dumps.
pub fn info() -> &'static FormatInfo {
    &FORMATS[0]
}

const COORDS: [[&str; 3]; 4] = [
    ["x", "y", "z"],
    ["xu", "yu", "zu"],
    ["xs", "ys", "zs"],
    ["xsu", "ysu", "zsu"],
];
const IMAGES: [&str; 3] = ["ix", "iy", "iz"];

/// What a column of the `ITEM: ATOMS` line holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Id,
    Type,
    Coord(usize),
    Image(usize),
    Extra(usize),
}

/// The columns of one frame, resolved.
#[derive(Clone, Debug)]
struct Layout {
    names: Vec<String>,
    roles: Vec<Role>,
    /// Which of [`COORDS`] gives the positions.
    coords: usize,
    has_images: bool,
    /// Extra columns: name and whether it holds text.
    extras: Vec<(String, bool)>,
}

impl Layout {
    fn new(names: Vec<String>) -> Result<Layout, String> {
        for (k, n) in names.iter().enumerate() {
            if names[..k].contains(n) {
                return Err(format!("column '{n}' appears twice in 'ITEM: ATOMS'"));
            }
        }
        let has = |n: &str| names.iter().any(|c| c == n);
        for required in ["id", "type"] {
            if !has(required) {
                return Err(format!(
                    "missing column '{required}' in 'ITEM: ATOMS {}'",
                    names.join(" ")
                ));
            }
        }
        let coords = (0..4).find(|&k| COORDS[k].iter().all(|c| has(c))).ok_or_else(|| {
            format!(
                "missing coordinate columns in 'ITEM: ATOMS {}': expected x y z, xu yu zu, xs ys zs or xsu ysu zsu",
                names.join(" ")
            )
        })?;
        let image_count = IMAGES.iter().filter(|c| has(c)).count();
        if image_count != 0 && image_count != 3 {
            return Err(format!(
                "image flags need all of ix iy iz, found only some in 'ITEM: ATOMS {}'",
                names.join(" ")
            ));
        }
        // Image flags belong to wrapped coordinates; with unwrapped ones they stay extra columns.
        let has_images = image_count == 3 && (coords == 0 || coords == 2);
        let mut roles = Vec::with_capacity(names.len());
        let mut extras = Vec::new();
        for n in &names {
            let role = match n.as_str() {
                "id" => Role::Id,
                "type" => Role::Type,
                c if COORDS[coords].contains(&c) => {
                    Role::Coord(COORDS[coords].iter().position(|x| *x == c).unwrap_or(0))
                }
                c if has_images && IMAGES.contains(&c) => {
                    Role::Image(IMAGES.iter().position(|x| *x == c).unwrap_or(0))
                }
                other => {
                    extras.push((other.to_string(), other == "element"));
                    Role::Extra(extras.len() - 1)
                }
            };
            roles.push(role);
        }
        Ok(Layout {
            names,
            roles,
            coords,
            has_images,
            extras,
        })
    }
}

/// The header of one frame.
#[derive(Clone, Debug)]
struct Header {
    timestep: u64,
    time: Option<f64>,
    natoms: u64,
    sim_box: SimBox,
    /// The rotation of a general triclinic box into the restricted one.
    orientation: Option<Orientation>,
    layout: Layout,
    /// Line number of `ITEM: ATOMS`.
    atoms_line: u64,
}

/// Where a frame's atom lines are in a dump ([`DumpReader::atom_lines`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtomLines {
    /// The byte offset of the first atom line (of the decompressed text
    /// when compressed).
    pub offset: u64,
    /// The lines before it: the first atom line is line `line + 1`.
    pub line: u64,
    /// The frame's atom count (`ITEM: NUMBER OF ATOMS`).
    pub count: u64,
    /// Whether the file is gzip-compressed: its offsets cannot be seeked
    /// to, so a split goes by line counts.
    pub compressed: bool,
    /// The size of a plain file, bytes (`None` when compressed).
    pub source_len: Option<u64>,
}

/// The lines of a plain (uncompressed) file that start in bytes
/// `from..to`: the offset of the first of them (or `to`) and how many
/// there are. A line starts at byte 0 and after every newline. Processes
/// that split a dump's atom lines by byte ranges count their share with
/// this, then read it with [`DumpReader::read_atom_lines`].
///
/// # Errors
/// [`IoError::Os`] if the file cannot be read.
pub fn line_starts(path: &Path, from: u64, to: u64) -> Result<(u64, u64), IoError> {
    use std::io::{Read, Seek, SeekFrom};
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| IoError::os(&name, "cannot open", e))?;
    let len = file
        .metadata()
        .map_err(|e| IoError::os(&name, "cannot read", e))?
        .len();
    let to = to.min(len);
    if from >= to {
        return Ok((to, 0));
    }
    // A newline at byte q starts a line at q + 1: read from from - 1.
    let begin = from.saturating_sub(1);
    file.seek(SeekFrom::Start(begin))
        .map_err(|e| IoError::os(&name, "cannot seek", e))?;
    let (mut first, mut count) = (None, 0u64);
    if from == 0 {
        first = Some(0);
        count = 1;
    }
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = begin;
    let mut reader = std::io::BufReader::new(file).take(to - 1 - begin);
    loop {
        let k = reader
            .read(&mut buf)
            .map_err(|e| IoError::os(&name, "cannot read", e))?;
        if k == 0 {
            break;
        }
        for (q, _) in buf[..k].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            let start = pos + q as u64 + 1;
            first.get_or_insert(start);
            count += 1;
        }
        pos += k as u64;
    }
    Ok((first.unwrap_or(to), count))
}

/// A streaming reader of LAMMPS dumps, plain or gzipped, from a file or memory.
///
/// Frames are read in order with [`DumpReader::read`] or
/// [`DumpReader::read_into`] (which reuses the frame's buffers); random access
/// with [`DumpReader::read_at`] goes through an index of frame offsets that is
/// built as frames are passed and completed, without parsing atom lines, by
/// [`DumpReader::frame_count`]. Gzipped sources cannot seek: going back
/// decompresses again from the start.
///
/// ```
/// use interstice_io::DumpReader;
/// let text = b"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type x y z\n1 1 0.5 1.5 2.5\n";
/// let mut reader = DumpReader::from_bytes("example", text)?;
/// assert_eq!(reader.frame_count()?, 1);
/// let frame = reader.read_at(0)?;
/// assert_eq!(frame.positions()[0], [0.5, 1.5, 2.5]);
/// # Ok::<(), interstice_io::IoError>(())
/// ```
pub struct DumpReader<'a> {
    stream: LineStream<'a>,
    index: FrameIndex,
    line: Vec<u8>,
    fields: Vec<(u32, u32)>,
    columns: Vec<String>,
    /// Types allowed by a type map (indexed by type), and the map as text.
    allowed: Option<(Vec<bool>, String)>,
}

impl DumpReader<'static> {
    /// Opens a dump file, plain or gzipped (recognised by its content).
    ///
    /// # Errors
    /// [`IoError::Os`] if the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<DumpReader<'static>, IoError> {
        DumpReader::from_source(Source::File(path.as_ref().to_path_buf()))
    }
}

impl<'a> DumpReader<'a> {
    /// Reads a dump held in memory; `name` stands for the path in messages.
    ///
    /// # Errors
    /// None today; the signature matches [`DumpReader::open`].
    pub fn from_bytes(name: &str, bytes: &'a [u8]) -> Result<DumpReader<'a>, IoError> {
        DumpReader::from_source(Source::Memory {
            name: name.to_string(),
            bytes,
        })
    }

    /// Reads a dump from any [`Source`].
    ///
    /// # Errors
    /// [`IoError::Os`] if a file cannot be opened.
    pub fn from_source(source: Source<'a>) -> Result<DumpReader<'a>, IoError> {
        Ok(DumpReader {
            stream: LineStream::open(source)?,
            index: FrameIndex::default(),
            line: Vec::with_capacity(256),
            fields: Vec::with_capacity(16),
            columns: Vec::new(),
            allowed: None,
        })
    }

    /// Checks every atom's type against `map` while reading, so that an
    /// unmapped type is reported with its file and line.
    #[must_use]
    pub fn with_type_map(mut self, map: &TypeMap) -> DumpReader<'a> {
        let max = map.iter().map(|(t, _)| t).max().unwrap_or(0) as usize;
        let mut allowed = vec![false; max + 1];
        for (t, _) in map.iter() {
            allowed[t as usize] = true;
        }
        self.allowed = Some((allowed, map.to_string()));
        self
    }

    /// The file name or memory name used in messages.
    pub fn name(&self) -> &str {
        self.stream.name()
    }

    /// The `ITEM: ATOMS` column names of the last frame read.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Reads the next frame, or `None` at the end of the file.
    ///
    /// # Errors
    /// [`IoError::Parse`] naming the line for malformed content; [`IoError::Os`].
    pub fn read(&mut self) -> Result<Option<Frame>, IoError> {
        let mut frame = Frame::default();
        Ok(if self.read_into(&mut frame)? {
            Some(frame)
        } else {
            None
        })
    }

    /// Reads the next frame into `frame`, reusing its buffers; `false` at the end.
    ///
    /// # Errors
    /// As [`DumpReader::read`]; on error `frame` is left empty.
    pub fn read_into(&mut self, frame: &mut Frame) -> Result<bool, IoError> {
        let Some(header) = self.read_header()? else {
            return Ok(false);
        };
        let parts = std::mem::take(frame).into_parts();
        *frame = self.read_atoms(&header, parts)?;
        self.index.next += 1;
        Ok(true)
    }

    /// Skips the next frame without parsing its atoms; `false` at the end.
    ///
    /// # Errors
    /// [`IoError::Parse`] for a malformed header or a truncated frame.
    pub fn forward(&mut self) -> Result<bool, IoError> {
        let Some(header) = self.read_header()? else {
            return Ok(false);
        };
        crate::index::skip_atom_lines(
            &mut self.stream,
            header.natoms,
            &format!("'ITEM: ATOMS' on line {}", header.atoms_line),
        )?;
        self.index.next += 1;
        Ok(true)
    }

    /// The number of frames in the file. The first call scans the rest of the
    /// file (headers only); the reading position is kept.
    ///
    /// # Errors
    /// As [`DumpReader::forward`].
    pub fn frame_count(&mut self) -> Result<usize, IoError> {
        self.count_frames()
    }

    /// Reads frame `index` (0-based).
    ///
    /// # Errors
    /// [`IoError::FrameOutOfRange`] if the file has fewer frames; as [`DumpReader::read`].
    pub fn read_at(&mut self, index: usize) -> Result<Frame, IoError> {
        let mut frame = Frame::default();
        self.read_at_into(index, &mut frame)?;
        Ok(frame)
    }

    /// Reads frame `index` into `frame`, reusing its buffers.
    ///
    /// # Errors
    /// As [`DumpReader::read_at`].
    pub fn read_at_into(&mut self, index: usize, frame: &mut Frame) -> Result<(), IoError> {
        self.go_to_frame(index)?;
        if self.read_into(frame)? {
            Ok(())
        } else {
            Err(self.out_of_range(index))
        }
    }

    /// Where the atom lines of frame `index` are: for a reader that splits
    /// them between processes ([`DumpReader::read_atom_lines`]). The
    /// reading position stays at the start of that frame.
    ///
    /// # Errors
    /// As [`DumpReader::read_at`] for the frame's header.
    pub fn atom_lines(&mut self, index: usize) -> Result<AtomLines, IoError> {
        self.go_to_frame(index)?;
        let Some(h) = self.read_header()? else {
            return Err(self.out_of_range(index));
        };
        let out = AtomLines {
            offset: self.stream.offset(),
            line: self.stream.line(),
            count: h.natoms,
            compressed: self.stream.is_compressed(),
            source_len: self.stream.len(),
        };
        self.rewind_to(index)?;
        Ok(out)
    }

    /// Atom lines `first .. first + count` (0-based among the frame's atom
    /// lines) of frame `index`, as a frame with that frame's box and
    /// timestep; errors name the lines' own numbers in the file. `at` is
    /// the byte offset of atom line `first` in a plain file (a line start,
    /// from [`line_starts`]), seeked to instead of reading the lines before
    /// it. The reading position goes back to the start of the frame.
    ///
    /// # Errors
    /// Lines past the frame's atom count; as [`DumpReader::read_at`].
    pub fn read_atom_lines(
        &mut self,
        index: usize,
        first: u64,
        count: u64,
        at: Option<u64>,
    ) -> Result<Frame, IoError> {
        self.go_to_frame(index)?;
        let frame = self.atom_lines_here(index, first, count, at);
        self.rewind_to(index)?;
        frame
    }

    /// [`DumpReader::read_atom_lines`] from the start of frame `index`.
    fn atom_lines_here(
        &mut self,
        index: usize,
        first: u64,
        count: u64,
        at: Option<u64>,
    ) -> Result<Frame, IoError> {
        let Some(mut h) = self.read_header()? else {
            return Err(self.out_of_range(index));
        };
        if first.checked_add(count).is_none_or(|end| end > h.natoms) {
            return Err(IoError::invalid(
                self.stream.name(),
                format!(
                    "atom lines {first}..{} asked of frame {index}, which has {}",
                    first.saturating_add(count),
                    h.natoms
                ),
            ));
        }
        let line0 = self.stream.line();
        match at {
            Some(offset) => self.stream.seek(offset, line0 + first)?,
            None => crate::index::skip_atom_lines(
                &mut self.stream,
                first,
                &format!("'ITEM: ATOMS' on line {}", h.atoms_line),
            )?,
        }
        h.natoms = count;
        self.read_atoms(&h, FrameParts::default())
    }

    /// Back to the start of frame `index`, which the index has recorded.
    fn rewind_to(&mut self, index: usize) -> Result<(), IoError> {
        if let Some(&(o, l)) = self.index.starts.get(index) {
            self.stream.seek(o, l)?;
            self.index.next = index;
        }
        Ok(())
    }

    fn err(&self, message: impl Into<String>) -> IoError {
        IoError::parse(self.stream.name(), self.stream.line(), message)
    }

    /// Reads a line that must exist; `what` says what was expected.
    fn expect_line(&mut self, what: &str) -> Result<(), IoError> {
        if self.stream.read_line(&mut self.line)? {
            Ok(())
        } else {
            Err(IoError::parse(
                self.stream.name(),
                self.stream.line() + 1,
                format!("unexpected end of file: expected {what}"),
            ))
        }
    }

    fn read_header(&mut self) -> Result<Option<Header>, IoError> {
        let (offset, line) = (self.stream.offset(), self.stream.line());
        // Blank lines between frames are tolerated.
        if !crate::index::first_frame_line(
            &mut self.stream,
            &mut self.index,
            &mut self.line,
            "expected a LAMMPS dump starting with 'ITEM: TIMESTEP'",
        )? {
            return Ok(None);
        }
        if !self.line.starts_with(b"ITEM:") {
            let found = excerpt(&self.line);
            return Err(self.err(if self.index.next == 0 {
                format!("expected 'ITEM: TIMESTEP' at the start of a LAMMPS dump, found '{found}'")
            } else {
                format!("expected 'ITEM: TIMESTEP' or the end of the file after the atoms of frame {}, found '{found}'", self.index.next - 1)
            }));
        }
        self.index.found(offset, line);
        let mut timestep = None;
        let mut time = None;
        let mut natoms = None;
        let mut sim_box = None;
        loop {
            let item =
                String::from_utf8_lossy(self.line.strip_prefix(b"ITEM:").unwrap_or(&self.line))
                    .trim()
                    .to_string();
            let item_line = self.stream.line();
            let seen = |b: bool, this: &Self| {
                if b {
                    Err(this.err(format!("'ITEM: {item}' appears twice in one frame")))
                } else {
                    Ok(())
                }
            };
            if item == "TIMESTEP" {
                seen(timestep.is_some(), self)?;
                self.expect_line("the timestep after 'ITEM: TIMESTEP'")?;
                timestep = Some(self.single(parse_u64, "a non-negative integer timestep")?);
            } else if item == "TIME" {
                seen(time.is_some(), self)?;
                self.expect_line("the time after 'ITEM: TIME'")?;
                time = Some(self.single(parse_finite, "a number for the time")?);
            } else if item == "UNITS" {
                self.expect_line("a unit style after 'ITEM: UNITS'")?;
            } else if item == "NUMBER OF ATOMS" {
                seen(natoms.is_some(), self)?;
                self.expect_line("the atom count after 'ITEM: NUMBER OF ATOMS'")?;
                natoms = Some(self.single(parse_u64, "a non-negative integer atom count")?);
            } else if let Some(rest) = item.strip_prefix("BOX BOUNDS") {
                seen(sim_box.is_some(), self)?;
                sim_box = Some(self.read_box(rest, item_line)?);
            } else if let Some(rest) = item.strip_prefix("ATOMS") {
                let names: Vec<String> =
                    rest.split_ascii_whitespace().map(str::to_string).collect();
                if names.is_empty() {
                    return Err(self.err(
                        "expected column names after 'ITEM: ATOMS' (dump atom or dump custom)",
                    ));
                }
                let missing = [
                    (timestep.is_none(), "TIMESTEP"),
                    (natoms.is_none(), "NUMBER OF ATOMS"),
                    (sim_box.is_none(), "BOX BOUNDS"),
                ];
                if let Some((_, m)) = missing.iter().find(|(absent, _)| *absent) {
                    return Err(self.err(format!("missing 'ITEM: {m}' before 'ITEM: ATOMS'")));
                }
                let layout = Layout::new(names).map_err(|m| self.err(m))?;
                self.columns.clone_from(&layout.names);
                return Ok(Some(Header {
                    timestep: timestep.unwrap_or(0),
                    time,
                    natoms: natoms.unwrap_or(0),
                    sim_box: sim_box.map(|(b, _)| b).unwrap_or_default(),
                    orientation: sim_box.and_then(|(_, o)| o),
                    layout,
                    atoms_line: item_line,
                }));
            } else {
                return Err(self.err(format!(
                    "unknown item 'ITEM: {}': expected TIMESTEP, NUMBER OF ATOMS, BOX BOUNDS or ATOMS",
                    excerpt(item.as_bytes())
                )));
            }
            self.expect_line("'ITEM: ATOMS' and the atoms of the frame")?;
            if !self.line.starts_with(b"ITEM:") {
                return Err(self.err(format!(
                    "expected an 'ITEM:' line, found '{}'",
                    excerpt(&self.line)
                )));
            }
        }
    }

    /// Parses the current line as a single value.
    fn single<T>(&self, parse: fn(&[u8]) -> Option<T>, what: &str) -> Result<T, IoError> {
        let t = self.line.trim_ascii();
        parse(t).ok_or_else(|| self.err(format!("expected {what}, found '{}'", excerpt(t))))
    }

    fn read_box(
        &mut self,
        flags: &str,
        item_line: u64,
    ) -> Result<(SimBox, Option<Orientation>), IoError> {
        let mut words: Vec<&str> = flags.split_ascii_whitespace().collect();
        if words.starts_with(&["abc", "origin"]) {
            words.drain(..2);
            let periodic = self.boundary_flags(&words, flags)?;
            return self.read_general_box(periodic, item_line);
        }
        let triclinic = words.starts_with(&["xy", "xz", "yz"]);
        if triclinic {
            words.drain(..3);
        }
        let periodic = self.boundary_flags(&words, flags)?;
        let width = if triclinic { 3 } else { 2 };
        let mut v = [[0.0; 3]; 3];
        for (axis, name) in ["x", "y", "z"].iter().enumerate() {
            let what = if triclinic {
                format!(
                    "'{name}lo_bound {name}hi_bound {}' (3 numbers)",
                    ["xy", "xz", "yz"][axis]
                )
            } else {
                format!("'{name}lo {name}hi' (2 numbers)")
            };
            self.expect_line(&format!("the box bounds {what}"))?;
            let n = split_fields(&self.line, &mut self.fields);
            let values: Option<Vec<f64>> = self
                .fields
                .iter()
                .map(|&(a, b)| parse_finite(&self.line[a as usize..b as usize]))
                .collect();
            match values {
                Some(vals) if n == width => v[axis][..width].copy_from_slice(&vals),
                _ => {
                    return Err(
                        self.err(format!("expected {what}, found '{}'", excerpt(&self.line)))
                    );
                }
            }
        }
        let [xy, xz, yz] = [v[0][2], v[1][2], v[2][2]];
        let (lo, hi) = if triclinic {
            let (xmin, xmax) = tilt_extent_x(xy, xz);
            let (ymin, ymax) = (yz.min(0.0), yz.max(0.0));
            let lo = [v[0][0] - xmin, v[1][0] - ymin, v[2][0]];
            let hi = [v[0][1] - xmax, v[1][1] - ymax, v[2][1]];
            // A tilt wider than its bounding box: say so, rather than the
            // "xhi must be greater than xlo" the subtraction would give.
            for (a, tilts) in [(0, format!("xy {xy} and xz {xz}")), (1, format!("yz {yz}"))] {
                if v[a][1] > v[a][0] && hi[a] <= lo[a] {
                    let axis = ["x", "y"][a];
                    return Err(IoError::parse(
                        self.stream.name(),
                        item_line,
                        format!(
                            "the tilts {tilts} span more than the {axis} bounds {} … {}: the bounding box of a tilted cell must contain it",
                            v[a][0], v[a][1]
                        ),
                    ));
                }
            }
            (lo, hi)
        } else {
            ([v[0][0], v[1][0], v[2][0]], [v[0][1], v[1][1], v[2][1]])
        };
        SimBox::triclinic(lo, hi, [xy, xz, yz])
            .map(|b| (b.with_periodicity(periodic), None))
            .map_err(|e| IoError::parse(self.stream.name(), item_line, e.to_string()))
    }

    /// Boundary flags such as `pp pp pp` (none: periodic, as in dumps from
    /// LAMMPS before 2009).
    fn boundary_flags(&self, words: &[&str], flags: &str) -> Result<[bool; 3], IoError> {
        let bad_flags = || {
            self.err(format!(
                "expected boundary flags such as 'pp pp pp' after 'ITEM: BOX BOUNDS', found '{}'",
                flags.trim()
            ))
        };
        match words.len() {
            0 => Ok([true; 3]),
            3 => {
                let mut p = [false; 3];
                for (k, w) in words.iter().enumerate() {
                    if w.len() != 2 || !w.bytes().all(|c| matches!(c, b'p' | b'f' | b's' | b'm')) {
                        return Err(bad_flags());
                    }
                    p[k] = *w == "pp";
                }
                Ok(p)
            }
            _ => Err(bad_flags()),
        }
    }

    /// The three lines of a general triclinic box (`dump_modify
    /// triclinic/general yes`, OVITO 3.17): `Ax Ay Az ox`, `Bx By Bz oy`,
    /// `Cx Cy Cz oz`, rotated into the restricted form.
    fn read_general_box(
        &mut self,
        periodic: [bool; 3],
        item_line: u64,
    ) -> Result<(SimBox, Option<Orientation>), IoError> {
        let mut vectors = [[0.0; 3]; 3];
        let mut origin = [0.0; 3];
        for (k, (v, o)) in [("A", "x"), ("B", "y"), ("C", "z")].into_iter().enumerate() {
            let what = format!(
                "the edge vector {v} and the origin's {o}: '{v}x {v}y {v}z origin_{o}' (4 numbers)"
            );
            self.expect_line(&what)?;
            let n = split_fields(&self.line, &mut self.fields);
            let values: Option<Vec<f64>> = self
                .fields
                .iter()
                .map(|&(a, b)| parse_finite(&self.line[a as usize..b as usize]))
                .collect();
            match values {
                Some(vals) if n == 4 => {
                    vectors[k] = [vals[0], vals[1], vals[2]];
                    origin[k] = vals[3];
                }
                _ => {
                    return Err(
                        self.err(format!("expected {what}, found '{}'", excerpt(&self.line)))
                    );
                }
            }
        }
        GeneralCell { vectors, origin }
            .to_restricted()
            .map(|(b, o)| (b.with_periodicity(periodic), o))
            .map_err(|e| IoError::parse(self.stream.name(), item_line, e.to_string()))
    }

    fn read_atoms(&mut self, h: &Header, mut parts: FrameParts) -> Result<Frame, IoError> {
        let n_expected = h.natoms;
        let ncols = h.layout.names.len();
        // Reserve for the announced count, but never more than the bytes left could hold.
        let cap = match self.stream.remaining() {
            Some(left) => n_expected.min(left / (2 * ncols as u64)),
            None => n_expected.min(1 << 20),
        } as usize;
        parts.sim_box = h.sim_box;
        parts.timestep = h.timestep;
        parts.time = h.time;
        parts.ids.clear();
        parts.types.clear();
        parts.positions.clear();
        parts.ids.reserve(cap);
        parts.types.reserve(cap);
        parts.positions.reserve(cap);
        let mut images = parts.images.take().unwrap_or_default();
        images.clear();
        if h.layout.has_images {
            images.reserve(cap);
        }
        let mut extras: Vec<ColumnData> = h
            .layout
            .extras
            .iter()
            .map(|&(_, text)| {
                if text {
                    ColumnData::Text(Vec::new())
                } else {
                    ColumnData::Int(Vec::new())
                }
            })
            .collect();
        parts.columns.clear();
        let mut pos = [0.0; 3];
        let mut img = [0i32; 3];
        for k in 0..n_expected {
            if !self.stream.read_line(&mut self.line)? {
                return Err(IoError::parse(
                    self.stream.name(),
                    self.stream.line() + 1,
                    format!(
                        "unexpected end of file: expected {n_expected} atom lines after 'ITEM: ATOMS' on line {}, found {k}",
                        h.atoms_line
                    ),
                ));
            }
            let found = split_fields(&self.line, &mut self.fields);
            if found != ncols {
                if self.line.starts_with(b"ITEM:") {
                    return Err(self.err(format!(
                        "expected {n_expected} atom lines after 'ITEM: ATOMS' on line {}, found {k} before this item",
                        h.atoms_line
                    )));
                }
                return Err(self.err(format!(
                    "expected {ncols} columns ({}), found {found}",
                    h.layout.names.join(" ")
                )));
            }
            for (c, &(a, b)) in self.fields.iter().enumerate() {
                let f = &self.line[a as usize..b as usize];
                let bad = |what: &str| {
                    IoError::parse(
                        self.stream.name(),
                        self.stream.line(),
                        format!(
                            "expected {what} in column '{}', found '{}'",
                            h.layout.names[c],
                            excerpt(f)
                        ),
                    )
                };
                match h.layout.roles[c] {
                    Role::Id => parts
                        .ids
                        .push(parse_u64(f).ok_or_else(|| bad("a non-negative integer atom id"))?),
                    Role::Type => {
                        let t = parse_u64(f)
                            .filter(|&t| t >= 1 && t <= u64::from(u32::MAX))
                            .ok_or_else(|| bad("a positive integer atom type"))?;
                        if let Some((allowed, map)) = &self.allowed
                            && !allowed.get(t as usize).copied().unwrap_or(false)
                        {
                            return Err(IoError::parse(
                                self.stream.name(),
                                self.stream.line(),
                                format!("atom type {t} is not in the type map '{map}'"),
                            ));
                        }
                        parts.types.push(t as u32);
                    }
                    Role::Coord(i) => {
                        pos[i] = parse_finite(f).ok_or_else(|| bad("a finite number"))?
                    }
                    Role::Image(i) => {
                        img[i] = parse_i64(f)
                            .and_then(|v| i32::try_from(v).ok())
                            .ok_or_else(|| bad("an integer image flag"))?;
                    }
                    Role::Extra(e) => {
                        push_extra(&mut extras[e], f).map_err(|()| bad("a number"))?
                    }
                }
            }
            parts.positions.push(pos);
            if h.layout.has_images {
                images.push(img);
            }
        }
        if h.layout.coords >= 2 {
            // Fractional coordinates are the same in the general and the
            // restricted cell.
            for p in &mut parts.positions {
                *p = h.sim_box.to_cartesian(*p);
            }
        } else if let Some(o) = &h.orientation {
            for p in &mut parts.positions {
                *p = o.to_restricted(*p);
            }
        }
        parts.orientation = h.orientation;
        // A position a million box lengths from the box is a damaged file,
        // not a state of matter: no dump of a simulation holds one, wrapping
        // it loses every digit, and its image flags would overflow.
        let first_atom_line = h.atoms_line + 1;
        crate::check_far_positions(
            self.stream.name(),
            &h.sim_box,
            &parts.positions,
            &parts.ids,
            first_atom_line,
        )?;
        parts.images = h.layout.has_images.then_some(images);
        parts.columns = h
            .layout
            .extras
            .iter()
            .zip(extras)
            .map(|((name, _), data)| Column {
                name: name.clone(),
                data,
            })
            .collect();
        Frame::from_parts(parts).map_err(|e| match e {
            CoreError::DuplicateId { id, first, second } => IoError::parse(
                self.stream.name(),
                first_atom_line + second as u64,
                format!(
                    "atom id {id} appears twice (first on line {})",
                    first_atom_line + first as u64
                ),
            ),
            other => IoError::parse(self.stream.name(), h.atoms_line, other.to_string()),
        })
    }
}

/// Appends one value to an extra column, promoting integers to reals as needed.
fn push_extra(column: &mut ColumnData, f: &[u8]) -> Result<(), ()> {
    match column {
        ColumnData::Text(v) => v.push(String::from_utf8_lossy(f).into_owned()),
        ColumnData::Float(v) => v.push(parse_float(f).ok_or(())?),
        ColumnData::Int(v) => match parse_i64(f) {
            Some(i) => v.push(i),
            None => {
                let x = parse_float(f).ok_or(())?;
                let mut promoted: Vec<f64> = v.iter().map(|&i| i as f64).collect();
                promoted.push(x);
                *column = ColumnData::Float(promoted);
            }
        },
    }
    Ok(())
}

/// The extent of the tilted cell beyond `[xlo, xhi]`: `(min(0, xy, xz, xy + xz), max(...))`.
fn tilt_extent_x(xy: f64, xz: f64) -> (f64, f64) {
    let c = [0.0, xy, xz, xy + xz];
    (
        c.iter().copied().fold(f64::INFINITY, f64::min),
        c.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

/// A bound `b ≈ v + shift` chosen so that a reader computing `b − shift` gets `v` back exactly when possible.
fn exact_bound(v: f64, shift: f64) -> f64 {
    let b = v + shift;
    if b - shift == v {
        return b;
    }
    let (mut up, mut down) = (b, b);
    for _ in 0..16 {
        up = up.next_up();
        down = down.next_down();
        if up - shift == v {
            return up;
        }
        if down - shift == v {
            return down;
        }
    }
    b
}

impl<'a> Indexed<'a> for DumpReader<'a> {
    fn stream_and_index(&mut self) -> (&mut LineStream<'a>, &mut FrameIndex) {
        (&mut self.stream, &mut self.index)
    }

    fn skip_frame(&mut self) -> Result<bool, IoError> {
        self.forward()
    }
}

impl TrajectoryReader for DumpReader<'_> {
    fn info(&self) -> &'static FormatInfo {
        info()
    }

    fn frame_count(&mut self) -> Result<usize, IoError> {
        DumpReader::frame_count(self)
    }

    fn read_into(&mut self, frame: &mut Frame) -> Result<bool, IoError> {
        DumpReader::read_into(self, frame)
    }

    fn forward(&mut self) -> Result<bool, IoError> {
        DumpReader::forward(self)
    }

    fn read_at_into(&mut self, index: usize, frame: &mut Frame) -> Result<(), IoError> {
        DumpReader::read_at_into(self, index, frame)
    }
}

/// Writes frames as a LAMMPS `dump custom` text file that LAMMPS, OVITO and
/// our reader understand: `id type x y z`, then `ix iy iz` when the frame has
/// image flags, then every extra column (`d2min`, `qs`, `plastic`, ...).
///
/// Reals are written with the shortest representation that reads back to the
/// same bits, so a written frame reads back identically.
///
/// With [`DumpWriter::general_triclinic`] the box is written as LAMMPS'
/// `ITEM: BOX BOUNDS abc origin` (what `dump_modify triclinic/general yes`
/// and OVITO 3.17 write), rotated back by the frame's
/// [`Orientation`] when it has one, positions with it.
pub struct DumpWriter<W: std::io::Write> {
    out: W,
    name: String,
    buf: String,
    general: bool,
}

impl DumpWriter<OutputFile> {
    /// Creates `path` atomically (a temporary file renamed by
    /// [`DumpWriter::finish`]); gzipped if the name ends in `.gz`.
    ///
    /// # Errors
    /// [`IoError::Os`] if the temporary file cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<DumpWriter<OutputFile>, IoError> {
        let out = OutputFile::create(path.as_ref())?;
        Ok(DumpWriter {
            name: path.as_ref().display().to_string(),
            out,
            buf: String::new(),
            general: false,
        })
    }

    /// Flushes and moves the file into place.
    ///
    /// # Errors
    /// [`IoError::Os`] if writing or renaming fails; the destination is then untouched.
    pub fn finish(self) -> Result<(), IoError> {
        self.out.commit()
    }
}

impl<W: std::io::Write> DumpWriter<W> {
    /// Writes into any byte sink; `name` is used in messages.
    pub fn new(out: W, name: &str) -> DumpWriter<W> {
        DumpWriter {
            out,
            name: name.to_string(),
            buf: String::new(),
            general: false,
        }
    }

    /// Writes boxes in the general triclinic form (`abc origin`).
    #[must_use]
    pub fn general_triclinic(mut self, yes: bool) -> DumpWriter<W> {
        self.general = yes;
        self
    }

    /// Gives back the sink.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Appends one frame.
    ///
    /// # Errors
    /// [`IoError::Invalid`] for a text value that is empty or contains
    /// whitespace (it would break the columns); [`IoError::Os`] on write failure.
    pub fn write(&mut self, frame: &Frame) -> Result<(), IoError> {
        use std::fmt::Write as _;
        for c in frame.columns() {
            if let ColumnData::Text(values) = &c.data
                && let Some(v) = values
                    .iter()
                    .find(|v| v.is_empty() || v.chars().any(char::is_whitespace))
            {
                return Err(IoError::invalid(
                    &self.name,
                    format!(
                        "column '{}' has the value '{v}', which is empty or contains whitespace",
                        c.name
                    ),
                ));
            }
        }
        let b = frame.sim_box();
        let s = &mut self.buf;
        s.clear();
        if let Some(t) = frame.time() {
            let _ = write!(s, "ITEM: TIME\n{t:?}\n");
        }
        let _ = write!(
            s,
            "ITEM: TIMESTEP\n{}\nITEM: NUMBER OF ATOMS\n{}\n",
            frame.timestep(),
            frame.len()
        );
        let flags: Vec<&str> = b
            .periodic()
            .iter()
            .map(|&p| if p { "pp" } else { "ff" })
            .collect();
        let (lo, hi) = (b.lo(), b.hi());
        let orientation = if self.general {
            frame.orientation()
        } else {
            None
        };
        if self.general {
            let cell = GeneralCell::of_box(b, orientation);
            let _ = writeln!(s, "ITEM: BOX BOUNDS abc origin {}", flags.join(" "));
            for k in 0..3 {
                let v = cell.vectors[k];
                let _ = writeln!(s, "{:?} {:?} {:?} {:?}", v[0], v[1], v[2], cell.origin[k]);
            }
        } else if b.is_triclinic() {
            let [xy, xz, yz] = b.tilts();
            let (xmin, xmax) = tilt_extent_x(xy, xz);
            let _ = writeln!(s, "ITEM: BOX BOUNDS xy xz yz {}", flags.join(" "));
            let _ = writeln!(
                s,
                "{:?} {:?} {xy:?}",
                exact_bound(lo[0], xmin),
                exact_bound(hi[0], xmax)
            );
            let _ = writeln!(
                s,
                "{:?} {:?} {xz:?}",
                exact_bound(lo[1], yz.min(0.0)),
                exact_bound(hi[1], yz.max(0.0))
            );
            let _ = writeln!(s, "{:?} {:?} {yz:?}", lo[2], hi[2]);
        } else {
            let _ = writeln!(s, "ITEM: BOX BOUNDS {}", flags.join(" "));
            for k in 0..3 {
                let _ = writeln!(s, "{:?} {:?}", lo[k], hi[k]);
            }
        }
        s.push_str("ITEM: ATOMS id type x y z");
        if frame.images().is_some() {
            s.push_str(" ix iy iz");
        }
        for c in frame.columns() {
            s.push(' ');
            s.push_str(&c.name);
        }
        s.push('\n');
        for i in 0..frame.len() {
            let p = frame.positions()[i];
            let p = orientation.map_or(p, |o| o.to_general(p));
            let _ = write!(
                s,
                "{} {} {:?} {:?} {:?}",
                frame.ids()[i],
                frame.types()[i],
                p[0],
                p[1],
                p[2]
            );
            if let Some(img) = frame.images() {
                let _ = write!(s, " {} {} {}", img[i][0], img[i][1], img[i][2]);
            }
            for c in frame.columns() {
                let _ = match &c.data {
                    ColumnData::Int(v) => write!(s, " {}", v[i]),
                    ColumnData::Float(v) => write!(s, " {:?}", v[i]),
                    ColumnData::Text(v) => write!(s, " {}", v[i]),
                };
            }
            s.push('\n');
            if s.len() > 1 << 16 {
                self.out
                    .write_all(s.as_bytes())
                    .map_err(|e| IoError::os(&self.name, "cannot write", e))?;
                s.clear();
            }
        }
        self.out
            .write_all(s.as_bytes())
            .map_err(|e| IoError::os(&self.name, "cannot write", e))?;
        Ok(())
    }
}
