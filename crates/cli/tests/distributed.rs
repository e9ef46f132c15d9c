//! `--distributed` in one process: the partitioned tables of featurize,
//! voronoi, label and predict, and the errors of the flags (the MPI runs
//! themselves are `cargo xtask mpi`).

mod common;

use common::interstice;

/// Columns `names` of two tables hold the same bits, row by row.
fn same_columns(a: &interstice_io::Table, b: &interstice_io::Table, names: &[&str]) {
    assert_eq!(a.ids, b.ids);
    for c in names {
        let (x, y) = (a.column_index(c).unwrap(), b.column_index(c).unwrap());
        assert!(
            a.column(x)
                .iter()
                .zip(b.column(y))
                .all(|(u, v)| u.to_bits() == v.to_bits()),
            "{c}"
        );
    }
}

const REF: &str = "fixtures/cuzr65-4000/frame_000.dump.gz";
const DEF: &str = "fixtures/cuzr65-4000/frame_040.dump.gz";

#[test]
fn every_distributed_command_writes_a_partitioned_table_with_the_single_process_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // featurize
    let (ok, _, err) = interstice(&[
        "featurize",
        REF,
        "--types",
        "1=Cu,2=Zr",
        "--out",
        &p("f.parquet"),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = interstice(&[
        "featurize",
        REF,
        "--types",
        "1=Cu,2=Zr",
        "--distributed",
        "--out",
        &p("f"),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("on 1 ranks") && out.contains("peak memory per rank"),
        "{out}"
    );
    let single = interstice_io::Table::read(p("f.parquet")).unwrap();
    let parts = interstice_io::Table::read(p("f")).unwrap();
    assert_eq!(single, parts);
    // voronoi: the CSV's columns and bits
    let (ok, _, err) = interstice(&["voronoi", REF, "--out", &p("v.csv")]);
    assert!(ok, "{err}");
    let (ok, out, err) = interstice(&["voronoi", REF, "--distributed", "--out", &p("v")]);
    assert!(ok, "{err}");
    assert!(out.contains("mean volume 15.7512 Å³"), "{out}");
    let csv = interstice_io::Table::read(p("v.csv")).unwrap();
    let parts = interstice_io::Table::read(p("v")).unwrap();
    same_columns(
        &csv,
        &parts,
        &["volume", "cn", "n3", "n4", "n5", "n6", "n7", "n8plus"],
    );
    // label
    let (ok, _, err) = interstice(&["label", REF, DEF, "--cutoff", "5", "--out", &p("l.csv")]);
    assert!(ok, "{err}");
    let (ok, out, err) = interstice(&[
        "label",
        REF,
        DEF,
        "--cutoff",
        "5",
        "--distributed",
        "--out",
        &p("l"),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("200 plastic"), "{out}");
    let csv = interstice_io::Table::read(p("l.csv")).unwrap();
    let parts = interstice_io::Table::read(p("l")).unwrap();
    same_columns(
        &csv,
        &parts,
        &["d2min", "shear_strain", "volumetric_strain", "plastic"],
    );
    // predict from the partitioned features
    let (ok, _, err) = interstice(&[
        "train",
        "--features",
        &p("f.parquet"),
        "--labels",
        &p("l.csv"),
        "--trees",
        "5",
        "--model",
        &p("m.json"),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = interstice(&[
        "predict",
        "--model",
        &p("m.json"),
        "--features",
        &p("f.parquet"),
        "--out",
        &p("qs.csv"),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = interstice(&[
        "predict",
        "--model",
        &p("m.json"),
        "--features",
        &p("f"),
        "--distributed",
        "--out",
        &p("qs"),
    ]);
    assert!(ok, "{err}");
    let csv = interstice_io::Table::read(p("qs.csv")).unwrap();
    let parts = interstice_io::Table::read(p("qs")).unwrap();
    assert_eq!(csv.ids, parts.ids);
    assert!(
        csv.values
            .iter()
            .zip(&parts.values)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
}

#[test]
fn distributed_flags_refuse_what_they_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(p("mine.parquet"), b"mine").unwrap();
    for (args, says) in [
        (
            vec![
                "featurize",
                REF,
                "--types",
                "1=Cu,2=Zr",
                "--distributed",
                "--out",
                &p("mine.parquet"),
            ],
            "exists and is not a partitioned table",
        ),
        (
            vec![
                "featurize",
                REF,
                "--types",
                "1=Cu,2=Zr",
                "--distributed",
                "--preset",
                "sf166",
                "--out",
                &p("x"),
            ],
            "featurize computes paper80",
        ),
        (
            vec![
                "voronoi",
                REF,
                "--distributed",
                "--ghost-skin",
                "0",
                "--out",
                &p("x"),
            ],
            "expected a positive length",
        ),
        (
            vec![
                "label",
                REF,
                DEF,
                DEF,
                "--cutoff",
                "5",
                "--distributed",
                "--out",
                &p("x"),
            ],
            "labels one deformed frame",
        ),
        (
            vec![
                "featurize",
                REF,
                "--types",
                "1=Cu,2=Zr",
                "--distributed",
                "--out",
                "no/such/folder/x",
            ],
            "does not exist",
        ),
    ] {
        let (ok, _, err) = interstice(&args);
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read(p("mine.parquet")).unwrap(), b"mine");
    assert!(!std::path::Path::new(&p("x")).exists());
}
