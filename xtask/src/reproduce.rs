//! `cargo xtask reproduce`: the paper's figures, drawn by the same
//! `interstice` binary users run, from the data sets listed in `paper/`.
//!
//! 1. read the data-set list (`paper/quick.json` or `paper/paper-scaled.json`)
//!    and keep the samples the requested figures need;
//! 2. find each sample in the MD data folder or in `datasets/`; a missing
//!    quick sample is made with `cargo xtask md run`, a missing paper-scaled
//!    one is listed with its cost and left out (the base sample is required);
//! 3. write `target/reproduce/<data>/config.toml` for `interstice run`;
//! 4. build the binary in release mode and run it;
//! 5. write `target/figures/<data>/<id>/manifest.json` next to each figure
//!    (git revision, SHA-256 of every frame used, seeds, toolchain, date) and
//!    copy each PNG to `docs/figures/<data>/` for the README;
//! 6. copy the run's results table into docs/results.md between markers;
//! 7. `--check` compares each figure's `summary.json` with
//!    `paper/expected/<data>.json` within the stated tolerances, `--bless`
//!    writes that file from the current summaries.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use interstice_features::Preset;
use interstice_pipeline::{Config, Dataset, FigureId, LabelConfig, Role};

use crate::md::{self, Condition, Paths, sha256, write_atomic};

/// The label frame: 5 % shear strain (40 AQS steps of 0.125 %), as `md` makes it.
const LABEL_FRAME: usize = md::OTHER_STEPS;
/// The last AQS frame (10 % strain); the base sample needs all of them.
const LAST_FRAME: usize = md::SHEAR_STEPS;

/// Which data-set list to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// `paper/quick.json`: 1 372-atom glasses at 10¹³ K/s, made on demand.
    Quick,
    /// `paper/paper-scaled.json`: the samples of `datasets/plan.json`.
    PaperScaled,
}

impl Data {
    fn parse(s: &str) -> Result<Data> {
        match s {
            "quick" => Ok(Data::Quick),
            "paper-scaled" => Ok(Data::PaperScaled),
            other => bail!("unknown data set '{other}': expected quick or paper-scaled"),
        }
    }

    /// The name used in file names and markers.
    pub fn name(self) -> &'static str {
        match self {
            Data::Quick => "quick",
            Data::PaperScaled => "paper-scaled",
        }
    }
}

/// The roles whose samples a figure needs (shared/SPEC.md §8).
fn roles_needed(figure: FigureId) -> &'static [Role] {
    match figure {
        // QS distributions of other compositions and rates under the base model.
        FigureId::Fig3f => &[Role::Base, Role::OtherRate, Role::OtherComposition],
        // Every transfer scenario.
        FigureId::Fig4 => &Role::ALL,
        _ => &[Role::Base],
    }
}

/// One sample of a data-set list.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The composition.
    pub condition: &'static Condition,
    /// fcc cells per box edge: 4 cells³ atoms.
    pub cells: usize,
    /// Quench rate, K/s.
    pub rate: f64,
    /// The MD seed.
    pub seed: u64,
    /// What the sample is for.
    pub role: Role,
    /// Quenched with the window schedule (shared/SPEC.md §1b): `rate` is the
    /// rate around T_g only.
    pub window: bool,
}

impl Entry {
    /// Number of atoms.
    pub fn atoms(&self) -> usize {
        4 * self.cells.pow(3)
    }

    /// `<condition>/n<atoms>-r<rate>[-window]/seed<seed>`, as `md` names its folders.
    pub fn id(&self) -> String {
        md::sample_id(
            self.condition.name,
            self.atoms(),
            self.rate,
            self.window,
            self.seed,
        )
    }

    /// The data set's name in the config, for example `Cu65Zr35-n1372-r1e13-s1`
    /// (`-window` after the rate for the window schedule).
    pub fn name(&self) -> String {
        format!(
            "{}-n{}-r{:.0e}{}-s{}",
            self.condition.name,
            self.atoms(),
            self.rate,
            if self.window { "-window" } else { "" },
            self.seed
        )
    }

    /// LAMMPS types to elements, `1=Cu,2=Zr`.
    pub fn types(&self) -> String {
        let [a, b] = self.condition.alloy.elements;
        format!("1={a},2={b}")
    }

    /// The frames the pipeline reads: all 81 for the base, else the
    /// reference and the label frame.
    pub fn frames(&self) -> Vec<usize> {
        if self.role == Role::Base {
            (0..=LAST_FRAME).collect()
        } else {
            vec![0, LABEL_FRAME]
        }
    }

    /// Estimated wall time of `md run` on 2 ranks, seconds.
    pub fn estimated_seconds(&self, paths: &Paths) -> f64 {
        let steps = self.frames().iter().max().copied().unwrap_or(LAST_FRAME);
        md::cost_core_seconds(
            paths,
            self.condition,
            self.cells,
            self.rate,
            self.window,
            steps,
        ) / md::TWO_RANK_SPEEDUP
    }
}

/// A parsed data-set list.
#[derive(Debug)]
pub struct DataList {
    /// What the list is.
    pub description: String,
    /// The samples, base first as listed.
    pub entries: Vec<Entry>,
}

/// Parses a data-set list (`paper/*.json`) and checks it: every condition
/// known, every role valid, no sample twice, exactly one base.
pub fn parse_list(text: &str, source: &str) -> Result<DataList> {
    let doc: Value =
        serde_json::from_str(text).with_context(|| format!("{source} is not valid JSON"))?;
    let description = doc["description"].as_str().unwrap_or_default().to_string();
    let mut entries: Vec<Entry> = Vec::new();
    for (k, s) in doc["samples"]
        .as_array()
        .with_context(|| format!("{source}: expected a 'samples' array"))?
        .iter()
        .enumerate()
    {
        let field = |name: &str| {
            s.get(name)
                .with_context(|| format!("{source} sample {k}: missing '{name}'"))
        };
        let whole = |name: &str| -> Result<u64> {
            field(name)?
                .as_u64()
                .with_context(|| format!("{source} sample {k}: '{name}' must be a whole number"))
        };
        let text = |name: &str| -> Result<&str> {
            field(name)?
                .as_str()
                .with_context(|| format!("{source} sample {k}: '{name}' must be a string"))
        };
        let condition =
            md::condition(text("condition")?).with_context(|| format!("{source} sample {k}"))?;
        let cells = whole("cells")? as usize;
        let rate = field("rate")?
            .as_f64()
            .with_context(|| format!("{source} sample {k}: 'rate' must be a number in K/s"))?;
        if cells == 0 || !(rate.is_finite() && rate > 0.0) {
            bail!("{source} sample {k}: cells and rate must be positive");
        }
        let window = match s.get("schedule").and_then(Value::as_str) {
            None | Some("linear") => false,
            Some("window") => true,
            Some(other) => bail!(
                "{source} sample {k}: 'schedule' must be 'linear' or 'window', found '{other}'"
            ),
        };
        let entry = Entry {
            condition,
            cells,
            rate,
            seed: whole("seed")?,
            role: Role::parse(text("role")?).with_context(|| format!("{source} sample {k}"))?,
            window,
        };
        if entries.iter().any(|e| e.id() == entry.id()) {
            bail!("{source}: sample {} is listed twice", entry.id());
        }
        entries.push(entry);
    }
    let bases = entries.iter().filter(|e| e.role == Role::Base).count();
    if bases != 1 {
        bail!("{source}: expected exactly one sample with role 'base', found {bases}");
    }
    Ok(DataList {
        description,
        entries,
    })
}

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

  FIGURE              fig1 fig2 fig3a fig3b fig3c fig3d fig3e fig3f fig4 (default: --all)
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
fn whole_number(flag: &str, value: Option<&String>) -> Result<usize> {
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

/// A sample found on disk.
#[derive(Clone, Debug)]
pub struct Sample {
    /// What it is.
    pub entry: Entry,
    /// The folder with its frames.
    pub dir: PathBuf,
}

/// Whether `dir` holds a finished sample with the given frames.
fn complete(dir: &Path, frames: &[usize]) -> bool {
    dir.join("manifest.json").is_file() && frames.iter().all(|k| dir.join(frame_file(*k)).is_file())
}

fn frame_file(k: usize) -> String {
    format!("frame_{k:03}.dump.gz")
}

/// The folder of a finished sample: the MD data folder first, then `datasets/`.
fn find_sample(paths: &Paths, entry: &Entry) -> Option<PathBuf> {
    let frames = entry.frames();
    [
        paths.md().join(entry.id()),
        paths.root.join("datasets").join(entry.id()),
    ]
    .into_iter()
    .find(|d| complete(d, &frames))
}

/// Whether a file in `dir` changed in the last two minutes (another run writing it).
fn recently_changed(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        e.metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < Duration::from_secs(120))
    })
}

fn minutes(seconds: f64) -> String {
    if seconds < 5400.0 {
        format!("about {:.0} min", seconds / 60.0)
    } else {
        format!("about {:.1} h", seconds / 3600.0)
    }
}

/// Finds (or, for the quick list, makes) every sample the figures need.
fn gather(paths: &Paths, opts: &Options, list: &DataList) -> Result<Vec<Sample>> {
    let needed: Vec<&Entry> = list
        .entries
        .iter()
        .filter(|e| {
            opts.figures
                .iter()
                .any(|f| roles_needed(*f).contains(&e.role))
        })
        .collect();
    let mut found = Vec::new();
    let mut missing: Vec<&Entry> = Vec::new();
    let mut to_make: Vec<&Entry> = Vec::new();
    for (k, e) in needed.iter().enumerate() {
        let head = format!(
            "[{}/{}] {} ({})",
            k + 1,
            needed.len(),
            e.id(),
            e.role.name()
        );
        if let Some(dir) = find_sample(paths, e) {
            println!("{head}: {}", dir.display());
            found.push(Sample {
                entry: (*e).clone(),
                dir,
            });
            continue;
        }
        if opts.data == Data::PaperScaled {
            println!("{head}: missing");
            missing.push(e);
            continue;
        }
        let md_dir = paths.md().join(e.id());
        if md_dir.is_dir() && !md_dir.join("manifest.json").exists() && recently_changed(&md_dir) {
            bail!(
                "{} is being written by another run (a file changed in the last 2 min): wait for it, or stop that run",
                md_dir.display()
            );
        }
        println!(
            "{head}: missing, to be made with LAMMPS ({} on 2 ranks)",
            minutes(e.estimated_seconds(paths))
        );
        to_make.push(*e);
    }
    make_samples(paths, opts, &to_make)?;
    for e in &to_make {
        let dir = find_sample(paths, e).with_context(|| {
            format!(
                "md run finished but {} lacks its manifest or frames",
                paths.md().join(e.id()).display()
            )
        })?;
        found.push(Sample {
            entry: (*e).clone(),
            dir,
        });
    }
    // The order of the list, whether a sample was found or made.
    found.sort_by_key(|s| {
        needed
            .iter()
            .position(|e| e.id() == s.entry.id() && e.role == s.entry.role)
    });
    if !missing.is_empty() {
        let total: f64 = missing.iter().map(|e| e.estimated_seconds(paths)).sum();
        println!(
            "{} samples are missing and left out ({} of MD on 2 ranks in all):",
            missing.len(),
            minutes(total)
        );
        for e in &missing {
            println!(
                "  {:<34} {:<24} {}",
                e.id(),
                e.role.name(),
                minutes(e.estimated_seconds(paths))
            );
        }
        println!(
            "make them with `cargo xtask md run --next` (one sample per call, in the order of datasets/plan.json; `cargo xtask md status` shows what is left)"
        );
        for role in Role::ALL.into_iter().skip(1) {
            let wanted = needed.iter().any(|e| e.role == role);
            if wanted && !found.iter().any(|s| s.entry.role == role) {
                println!(
                    "  the '{}' transfer scenario is dropped: none of its samples exists",
                    role.name()
                );
            }
        }
    }
    if let Some(base) = missing.iter().find(|e| e.role == Role::Base) {
        bail!(
            "the base sample {} is missing (neither {} nor {} holds it with all 81 frames): make it with `cargo xtask md run --next` ({} on 2 ranks)",
            base.id(),
            paths.md().join(base.id()).display(),
            paths.root.join("datasets").join(base.id()).display(),
            minutes(base.estimated_seconds(paths))
        );
    }
    Ok(found)
}

/// Makes the missing quick samples with `cargo xtask md run`, `jobs` at a
/// time with `np` ranks each (default: one rank per core, one sample per
/// core: small samples scale poorly over MPI ranks, so concurrent serial runs
/// finish the set sooner). Longest first; each run's output goes to
/// `<md>/logs/<condition>_<size>_<seed>.log` and a line is printed as each
/// starts and ends.
fn make_samples(paths: &Paths, opts: &Options, entries: &[&Entry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let np = opts.np.unwrap_or(1).max(1);
    let jobs = opts.jobs.unwrap_or((cores / np).max(1)).max(1);
    let mut queue: Vec<&Entry> = entries.to_vec();
    queue.sort_by(|a, b| {
        b.estimated_seconds(paths)
            .total_cmp(&a.estimated_seconds(paths))
    });
    let logs = paths.md().join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let exe = std::env::current_exe().context("cannot find the xtask executable")?;
    println!(
        "making {} samples with LAMMPS, {jobs} at a time on {np} rank(s) each",
        queue.len()
    );
    let started = std::time::Instant::now();
    let mut running: Vec<(&Entry, std::process::Child, PathBuf, std::time::Instant)> = Vec::new();
    let mut queue = queue.into_iter();
    let mut failed: Vec<String> = Vec::new();
    loop {
        while running.len() < jobs {
            let Some(e) = queue.next() else { break };
            let log = logs.join(format!("{}.log", e.id().replace('/', "_")));
            let file = std::fs::File::create(&log)
                .with_context(|| format!("cannot create {}", log.display()))?;
            let err = file
                .try_clone()
                .with_context(|| format!("cannot open {}", log.display()))?;
            let child = Command::new(&exe)
                .args([
                    "md",
                    "run",
                    e.condition.name,
                    "--cells",
                    &e.cells.to_string(),
                    "--rate",
                    &format!("{:e}", e.rate),
                    "--seed",
                    &e.seed.to_string(),
                    "--schedule",
                    if e.window { "window" } else { "linear" },
                    "--np",
                    &np.to_string(),
                    // Only the frames the pipeline reads: the base needs
                    // all 80 steps, the others stop at the label frame.
                    "--shear-steps",
                    &e.frames()
                        .iter()
                        .max()
                        .copied()
                        .unwrap_or(LAST_FRAME)
                        .to_string(),
                ])
                .current_dir(&paths.root)
                .stdout(file)
                .stderr(err)
                .spawn()
                .with_context(|| format!("cannot start {} md run", exe.display()))?;
            println!(
                "  started {} ({}; log {})",
                e.id(),
                minutes(e.estimated_seconds(paths) * if np > 1 { 1.0 } else { 1.5 }),
                log.display()
            );
            running.push((e, child, log, std::time::Instant::now()));
        }
        if running.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        let mut k = 0;
        while k < running.len() {
            let status = running[k]
                .1
                .try_wait()
                .with_context(|| format!("cannot wait for the md run of {}", running[k].0.id()))?;
            match status {
                None => k += 1,
                Some(status) => {
                    let (e, _, log, t0) = running.swap_remove(k);
                    if status.success() {
                        println!(
                            "  finished {} in {:.1} min ({:.1} min since the first start)",
                            e.id(),
                            t0.elapsed().as_secs_f64() / 60.0,
                            started.elapsed().as_secs_f64() / 60.0
                        );
                    } else {
                        println!("  FAILED {} ({status}): see {}", e.id(), log.display());
                        failed.push(format!("{} (log {})", e.id(), log.display()));
                    }
                }
            }
        }
    }
    if !failed.is_empty() {
        bail!("cannot make {}", failed.join(", "));
    }
    Ok(())
}

/// The config of `interstice run`, as TOML; relative paths would be taken
/// from the file's folder, so every path here is absolute.
pub fn config_toml(
    out: &Path,
    figures: &Path,
    draw: &[FigureId],
    samples: &[Sample],
) -> Result<String> {
    let config = Config {
        out: out.to_path_buf(),
        figures: Some(figures.to_path_buf()),
        seed: 0,
        trees: 300,
        feature_sets: vec![Preset::Paper80, Preset::Sf166, Preset::Classical],
        draw: draw.to_vec(),
        labels: LabelConfig {
            frame: LABEL_FRAME,
            ..LabelConfig::default()
        },
        datasets: samples
            .iter()
            .map(|sample| {
                let e = &sample.entry;
                Ok(Dataset {
                    name: e.name(),
                    dir: sample.dir.clone(),
                    condition: e.condition.name.into(),
                    atoms: Some(e.atoms()),
                    rate: Some(e.rate),
                    seed: Some(e.seed),
                    types: interstice_core::TypeMap::parse(&e.types())?,
                    role: e.role,
                })
            })
            .collect::<Result<_>>()?,
    };
    Ok(format!(
        "# Written by `cargo xtask reproduce`; read by `interstice run`.\n{}",
        config.to_toml()?
    ))
}

fn begin_marker(data: &str) -> String {
    format!("<!-- results:{data}:begin -->")
}

fn end_marker(data: &str) -> String {
    format!("<!-- results:{data}:end -->")
}

/// docs/results.md when it does not exist yet.
fn results_header() -> String {
    let mut s = String::from(
        "# Results\n\n\
         The tables below are written by `cargo xtask reproduce`, one block per data set (see paper/README.md).\n\
         Everything between a pair of markers is replaced on the next run; edit outside them only.\n",
    );
    for data in [Data::Quick, Data::PaperScaled] {
        let _ = write!(
            s,
            "\n## {}\n\n{}\n_Not run yet._\n{}\n",
            data.name(),
            begin_marker(data.name()),
            end_marker(data.name())
        );
    }
    s
}

/// Puts `block` between the `data` markers of docs/results.md (`doc`, or a
/// fresh file when `None`), keeping everything outside them; markers that
/// are missing are appended.
pub fn splice_results(doc: Option<&str>, data: &str, block: &str) -> Result<String> {
    let doc = doc.map_or_else(results_header, str::to_string);
    let (begin, end) = (begin_marker(data), end_marker(data));
    let inner = format!("\n{}\n", block.trim());
    match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            let start = b + begin.len();
            Ok(format!("{}{inner}{}", &doc[..start], &doc[e..]))
        }
        (None, None) => {
            let sep = if doc.ends_with('\n') { "\n" } else { "\n\n" };
            Ok(format!("{doc}{sep}{begin}{inner}{end}\n"))
        }
        _ => bail!("docs/results.md: the markers {begin} and {end} are not a pair in that order"),
    }
}

/// One expected number and how far a result may be from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expect {
    /// The expected value.
    pub value: f64,
    /// Absolute tolerance.
    pub tol: f64,
}

/// The result of checking one number.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Within tolerance.
    Ok(f64, Expect),
    /// Outside tolerance (or not a finite number).
    Fail(f64, Expect),
    /// Expected, but missing from the summary (or not a number there).
    Missing(Expect),
    /// The expectations file has nothing for this figure.
    NoExpectations,
}

/// One line of `--check`.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckLine {
    /// The figure.
    pub figure: String,
    /// The summary name (empty for [`Outcome::NoExpectations`]).
    pub name: String,
    /// What happened.
    pub outcome: Outcome,
}

impl CheckLine {
    /// Whether the line passes.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Ok(..))
    }
}

impl std::fmt::Display for CheckLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (fig, name) = (&self.figure, &self.name);
        match self.outcome {
            Outcome::Ok(v, e) => write!(
                f,
                "ok    {fig} {name} = {v} (expected {} ± {})",
                e.value, e.tol
            ),
            Outcome::Fail(v, e) => write!(
                f,
                "FAIL  {fig} {name} = {v}, expected {} ± {} (off by {})",
                e.value,
                e.tol,
                (v - e.value).abs()
            ),
            Outcome::Missing(e) => write!(
                f,
                "FAIL  {fig} {name} missing from summary.json, expected {} ± {}",
                e.value, e.tol
            ),
            Outcome::NoExpectations => write!(
                f,
                "FAIL  {fig}: no expected numbers (write them with --bless after a run you trust)"
            ),
        }
    }
}

/// Compares one figure's summary with its expectations (`expected`, the
/// figure's object of `paper/expected/<data>.json`).
pub fn compare(
    figure: &str,
    summary: &Map<String, Value>,
    expected: Option<&Value>,
) -> Result<Vec<CheckLine>> {
    let line = |name: &str, outcome| CheckLine {
        figure: figure.to_string(),
        name: name.to_string(),
        outcome,
    };
    let Some(expected) = expected else {
        return Ok(vec![line("", Outcome::NoExpectations)]);
    };
    let expected = expected
        .as_object()
        .with_context(|| format!("expected numbers of {figure}: not an object"))?;
    if expected.is_empty() {
        return Ok(vec![line("", Outcome::NoExpectations)]);
    }
    let mut lines = Vec::new();
    for (name, spec) in expected {
        let number = |key: &str| {
            spec[key]
                .as_f64()
                .with_context(|| format!("expected {figure} {name}: '{key}' must be a number"))
        };
        let e = Expect {
            value: number("value")?,
            tol: number("tol")?,
        };
        let outcome = match summary.get(name).and_then(Value::as_f64) {
            None => Outcome::Missing(e),
            Some(v) if v.is_finite() && (v - e.value).abs() <= e.tol => Outcome::Ok(v, e),
            Some(v) => Outcome::Fail(v, e),
        };
        lines.push(line(name, outcome));
    }
    Ok(lines)
}

/// The default tolerance of a new expected number, absolute. A remade glass
/// (LAMMPS is not bitwise reproducible across machines) is another sample of
/// the same kind, so the tolerances are about the sample-to-sample spread of
/// 1 372-atom glasses measured on the quick set (new-configuration ROC-AUCs
/// 0.77 ± 0.01 over three seeds, fold spread ± 0.08):
/// - scores and their differences (`auc`, `precision`, `delta`): 0.1;
/// - quantities on the QS scale, shares, probabilities and min–max-scaled
///   feature differences (`qs`, `share`, `p_plastic`, `soft_minus_hard`): 0.1;
/// - the plastic share, fixed by the labelling rule (`base_rate`): 0.002;
/// - fractal dimensions: 0.3; the atom count of the glass (`atoms_all`): 0;
///   the sizes of the hardest and softest groups: 30 %;
/// - anything else (interstice means, lengths): 10 % of the value.
pub fn default_tol(name: &str, value: f64) -> f64 {
    let n = name.to_ascii_lowercase();
    let has = |k: &str| n.contains(k);
    if has("auc") || has("precision") || has("delta") {
        0.1
    } else if has("base_rate") {
        0.002
    } else if has("soft_minus_hard") || has("qs") || has("share") || has("p_plastic") {
        0.1
    } else if has("fractal") {
        0.3
    } else if n == "atoms_all" {
        0.0
    } else if n.starts_with("atoms_") {
        0.3 * value.abs()
    } else {
        0.1 * value.abs()
    }
}

/// The summaries of one run, figure → summary object.
pub type Summaries = BTreeMap<String, Map<String, Value>>;

/// New expectations: `existing` with the figures of `summaries` replaced by
/// their current numbers, keeping each number's existing tolerance.
pub fn bless(existing: Option<&Value>, summaries: &Summaries) -> Value {
    let mut out = existing
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (figure, summary) in summaries {
        let old = existing.and_then(|e| e.get(figure.as_str()));
        let mut fig = Map::new();
        for (name, v) in summary {
            let Some(value) = v.as_f64().filter(|v| v.is_finite()) else {
                println!("  {figure} {name}: not a finite number, not blessed");
                continue;
            };
            let tol = old
                .and_then(|o| o.get(name.as_str()))
                .and_then(|o| o["tol"].as_f64())
                .unwrap_or_else(|| default_tol(name, value));
            fig.insert(name.clone(), json!({ "value": value, "tol": tol }));
        }
        out.insert(figure.clone(), Value::Object(fig));
    }
    Value::Object(out)
}

/// Output of a command, trimmed, if it ran and succeeded.
fn capture(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The value of `key = "..."` in `[table]` of a TOML file, by a line scan.
fn toml_value(text: &str, table: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            current = line.trim_matches(|c| c == '[' || c == ']').to_string();
        } else if current == table
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// The version of the `interstice` package (its own, or the workspace's).
fn interstice_version(root: &Path) -> String {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    let cli = read("crates/cli/Cargo.toml");
    toml_value(&cli, "package", "version")
        .or_else(|| toml_value(&read("Cargo.toml"), "workspace.package", "version"))
        .unwrap_or_else(|| "unknown".into())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn utc_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The target folder: `CARGO_TARGET_DIR` if set, else `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root.join(d),
        None => root.join("target"),
    }
}

/// The provenance shared by every figure's manifest.
fn provenance(
    root: &Path,
    opts: &Options,
    args: &[String],
    config: &Path,
    samples: &[Sample],
) -> Result<Value> {
    let run = Config::read(config)?;
    let revision = capture("git", &["rev-parse", "HEAD"], root).unwrap_or_else(|| "unknown".into());
    let dirty = capture("git", &["status", "--porcelain"], root).map(|s| !s.is_empty());
    let mut used = Vec::new();
    for s in samples {
        let mut sums = Map::new();
        for k in s.entry.frames() {
            let f = frame_file(k);
            sums.insert(f.clone(), json!(sha256(&s.dir.join(&f))?));
        }
        let manifest: Value = std::fs::read_to_string(s.dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        used.push(json!({
            "name": s.entry.name(),
            "id": s.entry.id(),
            "dir": s.dir,
            "role": s.entry.role.name(),
            "condition": s.entry.condition.name,
            "atoms": s.entry.atoms(),
            "rate_K_per_s": s.entry.rate,
            "seed": s.entry.seed,
            "lammps_seeds": manifest["lammps_seeds"],
            "lammps": manifest["lammps"]["version"],
            "frames_sha256": sums,
        }));
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(json!({
        "data": opts.data.name(),
        "command": format!("cargo xtask reproduce {}", args.join(" ")).trim_end(),
        "config": config,
        "git": { "revision": revision, "dirty": dirty },
        "seeds": { "protocol": run.seed, "samples": samples.iter().map(|s| (s.entry.name(), s.entry.seed)).collect::<BTreeMap<_, _>>() },
        "labels": { "cutoff_A": run.labels.cutoff, "percent": run.labels.percent, "frame": run.labels.frame },
        "toolchain": {
            "rustc": capture("rustc", &["--version"], root),
            "cargo": capture(&cargo(), &["--version"], root),
        },
        "interstice_version": interstice_version(root),
        "date_utc": utc_timestamp(now),
        "samples": used,
    }))
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Runs `cargo xtask reproduce ...`.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    let opts = parse_args(args)?;
    let paths = Paths::new(root);
    let list_path = root
        .join("paper")
        .join(format!("{}.json", opts.data.name()));
    let list = parse_list(
        &std::fs::read_to_string(&list_path)
            .with_context(|| format!("cannot read {}", list_path.display()))?,
        &list_path.display().to_string(),
    )?;
    println!(
        "reproduce {} from {} ({} samples listed)",
        opts.figures
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(" "),
        list_path.display(),
        list.entries.len()
    );
    println!("{}", list.description);
    let expected_path = root
        .join("paper/expected")
        .join(format!("{}.json", opts.data.name()));
    if opts.check && !expected_path.is_file() {
        bail!(
            "--check needs {}: bless a run you trust first with `cargo xtask reproduce --data {} --bless`",
            expected_path.display(),
            opts.data.name()
        );
    }
    let samples = gather(&paths, &opts, &list)?;

    let target = target_dir(root);
    let work = target.join("reproduce").join(opts.data.name());
    let out = work.join("out");
    // One folder per data set, so a quick run never overwrites the
    // paper-scaled figures.
    let figures = target.join("figures").join(opts.data.name());
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let config = work.join("config.toml");
    write_atomic(
        &config,
        config_toml(&out, &figures, &opts.figures, &samples)?.as_bytes(),
    )?;
    println!("wrote {}", config.display());

    println!("building interstice: cargo build --release -p interstice");
    let status = Command::new(cargo())
        .args(["build", "--release", "-p", "interstice"])
        .current_dir(root)
        .status()
        .context("cannot start cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p interstice failed ({status})");
    }
    let binary = target.join("release").join("interstice");
    println!("running {} run {}", binary.display(), config.display());
    let status = Command::new(&binary)
        .arg("run")
        .arg(&config)
        .current_dir(root)
        .status()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    if !status.success() {
        bail!("interstice run failed ({status}); its output is above");
    }

    let base = provenance(root, &opts, args, &config, &samples)?;
    let mut summaries = Summaries::new();
    for fig in &opts.figures {
        let dir = figures.join(fig.name());
        if !dir.is_dir() {
            bail!("interstice run did not write {}", dir.display());
        }
        let mut manifest = base.clone();
        manifest["figure"] = json!(fig.name());
        write_atomic(
            &dir.join("manifest.json"),
            serde_json::to_string_pretty(&manifest)?.as_bytes(),
        )?;
        let summary = read_json(&dir.join("summary.json"))?;
        let summary = summary
            .as_object()
            .with_context(|| {
                format!(
                    "{}: expected a JSON object",
                    dir.join("summary.json").display()
                )
            })?
            .clone();
        summaries.insert(fig.to_string(), summary);
        println!("{}: manifest.json written", dir.display());
        // The README shows these: docs/figures/<data>/<id>.png.
        let png = dir.join(format!("{fig}.png"));
        let shown = root
            .join("docs/figures")
            .join(opts.data.name())
            .join(format!("{fig}.png"));
        if let Some(parent) = shown.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let bytes =
            std::fs::read(&png).with_context(|| format!("cannot read {}", png.display()))?;
        write_atomic(&shown, &bytes)?;
    }

    let results = out.join("results.md");
    let block = std::fs::read_to_string(&results)
        .with_context(|| format!("interstice run did not write {}", results.display()))?;
    let doc_path = root.join("docs/results.md");
    let doc = std::fs::read_to_string(&doc_path).ok();
    write_atomic(
        &doc_path,
        splice_results(doc.as_deref(), opts.data.name(), &block)?.as_bytes(),
    )?;
    println!(
        "{}: the {} block is up to date",
        doc_path.display(),
        opts.data.name()
    );

    if opts.bless {
        let existing = expected_path
            .exists()
            .then(|| read_json(&expected_path))
            .transpose()?;
        let blessed = bless(existing.as_ref(), &summaries);
        write_atomic(
            &expected_path,
            format!("{}\n", serde_json::to_string_pretty(&blessed)?).as_bytes(),
        )?;
        println!("blessed {}", expected_path.display());
    }
    if opts.check {
        let expected = read_json(&expected_path).with_context(|| {
            format!(
                "no expectations to check against: bless a run you trust with `cargo xtask reproduce --data {} --bless`",
                opts.data.name()
            )
        })?;
        let mut failures = 0;
        for (fig, summary) in &summaries {
            for line in compare(fig, summary, expected.get(fig.as_str()))? {
                println!("{line}");
                failures += usize::from(!line.ok());
            }
        }
        if failures > 0 {
            bail!(
                "{failures} numbers differ from {} or are missing",
                expected_path.display()
            );
        }
        println!("check: every number within tolerance");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(data: Data) -> DataList {
        let path = crate::project_root()
            .join("paper")
            .join(format!("{}.json", data.name()));
        parse_list(&std::fs::read_to_string(&path).unwrap(), data.name()).unwrap()
    }

    fn entry(condition: &str, cells: usize, rate: f64, seed: u64, role: Role) -> Entry {
        Entry {
            condition: md::condition(condition).unwrap(),
            cells,
            rate,
            seed,
            role,
            window: false,
        }
    }

    #[test]
    fn both_lists_parse_with_one_base() {
        for data in [Data::Quick, Data::PaperScaled] {
            let l = list(data);
            assert!(!l.description.is_empty());
            let bases: Vec<&Entry> = l.entries.iter().filter(|e| e.role == Role::Base).collect();
            assert_eq!(bases.len(), 1);
            assert_eq!(bases[0].condition.name, "Cu65Zr35");
            assert_eq!(bases[0].seed, 1);
            // Every transfer scenario has a test.
            for role in Role::ALL {
                assert!(l.entries.iter().any(|e| e.role == role), "{role:?}");
            }
        }
        let quick = list(Data::Quick);
        assert_eq!(quick.entries.len(), 11);
        assert!(quick.entries.iter().all(|e| e.atoms() == 1372));
        assert_eq!(quick.entries[0].id(), "Cu65Zr35/n1372-r1e13/seed1");
        assert_eq!(quick.entries[0].name(), "Cu65Zr35-n1372-r1e13-s1");
    }

    #[test]
    fn paper_scaled_list_is_the_plan() {
        let paths = Paths::new(&crate::project_root());
        let planned = md::planned_ids(&paths).unwrap();
        let listed = list(Data::PaperScaled).entries;
        for e in &listed {
            assert!(
                planned.iter().any(|(id, _)| *id == e.id()),
                "{} is not in datasets/plan.json",
                e.id()
            );
        }
        let base = listed.iter().find(|e| e.role == Role::Base).unwrap();
        assert_eq!(base.id(), "Cu65Zr35/n4000-r1e12-window/seed1");
        assert!(
            planned.contains(&(base.id(), true)),
            "the base keeps all frames"
        );
    }

    #[test]
    fn bad_lists_are_errors() {
        let one = |condition: &str, role: &str| {
            format!(
                r#"{{ "condition": "{condition}", "cells": 7, "rate": 1e13, "seed": 1, "role": "{role}" }}"#
            )
        };
        let doc = |samples: &[String]| format!(r#"{{ "samples": [{}] }}"#, samples.join(","));
        let err = |text: String| format!("{:#}", parse_list(&text, "l.json").unwrap_err());
        assert!(err(doc(&[one("Cu65Zr35", "boss")])).contains("unknown role 'boss'"));
        assert!(err(doc(&[one("Cu99Zr1", "base")])).contains("unknown condition 'Cu99Zr1'"));
        assert!(err(doc(&[one("Cu65Zr35", "other-rate")])).contains("found 0"));
        let two = [one("Cu65Zr35", "base"), one("Cu50Zr50", "base")];
        assert!(err(doc(&two)).contains("found 2"));
        let twice = [one("Cu65Zr35", "base"), one("Cu65Zr35", "other-rate")];
        assert!(err(doc(&twice)).contains("listed twice"));
        assert!(
            err(r#"{ "samples": [{ "condition": "Cu65Zr35" }] }"#.into())
                .contains("missing 'cells'")
        );
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let o = args(&[]).unwrap();
        assert_eq!(o.figures, FigureId::ALL.to_vec());
        assert_eq!(o.data, Data::Quick);
        let o = args(&[
            "fig4",
            "fig2",
            "--data",
            "paper-scaled",
            "--check",
            "--np",
            "2",
        ])
        .unwrap();
        assert_eq!(o.figures, vec![FigureId::Fig2, FigureId::Fig4]);
        assert_eq!(o.data, Data::PaperScaled);
        assert!(o.check && !o.bless);
        assert_eq!(o.np, Some(2));
        assert_eq!(args(&["fig1", "--all"]).unwrap().figures.len(), 9);
        assert!(args(&["fig5"]).is_err());
        assert!(args(&["--data", "huge"]).is_err());
        assert!(args(&["--check", "--bless"]).is_err());
    }

    #[test]
    fn figures_need_their_roles() {
        assert_eq!(roles_needed(FigureId::Fig2), &[Role::Base]);
        assert!(roles_needed(FigureId::Fig3f).contains(&Role::OtherComposition));
        assert_eq!(roles_needed(FigureId::Fig4).len(), 6);
    }

    #[test]
    fn config_parses_back() {
        let samples = vec![
            Sample {
                entry: entry("Cu65Zr35", 7, 1e13, 1, Role::Base),
                dir: PathBuf::from("/data/md/Cu65Zr35/n1372-r1e13/seed1"),
            },
            Sample {
                entry: entry("Al90Sm10", 7, 3e13, 2, Role::OtherSystem),
                dir: PathBuf::from("/odd \"dir\"\\with\tescapes"),
            },
        ];
        let text = config_toml(
            Path::new("/t/reproduce/quick/out"),
            Path::new("/t/figures"),
            &[FigureId::Fig2, FigureId::Fig4],
            &samples,
        )
        .unwrap();
        // What `interstice run` reads back.
        let back = Config::from_toml(&text, Path::new("/")).unwrap();
        assert_eq!(back.datasets[1].dir, samples[1].dir);
        assert_eq!(back.draw, [FigureId::Fig2, FigureId::Fig4]);
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(v["out"].as_str(), Some("/t/reproduce/quick/out"));
        assert_eq!(v["figures"].as_str(), Some("/t/figures"));
        assert_eq!(v["seed"].as_integer(), Some(0));
        assert_eq!(v["trees"].as_integer(), Some(300));
        let strings = |k: &str| -> Vec<String> {
            v[k].as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(strings("feature_sets"), ["paper80", "sf166", "classical"]);
        assert_eq!(strings("draw"), ["fig2", "fig4"]);
        let labels = v["labels"].as_table().unwrap();
        assert_eq!(labels["cutoff"].as_float(), Some(5.0));
        assert_eq!(labels["percent"].as_float(), Some(5.0));
        assert_eq!(labels["frame"].as_integer(), Some(40));
        let ds = v["dataset"].as_array().unwrap();
        assert_eq!(ds.len(), 2);
        let d0 = ds[0].as_table().unwrap();
        assert_eq!(d0["name"].as_str(), Some("Cu65Zr35-n1372-r1e13-s1"));
        assert_eq!(
            d0["dir"].as_str(),
            Some("/data/md/Cu65Zr35/n1372-r1e13/seed1")
        );
        assert_eq!(d0["condition"].as_str(), Some("Cu65Zr35"));
        assert_eq!(d0["atoms"].as_integer(), Some(1372));
        assert_eq!(d0["rate"].as_float(), Some(1e13));
        assert_eq!(d0["seed"].as_integer(), Some(1));
        assert_eq!(d0["types"].as_str(), Some("1=Cu,2=Zr"));
        assert_eq!(d0["role"].as_str(), Some("base"));
        let d1 = ds[1].as_table().unwrap();
        assert_eq!(d1["dir"].as_str(), Some("/odd \"dir\"\\with\tescapes"));
        assert_eq!(d1["rate"].as_float(), Some(3e13));
        assert_eq!(d1["types"].as_str(), Some("1=Al,2=Sm"));
        assert_eq!(d1["role"].as_str(), Some("other-system"));
    }

    #[test]
    fn results_markers() {
        let fresh = splice_results(None, "quick", "| a | b |\n|---|---|\n| 1 | 2 |\n").unwrap();
        assert!(fresh.starts_with("# Results\n"));
        assert!(fresh.contains(
            "<!-- results:quick:begin -->\n| a | b |\n|---|---|\n| 1 | 2 |\n<!-- results:quick:end -->"
        ));
        assert!(fresh.contains("<!-- results:paper-scaled:begin -->\n_Not run yet._\n"));
        // Replacing keeps everything outside the markers, and is idempotent.
        let edited = fresh.replace("# Results\n", "# Results\n\nA note by hand.\n") + "Tail.\n";
        let again = splice_results(Some(&edited), "quick", "new table").unwrap();
        assert!(again.contains("A note by hand.\n"));
        assert!(again.ends_with("Tail.\n"));
        assert!(
            again.contains("<!-- results:quick:begin -->\nnew table\n<!-- results:quick:end -->")
        );
        assert!(!again.contains("| 1 | 2 |"));
        assert!(again.contains("_Not run yet._"));
        assert_eq!(
            splice_results(Some(&again), "quick", "new table").unwrap(),
            again
        );
        let without = splice_results(Some(&again), "quick", "new table\n").unwrap();
        assert_eq!(without, again);
        // Missing markers are appended.
        let appended = splice_results(Some("# Mine\nText"), "paper-scaled", "t").unwrap();
        assert_eq!(
            appended,
            "# Mine\nText\n\n<!-- results:paper-scaled:begin -->\nt\n<!-- results:paper-scaled:end -->\n"
        );
        // A lone or reversed marker is an error, not a guess.
        assert!(splice_results(Some("<!-- results:quick:begin -->\n"), "quick", "t").is_err());
        assert!(
            splice_results(
                Some("<!-- results:quick:end -->\n<!-- results:quick:begin -->\n"),
                "quick",
                "t"
            )
            .is_err()
        );
    }

    #[test]
    fn paper_scaled_gathers_what_exists_and_needs_the_base() {
        let root =
            std::env::temp_dir().join(format!("interstice-reproduce-{}", std::process::id()));
        let paths = Paths {
            root: root.clone(),
            data: root.join("data"),
        };
        let put = |dir: PathBuf, frames: &[usize]| {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("manifest.json"), "{}").unwrap();
            for k in frames {
                std::fs::write(dir.join(frame_file(*k)), "").unwrap();
            }
        };
        let base = entry("Cu65Zr35", 10, 1e12, 1, Role::Base);
        let rate = entry("Cu65Zr35", 10, 1e13, 1, Role::OtherRate);
        let system = entry("Ni62Nb38", 10, 1e12, 1, Role::OtherSystem);
        let list = DataList {
            description: String::new(),
            entries: vec![base.clone(), rate.clone(), system.clone()],
        };
        let opts = |figures: Vec<FigureId>| Options {
            figures,
            data: Data::PaperScaled,
            jobs: None,
            check: false,
            bless: false,
            np: None,
        };
        // Compact samples under datasets/ lack the frames the base needs.
        put(root.join("datasets").join(base.id()), &[0, 20, 40, 60, 80]);
        put(root.join("datasets").join(rate.id()), &[0, 20, 40, 60, 80]);
        let err = format!(
            "{:#}",
            gather(&paths, &opts(vec![FigureId::Fig2]), &list).unwrap_err()
        );
        assert!(
            err.contains("the base sample Cu65Zr35/n4000-r1e12/seed1 is missing"),
            "{err}"
        );
        // A finished MD sample with all frames is found first; the missing
        // other system is left out, and Fig. 2 needs neither of the others.
        put(paths.md().join(base.id()), &(0..=80).collect::<Vec<_>>());
        let found = gather(&paths, &opts(vec![FigureId::Fig4]), &list).unwrap();
        let ids: Vec<String> = found.iter().map(|s| s.entry.id()).collect();
        assert_eq!(ids, [base.id(), rate.id()]);
        assert_eq!(found[0].dir, paths.md().join(base.id()));
        assert_eq!(found[1].dir, root.join("datasets").join(rate.id()));
        assert_eq!(
            gather(&paths, &opts(vec![FigureId::Fig2]), &list)
                .unwrap()
                .len(),
            1
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn committed_results_file_has_both_blocks() {
        let doc = std::fs::read_to_string(crate::project_root().join("docs/results.md")).unwrap();
        for data in [Data::Quick, Data::PaperScaled] {
            let spliced = splice_results(Some(&doc), data.name(), "x").unwrap();
            assert_eq!(spliced.matches(&begin_marker(data.name())).count(), 1);
            assert_eq!(spliced.matches(&end_marker(data.name())).count(), 1);
        }
        // A fresh file is what `reproduce` writes when there is none.
        assert!(results_header().starts_with("# Results\n"));
    }

    fn summary(pairs: &[(&str, f64)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect()
    }

    #[test]
    fn check_passes_fails_and_misses() {
        let expected = json!({
            "auc_paper80": { "value": 0.80, "tol": 0.05 },
            "fractal_dimension": { "value": 2.5, "tol": 0.25 },
            "hardest_fraction": { "value": 0.1, "tol": 0.01 },
        });
        let s = summary(&[
            ("auc_paper80", 0.84),
            ("fractal_dimension", 2.9),
            ("extra", 1.0),
        ]);
        let lines = compare("fig3c", &s, Some(&expected)).unwrap();
        let by = |n: &str| lines.iter().find(|l| l.name == n).unwrap();
        assert_eq!(lines.len(), 3);
        assert!(by("auc_paper80").ok());
        assert!(matches!(by("fractal_dimension").outcome, Outcome::Fail(v, _) if v == 2.9));
        assert!(matches!(
            by("hardest_fraction").outcome,
            Outcome::Missing(_)
        ));
        assert!(
            by("auc_paper80")
                .to_string()
                .starts_with("ok    fig3c auc_paper80 = 0.84")
        );
        assert!(
            by("fractal_dimension")
                .to_string()
                .starts_with("FAIL  fig3c fractal_dimension = 2.9, expected 2.5 ± 0.25")
        );
        assert!(
            by("hardest_fraction")
                .to_string()
                .contains("missing from summary.json")
        );
        // All within tolerance.
        let good = summary(&[
            ("auc_paper80", 0.76),
            ("fractal_dimension", 2.3),
            ("hardest_fraction", 0.1),
        ]);
        assert!(
            compare("fig3c", &good, Some(&expected))
                .unwrap()
                .iter()
                .all(CheckLine::ok)
        );
        // NaN never passes; a figure without expectations fails.
        let nan = compare(
            "f",
            &summary(&[("auc", f64::NAN)]),
            Some(&json!({"auc": {"value": 0.5, "tol": 1.0}})),
        )
        .unwrap();
        assert!(!nan[0].ok());
        let none = compare("fig1", &good, None).unwrap();
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].outcome, Outcome::NoExpectations);
        assert!(compare("f", &good, Some(&json!({"x": {"value": 1}}))).is_err());
    }

    #[test]
    fn bless_keeps_tolerances() {
        let existing = json!({
            "fig2": { "auc_paper80": { "value": 0.8, "tol": 0.03 }, "gone": { "value": 1.0, "tol": 1.0 } },
            "fig1": { "n": { "value": 12.0, "tol": 0.0 } },
        });
        let mut sums = Summaries::new();
        sums.insert(
            "fig2".into(),
            summary(&[
                ("auc_paper80", 0.82),
                ("precision_top5", 0.3),
                ("slope", -2.0),
            ]),
        );
        let b = bless(Some(&existing), &sums);
        assert_eq!(
            b["fig2"]["auc_paper80"],
            json!({ "value": 0.82, "tol": 0.03 })
        );
        assert_eq!(
            b["fig2"]["precision_top5"],
            json!({ "value": 0.3, "tol": 0.1 })
        );
        assert_eq!(b["fig2"]["slope"], json!({ "value": -2.0, "tol": 0.2 }));
        assert!(b["fig2"].get("gone").is_none());
        assert_eq!(b["fig1"], existing["fig1"]);
        // What bless writes, check accepts.
        let lines = compare("fig2", &sums["fig2"], b.get("fig2")).unwrap();
        assert!(lines.iter().all(CheckLine::ok));
        assert_eq!(default_tol("ROC_AUC", 0.7), 0.1);
        assert_eq!(default_tol("delta_auc_other_system_sf166", -0.06), 0.1);
        assert_eq!(default_tol("base_rate", 0.05), 0.002);
        assert_eq!(
            default_tol("soft_minus_hard_Dist_interstice_max_dist", 0.01),
            0.1
        );
        assert_eq!(default_tol("fractal_dimension_all", 3.0), 0.3);
        assert_eq!(default_tol("atoms_all", 1372.0), 0.0);
        assert_eq!(default_tol("atoms_softest", 200.0), 60.0);
        assert_eq!(default_tol("d_f", 2.0), 0.2);
    }

    #[test]
    fn timestamps_and_versions() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        let cargo = "[package]\nname = \"x\"\nversion.workspace = true\n\n[workspace.package]\nversion = \"0.1.0\"\n";
        assert_eq!(toml_value(cargo, "package", "version"), None);
        assert_eq!(
            toml_value(cargo, "workspace.package", "version").as_deref(),
            Some("0.1.0")
        );
        assert_ne!(interstice_version(&crate::project_root()), "unknown");
    }

    #[test]
    fn cost_estimates_match_the_fixtures() {
        // 4 000 atoms at 1e13 K/s took 38 min on 2 ranks; 1 372 atoms about 13.
        let paths = &Paths::new(&crate::project_root());
        let big = entry("Cu65Zr35", 10, 1e13, 1, Role::Base).estimated_seconds(paths) / 60.0;
        assert!((34.0..42.0).contains(&big), "{big}");
        let quick = entry("Cu65Zr35", 7, 1e13, 1, Role::Base).estimated_seconds(paths) / 60.0;
        assert!((11.0..16.0).contains(&quick), "{quick}");
        let fast = entry("Cu65Zr35", 7, 1e14, 1, Role::OtherRate).estimated_seconds(paths) / 60.0;
        assert!(fast < quick / 2.0);
    }
}
