//! The compatibility suite of `fixtures/compat/`: the same glass written by
//! LAMMPS, OVITO 3.17 and ASE (dumps restricted and general triclinic, data
//! files of three atom styles with and without type labels, extended XYZ),
//! each read by `interstice info` and `interstice voronoi` and giving the
//! radical Voronoi volumes of its source dump to 1e-9 Å³, atom by atom.
//! And `interstice convert` round trips through every format we write.
//! (That OVITO and ASE read what we write is `cargo xtask compat`.)

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::interstice;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Radical Voronoi volumes by atom id.
fn volumes(file: &Path, dir: &Path, tag: &str) -> BTreeMap<u64, f64> {
    let out = dir.join(format!("{tag}.csv"));
    let (ok, _, err) = interstice(&[
        "voronoi",
        file.to_str().unwrap(),
        "--types",
        "1=Cu,2=Zr",
        "--radical",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "voronoi {}: {err}", file.display());
    let text = std::fs::read_to_string(&out).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect()
}

fn max_difference(a: &BTreeMap<u64, f64>, b: &BTreeMap<u64, f64>) -> f64 {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "atom ids differ"
    );
    a.iter()
        .map(|(id, v)| (v - b[id]).abs())
        .fold(0.0, f64::max)
}

fn manifest() -> serde_json::Value {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join("fixtures/compat/manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_tool_written_file_gives_its_sources_volumes() {
    let m = manifest();
    let dir = tempfile::tempdir().unwrap();
    let compat = PathBuf::from(ROOT).join("fixtures/compat");
    let mut sources: BTreeMap<String, BTreeMap<u64, f64>> = BTreeMap::new();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() >= 21, "{} cases", cases.len());
    for (k, case) in cases.iter().enumerate() {
        let file = case["file"].as_str().unwrap();
        let source = case["source"].as_str().unwrap();
        let reference = sources
            .entry(source.to_string())
            .or_insert_with(|| volumes(&compat.join(source), dir.path(), &format!("source{k}")))
            .clone();
        let path = compat.join(file);
        let (ok, out, err) = interstice(&["info", path.to_str().unwrap(), "--types", "1=Cu,2=Zr"]);
        assert!(ok, "info {file}: {err}");
        assert!(out.lines().any(|l| l == "atoms      500"), "{file}:\n{out}");
        let got = volumes(&path, dir.path(), &format!("case{k}"));
        let d = max_difference(&got, &reference);
        report.push(format!("{file:<28} {d:.1e}"));
        if d > 1e-9 {
            failures.push(format!(
                "{file} ({}): volumes differ from {source} by {d:.3e} Å³",
                case["tool"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        report.join("\n")
    );
}

#[test]
fn a_data_file_reference_labels_like_the_dump() {
    // `label REF.data CUR.dump`: LAMMPS' write_data of the glass against its
    // own dump gives zero D²min, as the dump against itself does.
    let dir = tempfile::tempdir().unwrap();
    let compat = PathBuf::from(ROOT).join("fixtures/compat");
    let mut d2 = Vec::new();
    for reference in [
        "lammps/restricted.data.gz",
        "lammps/general.data.gz",
        "source/tri.dump.gz",
    ] {
        let out = dir.path().join("labels.csv");
        let (ok, _, err) = interstice(&[
            "label",
            compat.join(reference).to_str().unwrap(),
            compat.join("source/tri.dump.gz").to_str().unwrap(),
            "--cutoff",
            "5.0",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(ok, "label {reference}: {err}");
        let text = std::fs::read_to_string(&out).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let col = header.iter().position(|c| *c == "d2min").unwrap();
        let max = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap())
            .fold(0.0, f64::max);
        d2.push((reference, max));
    }
    for (reference, max) in d2 {
        assert!(
            max < 1e-9,
            "{reference}: D²min up to {max:e} against the same glass"
        );
    }
}

#[test]
fn convert_round_trips_through_every_format_and_form() {
    let dir = tempfile::tempdir().unwrap();
    let compat = PathBuf::from(ROOT).join("fixtures/compat");
    let source = compat.join("lammps/general.dump.gz");
    let reference = volumes(&source, dir.path(), "source");
    let outputs: [(&str, &[&str]); 7] = [
        ("a.dump", &[]),
        ("b.dump.gz", &["--general"]),
        ("c.data", &[]),
        ("d.data", &["--general", "--atom-style", "full"]),
        ("e.data", &["--atom-style", "charge"]),
        ("f.xyz", &["--types", "1=Cu,2=Zr"]),
        ("g.extxyz", &[]),
    ];
    for (name, extra) in outputs {
        let out = dir.path().join(name);
        let mut args = vec!["convert", source.to_str().unwrap(), out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (ok, _, err) = interstice(&args);
        assert!(ok, "convert to {name}: {err}");
        let d = max_difference(&volumes(&out, dir.path(), name), &reference);
        assert!(d <= 1e-9, "{name}: volumes differ by {d:e}");
        // Written general, read back: the cell LAMMPS wrote, to rounding.
        if extra.contains(&"--general") {
            let (ok, info, err) = interstice(&["info", out.to_str().unwrap()]);
            assert!(ok, "{err}");
            assert!(
                info.lines()
                    .any(|l| l.starts_with("general    A 15.820200 11.134248 -5.949641")),
                "{name}:\n{info}"
            );
        }
    }
}

#[test]
fn convert_replicates_a_glass_into_a_supercell_with_the_same_cells() {
    let dir = tempfile::tempdir().unwrap();
    let source = PathBuf::from(ROOT).join("fixtures/cuzr65-4000/frame_000.dump.gz");
    let big = dir.path().join("big.dump.gz");
    let (ok, out, err) = interstice(&[
        "convert",
        source.to_str().unwrap(),
        big.to_str().unwrap(),
        "--replicate",
        "2,1,1",
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("1 frame of 8000 atoms"), "{out}");
    // Every copy of an atom has the atom's cell (the tilted box grows with
    // the copies); copy 1 of id i is id i + 4000.
    let cells = |dump: &Path, name: &str| {
        let csv = dir.path().join(format!("{name}.csv"));
        let (ok, _, err) = interstice(&[
            "voronoi",
            dump.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        let text = std::fs::read_to_string(&csv).unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                let v: Vec<&str> = l.split(',').collect();
                (v[0].parse::<u64>().unwrap(), v[2].parse::<f64>().unwrap())
            })
            .collect::<std::collections::HashMap<u64, f64>>()
    };
    let small = cells(&source, "small");
    let large = cells(&big, "large");
    assert_eq!(large.len(), 8000);
    for (id, v) in &small {
        for copy in [*id, id + 4000] {
            assert!(
                (large[&copy] - v).abs() < 1e-6,
                "id {copy}: {} vs {v}",
                large[&copy]
            );
        }
    }
    for bad in ["2,1", "2,0,1", "a,b,c"] {
        let (ok, _, err) = interstice(&[
            "convert",
            source.to_str().unwrap(),
            big.to_str().unwrap(),
            "--replicate",
            bad,
        ]);
        assert!(
            !ok && err.contains("expected three whole numbers"),
            "{bad}: {err}"
        );
    }
}
