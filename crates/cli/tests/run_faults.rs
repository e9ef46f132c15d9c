//! Crash safety of `interstice run` (issue 17.3): a run killed right after
//! any of its output files is replaced must never leave a step that a later
//! run trusts as up to date with mixed or stale outputs.
//!
//! The scenario of the issue: a finished pipeline with `trees = 7`; the same
//! pipeline with `trees = 5` started over it and killed after its k-th
//! committed file (`INTERSTICE_FAULT_ABORT_AFTER_COMMITS`: the driver aborts
//! the process there, as a kill would), for every k the run has; then the
//! `trees = 7` run again. Its old stamps must not vouch for the outputs the
//! killed run replaced: every output must equal a clean `trees = 7` run's,
//! byte for byte, and no temporary file may remain. And the other way round:
//! `trees = 7` killed over a `trees = 5` state, then rerun. The 1 372-atom
//! fixture keeps the many runs cheap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn config(dir: &Path, name: &str, out: &Path, trees: usize) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cu50zr50-1372")
        .canonicalize()
        .unwrap();
    let text = format!(
        "out = {out:?}\nseed = 0\ntrees = {trees}\nfeature_sets = [\"paper80\"]\ndraw = []\n\n\
         [labels]\ncutoff = 5.0\npercent = 5.0\nframe = 80\n\n\
         [[dataset]]\nname = \"base\"\ndir = {fixture:?}\ncondition = \"Cu50Zr50\"\natoms = 1372\nrate = 1e13\nseed = 1\ntypes = \"1=Cu,2=Zr\"\nrole = \"base\"\n",
        out = out.display().to_string(),
        fixture = fixture.display().to_string(),
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `interstice run CONFIG`, with the fault point at commit `fault`.
fn run(config: &Path, fault: Option<usize>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_interstice"));
    cmd.arg("run").arg(config);
    if let Some(k) = fault {
        cmd.env("INTERSTICE_FAULT_ABORT_AFTER_COMMITS", k.to_string());
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Every file under `dir` but the stamps, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().ends_with(".stamp") {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[test]
fn a_run_killed_after_any_output_is_redone_not_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // The clean result of trees = 7.
    let clean_out = root.join("clean");
    let clean = config(root, "clean.toml", &clean_out, 7);
    let (ok, log) = run(&clean, None);
    assert!(ok, "{log}");
    let want = files(&clean_out);
    assert!(want.len() > 5, "{want:?}");

    // The state a trees = 5 run leaves.
    let five_out = root.join("five");
    let (ok, log) = run(&config(root, "five-only.toml", &five_out, 5), None);
    assert!(ok, "{log}");

    let work = root.join("work");
    let five = config(root, "five.toml", &work, 5);
    let seven = config(root, "seven.toml", &work, 7);
    // (the state before, the run that is killed)
    for (before, killed_run, label) in [
        (&clean_out, &five, "trees = 5 killed over trees = 7"),
        (&five_out, &seven, "trees = 7 killed over trees = 5"),
    ] {
        let mut killed = 0;
        for k in 1.. {
            if work.exists() {
                std::fs::remove_dir_all(&work).unwrap();
            }
            copy_dir(before, &work);
            let (ok, _) = run(killed_run, Some(k));
            if ok {
                // The run has fewer than k commits: every fault point was tried.
                break;
            }
            killed += 1;
            let (ok, log) = run(&seven, None);
            assert!(ok, "{label}, k = {k}: {log}");
            let got = files(&work);
            for (name, bytes) in &want {
                assert!(
                    got.get(name) == Some(bytes),
                    "{label}, k = {k}: {name} differs from a clean run; the rerun said:\n{log}"
                );
            }
            let leftovers: Vec<&String> = got.keys().filter(|n| n.contains(".tmp")).collect();
            assert!(leftovers.is_empty(), "{label}, k = {k}: {leftovers:?}");
            assert_eq!(got.len(), want.len(), "{label}, k = {k}: extra files");
        }
        assert!(
            killed >= 3,
            "{label}: only {killed} fault points, the test would prove little"
        );
    }
}
