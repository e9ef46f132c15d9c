//! `interstice info` as a library call: what is in a trajectory file, as
//! the lines the command prints.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use interstice_core::ColumnData;
use interstice_io::{Trajectory, TrajectoryReader};

use crate::common;

/// The summary of frame `frame_arg` (0-based; negative counts from the
/// end) of `dump`, with `types` mapping LAMMPS types to elements: file,
/// format, frames, box, columns, species and density, one item a line.
///
/// # Errors
/// The file cannot be read; the frame does not exist; a bad type map.
pub fn describe(dump: &Path, frame_arg: i64, types: Option<&str>) -> Result<String> {
    let mut out = String::new();
    let out = &mut out;
    let map = common::type_map(types)?;
    let mut reader = common::open_frames(dump, map.as_ref())?;
    let (index, frame) = common::read_frame(&mut reader, frame_arg, "--frame")?;
    let map = common::species_map(map, &frame, &dump.display().to_string())?;
    // Counting reads every later header: a damaged later frame does not
    // stop the report of this one.
    let count = match reader.frame_count() {
        Ok(n) => n.to_string(),
        Err(e) => format!("at least {} (counting stopped: {e})", index + 1),
    };
    let b = frame.sim_box();
    let compressed = std::fs::File::open(dump)
        .and_then(|mut f| {
            let mut magic = [0u8; 2];
            std::io::Read::read_exact(&mut f, &mut magic).map(|()| magic == [0x1f, 0x8b])
        })
        .unwrap_or(false);
    let v3 = |v: [f64; 3]| format!("{:.6} {:.6} {:.6}", v[0], v[1], v[2]);
    let periodic: String = b
        .periodic()
        .iter()
        .map(|&p| if p { 'p' } else { 'f' })
        .collect();
    writeln!(
        out,
        "file       {}{}",
        dump.display(),
        if compressed { " (gzip)" } else { "" }
    )?;
    writeln!(out, "format     {}", reader.info().name)?;
    writeln!(out, "frames     {count}")?;
    writeln!(out, "frame      {index} (timestep {})", frame.timestep())?;
    writeln!(out, "atoms      {}", frame.len())?;
    writeln!(out, "box lo     {}", v3(b.lo()))?;
    writeln!(out, "box hi     {}", v3(b.hi()))?;
    writeln!(
        out,
        "tilts      {} (xy xz yz){}",
        v3(b.tilts()),
        if b.is_triclinic() {
            ""
        } else {
            ", orthorhombic"
        }
    )?;
    writeln!(out, "periodic   {periodic}")?;
    if frame.is_empty() {
        writeln!(out, "volume     {:.4} Å³ (no atoms)", b.volume())?;
    } else {
        writeln!(
            out,
            "volume     {:.4} Å³ ({:.4} Å³ per atom)",
            b.volume(),
            b.volume() / frame.len() as f64
        )?;
    }
    let columns = match &reader {
        Trajectory::Dump(d) => d.columns().join(" "),
        _ => {
            let mut c = vec!["id", "type", "x", "y", "z"];
            if frame.images().is_some() {
                c.extend(["ix", "iy", "iz"]);
            }
            c.extend(frame.columns().iter().map(|c| c.name.as_str()));
            c.join(" ")
        }
    };
    writeln!(out, "columns    {columns}")?;
    if let Some(o) = frame.orientation() {
        let cell = interstice_core::GeneralCell::of_box(b, Some(o));
        writeln!(
            out,
            "general    A {}  B {}  C {}  (rotated into the restricted box above)",
            v3(cell.vectors[0]),
            v3(cell.vectors[1]),
            v3(cell.vectors[2])
        )?;
    }
    writeln!(out, "species")?;
    let mut total_mass = 0.0;
    for (t, n) in frame.type_counts() {
        let share = 100.0 * n as f64 / frame.len() as f64;
        match &map {
            Some(m) => {
                let s = m.species(t)?;
                total_mass += s.element.mass * n as f64;
                let radius = s
                    .radius
                    .map_or("no radius".to_string(), |r| format!("r = {r:.2} Å"));
                writeln!(
                    out,
                    "  type {t:<3} {:<3} {n:>9} atoms {share:>6.2} %  ({radius})",
                    s.element.symbol
                )?;
            }
            None => writeln!(out, "  type {t:<3} {n:>9} atoms {share:>6.2} %")?,
        }
    }
    if map.is_some() && !frame.is_empty() {
        let rho = interstice_core::units::density_g_per_cm3(total_mass, b.volume());
        writeln!(out, "density    {rho:.4} g/cm³")?;
    }
    for c in frame.columns() {
        let (kind, range) = match &c.data {
            ColumnData::Int(v) => (
                "integer",
                v.iter()
                    .min()
                    .zip(v.iter().max())
                    .map(|(a, b)| format!("{a} … {b}")),
            ),
            ColumnData::Float(v) => (
                "real",
                (!v.is_empty()).then(|| {
                    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    format!("{lo:.6} … {hi:.6}")
                }),
            ),
            ColumnData::Text(_) => ("text", None),
        };
        writeln!(
            out,
            "  column {:<12} {kind:<8} {}",
            c.name,
            range.unwrap_or_default()
        )?;
    }
    Ok(std::mem::take(out))
}
