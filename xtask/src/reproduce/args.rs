//! The arguments of `cargo xtask reproduce`.

use super::*;

/// The command line of `reproduce`.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// The figures to draw, in the paper's order.
    pub figures: Vec<FigureId>,
    /// The data-set list.
    pub data: Data,
    /// Compare the summaries with `paper/expected/<data>.json`.
    pub check: bool,
    /// Write the summaries into `paper/expected/<data>.json`.
    pub bless: bool,
    /// MPI ranks for each sample made on the way.
    pub np: Option<usize>,
    /// How many samples are made at once.
    pub jobs: Option<usize>,
}

/// The usage text.
pub const USAGE: &str =
    "usage: cargo xtask reproduce [FIGURE... | --all] [--data quick|paper-scaled]
                              [--check | --bless] [--np N] [--jobs J]

  FIGURE              fig1 fig2 fig3a fig3b fig3c fig3d fig3e fig3f fig4 fig5 (default: --all)
  --data quick        1 372-atom glasses at 1e13 K/s, made here when missing (default;
                      about 13 min each on 2 ranks, see paper/README.md)
  --data paper-scaled the samples of datasets/plan.json; missing ones are listed and
                      left out (make them with cargo xtask md run --next)
  --check             compare each figure's summary.json with paper/expected/<data>.json
  --bless             write the current summaries into paper/expected/<data>.json
  --np N              MPI ranks for each sample made on the way (default 1)
  --jobs J            samples made at once (default: cores / N; small samples
                      scale poorly over ranks, so two serial runs beat one on 2)

Figures go to target/figures/<data>/<id>/ (PNG, SVG, CSV, summary.json,
manifest.json) and their PNGs to docs/figures/<data>/; the results table to
docs/results.md.";

/// The whole-number value of option `flag`.
pub(super) fn whole_number(flag: &str, value: Option<&String>) -> Result<usize> {
    value
        .with_context(|| format!("{flag} needs a value"))?
        .parse()
        .with_context(|| format!("{flag}: expected a whole number"))
}

/// Parses the arguments after `reproduce`.
pub fn parse_args(args: &[String]) -> Result<Options> {
    let mut wanted: Vec<FigureId> = Vec::new();
    let mut all = false;
    let mut data = Data::Quick;
    let mut check = false;
    let mut bless = false;
    let mut np = None;
    let mut jobs = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--all" => all = true,
            "--check" => check = true,
            "--bless" => bless = true,
            "--data" => {
                data = Data::parse(it.next().context("--data needs quick or paper-scaled")?)?
            }
            "--np" => np = Some(whole_number(a, it.next())?),
            "--jobs" => jobs = Some(whole_number(a, it.next())?),
            other => {
                let fig = FigureId::ALL
                    .into_iter()
                    .find(|f| f.name() == other)
                    .with_context(|| format!("unknown argument '{other}'\n\n{USAGE}"))?;
                wanted.push(fig);
            }
        }
    }
    if check && bless {
        bail!("--check and --bless exclude each other");
    }
    let figures = FigureId::ALL
        .into_iter()
        .filter(|f| all || wanted.is_empty() || wanted.contains(f))
        .collect();
    Ok(Options {
        figures,
        data,
        check,
        bless,
        np,
        jobs,
    })
}
