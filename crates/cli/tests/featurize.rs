//! `interstice featurize` on the 4 000-atom fixture, end to end with
//! `label` and `train`, and its errors.

mod common;

use std::path::Path;

use common::interstice;

/// `interstice train --features FEATURES --labels LABELS EXTRA...`.
fn train(features: &Path, labels: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "train",
        "--features",
        features.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    interstice(&args)
}

/// The mean balanced ROC-AUC from `train`'s table.
fn balanced_auc(out: &str) -> f64 {
    out.split("ROC-AUC ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no ROC-AUC in {out}"))
}

#[test]
fn featurize_label_train_on_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let l = dir.path().join("labels.csv");
    let (ok, out, err, f) = featurize_fixture(dir.path(), "features.csv", &[]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("4000 atoms × 80 features (paper80)"),
        "{out}"
    );
    let text = std::fs::read_to_string(&f).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header.len(), 81);
    assert_eq!(header[0], "id");
    assert_eq!(header[1], "Dist_interstice_mean_voro");
    assert_eq!(header[16], "Area_interstice_max_voro");
    assert_eq!(header[17], "MRO_mean_Dist_interstice_mean_voro");
    assert_eq!(header[80], "MRO_max_Dist_interstice_max_dist");
    assert_eq!(text.lines().count(), 4001);

    let (ok, _, err) = interstice(&[
        "label",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "fixtures/cuzr65-4000/frame_040.dump.gz",
        "--cutoff",
        "5.0",
        "--out",
        l.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = train(&f, &l, &["--trees", "100"]);
    assert!(ok, "{err}");
    assert!(out.contains("80 features"), "{out}");
    // The interstice features carry signal: the balanced ROC-AUC is well
    // above chance on this 4 000-atom glass (about 0.75).
    let auc = balanced_auc(&out);
    assert!(auc > 0.65, "{out}");

    // The same through Parquet: featurize writes it, train reads it, and
    // gets the same table, so the same numbers.
    let pq = dir.path().join("features.parquet");
    let (ok, _, err) = interstice(&[
        "featurize",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "--types",
        "1=Cu,2=Zr",
        "--out",
        pq.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let from_csv = interstice_io::Table::read(&f).unwrap();
    let (from_pq, meta) = interstice_io::Table::read_parquet(&pq).unwrap();
    assert_eq!(from_pq, from_csv);
    assert_eq!(meta.elements.as_ref().unwrap()[0], "Cu");
    assert!(
        meta.key_values
            .iter()
            .any(|(k, v)| k == "preset" && v == "paper80")
    );
    let (ok, out2, err) = train(&pq, &l, &["--trees", "100"]);
    assert!(ok, "{err}");
    assert_eq!(out2, out);

    // Models as JSON and as postcard predict the same softness; the JSON
    // records the preset from the Parquet metadata.
    let mut qs = Vec::new();
    for ext in ["json", "postcard"] {
        let m = dir.path().join(format!("m.{ext}"));
        let (ok, _, err) = train(&pq, &l, &["--trees", "30", "--model", m.to_str().unwrap()]);
        assert!(ok, "{err}");
        let q = dir.path().join(format!("qs-{ext}.csv"));
        let (ok, _, err) = interstice(&[
            "predict",
            "--model",
            m.to_str().unwrap(),
            "--features",
            pq.to_str().unwrap(),
            "--out",
            q.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        qs.push(std::fs::read_to_string(&q).unwrap());
    }
    assert_eq!(qs[0], qs[1]);
    let json = std::fs::read_to_string(dir.path().join("m.json")).unwrap();
    assert!(json.contains("\"preset\":\"paper80\""));
    let small = std::fs::metadata(dir.path().join("m.postcard"))
        .unwrap()
        .len();
    assert!(small * 2 < json.len() as u64, "postcard is compact");

    // The baselines on the same table: well above chance.
    for classifier in ["logistic", "svm"] {
        let (ok, out3, err) = train(&pq, &l, &["--classifier", classifier]);
        assert!(ok, "{err}");
        let auc3 = balanced_auc(&out3);
        assert!(auc3 > 0.6, "{classifier}: {out3}");
    }
    let (ok, _, err) = train(
        &pq,
        &l,
        &[
            "--classifier",
            "logistic",
            "--model",
            dir.path().join("m.json").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("--model saves boosters only"), "{err}");
}

#[test]
fn featurize_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("features.csv");
    let o = f.to_str().unwrap();
    let (ok, _, err) = interstice(&[
        "featurize",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--types",
        "1=Cu",
        "--out",
        o,
    ]);
    assert!(!ok);
    assert!(err.contains("type 2"), "{err}");
    let (ok, _, err) = interstice(&[
        "featurize",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--types",
        "1=Cu,2=Zr",
        "--preset",
        "paper81",
        "--out",
        o,
    ]);
    assert!(!ok);
    assert!(err.contains("--preset paper81"), "{err}");
    assert!(!f.exists());
}

/// `interstice featurize` of the 4 000-atom fixture into `dir/name`, with
/// `extra` options: success, stdout, stderr and the output's path.
fn featurize_fixture(
    dir: &Path,
    name: &str,
    extra: &[&str],
) -> (bool, String, String, std::path::PathBuf) {
    let f = dir.join(name);
    let mut args = vec![
        "featurize",
        "fixtures/cuzr65-4000/frame_000.dump.gz",
        "--types",
        "1=Cu,2=Zr",
        "--out",
        f.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (ok, out, err) = interstice(&args);
    (ok, out, err, f)
}

#[test]
fn featurize_in_blocks_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let (ok, _, err, f) = featurize_fixture(dir.path(), name, extra);
        assert!(ok, "{err}");
        std::fs::read(&f).unwrap()
    };
    let whole = run("whole.csv", &[]);
    // Eight blocks of about 500 atoms, each with its halo.
    let blocks = run("blocks.csv", &["--block-atoms", "500"]);
    assert_eq!(whole.len(), blocks.len());
    assert!(
        whole == blocks,
        "block-by-block features differ from the whole frame's"
    );
}

#[test]
fn featurize_stream_writes_each_block_as_a_row_group_with_the_same_rows() {
    use interstice_io::Table;
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| featurize_fixture(dir.path(), name, extra);
    let (ok, _, err, whole) = run("whole.parquet", &[]);
    assert!(ok, "{err}");
    let (ok, out, err, streamed) = run("streamed.parquet", &["--stream", "--block-atoms", "500"]);
    assert!(ok, "{err}");
    assert!(out.contains("8 blocks"), "{out}");
    let (a, ma) = Table::read_parquet(&whole).unwrap();
    let (b, mb) = Table::read_parquet(&streamed).unwrap();
    assert_eq!(a.columns, b.columns);
    assert_ne!(a.ids, b.ids, "rows come block by block");
    // Row by row, matched on id: the same bits, types and elements.
    let at: std::collections::HashMap<u64, usize> =
        b.ids.iter().enumerate().map(|(r, &id)| (id, r)).collect();
    assert_eq!(at.len(), a.ids.len());
    let k = a.columns.len();
    let (ta, tb) = (ma.types.unwrap(), mb.types.unwrap());
    let (ea, eb) = (ma.elements.unwrap(), mb.elements.unwrap());
    for (r, id) in a.ids.iter().enumerate() {
        let s = at[id];
        assert_eq!((ta[r], &ea[r]), (tb[s], &eb[s]), "id {id}");
        for c in 0..k {
            assert_eq!(
                a.values[r * k + c].to_bits(),
                b.values[s * k + c].to_bits(),
                "id {id} column {c}"
            );
        }
    }
    // The same metadata, plus the row order.
    let mut extra: Vec<_> = mb
        .key_values
        .iter()
        .filter(|kv| !ma.key_values.contains(kv))
        .collect();
    assert_eq!(extra.len(), 1);
    assert_eq!(extra.pop().unwrap().0, "row_order");
    // What --stream cannot do is said before the frame is read.
    let (ok, _, err, _) = run("x.csv", &["--stream"]);
    assert!(!ok && err.contains("ending in .parquet"), "{err}");
    let (ok, _, err, _) = run("y.parquet", &["--stream", "--preset", "sf166"]);
    assert!(
        !ok && err.contains("--preset sf166 is computed whole"),
        "{err}"
    );
}
