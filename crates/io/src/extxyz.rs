//! Extended XYZ, the format ASE writes by default and OVITO reads and writes:
//! an atom count, a comment line of `key=value` pairs (`Lattice`,
//! `Properties`, `pbc`, OVITO's `Origin`, `Time`, `Timestep`), then one line
//! per atom. Several frames follow each other in one file.
//!
//! Conventions (after ASE's `ase.io.extxyz` and OVITO's XYZ importer):
//! - `Properties=name:T:n:...` names the columns, `T` one of `S` (text),
//!   `R` (real), `I` (integer), `L` (logical, `T`/`F`); `pos:R:3` gives the
//!   positions, `id:I:1` the atom ids (else 1, 2, … in file order), and
//!   `species:S:1` the species.
//! - Species that are integers are LAMMPS atom types (OVITO writes type
//!   numbers for unnamed types). Element symbols become types through a type
//!   map when the reader has one, else the atomic number, so that a
//!   trajectory numbers them the same in every frame; the symbols are kept in
//!   an `element` column.
//! - `Lattice` is any cell (rows A, B, C); it is rotated into LAMMPS'
//!   restricted form, the rotation kept in the frame
//!   ([`interstice_core::Orientation`]). Interstice needs a periodic cell, so
//!   a frame without `Lattice` is an error.
//! - Other properties are kept as columns: `name` for one component,
//!   `name[1]`, `name[2]`, … (LAMMPS' array style) for several; they stay in
//!   the file's frame (only positions are rotated).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use interstice_core::{
    Column, ColumnData, CoreError, Frame, FrameParts, GeneralCell, Orientation, TypeMap,
};

use crate::error::excerpt;
use crate::index::{FrameIndex, Indexed};
use crate::output::OutputFile;
use crate::source::{LineStream, Source};
use crate::text::{parse_finite, parse_i64, parse_u64, split_fields};
use crate::{FORMATS, FormatInfo, IoError, TrajectoryReader};

/// The extended XYZ metadata: [`FormatInfo`].
pub fn info() -> &'static FormatInfo {
    &FORMATS[2]
}

/// The kind of one property of `Properties=`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Text,
    Real,
    Int,
    Logical,
}

/// One property: name, kind, components.
#[derive(Clone, Debug)]
struct Property {
    name: String,
    kind: Kind,
    count: usize,
}

/// Parses the `key=value` pairs of a comment line: values bare or quoted
/// with `"` (backslash escapes a quote), or in braces; a key alone is `T`.
fn parse_comment(line: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut k = 0;
    while k < b.len() {
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        if k == b.len() {
            break;
        }
        let start = k;
        while k < b.len() && b[k] != b'=' && !b[k].is_ascii_whitespace() {
            k += 1;
        }
        let key = line[start..k].to_string();
        // Spaces around '=' are allowed.
        let mut j = k;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j == b.len() || b[j] != b'=' {
            out.push((key, "T".to_string()));
            continue;
        }
        k = j + 1;
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        let value = match b.get(k) {
            Some(&q @ (b'"' | b'\'')) => {
                let mut v = String::new();
                k += 1;
                loop {
                    match b.get(k) {
                        None => return Err(format!("the value of '{key}' has no closing quote")),
                        Some(&c) if c == q => {
                            k += 1;
                            break;
                        }
                        Some(b'\\') if b.get(k + 1) == Some(&q) => {
                            v.push(q as char);
                            k += 2;
                        }
                        Some(_) => {
                            let ch = line[k..].chars().next().unwrap_or(' ');
                            v.push(ch);
                            k += ch.len_utf8();
                        }
                    }
                }
                v
            }
            Some(b'{') => {
                let end = line[k..]
                    .find('}')
                    .ok_or_else(|| format!("the value of '{key}' has no closing brace"))?;
                let v = line[k + 1..k + end].to_string();
                k += end + 1;
                v
            }
            _ => {
                let s = k;
                while k < b.len() && !b[k].is_ascii_whitespace() {
                    k += 1;
                }
                line[s..k].to_string()
            }
        };
        out.push((key, value));
    }
    Ok(out)
}

fn parse_properties(text: &str) -> Result<Vec<Property>, String> {
    let parts: Vec<&str> = text.split(':').collect();
    if !parts.len().is_multiple_of(3) || parts.is_empty() {
        return Err(format!(
            "expected Properties=name:type:count triples such as species:S:1:pos:R:3, found '{text}'"
        ));
    }
    let mut out: Vec<Property> = Vec::new();
    for t in parts.chunks(3) {
        let kind = match t[1] {
            "S" | "s" => Kind::Text,
            "R" | "r" => Kind::Real,
            "I" | "i" => Kind::Int,
            "L" | "l" => Kind::Logical,
            other => {
                return Err(format!(
                    "property '{}' has type '{other}': expected S, R, I or L",
                    t[0]
                ));
            }
        };
        let count = t[2]
            .parse::<usize>()
            .ok()
            .filter(|&c| (1..=1000).contains(&c))
            .ok_or_else(|| {
                format!(
                    "property '{}' has {} columns: expected a count from 1 to 1000",
                    t[0], t[2]
                )
            })?;
        if out.iter().any(|p| p.name == t[0]) {
            return Err(format!("property '{}' appears twice in Properties", t[0]));
        }
        out.push(Property {
            name: t[0].to_string(),
            kind,
            count,
        });
    }
    Ok(out)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "T" | "t" | "True" | "true" | "TRUE" | "1" => Some(true),
        "F" | "f" | "False" | "false" | "FALSE" | "0" => Some(false),
        _ => None,
    }
}

/// The comment line of one frame, resolved.
#[derive(Clone, Debug)]
struct Header {
    natoms: u64,
    cell: GeneralCell,
    periodic: [bool; 3],
    properties: Vec<Property>,
    timestep: u64,
    time: Option<f64>,
    /// Line number of the comment line.
    line: u64,
}

/// A streaming reader of extended XYZ files, plain or gzipped, with an index
/// of frame offsets for random access (as [`crate::DumpReader`]).
pub struct ExtXyzReader<'a> {
    stream: LineStream<'a>,
    index: FrameIndex,
    line: Vec<u8>,
    fields: Vec<(u32, u32)>,
    /// Element symbol → type, from a type map.
    by_symbol: Option<(BTreeMap<String, u32>, String)>,
}

impl ExtXyzReader<'static> {
    /// Opens a file, plain or gzipped.
    ///
    /// # Errors
    /// [`IoError::Os`] if the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<ExtXyzReader<'static>, IoError> {
        ExtXyzReader::from_source(Source::File(path.as_ref().to_path_buf()))
    }
}

impl<'a> ExtXyzReader<'a> {
    /// Reads from any [`Source`].
    ///
    /// # Errors
    /// [`IoError::Os`] if a file cannot be opened.
    pub fn from_source(source: Source<'a>) -> Result<ExtXyzReader<'a>, IoError> {
        Ok(ExtXyzReader {
            stream: LineStream::open(source)?,
            index: FrameIndex::default(),
            line: Vec::with_capacity(256),
            fields: Vec::with_capacity(16),
            by_symbol: None,
        })
    }

    /// Reads from memory; `name` stands for the path in messages.
    ///
    /// # Errors
    /// None today; the signature matches [`ExtXyzReader::open`].
    pub fn from_bytes(name: &str, bytes: &'a [u8]) -> Result<ExtXyzReader<'a>, IoError> {
        ExtXyzReader::from_source(Source::Memory {
            name: name.to_string(),
            bytes,
        })
    }

    /// Maps element symbols to types through `map` (and checks numeric
    /// species against it), so that `Cu` is type 1 under `1=Cu,2=Zr`.
    #[must_use]
    pub fn with_type_map(mut self, map: &TypeMap) -> ExtXyzReader<'a> {
        let by: BTreeMap<String, u32> = map
            .iter()
            .map(|(t, s)| (s.element.symbol.to_string(), t))
            .collect();
        self.by_symbol = Some((by, map.to_string()));
        self
    }

    /// The file name used in messages.
    pub fn name(&self) -> &str {
        self.stream.name()
    }

    fn err(&self, message: impl Into<String>) -> IoError {
        IoError::parse(self.stream.name(), self.stream.line(), message)
    }

    fn read_header(&mut self) -> Result<Option<Header>, IoError> {
        let (offset, line) = (self.stream.offset(), self.stream.line());
        if !crate::index::first_frame_line(
            &mut self.stream,
            &mut self.index,
            &mut self.line,
            "expected extended XYZ (an atom count, then a comment line with Lattice= and Properties=)",
        )? {
            return Ok(None);
        }
        let natoms = parse_u64(self.line.trim_ascii()).ok_or_else(|| {
            self.err(format!(
                "expected the atom count of an extended XYZ frame, found '{}'",
                excerpt(&self.line)
            ))
        })?;
        self.index.found(offset, line);
        if !self.stream.read_line(&mut self.line)? {
            return Err(IoError::parse(
                self.stream.name(),
                self.stream.line() + 1,
                "unexpected end of file: expected the comment line (Lattice=\"…\" Properties=…)",
            ));
        }
        let text = String::from_utf8_lossy(&self.line).into_owned();
        let pairs = parse_comment(&text).map_err(|m| self.err(m))?;
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        let numbers = |v: &str, n: usize, what: &str| -> Result<Vec<f64>, IoError> {
            let x: Option<Vec<f64>> = v
                .split_ascii_whitespace()
                .map(|w| parse_finite(w.as_bytes()))
                .collect();
            match x {
                Some(x) if x.len() == n => Ok(x),
                _ => Err(self.err(format!(
                    "expected {what}, found '{}'",
                    excerpt(v.as_bytes())
                ))),
            }
        };
        let lattice = get("Lattice").ok_or_else(|| {
            self.err(
                "missing Lattice=\"ax ay az bx by bz cx cy cz\": interstice needs a periodic cell",
            )
        })?;
        let l = numbers(
            lattice,
            9,
            "Lattice=\"ax ay az bx by bz cx cy cz\" (9 numbers)",
        )?;
        let origin = match get("Origin") {
            Some(v) => {
                let o = numbers(v, 3, "Origin=\"x y z\" (3 numbers)")?;
                [o[0], o[1], o[2]]
            }
            None => [0.0; 3],
        };
        let periodic = match get("pbc") {
            Some(v) => {
                let p: Option<Vec<bool>> = v.split_ascii_whitespace().map(parse_bool).collect();
                match p {
                    Some(p) if p.len() == 3 => [p[0], p[1], p[2]],
                    _ => {
                        return Err(self.err(format!(
                            "expected pbc=\"T T T\" (three of T or F), found '{}'",
                            excerpt(v.as_bytes())
                        )));
                    }
                }
            }
            None => [true; 3],
        };
        let properties = match get("Properties") {
            Some(v) => parse_properties(v).map_err(|m| self.err(m))?,
            None => parse_properties("species:S:1:pos:R:3").unwrap_or_default(),
        };
        match properties.iter().find(|p| p.name == "pos") {
            Some(p) if p.kind == Kind::Real && p.count == 3 => {}
            Some(_) => return Err(self.err("expected the property pos:R:3")),
            None => {
                return Err(self.err(format!(
                    "missing pos:R:3 in Properties={}",
                    get("Properties").unwrap_or_default()
                )));
            }
        }
        for (name, kind) in [("id", Kind::Int), ("species", Kind::Text)] {
            if let Some(p) = properties.iter().find(|p| p.name == name)
                && (p.kind != kind || p.count != 1)
            {
                let t = if kind == Kind::Int { "I" } else { "S" };
                return Err(self.err(format!("expected the property {name}:{t}:1")));
            }
        }
        let timestep = match get("Timestep") {
            Some(v) => parse_u64(v.as_bytes()).ok_or_else(|| {
                self.err(format!(
                    "expected a non-negative integer Timestep, found '{v}'"
                ))
            })?,
            None => 0,
        };
        let time = match get("Time") {
            Some(v) => Some(
                parse_finite(v.as_bytes())
                    .ok_or_else(|| self.err(format!("expected a number for Time, found '{v}'")))?,
            ),
            None => None,
        };
        Ok(Some(Header {
            natoms,
            cell: GeneralCell {
                vectors: [[l[0], l[1], l[2]], [l[3], l[4], l[5]], [l[6], l[7], l[8]]],
                origin,
            },
            periodic,
            properties,
            timestep,
            time,
            line: self.stream.line(),
        }))
    }

    fn read_atoms(&mut self, h: &Header, mut parts: FrameParts) -> Result<Frame, IoError> {
        let name = self.stream.name().to_string();
        let (sim_box, orientation) = h
            .cell
            .to_restricted()
            .map_err(|e| IoError::parse(&name, h.line, e.to_string()))?;
        let ncols: usize = h.properties.iter().map(|p| p.count).sum();
        let cap = match self.stream.remaining() {
            Some(left) => h.natoms.min(left / (2 * ncols as u64)),
            None => h.natoms.min(1 << 20),
        } as usize;
        parts.sim_box = sim_box.with_periodicity(h.periodic);
        parts.orientation = orientation;
        parts.timestep = h.timestep;
        parts.time = h.time;
        parts.images = None;
        parts.ids.clear();
        parts.ids.reserve(cap);
        parts.types.clear();
        parts.positions.clear();
        parts.types.reserve(cap);
        parts.positions.reserve(cap);
        parts.columns.clear();
        // Extra columns: one per component of every other property.
        let mut extras: Vec<(String, ColumnData)> = Vec::new();
        // For each file column: what it is.
        #[derive(Clone, Copy)]
        enum Role {
            Id,
            Species,
            Pos(usize),
            Extra(usize, Kind),
        }
        let mut roles = Vec::with_capacity(ncols);
        for p in &h.properties {
            for c in 0..p.count {
                roles.push(match p.name.as_str() {
                    "id" => Role::Id,
                    "species" => Role::Species,
                    "pos" => Role::Pos(c),
                    other => {
                        let col = if p.count == 1 {
                            other.to_string()
                        } else {
                            format!("{other}[{}]", c + 1)
                        };
                        let data = match p.kind {
                            Kind::Text => ColumnData::Text(Vec::new()),
                            Kind::Real => ColumnData::Float(Vec::new()),
                            Kind::Int | Kind::Logical => ColumnData::Int(Vec::new()),
                        };
                        extras.push((col, data));
                        Role::Extra(extras.len() - 1, p.kind)
                    }
                });
            }
        }
        let has_id = h.properties.iter().any(|p| p.name == "id");
        let has_species = h.properties.iter().any(|p| p.name == "species");
        let mut symbols: Vec<String> = Vec::new();
        let mut numeric_species = true;
        let mut species_lines: Vec<u64> = Vec::new();
        let mut pos = [0.0; 3];
        for k in 0..h.natoms {
            if !self.stream.read_line(&mut self.line)? {
                return Err(IoError::parse(
                    &name,
                    self.stream.line() + 1,
                    format!(
                        "unexpected end of file: expected {} atom lines after the comment line {}, found {k}",
                        h.natoms, h.line
                    ),
                ));
            }
            let found = split_fields(&self.line, &mut self.fields);
            if found != ncols {
                return Err(self.err(format!(
                    "expected {ncols} columns (Properties), found {found}"
                )));
            }
            for (c, &(a, b)) in self.fields.iter().enumerate() {
                let f = &self.line[a as usize..b as usize];
                let bad = |what: &str| {
                    IoError::parse(
                        &name,
                        self.stream.line(),
                        format!(
                            "expected {what} in column {}, found '{}'",
                            c + 1,
                            excerpt(f)
                        ),
                    )
                };
                match roles[c] {
                    Role::Id => parts
                        .ids
                        .push(parse_u64(f).ok_or_else(|| bad("a non-negative integer atom id"))?),
                    Role::Species => {
                        let s = String::from_utf8_lossy(f).into_owned();
                        numeric_species &=
                            parse_u64(f).is_some_and(|t| t >= 1 && t <= u64::from(u32::MAX));
                        symbols.push(s);
                        species_lines.push(self.stream.line());
                    }
                    Role::Pos(i) => {
                        pos[i] = parse_finite(f).ok_or_else(|| bad("a finite coordinate"))?
                    }
                    Role::Extra(e, kind) => {
                        let col = &mut extras[e].1;
                        match (col, kind) {
                            (ColumnData::Text(v), _) => {
                                v.push(String::from_utf8_lossy(f).into_owned())
                            }
                            (ColumnData::Float(v), _) => {
                                v.push(crate::text::parse_float(f).ok_or_else(|| bad("a number"))?)
                            }
                            (ColumnData::Int(v), Kind::Logical) => v.push(i64::from(
                                parse_bool(&String::from_utf8_lossy(f))
                                    .ok_or_else(|| bad("T or F"))?,
                            )),
                            (ColumnData::Int(v), _) => {
                                v.push(parse_i64(f).ok_or_else(|| bad("an integer"))?)
                            }
                        }
                    }
                }
            }
            parts.positions.push(match &orientation {
                Some(o) => o.to_restricted(pos),
                None => pos,
            });
        }
        if !has_id {
            parts.ids.extend(1..=h.natoms);
        }
        let first = h.line + 1;
        if has_species && numeric_species {
            for (k, s) in symbols.iter().enumerate() {
                let t = s.parse::<u32>().unwrap_or(0);
                if let Some((by, map)) = &self.by_symbol
                    && !by.values().any(|&v| v == t)
                {
                    return Err(IoError::parse(
                        &name,
                        species_lines[k],
                        format!("atom type {t} is not in the type map '{map}'"),
                    ));
                }
                parts.types.push(t);
            }
        } else if has_species {
            for (k, s) in symbols.iter().enumerate() {
                let t = match &self.by_symbol {
                    Some((by, map)) => *by.get(s).ok_or_else(|| {
                        IoError::parse(
                            &name,
                            species_lines[k],
                            format!("species '{s}' is not in the type map '{map}'"),
                        )
                    })?,
                    None => match interstice_core::element(s) {
                        Ok(e) => u32::from(e.number),
                        Err(_) => {
                            return Err(IoError::parse(
                                &name,
                                species_lines[k],
                                format!(
                                    "species '{}' is neither an element symbol nor a type number: give a type map (--types) to number it",
                                    excerpt(s.as_bytes())
                                ),
                            ));
                        }
                    },
                };
                parts.types.push(t);
            }
            parts.columns.push(Column {
                name: "element".into(),
                data: ColumnData::Text(symbols),
            });
        } else {
            return Err(IoError::parse(
                &name,
                h.line,
                "missing species:S:1 in Properties: interstice needs each atom's species or type",
            ));
        }
        for (col, data) in extras {
            if col == "element" || col == "type" && parts.columns.iter().any(|c| c.name == "type") {
                continue;
            }
            parts.columns.push(Column { name: col, data });
        }
        crate::check_far_positions(&name, &parts.sim_box, &parts.positions, &parts.ids, first)?;
        Frame::from_parts(parts).map_err(|e| match e {
            CoreError::DuplicateId {
                id,
                first: a,
                second,
            } => IoError::parse(
                &name,
                first + second as u64,
                format!(
                    "atom id {id} appears twice (first on line {})",
                    first + a as u64
                ),
            ),
            other => IoError::parse(&name, h.line, other.to_string()),
        })
    }
}

impl TrajectoryReader for ExtXyzReader<'_> {
    fn info(&self) -> &'static FormatInfo {
        info()
    }

    fn frame_count(&mut self) -> Result<usize, IoError> {
        self.count_frames()
    }

    fn read_into(&mut self, frame: &mut Frame) -> Result<bool, IoError> {
        let Some(header) = self.read_header()? else {
            return Ok(false);
        };
        let parts = std::mem::take(frame).into_parts();
        *frame = self.read_atoms(&header, parts)?;
        self.index.next += 1;
        Ok(true)
    }

    fn forward(&mut self) -> Result<bool, IoError> {
        let Some(header) = self.read_header()? else {
            return Ok(false);
        };
        crate::index::skip_atom_lines(
            &mut self.stream,
            header.natoms,
            &format!("the comment line {}", header.line),
        )?;
        self.index.next += 1;
        Ok(true)
    }

    fn read_at_into(&mut self, index: usize, frame: &mut Frame) -> Result<(), IoError> {
        self.go_to_frame(index)?;
        if self.read_into(frame)? {
            Ok(())
        } else {
            Err(self.out_of_range(index))
        }
    }
}

impl<'a> Indexed<'a> for ExtXyzReader<'a> {
    fn stream_and_index(&mut self) -> (&mut LineStream<'a>, &mut FrameIndex) {
        (&mut self.stream, &mut self.index)
    }

    fn skip_frame(&mut self) -> Result<bool, IoError> {
        self.forward()
    }
}

/// Writes frames as extended XYZ, atomically (temporary file, then rename).
///
/// The cell is written as `Lattice` rotated back by the frame's
/// [`Orientation`] (so a general cell read from a file comes back as it was),
/// with `Origin` when the origin is not zero (OVITO reads it; ASE ignores it,
/// which for a periodic cell changes nothing but where atoms wrap). Species
/// come from the frame's `element` column, else the type map, else the type
/// numbers (OVITO reads those; ASE needs symbols). Ids go in `id:I:1`; other
/// columns follow, `name[k]` columns grouped back into one property.
pub struct ExtXyzWriter {
    out: OutputFile,
    name: String,
    map: Option<TypeMap>,
}

impl ExtXyzWriter {
    /// Starts a file; nothing appears at `path` until [`ExtXyzWriter::finish`].
    ///
    /// # Errors
    /// [`IoError::Os`] if the temporary file cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<ExtXyzWriter, IoError> {
        let path = path.as_ref();
        Ok(ExtXyzWriter {
            out: OutputFile::create(path)?,
            name: path.display().to_string(),
            map: None,
        })
    }

    /// Names species through `map` when a frame has no `element` column.
    #[must_use]
    pub fn with_type_map(mut self, map: &TypeMap) -> ExtXyzWriter {
        self.map = Some(map.clone());
        self
    }

    /// Appends one frame.
    ///
    /// # Errors
    /// [`IoError::Os`] when writing fails; [`IoError::Invalid`] for a type the
    /// map does not name.
    pub fn write(&mut self, frame: &Frame) -> Result<(), IoError> {
        use std::io::Write as _;
        let text =
            format_frame(frame, self.map.as_ref()).map_err(|m| IoError::invalid(&self.name, m))?;
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| IoError::os(&self.name, "cannot write", e))
    }

    /// Writes everything and renames the file into place.
    ///
    /// # Errors
    /// [`IoError::Os`] when the final write or rename fails.
    pub fn finish(self) -> Result<(), IoError> {
        self.out.commit()
    }
}

/// A property group of the writer: a base name and its columns.
struct Group<'f> {
    name: String,
    kind: &'static str,
    columns: Vec<&'f ColumnData>,
}

fn groups(frame: &Frame) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for c in frame.columns() {
        if c.name == "element" {
            continue;
        }
        let kind = match c.data {
            ColumnData::Int(_) => "I",
            ColumnData::Float(_) => "R",
            ColumnData::Text(_) => "S",
        };
        // `name[k]` continues the group `name` when k is the next component.
        let split = c
            .name
            .strip_suffix(']')
            .and_then(|s| s.rsplit_once('['))
            .and_then(|(base, k)| k.parse::<usize>().ok().map(|k| (base.to_string(), k)));
        if let Some((base, k)) = &split
            && let Some(last) = out.last_mut()
            && last.name == *base
            && last.kind == kind
            && last.columns.len() + 1 == *k
        {
            last.columns.push(&c.data);
            continue;
        }
        let name = match split {
            Some((base, 1)) => base,
            _ => c.name.clone(),
        };
        // Property names cannot hold ':' or spaces.
        let name: String = name
            .chars()
            .map(|ch| {
                if ch == ':' || ch.is_whitespace() {
                    '_'
                } else {
                    ch
                }
            })
            .collect();
        out.push(Group {
            name,
            kind,
            columns: vec![&c.data],
        });
    }
    out
}

fn format_frame(frame: &Frame, map: Option<&TypeMap>) -> Result<String, String> {
    let b = frame.sim_box();
    let o: Option<&Orientation> = frame.orientation();
    let cell = GeneralCell::of_box(b, o);
    let species: Vec<String> = match frame.column("element") {
        Some(ColumnData::Text(v)) => v.clone(),
        _ => match map {
            Some(m) => frame
                .types()
                .iter()
                .map(|&t| {
                    m.species(t)
                        .map(|s| s.element.symbol.to_string())
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<_, _>>()?,
            None => frame.types().iter().map(u32::to_string).collect(),
        },
    };
    let groups = groups(frame);
    let mut s = String::new();
    let v = cell.vectors;
    let _ = writeln!(s, "{}", frame.len());
    let _ = write!(
        s,
        "Lattice=\"{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\"",
        v[0][0], v[0][1], v[0][2], v[1][0], v[1][1], v[1][2], v[2][0], v[2][1], v[2][2]
    );
    if cell.origin != [0.0; 3] {
        let o = cell.origin;
        let _ = write!(s, " Origin=\"{:?} {:?} {:?}\"", o[0], o[1], o[2]);
    }
    let p = b.periodic().map(|p| if p { "T" } else { "F" });
    let _ = write!(
        s,
        " pbc=\"{} {} {}\" Timestep={}",
        p[0],
        p[1],
        p[2],
        frame.timestep()
    );
    if let Some(t) = frame.time() {
        let _ = write!(s, " Time={t:?}");
    }
    s.push_str(" Properties=species:S:1:pos:R:3:id:I:1");
    for g in &groups {
        let _ = write!(s, ":{}:{}:{}", g.name, g.kind, g.columns.len());
    }
    s.push('\n');
    for i in 0..frame.len() {
        let p = frame.positions()[i];
        let p = o.map_or(p, |o| o.to_general(p));
        let _ = write!(
            s,
            "{} {:?} {:?} {:?} {}",
            species[i],
            p[0],
            p[1],
            p[2],
            frame.ids()[i]
        );
        for g in &groups {
            for c in &g.columns {
                match c {
                    ColumnData::Int(v) => {
                        let _ = write!(s, " {}", v[i]);
                    }
                    ColumnData::Float(v) => {
                        let _ = write!(s, " {:?}", v[i]);
                    }
                    ColumnData::Text(v) => {
                        let t = if v[i].is_empty() { "_" } else { v[i].as_str() };
                        let _ = write!(s, " {}", t.replace(char::is_whitespace, "_"));
                    }
                }
            }
        }
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines_parse_as_ase_and_ovito_write_them() {
        let p = parse_comment(
            r#"Lattice="1 0 0 0 2 0 0 0 3" Properties=species:S:1:pos:R:3 energy=-1.5 pbc="T T F" flag name="a \"b\"" arr={1 2}"#,
        )
        .unwrap();
        let get = |k: &str| p.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Lattice"), Some("1 0 0 0 2 0 0 0 3"));
        assert_eq!(get("Properties"), Some("species:S:1:pos:R:3"));
        assert_eq!(get("energy"), Some("-1.5"));
        assert_eq!(get("pbc"), Some("T T F"));
        assert_eq!(get("flag"), Some("T"));
        assert_eq!(get("name"), Some("a \"b\""));
        assert_eq!(get("arr"), Some("1 2"));
        assert!(parse_comment("a=\"open").is_err());
    }

    #[test]
    fn properties_are_checked() {
        assert_eq!(
            parse_properties("species:S:1:pos:R:3:forces:R:3")
                .unwrap()
                .len(),
            3
        );
        for bad in ["species:S", "pos:X:3", "pos:R:0", "pos:R:3:pos:R:3"] {
            assert!(parse_properties(bad).is_err(), "{bad}");
        }
    }
}
