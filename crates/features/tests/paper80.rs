//! The paper's 80 interstice features on a perfect fcc crystal in closed
//! form, and every preset's invariance under atom permutation, translation,
//! re-wrapping and thread count on the Cu65Zr35 fixture.

use std::path::PathBuf;

use interstice_core::{Frame, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_io::DumpReader;
use ndarray::Array2;

mod common;

fn col(names: &[String], x: &Array2<f64>, name: &str) -> Vec<f64> {
    let c = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    x.column(c).to_vec()
}

#[test]
fn fcc_crystal_in_closed_form() {
    let a = 3.61;
    let frame = common::lattice(a, &common::FCC, 3);
    let types = TypeMap::parse("1=Cu").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let (names, x) = Preset::Paper80.compute(&ctx).unwrap();
    assert_eq!(names.len(), 80);
    let r = 1.26;
    let e = a / 2.0f64.sqrt();
    let dist = e / (2.0 * r) - 1.0;
    // Within 4 Å: the 12 nearest neighbours and the 6 second ones at a.
    let second = a / (2.0 * r) - 1.0;
    let dist_mean = (12.0 * dist + 6.0 * second) / 18.0;
    // The hull of the 12 neighbours is a cuboctahedron: 8 equilateral
    // triangles and 6 squares cut into 12 right isosceles triangles.
    let pi = std::f64::consts::PI;
    let tri = 1.0 - 2.0 * pi * r * r / (3.0f64.sqrt() * e * e);
    let half_square = 1.0 - pi * r * r / (e * e);
    let area_mean = (8.0 * tri + 12.0 * half_square) / 20.0;
    let expect = [
        ("Dist_interstice_mean_voro", dist),
        ("Dist_interstice_std_voro", 0.0),
        ("Dist_interstice_min_voro", dist),
        ("Dist_interstice_max_voro", dist),
        ("Dist_interstice_mean_dist", dist_mean),
        ("Dist_interstice_min_dist", dist),
        ("Dist_interstice_max_dist", second),
        ("Area_interstice_mean_voro", area_mean),
        ("Area_interstice_min_voro", tri.min(half_square)),
        ("Area_interstice_max_voro", tri.max(half_square)),
        ("MRO_mean_Area_interstice_mean_voro", area_mean),
        ("MRO_std_Area_interstice_mean_voro", 0.0),
        ("MRO_max_Dist_interstice_mean_dist", dist_mean),
    ];
    for (name, value) in expect {
        for (i, v) in col(&names, &x, name).iter().enumerate() {
            assert!(
                (v - value).abs() < 1e-9,
                "{name} of atom {i}: {v} vs {value}"
            );
        }
    }
    // Every atom is the same.
    for i in 1..frame.len() {
        for c in 0..80 {
            assert!(
                (x[[i, c]] - x[[0, c]]).abs() < 1e-9,
                "column {} atom {i}",
                names[c]
            );
        }
    }
}

fn fixture() -> Frame {
    DumpReader::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cuzr65-4000/frame_000.dump.gz"),
    )
    .unwrap()
    .read()
    .unwrap()
    .unwrap()
}

#[test]
fn invariant_under_permutation_translation_wrapping_and_threads() {
    let frame = fixture();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let run = |f: &Frame| {
        let ctx = FrameContext::new(f, &types, ContextParams::paper()).unwrap();
        Preset::All.compute(&ctx).unwrap().1
    };
    let x = run(&frame);
    let cols = x.ncols();
    assert_eq!(cols, 80 + 166 + 114);
    assert!(x.iter().all(|v| v.is_finite()));

    // Reversed atom order (ids travel with the atoms).
    let n = frame.len();
    let rev = |v: &[u64]| v.iter().rev().copied().collect::<Vec<_>>();
    let permuted = Frame::new(
        *frame.sim_box(),
        rev(frame.ids()),
        frame.types().iter().rev().copied().collect(),
        frame.positions().iter().rev().copied().collect(),
    )
    .unwrap();
    let xp = run(&permuted);
    for i in 0..n {
        for c in 0..cols {
            let (a, b) = (x[[i, c]], xp[[n - 1 - i, c]]);
            assert!(
                (a - b).abs() < 1e-9 * a.abs().max(1.0),
                "permutation: atom {i} column {c}: {a} vs {b}"
            );
        }
    }

    // Translated and shifted by lattice vectors.
    let b = frame.sim_box();
    let moved: Vec<[f64; 3]> = frame
        .positions()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = b.cartesian_vector([
                (i % 3) as f64 - 1.0,
                ((i / 3) % 2) as f64,
                -((i % 5 == 0) as i32 as f64),
            ]);
            [p[0] + 1.7 + s[0], p[1] - 2.3 + s[1], p[2] + 0.9 + s[2]]
        })
        .collect();
    let shifted = Frame::new(*b, frame.ids().to_vec(), frame.types().to_vec(), moved).unwrap();
    let xs = run(&shifted);
    for i in 0..n {
        for c in 0..cols {
            let (a, bb) = (x[[i, c]], xs[[i, c]]);
            assert!(
                (a - bb).abs() < 1e-9 * a.abs().max(1.0),
                "translation: atom {i} column {c}: {a} vs {bb}"
            );
        }
    }

    // Thread count: bit for bit.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let x1 = one.install(|| run(&frame));
    assert_eq!(x1, x);
}

/// `Preset::Paper80` writes the MRO statistics straight into its table
/// (`Mro::aggregate_into`): the same bits as the SRO columns beside
/// `Mro::aggregate`'s own table; a table of the wrong size is refused.
#[test]
fn mro_written_into_the_table_equals_its_own_table() {
    use interstice_features::{Featurizer, IntersticeSro, Mro};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cu50zr50-1372/frame_000.dump.gz");
    let frame: Frame = DumpReader::open(&path).unwrap().read().unwrap().unwrap();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let (sro, mro) = (IntersticeSro::default(), Mro::default());
    let names = sro.names();
    let base = sro.compute(&ctx).unwrap();
    let own = mro.aggregate(&ctx, &names, &base).unwrap();
    let (_, x) = Preset::Paper80.compute(&ctx).unwrap();
    assert_eq!(x.ncols(), base.ncols() + own.ncols());
    for i in 0..ctx.len() {
        for c in 0..x.ncols() {
            let want = if c < base.ncols() {
                base[[i, c]]
            } else {
                own[[i, c - base.ncols()]]
            };
            assert_eq!(x[[i, c]].to_bits(), want.to_bits(), "atom {i}, column {c}");
        }
    }
    let mut short = vec![0.0; ctx.len() * own.ncols() - 1];
    assert!(
        mro.aggregate_into(&ctx, &names, &base, &mut short, own.ncols(), 0)
            .is_err()
    );
    let mut narrow = vec![0.0; ctx.len() * own.ncols()];
    assert!(
        mro.aggregate_into(&ctx, &names, &base, &mut narrow, own.ncols(), 1)
            .is_err()
    );
}

#[test]
fn block_by_block_rows_equal_the_whole_frame_bit_for_bit() {
    let frame = fixture();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let mut radical = ContextParams::paper();
    radical.radical = true;
    radical.face_filter = interstice_features::FaceFilterKind::RelativeArea(0.02);
    radical.voronoi_cutoff = None;
    for params in [ContextParams::paper(), radical] {
        let ctx = FrameContext::new(&frame, &types, params.clone()).unwrap();
        let (_, whole) = Preset::Paper80.compute(&ctx).unwrap();
        // Eight blocks of about 500 atoms: most of each block's neighbours
        // are in its halo.
        let mut seen = vec![false; frame.len()];
        let mut blocks = 0;
        interstice_features::blocked::paper80_blocks(&ctx, 500, |atoms, rows| {
            blocks += 1;
            assert_eq!(rows.dim(), (atoms.len(), 80));
            assert!(atoms.windows(2).all(|w| w[0] < w[1]));
            for (&a, row) in atoms.iter().zip(rows.rows()) {
                assert!(!seen[a as usize], "atom {a} in two blocks");
                seen[a as usize] = true;
                for (c, (x, y)) in row.iter().zip(whole.row(a as usize)).enumerate() {
                    assert_eq!(x.to_bits(), y.to_bits(), "{params:?}: atom {a} column {c}");
                }
            }
            Ok::<(), interstice_features::FeatureError>(())
        })
        .unwrap();
        assert_eq!(blocks, 8);
        assert!(seen.iter().all(|&s| s));
        // Assembled, one block or many: the whole table.
        for block_atoms in [500, 1_000_000] {
            let x = interstice_features::blocked::paper80_table(&ctx, block_atoms).unwrap();
            assert!(
                x.iter()
                    .zip(&whole)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }
    // amlearn's nearest-image view is whole-frame only: said, not ignored.
    let mut ni = ContextParams::paper();
    ni.nearest_image = true;
    let ctx = FrameContext::new(&frame, &types, ni).unwrap();
    let e = interstice_features::blocked::paper80_table(&ctx, 500).unwrap_err();
    assert!(e.to_string().contains("nearest-image"), "{e}");
}

#[test]
fn a_domain_and_its_ghosts_give_the_whole_frames_rows_bit_for_bit() {
    // A quarter of the box along x with a skin of ghosts, atoms in frame
    // order (what one of four MPI ranks holds): its home rows are the whole
    // frame's; a skin too thin is an error, not other numbers.
    use interstice_features::blocked::{Part, paper80_part_blocks};
    use interstice_geometry::Coverage;
    let frame = fixture();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let (_, whole) = Preset::Paper80.compute(&ctx).unwrap();
    let b = *frame.sim_box();
    let w = b.perpendicular_widths();
    let (lo, hi) = (0.9, 1.15);
    for (skin, ok) in [(13.0, true), (6.0, false)] {
        let m = skin / w[0];
        let within = |f: f64, m: f64| {
            let x = (lo - m) + (f - (lo - m)).rem_euclid(1.0);
            x < hi + m
        };
        let fx = |i: usize| b.to_fractional(frame.positions()[i])[0];
        let local: Vec<usize> = (0..frame.len()).filter(|&i| within(fx(i), m)).collect();
        assert!(local.len() < frame.len());
        let home: Vec<bool> = local.iter().map(|&i| within(fx(i), 0.0)).collect();
        let part_frame = frame.select(&local).unwrap();
        let part_ctx = FrameContext::new(&part_frame, &types, ContextParams::paper()).unwrap();
        let part = Part {
            total_atoms: frame.len(),
            coverage: Coverage::new([Some((lo - m, hi + m)), None, None]).unwrap(),
            home: &home,
        };
        let mut rows_seen = 0;
        let r = paper80_part_blocks(&part_ctx, 300, Some(&part), |atoms, rows| {
            for (&a, row) in atoms.iter().zip(rows.rows()) {
                assert!(home[a as usize]);
                let g = local[a as usize];
                for (c, (x, y)) in row.iter().zip(whole.row(g)).enumerate() {
                    assert_eq!(x.to_bits(), y.to_bits(), "atom {g} column {c}");
                }
                rows_seen += 1;
            }
            Ok::<(), interstice_features::FeatureError>(())
        });
        match r {
            Ok(()) => {
                assert!(ok, "a skin of {skin} Å cannot be enough");
                assert_eq!(rows_seen, home.iter().filter(|&&h| h).count());
                assert!(rows_seen > 500);
            }
            Err(e) => assert!(!ok && e.to_string().contains("beyond the region"), "{e}"),
        }
    }
}
