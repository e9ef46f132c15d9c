//! `interstice convert`: one frame file to another format (LAMMPS dump, data
//! file, extended XYZ), restricted or general triclinic.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use interstice_io::{AtomStyle, DataFile, DumpWriter, ExtXyzWriter, Format, TrajectoryReader};
use interstice_pipeline::common;

/// Arguments of `interstice convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// A LAMMPS dump or data file or an extended XYZ file (plain or .gz).
    pub input: PathBuf,
    /// The file to write; its format from `--to`, else from its extension
    /// (.dump/.lammpstrj, .data/.lmp, .xyz/.extxyz; .gz compresses a dump).
    pub output: PathBuf,
    /// Output format: dump, data or xyz.
    #[arg(long, value_parser = ["dump", "data", "xyz"])]
    pub to: Option<String>,
    /// Only this frame (0-based; negative counts from the end); default: every
    /// frame (a data file takes one, so the first).
    #[arg(long, allow_hyphen_values = true)]
    pub frame: Option<i64>,
    /// Write the box as a general triclinic cell (LAMMPS' `abc origin` and
    /// `avec bvec cvec`), rotated back to the orientation the input had.
    #[arg(long)]
    pub general: bool,
    /// Atom style of a data file: atomic, charge or full (`q` and `mol` from
    /// columns of those names, else 0).
    #[arg(long, default_value = "atomic", value_parser = ["atomic", "charge", "full"])]
    pub atom_style: String,
    /// Map LAMMPS types to elements, for example `1=Cu,2=Zr`: names the
    /// species of extended XYZ and the masses of a data file.
    #[arg(long)]
    pub types: Option<String>,
    /// Write a supercell of every frame: `NX,NY,NZ` copies along the cell's
    /// edge vectors (copy c gets ids id + c · max id; image flags dropped),
    /// for example to make a large test glass from a small one.
    #[arg(long, value_name = "NX,NY,NZ")]
    pub replicate: Option<String>,
}

/// Runs the command; prints one line to `out`.
pub fn run(args: &ConvertArgs, out: &mut impl Write) -> Result<()> {
    let format = match args.to.as_deref() {
        Some("dump") => Format::Dump,
        Some("data") => Format::Data,
        Some("xyz") => Format::ExtXyz,
        _ => Format::from_extension(&args.output).with_context(|| {
            format!(
                "{}: cannot tell the output format from the name; give --to dump, data or xyz",
                args.output.display()
            )
        })?,
    };
    common::check_outputs(&[("OUTPUT", &args.output)])?;
    let map = common::type_map(args.types.as_deref())?;
    let mut reader = common::open_frames(&args.input, map.as_ref())?;
    let name = args.input.display().to_string();
    let frames = match args.frame {
        Some(k) => vec![common::read_frame(&mut reader, k, "--frame")?.1],
        None => {
            let mut all = Vec::new();
            while let Some(f) = reader.read()? {
                all.push(f);
            }
            all
        }
    };
    let frames = match &args.replicate {
        None => frames,
        Some(r) => {
            let n = parse_replicate(r)?;
            frames
                .iter()
                .map(|f| f.replicate(n).with_context(|| format!("--replicate {r}")))
                .collect::<Result<Vec<_>>>()?
        }
    };
    let first = frames
        .first()
        .with_context(|| format!("{name}: no frame"))?;
    match format {
        Format::Dump => {
            let mut w = DumpWriter::create(&args.output)?.general_triclinic(args.general);
            for f in &frames {
                w.write(f)?;
            }
            w.finish()?;
        }
        Format::ExtXyz => {
            let mut w = ExtXyzWriter::create(&args.output)?;
            if let Some(m) = common::species_map(map.clone(), first, &name)? {
                w = w.with_type_map(&m);
            }
            for f in &frames {
                w.write(f)?;
            }
            w.finish()?;
        }
        Format::Data => {
            if frames.len() > 1 {
                anyhow::bail!(
                    "{name} has {} frames and a data file holds one: give --frame",
                    frames.len()
                );
            }
            let species = common::species_map(map.clone(), first, &name)?;
            let atom_types = first.types().iter().copied().max().unwrap_or(0);
            let (masses, type_labels) = match (&species, reader.data_file()) {
                (_, Some(d)) => (d.masses.clone(), d.type_labels.clone()),
                (Some(m), None) => (
                    m.iter().map(|(t, s)| (t, s.element.mass)).collect(),
                    Default::default(),
                ),
                (None, None) => Default::default(),
            };
            let data = DataFile {
                title: format!("written by interstice convert from {name}"),
                frame: first.clone(),
                atom_types: reader
                    .data_file()
                    .map_or(atom_types, |d| d.atom_types.max(atom_types)),
                masses,
                atom_style: match args.atom_style.as_str() {
                    "charge" => AtomStyle::Charge,
                    "full" => AtomStyle::Full,
                    _ => AtomStyle::Atomic,
                },
                type_labels,
                general_triclinic: args.general,
            };
            interstice_io::write_data(&args.output, &data)?;
        }
    }
    writeln!(
        out,
        "{} frame{} of {} atoms from {name} ({}) to {} ({}{})",
        frames.len(),
        if frames.len() == 1 { "" } else { "s" },
        first.len(),
        reader.info().name,
        args.output.display(),
        format.info().name,
        if args.general {
            ", general triclinic"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// `NX,NY,NZ`: three whole numbers of at least 1.
fn parse_replicate(text: &str) -> Result<[usize; 3]> {
    let bad = || anyhow::anyhow!("--replicate {text}: expected three whole numbers ≥ 1, as 2,2,3");
    let n: Vec<usize> = text
        .split(',')
        .map(|x| x.trim().parse::<usize>().map_err(|_| bad()))
        .collect::<Result<_>>()?;
    let n: [usize; 3] = n.try_into().map_err(|_| bad())?;
    if n.contains(&0) {
        return Err(bad());
    }
    Ok(n)
}
