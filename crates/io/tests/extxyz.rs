//! Extended XYZ and format sniffing: multi-frame trajectories with random
//! access, species through a type map or as elements, extra columns kept and
//! written back, general cells rotated and restored, and one exact message
//! per malformed file.

use interstice_core::{ColumnData, TypeMap};
use interstice_io::{
    DumpReader, DumpWriter, ExtXyzReader, ExtXyzWriter, Format, IoError, Source, Trajectory,
    TrajectoryReader,
};

const TWO_FRAMES: &str = r#"3
Lattice="10 0 0 0 11 0 0 0 12" Properties=species:S:1:pos:R:3:forces:R:3:id:I:1:fixed:L:1 pbc="T T T" Timestep=5 energy=-3.5
Cu 1 2 3 0.1 0.2 0.3 7 T
Zr 4 5 6 -0.1 -0.2 -0.3 8 F
Cu 7 8 9 0 0 0 9 F
3
Lattice="10 0 0 1 11 0 0 0 12" Properties=species:S:1:pos:R:3:forces:R:3:id:I:1:fixed:L:1 pbc="T T F" Timestep=10
Cu 1.5 2 3 0.1 0.2 0.3 7 T
Zr 4.5 5 6 -0.1 -0.2 -0.3 8 F
Cu 7.5 8 9 0 0 0 9 F
"#;

fn reader(text: &str) -> ExtXyzReader<'_> {
    ExtXyzReader::from_bytes("t.xyz", text.as_bytes()).unwrap()
}

#[test]
fn a_multi_frame_file_is_a_trajectory() {
    let mut r = reader(TWO_FRAMES);
    assert_eq!(r.frame_count().unwrap(), 2);
    let mut f = interstice_core::Frame::default();
    r.read_at_into(1, &mut f).unwrap();
    assert_eq!(f.timestep(), 10);
    assert_eq!(f.sim_box().tilts(), [1.0, 0.0, 0.0]);
    assert_eq!(f.sim_box().periodic(), [true, true, false]);
    r.read_at_into(0, &mut f).unwrap();
    assert_eq!(f.timestep(), 5);
    assert_eq!(f.ids(), &[7, 8, 9]);
    // Without a type map, element symbols become their atomic numbers.
    assert_eq!(f.types(), &[29, 40, 29]);
    assert_eq!(
        f.column("element"),
        Some(&ColumnData::Text(vec![
            "Cu".into(),
            "Zr".into(),
            "Cu".into()
        ]))
    );
    assert_eq!(
        f.column("forces[2]"),
        Some(&ColumnData::Float(vec![0.2, -0.2, 0.0]))
    );
    assert_eq!(f.column("fixed"), Some(&ColumnData::Int(vec![1, 0, 0])));
    assert!(matches!(
        r.read_at_into(2, &mut f),
        Err(IoError::FrameOutOfRange {
            index: 2,
            count: 2,
            ..
        })
    ));
    // Through a type map, symbols take the map's types.
    let map = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let f = reader(TWO_FRAMES).with_type_map(&map).read_at_into_frame(0);
    assert_eq!(f.types(), &[1, 2, 1]);
}

/// A small helper so the test reads naturally.
trait ReadAt {
    fn read_at_into_frame(self, index: usize) -> interstice_core::Frame;
}

impl ReadAt for ExtXyzReader<'_> {
    fn read_at_into_frame(mut self, index: usize) -> interstice_core::Frame {
        let mut f = interstice_core::Frame::default();
        self.read_at_into(index, &mut f).unwrap();
        f
    }
}

#[test]
fn written_frames_read_back_with_their_columns_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xyz");
    let mut r = reader(TWO_FRAMES);
    let mut w = ExtXyzWriter::create(&path).unwrap();
    let mut frames = Vec::new();
    while let Some(f) = {
        let mut f = interstice_core::Frame::default();
        r.read_into(&mut f).unwrap().then_some(f)
    } {
        w.write(&f).unwrap();
        frames.push(f);
    }
    w.finish().unwrap();
    let mut back = ExtXyzReader::open(&path).unwrap();
    for f in &frames {
        let mut g = interstice_core::Frame::default();
        assert!(back.read_into(&mut g).unwrap());
        assert_eq!(g.positions(), f.positions());
        assert_eq!(g.ids(), f.ids());
        assert_eq!(g.types(), f.types());
        assert_eq!(g.sim_box(), f.sim_box());
        assert_eq!(g.columns(), f.columns());
    }
}

#[test]
fn a_rotated_cell_is_restricted_on_reading_and_restored_on_writing() {
    // The LAMMPS example of general triclinic input: A, B, C, origin and an atom.
    let text = "1\nLattice=\"10 0 0 3 9 1 1 2 11\" Origin=\"0.5 -0.5 1\" Properties=species:S:1:pos:R:3\nZr 5 4 3\n";
    let f = reader(text).read_at_into_frame(0);
    let b = f.sim_box();
    assert_eq!(b.lo(), [0.5, -0.5, 1.0]);
    let close = |a: [f64; 3], e: [f64; 3]| (0..3).all(|k| (a[k] - e[k]).abs() < 1e-12);
    // LAMMPS 22 Jul 2025 read this cell and wrote these numbers (write_data).
    assert!(close(b.hi(), [10.5, 8.555385138137416, 11.71185802926011]));
    assert!(close(
        f.positions()[0],
        [5.0, 4.19333985818098, 2.490825602010424]
    ));
    assert!(f.orientation().is_some());
    // A general dump written from it has the cell and the atom where they were.
    let mut w = DumpWriter::new(Vec::new(), "mem").general_triclinic(true);
    w.write(&f).unwrap();
    let bytes = w.into_inner();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("ITEM: BOX BOUNDS abc origin pp pp pp\n"),
        "{text}"
    );
    let g = DumpReader::from_bytes("d", &bytes)
        .unwrap()
        .read_at(0)
        .unwrap();
    assert!(close(g.positions()[0], f.positions()[0]));
    let last: Vec<f64> = text
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .skip(2)
        .take(3)
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(
        close([last[0], last[1], last[2]], [5.0, 4.0, 3.0]),
        "{last:?}"
    );
}

#[test]
fn every_malformed_file_gives_its_message() {
    let cases = [
        (
            "",
            "t.xyz: empty file: expected extended XYZ (an atom count, then a comment line with Lattice= and Properties=)",
        ),
        (
            "2\nProperties=species:S:1:pos:R:3\nCu 0 0 0\nCu 1 1 1\n",
            "t.xyz:2: missing Lattice=\"ax ay az bx by bz cx cy cz\": interstice needs a periodic cell",
        ),
        (
            "1\nLattice=\"1 0 0 0 1 0\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n",
            "t.xyz:2: expected Lattice=\"ax ay az bx by bz cx cy cz\" (9 numbers), found '1 0 0 0 1 0'",
        ),
        (
            "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:2\nCu 0 0\n",
            "t.xyz:2: expected the property pos:R:3",
        ),
        (
            "2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n",
            "t.xyz:4: unexpected end of file: expected 2 atom lines after the comment line 2, found 1",
        ),
        (
            "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nCu 0 zero 0\n",
            "t.xyz:3: expected a finite coordinate in column 3, found 'zero'",
        ),
        (
            "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nXx 0 0 0\n",
            "t.xyz:3: species 'Xx' is neither an element symbol nor a type number: give a type map (--types) to number it",
        ),
        (
            "1\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\nCu 0 0 0 9\n",
            "t.xyz:3: expected 4 columns (Properties), found 5",
        ),
        (
            "1\nLattice=\"5 0 0 0 10 0 0 0 5\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n",
            "ok",
        ),
        (
            "1\nLattice=\"5 0 0 10 0 0 0 0 5\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n",
            "t.xyz:2: invalid box: edge vectors A [5.0, 0.0, 0.0], B [10.0, 0.0, 0.0], C [0.0, 0.0, 5.0] do not span a volume",
        ),
    ];
    let mut failures = Vec::new();
    for (text, expected) in cases {
        let got = match reader(text).read() {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        if got != expected {
            failures.push(format!("expected: {expected}\n  got:      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `read` for the malformed-file table.
trait Read {
    fn read(self) -> Result<interstice_core::Frame, IoError>;
}

impl Read for ExtXyzReader<'_> {
    fn read(mut self) -> Result<interstice_core::Frame, IoError> {
        let mut f = interstice_core::Frame::default();
        self.read_at_into(0, &mut f).map(|()| f)
    }
}

#[test]
fn sniffing_finds_each_format_and_names_what_it_tried() {
    let dump = "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type x y z\n1 1 1 2 3\n";
    let data = "500\n\n1 atoms\n1 atom types\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nAtoms\n\n1 1 1 2 3\n";
    let xyz = "1\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nCu 1 2 3\n";
    // A data file whose title is a number is still a data file; a dump named .xyz is a dump.
    for (name, text, format) in [
        ("a.xyz", dump, Format::Dump),
        ("b.txt", data, Format::Data),
        ("c.dump", xyz, Format::ExtXyz),
    ] {
        let mut t = Trajectory::from_source(
            Source::Memory {
                name: name.into(),
                bytes: text.as_bytes(),
            },
            None,
        )
        .unwrap();
        assert_eq!(t.format(), format, "{name}");
        assert_eq!(t.frame_count().unwrap(), 1);
        assert_eq!(t.read_at(0).unwrap().positions()[0], [1.0, 2.0, 3.0]);
    }
    let e = Trajectory::from_source(
        Source::Memory {
            name: "notes.txt".into(),
            bytes: b"hello\nworld\n",
        },
        None,
    )
    .err()
    .unwrap()
    .to_string();
    assert_eq!(
        e,
        "notes.txt: not a format interstice reads; tried a LAMMPS dump (starts with 'ITEM: TIMESTEP'), extended XYZ (an atom count, then a line with Lattice= and Properties=) and a LAMMPS data file (a title, then header lines with 'N atoms'); the file starts with 'hello'"
    );
}
