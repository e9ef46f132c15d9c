//! `interstice run config.toml`: the whole pipeline of
//! [`interstice_pipeline::run`] with a progress bar.

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use interstice_pipeline::engine::step_line;
use interstice_pipeline::{Config, FigureId, Progress, RunOptions, StepOutcome};

/// Arguments of `interstice run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The pipeline's TOML configuration (see docs/pipeline.md).
    pub config: PathBuf,
    /// Draw only these figures (comma-separated, for example `fig2,fig3a`),
    /// instead of the configuration's `draw` list.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Redo every step even when its outputs are up to date.
    #[arg(long)]
    pub force: bool,
    /// Write into this folder instead of the configuration's `out`
    /// (figures go to `<DIR>/figures`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// A progress bar on a terminal's stderr, and the step lines on `out`.
struct Bar<'w, W: Write> {
    bar: ProgressBar,
    out: &'w mut W,
}

impl<W: Write> Progress for Bar<'_, W> {
    fn start(&mut self, steps: usize) {
        self.bar.set_length(steps as u64);
    }
    fn step_started(&mut self, what: &str) {
        self.bar.set_message(what.to_string());
    }
    fn step_done(&mut self, what: &str, outcome: &StepOutcome) -> Result<()> {
        let line = step_line(what, outcome);
        self.bar.suspend(|| writeln!(self.out, "{line}"))?;
        self.bar.inc(1);
        if Some(self.bar.position()) >= self.bar.length() {
            self.bar.finish_and_clear();
        }
        Ok(())
    }
    fn message(&mut self, line: &str) -> Result<()> {
        self.bar.suspend(|| writeln!(self.out, "{line}"))?;
        Ok(())
    }
}

/// Runs the pipeline.
pub fn run(args: &RunArgs, out: &mut impl Write) -> Result<()> {
    let mut config = Config::read(&args.config)?;
    if let Some(dir) = &args.out {
        config.out = dir.clone();
        config.figures = Some(dir.join("figures"));
    }
    let only = if args.only.is_empty() {
        None
    } else {
        Some(
            args.only
                .iter()
                .map(|f| FigureId::parse(f))
                .collect::<Result<Vec<_>>>()
                .context("--only")?,
        )
    };
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    let options = RunOptions {
        only,
        force: args.force,
    };
    interstice_pipeline::run(&config, &options, &mut Bar { bar, out })?;
    Ok(())
}
