//! `interstice demo`: the README's main job on the bundled fixture.

mod common;

use common::interstice;

#[test]
fn the_demo_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let (ok, stdout, err) = interstice(&["demo", "--out", out.to_str().unwrap(), "--trees", "60"]);
    assert!(ok, "{err}");
    assert!(
        stdout.contains("1. features  4000 atoms × 80 features"),
        "{stdout}"
    );
    assert!(stdout.contains("200 plastic (5.00 %)"), "{stdout}");
    assert!(
        stdout.contains("15 models (3 undersamplings × 5 folds)"),
        "{stdout}"
    );
    assert!(stdout.contains("ROC-AUC"), "{stdout}");
    for f in [
        "features.parquet",
        "labels.csv",
        "qs.csv",
        "model.json",
        "metrics.txt",
        "metrics.json",
        "softness.dump.gz",
        "softness/softness.png",
        "softness/softness.svg",
        "softness/softness.csv",
        "softness/summary.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // metrics.json: 15 models and a summary whose mean is theirs.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let models = m["models"].as_array().unwrap();
    assert_eq!(models.len(), 15);
    let mean = models
        .iter()
        .map(|x| x["roc_auc"].as_f64().unwrap())
        .sum::<f64>()
        / 15.0;
    assert!((m["summary"]["roc_auc"]["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert_eq!(m["plastic"], 200);
    // ROC curves of the 15 models on two sets each: every one runs from
    // (0, 0) to (1, 1) with non-decreasing rates.
    let roc = std::fs::read_to_string(out.join("curves-roc.csv")).unwrap();
    assert!(roc.starts_with("model,set,fpr,tpr,threshold\n"));
    let mut ends = 0;
    let mut last = (-1.0f64, -1.0f64, String::new());
    for line in roc.lines().skip(1) {
        let v: Vec<&str> = line.split(',').collect();
        let key = format!("{},{}", v[0], v[1]);
        let (x, y): (f64, f64) = (v[2].parse().unwrap(), v[3].parse().unwrap());
        if key == last.2 {
            assert!(x >= last.0 && y >= last.1, "{line}");
        } else {
            assert_eq!((x, y), (0.0, 0.0), "{line}");
        }
        if (x, y) == (1.0, 1.0) {
            ends += 1;
        }
        last = (x, y, key);
    }
    assert_eq!(ends, 30);
    // The OVITO dump carries the softness, D²min and labels.
    let frame = interstice_io::DumpReader::open(out.join("softness.dump.gz"))
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    assert_eq!(frame.len(), 4000);
    for c in ["qs", "qs_held_out", "d2min", "plastic"] {
        assert!(frame.column(c).is_some(), "{c}");
    }
    // A missing fixture is a clear error.
    let (ok, _, err) = interstice(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--fixture",
        "nowhere",
    ]);
    assert!(!ok);
    assert!(err.contains("nowhere/frame_000.dump.gz not found"), "{err}");
}

#[test]
fn the_demo_reads_the_glass_from_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let (ok, stdout, err) = interstice(&[
        "demo",
        "--fixture",
        "fixtures/ni62nb38-2048",
        "--strain-step",
        "80",
        "--out",
        out.to_str().unwrap(),
        "--trees",
        "20",
    ]);
    assert!(ok, "{err}");
    assert!(stdout.contains("2048 atoms × 80 features"), "{stdout}");
    // Ni and Nb, not the Cu and Zr of the default fixture.
    let (t, meta) = interstice_io::Table::read_parquet(out.join("features.parquet")).unwrap();
    assert_eq!(t.ids.len(), 2048);
    let elements = meta.elements.unwrap();
    assert!(
        elements.iter().all(|e| e == "Ni" || e == "Nb"),
        "{:?}",
        &elements[..4]
    );
    let svg = std::fs::read_to_string(out.join("softness/softness.svg")).unwrap();
    assert!(
        svg.contains("Ni62Nb38"),
        "the figure is not titled with the glass"
    );
    assert!(!svg.contains("Cu65Zr35"));
}

#[test]
fn an_installed_binary_runs_the_demo_outside_a_checkout() {
    // No fixtures/ under the working folder: the binary's own copy is used.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_interstice"))
        .args(["demo", "--trees", "20", "--out", "demo"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("4000 atoms × 80 features"), "{stdout}");
    assert!(dir.path().join("demo/fixture/frame_040.dump.gz").exists());
    assert!(dir.path().join("demo/softness.dump.gz").exists());
}
