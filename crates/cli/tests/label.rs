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
            "4000 atoms, mean D²min 1.3533 Å², 200 plastic (5.00 %), 0 below the noise floor of 0.01 Å², 0 with too few neighbours"
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
        "error: --cutoff: invalid parameter: cutoff must be finite and positive, found 0\n"
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
    // At 0.125 % strain the deformation is still elastic: of the top 5 % of
    // D²min only 8 atoms pass the noise floor of 0.01 Å².
    assert!(
        stdout.starts_with("step 1 (strain 0.00125): 8 plastic, 8 plastic at least once"),
        "{stdout}"
    );
    assert!(stdout.contains("\nstep 2 (strain 0.0025): 200 plastic, "));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4000);
    // Atoms plastic at step 1 have strain 0.00125; the count of ever-plastic atoms matches the last line.
    assert_eq!(rows.iter().filter(|r| r[2] == "1").count(), 8);
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

#[test]
fn a_frame_against_itself_labels_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let (ok, stdout, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "--cutoff",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        stdout.contains(" 0 plastic (0.00 %), 4000 below the noise floor of 0.01 Å²"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().skip(1).all(|l| l.ends_with(",0")));
    // A lower floor brings the percentile back, as asked.
    let (ok, stdout, _) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_040.dump.gz",
        "--cutoff",
        "5",
        "--noise-floor",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok);
    assert!(
        stdout.contains(" 200 plastic (5.00 %), 0 below"),
        "{stdout}"
    );
}

#[test]
fn a_reference_frame_inside_the_series_is_not_a_strain_step() {
    let dir = tempfile::tempdir().unwrap();
    // A LAMMPS AQS dump: the reference, then two strain steps, in one file
    // (concatenated gzip members).
    let series = dir.path().join("series.dump.gz");
    let mut bytes = Vec::new();
    for k in 0..=2 {
        bytes.extend(
            std::fs::read(format!("../../fixtures/cuzr65-4000/frame_{k:03}.dump.gz")).unwrap(),
        );
    }
    std::fs::write(&series, bytes).unwrap();
    let run = |frames: &[&str], extra: &[&str], out: &std::path::Path| {
        let mut args = vec!["first-plastic", "fixtures/cuzr65-4000/frame_000.dump.gz"];
        args.extend(frames);
        args.extend(["--cutoff", "5.0"]);
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        interstice(&args)
    };
    let one = dir.path().join("one.csv");
    let (ok, stdout, err) = run(
        &[series.to_str().unwrap()],
        &["--strain-step", "0.00125"],
        &one,
    );
    assert!(ok, "{err}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].ends_with("frame 0: the reference itself (strain 0), not a strain step"));
    assert!(lines[1].starts_with("step 1 (strain 0.00125): "));
    assert!(lines[2].starts_with("step 2 (strain 0.0025): "));
    // The same as the two strain-step files given one by one.
    let two = dir.path().join("two.csv");
    let (ok, _, err) = run(
        &[
            "fixtures/cuzr65-4000/frame_001.dump.gz",
            "fixtures/cuzr65-4000/frame_002.dump.gz",
        ],
        &["--strain-step", "0.00125"],
        &two,
    );
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read_to_string(&one).unwrap(),
        std::fs::read_to_string(&two).unwrap()
    );
    // Explicit strains: one per deformed frame, no more, no less.
    let (ok, _, err) = run(
        &[series.to_str().unwrap()],
        &["--strains", "0.00125,0.0025"],
        &one,
    );
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read_to_string(&one).unwrap(),
        std::fs::read_to_string(&two).unwrap()
    );
    let (ok, _, err) = run(&[series.to_str().unwrap()], &["--strains", "0.00125"], &one);
    assert!(!ok);
    assert!(err.contains("--strains lists 1 strains, but "), "{err}");
    // Only the reference: nothing to label.
    let (ok, _, err) = run(&["fixtures/cuzr65-4000/frame_000.dump.gz"], &[], &one);
    assert!(!ok);
    assert!(err.contains("no deformed frame"), "{err}");
}

#[test]
fn label_options_are_checked_before_reading() {
    for (flag, value, want) in [
        (
            "--noise-floor",
            "-1",
            "--noise-floor must be a finite D²min ≥ 0 Å², found -1",
        ),
        (
            "--noise-floor",
            "nan",
            "--noise-floor must be a finite D²min ≥ 0 Å², found NaN",
        ),
        (
            "--threshold",
            "inf",
            "--threshold must be a finite D²min ≥ 0 Å², found inf",
        ),
        (
            "--threshold",
            "-1",
            "--threshold must be a finite D²min ≥ 0 Å², found -1",
        ),
        ("--percent", "0", "--percent must be in (0, 100], found 0"),
        (
            "--cutoff",
            "nan",
            "--cutoff: invalid parameter: cutoff must be finite and positive, found NaN",
        ),
    ] {
        let option = format!("{flag}={value}");
        let mut args = vec!["label", "no-such-reference.dump", "no-such-frame.dump"];
        if flag != "--cutoff" {
            args.push("--cutoff=5");
        }
        args.extend([option.as_str(), "--out", "/tmp/never.csv"]);
        let (ok, _, err) = interstice(&args);
        assert!(!ok);
        assert_eq!(err, format!("error: {want}\n"), "{flag} {value}");
    }
    for (flag, value, want) in [
        (
            "--strain-step",
            "nan",
            "--strain-step must be a finite strain > 0, found NaN",
        ),
        (
            "--strain-step",
            "0",
            "--strain-step must be a finite strain > 0, found 0",
        ),
        (
            "--strains",
            "0.1,inf",
            "--strains must be finite numbers, found inf",
        ),
        (
            "--strain-per-timestep",
            "0",
            "--strain-per-timestep must be finite and non-zero, found 0",
        ),
        (
            "--noise-floor",
            "-0.5",
            "--noise-floor must be a finite D²min ≥ 0 Å², found -0.5",
        ),
    ] {
        let (ok, _, err) = interstice(&[
            "first-plastic",
            "no-such-reference.dump",
            "no-such-frame.dump",
            "--cutoff",
            "5",
            &format!("{flag}={value}"),
            "--out",
            "/tmp/never.csv",
        ]);
        assert!(!ok);
        assert_eq!(err, format!("error: {want}\n"), "{flag} {value}");
    }
}

/// Six loading directions of one committed glass, combined.
#[test]
fn combines_loading_directions() {
    let glass = "datasets/Cu65Zr35/n4000-r1e13/seed1";
    let dirs = ["xy-", "xz+", "xz-", "yz+", "yz-"];
    let dir = tempfile::tempdir().unwrap();
    let run = |combine: &str, out: &std::path::Path| {
        let mut args = vec![
            "label".to_string(),
            format!("{glass}/frame_000.dump.gz"),
            format!("{glass}/frame_040.dump.gz"),
        ];
        args.extend(
            dirs.iter()
                .map(|d| format!("{glass}/directions/{d}/frame_040.dump.gz")),
        );
        args.extend(
            [
                "--cutoff",
                "5",
                "--combine",
                combine,
                "--out",
                out.to_str().unwrap(),
            ]
            .map(String::from),
        );
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        interstice(&refs)
    };
    let table = |path: &std::path::Path| -> (Vec<String>, Vec<Vec<f64>>) {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        (header, rows)
    };
    let mean_rank = dir.path().join("rank.csv");
    let (ok, out, err) = run("rank-mean", &mean_rank);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("6 directions; their plastic sets overlap by "),
        "{out}"
    );
    assert!(
        out.contains("200 atoms plastic by the mean rank (5.00 %)"),
        "{out}"
    );
    let (header, rows) = table(&mean_rank);
    assert_eq!(
        header[..7],
        [
            "id",
            "type",
            "d2min",
            "shear_strain",
            "volumetric_strain",
            "propensity",
            "plastic"
        ]
    );
    assert_eq!(header.len(), 7 + 12);
    assert_eq!(rows.len(), 4000);
    // The propensity, recomputed by brute force: each direction's D²min
    // ranked among its run (0 … 1), averaged.
    let n = rows.len();
    for k in [0, 17, 1234, 3999] {
        let mut sum = 0.0;
        for d in 0..6 {
            let col = 7 + 2 * d;
            let x = rows[k][col];
            let below = rows.iter().filter(|r| r[col] < x).count() as f64;
            let equal = rows.iter().filter(|r| r[col] == x).count() as f64;
            sum += (below + 0.5 * (equal - 1.0)) / (n - 1) as f64;
        }
        assert!((rows[k][5] - sum / 6.0).abs() < 1e-12, "atom {k}");
    }
    // The plastic atoms are the 200 of highest propensity.
    let mut p: Vec<f64> = rows.iter().map(|r| r[5]).collect();
    p.sort_by(|a, b| b.total_cmp(a));
    for r in &rows {
        assert_eq!(r[6] == 1.0, r[5] >= p[199], "{r:?}");
    }
    // "Any" is the union of the directions' labels.
    let any = dir.path().join("any.csv");
    let (ok, _, err) = run("any", &any);
    assert!(ok, "{err}");
    let (_, rows) = table(&any);
    for r in &rows {
        let union = (0..6).any(|d| r[8 + 2 * d] == 1.0);
        assert_eq!(r[6] == 1.0, union);
    }
    let (ok, _, err) = run("median", &any);
    assert!(
        !ok && err.contains("--combine median: expected rank-mean or any"),
        "{err}"
    );
}
