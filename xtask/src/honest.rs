//! `cargo xtask honest`: the honest evaluation of shared/SPEC.md §7b on
//! every committed glass that was sheared in six directions, through the
//! `interstice` binary exactly as a user would run it.
//!
//! For each glass: the paper's 80 features and the 166 symmetry functions
//! of the quenched frame; labels from one direction (+xy) and from the six
//! (plastic propensity, `interstice label --combine rank-mean`); the paper's
//! random folds against slabs with a 5 Å guard (`interstice train --cv
//! blocks`). Then all glasses pooled with one glass left out at a time
//! (`--cv glasses`): the honest within-condition transfer test. 95 %
//! intervals come from a seeded bootstrap over test slabs (one glass) or
//! over test glasses (pooled). `--write` puts the table into
//! docs/results.md between its `honest` markers.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The guard of the block folds, Å (the default of `interstice train`).
const GUARD: &str = "5";
/// Bootstrap resamples.
const RESAMPLES: usize = 2000;

const USAGE: &str = "usage: cargo xtask honest [--trees N] [--datasets DIR] [--write]

  Runs interstice featurize, label and train (random folds, slabs with a
  5 Å guard, one glass left out) on every glass under datasets/ (or DIR)
  sheared in six directions, and prints the tables: per glass, per
  condition (one glass left out, learning curve) and across conditions
  (transfer from the largest condition); --write puts them into
  docs/results.md.";

/// A committed glass with six loading directions.
struct Glass {
    name: String,
    /// Its condition and size, `Cu65Zr35/n4000-r1e13`: glasses of one group
    /// are configurations of one glass-making condition.
    group: String,
    /// LAMMPS types to elements, from the manifest.
    types: String,
    dir: PathBuf,
    directions: Vec<PathBuf>,
}

fn find_glasses(datasets: &Path) -> Result<Vec<Glass>> {
    let mut out = Vec::new();
    let datasets = datasets.to_path_buf();
    let mut dirs = Vec::new();
    for cond in std::fs::read_dir(&datasets).context("datasets/")? {
        let cond = cond?.path();
        if !cond.is_dir()
            || cond
                .file_name()
                .is_some_and(|n| n == "partial" || n == "tg")
        {
            continue;
        }
        for sample in std::fs::read_dir(&cond)? {
            let sample = sample?.path();
            if !sample.is_dir() {
                continue;
            }
            for seed in std::fs::read_dir(&sample)? {
                dirs.push(seed?.path());
            }
        }
    }
    dirs.sort();
    for dir in dirs {
        let mut directions: Vec<PathBuf> = match std::fs::read_dir(dir.join("directions")) {
            Ok(d) => d
                .filter_map(|e| e.ok().map(|e| e.path().join("frame_040.dump.gz")))
                .filter(|p| p.exists())
                .collect(),
            Err(_) => continue,
        };
        directions.sort();
        if directions.len() < 5 || !dir.join("frame_040.dump.gz").exists() {
            continue;
        }
        let rel = dir.strip_prefix(&datasets).unwrap_or(&dir);
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("manifest.json"))
                .with_context(|| format!("{}: no manifest.json", dir.display()))?,
        )?;
        let types = manifest["elements"]
            .as_array()
            .context("manifest.json: no elements")?
            .iter()
            .enumerate()
            .map(|(k, e)| format!("{}={}", k + 1, e.as_str().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(",");
        out.push(Glass {
            types,
            group: rel
                .parent()
                .map_or_else(String::new, |p| p.display().to_string()),
            name: rel.display().to_string(),
            dir,
            directions,
        });
    }
    Ok(out)
}

/// Runs the binary and returns its standard output.
fn run(bin: &Path, args: &[String]) -> Result<String> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "interstice {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The mean and a seeded bootstrap 95 % interval of the mean of `v`.
fn bootstrap(v: &[f64], seed: u64) -> (f64, f64, f64) {
    interstice_learn::stats::bootstrap_mean(v, RESAMPLES, seed)
}

fn cell(v: (f64, f64, f64)) -> String {
    format!("{:.3} [{:.3}, {:.3}]", v.0, v.1, v.2)
}

/// The balanced ROC-AUC of every model in a `metrics.json`.
fn model_aucs(path: &Path) -> Result<Vec<f64>> {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    v["models"]
        .as_array()
        .context("metrics.json: no models")?
        .iter()
        .map(|m| m["roc_auc"].as_f64().context("metrics.json: no roc_auc"))
        .collect()
}

/// The paper's protocol's ROC-AUC (mean ± std) from `interstice train`'s output.
fn paper_auc(out: &str) -> Result<String> {
    out.lines()
        .find(|x| x.starts_with("paper's protocol"))
        .and_then(|x| x.split("ROC-AUC ").nth(1))
        .map(|x| x.split(" (").next().unwrap_or(x).to_string())
        .context("no paper's protocol line")
}

/// Per glass, the ROC-AUC of the held-out softness of a pooled `--cv
/// glasses` run (`glass,id,qs,qs_held_out,plastic`).
fn per_glass_auc(path: &Path, glasses: usize) -> Result<Vec<f64>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut by: Vec<(Vec<bool>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); glasses];
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let g: usize = f[0].parse()?;
        by[g].1.push(f[3].parse()?);
        by[g].0.push(f[4] == "1");
    }
    by.iter()
        .map(|(y, s)| Ok(interstice_learn::metrics::roc_auc(y, s)?))
        .collect()
}

/// `--features F --labels L` of every glass in `members` (indices of the
/// glasses' folders `glass<k>` under `work`).
fn glass_args(work: &Path, members: &[usize], preset: &str, which: &str) -> Vec<String> {
    let mut args = Vec::new();
    for &k in members {
        let dir = work.join(format!("glass{k}"));
        args.extend([
            "--features".into(),
            dir.join(format!("{preset}.parquet")).display().to_string(),
            "--labels".into(),
            dir.join(format!("labels-{which}.csv"))
                .display()
                .to_string(),
        ]);
    }
    args
}

/// `interstice evaluate` of `model` on the glass in `dir` (its `preset`
/// table and `which` labels): the ROC-AUC on all its atoms.
fn evaluate_auc(bin: &Path, model: &Path, dir: &Path, preset: &str, which: &str) -> Result<f64> {
    let s = |p: &Path| p.display().to_string();
    let out = run(
        bin,
        &[
            "evaluate".into(),
            "--model".into(),
            s(model),
            "--features".into(),
            s(&dir.join(format!("{preset}.parquet"))),
            "--labels".into(),
            s(&dir.join(format!("labels-{which}.csv"))),
        ],
    )?;
    Ok(out
        .lines()
        .find(|l| l.starts_with("natural class ratio"))
        .and_then(|l| l.split("ROC-AUC ").nth(1))
        .and_then(|l| l.split_whitespace().next())
        .context("no ROC-AUC in interstice evaluate's output")?
        .parse()?)
}

/// The learning curve over glasses: for each number of training glasses,
/// models trained (all their atoms, the paper's settings) on every subset
/// of that size scoring every glass left out, ROC-AUC on all its atoms;
/// the mean over subsets per test glass, then mean and 95 % CI over test glasses.
fn learning_curve(
    bin: &Path,
    work: &Path,
    members: &[usize],
    group: &str,
    trees: &str,
) -> Result<String> {
    let n = members.len();
    if n < 2 {
        return Ok(String::new());
    }
    let s = |p: &Path| p.display().to_string();
    let mut text = format!(
        "\nLearning curve over the glasses of {group}: models trained on k glasses score a glass none of them saw (ROC-AUC on all its atoms; mean over the training subsets, at most {} of them, then mean and 95 % CI over test glasses):\n\n| features | labels | training glasses | ROC-AUC on an unseen glass |\n|---|---|---|---|\n",
        interstice_pipeline::honest::MAX_SUBSETS
    );
    let mut made = std::collections::HashSet::new();
    for preset in ["paper80", "sf166"] {
        for (label, which) in [("one direction", "one"), ("six, mean rank", "six")] {
            for k in 1..n {
                let mut per_test = Vec::new();
                for t in 0..n {
                    let mut aucs = Vec::new();
                    for train in interstice_pipeline::honest::training_subsets(n, t, k, 0) {
                        let train: Vec<usize> = train.iter().map(|&g| members[g]).collect();
                        let model = work.join(format!(
                            "model-{preset}-{which}-{}.json",
                            train
                                .iter()
                                .map(usize::to_string)
                                .collect::<Vec<_>>()
                                .join("")
                        ));
                        // Trained once per run (never a model of an earlier run).
                        if made.insert(model.clone()) {
                            let mut args: Vec<String> = vec!["train".into()];
                            args.extend(glass_args(work, &train, preset, which));
                            args.extend(
                                ["--trees", trees, "--model", &s(&model)].map(String::from),
                            );
                            run(bin, &args)?;
                        }
                        let dir = work.join(format!("glass{}", members[t]));
                        let auc = evaluate_auc(bin, &model, &dir, preset, which)?;
                        aucs.push(auc);
                    }
                    per_test.push(aucs.iter().sum::<f64>() / aucs.len() as f64);
                }
                let _ = writeln!(
                    text,
                    "| {preset} | {label} | {k} | {} |",
                    cell(bootstrap(&per_test, 11))
                );
            }
        }
    }
    Ok(text)
}

/// Each glass's own honest (slab) ROC-AUC by (glass, feature set, labels).
type Own = std::collections::HashMap<(usize, &'static str, &'static str), f64>;

/// Transfer across conditions, honestly: a model trained on every glass of
/// the largest group (pooled, the paper's settings) scores each glass of the
/// other groups, against that glass's own leak-free slab score. Symmetry
/// functions only where the elements match (their columns name the pairs).
fn transfer(
    bin: &Path,
    work: &Path,
    glasses: &[Glass],
    groups: &[(String, Vec<usize>)],
    own: &Own,
    trees: &str,
) -> Result<String> {
    let Some((base, members)) = groups.iter().max_by_key(|(_, m)| m.len()) else {
        return Ok(String::new());
    };
    if groups.len() < 2 {
        return Ok(String::new());
    }
    let s = |p: &Path| p.display().to_string();
    let mut text = format!(
        "\nTransfer to other conditions: one model trained on all {} glasses of {base} (pooled) scores every atom of a glass of another condition; ΔAUC is taken against that glass's own leak-free slab score (the honest same-condition score), never against its random-fold score:\n\n| target | features | labels | transfer ROC-AUC | own slab ROC-AUC | ΔAUC |\n|---|---|---|---|---|---|\n",
        members.len()
    );
    let base_types = &glasses[members[0]].types;
    for preset in ["paper80", "sf166"] {
        for (label, which) in [("one direction", "one"), ("six, mean rank", "six")] {
            let model = work.join(format!(
                "transfer-model-{}-{preset}-{which}.json",
                base.replace('/', "_")
            ));
            let mut trained = false;
            for (_, targets) in groups.iter().filter(|(g, _)| g != base) {
                for &t in targets {
                    if preset == "sf166" && glasses[t].types != *base_types {
                        continue;
                    }
                    if !trained {
                        let mut args: Vec<String> = vec!["train".into()];
                        args.extend(glass_args(work, members, preset, which));
                        args.extend(["--trees", trees, "--model", &s(&model)].map(String::from));
                        run(bin, &args)?;
                        trained = true;
                    }
                    let dir = work.join(format!("glass{t}"));
                    let auc = evaluate_auc(bin, &model, &dir, preset, which)?;
                    let mine = own.get(&(t, preset, label)).copied().unwrap_or(f64::NAN);
                    let _ = writeln!(
                        text,
                        "| {} | {preset} | {label} | {auc:.3} | {mine:.3} | {:+.3} |",
                        glasses[t].name,
                        auc - mine
                    );
                }
            }
        }
    }
    Ok(text)
}

/// Runs the evaluation.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    let mut trees = "300".to_string();
    let mut write = false;
    let mut datasets = root.join("datasets");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--trees" => trees = it.next().context("--trees needs a number")?.clone(),
            "--datasets" => {
                datasets = PathBuf::from(it.next().context("--datasets needs a folder")?)
            }
            "--write" => write = true,
            _ => bail!("{USAGE}"),
        }
    }
    let glasses = find_glasses(&datasets)?;
    if glasses.is_empty() {
        bail!("no glass under datasets/ has six loading directions");
    }
    let bin = crate::binary::interstice(root)?;
    let work = crate::binary::target_dir(root).join("honest");
    let s = |p: &Path| p.display().to_string();
    let mut curves: Vec<String> = Vec::new();
    // Each glass's own slab score, for the transfer's ΔAUC.
    let mut own: Own = std::collections::HashMap::new();
    let mut table = String::from(
        "| glass | features | labels | random folds (the paper's) | slabs, 5 Å guard [95 % CI over slabs] |\n|---|---|---|---|---|\n",
    );
    for (k, g) in glasses.iter().enumerate() {
        let dir = work.join(format!("glass{k}"));
        std::fs::create_dir_all(&dir)?;
        let reference = g.dir.join("frame_000.dump.gz");
        let mut sets = Vec::new();
        for preset in ["paper80", "sf166"] {
            let f = dir.join(format!("{preset}.parquet"));
            run(
                &bin,
                &[
                    "featurize".into(),
                    s(&reference),
                    "--types".into(),
                    g.types.clone(),
                    "--preset".into(),
                    preset.into(),
                    "--out".into(),
                    s(&f),
                ],
            )?;
            sets.push((preset, f));
        }
        let one = dir.join("labels-one.csv");
        let six = dir.join("labels-six.csv");
        let mut base = vec![
            "label".to_string(),
            s(&reference),
            s(&g.dir.join("frame_040.dump.gz")),
        ];
        let tail = ["--cutoff", "5", "--types", &g.types, "--out"].map(String::from);
        let mut a = base.clone();
        a.extend(tail.clone());
        a.push(s(&one));
        run(&bin, &a)?;
        base.extend(g.directions.iter().map(|p| s(p)));
        base.extend(tail);
        base.push(s(&six));
        let agreement = run(&bin, &base)?;
        println!("{}: {}", g.name, agreement.trim());
        for (preset, f) in &sets {
            for (label, l) in [("one direction", &one), ("six, mean rank", &six)] {
                let metrics = dir.join(format!("{preset}-{}.json", label.len()));
                let out = run(
                    &bin,
                    &[
                        "train".into(),
                        "--features".into(),
                        s(f),
                        "--labels".into(),
                        s(l),
                        "--cv".into(),
                        "blocks".into(),
                        "--guard".into(),
                        GUARD.into(),
                        "--trees".into(),
                        trees.clone(),
                        "--positions".into(),
                        s(&reference),
                        "--metrics".into(),
                        s(&metrics),
                        "--guard-curve".into(),
                    ],
                )?;
                if let Some(c) = out.lines().find(|x| x.starts_with("guard curve")) {
                    curves.push(format!(
                        "| {} | {preset} | {label} | {} |",
                        g.name,
                        c.split_once(": ").map_or(c, |x| x.1)
                    ));
                }
                let paper = paper_auc(&out)?;
                let honest = bootstrap(&model_aucs(&metrics)?, k as u64);
                own.insert((k, preset, label), honest.0);
                let _ = writeln!(
                    table,
                    "| {} | {preset} | {label} | {paper} | {} |",
                    g.name,
                    cell(honest)
                );
            }
        }
    }
    // Configurations of one condition, in the order found.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, g) in glasses.iter().enumerate() {
        match groups.iter_mut().find(|(name, _)| *name == g.group) {
            Some((_, members)) => members.push(k),
            None => groups.push((g.group.clone(), vec![k])),
        }
    }
    let mut pooled = String::new();
    for (group, members) in groups.iter().filter(|(_, m)| m.len() >= 2) {
        pooled.push_str(&format!(
            "\nOne glass left out, {group} ({} glasses; ROC-AUC of each left-out glass from the models that never saw it, mean and 95 % CI over glasses):\n\n| features | labels | random folds, pooled (the paper's) | one glass left out |\n|---|---|---|---|\n",
            members.len()
        ));
        for preset in ["paper80", "sf166"] {
            for (label, which, standardize) in [
                ("one direction", "one", false),
                ("six, mean rank", "six", false),
                ("six, mean rank, per-glass z-scores", "six", true),
            ] {
                let mut args: Vec<String> = vec!["train".into()];
                if standardize {
                    args.push("--standardize-per-glass".into());
                }
                args.extend(glass_args(&work, members, preset, which));
                let qs = work.join(format!(
                    "pooled-{}-{preset}-{which}{}.csv",
                    group.replace('/', "_"),
                    if standardize { "-z" } else { "" }
                ));
                args.extend(
                    ["--cv", "glasses", "--trees", &trees, "--out", &s(&qs)].map(String::from),
                );
                let out = run(&bin, &args)?;
                let paper = paper_auc(&out)?;
                let per = per_glass_auc(&qs, members.len())?;
                let _ = writeln!(
                    pooled,
                    "| {preset} | {label} | {paper} | {} (per glass {}) |",
                    cell(bootstrap(&per, 7)),
                    per.iter()
                        .map(|a| format!("{a:.3}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        pooled.push_str(&learning_curve(&bin, &work, members, group, &trees)?);
    }
    pooled.push_str(&transfer(&bin, &work, &glasses, &groups, &own, &trees)?);
    let block = format!(
        "Measured by `cargo xtask honest` (trees {trees}; slabs: 5 per cell vector, one vector per undersampling, training atoms within {GUARD} Å of the test slab dropped; labels: top 5 % at 5 % shear, from +xy alone or from the mean D²min rank of ±xy, ±xz, ±yz). Random folds: mean ± std over the 15 models.\n\n{table}\nThe leak as a curve: the slabs' mean ROC-AUC against the guard (0 Å: slabs alone).\n\n| glass | features | labels | guard: ROC-AUC |\n|---|---|---|---|\n{}\n{pooled}",
        curves.join("\n")
    );
    println!("\n{block}");
    if write {
        let path = root.join("docs/results.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = ("<!-- honest:begin -->", "<!-- honest:end -->");
        let new = match (doc.find(begin), doc.find(end)) {
            (Some(a), Some(b)) if a < b => {
                format!("{}{begin}\n{block}{}", &doc[..a], &doc[b..])
            }
            _ => format!("{doc}\n## Does it transfer? Honest folds\n\n{begin}\n{block}{end}\n"),
        };
        crate::md::write_atomic(&path, new.as_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_and_bootstrap() {
        // The per-glass scores use the project's ROC-AUC.
        let roc_auc = |y: &[bool], s: &[f64]| interstice_learn::metrics::roc_auc(y, s).unwrap();
        assert_eq!(
            roc_auc(&[false, true, false, true], &[0.1, 0.9, 0.2, 0.8]),
            1.0
        );
        assert_eq!(roc_auc(&[false, true], &[0.5, 0.5]), 0.5);
        let (m, lo, hi) = bootstrap(&[0.5, 0.6, 0.7], 1);
        assert!((m - 0.6).abs() < 1e-12 && lo <= m && m <= hi && lo >= 0.5 && hi <= 0.7);
    }
}
