//! The bad-input corpus of `tests/data/lammps/bad/`: every malformed file
//! gives one exact message naming the file, the line and what was expected.
//! And a property test: mutated dumps give `Ok` or `Err`, never a panic.

use std::path::PathBuf;

use interstice_core::TypeMap;
use interstice_io::{DumpReader, IoError, Source, read_data_from};
use proptest::prelude::*;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lammps/bad")
        .join(name)
}

/// Reads every frame of a file to the end and returns the first error.
fn first_error(name: &str) -> String {
    let path = corpus(name);
    let map = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let result = (|| -> Result<(), IoError> {
        let mut r = DumpReader::open(&path)?.with_type_map(&map);
        while r.read()?.is_some() {}
        Ok(())
    })();
    let message = result.expect_err(name).to_string();
    let prefix = format!("{}", path.display());
    message
        .strip_prefix(&prefix)
        .map(|m| format!("<file>{m}"))
        .unwrap_or(message)
}

#[test]
fn every_bad_file_gives_its_message() {
    let cases = [
        (
            "truncated-frame.dump",
            "<file>:12: unexpected end of file: expected 4 atom lines after 'ITEM: ATOMS' on line 9, found 2",
        ),
        (
            "wrong-column-count.dump",
            "<file>:11: expected 5 columns (id type x y z), found 4",
        ),
        (
            "non-numeric-field.dump",
            "<file>:11: expected a finite number in column 'y', found 'two'",
        ),
        (
            "missing-box-bounds.dump",
            "<file>:5: missing 'ITEM: BOX BOUNDS' before 'ITEM: ATOMS'",
        ),
        (
            "malformed-box-bounds.dump",
            "<file>:7: expected 'ylo_bound yhi_bound xz' (3 numbers), found '0 10'",
        ),
        (
            "inverted-box-bounds.dump",
            "<file>:5: invalid box: xhi 0 must be greater than xlo 10",
        ),
        (
            "tilt-wider-than-bounds.dump",
            "<file>:5: the tilts xy 50 and xz 0 span more than the x bounds 0 … 10: the bounding box of a tilted cell must contain it",
        ),
        (
            "wrapped-coordinate-far-outside.dump",
            "<file>:11: atom 2 lies 1.000e307 box lengths along x from the box; expected a position near it (at most 1e6 box lengths away)",
        ),
        (
            "bad-boundary-flags.dump",
            "<file>:5: expected boundary flags such as 'pp pp pp' after 'ITEM: BOX BOUNDS', found 'pq pp pp'",
        ),
        (
            "atom-count-too-high.dump",
            "<file>:12: expected 3 atom lines after 'ITEM: ATOMS' on line 9, found 2 before this item",
        ),
        (
            "atom-count-too-low.dump",
            "<file>:12: expected 'ITEM: TIMESTEP' or the end of the file after the atoms of frame 0, found '3 1 3.0 3.0 3.0'",
        ),
        (
            "duplicate-ids.dump",
            "<file>:13: atom id 2 appears twice (first on line 11)",
        ),
        (
            "missing-coordinate-columns.dump",
            "<file>:9: missing coordinate columns in 'ITEM: ATOMS id type x y vx vy vz': expected x y z, xu yu zu, xs ys zs or xsu ysu zsu",
        ),
        (
            "missing-id-column.dump",
            "<file>:9: missing column 'id' in 'ITEM: ATOMS type x y z'",
        ),
        (
            "unmapped-type.dump",
            "<file>:12: atom type 3 is not in the type map '1=Cu,2=Zr'",
        ),
        (
            "zero-type.dump",
            "<file>:11: expected a positive integer atom type in column 'type', found '0'",
        ),
        (
            "nan-coordinate.dump",
            "<file>:11: expected a finite number in column 'x', found 'nan'",
        ),
        (
            "bad-timestep.dump",
            "<file>:2: expected a non-negative integer timestep, found 'zero'",
        ),
        (
            "general-triclinic-flat.dump",
            "<file>:5: invalid box: edge vectors A [10.0, 0.0, 0.0], B [5.0, 0.0, 0.0], C [0.0, 0.0, 10.0] do not span a volume",
        ),
        (
            "general-triclinic-short-line.dump",
            "<file>:7: expected the edge vector B and the origin's y: 'Bx By Bz origin_y' (4 numbers), found '0 10 0'",
        ),
        (
            "empty.dump",
            "<file>: empty file: expected a LAMMPS dump starting with 'ITEM: TIMESTEP'",
        ),
    ];
    // An ELF header: shown escaped, cut at 40 characters.
    let garbage = format!(
        "<file>:1: expected 'ITEM: TIMESTEP' at the start of a LAMMPS dump, found '\\u{{7f}}ELF\\u{{2}}\\u{{1}}\\u{{1}}{}…'",
        "\\0".repeat(33)
    );
    let cases: Vec<(&str, &str)> = cases
        .into_iter()
        .chain([("garbage.dump", garbage.as_str())])
        .collect();
    let mut failures = Vec::new();
    for &(file, expected) in &cases {
        let got = first_error(file);
        if got != expected {
            failures.push(format!(
                "{file}:\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every file of the corpus is covered.
    let count = std::fs::read_dir(corpus("")).unwrap().count();
    assert_eq!(count, cases.len());
}

#[test]
fn a_missing_file_names_the_path() {
    let e = DumpReader::open("/no/such/file.dump")
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("/no/such/file.dump: cannot open: "), "{e}");
}

#[test]
fn truncated_gzip_is_reported() {
    let text = std::fs::read(corpus("duplicate-ids.dump"))
        .unwrap()
        .repeat(50);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, &text).unwrap();
    let mut gz = e.finish().unwrap();
    gz.truncate(gz.len() / 2);
    let mut r = DumpReader::from_bytes("cut.dump.gz", &gz).unwrap();
    let err = loop {
        match r.forward() {
            Ok(true) => {}
            Ok(false) => panic!("a truncated gzip stream must not end cleanly"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(
        err.starts_with("cut.dump.gz:") && err.contains("corrupt gzip data"),
        "{err}"
    );
}

#[test]
fn frame_index_past_the_end() {
    let text = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/lammps/tiny-two-frames.dump"),
    )
    .unwrap();
    let mut r = DumpReader::from_bytes("two.dump", &text).unwrap();
    assert_eq!(
        r.read_at(5).unwrap_err().to_string(),
        "two.dump: frame 5 is out of range: the file has 2 frames"
    );
}

const VALID: &str = "ITEM: TIMESTEP\n10\nITEM: NUMBER OF ATOMS\n3\nITEM: BOX BOUNDS xy xz yz pp pf pp\n-1 11 1.5\n0 10 -0.5\n0 10 0.25\nITEM: ATOMS id type xs ys zs ix iy iz c_pe element\n1 1 0.1 0.2 0.3 0 0 1 -4.5 Cu\n2 2 0.4 0.5 0.6 1 0 0 -5.25 Zr\n3 1 0.7 0.8 0.9 0 -1 0 -3 Cu\nITEM: TIMESTEP\n20\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type x y z\n1 1 1 2 3\n";

const DATA: &str = "title\n\n2 atoms\n2 atom types\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n1 0 0 xy xz yz\n\nMasses\n\n1 63.546\n2 91.224\n\nAtoms # atomic\n\n1 1 1 2 3 0 0 0\n2 2 4 5 6 0 1 0\n\nVelocities\n\n2 0.1 0.2 0.3\n1 0 0 0\n";

fn read_all(bytes: &[u8]) -> Result<usize, IoError> {
    let mut r = DumpReader::from_bytes("fuzz", bytes)?;
    let mut n = 0;
    while r.read()?.is_some() {
        n += 1;
    }
    let _ = r.frame_count()?;
    let _ = r.read_at(0)?;
    Ok(n)
}

#[test]
fn the_fuzz_seeds_are_valid() {
    assert_eq!(read_all(VALID.as_bytes()).unwrap(), 2);
    let d = read_data_from(Source::Memory {
        name: "d".into(),
        bytes: DATA.as_bytes(),
    })
    .unwrap();
    assert_eq!(d.frame.len(), 2);
}

fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for &(at, op, byte) in edits {
        if v.is_empty() {
            v.push(byte);
            continue;
        }
        let k = at % v.len();
        match op % 4 {
            0 => v[k] = byte,
            1 => v.insert(k, byte),
            2 => {
                v.remove(k);
            }
            _ => v.truncate(k),
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Random edits (replace, insert, delete, truncate) of a valid dump and a
    /// valid data file, with bytes biased toward the format's own characters.
    #[test]
    fn mutated_input_never_panics(
        edits in prop::collection::vec(
            (any::<usize>(), any::<u8>(), prop_oneof![
                Just(b' '), Just(b'\n'), Just(b'-'), Just(b'.'), Just(b'e'), Just(b'9'), Just(b'0'),
                Just(b'I'), Just(b'#'), Just(b'x'), any::<u8>()
            ]),
            1..8,
        )
    ) {
        let dump = mutate(VALID.as_bytes(), &edits);
        let _ = read_all(&dump);
        let data = mutate(DATA.as_bytes(), &edits);
        let _ = read_data_from(Source::Memory { name: "d".into(), bytes: &data });
    }
}
