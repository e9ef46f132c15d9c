//! `interstice voronoi` on the 4 000-atom fixture against OVITO's table,
//! and its errors.

mod common;

use std::io::Read;

use common::interstice;

fn ovito(name: &str) -> Vec<Vec<f64>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(format!(
            "{}/../../fixtures/cuzr65-4000/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    rows(&text)
}

fn rows(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect()
}

#[test]
fn plain_and_radical_tables_match_ovito() {
    let dir = tempfile::tempdir().unwrap();
    for (radical, reference) in [
        (false, "voronoi_plain.csv.gz"),
        (true, "voronoi_radical.csv.gz"),
    ] {
        let out = dir.path().join("cells.csv");
        let mut args = vec![
            "voronoi",
            "fixtures/cuzr65-4000/frame_000.dump.gz",
            "--types",
            "1=Cu,2=Zr",
            "--out",
            out.to_str().unwrap(),
        ];
        if radical {
            args.push("--radical");
        }
        let (ok, stdout, err) = interstice(&args);
        assert!(ok, "{err}");
        assert!(stdout.starts_with("4000 atoms, "), "{stdout}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("id,type,volume,cn,n3,n4,n5,n6,n7,n8plus\n"));
        let ours = rows(&text);
        let theirs = ovito(reference);
        assert_eq!(ours.len(), 4000);
        // The dump is sorted by id, as OVITO's table is.
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a[0], b[0]);
            assert!(
                (a[2] - b[2]).abs() < 1e-6,
                "atom {}: {} vs {}",
                a[0],
                a[2],
                b[2]
            );
            assert_eq!(a[3..], b[3..], "atom {}", a[0]);
        }
        // Region by region (eight regions here), with the amlearn filter:
        // the same bytes and the same summary as all at once.
        let both = |regions: &str| {
            let out = dir.path().join(format!("cells-{regions}.csv"));
            let mut a = args.clone();
            let o = out.to_str().unwrap().to_string();
            let at = a.iter().position(|x| *x == "--out").unwrap() + 1;
            a[at] = &o;
            a.extend(["--amlearn-filter", "0.05", "--region-atoms", regions]);
            let (ok, stdout, err) = interstice(&a);
            assert!(ok, "{err}");
            let summary = stdout
                .split(" in ")
                .nth(1)
                .unwrap()
                .split_once(": ")
                .unwrap()
                .1
                .to_string();
            (
                std::fs::read(&out).unwrap(),
                summary.split("; wrote").next().unwrap().to_string(),
            )
        };
        assert_eq!(both("500"), both("1000000"));
    }
}

#[test]
fn errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cells.csv");
    let o = out.to_str().unwrap();
    let (ok, _, err) = interstice(&[
        "voronoi",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--radical",
        "--out",
        o,
    ]);
    assert!(!ok);
    assert!(err.contains("--types"), "{err}");
    let (ok, _, err) = interstice(&[
        "voronoi",
        "fixtures/cuzr-tiny/shear.dump.gz",
        "--frame",
        "9",
        "--out",
        o,
    ]);
    assert!(!ok);
    assert!(
        err.contains("--frame 9") && err.contains("has 5 frames"),
        "{err}"
    );

    // A dump with one atom duplicated (same position, new id).
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(format!(
            "{}/../../fixtures/cuzr-tiny/shear.dump.gz",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let frame: Vec<&str> = text.lines().collect();
    let start = frame
        .iter()
        .position(|l| l.starts_with("ITEM: ATOMS"))
        .unwrap();
    let n: usize = frame[3].trim().parse().unwrap();
    let mut lines: Vec<String> = frame[..start + 1 + n]
        .iter()
        .map(|s| s.to_string())
        .collect();
    lines[3] = (n + 1).to_string();
    let mut dup: Vec<String> = lines[start + 1]
        .split_whitespace()
        .map(String::from)
        .collect();
    dup[0] = "100000".into();
    lines.push(dup.join(" "));
    let bad = dir.path().join("dup.dump");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let (ok, _, err) = interstice(&["voronoi", bad.to_str().unwrap(), "--out", o]);
    assert!(!ok);
    assert!(err.contains("100000") && err.contains("apart"), "{err}");
    assert!(!out.exists(), "nothing written on error");
}
