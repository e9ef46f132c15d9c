//! `interstice first-plastic`: the strain at which each atom first becomes
//! plastic over a shear trajectory (the strain map of the paper's Fig. 3e),
//! streamed frame by frame.
//!
//! A frame's strain comes from an explicit list (`--strains`), from its
//! timestep (`--strain-per-timestep`, for `fix deform` runs), or from its
//! place in the series (`--strain-step`, for AQS frames written one per
//! step). A frame equal to the reference (same box and positions, as the
//! first frame of a LAMMPS AQS dump usually is) is recognised and is not a
//! strain step (shared/SPEC.md §6).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_core::Frame;
use interstice_d2min::{D2minParams, DEFAULT_NOISE_FLOOR, FirstPlastic, Mode, StrainSeries};
use interstice_io::{OutputFile, Trajectory};

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

/// Whether `frame` is the reference again: the same box and, atom by atom
/// (matched by id), the same position to 1e-9 Å.
pub fn same_configuration(reference: &Frame, frame: &Frame) -> bool {
    if reference.len() != frame.len() || reference.sim_box() != frame.sim_box() {
        return false;
    }
    let close = |a: [f64; 3], b: [f64; 3]| {
        (a[0] - b[0]).abs() <= 1e-9 && (a[1] - b[1]).abs() <= 1e-9 && (a[2] - b[2]).abs() <= 1e-9
    };
    if reference.ids() == frame.ids() {
        return reference
            .positions()
            .iter()
            .zip(frame.positions())
            .all(|(a, b)| close(*a, *b));
    }
    let at: HashMap<u64, usize> = frame
        .ids()
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, k))
        .collect();
    reference
        .ids()
        .iter()
        .zip(reference.positions())
        .all(|(id, p)| at.get(id).is_some_and(|&k| close(*p, frame.positions()[k])))
}

impl FirstPlasticArgs {
    fn rule(&self) -> crate::common::LabelRule {
        crate::common::LabelRule {
            cutoff: self.cutoff,
            percent: self.percent,
            threshold: self.threshold,
            noise_floor: self.noise_floor,
        }
    }
}

fn check(args: &FirstPlasticArgs) -> Result<()> {
    args.rule().check()?;
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
    crate::common::check_outputs(&[("--out", &args.out)])?;
    Ok(())
}

/// Runs the command; prints a summary line per step to `out`.
pub fn run(args: &FirstPlasticArgs, out: &mut impl Write) -> Result<()> {
    check(args)?;
    let rule = args.rule();
    let reference = Trajectory::open(&args.reference)?
        .read()?
        .with_context(|| format!("{} has no frame", args.reference.display()))?;
    let ids = reference.ids().to_vec();
    let types = reference.types().to_vec();
    let ref_timestep = reference.timestep();
    let mode = if args.incremental {
        Mode::Incremental
    } else {
        Mode::Cumulative
    };
    let kept_reference = reference.clone();
    let mut series = StrainSeries::new(reference, D2minParams::new(args.cutoff), mode)?;
    let mut first = FirstPlastic::new(ids.len());
    // Per deformed frame: its strain, if known.
    let mut strains: Vec<Option<f64>> = Vec::new();
    let mut step = 0;
    for path in &args.frames {
        let mut reader = Trajectory::open(path)?;
        let mut k = 0;
        while let Some(frame) = reader.read()? {
            k += 1;
            if frame.len() != ids.len() {
                bail!(
                    "{}, frame {}: {} atoms, but the reference {} has {}",
                    path.display(),
                    k - 1,
                    frame.len(),
                    args.reference.display(),
                    ids.len()
                );
            }
            if step == 0 && same_configuration(&kept_reference, &frame) {
                writeln!(
                    out,
                    "{}, frame {}: the reference itself (strain 0), not a strain step",
                    path.display(),
                    k - 1
                )?;
                continue;
            }
            step += 1;
            let strain = if let Some(list) = &args.strains {
                Some(*list.get(step - 1).with_context(|| {
                    format!(
                        "--strains lists {} strains, but {}, frame {} is deformed frame {step}",
                        list.len(),
                        path.display(),
                        k - 1
                    )
                })?)
            } else if let Some(rate) = args.strain_per_timestep {
                Some((frame.timestep() as f64 - ref_timestep as f64) * rate)
            } else {
                args.strain_step.map(|e| step as f64 * e)
            };
            strains.push(strain);
            let s = series
                .push(frame)
                .with_context(|| format!("{}, frame {}", path.display(), k - 1))?;
            let labels = rule.labels(&s.d2min);
            first.update(step, &labels);
            let ever = first.steps().iter().filter(|f| f.is_some()).count();
            writeln!(
                out,
                "step {step}{}: {} plastic, {ever} plastic at least once",
                strain.map_or(String::new(), |e| format!(" (strain {e})")),
                labels.iter().filter(|&&l| l).count()
            )?;
        }
    }
    if step == 0 {
        bail!(
            "no deformed frame: every frame given equals the reference {}",
            args.reference.display()
        );
    }
    if let Some(list) = &args.strains
        && list.len() != step
    {
        bail!(
            "--strains lists {} strains for {step} deformed frames",
            list.len()
        );
    }
    let with_strain = strains.iter().all(Option::is_some);
    let mut text = String::from("id,type,first_plastic_step");
    if with_strain {
        text.push_str(",first_plastic_strain");
    }
    text.push('\n');
    for (i, f) in first.steps().iter().enumerate() {
        use std::fmt::Write as _;
        let _ = write!(
            text,
            "{},{},{}",
            ids[i],
            types[i],
            f.map_or(String::new(), |s| s.to_string())
        );
        if with_strain {
            let _ = write!(
                text,
                ",{}",
                f.and_then(|s| strains[s - 1])
                    .map_or(String::new(), |e| format!("{e:?}"))
            );
        }
        text.push('\n');
    }
    let mut file = OutputFile::create(&args.out)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    file.commit()?;
    Ok(())
}
