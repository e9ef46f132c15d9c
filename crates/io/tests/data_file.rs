//! LAMMPS data files (`atom_style atomic`): reading, writing, round trips and
//! the bad-input corpus of `tests/data/lammps/data-bad/`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use interstice_core::{Column, ColumnData, Frame, FrameParts, SimBox};
use interstice_io::{DataFile, Source, read_data, read_data_from, write_data, write_data_to};

const WRITE_DATA: &str =
    "LAMMPS data file via write_data, version 22 Jul 2025, timestep = 0, units = metal

2 atoms
2 atom types

-0.5 20.25 xlo xhi
0 21 ylo yhi
1 22 zlo zhi
2.5 -1 0.75 xy xz yz

Masses

1 63.546
2 91.224

Pair Coeffs # eam/fs

1
2

Atoms # atomic

2 2 4.5 5.5 6.5 0 -1 0
1 1 1 2 3 1 0 0

Velocities

1 0.1 0.2 0.3
2 -0.1 -0.2 -0.3
";

#[test]
fn reads_what_lammps_write_data_writes() {
    let d = read_data_from(Source::Memory {
        name: "w".into(),
        bytes: WRITE_DATA.as_bytes(),
    })
    .unwrap();
    assert_eq!(d.atom_types, 2);
    assert_eq!(d.masses, BTreeMap::from([(1, 63.546), (2, 91.224)]));
    let f = &d.frame;
    assert_eq!(f.sim_box().lo(), [-0.5, 0.0, 1.0]);
    assert_eq!(f.sim_box().hi(), [20.25, 21.0, 22.0]);
    assert_eq!(f.sim_box().tilts(), [2.5, -1.0, 0.75]);
    assert_eq!(f.ids(), &[2, 1]);
    assert_eq!(f.types(), &[2, 1]);
    assert_eq!(f.positions(), &[[4.5, 5.5, 6.5], [1.0, 2.0, 3.0]]);
    assert_eq!(f.images().unwrap(), &[[0, -1, 0], [1, 0, 0]]);
    // Velocities are matched to atoms by id.
    assert_eq!(f.column("vx"), Some(&ColumnData::Float(vec![-0.1, 0.1])));
    assert_eq!(f.column("vz"), Some(&ColumnData::Float(vec![-0.3, 0.3])));
}

#[test]
fn write_then_read_is_identical() {
    let b = SimBox::triclinic([-1.25, 0.0, 3.0], [17.0, 19.5, 23.0], [1.0, -2.0, 0.5]).unwrap();
    let parts = FrameParts {
        sim_box: b,
        ids: vec![5, 3, 9],
        types: vec![1, 3, 2],
        positions: vec![
            [0.1, 0.2, 0.3],
            [1.0 / 3.0, 2.0 / 3.0, 1e-17],
            [15.0, -0.0, 7.25],
        ],
        images: Some(vec![[0, 0, 0], [-1, 2, 0], [0, 0, 5]]),
        columns: vec![
            Column {
                name: "vx".into(),
                data: ColumnData::Float(vec![0.5, 0.25, 0.125]),
            },
            Column {
                name: "vy".into(),
                data: ColumnData::Float(vec![0.0, 1.0, 2.0]),
            },
            Column {
                name: "vz".into(),
                data: ColumnData::Float(vec![-1.0, -2.0, -3.0]),
            },
        ],
        ..FrameParts::default()
    };
    let data = DataFile {
        title: "written by a test".into(),
        frame: Frame::from_parts(parts).unwrap(),
        atom_types: 3,
        masses: BTreeMap::from([(1, 63.546), (2, 91.224), (3, 26.9815385)]),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.data");
    write_data(&path, &data).unwrap();
    assert_eq!(read_data(&path).unwrap(), data);
    // gzipped by name, read back by content.
    let gz = dir.path().join("x.data.gz");
    write_data(&gz, &data).unwrap();
    assert_eq!(read_data(&gz).unwrap(), data);
}

#[test]
fn writer_refuses_inconsistent_types() {
    let frame = Frame::new(
        SimBox::cubic(5.0).unwrap(),
        vec![1],
        vec![4],
        vec![[0.0; 3]],
    )
    .unwrap();
    let data = DataFile {
        title: String::new(),
        frame,
        atom_types: 2,
        masses: BTreeMap::new(),
        ..Default::default()
    };
    let e = write_data_to(&mut Vec::new(), "out.data", &data)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "out.data: atom type 4 exceeds the 2 atom types to write");
}

#[test]
fn every_bad_data_file_gives_its_message() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/lammps/data-bad");
    let cases = [
        (
            "sphere-style.data",
            "<file>:9: atom style 'sphere' is not supported: expected 'Atoms # atomic', '# charge' or '# full'",
        ),
        (
            "charge-style-wrong-width.data",
            "<file>:11: expected 'id type q x y z' or with 'ix iy iz' (atom_style charge), found 5 columns",
        ),
        (
            "general-missing-cvec.data",
            "<file>:5: a general triclinic box needs avec, bvec and cvec; missing cvec",
        ),
        (
            "general-and-restricted.data",
            "<file>:6: a general triclinic box (avec, bvec, cvec, abc origin) and a restricted one (xlo xhi, xy xz yz, line 5) in one header: expected one of them",
        ),
        (
            "unknown-type-label.data",
            "<file>:17: expected a positive integer atom type or a label of 'Atom Type Labels', found 'Zn'",
        ),
        (
            "type-out-of-range.data",
            "<file>:12: atom type 3 exceeds the 2 atom types of the header",
        ),
        (
            "truncated-atoms.data",
            "<file>:13: unexpected end of file in section 'Atoms' that starts on line 9",
        ),
        (
            "duplicate-ids.data",
            "<file>:12: atom id 1 appears twice (first on line 11)",
        ),
        (
            "bonds.data",
            "<file>:5: '5 bonds': interstice reads atoms only (atom styles atomic, charge, full) and not bonded topology; write the data file without it",
        ),
        (
            "bad-mass-type.data",
            "<file>:12: expected 'type mass' with a type from 1 to 2 and a positive mass, found '3 91.224'",
        ),
        (
            "bad-box-line.data",
            "<file>:7: expected a header line such as '100 atoms' or '0 10 xlo xhi', or a section such as 'Atoms', found '0 zlo zhi'",
        ),
        (
            "missing-atom-types.data",
            "<file>: missing header line 'N atom types'",
        ),
        (
            "velocity-unknown-id.data",
            "<file>:17: velocity of atom id 3, which is not in 'Atoms'",
        ),
        (
            "mixed-widths.data",
            "<file>:12: expected 5 columns like the first atom line, found 8",
        ),
        (
            "empty.data",
            "<file>: empty file: expected a LAMMPS data file (a title line, then the header)",
        ),
    ];
    let mut failures = Vec::new();
    for (file, expected) in cases {
        let path = dir.join(file);
        let got = read_data(&path)
            .expect_err(file)
            .to_string()
            .replace(&path.display().to_string(), "<file>");
        if got != expected {
            failures.push(format!(
                "{file}:\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), cases.len());
}

#[test]
fn styles_labels_and_general_cells_round_trip() {
    // A general cell (LAMMPS' own example of one), full style, type labels.
    let text = "general\n\n3 atoms\n2 atom types\n\n10 0 0 avec\n3 9 1 bvec\n1 2 11 cvec\n0.5 -0.5 1 abc origin\n\nAtom Type Labels\n\n1 Cu\n2 Zr\n\nMasses\n\nCu 63.546\nZr 91.224\n\nAtoms # full\n\n1 7 Cu 0.5 1 1 1\n2 7 Zr -0.5 5 4 3\n3 8 1 0.0 8 6 9\n";
    let d = read_data_from(Source::Memory {
        name: "g".into(),
        bytes: text.as_bytes(),
    })
    .unwrap();
    assert_eq!(d.atom_style, interstice_io::AtomStyle::Full);
    assert!(d.general_triclinic);
    assert_eq!(d.masses, BTreeMap::from([(1, 63.546), (2, 91.224)]));
    assert_eq!(
        d.type_labels,
        BTreeMap::from([(1, "Cu".to_string()), (2, "Zr".to_string())])
    );
    let f = &d.frame;
    assert_eq!(f.types(), &[1, 2, 1]);
    assert_eq!(f.column("mol"), Some(&ColumnData::Int(vec![7, 7, 8])));
    assert_eq!(
        f.column("q"),
        Some(&ColumnData::Float(vec![0.5, -0.5, 0.0]))
    );
    assert_eq!(
        f.column("element"),
        Some(&ColumnData::Text(vec![
            "Cu".into(),
            "Zr".into(),
            "Cu".into()
        ]))
    );
    // LAMMPS 22 Jul 2025 put atom 2 of this cell at (5, 4.19333985818098, 2.490825602010424).
    let p = f.positions()[1];
    assert!((p[1] - 4.19333985818098).abs() < 1e-12 && (p[2] - 2.490825602010424).abs() < 1e-12);
    // Written (general, full, labels) and read back: the same frame.
    let mut bytes = Vec::new();
    write_data_to(&mut bytes, "mem", &d).unwrap();
    let back = read_data_from(Source::Memory {
        name: "back".into(),
        bytes: &bytes,
    })
    .unwrap();
    assert_eq!(back.atom_style, d.atom_style);
    assert_eq!(back.type_labels, d.type_labels);
    assert!(back.general_triclinic);
    for (a, b) in back.frame.positions().iter().zip(f.positions()) {
        assert!((0..3).all(|k| (a[k] - b[k]).abs() < 1e-12));
    }
    assert_eq!(back.frame.column("q"), f.column("q"));
    assert_eq!(back.frame.column("mol"), f.column("mol"));
    // Charge style, restricted, no image flags: inferred from 6 columns.
    let charge = "c\n\n1 atoms\n1 atom types\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nAtoms\n\n1 1 -1.5 1 2 3\n";
    let c = read_data_from(Source::Memory {
        name: "c".into(),
        bytes: charge.as_bytes(),
    })
    .unwrap();
    assert_eq!(c.atom_style, interstice_io::AtomStyle::Charge);
    assert_eq!(c.frame.positions()[0], [1.0, 2.0, 3.0]);
}
