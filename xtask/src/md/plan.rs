//! The data set, grown through the repository a leg at a time.
//!
//! `datasets/plan.json` lists the samples in the order they are made, each
//! with the plan item it serves (ordered by what a CPU hour tells us).
//! `status` compares it with what is committed under `datasets/`, packed as a
//! checkpoint under `datasets/partial/`, and finished or running under
//! `data/md`, with the cost left at the measured speed. `run --next` works
//! through the plan: it resumes a committed checkpoint, makes the sample,
//! packs it (the 0 K reference, the labelling frames or all 81 of +xy, the
//! 2.5 % and 5 % frames of every other direction, stress–strain curves, a
//! manifest with SHA-256 sums) and removes its checkpoint; with `--budget`
//! it goes on to the next sample until the time is up, then stops LAMMPS at a
//! clean point and packs a checkpoint to commit.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::run::{Control, Outcome, Progress, STRAIN_STEP, Schedule, Spec, make_sample, ranks};
use super::{Paths, condition, partial, sha256, tg, write_atomic};

/// The committed data set may not grow past this many bytes.
pub const BUDGET: u64 = 80 * 1024 * 1024;
/// +xy frames that the labels use: 0 (reference), 2.5, 5, 7.5 and 10 % strain.
const LABEL_FRAMES: [usize; 5] = [0, 20, 40, 60, 80];
/// Frames kept of the other five directions: 2.5 and 5 % strain.
pub const OTHER_FRAMES: [usize; 2] = [20, 40];

/// Which +xy frames a planned sample keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frames {
    /// All 81 (the strain map of Fig. 3e).
    All,
    /// The reference and 2.5, 5, 7.5, 10 %.
    Labels,
    /// The reference alone (no shear: the window evidence).
    Reference,
}

/// One planned sample.
pub struct Planned {
    pub spec: Spec,
    pub frames: Frames,
    /// The plan item it serves (issue 16 §5).
    pub item: u64,
}

impl Planned {
    /// The +xy frames packed into `datasets/`.
    pub fn primary_frames(&self) -> Vec<usize> {
        match self.frames {
            Frames::All => (0..=self.spec.shear_steps).collect(),
            Frames::Labels => LABEL_FRAMES
                .into_iter()
                .filter(|&k| k <= self.spec.shear_steps)
                .collect(),
            Frames::Reference => vec![0],
        }
    }
}

fn plan_path(paths: &Paths) -> PathBuf {
    paths.root.join("datasets/plan.json")
}

fn dataset_dir(paths: &Paths, spec: &Spec) -> PathBuf {
    paths.root.join("datasets").join(spec.id())
}

/// Reads `datasets/plan.json` (T_g of window samples from `datasets/tg.json`).
pub fn read_plan(paths: &Paths) -> Result<Vec<Planned>> {
    let path = plan_path(paths);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    parse_plan(&text, &path.display().to_string(), |c| {
        tg::known(paths, condition(c).ok()?)
    })
}

/// Parses a plan; `tg` looks up a condition's T_g.
pub fn parse_plan(
    text: &str,
    source: &str,
    tg: impl Fn(&str) -> Option<f64>,
) -> Result<Vec<Planned>> {
    let plan: Value =
        serde_json::from_str(text).with_context(|| format!("{source} is not valid JSON"))?;
    let mut out: Vec<Planned> = Vec::new();
    for (k, entry) in plan["samples"]
        .as_array()
        .with_context(|| format!("{source}: expected a 'samples' array"))?
        .iter()
        .enumerate()
    {
        let at = || format!("{source} sample {k}");
        let field = |name: &str| {
            entry
                .get(name)
                .with_context(|| format!("{}: missing '{name}'", at()))
        };
        let cond = condition(
            field("condition")?
                .as_str()
                .with_context(|| format!("{}: condition must be a string", at()))?,
        )
        .with_context(at)?;
        let cells = field("cells")?
            .as_u64()
            .filter(|&c| c > 0)
            .with_context(|| format!("{}: cells must be a positive whole number", at()))?
            as usize;
        let rate = field("rate")?
            .as_f64()
            .filter(|r| r.is_finite() && *r > 0.0)
            .with_context(|| format!("{}: rate must be a positive number in K/s", at()))?;
        let frames = match entry
            .get("frames")
            .and_then(Value::as_str)
            .unwrap_or("labels")
        {
            "all" => Frames::All,
            "labels" => Frames::Labels,
            "reference" => Frames::Reference,
            other => bail!(
                "{}: frames must be 'all', 'labels' or 'reference', found '{other}'",
                at()
            ),
        };
        let directions = entry.get("directions").map_or(Some(1), Value::as_u64);
        let directions = match directions {
            Some(1) => 1,
            Some(6) => 6,
            _ => bail!("{}: directions must be 1 or 6", at()),
        };
        let schedule = match entry
            .get("schedule")
            .and_then(Value::as_str)
            .unwrap_or("linear")
        {
            "linear" => Schedule::Linear,
            "window" => Schedule::Window { tg: tg(cond.name) },
            other => bail!(
                "{}: schedule must be 'linear' or 'window', found '{other}'",
                at()
            ),
        };
        let item = entry.get("item").and_then(Value::as_u64).unwrap_or(0);
        let shear_steps = match entry.get("shear_steps") {
            None => super::run::SHEAR_STEPS,
            Some(v) => v
                .as_u64()
                .filter(|&n| (1..=super::run::SHEAR_STEPS as u64).contains(&n))
                .with_context(|| {
                    format!(
                        "{}: shear_steps must be 1 to {}",
                        at(),
                        super::run::SHEAR_STEPS
                    )
                })? as usize,
        };
        for seed in field("seeds")?
            .as_array()
            .with_context(|| format!("{}: seeds must be an array", at()))?
        {
            let seed = seed
                .as_u64()
                .with_context(|| format!("{}: seeds must be whole numbers", at()))?;
            let spec = Spec {
                condition: cond,
                cells,
                rate,
                seed,
                preset: "paper-scaled".into(),
                shear_steps,
                schedule,
                directions,
                reference_only: frames == Frames::Reference,
            };
            if out.iter().any(|p| p.spec.id() == spec.id()) {
                bail!("{source}: sample {} is planned twice", spec.id());
            }
            out.push(Planned { spec, frames, item });
        }
    }
    Ok(out)
}

/// Where a planned sample stands.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// Under `datasets/` with every planned direction.
    Committed,
    /// Under `datasets/` with fewer directions than planned: rebuilt from its
    /// committed reference.
    Extend {
        directions: usize,
    },
    /// Finished under `data/md`, not packed yet.
    Finished,
    /// Being made (or stopped) under `data/md`.
    Local(Progress),
    /// A committed checkpoint under `datasets/partial/`.
    Partial(Progress),
    Missing,
}

fn committed_directions(paths: &Paths, spec: &Spec) -> Option<usize> {
    let text = std::fs::read_to_string(dataset_dir(paths, spec).join("manifest.json")).ok()?;
    let m: Value = serde_json::from_str(&text).ok()?;
    Some(
        m["protocol"]["deformation"]["directions"]
            .as_array()
            .map_or(1, Vec::len),
    )
}

/// The state of a planned sample.
pub fn state(paths: &Paths, p: &Planned) -> State {
    let dir = p.spec.dir(paths);
    let packed = partial::info(paths, &p.spec).map(|i| Progress::from_json(&i["progress"]));
    if let Some(n) = committed_directions(paths, &p.spec) {
        if n >= p.spec.loadings().len() {
            return State::Committed;
        }
        if !dir.exists() && packed.is_none() {
            return State::Extend { directions: n };
        }
    }
    if dir.join("manifest.json").exists() {
        return State::Finished;
    }
    let local = dir.exists().then(|| Progress::of(&dir, &p.spec));
    match (local, packed) {
        (Some(l), Some(q)) if q.core_seconds_left(&p.spec) < l.core_seconds_left(&p.spec) => {
            State::Partial(q)
        }
        (Some(l), _) => State::Local(l),
        (None, Some(q)) => State::Partial(q),
        (None, None) => State::Missing,
    }
}

fn state_text(s: &State, spec: &Spec) -> String {
    let progress = |p: &Progress| {
        if p.relaxed {
            let parts: Vec<String> = spec
                .loadings()
                .iter()
                .map(|&(d, n)| {
                    format!(
                        "{} {}/{n}",
                        d.name(),
                        p.aqs.get(&d.name()).copied().unwrap_or(0)
                    )
                })
                .collect();
            if parts.is_empty() {
                "relaxed".to_string()
            } else {
                format!("shear {}", parts.join(" "))
            }
        } else if p.md_step >= spec.md_steps() {
            "md done, relax next".to_string()
        } else {
            format!(
                "md {:.0} % ({} of {} steps)",
                100.0 * p.md_step as f64 / spec.md_steps().max(1) as f64,
                p.md_step,
                spec.md_steps()
            )
        }
    };
    match s {
        State::Committed => "committed".into(),
        State::Extend { directions } => {
            format!(
                "committed with {directions} direction(s): rebuild from its reference for {}",
                spec.loadings().len()
            )
        }
        State::Finished => "finished, not packed".into(),
        State::Local(p) => format!("here: {}", progress(p)),
        State::Partial(p) => format!("checkpoint: {}", progress(p)),
        State::Missing => "queued".into(),
    }
}

/// Core-seconds left for a planned sample.
fn seconds_left(s: &State, spec: &Spec) -> f64 {
    match s {
        State::Committed | State::Finished => 0.0,
        State::Local(p) | State::Partial(p) => p.core_seconds_left(spec),
        State::Missing => Progress::default().core_seconds_left(spec),
        State::Extend { .. } => Progress {
            md_step: spec.md_steps(),
            ..Progress::default()
        }
        .core_seconds_left(spec),
    }
}

/// `md status [--readme]`: the plan against the repository and this
/// machine; with `--readme`, the same table (as Markdown) goes into
/// datasets/README.md between its `md status` markers.
pub fn status(paths: &Paths, readme: bool) -> Result<()> {
    use std::fmt::Write as _;
    let plan = read_plan(paths)?;
    let mut text = String::new();
    let mut md = String::from(
        "| item | sample | atoms | directions | schedule | frames | core-hours left | state |\n|---|---|---|---|---|---|---|---|\n",
    );
    let _ = writeln!(
        text,
        "{:>4}  {:<36} {:>6} {:>6} {:>5}  {:<6}  {:>8}  state",
        "item", "sample", "atoms", "dirs", "sched", "frames", "core-h"
    );
    let mut left = 0.0;
    for p in &plan {
        let st = state(paths, p);
        let secs = seconds_left(&st, &p.spec);
        left += secs;
        let sched = if p.spec.schedule.is_window() {
            "window"
        } else {
            "linear"
        };
        let frames = match p.frames {
            Frames::All => "all",
            Frames::Labels => "labels",
            Frames::Reference => "ref",
        };
        let hours = if secs > 0.0 {
            format!("{:.1}", secs / 3600.0)
        } else {
            "-".into()
        };
        let what = state_text(&st, &p.spec);
        let _ = writeln!(
            text,
            "{:>4}  {:<36} {:>6} {:>6} {:>5}  {:<6}  {:>8}  {what}",
            p.item,
            p.spec.id(),
            p.spec.atoms(),
            p.spec.loadings().len(),
            sched,
            frames,
            hours,
        );
        // The README describes the repository, not this machine's data/md.
        let repo = Paths {
            root: paths.root.clone(),
            data: paths.root.join("datasets/.no-local-data"),
        };
        let st = state(&repo, p);
        let secs = seconds_left(&st, &p.spec);
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {} | {sched} | {frames} | {} | {} |",
            p.item,
            p.spec.id(),
            p.spec.atoms(),
            p.spec.loadings().len(),
            if secs > 0.0 {
                format!("{:.1}", secs / 3600.0)
            } else {
                "-".into()
            },
            state_text(&st, &p.spec),
        );
    }
    let used = dir_size(&paths.root.join("datasets"))?;
    let summary = format!(
        "datasets/ holds {:.1} MB of its {} MB (checkpoints {:.1} MB of {} MB); the plan needs about {:.0} core-hours more ({:.0} h on 2 ranks) at the measured speeds",
        used as f64 / 1e6,
        BUDGET / 1024 / 1024,
        partial::used(paths) as f64 / 1e6,
        partial::BUDGET / 1024 / 1024,
        left / 3600.0,
        left / 3600.0 / super::run::TWO_RANK_SPEEDUP,
    );
    println!("{text}{summary}");
    if readme {
        let path = paths.root.join("datasets/README.md");
        let doc = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (open, close) = ("<!-- md status -->", "<!-- /md status -->");
        let (Some(a), Some(b)) = (doc.find(open), doc.find(close)) else {
            bail!("{}: no {open} … {close} markers", path.display());
        };
        let new = format!(
            "{}{open}\n{md}\n{summary} (`cargo xtask md status --readme`, {}).\n{}",
            &doc[..a],
            super::run::utc_now(),
            &doc[b..]
        );
        write_atomic(&path, new.as_bytes())?;
        println!("wrote the table into {}", path.display());
    }
    Ok(())
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    if dir.is_dir() {
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            total += if p.is_dir() {
                dir_size(&p)?
            } else {
                p.metadata()?.len()
            };
        }
    }
    Ok(total)
}

/// `md pause`: asks a running `md run` to stop at a clean point.
pub fn pause(paths: &Paths) -> Result<()> {
    std::fs::create_dir_all(paths.md())?;
    let f = paths.md().join("PAUSE");
    std::fs::write(&f, b"").with_context(|| format!("cannot create {}", f.display()))?;
    println!(
        "asked every `md run` on this machine to stop at a clean point ({}); it packs its checkpoint into datasets/partial/",
        f.display()
    );
    Ok(())
}

/// `md run --next [--budget T] [--jobs J]`: works through the plan.
/// Without a budget each of the `jobs` workers makes one sample; with one
/// they go on until the time is up. Several workers take the next samples
/// of the plan that no other worker has claimed (small samples scale
/// poorly over MPI ranks: two serial runs do more per hour than one on two).
pub fn run_next(
    paths: &Paths,
    np: Option<usize>,
    budget: Option<Duration>,
    jobs: usize,
) -> Result<()> {
    let control = Control::new(paths, budget.map(|b| Instant::now() + b));
    // A pause left from an earlier run must not stop this one.
    let _ = std::fs::remove_file(&control.pause_file);
    let claimed = std::sync::Mutex::new(std::collections::HashSet::new());
    let keep_going = budget.is_some();
    let result = if jobs <= 1 {
        worker(paths, np, keep_going, &control, &claimed)
    } else {
        super::run::SHOW_SAMPLE.store(true, std::sync::atomic::Ordering::Relaxed);
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..jobs)
                .map(|_| s.spawn(|| worker(paths, np, keep_going, &control, &claimed)))
                .collect();
            // Every worker finishes (and packs) before the first error is told.
            let results: Vec<Result<()>> = workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("an md worker panicked")))
                })
                .collect();
            results.into_iter().collect::<Result<Vec<()>>>().map(|_| ())
        })
    };
    let _ = std::fs::remove_file(&control.pause_file);
    result
}

/// One worker of `run --next`: claims the first planned sample that is not
/// committed and that no other worker holds, makes it, packs it (or its
/// checkpoint when the budget ends), and goes on while `keep_going`.
fn worker(
    paths: &Paths,
    np: Option<usize>,
    keep_going: bool,
    control: &Control,
    claimed: &std::sync::Mutex<std::collections::HashSet<String>>,
) -> Result<()> {
    loop {
        let (spec, planned, rebuild) = {
            // Claiming (and measuring a T_g a window sample needs) is done
            // by one worker at a time.
            let mut held = claimed
                .lock()
                .map_err(|_| anyhow::anyhow!("an md worker panicked"))?;
            let plan = read_plan(paths)?;
            let Some((next, next_state)) = plan
                .iter()
                .filter(|p| !held.contains(&p.spec.id()))
                .map(|p| (p, state(paths, p)))
                .find(|(_, s)| *s != State::Committed)
            else {
                println!("every planned sample is committed or being made");
                return Ok(());
            };
            if control.should_pause() {
                println!("the budget is spent; next in the plan: {}", next.spec.id());
                return Ok(());
            }
            held.insert(next.spec.id());
            let mut spec = next.spec.clone();
            if let Schedule::Window { tg: None } = spec.schedule {
                spec.schedule = Schedule::Window {
                    tg: Some(tg::ensure(paths, spec.condition, np)?),
                };
            }
            let rebuild = match next_state {
                State::Extend { .. } => Some(dataset_dir(paths, &spec).join("frame_000.dump.gz")),
                State::Finished => None,
                _ => {
                    partial::unpack(paths, &spec)?;
                    None
                }
            };
            let planned = Planned {
                spec: spec.clone(),
                frames: next.frames,
                item: next.item,
            };
            (spec, planned, rebuild)
        };
        match make_sample(paths, &spec, Some(ranks(np)), control, rebuild.as_deref())? {
            Outcome::Finished => {
                // The glass checks (density, energy, g(r), CNA, the
                // curve) go into the manifest; a failure is packed with
                // "passed": false and said loudly, never hidden.
                match super::check::check_sample(paths, &spec.dir(paths)) {
                    Ok(true) => {}
                    Ok(false) => println!(
                        "WARNING: {} failed md check (see check.json); packed with \"passed\": false",
                        spec.id()
                    ),
                    Err(e) => println!("WARNING: cannot check {}: {e:#}", spec.id()),
                }
                pack_one(paths, &planned)?;
                partial::remove(paths, &spec)?;
            }
            Outcome::Paused => {
                partial::pack(paths, &spec, &planned.primary_frames())?;
                return Ok(());
            }
        }
        if !keep_going {
            return Ok(());
        }
    }
}

/// `md pack`: packs every finished planned sample that is not committed
/// yet, and a checkpoint of every unfinished one under `data/md` that no
/// run is writing (nothing in its folder changed for two minutes), so that
/// work done on this machine outlives it.
pub fn pack(paths: &Paths) -> Result<()> {
    let plan = read_plan(paths)?;
    let (mut n, mut k) = (0, 0);
    for p in &plan {
        match state(paths, p) {
            State::Finished => {
                pack_one(paths, p)?;
                partial::remove(paths, &p.spec)?;
                n += 1;
            }
            State::Local(_) if !recently_changed(&p.spec.dir(paths)) => {
                partial::pack(paths, &p.spec, &p.primary_frames())?;
                k += 1;
            }
            _ => {}
        }
    }
    println!("md pack: {n} samples packed, {k} checkpoints packed");
    Ok(())
}

/// Whether a file in `dir` changed in the last two minutes (a run writing it).
fn recently_changed(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age < Duration::from_secs(120))
        })
}

/// The files a packed sample keeps, relative to it.
fn packed_files(p: &Planned) -> Vec<String> {
    let mut files: Vec<String> = p
        .primary_frames()
        .iter()
        .map(|k| format!("frame_{k:03}.dump.gz"))
        .collect();
    if p.spec.reference_only {
        return files;
    }
    files.push("stress-strain.txt".into());
    for (d, steps) in p.spec.loadings().into_iter().skip(1) {
        let sub = d.sub();
        for k in OTHER_FRAMES.into_iter().filter(|&k| k <= steps) {
            files.push(format!("{sub}frame_{k:03}.dump.gz"));
        }
        files.push(format!("{sub}stress-strain.txt"));
    }
    files
}

fn pack_one(paths: &Paths, p: &Planned) -> Result<()> {
    let src = p.spec.dir(paths);
    let dst = dataset_dir(paths, &p.spec);
    let files = packed_files(p);
    let size: u64 = files
        .iter()
        .map(|f| src.join(f).metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    let used = dir_size(&paths.root.join("datasets"))? - dir_size(&dst)?;
    if used + size > BUDGET {
        bail!(
            "packing {} would take datasets/ to {:.1} MB, past its {} MB budget",
            p.spec.id(),
            (used + size) as f64 / 1e6,
            BUDGET / 1024 / 1024
        );
    }
    // Build the folder beside the old one, then swap, so a failure leaves
    // what was committed.
    let tmp = dst.with_extension("packing");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp)?;
    let mut sums = serde_json::Map::new();
    for f in &files {
        let from = src.join(f);
        let to = tmp.join(f);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("cannot copy {}", from.display()))?;
        sums.insert(f.clone(), json!(sha256(&to)?));
    }
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("manifest.json"))?)?;
    let primary = p.primary_frames();
    manifest["packed"] = json!({
        "frames": primary,
        "strains": primary.iter().map(|&k| k as f64 * STRAIN_STEP).collect::<Vec<_>>(),
        "other_directions": p.spec.loadings().iter().skip(1).map(|(d, _)| json!({ "name": d.name(), "folder": d.sub(), "frames": OTHER_FRAMES })).collect::<Vec<_>>(),
        "files_sha256": sums,
        "note": "frame_000 is the 0 K reference of every direction; frame_k is the relaxed state at shear strain k * 0.00125 (+xy here, the others under directions/<name>/); stress-strain.txt: frame, strain, the shear direction's pressure component (bar; the shear stress is its negative), pe/atom (eV), volume (Å³)",
    });
    if let Ok(check) = std::fs::read_to_string(src.join("check.json")) {
        manifest["check"] = serde_json::from_str(&check)?;
    }
    write_atomic(
        &tmp.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    if dst.exists() {
        let old = dst.with_extension("old");
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        std::fs::rename(&dst, &old)?;
        std::fs::rename(&tmp, &dst)?;
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(&tmp, &dst)?;
    }
    println!(
        "packed {} into {} ({:.1} MB): commit it",
        p.spec.id(),
        dst.display(),
        size as f64 / 1e6
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_plan_parses_in_item_order() {
        let text =
            std::fs::read_to_string(crate::project_root().join("datasets/plan.json")).unwrap();
        let plan = parse_plan(&text, "plan.json", |_| Some(700.0)).unwrap();
        assert!(!plan.is_empty());
        let items: Vec<u64> = plan.iter().map(|p| p.item).collect();
        let mut sorted = items.clone();
        sorted.sort();
        assert_eq!(items, sorted, "the plan is in item order");
        // Item 1: the two committed 10^13 K/s glasses get six directions.
        assert_eq!(plan[0].spec.id(), "Cu65Zr35/n4000-r1e13/seed1");
        assert_eq!(plan[0].spec.loadings().len(), 6);
        assert_eq!(plan[1].spec.id(), "Cu65Zr35/n4000-r1e13/seed2");
        // The paper-scaled base: window schedule, all frames, six directions.
        let base = plan
            .iter()
            .find(|p| p.spec.id() == "Cu65Zr35/n4000-r1e12-window/seed1")
            .unwrap();
        assert_eq!(base.frames, Frames::All);
        assert_eq!(base.spec.loadings().len(), 6);
    }

    #[test]
    fn packed_files_per_kind() {
        let text = r#"{ "samples": [
            { "item": 1, "condition": "Cu65Zr35", "cells": 10, "rate": 1e13, "seeds": [1], "frames": "labels", "directions": 6 },
            { "item": 3, "condition": "Cu65Zr35", "cells": 7, "rate": 1e12, "seeds": [1], "frames": "reference", "schedule": "window" },
            { "item": 4, "condition": "Cu65Zr35", "cells": 10, "rate": 1e12, "seeds": [1], "frames": "all", "schedule": "window" }
        ] }"#;
        let plan = parse_plan(text, "t", |_| None).unwrap();
        let six = packed_files(&plan[0]);
        assert!(six.contains(&"frame_080.dump.gz".to_string()));
        assert!(six.contains(&"directions/yz-/frame_040.dump.gz".to_string()));
        assert!(six.contains(&"directions/xy-/stress-strain.txt".to_string()));
        assert!(!six.contains(&"directions/xy-/frame_060.dump.gz".to_string()));
        assert_eq!(six.len(), 5 + 1 + 5 * 3);
        assert_eq!(
            packed_files(&plan[1]),
            vec!["frame_000.dump.gz".to_string()]
        );
        assert!(plan[1].spec.loadings().is_empty());
        assert_eq!(plan[1].spec.schedule, Schedule::Window { tg: None });
        assert_eq!(plan[1].spec.id(), "Cu65Zr35/n1372-r1e12-window/seed1");
        assert_eq!(packed_files(&plan[2]).len(), 81 + 1);
    }

    #[test]
    fn bad_plans_are_named() {
        let bad = [
            (
                r#"{ "samples": [ { "condition": "Cu65Zr35", "cells": 10, "rate": 1e13, "seeds": [1], "directions": 3 } ] }"#,
                "directions must be 1 or 6",
            ),
            (
                r#"{ "samples": [ { "condition": "Cu65Zr35", "cells": 10, "rate": 1e13, "seeds": [1], "schedule": "fast" } ] }"#,
                "schedule must be",
            ),
            (
                r#"{ "samples": [ { "condition": "Cu65Zr35", "cells": 10, "rate": -1, "seeds": [1] } ] }"#,
                "rate must be",
            ),
            (
                r#"{ "samples": [ { "condition": "Cu65Zr35", "cells": 10, "rate": 1e13, "seeds": [1, 1] } ] }"#,
                "planned twice",
            ),
            (
                r#"{ "samples": [ { "condition": "CuAg", "cells": 10, "rate": 1e13, "seeds": [1] } ] }"#,
                "unknown condition",
            ),
        ];
        for (text, want) in bad {
            let e = format!(
                "{:#}",
                parse_plan(text, "plan.json", |_| None).err().unwrap()
            );
            assert!(e.contains(want), "{e}");
        }
    }
}
