//! Real LAMMPS output (`fixtures/cuzr-tiny`, made by LAMMPS 22 Jul 2025):
//! the boxes of a triclinic, multi-frame, gzipped dump agree with the box
//! LAMMPS itself reported when it wrote each frame, and the three files of
//! the fixture describe the same atoms.

use std::collections::HashMap;
use std::path::PathBuf;

use interstice_core::{ColumnData, Frame};
use interstice_io::{DumpReader, read_data};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cuzr-tiny")
        .join(name)
}

/// Rows of `box-reference.txt`: step, then xlo xhi ylo yhi zlo zhi xy xz yz.
fn box_reference() -> Vec<(u64, [f64; 9])> {
    let text = std::fs::read_to_string(fixture("box-reference.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let v: Vec<&str> = l.split_whitespace().collect();
            let mut b = [0.0; 9];
            for k in 0..9 {
                b[k] = v[k + 1].parse().unwrap();
            }
            (v[0].parse().unwrap(), b)
        })
        .collect()
}

fn assert_box_matches(f: &Frame, reference: &[f64; 9]) {
    let b = f.sim_box();
    let (lo, hi, t) = (b.lo(), b.hi(), b.tilts());
    let ours = [lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], t[0], t[1], t[2]];
    for k in 0..9 {
        // The header carries 17 significant digits of the bounding box;
        // lo = bound − extent may differ from LAMMPS' lo by an ulp of the bound.
        assert!(
            (ours[k] - reference[k]).abs() <= 1e-13,
            "box value {k}: {} vs LAMMPS {}",
            ours[k],
            reference[k]
        );
    }
    assert_eq!(
        t,
        [reference[6], reference[7], reference[8]],
        "tilts are written exactly"
    );
    assert!(b.periodic().iter().all(|&p| p));
}

#[test]
fn triclinic_gzipped_multi_frame_dump_has_the_boxes_lammps_reported() {
    let reference = box_reference();
    assert_eq!(reference.len(), 5);
    let mut r = DumpReader::open(fixture("shear.dump.gz")).unwrap();
    assert_eq!(r.frame_count().unwrap(), 5);
    // Random access in an unusual order, through the gzip stream.
    for k in [3, 0, 4, 1, 2] {
        let f = r.read_at(k).unwrap();
        assert_eq!(f.timestep(), reference[k].0);
        assert_box_matches(&f, &reference[k].1);
        assert_eq!(f.len(), 500);
        assert_eq!(f.type_counts(), vec![(1, 320), (2, 180)]);
        assert!(f.images().is_some());
    }
    // Every tilt is non-zero in the sheared frames, and xy grows by 2.5 % of ly per frame.
    let ly = reference[0].1[3] - reference[0].1[2];
    for k in 1..5 {
        let dxy = reference[k].1[6] - reference[k - 1].1[6];
        assert!((dxy - 0.025 * ly).abs() < 1e-9);
        assert!(reference[k].1[6..].iter().all(|&t| t != 0.0));
    }
}

#[test]
fn wrapped_with_images_and_scaled_unwrapped_dumps_agree() {
    let reference = box_reference();
    let mut a = DumpReader::open(fixture("shear.dump.gz")).unwrap();
    let mut b = DumpReader::open(fixture("shear-scaled.dump.gz")).unwrap();
    let mut frames = 0;
    while let (Some(fa), Some(fb)) = (a.read().unwrap(), b.read().unwrap()) {
        assert_eq!(b.columns(), ["type", "id", "xsu", "ysu", "zsu", "c_pe"]);
        assert_box_matches(&fb, &reference[frames].1);
        assert_eq!(fa.ids(), fb.ids());
        assert_eq!(fa.types(), fb.types());
        assert!(fb.images().is_none());
        let bx = *fa.sim_box();
        for i in 0..fa.len() {
            let u = bx.unwrap(fa.positions()[i], fa.images().unwrap()[i]);
            let v = fb.positions()[i];
            // LAMMPS writes six significant digits (%g); scaled values are multiplied by ~20 Å.
            for d in 0..3 {
                assert!(
                    (u[d] - v[d]).abs() < 5e-4,
                    "atom {} axis {d}: {} vs {}",
                    fa.ids()[i],
                    u[d],
                    v[d]
                );
            }
        }
        let Some(ColumnData::Float(pe)) = fb.column("c_pe") else {
            panic!("c_pe must be a real column")
        };
        let mean = pe.iter().sum::<f64>() / pe.len() as f64;
        assert!(
            (-6.0..-4.0).contains(&mean),
            "mean potential energy {mean} eV/atom"
        );
        frames += 1;
    }
    assert_eq!(frames, 5);
}

#[test]
fn data_file_is_the_first_frame() {
    let data = read_data(fixture("reference.data.gz")).unwrap();
    assert_eq!(data.atom_types, 2);
    assert_eq!(data.masses.get(&1), Some(&63.546));
    let reference = box_reference();
    assert_box_matches(&data.frame, &reference[0].1);
    let dump = DumpReader::open(fixture("shear.dump.gz"))
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let by_id: HashMap<u64, usize> = dump
        .ids()
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, k))
        .collect();
    assert_eq!(data.frame.len(), dump.len());
    for (i, &id) in data.frame.ids().iter().enumerate() {
        let k = by_id[&id];
        assert_eq!(data.frame.types()[i], dump.types()[k]);
        assert_eq!(data.frame.images().unwrap()[i], dump.images().unwrap()[k]);
        for d in 0..3 {
            assert!((data.frame.positions()[i][d] - dump.positions()[k][d]).abs() < 1e-4);
        }
    }
}

#[test]
fn the_4000_atom_shear_run_has_81_frames_with_growing_tilt() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cuzr65-4000");
    let first = DumpReader::open(dir.join("frame_000.dump.gz"))
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    assert_eq!(first.len(), 4000);
    assert_eq!(first.type_counts(), vec![(1, 2600), (2, 1400)]);
    let ly = first.sim_box().lengths()[1];
    let xy0 = first.sim_box().tilts()[0];
    for k in (0..=80).step_by(8) {
        let mut r = DumpReader::open(dir.join(format!("frame_{k:03}.dump.gz"))).unwrap();
        assert_eq!(r.frame_count().unwrap(), 1);
        let f = r.read().unwrap().unwrap();
        assert_eq!(f.ids(), first.ids());
        // Simple shear: only xy changes, by 0.125 % of ly per frame.
        let b = f.sim_box();
        assert_eq!(b.lengths(), first.sim_box().lengths());
        assert!(
            (b.tilts()[0] - xy0 - 0.00125 * k as f64 * ly).abs() < 1e-9,
            "frame {k}"
        );
        assert_eq!(&b.tilts()[1..], &first.sim_box().tilts()[1..]);
    }
}

#[test]
fn alloy_fixtures_have_their_composition_and_shear() {
    // (folder, atoms of type 1, atoms of type 2): random substitution with LAMMPS' set type/ratio.
    let cases = [
        ("ni62nb38-2048", 1270, 778),
        ("al90sm10-2048", 1844, 204),
        ("fe80p20-2048", 1639, 409),
    ];
    for (name, n1, n2) in cases {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(name);
        let reference = DumpReader::open(dir.join("frame_000.dump.gz"))
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        let sheared = DumpReader::open(dir.join("frame_080.dump.gz"))
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(reference.type_counts(), vec![(1, n1), (2, n2)], "{name}");
        assert_eq!(reference.ids(), sheared.ids(), "{name}");
        let ly = reference.sim_box().lengths()[1];
        let dxy = sheared.sim_box().tilts()[0] - reference.sim_box().tilts()[0];
        assert!(
            (dxy - 0.1 * ly).abs() < 1e-9,
            "{name}: xy grew by {dxy}, expected {}",
            0.1 * ly
        );
    }
}
