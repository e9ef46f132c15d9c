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
    /// `d2min`, `shear_strain`, `volumetric_strain` and `plastic` columns for OVITO
    /// (with --distributed, a partitioned Parquet table of those columns: a folder).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub ranks: crate::ranks::RanksArgs,
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
    if args.ranks.on() {
        return distributed(args, rule, out);
    }
    common::check_outputs(&[("--out", &args.out)])?;
    let lines = label::label_files(
        &label::Files {
            reference: &args.reference,
            reference_frame: args.reference_frame,
            deformed: &args.deformed,
            frame: args.frame,
            types: args.types.as_deref(),
            combine: &args.combine,
            per_neighbor: args.per_neighbor,
            out: &args.out,
        },
        &rule,
    )?;
    write!(out, "{lines}")?;
    Ok(())
}

/// `label --distributed`: D²min and labels over the ranks, into a
/// partitioned table.
fn distributed(args: &LabelArgs, rule: LabelRule, out: &mut impl Write) -> Result<()> {
    common::check_dataset_out(&args.out)?;
    let [deformed] = args.deformed.as_slice() else {
        anyhow::bail!(
            "--distributed labels one deformed frame; combining {} directions needs each atom's rank over the whole glass: run that in one process",
            args.deformed.len()
        );
    };
    let input = |path: &std::path::Path, frame| -> Result<interstice_distributed::Input> {
        Ok(interstice_distributed::Input {
            path: path.to_path_buf(),
            frame,
            types: common::type_map(args.types.as_deref())?,
        })
    };
    let job = interstice_distributed::Label {
        reference: input(&args.reference, args.reference_frame)?,
        deformed: input(deformed, args.frame)?,
        rule,
        per_neighbor: args.per_neighbor,
        out: args.out.clone(),
        skin: args.ranks.ghost_skin,
    };
    let start = std::time::Instant::now();
    crate::ranks::run(out, |comm| {
        let (r, s) = interstice_distributed::label(comm, &job)?;
        Ok(format!(
            "{} atoms, {} plastic (D²min ≥ {:.4} Å²), {} without D²min, in {:.2} s {}; wrote the partitioned table {}",
            r.atoms,
            s.plastic,
            s.threshold,
            s.invalid,
            start.elapsed().as_secs_f64(),
            r.describe(),
            args.out.display()
        ))
    })
}
