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
        "softness.dump.gz",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // The OVITO dump carries the softness, D²min and labels.
    let frame = interstice_io::DumpReader::open(out.join("softness.dump.gz"))
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    assert_eq!(frame.len(), 4000);
    for c in ["qs", "d2min", "plastic"] {
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
