//! The paper-scaled data set, grown a few samples per session.
//!
//! `datasets/plan.json` lists what the figures need (conditions ×
//! configurations × rate × size). `status` compares it with what is
//! committed under `datasets/` and what is finished or running under
//! `data/md`; `run --next` makes the first missing sample and packs it;
//! `pack` copies finished samples into `datasets/` in compact form (the 0 K
//! reference and the labelling frames at 2.5, 5, 7.5 and 10 % strain, or all
//! 81 frames where the plan says so) with a manifest and SHA-256 sums.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::run::{Spec, make_sample, ranks};
use super::{Paths, condition, sha256, write_atomic};

/// The committed data set may not grow past this many bytes.
pub const BUDGET: u64 = 80 * 1024 * 1024;
/// Frames that the labels use: 0 (reference), 2.5, 5, 7.5 and 10 % strain.
const LABEL_FRAMES: [usize; 5] = [0, 20, 40, 60, 80];
/// Serial EAM speed measured on this machine (serial 1 372-atom runs of
/// `reproduce --data quick`: 1 000 steps in 5 to 7 s), atom-steps per second
/// per core; shared/MD.md's 5e5 was not reached here.
const ATOM_STEPS_PER_S: f64 = 2e5;

/// One planned sample and which frames to keep.
pub struct Planned {
    spec: Spec,
    all_frames: bool,
}

fn plan_path(paths: &Paths) -> PathBuf {
    paths.root.join("datasets/plan.json")
}

fn dataset_dir(paths: &Paths, spec: &Spec) -> PathBuf {
    paths.root.join("datasets").join(spec.id())
}

/// Reads `datasets/plan.json`.
pub fn read_plan(paths: &Paths) -> Result<Vec<Planned>> {
    let path = plan_path(paths);
    let plan: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    )
    .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let mut out = Vec::new();
    for (k, entry) in plan["samples"]
        .as_array()
        .context("plan.json: expected a 'samples' array")?
        .iter()
        .enumerate()
    {
        let field = |name: &str| {
            entry
                .get(name)
                .with_context(|| format!("plan.json sample {k}: missing '{name}'"))
        };
        let cond = condition(
            field("condition")?
                .as_str()
                .context("condition must be a string")?,
        )?;
        let cells = field("cells")?
            .as_u64()
            .context("cells must be a whole number")? as usize;
        let rate = field("rate")?.as_f64().context("rate must be a number")?;
        let frames = field("frames")?.as_str().unwrap_or("labels");
        if frames != "all" && frames != "labels" {
            bail!("plan.json sample {k}: frames must be 'all' or 'labels', found '{frames}'");
        }
        for seed in field("seeds")?
            .as_array()
            .context("seeds must be an array")?
        {
            let seed = seed.as_u64().context("seeds must be whole numbers")?;
            let spec = Spec {
                condition: cond,
                cells,
                rate,
                seed,
                preset: "paper-scaled".into(),
                shear_steps: super::run::SHEAR_STEPS,
            };
            out.push(Planned {
                spec,
                all_frames: frames == "all",
            });
        }
    }
    Ok(out)
}

/// Where a planned sample stands.
fn state(paths: &Paths, p: &Planned) -> String {
    let dir = p.spec.dir(paths);
    if dataset_dir(paths, &p.spec).join("manifest.json").exists() {
        "committed".into()
    } else if dir.join("manifest.json").exists() {
        "finished, not packed".into()
    } else if dir.exists() {
        let stage = ["shear", "relax", "hold", "quench", "melt"]
            .into_iter()
            .find(|s| dir.join(format!("log.{s}")).exists())
            .unwrap_or("started");
        format!("in progress ({stage})")
    } else {
        "missing".into()
    }
}

/// `md status`.
pub fn status(paths: &Paths) -> Result<()> {
    let plan = read_plan(paths)?;
    println!(
        "{:<34} {:>7} {:>9} {:>7}  state",
        "sample", "atoms", "rate K/s", "frames"
    );
    let mut missing_hours = 0.0;
    for p in &plan {
        let st = state(paths, p);
        let hours = p.spec.atom_steps() / ATOM_STEPS_PER_S / 3600.0;
        if st == "missing" || st.starts_with("in progress") {
            missing_hours += hours;
        }
        println!(
            "{:<34} {:>7} {:>9.0e} {:>7}  {st}{}",
            p.spec.id(),
            p.spec.atoms(),
            p.spec.rate,
            if p.all_frames { "all" } else { "labels" },
            if st == "missing" {
                format!(" (about {hours:.1} core-hours)")
            } else {
                String::new()
            }
        );
    }
    let used = dir_size(&paths.root.join("datasets"))?;
    println!(
        "datasets/ holds {:.1} MB of the {} MB budget; the missing samples need about {missing_hours:.0} core-hours",
        used as f64 / 1e6,
        BUDGET / 1024 / 1024
    );
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

/// `md run --next`: makes and packs the first planned sample not yet committed.
pub fn run_next(paths: &Paths, np: Option<usize>) -> Result<()> {
    let plan = read_plan(paths)?;
    let Some(next) = plan.iter().find(|p| state(paths, p) != "committed") else {
        println!("every planned sample is committed");
        return Ok(());
    };
    make_sample(paths, &next.spec, Some(ranks(np)))?;
    pack_one(paths, next)
}

/// `md pack`: packs every finished planned sample that is not committed yet.
pub fn pack(paths: &Paths) -> Result<()> {
    let plan = read_plan(paths)?;
    let mut n = 0;
    for p in plan
        .iter()
        .filter(|p| state(paths, p) == "finished, not packed")
    {
        pack_one(paths, p)?;
        n += 1;
    }
    println!("md pack: {n} samples packed");
    Ok(())
}

fn pack_one(paths: &Paths, p: &Planned) -> Result<()> {
    let src = p.spec.dir(paths);
    let dst = dataset_dir(paths, &p.spec);
    let frames: Vec<usize> = if p.all_frames {
        (0..=80).collect()
    } else {
        LABEL_FRAMES.to_vec()
    };
    let mut files: Vec<String> = frames
        .iter()
        .map(|k| format!("frame_{k:03}.dump.gz"))
        .collect();
    files.push("stress-strain.txt".into());
    let size: u64 = files
        .iter()
        .map(|f| src.join(f).metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    let used = dir_size(&paths.root.join("datasets"))?;
    if used + size > BUDGET {
        bail!(
            "packing {} would take datasets/ to {:.1} MB, past its {} MB budget",
            p.spec.id(),
            (used + size) as f64 / 1e6,
            BUDGET / 1024 / 1024
        );
    }
    std::fs::create_dir_all(&dst)?;
    let mut sums = serde_json::Map::new();
    for f in &files {
        let from = src.join(f);
        std::fs::copy(&from, dst.join(f))
            .with_context(|| format!("cannot copy {}", from.display()))?;
        sums.insert(f.clone(), json!(sha256(&dst.join(f))?));
    }
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("manifest.json"))?)?;
    manifest["packed"] = json!({
        "frames": frames,
        "strains": frames.iter().map(|&k| k as f64 * 0.00125).collect::<Vec<_>>(),
        "files_sha256": sums,
        "note": "frame_000 is the 0 K reference; frame_k is the relaxed state at shear strain k * 0.00125; stress-strain.txt: frame, strain, pxy (bar), pe/atom (eV), volume (Å³)",
    });
    if let Ok(check) = std::fs::read_to_string(src.join("check.json")) {
        manifest["check"] = serde_json::from_str(&check)?;
    }
    write_atomic(
        &dst.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    println!(
        "packed {} into {} ({:.1} MB)",
        p.spec.id(),
        dst.display(),
        size as f64 / 1e6
    );
    Ok(())
}
