//! `cargo xtask md selftest`: a tiny sample interrupted twice and resumed
//! from its committed checkpoint on a "fresh clone", against the same sample
//! made in one go.
//!
//! Two scratch project roots share this checkout's `.venv` and potentials:
//! - `once/`: the sample made without interruption;
//! - `legs/`: `md run --next` with a budget that ends inside the MD (leg 1);
//!   its `data/md` is then deleted, as on a fresh clone, and the next
//!   `run --next` resumes from `datasets/partial/` until a pause asked for
//!   in the middle of the shear (leg 2); `data/md` is deleted again and leg
//!   3 finishes and packs the sample.
//!
//! Checked: the sample is packed with every file, its checkpoint is gone,
//! its manifest records the three legs; and the first thermo line of leg 2
//! (the state read back from the restart file) equals the uninterrupted
//! run's line at the same step to within [`RESTART_TOLERANCE`] (relative),
//! the precision a LAMMPS binary restart gives (positions, velocities and the
//! Nosé–Hoover state are stored exactly; forces and the virial are summed
//! again over a rebuilt neighbour list, in another order).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use super::Paths;
use super::plan::run_next;

/// Largest relative difference allowed between the first thermo line after
/// a resume and the uninterrupted run's line at the same step.
pub const RESTART_TOLERANCE: f64 = 1e-12;

const PLAN: &str = r#"{ "samples": [
  { "item": 1, "condition": "Cu65Zr35", "cells": 4, "rate": 1e14, "seeds": [7], "frames": "all", "directions": 6, "shear_steps": 4 }
] }"#;
const ID: &str = "Cu65Zr35/n256-r1e14/seed7";
/// The uninterrupted root plans a second sample: two workers (`--jobs 2`)
/// make one each, at the same time.
const PLAN_TWO: &str = r#"{ "samples": [
  { "item": 1, "condition": "Cu65Zr35", "cells": 4, "rate": 1e14, "seeds": [7, 8], "frames": "all", "directions": 6, "shear_steps": 4 }
] }"#;

fn scratch(base: &Path, name: &str, real: &Paths) -> Result<Paths> {
    let root = base.join(name);
    std::fs::create_dir_all(root.join("datasets"))?;
    std::fs::create_dir_all(root.join("data"))?;
    std::os::unix::fs::symlink(real.venv(), root.join(".venv"))?;
    std::os::unix::fs::symlink(real.potentials(), root.join("data/potentials"))?;
    std::fs::write(root.join("datasets/plan.json"), PLAN)?;
    Ok(Paths {
        data: root.join("data"),
        root,
    })
}

/// Thermo rows (step and five numbers) of a log.
fn thermo(log: &Path) -> Result<Vec<(u64, Vec<f64>)>> {
    let text =
        std::fs::read_to_string(log).with_context(|| format!("cannot read {}", log.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            if w.len() != 6 {
                return None;
            }
            let step = w[0].parse().ok()?;
            let v: Option<Vec<f64>> = w[1..].iter().map(|x| x.parse().ok()).collect();
            Some((step, v?))
        })
        .collect())
}

/// Runs the self-test; prints what it measured.
pub fn selftest(real: &Paths) -> Result<()> {
    if !real.lmp().exists() {
        bail!("LAMMPS is missing: run `cargo xtask md setup` first");
    }
    let base = std::env::temp_dir().join(format!("interstice-md-selftest-{}", std::process::id()));
    if base.exists() {
        std::fs::remove_dir_all(&base)?;
    }
    let result = run(real, &base);
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&base);
    } else {
        println!("scratch folders kept in {}", base.display());
    }
    result
}

fn run(real: &Paths, base: &Path) -> Result<()> {
    let once = scratch(base, "once", real)?;
    std::fs::write(once.root.join("datasets/plan.json"), PLAN_TWO)?;
    let legs = scratch(base, "legs", real)?;
    let started = Instant::now();
    // The uninterrupted sample, with a second one beside it (two workers).
    let once_thread = {
        let once = Paths {
            root: once.root.clone(),
            data: once.data.clone(),
        };
        std::thread::spawn(move || run_next(&once, Some(1), None, 2))
    };
    let sample = legs.md().join(ID);
    let fresh_clone = |p: &Paths| -> Result<()> {
        std::fs::remove_dir_all(p.md()).context("cannot delete data/md")?;
        Ok(())
    };

    // Leg 1: a budget that ends inside the MD.
    println!("selftest: leg 1 (budget 15 s)");
    run_next(&legs, Some(1), Some(Duration::from_secs(15)), 1)?;
    let partial = legs.root.join("datasets/partial").join(ID);
    ensure!(
        partial.join("partial.json").exists(),
        "leg 1 left no checkpoint in {}",
        partial.display()
    );
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(partial.join("partial.json"))?)?;
    let halted = info["progress"]["md_step"].as_u64().unwrap_or(0);
    ensure!(
        halted > 0 && !info["progress"]["relaxed"].as_bool().unwrap_or(true),
        "leg 1 should stop inside the MD: {}",
        info["state"]
    );
    println!("selftest: leg 1 stopped at {}", info["state"]);
    fresh_clone(&legs)?;

    // Leg 2: resumes from datasets/partial; paused once the +xy shear has two steps.
    println!("selftest: leg 2 (resume; pause inside the shear)");
    let finished = Arc::new(AtomicBool::new(false));
    let watcher = {
        let sample = sample.clone();
        let pause = legs.md().join("PAUSE");
        let finished = Arc::clone(&finished);
        std::thread::spawn(move || {
            // Until the leg ends, so that a missed step fails at once.
            while !finished.load(Ordering::Acquire) {
                // The +xy stress-strain file has a line per finished step
                // (0 is the reference). The restart of step 2 lives only
                // until step 3 ends, too briefly to poll for on a quiet
                // machine, so count lines instead.
                let steps = std::fs::read_to_string(sample.join("stress-strain.txt"))
                    .map_or(0, |t| t.lines().count());
                if steps >= 3 {
                    // LAMMPS looks for the sample's own pause file between
                    // AQS steps; the driver for the machine-wide one.
                    let _ = std::fs::write(sample.join("PAUSE"), b"");
                    let _ = std::fs::write(&pause, b"");
                    return true;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        })
    };
    let leg2 = run_next(&legs, Some(1), Some(Duration::from_secs(3600)), 1);
    finished.store(true, Ordering::Release);
    leg2?;
    ensure!(
        watcher.join().unwrap_or(false),
        "leg 2 never reached the second shear step"
    );
    let resumed = thermo(&sample.join("log.md"))?;
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(partial.join("partial.json"))?)?;
    let xy = info["progress"]["aqs"]["xy+"].as_u64().unwrap_or(0);
    ensure!(
        info["progress"]["relaxed"].as_bool() == Some(true) && (2..4).contains(&xy),
        "leg 2 should stop inside the +xy shear, after step 2: {}",
        info["state"]
    );
    println!("selftest: leg 2 stopped at {}", info["state"]);
    fresh_clone(&legs)?;

    // Leg 3: finishes and packs.
    println!("selftest: leg 3 (resume; finish)");
    run_next(&legs, Some(1), Some(Duration::from_secs(3600)), 1)?;
    once_thread
        .join()
        .map_err(|_| anyhow::anyhow!("the uninterrupted run panicked"))??;

    // Two workers, one sample each, both packed.
    for seed in ["seed7", "seed8"] {
        let m = once
            .root
            .join("datasets/Cu65Zr35/n256-r1e14")
            .join(seed)
            .join("manifest.json");
        ensure!(
            m.exists(),
            "--jobs 2 did not pack {}",
            m.parent().unwrap_or(&m).display()
        );
    }
    let packed = legs.root.join("datasets").join(ID);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(packed.join("manifest.json"))?)?;
    let n_legs = manifest["legs"].as_array().map_or(0, Vec::len);
    ensure!(
        n_legs == 3,
        "the manifest records {n_legs} legs, expected 3"
    );
    ensure!(
        !partial.exists(),
        "the checkpoint {} was not removed after packing",
        partial.display()
    );
    for f in [
        "frame_000.dump.gz",
        "frame_004.dump.gz",
        "stress-strain.txt",
        "directions/yz-/stress-strain.txt",
    ] {
        ensure!(packed.join(f).exists(), "the packed sample lacks {f}");
    }
    let lines = std::fs::read_to_string(packed.join("directions/xz+/stress-strain.txt"))?
        .lines()
        .count();
    ensure!(
        lines == 5,
        "xz+ has {lines} stress-strain lines, expected 5"
    );
    let primary = std::fs::read_to_string(packed.join("stress-strain.txt"))?
        .lines()
        .count();
    ensure!(
        primary == 5,
        "+xy has {primary} stress-strain lines, expected 5"
    );

    // The first thermo line after the resume against the uninterrupted run.
    let (step, after) = resumed
        .first()
        .cloned()
        .context("the resumed MD log has no thermo line")?;
    ensure!(
        step == halted,
        "leg 2 resumed at step {step}, leg 1 stopped at {halted}"
    );
    let uninterrupted = thermo(&once.md().join(ID).join("log.md"))?;
    let (_, same) = uninterrupted
        .iter()
        .find(|(s, _)| *s == step)
        .with_context(|| format!("the uninterrupted log has no line at step {step}"))?;
    let names = ["temp", "pe", "press", "vol", "pxy"];
    let mut worst: (f64, &str) = (0.0, "");
    for ((a, b), name) in after.iter().zip(same).zip(names) {
        let rel = (a - b).abs() / b.abs().max(1e-300);
        // Pressures near zero: compare against the pressure scale instead.
        let rel = if name.starts_with('p') && name != "pe" {
            (a - b).abs() / same[2].abs().max(1.0)
        } else {
            rel
        };
        if rel > worst.0 {
            worst = (rel, name);
        }
    }
    println!(
        "selftest: at step {step} the resumed run's thermo line differs from the uninterrupted run's by at most {:.1e} (relative, in {})",
        worst.0,
        if worst.1.is_empty() { "none" } else { worst.1 }
    );
    println!("  resumed:       {after:?}\n  uninterrupted: {same:?}");
    ensure!(
        worst.0 <= RESTART_TOLERANCE,
        "the resume differs by {:.1e} in {}, more than {RESTART_TOLERANCE:e}",
        worst.0,
        worst.1
    );
    println!(
        "md selftest: passed in {:.0} s (3 legs, 2 fresh clones, resumed at step {step})",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
