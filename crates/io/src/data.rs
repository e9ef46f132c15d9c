//! LAMMPS data files: header, `Masses`, `Atoms` (atom styles `atomic`,
//! `charge` and `full`), `Velocities` and `Atom Type Labels`, the tilt line
//! of restricted triclinic boxes and the `avec bvec cvec abc origin` lines of
//! general ones (LAMMPS since 2024, OVITO 3.17), reading and writing.
//!
//! The atom style comes from the comment of the `Atoms` line (`Atoms #
//! full`), else from the number of columns (5 or 8: atomic, 6 or 9: charge,
//! 7 or 10: full). Charges go in a `q` column, molecule ids in `mol`. Types
//! may be given by their labels once `Atom Type Labels` defines them; labels
//! that are element symbols also give the frame an `element` column.
//! A general triclinic cell is rotated into the restricted form, positions
//! and velocities with it, and the rotation kept in the frame.
//!
//! Data files carry no boundary conditions; frames read from them are
//! periodic on every axis, as `read_data` assumes by default in LAMMPS.

use std::collections::BTreeMap;
use std::path::Path;

use interstice_core::{Column, ColumnData, Frame, FrameParts, GeneralCell, SimBox};

use crate::IoError;
use crate::error::excerpt;
use crate::output::OutputFile;
use crate::source::{LineStream, Source};
use crate::text::{parse_finite, parse_i64, parse_u64, split_fields};

/// The `atom_style` of a data file's `Atoms` section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AtomStyle {
    /// `id type x y z`.
    #[default]
    Atomic,
    /// `id type q x y z`.
    Charge,
    /// `id mol type q x y z`.
    Full,
}

impl AtomStyle {
    /// The name LAMMPS uses.
    pub fn name(self) -> &'static str {
        match self {
            AtomStyle::Atomic => "atomic",
            AtomStyle::Charge => "charge",
            AtomStyle::Full => "full",
        }
    }

    /// Columns before the image flags.
    fn width(self) -> usize {
        match self {
            AtomStyle::Atomic => 5,
            AtomStyle::Charge => 6,
            AtomStyle::Full => 7,
        }
    }

    /// Where `type`, the first coordinate, `q` and `mol` are.
    fn columns(self) -> (usize, usize, Option<usize>, Option<usize>) {
        match self {
            AtomStyle::Atomic => (1, 2, None, None),
            AtomStyle::Charge => (1, 3, Some(2), None),
            AtomStyle::Full => (2, 4, Some(3), Some(1)),
        }
    }
}

/// The content of a LAMMPS data file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataFile {
    /// The first line of the file.
    pub title: String,
    /// The atoms: positions, types, ids, image flags when present, and
    /// `vx vy vz` columns when the file has a `Velocities` section.
    pub frame: Frame,
    /// The number of atom types declared in the header.
    pub atom_types: u32,
    /// Masses by atom type, g/mol.
    pub masses: BTreeMap<u32, f64>,
    /// The `Atoms` section's style; the writer takes `q` and `mol` from
    /// the frame's columns of those names (0 when absent).
    pub atom_style: AtomStyle,
    /// Type labels (`Atom Type Labels`) by atom type.
    pub type_labels: BTreeMap<u32, String>,
    /// Whether the box is (read as, or to be written as) a general triclinic
    /// cell: `avec bvec cvec abc origin`, rotated back by the frame's
    /// orientation.
    pub general_triclinic: bool,
}

/// Reads a data file from disk, plain or gzipped.
///
/// # Errors
/// [`IoError::Parse`] naming the line for malformed content, [`IoError::Os`].
pub fn read_data(path: impl AsRef<Path>) -> Result<DataFile, IoError> {
    read_data_from(Source::File(path.as_ref().to_path_buf()))
}

/// Reads a data file from any [`Source`].
///
/// # Errors
/// As [`read_data`].
pub fn read_data_from(source: Source<'_>) -> Result<DataFile, IoError> {
    DataParser {
        s: LineStream::open(source)?,
        line: Vec::new(),
        fields: Vec::new(),
    }
    .parse()
}

struct DataParser<'a> {
    s: LineStream<'a>,
    line: Vec<u8>,
    fields: Vec<(u32, u32)>,
}

/// Sections we read, with the header count that sizes them.
const SECTIONS: [&str; 6] = [
    "Masses",
    "Atoms",
    "Velocities",
    "Pair Coeffs",
    "PairIJ Coeffs",
    "Atom Type Labels",
];
/// Header counts of molecular styles, which must be zero here.
const MOLECULAR_COUNTS: [&str; 13] = [
    "bonds",
    "angles",
    "dihedrals",
    "impropers",
    "bond types",
    "angle types",
    "dihedral types",
    "improper types",
    "extra bond per atom",
    "ellipsoids",
    "lines",
    "triangles",
    "bodies",
];
/// Sections of molecular styles, which `atom_style atomic` cannot have.
const MOLECULAR: [&str; 12] = [
    "Bonds",
    "Angles",
    "Dihedrals",
    "Impropers",
    "Bond Coeffs",
    "Angle Coeffs",
    "Dihedral Coeffs",
    "Improper Coeffs",
    "Ellipsoids",
    "Lines",
    "Triangles",
    "Bodies",
];

impl DataParser<'_> {
    fn err(&self, message: impl Into<String>) -> IoError {
        IoError::parse(self.s.name(), self.s.line(), message)
    }

    /// The current line without its comment, trimmed.
    fn content(&self) -> &[u8] {
        let end = memchr::memchr(b'#', &self.line).unwrap_or(self.line.len());
        self.line[..end].trim_ascii()
    }

    /// The comment of the current line, trimmed.
    fn comment(&self) -> Option<String> {
        memchr::memchr(b'#', &self.line)
            .map(|k| String::from_utf8_lossy(self.line[k + 1..].trim_ascii()).into_owned())
    }

    /// Advances to the next line with content; `false` at the end of the file.
    fn next_content(&mut self) -> Result<bool, IoError> {
        loop {
            if !self.s.read_line(&mut self.line)? {
                return Ok(false);
            }
            if !self.content().is_empty() {
                return Ok(true);
            }
        }
    }

    fn numbers(&mut self, count: usize, what: &str) -> Result<Vec<f64>, IoError> {
        let content = self.content().to_vec();
        split_fields(&content, &mut self.fields);
        let v: Option<Vec<f64>> = self
            .fields
            .iter()
            .take(count)
            .map(|&(a, b)| parse_finite(&content[a as usize..b as usize]))
            .collect();
        match v {
            Some(v) if v.len() == count => Ok(v),
            _ => Err(self.err(format!("expected {what}, found '{}'", excerpt(&content)))),
        }
    }

    fn parse(mut self) -> Result<DataFile, IoError> {
        let name = self.s.name().to_string();
        if !self.s.read_line(&mut self.line)? {
            return Err(IoError::invalid(
                &name,
                "empty file: expected a LAMMPS data file (a title line, then the header)",
            ));
        }
        let title = String::from_utf8_lossy(self.line.trim_ascii()).into_owned();
        let mut natoms: Option<u64> = None;
        let mut ntypes: Option<u64> = None;
        let mut lo = [0.0; 3];
        let mut hi = [1.0; 3];
        let mut tilts = [0.0; 3];
        let mut restricted_line: Option<u64> = None;
        let mut general: [Option<[f64; 3]>; 3] = [None; 3];
        let mut origin = [0.0; 3];
        let mut general_line: Option<u64> = None;
        // Header: keyword lines until the first section name.
        let mut section: Option<(String, u64)> = None;
        while self.next_content()? {
            let text = String::from_utf8_lossy(self.content()).into_owned();
            if let Some(s) = SECTIONS
                .iter()
                .chain(MOLECULAR.iter())
                .find(|s| text == **s)
            {
                section = Some(((*s).to_string(), self.s.line()));
                break;
            }
            let w: Vec<&str> = text.split_ascii_whitespace().collect();
            let kind = w.get(1..).map(|k| k.join(" ")).unwrap_or_default();
            if w.len() == 2 && w[1] == "atoms" {
                natoms = Some(self.count(w[0], "atoms")?);
            } else if kind == "atom types" {
                ntypes = Some(self.count(w[0], "atom types")?);
            } else if w.len() == 4
                && ["xlo xhi", "ylo yhi", "zlo zhi"].contains(&w[2..].join(" ").as_str())
            {
                let axis = usize::from(w[2].as_bytes()[0] - b'x');
                let v = self.numbers(2, "two numbers before the keywords (lo hi)")?;
                (lo[axis], hi[axis]) = (v[0], v[1]);
                restricted_line.get_or_insert(self.s.line());
            } else if w.len() == 6 && w[3..] == ["xy", "xz", "yz"] {
                let v = self.numbers(3, "'xy xz yz' tilt factors")?;
                tilts = [v[0], v[1], v[2]];
                restricted_line.get_or_insert(self.s.line());
            } else if w.len() == 4 && ["avec", "bvec", "cvec"].contains(&w[3]) {
                let k = usize::from(w[3].as_bytes()[0] - b'a');
                let v = self.numbers(3, &format!("three numbers before '{}'", w[3]))?;
                general[k] = Some([v[0], v[1], v[2]]);
                general_line.get_or_insert(self.s.line());
            } else if w.len() == 5 && w[3..] == ["abc", "origin"] {
                let v = self.numbers(3, "three numbers before 'abc origin'")?;
                origin = [v[0], v[1], v[2]];
                general_line.get_or_insert(self.s.line());
            } else if MOLECULAR_COUNTS.contains(&kind.as_str()) {
                if self.count(w[0], &kind)? != 0 {
                    return Err(self.err(format!(
                        "'{text}': interstice reads atoms only (atom styles atomic, charge, full) and not bonded topology; write the data file without it"
                    )));
                }
            } else {
                return Err(self.err(format!(
                    "expected a header line such as '100 atoms' or '0 10 xlo xhi', or a section such as 'Atoms', found '{}'",
                    excerpt(text.as_bytes())
                )));
            }
        }
        let natoms =
            natoms.ok_or_else(|| IoError::invalid(&name, "missing header line 'N atoms'"))?;
        let ntypes =
            ntypes.ok_or_else(|| IoError::invalid(&name, "missing header line 'N atom types'"))?;
        let atom_types = u32::try_from(ntypes)
            .map_err(|_| IoError::invalid(&name, format!("{ntypes} atom types is too many")))?;
        let (sim_box, orientation) = match (general_line, restricted_line) {
            (None, _) => (
                SimBox::triclinic(lo, hi, tilts)
                    .map_err(|e| IoError::invalid(&name, e.to_string()))?,
                None,
            ),
            (Some(g), Some(r)) => {
                return Err(IoError::parse(
                    &name,
                    g.max(r),
                    format!(
                        "a general triclinic box (avec, bvec, cvec, abc origin) and a restricted one (xlo xhi, xy xz yz, line {}) in one header: expected one of them",
                        g.min(r)
                    ),
                ));
            }
            (Some(g), None) => {
                let missing: Vec<&str> = ["avec", "bvec", "cvec"]
                    .into_iter()
                    .zip(&general)
                    .filter(|(_, v)| v.is_none())
                    .map(|(n, _)| n)
                    .collect();
                if !missing.is_empty() {
                    return Err(IoError::parse(
                        &name,
                        g,
                        format!(
                            "a general triclinic box needs avec, bvec and cvec; missing {}",
                            missing.join(", ")
                        ),
                    ));
                }
                let vectors = general.map(|v| v.unwrap_or_default());
                GeneralCell { vectors, origin }
                    .to_restricted()
                    .map_err(|e| IoError::parse(&name, g, e.to_string()))?
            }
        };

        let mut masses = BTreeMap::new();
        let mut labels: BTreeMap<u32, String> = BTreeMap::new();
        let mut atom_style = AtomStyle::Atomic;
        let mut atoms: Option<FrameParts> = None;
        let mut velocities: Option<Vec<(u64, [f64; 3], u64)>> = None;
        while let Some((title, at)) = section.take() {
            if MOLECULAR.contains(&title.as_str()) {
                return Err(self.err(format!("section '{title}': interstice reads atoms only (atom styles atomic, charge, full) and not bonded topology; write the data file without it")));
            }
            match title.as_str() {
                "Masses" => {
                    for _ in 0..ntypes {
                        self.entry("Masses", at)?;
                        let content = self.content().to_vec();
                        split_fields(&content, &mut self.fields);
                        let t = self.fields.first().and_then(|&(a, b)| {
                            type_of(&content[a as usize..b as usize], &labels).map(u64::from)
                        });
                        let m = self
                            .fields
                            .get(1)
                            .and_then(|&(a, b)| parse_finite(&content[a as usize..b as usize]));
                        match (t, m, self.fields.len()) {
                            (Some(t), Some(m), 2) if t >= 1 && t <= ntypes && m > 0.0 => {
                                if masses.insert(t as u32, m).is_some() {
                                    return Err(self
                                        .err(format!("the mass of atom type {t} is given twice")));
                                }
                            }
                            _ => {
                                return Err(self.err(format!(
                                    "expected 'type mass' with a type from 1 to {ntypes} and a positive mass, found '{}'",
                                    excerpt(&content)
                                )));
                            }
                        }
                    }
                }
                "Atom Type Labels" => {
                    for _ in 0..ntypes {
                        self.entry("Atom Type Labels", at)?;
                        let content = String::from_utf8_lossy(self.content()).into_owned();
                        let w: Vec<&str> = content.split_ascii_whitespace().collect();
                        let t = w.first().and_then(|t| parse_u64(t.as_bytes()));
                        match (t, w.len()) {
                            (Some(t), 2)
                                if t >= 1
                                    && t <= ntypes
                                    && parse_u64(w[1].as_bytes()).is_none() =>
                            {
                                if labels.values().any(|l| l == w[1]) {
                                    return Err(self
                                        .err(format!("the type label '{}' is given twice", w[1])));
                                }
                                if labels.insert(t as u32, w[1].to_string()).is_some() {
                                    return Err(self.err(format!("atom type {t} has two labels")));
                                }
                            }
                            _ => {
                                return Err(self.err(format!(
                                    "expected 'type label' with a type from 1 to {ntypes} and a label that is not a number, found '{}'",
                                    excerpt(content.as_bytes())
                                )));
                            }
                        }
                    }
                }
                "Atoms" => {
                    let declared = match self.comment().filter(|c| !c.is_empty()) {
                        None => None,
                        Some(c) => Some(match c.split_ascii_whitespace().next().unwrap_or("") {
                            "atomic" => AtomStyle::Atomic,
                            "charge" => AtomStyle::Charge,
                            "full" => AtomStyle::Full,
                            other => {
                                return Err(self.err(format!(
                                    "atom style '{other}' is not supported: expected 'Atoms # atomic', '# charge' or '# full'"
                                )));
                            }
                        }),
                    };
                    let (parts, style) =
                        self.atoms(natoms, ntypes, sim_box, declared, &labels, at)?;
                    atom_style = style;
                    atoms = Some(parts);
                }
                "Velocities" => {
                    let mut v = Vec::with_capacity(natoms.min(1 << 20) as usize);
                    for _ in 0..natoms {
                        self.entry("Velocities", at)?;
                        let content = self.content().to_vec();
                        split_fields(&content, &mut self.fields);
                        let id = self
                            .fields
                            .first()
                            .and_then(|&(a, b)| parse_u64(&content[a as usize..b as usize]));
                        let vals: Option<Vec<f64>> = self
                            .fields
                            .iter()
                            .skip(1)
                            .map(|&(a, b)| parse_finite(&content[a as usize..b as usize]))
                            .collect();
                        match (id, vals) {
                            (Some(id), Some(vals)) if vals.len() == 3 => {
                                v.push((id, [vals[0], vals[1], vals[2]], self.s.line()))
                            }
                            _ => {
                                return Err(self.err(format!(
                                    "expected 'id vx vy vz', found '{}'",
                                    excerpt(&content)
                                )));
                            }
                        }
                    }
                    velocities = Some(v);
                }
                other => {
                    let n = if other == "PairIJ Coeffs" {
                        ntypes * (ntypes + 1) / 2
                    } else {
                        ntypes
                    };
                    for _ in 0..n {
                        self.entry(other, at)?;
                    }
                }
            }
            if self.next_content()? {
                let text = String::from_utf8_lossy(self.content()).into_owned();
                let Some(s) = SECTIONS
                    .iter()
                    .chain(MOLECULAR.iter())
                    .find(|s| text == **s)
                else {
                    return Err(self.err(format!(
                        "expected a section name such as 'Velocities', found '{}'",
                        excerpt(text.as_bytes())
                    )));
                };
                section = Some(((*s).to_string(), self.s.line()));
            }
        }
        let mut parts = atoms.ok_or_else(|| IoError::invalid(&name, "missing section 'Atoms'"))?;
        if let Some(v) = velocities {
            let index: BTreeMap<u64, usize> = parts
                .ids
                .iter()
                .enumerate()
                .map(|(k, &id)| (id, k))
                .collect();
            let mut cols = [
                vec![f64::NAN; parts.ids.len()],
                vec![f64::NAN; parts.ids.len()],
                vec![f64::NAN; parts.ids.len()],
            ];
            let mut seen = vec![false; parts.ids.len()];
            for (id, vel, line) in v {
                let k = *index.get(&id).ok_or_else(|| {
                    IoError::parse(
                        &name,
                        line,
                        format!("velocity of atom id {id}, which is not in 'Atoms'"),
                    )
                })?;
                if std::mem::replace(&mut seen[k], true) {
                    return Err(IoError::parse(
                        &name,
                        line,
                        format!("the velocity of atom id {id} is given twice"),
                    ));
                }
                let vel = orientation.map_or(vel, |o| o.vector_to_restricted(vel));
                for d in 0..3 {
                    cols[d][k] = vel[d];
                }
            }
            for (c, n) in cols.into_iter().zip(["vx", "vy", "vz"]) {
                parts.columns.push(Column {
                    name: n.to_string(),
                    data: ColumnData::Float(c),
                });
            }
        }
        if let Some(o) = &orientation {
            for p in &mut parts.positions {
                *p = o.to_restricted(*p);
            }
        }
        parts.orientation = orientation;
        // Labels that are element symbols name the species of every atom.
        if !labels.is_empty() {
            let symbols: Option<Vec<String>> = parts
                .types
                .iter()
                .map(|t| {
                    labels
                        .get(t)
                        .filter(|l| interstice_core::element(l).is_ok())
                        .cloned()
                })
                .collect();
            if let Some(symbols) = symbols {
                parts.columns.push(Column {
                    name: "element".into(),
                    data: ColumnData::Text(symbols),
                });
            }
        }
        let frame = Frame::from_parts(parts).map_err(|e| IoError::Core {
            path: name,
            cause: e,
        })?;
        Ok(DataFile {
            title,
            frame,
            atom_types,
            masses,
            atom_style,
            type_labels: labels,
            general_triclinic: general_line.is_some(),
        })
    }

    fn count(&self, word: &str, what: &str) -> Result<u64, IoError> {
        parse_u64(word.as_bytes()).ok_or_else(|| {
            self.err(format!(
                "expected a non-negative integer count of {what}, found '{word}'"
            ))
        })
    }

    /// Moves to the next entry of a section.
    fn entry(&mut self, section: &str, at: u64) -> Result<(), IoError> {
        if !self.next_content()? {
            return Err(IoError::parse(
                self.s.name(),
                self.s.line() + 1,
                format!("unexpected end of file in section '{section}' that starts on line {at}"),
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn atoms(
        &mut self,
        natoms: u64,
        ntypes: u64,
        sim_box: SimBox,
        declared: Option<AtomStyle>,
        labels: &BTreeMap<u32, String>,
        at: u64,
    ) -> Result<(FrameParts, AtomStyle), IoError> {
        let cap = natoms.min(self.s.remaining().map_or(1 << 20, |r| r / 10)) as usize;
        let mut parts = FrameParts {
            sim_box,
            ..FrameParts::default()
        };
        parts.ids.reserve(cap);
        parts.types.reserve(cap);
        parts.positions.reserve(cap);
        let by_label: BTreeMap<String, u32> = labels.iter().map(|(t, l)| (l.clone(), *t)).collect();
        let mut images: Vec<[i32; 3]> = Vec::new();
        let mut charges: Vec<f64> = Vec::new();
        let mut molecules: Vec<i64> = Vec::new();
        let mut lines = Vec::with_capacity(cap);
        let mut shape: Option<(AtomStyle, usize)> = None;
        for _ in 0..natoms {
            self.entry("Atoms", at)?;
            lines.push(self.s.line());
            let content = self.content().to_vec();
            let n = split_fields(&content, &mut self.fields);
            let (style, width) = match shape {
                Some(s) => s,
                None => {
                    let style = match (declared, n) {
                        (Some(s), _) => s,
                        (None, 5 | 8) => AtomStyle::Atomic,
                        (None, 6 | 9) => AtomStyle::Charge,
                        (None, 7 | 10) => AtomStyle::Full,
                        (None, _) => {
                            return Err(self.err(format!(
                                "expected 'id type x y z' (atomic), 'id type q x y z' (charge) or 'id mol type q x y z' (full), each with or without 'ix iy iz', found {n} columns"
                            )));
                        }
                    };
                    let w = style.width();
                    if n != w && n != w + 3 {
                        let q = |s: AtomStyle| match s {
                            AtomStyle::Atomic => "id type x y z",
                            AtomStyle::Charge => "id type q x y z",
                            AtomStyle::Full => "id mol type q x y z",
                        };
                        return Err(self.err(format!(
                            "expected '{}' or with 'ix iy iz' (atom_style {}), found {n} columns",
                            q(style),
                            style.name()
                        )));
                    }
                    *shape.insert((style, n))
                }
            };
            if n != width {
                return Err(self.err(format!(
                    "expected {width} columns like the first atom line, found {n}"
                )));
            }
            let f = |k: usize| {
                let (a, b) = self.fields[k];
                &content[a as usize..b as usize]
            };
            let bad = |k: usize, what: &str| {
                self.err(format!("expected {what}, found '{}'", excerpt(f(k))))
            };
            let (tc, xc, qc, mc) = style.columns();
            parts
                .ids
                .push(parse_u64(f(0)).ok_or_else(|| bad(0, "a non-negative integer atom id"))?);
            let t = match parse_u64(f(tc)) {
                Some(t) if t >= 1 => t,
                Some(_) => return Err(bad(tc, "a positive integer atom type")),
                None => match by_label.get(String::from_utf8_lossy(f(tc)).as_ref()) {
                    Some(&t) => u64::from(t),
                    None if labels.is_empty() => {
                        return Err(bad(tc, "a positive integer atom type"));
                    }
                    None => {
                        return Err(bad(
                            tc,
                            "a positive integer atom type or a label of 'Atom Type Labels'",
                        ));
                    }
                },
            };
            if t > ntypes {
                return Err(self.err(format!(
                    "atom type {t} exceeds the {ntypes} atom types of the header"
                )));
            }
            parts.types.push(t as u32);
            if let Some(qc) = qc {
                charges.push(parse_finite(f(qc)).ok_or_else(|| bad(qc, "a finite charge"))?);
            }
            if let Some(mc) = mc {
                molecules.push(parse_i64(f(mc)).ok_or_else(|| bad(mc, "an integer molecule id"))?);
            }
            let mut p = [0.0; 3];
            for d in 0..3 {
                p[d] = parse_finite(f(xc + d)).ok_or_else(|| bad(xc + d, "a finite coordinate"))?;
            }
            parts.positions.push(p);
            if n == style.width() + 3 {
                let mut img = [0; 3];
                for d in 0..3 {
                    let k = style.width() + d;
                    img[d] = parse_i64(f(k))
                        .and_then(|v| i32::try_from(v).ok())
                        .ok_or_else(|| bad(k, "an integer image flag"))?;
                }
                images.push(img);
            }
        }
        let style = shape.map_or(declared.unwrap_or_default(), |(s, _)| s);
        if shape.is_some_and(|(s, n)| n == s.width() + 3) {
            parts.images = Some(images);
        }
        if matches!(style, AtomStyle::Full) {
            parts.columns.push(Column {
                name: "mol".into(),
                data: ColumnData::Int(molecules),
            });
        }
        if matches!(style, AtomStyle::Charge | AtomStyle::Full) {
            parts.columns.push(Column {
                name: "q".into(),
                data: ColumnData::Float(charges),
            });
        }
        if let Some((first, second)) = interstice_core::find_duplicate_id(&parts.ids) {
            return Err(IoError::parse(
                self.s.name(),
                lines[second],
                format!(
                    "atom id {} appears twice (first on line {})",
                    parts.ids[first], lines[first]
                ),
            ));
        }
        Ok((parts, style))
    }
}

/// A type given as a number or as a label of `Atom Type Labels`.
fn type_of(field: &[u8], labels: &BTreeMap<u32, String>) -> Option<u32> {
    match parse_u64(field) {
        Some(t) => u32::try_from(t).ok(),
        None => {
            let l = String::from_utf8_lossy(field);
            labels.iter().find(|(_, v)| **v == l).map(|(t, _)| *t)
        }
    }
}

/// Writes a data file atomically (temporary file, then rename).
///
/// # Errors
/// [`IoError::Os`] when writing fails, [`IoError::Invalid`] when a type has
/// no mass or exceeds `atom_types`.
pub fn write_data(path: impl AsRef<Path>, data: &DataFile) -> Result<(), IoError> {
    let path = path.as_ref();
    let mut out = OutputFile::create(path)?;
    write_data_to(&mut out, &path.display().to_string(), data)?;
    out.commit()
}

/// Writes a data file to any byte sink; `name` is used in messages.
///
/// # Errors
/// As [`write_data`].
pub fn write_data_to(
    out: &mut impl std::io::Write,
    name: &str,
    data: &DataFile,
) -> Result<(), IoError> {
    use std::fmt::Write as _;
    let f = &data.frame;
    if let Some(&t) = f.types().iter().find(|&&t| t > data.atom_types) {
        return Err(IoError::invalid(
            name,
            format!(
                "atom type {t} exceeds the {} atom types to write",
                data.atom_types
            ),
        ));
    }
    if let Some(&t) = data.masses.keys().find(|&&t| t == 0 || t > data.atom_types) {
        return Err(IoError::invalid(
            name,
            format!(
                "a mass is given for atom type {t}, outside 1..={}",
                data.atom_types
            ),
        ));
    }
    let b = f.sim_box();
    let (lo, hi, [xy, xz, yz]) = (b.lo(), b.hi(), b.tilts());
    let orientation = if data.general_triclinic {
        f.orientation()
    } else {
        None
    };
    for (t, l) in &data.type_labels {
        if l.is_empty()
            || l.contains(char::is_whitespace)
            || l.contains('#')
            || l.parse::<f64>().is_ok()
        {
            return Err(IoError::invalid(
                name,
                format!("the label '{l}' of atom type {t} must be a word that is not a number"),
            ));
        }
    }
    let mut s = String::new();
    let title = if data.title.is_empty() {
        "LAMMPS data file written by interstice"
    } else {
        data.title.as_str()
    };
    let _ = write!(
        s,
        "{}\n\n{} atoms\n{} atom types\n\n",
        title.replace('\n', " "),
        f.len(),
        data.atom_types
    );
    if data.general_triclinic {
        let cell = GeneralCell::of_box(b, orientation);
        for (v, n) in cell.vectors.iter().zip(["avec", "bvec", "cvec"]) {
            let _ = writeln!(s, "{:?} {:?} {:?} {n}", v[0], v[1], v[2]);
        }
        let o = cell.origin;
        let _ = writeln!(s, "{:?} {:?} {:?} abc origin", o[0], o[1], o[2]);
    } else {
        for (k, a) in ["x", "y", "z"].iter().enumerate() {
            let _ = writeln!(s, "{:?} {:?} {a}lo {a}hi", lo[k], hi[k]);
        }
        if b.is_triclinic() {
            let _ = writeln!(s, "{xy:?} {xz:?} {yz:?} xy xz yz");
        }
    }
    if !data.type_labels.is_empty() {
        s.push_str("\nAtom Type Labels\n\n");
        for (t, l) in &data.type_labels {
            let _ = writeln!(s, "{t} {l}");
        }
    }
    if !data.masses.is_empty() {
        s.push_str("\nMasses\n\n");
        for (t, m) in &data.masses {
            let _ = writeln!(s, "{t} {m:?}");
        }
    }
    let _ = write!(s, "\nAtoms # {}\n\n", data.atom_style.name());
    let value = |c: &str, i: usize| f.column(c).and_then(|c| c.get_f64(i)).unwrap_or(0.0);
    for i in 0..f.len() {
        let p = f.positions()[i];
        let p = orientation.map_or(p, |o| o.to_general(p));
        let _ = write!(s, "{}", f.ids()[i]);
        if data.atom_style == AtomStyle::Full {
            let _ = write!(s, " {}", value("mol", i) as i64);
        }
        let _ = write!(s, " {}", f.types()[i]);
        if data.atom_style != AtomStyle::Atomic {
            let _ = write!(s, " {:?}", value("q", i));
        }
        let _ = write!(s, " {:?} {:?} {:?}", p[0], p[1], p[2]);
        if let Some(img) = f.images() {
            let _ = write!(s, " {} {} {}", img[i][0], img[i][1], img[i][2]);
        }
        s.push('\n');
    }
    let v: Vec<Option<&ColumnData>> = ["vx", "vy", "vz"].iter().map(|n| f.column(n)).collect();
    if let [Some(vx), Some(vy), Some(vz)] = v[..] {
        s.push_str("\nVelocities\n\n");
        for i in 0..f.len() {
            let g = |c: &ColumnData| c.get_f64(i).unwrap_or(f64::NAN);
            let v = [g(vx), g(vy), g(vz)];
            let v = orientation.map_or(v, |o| o.vector_to_general(v));
            let _ = writeln!(s, "{} {:?} {:?} {:?}", f.ids()[i], v[0], v[1], v[2]);
        }
    }
    out.write_all(s.as_bytes())
        .map_err(|e| IoError::os(name, "cannot write", e))
}
