//! `cargo xtask bench-peers learn`: Gradient-boosted trees against scikit-
//! learn and LightGBM.

use super::*;

/// Whether `.venv`'s `python` has `module`, trying `pip install package`
/// once if not; a failed install is not an error (the peer is skipped).
pub(super) fn try_python_module(root: &Path, python: &Path, module: &str, package: &str) -> bool {
    let has = || {
        Command::new(python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has() {
        return true;
    }
    println!("installing {package} into .venv");
    let installed = Command::new(root.join(".venv/bin/pip"))
        .args(["install", "--quiet", package])
        .status()
        .is_ok_and(|s| s.success());
    installed && has()
}

/// Runs `cmd`, checking that it succeeds, and returns its standard output.
pub(super) fn stdout_of(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!("{what}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Mean and std of the balanced-fold ROC-AUC from `interstice train`'s
/// table (`... ROC-AUC <mean> ± <std> ...` on its second line).
pub(super) fn parse_train_auc(text: &str) -> Result<(f64, f64)> {
    let line = text
        .lines()
        .find(|l| l.starts_with("balanced test folds"))
        .with_context(|| format!("no balanced-fold line in '{text}'"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let at = fields
        .iter()
        .position(|&f| f == "ROC-AUC")
        .context("no ROC-AUC in the balanced-fold line")?;
    match fields.get(at + 1..at + 4) {
        Some([mean, "±", std]) => Ok((mean.parse()?, std.parse()?)),
        _ => bail!("unexpected balanced-fold line '{line}'"),
    }
}

/// The 15-model protocol: `interstice train` against scikit-learn's
/// `GradientBoostingClassifier` (and LightGBM when it installs) on the same
/// feature and label tables.
pub(super) fn learn(root: &Path, args: &[String]) -> Result<()> {
    let (mut repeats, mut seed) = (3usize, 0u64);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--repeats" => repeats = value.parse().context("--repeats: a whole number")?,
            "--seed" => seed = value.parse().context("--seed: a whole number")?,
            other => bail!("unknown option '{other}'"),
        }
    }
    if repeats == 0 {
        bail!("--repeats: at least 1");
    }
    let python = python_with(root, "sklearn", "scikit-learn")?;
    python_with(root, "pandas", "pandas")?;
    let lightgbm = try_python_module(root, &python, "lightgbm", "lightgbm");
    let bin = crate::binary::interstice(root)?;
    let work = root.join("target/bench-peers");
    std::fs::create_dir_all(&work)?;
    let (features, labels) = (
        work.join("learn-features.csv"),
        work.join("learn-labels.csv"),
    );
    let fixture = |k: usize| root.join(format!("fixtures/cuzr65-4000/frame_{k:03}.dump.gz"));
    stdout_of(
        Command::new(&bin)
            .arg("featurize")
            .arg(fixture(0))
            .args(["--types", "1=Cu,2=Zr", "--out"])
            .arg(&features),
        "interstice featurize",
    )?;
    let label_text = stdout_of(
        Command::new(&bin)
            .arg("label")
            .arg(fixture(0))
            .arg(fixture(40))
            .args(["--cutoff", "5.0", "--types", "1=Cu,2=Zr", "--out"])
            .arg(&labels),
        "interstice label",
    )?;
    let train_args = [
        "train".to_string(),
        "--features".into(),
        features.display().to_string(),
        "--labels".into(),
        labels.display().to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    let time_ours = |threads: Option<&str>| -> Result<(f64, (f64, f64), String)> {
        let (mut best, mut last) = (f64::INFINITY, String::new());
        for _ in 0..repeats {
            let mut cmd = Command::new(&bin);
            cmd.args(&train_args);
            if let Some(t) = threads {
                cmd.env("RAYON_NUM_THREADS", t);
            }
            let t = std::time::Instant::now();
            last = stdout_of(&mut cmd, "interstice train")?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok((best, parse_train_auc(&last)?, last))
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "15-model protocol (3 undersamplings × stratified 5-fold CV, 300 trees, depth 2, learning rate 0.1, √n features per split), best of {repeats} ({cores} cores, load {} before the run)",
        load_average()
    );
    println!(
        "data: paper80 features of fixtures/cuzr65-4000 frame 0, D²min labels against frame 40 (cutoff 5 Å): {}",
        label_text
            .lines()
            .next()
            .and_then(|l| l.split(';').next())
            .unwrap_or("")
            .trim()
    );
    let (ours, ours_auc, ours_text) = time_ours(None)?;
    let (ours_1t, ours_1t_auc, _) = time_ours(Some("1"))?;
    if ours_auc != ours_1t_auc {
        bail!("interstice train gives another ROC-AUC with RAYON_NUM_THREADS=1");
    }
    println!("  {}", ours_text.lines().next().unwrap_or("").trim());
    let mut codes = vec!["sklearn"];
    if lightgbm {
        codes.push("lightgbm");
    } else {
        println!("lightgbm: pip install failed, skipped");
    }
    let text = stdout_of(
        Command::new(&python)
            .arg(root.join("xtask/peers/learn_sklearn.py"))
            .arg(&features)
            .arg(&labels)
            .args([seed.to_string(), repeats.to_string(), codes.join(",")])
            .envs([
                ("OMP_NUM_THREADS", "1"),
                ("OPENBLAS_NUM_THREADS", "1"),
                ("MKL_NUM_THREADS", "1"),
            ]),
        "learn_sklearn.py",
    )?;
    let mut peers = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [code, seconds, mean, std, version] = fields[..] else {
            bail!("unexpected learn_sklearn.py output '{line}'");
        };
        peers.push((
            code.to_string(),
            seconds.parse::<f64>()?,
            (mean.parse::<f64>()?, std.parse::<f64>()?),
            version.to_string(),
        ));
    }
    println!(
        "{:<28} {:>9} {:>17} {:>11}",
        "code", "wall s", "ROC-AUC (15)", "peer/ours"
    );
    let auc = |(m, s): (f64, f64)| format!("{m:.3} ± {s:.3}");
    println!("{:<28} {ours:>9.3} {:>17}", "ours", auc(ours_auc));
    println!(
        "{:<28} {ours_1t:>9.3} {:>17}",
        "ours RAYON_NUM_THREADS=1",
        auc(ours_1t_auc)
    );
    for (code, seconds, peer_auc, version) in &peers {
        println!(
            "{:<28} {seconds:>9.3} {:>17} {:>11.1}",
            version,
            auc(*peer_auc),
            seconds / ours
        );
        if code == "sklearn" {
            println!(
                "sklearn_time / our_time = {:.1} (>1: we are faster)",
                seconds / ours
            );
        }
    }
    println!(
        "ours: the whole `interstice train` command; peers: from reading the CSVs to the last fold, one thread, imports excluded"
    );
    println!(
        "the codes draw different undersamplings and folds: the ROC-AUCs are comparable in distribution, not fold by fold"
    );
    Ok(())
}
