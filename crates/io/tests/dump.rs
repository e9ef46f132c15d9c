//! LAMMPS dumps: coordinate conventions, triclinic boxes, multi-frame access,
//! gzip, and write–read round trips.

use interstice_core::{Column, ColumnData, Frame, FrameParts, SimBox};
use interstice_io::{DumpReader, DumpWriter};
use proptest::prelude::*;

fn header(natoms: usize, bounds: &str, columns: &str) -> String {
    format!(
        "ITEM: TIMESTEP\n5\nITEM: NUMBER OF ATOMS\n{natoms}\nITEM: BOX BOUNDS {bounds}\nITEM: ATOMS {columns}\n"
    )
}

fn close(a: [f64; 3], b: [f64; 3]) -> bool {
    (0..3).all(|k| (a[k] - b[k]).abs() < 1e-12)
}

#[test]
fn triclinic_bounding_box_is_converted_to_lo_hi() {
    // lo = (0, 0, 0), hi = (10, 8, 6), xy = 2, xz = -3, yz = 1.5.
    // LAMMPS writes xlo_bound = xlo + min(0, xy, xz, xy + xz) = -3,
    // xhi_bound = xhi + max(0, xy, xz, xy + xz) = 12, ylo_bound = 0, yhi_bound = 9.5.
    let text = header(
        1,
        "xy xz yz pp pp pp\n-3 12 2\n0 9.5 -3\n0 6 1.5",
        "id type x y z",
    ) + "1 1 0 0 0\n";
    let f = DumpReader::from_bytes("t", text.as_bytes())
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let b = f.sim_box();
    assert_eq!(b.lo(), [0.0, 0.0, 0.0]);
    assert_eq!(b.hi(), [10.0, 8.0, 6.0]);
    assert_eq!(b.tilts(), [2.0, -3.0, 1.5]);
    assert_eq!(f.timestep(), 5);
}

#[test]
fn every_coordinate_convention_gives_the_same_positions() {
    let b = SimBox::triclinic([1.0, -2.0, 0.5], [11.0, 7.0, 8.5], [2.5, -1.0, 0.75]).unwrap();
    let frac = [[0.1, 0.2, 0.3], [0.95, 0.05, 0.5]];
    let images = [[0, 1, -1], [2, 0, 0]];
    let bounds = {
        let (lo, hi, [xy, xz, yz]) = (b.lo(), b.hi(), b.tilts());
        let xmin = [0.0, xy, xz, xy + xz]
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        let xmax = [0.0, xy, xz, xy + xz]
            .into_iter()
            .fold(f64::NEG_INFINITY, f64::max);
        format!(
            "xy xz yz pp pp pp\n{} {} {xy}\n{} {} {xz}\n{} {} {yz}",
            lo[0] + xmin,
            hi[0] + xmax,
            lo[1] + yz.min(0.0),
            hi[1] + yz.max(0.0),
            lo[2],
            hi[2]
        )
    };
    let wrapped: Vec<[f64; 3]> = frac.iter().map(|&f| b.to_cartesian(f)).collect();
    let unwrapped: Vec<[f64; 3]> = (0..2).map(|i| b.unwrap(wrapped[i], images[i])).collect();
    let sfrac: Vec<[f64; 3]> = (0..2)
        .map(|i| {
            [
                frac[i][0] + f64::from(images[i][0]),
                frac[i][1] + f64::from(images[i][1]),
                frac[i][2] + f64::from(images[i][2]),
            ]
        })
        .collect();
    let line = |p: [f64; 3]| format!("{:?} {:?} {:?}", p[0], p[1], p[2]);
    // Columns in unusual orders, with image flags and an extra column.
    let x = header(2, &bounds, "type x y z id ix iy iz c_pe")
        + &format!(
            "1 {} 7 0 1 -1 -4.5\n2 {} 3 2 0 0 -3\n",
            line(wrapped[0]),
            line(wrapped[1])
        );
    let xu = header(2, &bounds, "xu id yu zu type").to_string()
        + &format!(
            "{} 7 {} {} 1\n",
            unwrapped[0][0], unwrapped[0][1], unwrapped[0][2]
        )
        + &format!(
            "{} 3 {} {} 2\n",
            unwrapped[1][0], unwrapped[1][1], unwrapped[1][2]
        );
    let xs = header(2, &bounds, "id type xs ys zs ix iy iz")
        + &format!(
            "7 1 {} 0 1 -1\n3 2 {} 2 0 0\n",
            line(frac[0]),
            line(frac[1])
        );
    let xsu = header(2, &bounds, "id type xsu ysu zsu")
        + &format!("7 1 {}\n3 2 {}\n", line(sfrac[0]), line(sfrac[1]));

    let read = |t: &str| {
        DumpReader::from_bytes("t", t.as_bytes())
            .unwrap()
            .read()
            .unwrap()
            .unwrap()
    };
    let fx = read(&x);
    assert_eq!(fx.ids(), &[7, 3]);
    assert_eq!(fx.types(), &[1, 2]);
    assert_eq!(fx.images().unwrap(), &images);
    assert_eq!(
        fx.column("c_pe"),
        Some(&ColumnData::Float(vec![-4.5, -3.0]))
    );
    let fxs = read(&xs);
    assert_eq!(fxs.images().unwrap(), &images);
    for i in 0..2 {
        assert!(close(fx.positions()[i], wrapped[i]));
        assert!(close(fxs.positions()[i], wrapped[i]));
        assert!(close(
            b.unwrap(fx.positions()[i], fx.images().unwrap()[i]),
            unwrapped[i]
        ));
    }
    for f in [read(&xu), read(&xsu)] {
        assert!(f.images().is_none());
        for i in 0..2 {
            assert!(
                close(f.positions()[i], unwrapped[i]),
                "{:?} vs {:?}",
                f.positions()[i],
                unwrapped[i]
            );
        }
    }
}

#[test]
fn several_coordinate_sets_keep_the_others_as_columns() {
    let text = header(
        1,
        "pp pp pp\n0 10\n0 10\n0 10",
        "id type xu yu zu x y z ix iy iz element mol",
    ) + "1 1 11 2 3 1 2 3 1 0 0 Cu 4\n";
    let f = DumpReader::from_bytes("t", text.as_bytes())
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    assert_eq!(f.positions(), &[[1.0, 2.0, 3.0]]);
    assert_eq!(f.images().unwrap(), &[[1, 0, 0]]);
    let names: Vec<&str> = f.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["xu", "yu", "zu", "element", "mol"]);
    assert_eq!(
        f.column("element"),
        Some(&ColumnData::Text(vec!["Cu".into()]))
    );
    assert_eq!(f.column("mol"), Some(&ColumnData::Int(vec![4])));
    assert_eq!(f.column("xu"), Some(&ColumnData::Int(vec![11])));
}

#[test]
fn integer_columns_become_real_when_a_real_appears() {
    let text = header(3, "pp pp pp\n0 10\n0 10\n0 10", "id type x y z q")
        + "1 1 0 0 0 1\n2 1 0 0 1 2\n3 1 0 0 2 0.5\n";
    let f = DumpReader::from_bytes("t", text.as_bytes())
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    assert_eq!(f.column("q"), Some(&ColumnData::Float(vec![1.0, 2.0, 0.5])));
}

/// A dump of `nframes` frames whose atom lines after the first frame are
/// nonsense: counting frames and seeking must not parse them.
fn frames_with_bad_atoms(nframes: usize) -> String {
    let mut s = String::new();
    for k in 0..nframes {
        s += &format!(
            "ITEM: TIMESTEP\n{}\nITEM: NUMBER OF ATOMS\n3\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type x y z\n",
            k * 100
        );
        for i in 1..=3 {
            if k % 2 == 0 {
                s += &format!("{i} 1 {k} {i} 0\n");
            } else {
                s += "not an atom line\n";
            }
        }
    }
    s
}

#[test]
fn frame_count_and_random_access_do_not_parse_atoms() {
    let text = frames_with_bad_atoms(7);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    for bytes in [text.as_bytes(), &gz[..]] {
        let mut r = DumpReader::from_bytes("t", bytes).unwrap();
        assert_eq!(r.frame_count().unwrap(), 7);
        for k in [6, 0, 4, 2, 2] {
            let f = r.read_at(k).unwrap();
            assert_eq!(f.timestep(), 100 * k as u64);
            assert_eq!(f.positions()[0][0], k as f64);
        }
        // Sequential reading continues after the last frame read.
        assert_eq!(
            r.read().unwrap_err().to_string(),
            "t:46: expected 5 columns (id type x y z), found 4"
        );
        assert_eq!(r.frame_count().unwrap(), 7);
    }
}

#[test]
fn read_into_reuses_the_frame() {
    let text = frames_with_bad_atoms(1)
        + &frames_with_bad_atoms(3).replace("ITEM: TIMESTEP\n0\n", "ITEM: TIMESTEP\n1000\n");
    let mut r = DumpReader::from_bytes("t", text.as_bytes()).unwrap();
    let mut f = Frame::default();
    assert!(r.read_into(&mut f).unwrap());
    assert_eq!(f.len(), 3);
    assert!(r.read_into(&mut f).unwrap());
    assert_eq!(f.timestep(), 1000);
    assert!(r.read_into(&mut f).is_err());
}

#[test]
fn concatenated_gzip_members_are_one_trajectory() {
    let text = frames_with_bad_atoms(1);
    let mut out = Vec::new();
    for _ in 0..3 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        out.extend(gz.finish().unwrap());
    }
    let mut r = DumpReader::from_bytes("cat.gz", &out).unwrap();
    assert_eq!(r.frame_count().unwrap(), 3);
    assert_eq!(r.read_at(2).unwrap().positions()[2], [0.0, 3.0, 0.0]);
}

fn arb_frame() -> impl Strategy<Value = Frame> {
    let boxes = (
        prop::array::uniform3(-50.0f64..50.0),
        prop::array::uniform3(1.0f64..40.0),
        prop::array::uniform3(-1.0f64..1.0),
        prop::array::uniform3(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(lo, l, t, p, tilted)| {
            let hi = [lo[0] + l[0], lo[1] + l[1], lo[2] + l[2]];
            let tilts = if tilted {
                [t[0] * l[0], t[1] * l[0], t[2] * l[1]]
            } else {
                [0.0; 3]
            };
            SimBox::triclinic(lo, hi, tilts)
                .unwrap()
                .with_periodicity(p)
        });
    (
        boxes,
        0usize..40,
        any::<u64>(),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(-1e6f64..1e6),
    )
        .prop_flat_map(|(b, n, ts, with_images, with_columns, time)| {
            (
                Just(b),
                prop::collection::vec(
                    (
                        1u32..5,
                        prop::array::uniform3(-1e3f64..1e3),
                        prop::array::uniform3(-50i32..50),
                        any::<f64>(),
                        any::<i64>(),
                    ),
                    n,
                ),
                Just(ts),
                Just(with_images),
                Just(with_columns),
                Just(time),
            )
                .prop_map(|(b, atoms, ts, with_images, with_columns, time)| {
                    let n = atoms.len();
                    let mut parts = FrameParts {
                        sim_box: b,
                        timestep: ts,
                        time,
                        ids: (0..n as u64).map(|i| 3 * i + 1).rev().collect(),
                        types: atoms.iter().map(|a| a.0).collect(),
                        positions: atoms.iter().map(|a| a.1).collect(),
                        ..FrameParts::default()
                    };
                    if with_images {
                        parts.images = Some(atoms.iter().map(|a| a.2).collect());
                    }
                    if with_columns {
                        parts.columns = vec![
                            Column {
                                name: "d2min".into(),
                                data: ColumnData::Float(atoms.iter().map(|a| a.3).collect()),
                            },
                            Column {
                                name: "plastic".into(),
                                data: ColumnData::Int(atoms.iter().map(|a| a.4).collect()),
                            },
                            Column {
                                name: "element".into(),
                                data: ColumnData::Text(
                                    atoms
                                        .iter()
                                        .map(|a| ["Cu", "Zr"][a.0 as usize % 2].into())
                                        .collect(),
                                ),
                            },
                        ];
                    }
                    Frame::from_parts(parts).unwrap()
                })
        })
}

/// Box equality: exact, except that a tilted box may differ by an ulp in
/// `lo`/`hi` when the bounding-box header cannot carry them exactly (the
/// reader subtracts the tilt extent from a bound of a larger magnitude).
fn same_box(a: &SimBox, b: &SimBox) -> bool {
    if a == b {
        return true;
    }
    // The bound has the magnitude |lo| + the tilt extent; its rounding shows in lo.
    let extent: f64 = a.tilts().iter().map(|t| t.abs()).sum();
    let near = |x: f64, y: f64| (x - y).abs() <= 2.0 * f64::EPSILON * (x.abs() + extent);
    a.is_triclinic()
        && a.tilts() == b.tilts()
        && a.periodic() == b.periodic()
        && (0..3).all(|k| near(a.lo()[k], b.lo()[k]) && near(a.hi()[k], b.hi()[k]))
        && a.lo()[2] == b.lo()[2]
        && a.hi()[2] == b.hi()[2]
}

/// Equality that treats NaN as equal to NaN (any::<f64>() draws them).
fn same(a: &Frame, b: &Frame) -> bool {
    let cols = a.columns().len() == b.columns().len()
        && a.columns().iter().zip(b.columns()).all(|(x, y)| {
            x.name == y.name
                && match (&x.data, &y.data) {
                    (ColumnData::Float(u), ColumnData::Float(v)) => u
                        .iter()
                        .zip(v)
                        .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan())),
                    // Reals are written with a '.' or an exponent, so they read back as reals;
                    // an empty column has no values to tell its kind by.
                    (u, v) => u == v || (u.is_empty() && v.is_empty()),
                }
        });
    cols && same_box(a.sim_box(), b.sim_box())
        && a.ids() == b.ids()
        && a.types() == b.types()
        && a.positions() == b.positions()
        && a.images() == b.images()
        && a.timestep() == b.timestep()
        && a.time() == b.time()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn what_we_write_reads_back_identically(frames in prop::collection::vec(arb_frame(), 1..4)) {
        let mut w = DumpWriter::new(Vec::new(), "mem");
        for f in &frames {
            w.write(f).unwrap();
        }
        let bytes = w.into_inner();
        let mut r = DumpReader::from_bytes("mem", &bytes).unwrap();
        prop_assert_eq!(r.frame_count().unwrap(), frames.len());
        for f in &frames {
            let g = r.read().unwrap().unwrap();
            prop_assert!(same(f, &g), "{:?}\n{:?}", f, g);
        }
        prop_assert!(r.read().unwrap().is_none());
    }
}

#[test]
fn typical_lammps_boxes_round_trip() {
    // Origins at 0 or -L/2 and tilts up to half a box length, as LAMMPS makes them.
    let mut frames = Vec::new();
    for k in 0..200 {
        let l = 10.0 + 0.37 * f64::from(k);
        let lo = if k % 2 == 0 { 0.0 } else { -l / 2.0 };
        let t = (f64::from(k) / 200.0 - 0.5) * l;
        let b = SimBox::triclinic(
            [lo; 3],
            [lo + l, lo + 1.1 * l, lo + 0.9 * l],
            [t, -0.3 * t, 0.7 * t],
        )
        .unwrap();
        frames.push(Frame::new(b, vec![1], vec![1], vec![[1.0, 2.0, 3.0]]).unwrap());
    }
    let mut w = DumpWriter::new(Vec::new(), "mem");
    for f in &frames {
        w.write(f).unwrap();
    }
    let bytes = w.into_inner();
    let mut r = DumpReader::from_bytes("mem", &bytes).unwrap();
    let mut exact = 0;
    for f in &frames {
        let g = r.read().unwrap().unwrap();
        assert!(same(f, &g), "{f:?}\n{g:?}");
        exact += usize::from(f == &g);
    }
    // Most boxes come back bit for bit (141 of these 200 today); the rest within
    // an ulp or two: the header holds bounds, and lo = bound − extent rounds.
    assert!(exact >= 141, "{exact} of 200 exact");
}

#[test]
fn atomic_gz_writer_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.dump.gz");
    let text = frames_with_bad_atoms(1);
    let frame = DumpReader::from_bytes("t", text.as_bytes())
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let mut w = DumpWriter::create(&path).unwrap();
    w.write(&frame).unwrap();
    w.write(&frame).unwrap();
    // Nothing is at the destination before finish.
    assert!(!path.exists());
    w.finish().unwrap();
    let mut r = DumpReader::open(&path).unwrap();
    assert_eq!(r.frame_count().unwrap(), 2);
    assert_eq!(r.read_at(1).unwrap(), frame);
}

/// Two frames of a tilted box, the second with other positions.
fn two_frames() -> String {
    let mut text = String::new();
    for (step, shift) in [(0, 0.0), (100, 0.25)] {
        text.push_str(&format!(
            "ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n37\nITEM: BOX BOUNDS xy xz yz pp pp pp\n0 10 0.5\n0 11 0\n0 12 0\nITEM: ATOMS id type x y z\n"
        ));
        for i in 0..37 {
            let x = (i as f64) * 0.25 + shift;
            text.push_str(&format!(
                "{} {} {x} {} {}\n",
                100 - i,
                1 + i % 2,
                x * 0.5,
                11.0 - x
            ));
        }
    }
    text
}

#[test]
fn atom_lines_split_by_byte_ranges_or_line_counts_make_the_frame() {
    use interstice_io::line_starts;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("two.dump");
    std::fs::write(&plain, two_frames()).unwrap();
    let gz = dir.path().join("two.dump.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, two_frames().as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let len = std::fs::metadata(&plain).unwrap().len();
    for index in [0, 1] {
        let whole = DumpReader::open(&plain).unwrap().read_at(index).unwrap();
        for parts in [1u64, 2, 3, 5, 64] {
            // Plain: each part counts the lines starting in its byte range;
            // the counts before it say which atom lines those are.
            let mut r = DumpReader::open(&plain).unwrap();
            let at = r.atom_lines(index).unwrap();
            assert_eq!((at.count, at.compressed), (37, false));
            let span = len - at.offset;
            let ranges: Vec<(u64, u64)> = (0..parts)
                .map(|p| {
                    line_starts(
                        &plain,
                        at.offset + span * p / parts,
                        at.offset + span * (p + 1) / parts,
                    )
                    .unwrap()
                })
                .collect();
            let (mut first, mut ids, mut pos) = (0u64, Vec::new(), Vec::new());
            for &(offset, lines) in &ranges {
                let n = lines.min(at.count.saturating_sub(first));
                if n == 0 {
                    first += lines;
                    continue;
                }
                let f = r.read_atom_lines(index, first, n, Some(offset)).unwrap();
                assert_eq!(f.sim_box(), whole.sim_box());
                assert_eq!(f.timestep(), whole.timestep());
                ids.extend_from_slice(f.ids());
                pos.extend_from_slice(f.positions());
                first += lines;
            }
            assert!(first >= at.count);
            assert_eq!(ids, whole.ids());
            assert_eq!(pos, whole.positions());
            // Compressed: by line counts.
            let mut r = DumpReader::open(&gz).unwrap();
            let at = r.atom_lines(index).unwrap();
            assert!(at.compressed);
            let mut ids = Vec::new();
            for p in 0..parts {
                let (a, b) = (at.count * p / parts, at.count * (p + 1) / parts);
                ids.extend_from_slice(r.read_atom_lines(index, a, b - a, None).unwrap().ids());
            }
            assert_eq!(ids, whole.ids());
            // The reader is back at the frame: a plain read still works.
            assert_eq!(r.read_at(index).unwrap(), whole);
        }
    }
    // Errors name the line in the file.
    let bad = two_frames().replacen("100 1 0 0 11", "100 1 0 zero 11", 1);
    std::fs::write(&plain, &bad).unwrap();
    let mut r = DumpReader::open(&plain).unwrap();
    let e = r.read_atom_lines(0, 0, 5, None).unwrap_err();
    assert_eq!(e.line(), Some(10), "{e}");
    let e = r.read_atom_lines(0, 30, 8, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("atom lines 30..38 asked of frame 0, which has 37"),
        "{e}"
    );
    let e = r.atom_lines(2).unwrap_err();
    assert!(e.to_string().contains("frame 2 is out of range"), "{e}");
    assert_eq!(line_starts(&plain, 5, 5).unwrap().1, 0);
}
