//! Messages for the inputs of issue 17.9: each names the file and what was
//! wrong, and a damaged later frame does not stop work on an earlier one.

mod common;

use common::interstice;

fn dump(atoms: &[(u64, u32, [f64; 3])], timestep: u64) -> String {
    let mut s = format!(
        "ITEM: TIMESTEP\n{timestep}\nITEM: NUMBER OF ATOMS\n{}\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type x y z\n",
        atoms.len()
    );
    for (id, t, p) in atoms {
        s += &format!("{id} {t} {} {} {}\n", p[0], p[1], p[2]);
    }
    s
}

#[test]
fn tables_that_cannot_be_learnt_from_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, "id,plastic\n1,1\n2,0\n3,0\n").unwrap();
    let case = |name: &str, text: &str, want: &str, named: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        let (ok, _, err) = interstice(&[
            "train",
            "--features",
            f.to_str().unwrap(),
            "--labels",
            labels.to_str().unwrap(),
        ]);
        assert!(!ok, "{name}");
        assert!(err.contains(want), "{name}: expected '{want}', got {err}");
        assert!(
            err.contains(named),
            "{name}: the message does not name {named}: {err}"
        );
    };
    case(
        "header.csv",
        "id,f0,f1\n",
        "the table has no rows (a header alone)",
        "header.csv",
    );
    case(
        "ids.csv",
        "id\n1\n2\n3\n",
        "the table has only the id column",
        "ids.csv",
    );
    case(
        "nan.csv",
        "id,f0,f1\n1,0.5,1\n2,0.1,2\n3,0.2,NaN\n",
        "row 3 (id 3), column 'f1': NaN is not a finite number",
        "nan.csv",
    );
    // One class only.
    std::fs::write(&labels, "id,plastic\n1,0\n2,0\n3,0\n").unwrap();
    case(
        "fine.csv",
        "id,f0\n1,0.5\n2,0.1\n3,0.2\n",
        "labels none of the 3 atoms plastic; learning needs both classes",
        "labels.csv",
    );
}

#[test]
fn a_damaged_later_frame_does_not_stop_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let atoms: Vec<(u64, u32, [f64; 3])> = (0..27u64)
        .map(|k| {
            let p = [
                1.0 + 3.0 * (k % 3) as f64,
                1.0 + 3.0 * (k / 3 % 3) as f64,
                1.0 + 3.0 * (k / 9) as f64,
            ];
            (k + 1, 1 + (k % 2) as u32, p)
        })
        .collect();
    let good = dump(&atoms, 0);
    // The second frame stops half-way through its atoms.
    let second = dump(&atoms, 100);
    let cut = second.len() - 60;
    let f = dir.path().join("series.dump");
    std::fs::write(&f, format!("{good}{}", &second[..cut])).unwrap();
    let (ok, out, err) = interstice(&["info", f.to_str().unwrap(), "--frame", "0"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("frames     at least 1 (counting stopped: "),
        "{out}"
    );
    assert!(out.contains("atoms      27"), "{out}");
    // Asking for the damaged frame names its line.
    let (ok, _, err) = interstice(&["info", f.to_str().unwrap(), "--frame", "1"]);
    assert!(!ok);
    assert!(err.contains("series.dump:"), "{err}");
}

#[test]
fn degenerate_frames_are_reported_not_computed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.dump");
    std::fs::write(&empty, dump(&[], 0)).unwrap();
    let (ok, out, err) = interstice(&["info", empty.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("Å³ (no atoms)"), "{out}");
    assert!(!out.contains("per atom"), "{out}");
    let one = dir.path().join("one.dump");
    std::fs::write(&one, dump(&[(1, 1, [5.0, 5.0, 5.0])], 0)).unwrap();
    let out_file = dir.path().join("f.csv");
    let (ok, _, err) = interstice(&[
        "featurize",
        one.to_str().unwrap(),
        "--types",
        "1=Cu",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("1 atom(s); features describe an atom's neighbours and need at least 2 atoms"),
        "{err}"
    );
    assert!(!out_file.exists());
}
