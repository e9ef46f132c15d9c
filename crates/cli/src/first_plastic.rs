//! `interstice first-plastic`: the strain at which each atom first becomes
//! plastic over a shear trajectory (the strain map of the paper's Fig. 3e),
//! streamed frame by frame by [`interstice_pipeline::first_plastic`].
//!
//! A frame's strain comes from an explicit list (`--strains`), from its
//! timestep (`--strain-per-timestep`, for `fix deform` runs), or from its
//! place in the series (`--strain-step`, for AQS frames written one per
//! step).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_d2min::DEFAULT_NOISE_FLOOR;
use interstice_io::Trajectory;
use interstice_pipeline::common::{self, LabelRule};
use interstice_pipeline::first_plastic::{FirstPlasticParams, Strains, first_plastic};

/// Arguments of `interstice first-plastic`.
#[derive(clap::Args, Debug)]
pub struct FirstPlasticArgs {
    /// The reference (quenched) configuration: a dump; its first frame is used.
    pub reference: PathBuf,
    /// The deformed frames in strain order: dump files, each read frame by frame.
    #[arg(required = true)]
    pub frames: Vec<PathBuf>,
    /// Neighbour cutoff in the reference, Å.
    #[arg(long)]
    pub cutoff: f64,
    /// Plastic at a step: the top PERCENT % of that step's D²min.
    #[arg(long, default_value_t = 5.0, conflicts_with = "threshold")]
    pub percent: f64,
    /// Plastic at a step: D²min at or above this value, Å².
    #[arg(long)]
    pub threshold: Option<f64>,
    /// D²min below this is never plastic (noise, not a rearrangement), Å².
    #[arg(long, default_value_t = DEFAULT_NOISE_FLOOR)]
    pub noise_floor: f64,
    /// D²min of each frame against the previous one, not the reference.
    #[arg(long)]
    pub incremental: bool,
    /// Strain per deformed frame, in order (0.00125 for the paper's AQS protocol).
    #[arg(long, conflicts_with_all = ["strains", "strain_per_timestep"])]
    pub strain_step: Option<f64>,
    /// The strain of every deformed frame, comma-separated, in order.
    #[arg(long, value_delimiter = ',', conflicts_with = "strain_per_timestep")]
    pub strains: Option<Vec<f64>>,
    /// Strain per timestep since the reference's (erate × dt, for `fix deform`).
    #[arg(long)]
    pub strain_per_timestep: Option<f64>,
    /// The output table (CSV).
    #[arg(long)]
    pub out: PathBuf,
}

impl FirstPlasticArgs {
    fn params(&self) -> FirstPlasticParams {
        FirstPlasticParams {
            rule: LabelRule {
                cutoff: self.cutoff,
                percent: self.percent,
                threshold: self.threshold,
                noise_floor: self.noise_floor,
            },
            incremental: self.incremental,
            strains: if let Some(list) = &self.strains {
                Strains::List(list.clone())
            } else if let Some(rate) = self.strain_per_timestep {
                Strains::PerTimestep(rate)
            } else if let Some(e) = self.strain_step {
                Strains::Step(e)
            } else {
                Strains::Unknown
            },
        }
    }
}

fn check(args: &FirstPlasticArgs) -> Result<()> {
    args.params().rule.check()?;
    if let Some(e) = args.strain_step
        && !(e.is_finite() && e > 0.0)
    {
        bail!("--strain-step must be a finite strain > 0, found {e}");
    }
    if let Some(e) = args.strain_per_timestep
        && !(e.is_finite() && e != 0.0)
    {
        bail!("--strain-per-timestep must be finite and non-zero, found {e}");
    }
    if let Some(list) = &args.strains
        && let Some(bad) = list.iter().find(|e| !e.is_finite())
    {
        bail!("--strains must be finite numbers, found {bad}");
    }
    common::check_outputs(&[("--out", &args.out)])?;
    Ok(())
}

/// Runs the command; prints a summary line per step to `out`.
pub fn run(args: &FirstPlasticArgs, out: &mut impl Write) -> Result<()> {
    check(args)?;
    let reference = Trajectory::open(&args.reference)?
        .read()?
        .with_context(|| format!("{} has no frame", args.reference.display()))?;
    let map = first_plastic(
        reference,
        &args.reference.display().to_string(),
        &args.frames,
        &args.params(),
        out,
    )?;
    map.write_csv(&args.out)
}
