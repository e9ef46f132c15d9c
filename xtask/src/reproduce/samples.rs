//! The data-set lists of `paper/`, the samples they name, where they are
//! found on disk and how missing ones are made.

use super::*;

/// The label frame: 5 % shear strain (40 AQS steps of 0.125 %), as `md` makes it.
pub(super) const LABEL_FRAME: usize = md::OTHER_STEPS;
/// The last AQS frame (10 % strain); the base sample needs all of them.
pub(super) const LAST_FRAME: usize = md::SHEAR_STEPS;

/// Which data-set list to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// `paper/quick.json`: 1 372-atom glasses at 10¹³ K/s, made on demand.
    Quick,
    /// `paper/paper-scaled.json`: the samples of `datasets/plan.json`.
    PaperScaled,
}

impl Data {
    pub(super) fn parse(s: &str) -> Result<Data> {
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
pub(super) fn roles_needed(figure: FigureId) -> &'static [Role] {
    match figure {
        // QS distributions of other compositions and rates under the base model.
        FigureId::Fig3f => &[Role::Base, Role::OtherRate, Role::OtherComposition],
        // Every transfer scenario.
        FigureId::Fig4 => &Role::ALL,
        // The learning curve over the base condition's glasses.
        FigureId::Fig5 => &[Role::Base, Role::NewConfiguration],
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

/// A sample found on disk.
#[derive(Clone, Debug)]
pub struct Sample {
    /// What it is.
    pub entry: Entry,
    /// The folder with its frames.
    pub dir: PathBuf,
}

/// Whether `dir` holds a finished sample with the given frames.
pub(super) fn complete(dir: &Path, frames: &[usize]) -> bool {
    dir.join("manifest.json").is_file() && frames.iter().all(|k| dir.join(frame_file(*k)).is_file())
}

pub(super) fn frame_file(k: usize) -> String {
    format!("frame_{k:03}.dump.gz")
}

/// The folder of a finished sample: the MD data folder first, then `datasets/`.
pub(super) fn find_sample(paths: &Paths, entry: &Entry) -> Option<PathBuf> {
    let frames = entry.frames();
    [
        paths.md().join(entry.id()),
        paths.root.join("datasets").join(entry.id()),
    ]
    .into_iter()
    .find(|d| complete(d, &frames))
}

/// Whether a file in `dir` changed in the last two minutes (another run writing it).
pub(super) fn recently_changed(dir: &Path) -> bool {
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

pub(super) fn minutes(seconds: f64) -> String {
    if seconds < 5400.0 {
        format!("about {:.0} min", seconds / 60.0)
    } else {
        format!("about {:.1} h", seconds / 3600.0)
    }
}

/// Finds (or, for the quick list, makes) every sample the figures need.
pub(super) fn gather(paths: &Paths, opts: &Options, list: &DataList) -> Result<Vec<Sample>> {
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
pub(super) fn make_samples(paths: &Paths, opts: &Options, entries: &[&Entry]) -> Result<()> {
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
                    // Six loading directions: the labels are the plastic
                    // propensity over them (issue 15 §3; cheap at this size).
                    "--directions",
                    "6",
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
