//! `interstice label` on the 4 000-atom fixture: the table, the OVITO dump,
//! and its errors.

mod common;

use common::interstice;

#[test]
fn labels_the_fixture_as_csv_and_as_a_dump() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("labels.csv");
    let (ok, out, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_040.dump.gz",
        "--cutoff",
        "5.0",
        "--types",
        "1=Cu,2=Zr",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with(
            "4000 atoms, mean D²min 1.3533 Å², 200 plastic (5.00 %), 0 with too few neighbours"
        ),
        "{out}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,type,d2min,shear_strain,volumetric_strain,plastic")
    );
    assert_eq!(lines.clone().count(), 4000);
    assert_eq!(lines.filter(|l| l.ends_with(",1")).count(), 200);

    let dump = dir.path().join("labels.dump.gz");
    let (ok, _, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_080.dump.gz",
        "--cutoff",
        "5.0",
        "--threshold",
        "20.0",
        "--out",
        dump.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let f = interstice_io::DumpReader::open(&dump)
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let names: Vec<&str> = f.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["d2min", "shear_strain", "volumetric_strain", "plastic"]
    );
}

#[test]
fn label_errors_are_one_line() {
    let (ok, _, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--cutoff",
        "5.0",
        "--out",
        "/tmp/never.csv",
    ]);
    assert!(!ok);
    assert_eq!(
        err,
        "error: reference has 4000 atoms but the deformed frame has 500\n"
    );
    let (ok, _, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_010.dump.gz",
        "--cutoff",
        "0",
        "--out",
        "/tmp/never.csv",
    ]);
    assert!(!ok);
    assert_eq!(
        err,
        "error: invalid parameter: cutoff must be finite and positive, found 0\n"
    );
    assert!(!std::path::Path::new("/tmp/never.csv").exists());
}

#[test]
fn first_plastic_steps_over_the_fixture_trajectory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("first.csv");
    let frames: Vec<String> = (1..=8)
        .map(|k| format!("fixtures/cuzr65-4000/frame_{k:03}.dump.gz"))
        .collect();
    let mut args = vec!["first-plastic", "fixtures/cuzr65-4000/frame_000.dump.gz"];
    args.extend(frames.iter().map(String::as_str));
    args.extend([
        "--cutoff",
        "5.0",
        "--strain-step",
        "0.00125",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (ok, stdout, err) = interstice(&args);
    assert!(ok, "{err}");
    assert_eq!(stdout.lines().count(), 8);
    assert!(
        stdout.starts_with("step 1: 200 plastic, 200 plastic at least once"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4000);
    // Atoms plastic at step 1 have strain 0.00125; the count of ever-plastic atoms matches the last line.
    assert_eq!(rows.iter().filter(|r| r[2] == "1").count(), 200);
    assert!(
        rows.iter()
            .filter(|r| r[2] == "1")
            .all(|r| r[3] == "0.00125")
    );
    let ever = rows.iter().filter(|r| !r[2].is_empty()).count();
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .ends_with(&format!("{ever} plastic at least once"))
    );
}
