//! `interstice first-plastic`: the strain step at which each atom first
//! becomes plastic over a shear trajectory (the strain map of the paper's
//! Fig. 3e), streamed frame by frame.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_d2min::{
    D2minParams, FirstPlastic, Mode, StrainSeries, plastic_above, plastic_top_percent,
};
use interstice_io::{DumpReader, OutputFile};

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
    /// D²min of each frame against the previous one, not the reference.
    #[arg(long)]
    pub incremental: bool,
    /// Strain per step, to write the first plastic strain too (0.00125 for the paper's protocol).
    #[arg(long)]
    pub strain_step: Option<f64>,
    /// The output table (CSV).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the command; prints a summary line per step to `out`.
pub fn run(args: &FirstPlasticArgs, out: &mut impl Write) -> Result<()> {
    if args.threshold.is_none()
        && (args.percent.is_nan() || args.percent <= 0.0 || args.percent > 100.0)
    {
        bail!("--percent must be in (0, 100], found {}", args.percent);
    }
    let reference = DumpReader::open(&args.reference)?
        .read()?
        .with_context(|| format!("{} has no frame", args.reference.display()))?;
    let ids = reference.ids().to_vec();
    let types = reference.types().to_vec();
    let mode = if args.incremental {
        Mode::Incremental
    } else {
        Mode::Cumulative
    };
    let mut series = StrainSeries::new(reference, D2minParams::new(args.cutoff), mode)?;
    let mut first = FirstPlastic::new(ids.len());
    let mut step = 0;
    for path in &args.frames {
        let mut reader = DumpReader::open(path)?;
        while let Some(frame) = reader.read()? {
            step += 1;
            let s = series.push(frame)?;
            let labels = match args.threshold {
                Some(t) => plastic_above(&s.d2min, t),
                None => plastic_top_percent(&s.d2min, args.percent),
            };
            first.update(step, &labels);
            let ever = first.steps().iter().filter(|f| f.is_some()).count();
            writeln!(
                out,
                "step {step}: {} plastic, {ever} plastic at least once",
                labels.iter().filter(|&&l| l).count()
            )?;
        }
    }
    let mut text = String::from("id,type,first_plastic_step");
    if args.strain_step.is_some() {
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
        if let Some(e) = args.strain_step {
            let _ = write!(
                text,
                ",{}",
                f.map_or(String::new(), |s| format!("{:?}", s as f64 * e))
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
