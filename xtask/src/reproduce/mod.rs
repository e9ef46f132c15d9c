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

use crate::binary::{cargo, target_dir};
use crate::md::{self, Condition, Paths, sha256, write_atomic};

mod args;
mod config;
mod expect;
mod provenance;
mod results_doc;
mod samples;

pub use args::*;
pub use config::*;
pub use expect::*;
pub use provenance::*;
pub use results_doc::*;
pub use samples::*;

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

    let binary = crate::binary::interstice(root)?;
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
        assert_eq!(args(&["fig1", "--all"]).unwrap().figures.len(), 10);
        assert_eq!(args(&["fig5"]).unwrap().figures, [FigureId::Fig5]);
        assert!(args(&["fig6"]).is_err());
        assert!(args(&["--data", "huge"]).is_err());
        assert!(args(&["--check", "--bless"]).is_err());
    }

    #[test]
    fn figures_need_their_roles() {
        assert_eq!(roles_needed(FigureId::Fig2), &[Role::Base]);
        assert!(roles_needed(FigureId::Fig3f).contains(&Role::OtherComposition));
        assert_eq!(roles_needed(FigureId::Fig4).len(), 6);
        assert_eq!(
            roles_needed(FigureId::Fig5),
            &[Role::Base, Role::NewConfiguration]
        );
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
