//! The whole pipeline from a [`Config`]: features, D²min labels, the base
//! model's protocol for each feature set, transfer to every other data set,
//! the strain map, a results table and the paper's figures.
//!
//! Every step writes into `<out>/<dataset>/` ([`Layout`]) and calls the
//! library functions of this crate with typed parameters. A step is skipped
//! when its outputs exist and its stamp (a SHA-256 over the step, its
//! parameters, the running executable and the bytes of its inputs) still
//! matches. Each frame is read once per run, and one
//! [`FrameContext`] per frame feeds every feature set and figure, so the base
//! glass is tessellated at most once ([`RunReport`] counts both).

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_core::{Frame, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_io::Table;

use crate::config::{Config, Dataset, FigureId, Role, TRANSFER_SETS};
use crate::featurize::Source;
use crate::first_plastic::{FirstPlasticParams, Strains};
pub use crate::layout::Layout;
use crate::results::Results;
use crate::transfer::TransferScores;

/// A unit of work with its inputs, parameters and outputs.
struct Step {
    what: String,
    inputs: Vec<PathBuf>,
    params: String,
    outputs: Vec<PathBuf>,
}

impl Step {
    fn stamp_path(&self) -> PathBuf {
        let mut s = self.outputs[0].clone().into_os_string();
        s.push(".stamp");
        PathBuf::from(s)
    }

    fn key(&self) -> Result<String> {
        // The running executable is an input too: a rebuilt interstice
        // redoes every step.
        let mut text = format!("{}\n{}\n{}\n", self.what, self.params, executable_hash()?);
        for p in &self.inputs {
            let _ = writeln!(text, "{}", crate::common::sha256_file(p)?);
        }
        Ok(crate::common::sha256_bytes(text.as_bytes()))
    }

    /// Up to date: the stamp has this key and the SHA-256 of every output,
    /// and every output still has that content. A step killed half-way
    /// has no stamp (it is removed before the step writes), and an output
    /// replaced by hand or by another run no longer matches its sum.
    fn fresh(&self, key: &str) -> bool {
        let Ok(stamp) = std::fs::read_to_string(self.stamp_path()) else {
            return false;
        };
        let mut lines = stamp.lines();
        if lines.next() != Some(key) {
            return false;
        }
        let sums: Vec<&str> = lines.collect();
        // Outputs are listed in the step's order; the names are for people.
        sums.len() == self.outputs.len()
            && self.outputs.iter().zip(&sums).all(|(p, line)| {
                line.split_once("  ")
                    .is_some_and(|(sum, _)| crate::common::sha256_file(p).is_ok_and(|s| s == sum))
            })
    }

    /// Removes the stamp before the step writes anything, so that no stamp
    /// is ever newer than a partial output.
    fn invalidate(&self) -> Result<()> {
        match std::fs::remove_file(self.stamp_path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| {
                format!(
                    "cannot remove the stale stamp {}",
                    self.stamp_path().display()
                )
            }),
        }
    }

    /// Writes the stamp last: the key, then `sha256  path` of every output.
    fn seal(&self, key: &str) -> Result<()> {
        let mut text = format!("{key}\n");
        for p in &self.outputs {
            if !p.exists() {
                bail!("{}: the step did not write {}", self.what, p.display());
            }
            let stamp_dir = self.stamp_path();
            let name = stamp_dir
                .parent()
                .and_then(|d| p.strip_prefix(d).ok())
                .unwrap_or(p);
            let _ = writeln!(
                text,
                "{}  {}",
                crate::common::sha256_file(p)?,
                name.display()
            );
        }
        crate::common::write_file(&self.stamp_path(), text.as_bytes())?;
        Ok(())
    }
}

/// SHA-256 of the running executable, computed once.
fn executable_hash() -> Result<&'static str> {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = HASH.get() {
        return Ok(h);
    }
    let exe = std::env::current_exe().context("cannot locate the interstice executable")?;
    let h = crate::common::sha256_file(&exe)?;
    Ok(HASH.get_or_init(|| h))
}

/// What happened to a step.
#[derive(Clone, Debug, PartialEq)]
pub enum StepOutcome {
    /// Its outputs were up to date and it was skipped.
    UpToDate,
    /// It ran, taking this long, and the last line of its log was this.
    Ran {
        /// Wall time, s.
        seconds: f64,
        /// The last non-empty line of its log.
        last_line: String,
    },
}

/// Where a run reports its progress: the binary draws a progress bar and
/// prints; a library caller may ignore it ([`Quiet`]) or log it.
pub trait Progress {
    /// The run has `steps` steps.
    fn start(&mut self, steps: usize) {
        let _ = steps;
    }
    /// A step begins.
    fn step_started(&mut self, what: &str) {
        let _ = what;
    }
    /// A step ended (ran or was skipped).
    ///
    /// # Errors
    /// When the report cannot be written.
    fn step_done(&mut self, what: &str, outcome: &StepOutcome) -> Result<()> {
        let _ = (what, outcome);
        Ok(())
    }
    /// A line for the user.
    ///
    /// # Errors
    /// When it cannot be written.
    fn message(&mut self, line: &str) -> Result<()> {
        let _ = line;
        Ok(())
    }
}

/// A [`Progress`] that reports nothing.
pub struct Quiet;

impl Progress for Quiet {}

/// Every line a run reports, written to `W`.
pub struct Log<W: Write>(pub W);

impl<W: Write> Progress for Log<W> {
    fn step_done(&mut self, what: &str, outcome: &StepOutcome) -> Result<()> {
        writeln!(self.0, "{}", step_line(what, outcome))?;
        Ok(())
    }
    fn message(&mut self, line: &str) -> Result<()> {
        writeln!(self.0, "{line}")?;
        Ok(())
    }
}

/// The line `interstice run` prints for a finished step.
pub fn step_line(what: &str, outcome: &StepOutcome) -> String {
    match outcome {
        StepOutcome::UpToDate => format!("{what}: up to date"),
        StepOutcome::Ran { seconds, last_line } => format!("{what} ({seconds:.1} s): {last_line}"),
    }
}

/// How to run a configuration.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Draw only these figures instead of the configuration's `draw` list.
    pub only: Option<Vec<FigureId>>,
    /// Redo every step even when its outputs are up to date.
    pub force: bool,
}

/// What a run did and found.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The scores of the base models and of every transfer test.
    pub results: Results,
    /// The figures drawn, with their folders.
    pub figures: Vec<(FigureId, PathBuf)>,
    /// How often each frame file was parsed.
    pub frames_read: BTreeMap<PathBuf, usize>,
    /// How often each frame was tessellated.
    pub tessellations: BTreeMap<PathBuf, usize>,
}

/// Runs steps, skipping the fresh ones, and reports them.
struct Runner<'p> {
    progress: &'p mut dyn Progress,
    force: bool,
}

impl Runner<'_> {
    fn step(&mut self, step: &Step, work: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.progress.step_started(&step.what);
        for p in &step.inputs {
            if !p.exists() {
                bail!("{}: input {} not found", step.what, p.display());
            }
        }
        let key = step.key()?;
        let outcome = if !self.force && step.fresh(&key) {
            StepOutcome::UpToDate
        } else {
            for p in &step.outputs {
                if let Some(d) = p.parent() {
                    std::fs::create_dir_all(d)
                        .with_context(|| format!("cannot create {}", d.display()))?;
                }
            }
            step.invalidate()?;
            let start = Instant::now();
            let mut log = Vec::new();
            work(&mut log).with_context(|| step.what.clone())?;
            step.seal(&key)?;
            let log = String::from_utf8_lossy(&log);
            let last = log
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            StepOutcome::Ran {
                seconds: start.elapsed().as_secs_f64(),
                last_line: last.to_string(),
            }
        };
        self.progress.step_done(&step.what, &outcome)
    }
}

/// How often frames were parsed and tessellated in a run.
#[derive(Default)]
struct Counts {
    reads: BTreeMap<PathBuf, usize>,
    tessellations: BTreeMap<PathBuf, usize>,
}

/// A frame file, parsed on first use and kept.
struct FrameSlot<'a> {
    path: PathBuf,
    types: &'a TypeMap,
    frame: OnceCell<Frame>,
    counts: &'a RefCell<Counts>,
}

impl<'a> FrameSlot<'a> {
    fn new(path: PathBuf, types: &'a TypeMap, counts: &'a RefCell<Counts>) -> FrameSlot<'a> {
        FrameSlot {
            path,
            types,
            frame: OnceCell::new(),
            counts,
        }
    }

    /// The file's first frame, atom types checked against the map.
    fn get(&self) -> Result<&Frame> {
        if let Some(f) = self.frame.get() {
            return Ok(f);
        }
        let mut reader = crate::common::open_frames(&self.path, Some(self.types))?;
        let (_, frame) = crate::common::read_frame(&mut reader, 0, "frame")?;
        *self
            .counts
            .borrow_mut()
            .reads
            .entry(self.path.clone())
            .or_default() += 1;
        Ok(self.frame.get_or_init(|| frame))
    }
}

/// The one feature context of a frame (the paper's settings), made on first use.
fn context<'s>(
    slot: &'s FrameSlot<'s>,
    cell: &'s OnceCell<FrameContext<'s>>,
) -> Result<&'s FrameContext<'s>> {
    if let Some(c) = cell.get() {
        return Ok(c);
    }
    let c = FrameContext::new(slot.get()?, slot.types, ContextParams::paper())?;
    Ok(cell.get_or_init(|| c))
}

/// Counts the tessellation of a context, if it made one.
fn count_tessellation(slot: &FrameSlot<'_>, cell: &OnceCell<FrameContext<'_>>) {
    if cell
        .get()
        .is_some_and(|c| c.voronoi_if_computed().is_some())
    {
        *slot
            .counts
            .borrow_mut()
            .tessellations
            .entry(slot.path.clone())
            .or_default() += 1;
    }
}

/// Checks that every data set has its reference and label frames, before any work.
///
/// # Errors
/// The first missing frame, named.
pub fn check_inputs(config: &Config) -> Result<()> {
    for d in &config.datasets {
        if let Some(how) = config.labels.combine
            && d.directions(config.labels.frame).is_empty()
        {
            bail!(
                "dataset '{}': labels.combine = \"{}\" needs the other loading directions, {}/<direction>/frame_{:03}.dump.gz; found none",
                d.name,
                how.name(),
                d.dir.join("directions").display(),
                config.labels.frame
            );
        }
        for k in [0, config.labels.frame] {
            let p = d.frame(k);
            if !p.exists() {
                bail!(
                    "dataset '{}': {} not found (expected frame_000.dump.gz and frame_{:03}.dump.gz in {})",
                    d.name,
                    p.display(),
                    config.labels.frame,
                    d.dir.display()
                );
            }
        }
    }
    Ok(())
}

/// Runs the pipeline of `config`.
///
/// # Errors
/// A missing input, a failing step (named), or a figure that cannot be made.
pub fn run(
    config: &Config,
    options: &RunOptions,
    progress: &mut dyn Progress,
) -> Result<RunReport> {
    let draw: Vec<FigureId> = options.only.clone().unwrap_or_else(|| config.draw.clone());
    let start = Instant::now();
    check_inputs(config)?;
    let base = config.base();
    let others: Vec<&Dataset> = config
        .datasets
        .iter()
        .filter(|d| d.role != Role::Base)
        .collect();
    let transfer_sets: Vec<Preset> = TRANSFER_SETS
        .into_iter()
        .filter(|s| config.feature_sets.contains(s))
        .collect();
    let strain_map = draw.contains(&FigureId::Fig3e);
    let fig5 = draw.contains(&FigureId::Fig5);
    // The learning curve's glasses: the base and its new configurations.
    let curve_glasses = crate::figures::fig5::curve_glasses(config);
    let curve = fig5 && curve_glasses.len() >= 2;
    // The feature sets of a glass other than the base: those of the
    // transfer scenarios, and every set where the learning curve needs it.
    let sets_of = |d: &Dataset| -> Vec<Preset> {
        if curve && curve_glasses.iter().any(|g| g.name == d.name) {
            config.feature_sets.clone()
        } else {
            transfer_sets.clone()
        }
    };
    let total = config.datasets.len() // labels
        + config.feature_sets.len() * 2 // base features and models
        + others.len() * transfer_sets.len() * 2 // their models and transfers
        + others.iter().map(|d| sets_of(d).len()).sum::<usize>() // their features
        + usize::from(strain_map)
        + if fig5 {
            config.feature_sets.len() * (1 + usize::from(curve))
        } else {
            0
        };
    progress.start(total);
    let names: Vec<&str> = config.feature_sets.iter().map(|s| s.name()).collect();
    progress.message(&format!(
        "interstice run: {} data sets, base {} ({}), feature sets {}",
        config.datasets.len(),
        base.name,
        base.legend(),
        names.join(", ")
    ))?;
    let counts = RefCell::new(Counts::default());
    let base_slot = FrameSlot::new(base.frame(0), &base.types, &counts);
    let base_ctx = OnceCell::new();
    let mut runner = Runner {
        progress,
        force: options.force,
    };
    for d in &config.datasets {
        if d.role == Role::Base {
            for &set in &config.feature_sets {
                features_step(&mut runner, config, d, set, &base_slot, &base_ctx)?;
            }
            labels_step(&mut runner, config, d, &base_slot)?;
            for &set in &config.feature_sets {
                train_step(&mut runner, config, d, set, &base_slot)?;
                if fig5 {
                    guard_curve_step(&mut runner, config, d, set, &base_slot)?;
                }
            }
        } else {
            let slot = FrameSlot::new(d.frame(0), &d.types, &counts);
            let ctx = OnceCell::new();
            for set in sets_of(d) {
                features_step(&mut runner, config, d, set, &slot, &ctx)?;
            }
            labels_step(&mut runner, config, d, &slot)?;
            // The same-condition scores of Fig. 4: the target's own
            // protocols, the paper's and the honest one.
            for &set in &transfer_sets {
                train_step(&mut runner, config, d, set, &slot)?;
            }
            count_tessellation(&slot, &ctx);
        }
    }
    for d in &others {
        for &set in &transfer_sets {
            transfer_step(&mut runner, config, base, d, set)?;
        }
    }
    if curve {
        for &set in &config.feature_sets {
            learning_curve_step(&mut runner, config, &curve_glasses, set)?;
        }
    }
    if strain_map {
        first_plastic_step(&mut runner, config, base, &base_slot)?;
    }
    let progress = runner.progress;
    let results = crate::results::collect(config)?;
    let md = crate::results::markdown(config, &results);
    let path = config.out.join("results.md");
    crate::common::write_file(&path, md.as_bytes())?;
    progress.message(&crate::results::summary(&results))?;
    progress.message(&format!("wrote {}", path.display()))?;
    let mut figures = Vec::new();
    for &id in &draw {
        let t = Instant::now();
        let inputs = crate::figures::Inputs {
            config,
            results: &results,
            base: context(&base_slot, &base_ctx)?,
        };
        let data = crate::figures::compute(id, &inputs).with_context(|| format!("figure {id}"))?;
        let dir = crate::figure_files::write(&data, config.figures_dir())
            .with_context(|| format!("figure {id}"))?;
        progress.message(&format!(
            "{id} ({:.1} s): {}",
            t.elapsed().as_secs_f64(),
            dir.display()
        ))?;
        figures.push((id, dir));
    }
    progress.message(&format!("done in {:.1} s", start.elapsed().as_secs_f64()))?;
    count_tessellation(&base_slot, &base_ctx);
    let counts = counts.into_inner();
    Ok(RunReport {
        results,
        figures,
        frames_read: counts.reads,
        tessellations: counts.tessellations,
    })
}

fn features_step<'s>(
    r: &mut Runner<'_>,
    c: &Config,
    d: &Dataset,
    set: Preset,
    slot: &'s FrameSlot<'s>,
    ctx: &'s OnceCell<FrameContext<'s>>,
) -> Result<()> {
    let l = Layout::new(c, d);
    let step = Step {
        what: format!("features {} of {}", set.name(), d.name),
        inputs: vec![d.frame(0)],
        params: format!(
            "types={} preset={} plain face_threshold=0.05",
            d.types,
            set.name()
        ),
        outputs: vec![l.features(set)],
    };
    r.step(&step, |log| {
        let start = Instant::now();
        let ctx = context(slot, ctx)?;
        let source = Source {
            name: d.frame(0).display().to_string(),
            frame: 0,
        };
        let table = crate::featurize::features(ctx, set, &source)?;
        let elapsed = start.elapsed().as_secs_f64();
        crate::featurize::write(&table, ctx, set, &source, &l.features(set))?;
        writeln!(
            log,
            "{} atoms × {} features ({}) in {elapsed:.2} s; wrote {}",
            table.ids.len(),
            table.columns.len(),
            set.name(),
            l.features(set).display()
        )?;
        Ok(())
    })
}

fn labels_step(
    r: &mut Runner<'_>,
    c: &Config,
    d: &Dataset,
    reference: &FrameSlot<'_>,
) -> Result<()> {
    let l = Layout::new(c, d);
    let directions = match c.labels.combine {
        Some(_) => d.directions(c.labels.frame),
        None => Vec::new(),
    };
    let mut inputs = vec![d.frame(0), d.frame(c.labels.frame)];
    inputs.extend(directions.iter().cloned());
    let step = Step {
        what: format!("labels of {}", d.name),
        inputs,
        params: format!(
            "types={} cutoff={} percent={} combine={}",
            d.types,
            c.labels.cutoff,
            c.labels.percent,
            c.labels.combine.map_or("none", |h| h.name())
        ),
        outputs: vec![l.labels()],
    };
    r.step(&step, |log| {
        let rule = c.labels.rule();
        let deformed = FrameSlot::new(d.frame(c.labels.frame), &d.types, reference.counts);
        let labels = crate::label::label(reference.get()?, deformed.get()?, &rule, false)?;
        let Some(how) = c.labels.combine else {
            labels.write_csv(&l.labels())?;
            writeln!(log, "{}; wrote {}", labels.summary(), l.labels().display())?;
            if let Some(note) = labels.invalid_note() {
                writeln!(log, "{note}")?;
            }
            return Ok(());
        };
        // The primary direction first (its D²min is column d2min_1, which
        // the strain map's threshold reads), then the others by name.
        let mut runs = vec![labels];
        for path in &directions {
            let frame = FrameSlot::new(path.clone(), &d.types, reference.counts);
            runs.push(crate::label::label(
                reference.get()?,
                frame.get()?,
                &rule,
                false,
            )?);
        }
        let combined = crate::label::combine(runs, &rule, how)?;
        combined.write_csv(&l.labels())?;
        writeln!(
            log,
            "{}; wrote {}",
            combined.summary(),
            l.labels().display()
        )?;
        Ok(())
    })
}

/// A data set's feature table (with its preset), labels, and the atoms'
/// positions for block folds (from its parsed reference frame).
fn training_inputs(
    l: &Layout,
    set: Preset,
    d: &Dataset,
    frame: &FrameSlot<'_>,
) -> Result<(
    Table,
    Option<String>,
    Vec<bool>,
    interstice_learn::folds::Geometry,
)> {
    let (features, preset) = crate::train::read_features(&l.features(set))?;
    let y = crate::model::read_labels(&features.ids, &l.labels(), "plastic")?;
    let geometry = crate::honest::geometry_of(&features.ids, frame.get()?, &d.frame(0))?;
    Ok((features, preset, y, geometry))
}

fn train_step(
    r: &mut Runner<'_>,
    c: &Config,
    d: &Dataset,
    set: Preset,
    frame: &FrameSlot<'_>,
) -> Result<()> {
    let l = Layout::new(c, d);
    let step = Step {
        what: format!("3 × 5 protocol, {} on {}", set.name(), d.name),
        inputs: vec![l.features(set), l.labels(), d.frame(0)],
        params: format!(
            "seed={} trees={} guard={}",
            c.seed, c.trees, c.evaluation.guard
        ),
        outputs: vec![
            l.trained(set, "model.json"),
            l.trained(set, "metrics.json"),
            l.trained(set, "qs.csv"),
            l.trained(set, "curves-roc.csv"),
            l.trained(set, "metrics-blocks.json"),
            l.trained(set, "curves-blocks-roc.csv"),
        ],
    };
    r.step(&step, |log| {
        let (features, preset, y, geometry) = training_inputs(&l, set, d, frame)?;
        let params =
            crate::train::protocol(c.seed, c.trees, interstice_learn::protocol::ModelKind::Gbdt);
        let folds = interstice_learn::folds::Folds::Slabs {
            geometry,
            guard: c.evaluation.guard,
        };
        let honest = crate::train::train_with(
            features.clone(),
            preset.clone(),
            y.clone(),
            "plastic",
            params,
            &folds,
            &l.labels(),
        )?;
        let t = crate::train::train(features, preset, y, "plastic", params, &l.labels())?;
        write!(log, "{}", t.report())?;
        writeln!(
            log,
            "honest protocol ({}): {}",
            crate::train::Cv::Blocks {
                guard: c.evaluation.guard,
                cells: None,
            }
            .describe(),
            honest.summary_line()
        )?;
        let file = t.model_file(&l.features(set), &l.labels())?;
        crate::model::save(&file, &l.trained(set, "model.json"))?;
        t.write_metrics(&l.trained(set, "metrics.json"))?;
        t.write_curves(&l.trained(set, "curves"))?;
        t.write_softness(&l.trained(set, "qs.csv"), false)?;
        honest.write_metrics(&l.trained(set, "metrics-blocks.json"))?;
        honest.write_curves(&l.trained(set, "curves-blocks"))?;
        writeln!(
            log,
            "wrote quench-in softness to {}",
            l.trained(set, "qs.csv").display()
        )?;
        Ok(())
    })
}

fn guard_curve_step(
    r: &mut Runner<'_>,
    c: &Config,
    d: &Dataset,
    set: Preset,
    frame: &FrameSlot<'_>,
) -> Result<()> {
    let l = Layout::new(c, d);
    let guards = &c.evaluation.guard_curve;
    let step = Step {
        what: format!("guard curve, {} on {}", set.name(), d.name),
        inputs: vec![l.features(set), l.labels(), d.frame(0)],
        params: format!("seed={} trees={} guards={guards:?}", c.seed, c.trees),
        outputs: vec![l.trained(set, "guard-curve.csv")],
    };
    r.step(&step, |log| {
        let (features, _, y, geometry) = training_inputs(&l, set, d, frame)?;
        let params =
            crate::train::protocol(c.seed, c.trees, interstice_learn::protocol::ModelKind::Gbdt);
        let curve = crate::honest::guard_curve(&features, &y, &geometry, &params, guards, None)?;
        crate::honest::write_guard_curve(&curve, &l.trained(set, "guard-curve.csv"))?;
        let text: Vec<String> = curve.iter().map(|(g, a)| format!("{g} Å {a:.3}")).collect();
        writeln!(log, "slab ROC-AUC by guard: {}", text.join(", "))?;
        Ok(())
    })
}

fn learning_curve_step(
    r: &mut Runner<'_>,
    c: &Config,
    glasses: &[&Dataset],
    set: Preset,
) -> Result<()> {
    let lb = Layout::new(c, c.base());
    let mut inputs = Vec::new();
    for d in glasses {
        let l = Layout::new(c, d);
        inputs.extend([l.features(set), l.labels()]);
    }
    let out = lb.trained(set, "learning-curve.csv");
    let names: Vec<&str> = glasses.iter().map(|d| d.name.as_str()).collect();
    let step = Step {
        what: format!(
            "learning curve, {} over {} glasses",
            set.name(),
            glasses.len()
        ),
        inputs,
        params: format!(
            "seed={} trees={} glasses={}",
            c.seed,
            c.trees,
            names.join(",")
        ),
        outputs: vec![out.clone()],
    };
    r.step(&step, |log| {
        let mut curve = Vec::new();
        for d in glasses {
            let l = Layout::new(c, d);
            let (features, _) = crate::train::read_features(&l.features(set))?;
            let labels = crate::model::read_labels(&features.ids, &l.labels(), "plastic")?;
            curve.push(crate::honest::CurveGlass {
                name: d.name.clone(),
                features,
                labels,
            });
        }
        let params =
            crate::train::protocol(c.seed, c.trees, interstice_learn::protocol::ModelKind::Gbdt);
        let points = crate::honest::learning_curve(&curve, &params)?;
        crate::honest::write_learning_curve(&points, &out)?;
        for k in 1..glasses.len() {
            let v: Vec<f64> = points
                .iter()
                .filter(|p| p.training_glasses == k)
                .map(|p| p.roc_auc)
                .collect();
            writeln!(
                log,
                "{k} training glass(es): ROC-AUC on unseen glasses {:.3}",
                interstice_learn::stats::mean(&v)
            )?;
        }
        Ok(())
    })
}

fn transfer_step(
    r: &mut Runner<'_>,
    c: &Config,
    base: &Dataset,
    d: &Dataset,
    set: Preset,
) -> Result<()> {
    let lb = Layout::new(c, base);
    let l = Layout::new(c, d);
    let model_path = lb.trained(set, "model.json");
    let step = Step {
        what: format!("transfer {}: {} → {}", set.name(), base.name, d.name),
        inputs: vec![model_path.clone(), l.features(set), l.labels()],
        params: format!("seed={}", c.seed),
        outputs: vec![l.transfer_scores(set), l.transfer_qs(set)],
    };
    r.step(&step, |log| {
        let model = crate::model::load(&model_path)?;
        let table = Table::read(l.features(set))?;
        let qs = crate::model::softness(&model, &table, &l.features(set))?;
        let y = crate::model::read_labels(&table.ids, &l.labels(), "plastic")?;
        let s = TransferScores::of(&y, &qs, c.seed)?;
        Table {
            columns: vec!["qs".into(), "plastic".into()],
            ids: table.ids.clone(),
            values: qs
                .iter()
                .zip(&y)
                .flat_map(|(q, &p)| [*q, f64::from(u8::from(p))])
                .collect(),
        }
        .write_csv(l.transfer_qs(set))?;
        s.write(&l.transfer_scores(set))?;
        writeln!(log, "{}", s.line())?;
        Ok(())
    })
}

fn first_plastic_step(
    r: &mut Runner<'_>,
    c: &Config,
    d: &Dataset,
    reference: &FrameSlot<'_>,
) -> Result<()> {
    let l = Layout::new(c, d);
    let (indices, frames): (Vec<usize>, Vec<PathBuf>) = d.trajectory().into_iter().unzip();
    if frames.len() < 2 {
        bail!(
            "fig3e needs the base data set's sheared frames frame_001 … in {}; found {}",
            d.dir.display(),
            frames.len()
        );
    }
    let mut inputs = vec![d.frame(0), l.labels()];
    inputs.extend(frames.iter().cloned());
    let step = Step {
        what: format!("strain map of {} ({} frames)", d.name, frames.len()),
        inputs,
        params: format!("cutoff={}", c.labels.cutoff),
        outputs: vec![l.first_plastic()],
    };
    r.step(&step, |log| {
        // Activated: cumulative D²min reaches the label threshold (the
        // top `percent` % at the label strain), the same yardstick at every step.
        let threshold = crate::transfer::label_threshold(&l.labels())?;
        let params = FirstPlasticParams {
            rule: crate::common::LabelRule {
                threshold: Some(threshold),
                ..c.labels.rule()
            },
            incremental: false,
            // Each frame's strain from its number: frame_k is k steps.
            strains: Strains::List(
                indices
                    .iter()
                    .map(|&k| k as f64 * c.labels.strain_step)
                    .collect(),
            ),
        };
        let mut steps = Vec::new();
        let map = crate::first_plastic::first_plastic(
            reference.get()?.clone(),
            &d.frame(0).display().to_string(),
            &frames,
            &params,
            &mut steps,
        )?;
        map.write_csv(&l.first_plastic())?;
        writeln!(log, "threshold D²min {threshold:.4} Å²")?;
        Ok(())
    })
}
