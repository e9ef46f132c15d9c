//! `cargo xtask bench-peers d2min`: our D²min against OVITO's
//! `AtomicStrainModifier` on the same frames in the same run.
//!
//! `cargo xtask bench-peers spatial`: our full neighbour list against
//! freud's on the same points and cutoff, measured in the same run, printed
//! as freud's time over ours (above 1: we are faster).
//!
//! Points are uniform at the glass density (0.06 Å⁻³) in a periodic cube,
//! drawn from a fixed seed and written once for both sides. Ours is the
//! release build of `peer-spatial` (cell list, all threads); freud's is
//! `AABBQuery(...).query(points, {r_max, exclude_ii}).toNeighborList()` with
//! its default threads, from PyPI in `.venv`. Each side is timed best of three.
//!
//! `cargo xtask bench-peers geometry`: our periodic plain Voronoi
//! tessellation (every cell with its faces) on 1 and 2 threads against
//! voro++ (through `voro_rs`, one thread) and freud's `locality.Voronoi` (one
//! thread) on the same uniform points, best of three; the volume sums (all
//! `L³`) and face counts show that the codes cut the same cells. Our peak
//! resident memory at the largest size is read with `/usr/bin/time -v` (or
//! the peer's own `VmHWM`) and printed per atom.
//!
//! `cargo xtask bench-peers features`: the paper's 80 interstice features of
//! the 4 000-atom orthorhombic Cu65Zr35 glass of the amlearn parity test
//! (`crates/features/tests/data/amlearn/glass.dump.gz`), ours on 1 and 2
//! threads (`peer-features`, best of five, from `FrameContext::new` on, the
//! tessellation included) against amlearn 0.3.4's own pipeline (one thread,
//! `time_amlearn.py` next to the data, `FeaturizePipeline.fit_transform`
//! only, best of one by default), in the same run. Both sides check their 80
//! columns against the committed `amlearn_paper80.csv.gz` within 1e-8, so the
//! times are of the same result; printed as amlearn's time over ours (above
//! 1: we are faster). amlearn lives in the git-ignored `.venv-amlearn`, built
//! by hand (the error says how). With `--large`, ours alone on the 6 × 6 × 7
//! replica of `fixtures/cuzr65-4000/frame_000.dump.gz` (1 008 000 atoms) on
//! 2 threads, the whole frame at once and block by block: wall time and peak
//! resident memory per atom, against the aims of issue 19 (under 10 s, at
//! most 1 KB per atom beyond the 640-byte-per-atom output table); `--huge`
//! adds the 14 × 14 × 13 replica (10 192 000 atoms) block by block.
//!
//! `cargo xtask bench-peers learn`: the paper's whole 15-model protocol (3
//! seeded undersamplings × stratified 5-fold CV, gradient-boosted trees with
//! log-loss, 300 trees, depth 2, learning rate 0.1, √n features per split,
//! min samples per split and leaf 0.1 % of the training samples) on the
//! paper80 features and D²min labels of `fixtures/cuzr65-4000` (frame 0
//! against frame 40, made by our own release binary), against scikit-learn's
//! `GradientBoostingClassifier` and, if `pip install lightgbm` works in
//! `.venv`, LightGBM (histogram-based, one thread; the nearest settings, not
//! the same trees), in the same run. Ours is the whole `interstice train`
//! command (process start, reading both CSVs, the natural-ratio scores and
//! the metrics table included), also with `RAYON_NUM_THREADS=1`; the peers
//! run `xtask/peers/learn_sklearn.py` from reading the CSVs to the last fold
//! (interpreter start and imports excluded). All best of `--repeats` (3).
//! The generators differ, so the folds differ: the mean ± std ROC-AUC on the
//! balanced test folds are comparable in distribution, not fold by fold.
//!
//! `cargo xtask bench-peers python`: `interstice.featurize` from Python
//! against the same features from Rust ([`python()`]).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

mod d2min;
mod features;
mod geometry;
mod learn;
mod python;
mod spatial;

use d2min::*;
use features::*;
use geometry::*;
use learn::*;
use python::*;
use spatial::*;

/// Runs `cargo xtask bench-peers <what>`.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("spatial") => spatial(root, &args[1..]),
        Some("d2min") => d2min(root),
        Some("geometry") => geometry(root, &args[1..]),
        Some("features") => features(root, &args[1..]),
        Some("learn") => learn(root, &args[1..]),
        Some("python") => python(root, &args[1..]),
        _ => bail!(
            "usage: cargo xtask bench-peers <spatial [--sizes N,N,...] [--r R] | d2min | geometry [--sizes N,N,...] [--large] | features [--repeats N] [--amlearn-repeats N] [--large] [--huge] | learn [--repeats N] [--seed S] | python [--repeats N]>"
        ),
    }
}

/// Makes sure `.venv` has `module` (installing `package` from PyPI if not).
pub(crate) fn python_with(root: &Path, module: &str, package: &str) -> Result<std::path::PathBuf> {
    let python = root.join(".venv/bin/python");
    if !python.exists()
        && !Command::new("python3")
            .args(["-m", "venv"])
            .arg(root.join(".venv"))
            .status()?
            .success()
    {
        bail!("cannot create .venv");
    }
    let has = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        println!("installing {package} into .venv");
        if !Command::new(root.join(".venv/bin/pip"))
            .args(["install", "--quiet", package])
            .status()?
            .success()
        {
            bail!("pip install {package} failed");
        }
    }
    Ok(python)
}

pub(super) fn build_peer(root: &Path, bin: &str) -> Result<std::path::PathBuf> {
    build_peer_with(root, bin, &[])
}

/// Builds a peer binary of the benches crate in release mode with `features`.
pub(super) fn build_peer_with(
    root: &Path,
    bin: &str,
    features: &[&str],
) -> Result<std::path::PathBuf> {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "interstice-benches",
        "--bin",
        bin,
    ]);
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    let ok = cmd.current_dir(root).status()?.success();
    if !ok {
        bail!("cannot build {bin}");
    }
    Ok(root.join("target/release").join(bin))
}

/// Runs a timing command that prints `seconds value [version]`.
pub(super) fn timed(cmd: &mut Command) -> Result<(f64, f64, String)> {
    let out = cmd.output()?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    let v: Vec<&str> = last.split_whitespace().collect();
    if v.len() < 2 {
        bail!("unexpected timing output '{last}'");
    }
    Ok((
        v[0].parse()?,
        v[1].parse()?,
        v.get(2).unwrap_or(&"").to_string(),
    ))
}
