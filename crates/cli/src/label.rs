//! `interstice label`: D²min between a reference and a deformed frame (or
//! several loading directions of it, combined), and plastic labels, written
//! as CSV or as an OVITO-readable dump.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use interstice_d2min::DEFAULT_NOISE_FLOOR;
use interstice_pipeline::common::{self, LabelRule};
use interstice_pipeline::label;

/// Arguments of `interstice label`.
#[derive(clap::Args, Debug)]
pub struct LabelArgs {
    /// The reference (quenched) configuration: a LAMMPS dump or data file or extended XYZ.
    pub reference: PathBuf,
    /// The deformed configuration: a LAMMPS dump or data file or extended XYZ;
    /// several (one per loading direction of the same reference) are
    /// combined by `--combine`.
    #[arg(required = true)]
    pub deformed: Vec<PathBuf>,
    /// With several deformed files: `rank-mean` (plastic propensity, the top
    /// PERCENT % of each atom's D²min percentile rank averaged over the
    /// directions; shared/SPEC.md §6) or `any` (plastic in any direction).
    /// The table also has each direction's D²min and label.
    #[arg(long, default_value = "rank-mean")]
    pub combine: String,
    /// Neighbour cutoff in the reference, Å (5.0 is the first minimum of g(r) in Cu-Zr).
    #[arg(long)]
    pub cutoff: f64,
    /// Frame of the reference file (0-based; negative counts from the end).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub reference_frame: i64,
    /// Frame of each deformed file (0-based; negative counts from the end).
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
    fn rule(&self) -> LabelRule {
        LabelRule {
            cutoff: self.cutoff,
            percent: self.percent,
            threshold: self.threshold,
            noise_floor: self.noise_floor,
        }
    }
}

/// Runs the command; prints a one-line summary to `out`.
pub fn run(args: &LabelArgs, out: &mut impl Write) -> Result<()> {
    let rule = args.rule();
    rule.check()?;
    common::check_outputs(&[("--out", &args.out)])?;
    let map = common::type_map(args.types.as_deref())?;
    let mut ref_reader = common::open_frames(&args.reference, map.as_ref())?;
    let (_, reference) =
        common::read_frame(&mut ref_reader, args.reference_frame, "--reference-frame")?;
    let combine = label::Combine::parse(&args.combine)?;
    let mut runs = Vec::new();
    for path in &args.deformed {
        let mut reader = common::open_frames(path, map.as_ref())?;
        let (_, deformed) = common::read_frame(&mut reader, args.frame, "--frame")?;
        runs.push(label::label(
            &reference,
            &deformed,
            &rule,
            args.per_neighbor,
        )?);
    }
    let name = args.out.display().to_string();
    let dump = name.ends_with(".dump") || name.ends_with(".dump.gz");
    if runs.len() > 1 {
        let c = label::combine(runs, &rule, combine)?;
        if dump {
            c.write_dump(reference, &args.out)?;
        } else {
            c.write_csv(&args.out)?;
        }
        writeln!(out, "{}; wrote {name}", c.summary())?;
        return Ok(());
    }
    let labels = runs.remove(0);
    if dump {
        labels.write_dump(reference, &args.out)?;
    } else {
        labels.write_csv(&args.out)?;
    }
    writeln!(out, "{}; wrote {name}", labels.summary())?;
    if let Some(note) = labels.invalid_note() {
        writeln!(out, "{note}")?;
    }
    Ok(())
}
