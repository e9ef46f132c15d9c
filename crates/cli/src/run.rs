//! `interstice run config.toml`: the whole pipeline from a configuration
//! file — features, D²min labels, the base model's protocol for each feature
//! set, transfer to every other data set, the strain map, a results table
//! and the paper's figures.
//!
//! Every step composes the same commands users run (`featurize`, `label`,
//! `train`, `first-plastic`) and writes into `<out>/<dataset>/`. A step is
//! skipped when its outputs exist and its stamp (a SHA-256 over the step,
//! its parameters and the bytes of its inputs) still matches.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use interstice_core::rng::SplitMix64;
use interstice_io::{OutputFile, Table};
use interstice_learn::metrics::{average_precision, precision_at_top_percent, roc_auc};
use interstice_learn::protocol::mean_std;

use crate::config::{Config, Dataset, FIGURES, Role};
use crate::{featurize, first_plastic, label, train};

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

/// Feature sets scored on every data set (transfer); `classical` is for
/// the base comparison of Fig. 2 only.
const TRANSFER_SETS: [&str; 2] = ["paper80", "sf166"];
/// Balanced undersamplings of a target data set when scoring transfer.
const TRANSFER_UNDERSAMPLINGS: usize = 3;

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
        let mut f = OutputFile::create(&self.stamp_path())?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", self.stamp_path().display()))?;
        f.commit()?;
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

/// Runs steps with a progress bar, skipping the fresh ones.
struct Runner<'w, W: Write> {
    bar: ProgressBar,
    out: &'w mut W,
    force: bool,
}

impl<W: Write> Runner<'_, W> {
    fn step(&mut self, step: &Step, work: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.bar.set_message(step.what.clone());
        for p in &step.inputs {
            if !p.exists() {
                bail!("{}: input {} not found", step.what, p.display());
            }
        }
        let key = step.key()?;
        if !self.force && step.fresh(&key) {
            self.bar
                .suspend(|| writeln!(self.out, "{}: up to date", step.what))?;
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
            self.bar.suspend(|| {
                writeln!(
                    self.out,
                    "{} ({:.1} s): {last}",
                    step.what,
                    start.elapsed().as_secs_f64()
                )
            })?;
        }
        self.bar.inc(1);
        Ok(())
    }
}

/// The files of a data set under `out`.
pub struct Layout {
    dir: PathBuf,
}

impl Layout {
    /// The folder of data set `d`.
    pub fn new(config: &Config, d: &Dataset) -> Layout {
        Layout {
            dir: config.out.join(&d.name),
        }
    }
    /// Features of one set.
    pub fn features(&self, set: &str) -> PathBuf {
        self.dir.join(format!("features-{set}.parquet"))
    }
    /// D²min and labels.
    pub fn labels(&self) -> PathBuf {
        self.dir.join("labels.csv")
    }
    /// The protocol's outputs for one set (base only).
    pub fn trained(&self, set: &str, file: &str) -> PathBuf {
        self.dir.join(set).join(file)
    }
    /// Softness from the base model (other data sets).
    pub fn transfer_qs(&self, set: &str) -> PathBuf {
        self.dir.join(format!("qs-from-base-{set}.csv"))
    }
    /// Transfer scores (other data sets).
    pub fn transfer_scores(&self, set: &str) -> PathBuf {
        self.dir.join(format!("transfer-{set}.json"))
    }
    /// The strain step at which each atom first becomes plastic (base).
    pub fn first_plastic(&self) -> PathBuf {
        self.dir.join("first-plastic.csv")
    }
}

/// Runs the pipeline.
pub fn run(args: &RunArgs, out: &mut impl Write) -> Result<()> {
    let mut config = Config::read(&args.config)?;
    if let Some(dir) = &args.out {
        config.out = dir.clone();
        config.figures = Some(dir.join("figures"));
    }
    let draw: Vec<String> = if args.only.is_empty() {
        config.draw.clone()
    } else {
        for f in &args.only {
            if !FIGURES.contains(&f.as_str()) {
                bail!(
                    "--only: unknown figure '{f}', expected one of {}",
                    FIGURES.join(", ")
                );
            }
        }
        args.only.clone()
    };
    let start = Instant::now();
    for d in &config.datasets {
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
    let base = config.base();
    let others: Vec<&Dataset> = config
        .datasets
        .iter()
        .filter(|d| d.role != Role::Base)
        .collect();
    let transfer_sets: Vec<&str> = TRANSFER_SETS
        .into_iter()
        .filter(|s| config.feature_sets.iter().any(|f| f == s))
        .collect();
    let strain_map = draw.iter().any(|f| f == "fig3e");
    let total = config.datasets.len() // labels
        + config.feature_sets.len() * 2 // base features and models
        + others.len() * transfer_sets.len() * 3
        + usize::from(strain_map);
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(total as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    writeln!(
        out,
        "interstice run: {} data sets, base {} ({}), feature sets {}",
        config.datasets.len(),
        base.name,
        base.legend(),
        config.feature_sets.join(", ")
    )?;
    let mut runner = Runner {
        bar,
        out,
        force: args.force,
    };
    for d in &config.datasets {
        let sets: Vec<&str> = if d.role == Role::Base {
            config.feature_sets.iter().map(String::as_str).collect()
        } else {
            transfer_sets.clone()
        };
        for set in sets {
            features_step(&mut runner, &config, d, set)?;
        }
        labels_step(&mut runner, &config, d)?;
    }
    for set in &config.feature_sets {
        train_step(&mut runner, &config, base, set)?;
    }
    for d in &others {
        for set in &transfer_sets {
            transfer_step(&mut runner, &config, base, d, set)?;
            // The same-condition score of Fig. 4: the target's own protocol.
            train_step(&mut runner, &config, d, set)?;
        }
    }
    if strain_map {
        first_plastic_step(&mut runner, &config, base)?;
    }
    runner.bar.finish_and_clear();
    let out = runner.out;
    let results = crate::results::collect(&config)?;
    let md = crate::results::markdown(&config, &results);
    let path = config.out.join("results.md");
    let mut f = OutputFile::create(&path)?;
    f.write_all(md.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.commit()?;
    writeln!(out, "{}", crate::results::summary(&results))?;
    writeln!(out, "wrote {}", path.display())?;
    for id in &draw {
        let t = Instant::now();
        let dir = crate::figures::draw(id, &config, &results)?;
        writeln!(
            out,
            "{id} ({:.1} s): {}",
            t.elapsed().as_secs_f64(),
            dir.display()
        )?;
    }
    writeln!(out, "done in {:.1} s", start.elapsed().as_secs_f64())?;
    Ok(())
}

fn features_step<W: Write>(
    r: &mut Runner<'_, W>,
    c: &Config,
    d: &Dataset,
    set: &str,
) -> Result<()> {
    let l = Layout::new(c, d);
    let step = Step {
        what: format!("features {set} of {}", d.name),
        inputs: vec![d.frame(0)],
        params: format!("types={} preset={set} plain face_threshold=0.05", d.types),
        outputs: vec![l.features(set)],
    };
    r.step(&step, |log| {
        featurize::run(
            &featurize::FeaturizeArgs {
                dump: d.frame(0),
                frame: 0,
                types: d.types.clone(),
                radii: None,
                preset: set.into(),
                radical: false,
                face_threshold: 0.05,
                out: l.features(set),
            },
            log,
        )
    })
}

fn labels_step<W: Write>(r: &mut Runner<'_, W>, c: &Config, d: &Dataset) -> Result<()> {
    let l = Layout::new(c, d);
    let step = Step {
        what: format!("labels of {}", d.name),
        inputs: vec![d.frame(0), d.frame(c.labels.frame)],
        params: format!(
            "types={} cutoff={} percent={}",
            d.types, c.labels.cutoff, c.labels.percent
        ),
        outputs: vec![l.labels()],
    };
    r.step(&step, |log| {
        label::run(
            &label::LabelArgs {
                reference: d.frame(0),
                deformed: d.frame(c.labels.frame),
                cutoff: c.labels.cutoff,
                reference_frame: 0,
                frame: 0,
                percent: c.labels.percent,
                threshold: None,
                per_neighbor: false,
                noise_floor: c.labels.noise_floor,
                types: Some(d.types.clone()),
                out: l.labels(),
            },
            log,
        )
    })
}

fn train_step<W: Write>(r: &mut Runner<'_, W>, c: &Config, d: &Dataset, set: &str) -> Result<()> {
    let l = Layout::new(c, d);
    let step = Step {
        what: format!("3 × 5 protocol, {set} on {}", d.name),
        inputs: vec![l.features(set), l.labels()],
        params: format!("seed={} trees={}", c.seed, c.trees),
        outputs: vec![
            l.trained(set, "model.json"),
            l.trained(set, "metrics.json"),
            l.trained(set, "qs.csv"),
            l.trained(set, "curves-roc.csv"),
        ],
    };
    r.step(&step, |log| {
        train::run(
            &train::TrainArgs {
                features: l.features(set),
                labels: l.labels(),
                label_column: "plastic".into(),
                seed: c.seed,
                trees: c.trees,
                classifier: "gbdt".into(),
                out: Some(l.trained(set, "qs.csv")),
                qs: "mean".into(),
                metrics: Some(l.trained(set, "metrics.json")),
                curves: Some(l.trained(set, "curves")),
                model: Some(l.trained(set, "model.json")),
            },
            log,
        )
    })
}

/// Scores of a base model on another data set.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TransferScores {
    /// ROC-AUC on every atom (natural class ratio).
    pub roc_auc: f64,
    /// ROC-AUC on balanced undersamplings: mean and standard deviation.
    pub balanced_roc_auc: (f64, f64),
    /// Average precision (PR-AUC), natural ratio.
    pub average_precision: f64,
    /// Precision among the top 5 % softest atoms, natural ratio.
    pub precision_top: f64,
    /// The share of plastic atoms (chance level of the two above).
    pub base_rate: f64,
}

/// Scores `qs` against `y` as [`TransferScores`].
///
/// # Errors
/// One class only, or mismatched lengths.
pub fn transfer_scores(y: &[bool], qs: &[f64], seed: u64) -> Result<TransferScores> {
    let pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
    let neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
    let mut balanced = Vec::new();
    for k in 0..TRANSFER_UNDERSAMPLINGS {
        let mut rng = SplitMix64::new(seed.wrapping_mul(1_000_003).wrapping_add(k as u64));
        let mut maj = neg.clone();
        rng.shuffle(&mut maj);
        maj.truncate(pos.len());
        let idx: Vec<usize> = pos.iter().chain(&maj).copied().collect();
        let yy: Vec<bool> = idx.iter().map(|&i| y[i]).collect();
        let ss: Vec<f64> = idx.iter().map(|&i| qs[i]).collect();
        balanced.push(roc_auc(&yy, &ss)?);
    }
    Ok(TransferScores {
        roc_auc: roc_auc(y, qs)?,
        balanced_roc_auc: mean_std(&balanced),
        average_precision: average_precision(y, qs)?,
        precision_top: precision_at_top_percent(y, qs, 5.0)?,
        base_rate: pos.len() as f64 / y.len().max(1) as f64,
    })
}

fn transfer_step<W: Write>(
    r: &mut Runner<'_, W>,
    c: &Config,
    base: &Dataset,
    d: &Dataset,
    set: &str,
) -> Result<()> {
    let lb = Layout::new(c, base);
    let l = Layout::new(c, d);
    let model_path = lb.trained(set, "model.json");
    let step = Step {
        what: format!("transfer {set}: {} → {}", base.name, d.name),
        inputs: vec![model_path.clone(), l.features(set), l.labels()],
        params: format!("seed={}", c.seed),
        outputs: vec![l.transfer_scores(set), l.transfer_qs(set)],
    };
    r.step(&step, |log| {
        let model = crate::evaluate::load_model(&model_path)?;
        let table = Table::read(l.features(set))?;
        let qs = crate::evaluate::softness(&model, &table, &l.features(set))?;
        let y = train::read_labels(&table.ids, &l.labels(), "plastic")?;
        let s = transfer_scores(&y, &qs, c.seed)?;
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
        let path = l.transfer_scores(set);
        let mut f = OutputFile::create(&path)?;
        serde_json::to_writer_pretty(&mut f, &s)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.commit()?;
        writeln!(
            log,
            "ROC-AUC {:.3} (balanced {:.3} ± {:.3}), PR-AUC {:.3} (chance {:.3}), precision in the top 5 % {:.3}",
            s.roc_auc,
            s.balanced_roc_auc.0,
            s.balanced_roc_auc.1,
            s.average_precision,
            s.base_rate,
            s.precision_top
        )?;
        Ok(())
    })
}

/// The D²min value at and above which an atom is labelled plastic.
pub fn label_threshold(labels: &Path) -> Result<f64> {
    let t = Table::read_csv(labels)?;
    let d = t
        .column_index("d2min")
        .with_context(|| format!("{}: no d2min column", labels.display()))?;
    let p = t
        .column_index("plastic")
        .with_context(|| format!("{}: no plastic column", labels.display()))?;
    let (d, p) = (t.column(d), t.column(p));
    d.iter()
        .zip(&p)
        .filter(|(_, p)| **p == 1.0)
        .map(|(d, _)| *d)
        .min_by(f64::total_cmp)
        .with_context(|| format!("{}: no plastic atom", labels.display()))
}

fn first_plastic_step<W: Write>(r: &mut Runner<'_, W>, c: &Config, d: &Dataset) -> Result<()> {
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
        let threshold = label_threshold(&l.labels())?;
        let mut steps = Vec::new();
        first_plastic::run(
            &first_plastic::FirstPlasticArgs {
                reference: d.frame(0),
                frames: frames.clone(),
                cutoff: c.labels.cutoff,
                percent: c.labels.percent,
                threshold: Some(threshold),
                noise_floor: c.labels.noise_floor,
                incremental: false,
                // Each frame's strain from its number: frame_k is k steps.
                strain_step: None,
                strains: Some(
                    indices
                        .iter()
                        .map(|&k| k as f64 * c.labels.strain_step)
                        .collect(),
                ),
                strain_per_timestep: None,
                out: l.first_plastic(),
            },
            &mut steps,
        )?;
        writeln!(log, "threshold D²min {threshold:.4} Å²")?;
        Ok(())
    })
}
