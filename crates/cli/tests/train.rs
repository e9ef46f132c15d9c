//! `interstice train` on a committed synthetic table (the scikit-learn
//! reference task of `crates/learn/tests/data/sklearn-gbdt`), made imbalanced.

mod common;

use std::io::Read;

use common::interstice;
use interstice_io::Table;

#[test]
fn prints_the_fifteen_model_table_and_writes_softness() {
    let mut text = String::new();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../learn/tests/data/sklearn-gbdt/data.csv.gz"
    );
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let columns: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let cols = columns.len() - 1;
    let (mut ids, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    let mut positives = 0;
    for (k, l) in lines.enumerate() {
        let v: Vec<f64> = l.split(',').map(|s| s.parse().unwrap()).collect();
        if v[cols] == 1.0 {
            positives += 1;
            if positives % 6 != 0 {
                continue;
            }
        }
        ids.push(k as u64 + 1);
        x.extend_from_slice(&v[..cols]);
        y.push(v[cols]);
    }
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features.csv");
    let labels = dir.path().join("labels.csv");
    Table {
        columns: columns[..cols].to_vec(),
        ids: ids.clone(),
        values: x,
    }
    .write_csv(&features)
    .unwrap();
    Table {
        columns: vec!["plastic".into()],
        ids: ids.iter().rev().copied().collect(),
        values: y.iter().rev().copied().collect(),
    }
    .write_csv(&labels)
    .unwrap();
    let qs = dir.path().join("qs.csv");
    let model = dir.path().join("model.json");
    let (ok, out, err) = interstice(&[
        "train",
        "--model",
        model.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--trees",
        "60",
        "--out",
        qs.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "15 models (3 undersamplings × 5 folds), {} atoms, ",
            ids.len()
        )),
        "{out}"
    );
    assert!(
        lines[1].starts_with("balanced test folds   ROC-AUC 0."),
        "{out}"
    );
    assert!(
        lines[2].starts_with("natural class ratio   ROC-AUC 0."),
        "{out}"
    );
    let t = Table::read_csv(&qs).unwrap();
    assert_eq!(t.columns, ["qs", "qs_held_out", "plastic"]);
    assert_eq!(t.ids, ids);
    assert!(t.column(0).iter().all(|q| (0.0..=1.0).contains(q)));
    // The saved models give the same softness again.
    let again = dir.path().join("again.csv");
    let (ok, out, err) = interstice(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("scored by 15 models"), "{out}");
    assert!(
        Table::read_csv(&again).unwrap().column(0) == t.column(0),
        "predict gives other softness than train"
    );
    // Transfer scoring on the training set itself: the same table, a ROC-AUC well above chance.
    let (ok, out, err) = interstice(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("natural class ratio   ROC-AUC 0.")),
        "{out}"
    );
    // Edited model files are errors naming the problem, never a panic or a hang.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let edited = dir.path().join("edited.json");
    for (what, edit, want) in [
        (
            "no models",
            Box::new(|v: &mut serde_json::Value| v["models"] = serde_json::json!([]))
                as Box<dyn Fn(&mut serde_json::Value)>,
            "holds no fold models",
        ),
        (
            "a split on feature 9999",
            Box::new(|v: &mut serde_json::Value| {
                let tree = v["models"][0]["trees"][0].as_array_mut().unwrap();
                let split = tree.iter().position(|n| n.get("Split").is_some()).unwrap();
                tree[split]["Split"]["feature"] = 9999.into();
            }),
            "split on feature 9999 of 16",
        ),
        (
            "a loop",
            Box::new(|v: &mut serde_json::Value| {
                let tree = v["models"][0]["trees"][0].as_array_mut().unwrap();
                let split = tree.iter().position(|n| n.get("Split").is_some()).unwrap();
                tree[split]["Split"]["left"] = 0.into();
                tree[split]["Split"]["right"] = 0.into();
            }),
            "must come after it and exist",
        ),
        (
            "a feature listed twice",
            Box::new(|v: &mut serde_json::Value| v["features"][1] = v["features"][0].clone()),
            "is listed twice",
        ),
        (
            "one feature name too few",
            Box::new(|v: &mut serde_json::Value| {
                v["features"].as_array_mut().unwrap().pop();
            }),
            "fold model 0 takes 16 features, but the file names 15",
        ),
    ] {
        let mut v = json.clone();
        edit(&mut v);
        std::fs::write(&edited, serde_json::to_string(&v).unwrap()).unwrap();
        for cmd in ["predict", "evaluate"] {
            let mut args = vec![
                cmd,
                "--model",
                edited.to_str().unwrap(),
                "--features",
                features.to_str().unwrap(),
            ];
            if cmd == "predict" {
                args.extend(["--out", again.to_str().unwrap()]);
            } else {
                args.extend(["--labels", labels.to_str().unwrap()]);
            }
            let (ok, _, err) = interstice(&args);
            assert!(!ok, "{what}: {cmd} accepted it");
            assert!(err.contains(want), "{what}: {cmd}: {err}");
            assert!(!err.contains("panicked"), "{what}: {err}");
        }
    }
    // A table with other columns is refused with the first difference.
    let other = dir.path().join("other.csv");
    Table {
        columns: vec!["f0".into(), "zz".into()],
        ids: vec![1],
        values: vec![0.0, 1.0],
    }
    .write_csv(&other)
    .unwrap();
    let (ok, _, err) = interstice(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--features",
        other.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("has 2 feature columns but the model was trained on 16; first difference at column 2: 'zz' instead of 'f1'"), "{err}");
    // A label file missing an atom is a clear error.
    Table {
        columns: vec!["plastic".into()],
        ids: vec![1],
        values: vec![1.0],
    }
    .write_csv(&labels)
    .unwrap();
    let (ok, _, err) = interstice(&[
        "train",
        "--features",
        features.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.starts_with("error: atom id ") && err.contains(" has no label in "),
        "{err}"
    );
}

/// Features and labels of a bundled glass: (features, labels) in `dir`.
fn glass(dir: &std::path::Path, name: &str, fixture: &str, sheared: &str) -> (String, String) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    let reference = format!("{root}{fixture}/frame_000.dump.gz");
    let features = dir.join(format!("{name}.parquet"));
    let labels = dir.join(format!("{name}-labels.csv"));
    let (ok, _, err) = interstice(&[
        "featurize",
        &reference,
        "--types",
        "1=Cu,2=Zr",
        "--out",
        features.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = interstice(&[
        "label",
        &reference,
        &format!("{root}{fixture}/{sheared}"),
        "--cutoff",
        "5",
        "--out",
        labels.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    (
        features.to_str().unwrap().into(),
        labels.to_str().unwrap().into(),
    )
}

#[test]
fn honest_folds_print_both_protocols() {
    let dir = tempfile::tempdir().unwrap();
    let (f1, l1) = glass(dir.path(), "a", "cuzr65-4000", "frame_040.dump.gz");
    let (f2, l2) = glass(dir.path(), "b", "cu50zr50-1372", "frame_080.dump.gz");
    let score = |text: &str, which: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(which))
            .unwrap_or_else(|| panic!("no '{which}' line in:\n{text}"));
        line.split("ROC-AUC ").nth(1).unwrap()[..5].parse().unwrap()
    };
    // Slabs with a guard: positions from the frame the Parquet table names.
    let (ok, out, err) = interstice(&[
        "train",
        "--features",
        &f1,
        "--labels",
        &l1,
        "--cv",
        "blocks",
        "--guard",
        "5",
        "--trees",
        "50",
    ]);
    assert!(ok, "{err}");
    let (paper, honest) = (
        score(&out, "paper's protocol"),
        score(&out, "honest protocol"),
    );
    assert!(out.contains("slabs with a 5 Å guard"), "{out}");
    // The fixture's leak: the random folds score clearly higher.
    assert!(paper > honest + 0.05, "{paper} vs {honest}\n{out}");
    // k³ cells instead of slabs: 2³ cells in each of 3 undersamplings.
    let (ok, out, err) = interstice(&[
        "train",
        "--features",
        &f1,
        "--labels",
        &l1,
        "--cv",
        "blocks",
        "--cells",
        "2",
        "--trees",
        "50",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("2³ cells with a 5 Å guard"), "{out}");
    assert!(out.contains("24 models"), "{out}");
    assert!(score(&out, "honest protocol") < paper, "{out}");
    // Two glasses, one left out at a time; the softness table names them.
    let qs = dir.path().join("qs.csv");
    let (ok, out, err) = interstice(&[
        "train",
        "--features",
        &f1,
        "--labels",
        &l1,
        "--features",
        &f2,
        "--labels",
        &l2,
        "--cv",
        "glasses",
        "--trees",
        "50",
        "--out",
        qs.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 glasses pooled") && out.contains("one glass left out"),
        "{out}"
    );
    let text = std::fs::read_to_string(&qs).unwrap();
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("glass,id,qs,qs_held_out,plastic"));
    let glasses: Vec<&str> = rows.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(glasses.len(), 4000 + 1372);
    assert_eq!(glasses.iter().filter(|g| **g == "1").count(), 1372);
    // Mistakes are named.
    let csv = dir.path().join("plain.csv");
    let parquet = Table::read_parquet(&f1).unwrap().0;
    parquet.write_csv(&csv).unwrap();
    for (args, want) in [
        (
            vec![
                "--features",
                csv.to_str().unwrap(),
                "--labels",
                &l1,
                "--cv",
                "blocks",
            ],
            "need the atoms' positions",
        ),
        (
            vec!["--features", &f1, "--labels", &l1, "--cv", "glasses"],
            "at least two --features/--labels pairs",
        ),
        (
            vec!["--features", &f1, "--features", &f2, "--labels", &l1],
            "2 --features but 1 --labels",
        ),
        (
            vec![
                "--features",
                &f1,
                "--labels",
                &l1,
                "--cv",
                "blocks",
                "--guard",
                "-1",
            ],
            "--guard must be a finite distance",
        ),
        (
            vec!["--features", &f1, "--labels", &l1, "--cv", "slabs"],
            "--cv slabs: expected random, blocks or glasses",
        ),
        (
            vec!["--features", &f1, "--labels", &l1, "--cells", "2"],
            "--cells cuts blocks: give it with --cv blocks",
        ),
        (
            vec![
                "--features",
                &f1,
                "--labels",
                &l1,
                "--cv",
                "blocks",
                "--cells",
                "1",
            ],
            "--cells must be 2 to 10 cells per cell vector, found 1",
        ),
    ] {
        let mut all = vec!["train"];
        all.extend(args);
        let (ok, _, err) = interstice(&all);
        assert!(!ok && err.contains(want), "{all:?}: {err}");
    }
}
