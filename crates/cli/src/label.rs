//! `interstice label`: D²min between a reference and a deformed frame, and
//! plastic labels, written as CSV or as an OVITO-readable dump.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use interstice_core::ColumnData;
use interstice_d2min::{D2minParams, DEFAULT_NOISE_FLOOR, atomic_strain};
use interstice_io::{DumpWriter, OutputFile};

/// Arguments of `interstice label`.
#[derive(clap::Args, Debug)]
pub struct LabelArgs {
    /// The reference (quenched) configuration: a LAMMPS dump or data file or extended XYZ.
    pub reference: PathBuf,
    /// The deformed configuration: a LAMMPS dump or data file or extended XYZ.
    pub deformed: PathBuf,
    /// Neighbour cutoff in the reference, Å (5.0 is the first minimum of g(r) in Cu-Zr).
    #[arg(long)]
    pub cutoff: f64,
    /// Frame of the reference file (0-based; negative counts from the end).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub reference_frame: i64,
    /// Frame of the deformed file (0-based; negative counts from the end).
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    pub frame: i64,
    /// Plastic: the top PERCENT % of D²min.
    #[arg(long, default_value_t = 5.0, conflicts_with = "threshold")]
    pub percent: f64,
    /// Plastic: D²min at or above this value, Å² (instead of --percent).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// D²min below this is never plastic (noise, not a rearrangement), Å².
    #[arg(long, default_value_t = DEFAULT_NOISE_FLOOR)]
    pub noise_floor: f64,
    /// Divide D²min by the neighbour count instead of summing (OVITO sums).
    #[arg(long)]
    pub per_neighbor: bool,
    /// Map LAMMPS types to elements, for example `1=Cu,2=Zr` (checked against the files).
    #[arg(long)]
    pub types: Option<String>,
    /// Output: `.csv` for a table, `.dump` or `.dump.gz` for the reference frame with
    /// `d2min`, `shear_strain`, `volumetric_strain` and `plastic` columns for OVITO.
    #[arg(long)]
    pub out: PathBuf,
}

impl LabelArgs {
    fn rule(&self) -> crate::common::LabelRule {
        crate::common::LabelRule {
            cutoff: self.cutoff,
            percent: self.percent,
            threshold: self.threshold,
            noise_floor: self.noise_floor,
        }
    }
}

/// Checks every numeric option before any file is read.
fn check(args: &LabelArgs) -> Result<()> {
    args.rule().check()?;
    crate::common::check_outputs(&[("--out", &args.out)])?;
    Ok(())
}

/// Runs the command; prints a one-line summary to `out`.
pub fn run(args: &LabelArgs, out: &mut impl Write) -> Result<()> {
    check(args)?;
    let map = crate::common::type_map(args.types.as_deref())?;
    let open = |path: &PathBuf| crate::common::open_frames(path, map.as_ref());
    let mut ref_reader = open(&args.reference)?;
    let (_, mut reference) =
        crate::common::read_frame(&mut ref_reader, args.reference_frame, "--reference-frame")?;
    let mut def_reader = open(&args.deformed)?;
    let (_, deformed) = crate::common::read_frame(&mut def_reader, args.frame, "--frame")?;
    let params = D2minParams::new(args.cutoff).per_neighbor(args.per_neighbor);
    let s = atomic_strain(&reference, &deformed, &params)?;
    let plastic = args.rule().labels(&s.d2min);
    let below_floor = s.d2min.iter().filter(|&&x| x < args.noise_floor).count();
    let name = args.out.display().to_string();
    if name.ends_with(".dump") || name.ends_with(".dump.gz") {
        reference.set_column("d2min", ColumnData::Float(s.d2min.clone()))?;
        reference.set_column("shear_strain", ColumnData::Float(s.shear_strain.clone()))?;
        reference.set_column(
            "volumetric_strain",
            ColumnData::Float(s.volumetric_strain.clone()),
        )?;
        reference.set_column(
            "plastic",
            ColumnData::Int(plastic.iter().map(|&p| i64::from(p)).collect()),
        )?;
        let mut w = DumpWriter::create(&args.out)?;
        w.write(&reference)?;
        w.finish()?;
    } else {
        let mut f = OutputFile::create(&args.out)?;
        let mut text = String::from("id,type,d2min,shear_strain,volumetric_strain,plastic\n");
        for i in 0..s.ids.len() {
            use std::fmt::Write as _;
            let _ = writeln!(
                text,
                "{},{},{:?},{:?},{:?},{}",
                s.ids[i],
                reference.types()[i],
                s.d2min[i],
                s.shear_strain[i],
                s.volumetric_strain[i],
                u8::from(plastic[i])
            );
        }
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {name}"))?;
        f.commit()?;
    }
    let n_plastic = plastic.iter().filter(|&&p| p).count();
    let valid: Vec<f64> = s.d2min.iter().copied().filter(|x| !x.is_nan()).collect();
    let mean = if valid.is_empty() {
        "n/a".to_string()
    } else {
        format!("{:.4} Å²", valid.iter().sum::<f64>() / valid.len() as f64)
    };
    writeln!(
        out,
        "{} atoms, mean D²min {mean}, {n_plastic} plastic ({:.2} %), {below_floor} below the noise floor of {} Å², {} with too few neighbours; wrote {name}",
        s.ids.len(),
        100.0 * n_plastic as f64 / s.ids.len().max(1) as f64,
        args.noise_floor,
        s.invalid.len()
    )?;
    if !s.invalid.is_empty() {
        let ids: Vec<String> = s
            .invalid
            .iter()
            .take(20)
            .map(|&k| s.ids[k].to_string())
            .collect();
        let more = if s.invalid.len() > 20 { ", …" } else { "" };
        writeln!(
            out,
            "atoms with fewer than three non-coplanar neighbours (D²min NaN, never plastic): ids {}{more}",
            ids.join(", ")
        )?;
    }
    Ok(())
}
