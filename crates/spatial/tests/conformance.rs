//! One conformance suite, stamped out for every neighbour backend (after
//! linfa-nn's `tests/nn.rs` and freud's `test_locality_neighbor_query.py`):
//! empty and invalid input, a hand-checked case, exhaustive comparison with
//! brute force over many seeds in cubic and strongly tilted boxes, asymmetric
//! query sets, self-exclusion, reciprocity, cutoffs from tiny to twice the box
//! width, k-nearest queries, random boxes (proptest), thread-count
//! independence, and the bundled LAMMPS glass.

use interstice_core::SimBox;
use interstice_core::rng::SplitMix64;
use interstice_spatial::{
    BruteForce, CellList, KiddoTree, NearestImage, NeighborList, NeighborQuery, Query, SpatialError,
};
use proptest::prelude::*;

/// `n` random points in `b`, some of them outside the box (unwrapped).
fn points(b: &SimBox, n: usize, seed: u64) -> Vec<[f64; 3]> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            b.to_cartesian([
                rng.next_f64() * 1.4 - 0.2,
                rng.next_f64() * 1.4 - 0.2,
                rng.next_f64() * 1.4 - 0.2,
            ])
        })
        .collect()
}

fn cubic() -> SimBox {
    SimBox::triclinic([-1.0, 2.0, 0.5], [9.0, 12.0, 10.5], [0.0; 3]).unwrap()
}

fn orthorhombic_thin() -> SimBox {
    SimBox::orthorhombic([12.0, 7.0, 4.5]).unwrap()
}

fn tilted() -> SimBox {
    // Tilts past LAMMPS' limits: xy = 0.8 lx, xz = -0.6 lx, yz = 0.7 ly.
    SimBox::triclinic([0.0; 3], [10.0, 9.0, 8.0], [8.0, -6.0, 6.3]).unwrap()
}

fn mixed_periodicity() -> SimBox {
    SimBox::triclinic([0.0; 3], [9.0, 8.0, 11.0], [2.0, 0.0, -1.5])
        .unwrap()
        .with_periodicity([true, false, true])
}

/// Per query point, bonds as (j, distance, vector), sorted by (j, vector) so
/// that lists from different backends compare even where rounding reorders
/// equal distances.
fn canonical(list: &NeighborList) -> Vec<Vec<(u32, f64, [f64; 3])>> {
    (0..list.num_query_points())
        .map(|i| {
            let mut v: Vec<(u32, f64, [f64; 3])> = list
                .neighbors_of(i)
                .iter()
                .zip(list.distances_of(i))
                .zip(list.vectors_of(i))
                .map(|((&j, &d), &x)| (j, d, x))
                .collect();
            v.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(a.2[0].total_cmp(&b.2[0]))
                    .then(a.2[1].total_cmp(&b.2[1]))
                    .then(a.2[2].total_cmp(&b.2[2]))
            });
            v
        })
        .collect()
}

fn assert_same(ours: &NeighborList, oracle: &NeighborList, what: &str) {
    assert_eq!(ours.num_query_points(), oracle.num_query_points(), "{what}");
    let (a, b) = (canonical(ours), canonical(oracle));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            x.len(),
            y.len(),
            "{what}: query point {i} has {} bonds, brute force {}",
            x.len(),
            y.len()
        );
        for (p, q) in x.iter().zip(y) {
            assert_eq!(p.0, q.0, "{what}: query point {i}");
            assert!(
                (p.1 - q.1).abs() < 1e-10,
                "{what}: query point {i}: {} vs {}",
                p.1,
                q.1
            );
            for k in 0..3 {
                assert!(
                    (p.2[k] - q.2[k]).abs() < 1e-10,
                    "{what}: query point {i}: {:?} vs {:?}",
                    p.2,
                    q.2
                );
            }
        }
    }
    // Each list is in canonical order: distances never decrease within a query point.
    for i in 0..ours.num_query_points() {
        assert!(
            ours.distances_of(i).windows(2).all(|w| w[0] <= w[1]),
            "{what}: order of query point {i}"
        );
    }
}

/// For k-nearest lists, equal distances at the cut may pick different
/// images under rounding: compare the distances, and the bonds below the k-th.
fn assert_same_nearest(ours: &NeighborList, oracle: &NeighborList, what: &str) {
    for i in 0..oracle.num_query_points() {
        let (a, b) = (ours.distances_of(i), oracle.distances_of(i));
        assert_eq!(a.len(), b.len(), "{what}: query point {i}");
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-10, "{what}: query point {i}: {x} vs {y}");
        }
    }
}

fn shortest_lattice_vector(b: &SimBox) -> f64 {
    let mut best = f64::INFINITY;
    for n0 in -3i32..=3 {
        for n1 in -3i32..=3 {
            for n2 in -3i32..=3 {
                if (n0, n1, n2) != (0, 0, 0) {
                    let v = b.cartesian_vector([n0.into(), n1.into(), n2.into()]);
                    best = best.min((v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt());
                }
            }
        }
    }
    best
}

fn reciprocal(list: &NeighborList) {
    // Every bond i -> j with vector d has a bond j -> i with vector -d.
    for i in 0..list.num_query_points() {
        for (&j, v) in list.neighbors_of(i).iter().zip(list.vectors_of(i)) {
            let back = list
                .neighbors_of(j as usize)
                .iter()
                .zip(list.vectors_of(j as usize))
                .any(|(&k, w)| k as usize == i && (0..3).all(|a| (v[a] + w[a]).abs() < 1e-9));
            assert!(back, "bond {i} -> {j} {v:?} has no reverse");
        }
    }
}

/// Whether a backend that keeps only the nearest image of each point can be
/// compared with brute force on this list: every bond shorter than half the
/// box's smallest width (then no point has two images in reach).
fn single_image(list: &NeighborList, b: &SimBox) -> bool {
    let w = b
        .perpendicular_widths()
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    list.distances().iter().all(|&d| d < 0.5 * w)
}

macro_rules! conformance {
    ($module:ident, $build:expr, triclinic: $tri:expr) => {
        conformance!($module, $build, triclinic: $tri, all_images: true);
    };
    ($module:ident, $build:expr, triclinic: $tri:expr, all_images: $all:expr) => {
        mod $module {
            use super::*;

            /// Whether this backend must agree with brute force on `oracle`.
            fn applies(oracle: &NeighborList, b: &SimBox) -> bool {
                $all || single_image(oracle, b)
            }

            fn build(b: SimBox, p: &[[f64; 3]], r: f64) -> Result<Box<dyn NeighborQuery>, SpatialError> {
                let f: fn(SimBox, &[[f64; 3]], f64) -> Result<Box<dyn NeighborQuery>, SpatialError> = $build;
                f(b, p, r)
            }

            fn boxes() -> Vec<(&'static str, SimBox)> {
                let mut v = vec![("cubic", cubic()), ("thin", orthorhombic_thin())];
                if $tri {
                    v.push(("tilted", tilted()));
                    v.push(("mixed periodicity", mixed_periodicity()));
                }
                v
            }

            #[test]
            fn empty_input() {
                let nq = build(cubic(), &[], 3.0).unwrap();
                assert!(nq.is_empty());
                let all = nq.query_all(&Query::ball(3.0).unwrap()).unwrap();
                assert_eq!((all.num_query_points(), all.len()), (0, 0));
                let some = nq.query_points(&[[1.0, 1.0, 1.0]], &Query::nearest(4, None).unwrap()).unwrap();
                assert_eq!((some.num_query_points(), some.len()), (1, 0));
            }

            #[test]
            fn invalid_input_is_an_error() {
                let e = build(cubic(), &[[0.0, f64::NAN, 0.0]], 3.0).unwrap_err();
                assert_eq!(e, SpatialError::NonFinitePoint { index: 0 });
                let nq = build(cubic(), &[[0.0; 3]], 3.0).unwrap();
                assert!(nq.query_all(&Query::Ball { r_max: -1.0 }).is_err());
                assert!(nq.query_all(&Query::Nearest { k: 0, r_max: None }).is_err());
                let e = nq.query_points(&[[f64::INFINITY, 0.0, 0.0]], &Query::ball(1.0).unwrap()).unwrap_err();
                assert_eq!(e, SpatialError::NonFinitePoint { index: 0 });
                let e = nq.query_indices(&[0, 1], &Query::ball(1.0).unwrap()).unwrap_err();
                assert_eq!(e.to_string(), "invalid neighbour list operation: point index 1 for 1 points");
                if !$tri {
                    assert!(matches!(build(tilted(), &[[0.0; 3]], 3.0), Err(SpatialError::UnsupportedBox { .. })));
                }
            }

            #[test]
            fn hand_checked_case() {
                // A 10 Å cube: 0 and 1 are 1 Å apart across the x boundary; 2 is
                // 2.5 Å from 0 along z; 3 sits alone in the middle.
                let p = [[0.5, 0.5, 0.5], [9.5, 0.5, 0.5], [0.5, 0.5, 3.0], [5.0, 5.0, 5.0]];
                let nq = build(SimBox::cubic(10.0).unwrap(), &p, 3.0).unwrap();
                let l = nq.query_all(&Query::ball(3.0).unwrap()).unwrap();
                assert_eq!(l.neighbors_of(0), &[1, 2]);
                assert_eq!(l.distances_of(0), &[1.0, 2.5]);
                assert_eq!(l.vectors_of(0), &[[-1.0, 0.0, 0.0], [0.0, 0.0, 2.5]]);
                assert_eq!(l.neighbors_of(1), &[0, 2]);
                assert_eq!(l.vectors_of(1), &[[1.0, 0.0, 0.0], [1.0, 0.0, 2.5]]);
                assert!((l.distances_of(2)[1] - (1.0f64 + 6.25).sqrt()).abs() < 1e-12);
                assert!(l.neighbors_of(3).is_empty());
                let k = nq.query_all(&Query::nearest(1, None).unwrap()).unwrap();
                assert_eq!(k.neighbors(), &[1, 0, 0, 2]);
                assert!((k.distances_of(3)[0] - (4.5f64 * 4.5 + 2.0 * 2.0 + 4.5 * 4.5).sqrt()).abs() < 1e-12);
            }

            #[test]
            fn exhaustive_against_brute_force() {
                for (name, b) in boxes() {
                    for seed in 0..10 {
                        let p = points(&b, 120, seed);
                        let oracle = BruteForce::new(b, &p).unwrap();
                        let nq = build(b, &p, 3.0).unwrap();
                        for r in [0.7, 3.0, 4.4] {
                            let q = Query::ball(r).unwrap();
                            let what = format!("{name} seed {seed} r {r}");
                            let ours = nq.query_all(&q).unwrap();
                            let expected = oracle.query_all(&q).unwrap();
                            if applies(&expected, &b) {
                                assert_same(&ours, &expected, &what);
                            }
                            reciprocal(&ours);
                            // Any subset of rows, in any order, equals those rows.
                            let idx: Vec<u32> = (0..p.len() as u32).rev().filter(|i| i % 3 != 1).collect();
                            let some = nq.query_indices(&idx, &q).unwrap();
                            assert_eq!(some.num_query_points(), idx.len(), "{what}");
                            for (k, &i) in idx.iter().enumerate() {
                                let i = i as usize;
                                assert_eq!(some.neighbors_of(k), ours.neighbors_of(i), "{what}");
                                assert_eq!(some.distances_of(k), ours.distances_of(i), "{what}");
                                assert_eq!(some.vectors_of(k), ours.vectors_of(i), "{what}");
                            }
                        }
                        for (k, r) in [(1, None), (12, None), (12, Some(2.5))] {
                            let q = Query::nearest(k, r).unwrap();
                            let expected = oracle.query_all(&q).unwrap();
                            if applies(&expected, &b) {
                                assert_same_nearest(&nq.query_all(&q).unwrap(), &expected, &format!("{name} seed {seed} k {k}"));
                            }
                        }
                    }
                }
            }

            #[test]
            fn asymmetric_query_and_point_sets() {
                for (name, b) in boxes() {
                    let p = points(&b, 80, 11);
                    let queries = points(&b, 37, 12);
                    let oracle = BruteForce::new(b, &p).unwrap();
                    let nq = build(b, &p, 2.0).unwrap();
                    for q in [Query::ball(3.3).unwrap(), Query::nearest(5, None).unwrap()] {
                        let ours = nq.query_points(&queries, &q).unwrap();
                        assert_eq!(ours.num_query_points(), 37);
                        assert_eq!(ours.num_points(), 80);
                        let expected = oracle.query_points(&queries, &q).unwrap();
                        if applies(&expected, &b) {
                            assert_same_nearest(&ours, &expected, name);
                        }
                    }
                }
            }

            #[test]
            fn ball_unsorted_has_the_balls_bonds() {
                for (name, b) in boxes() {
                    let p = points(&b, 60, 33);
                    for r in [1.5, 3.0, 7.0] {
                        let nq = build(b, &p, r).unwrap();
                        let (mut sorted, mut unsorted) = (Vec::new(), Vec::new());
                        for (i, &x) in p.iter().enumerate() {
                            sorted.clear();
                            unsorted.clear();
                            nq.query_point(x, Some(i), &Query::ball(r).unwrap(), &mut sorted);
                            nq.ball_unsorted(x, Some(i), r, &mut unsorted);
                            unsorted.sort_by(interstice_spatial::bond_order);
                            assert_eq!(unsorted, sorted, "{name}, r = {r}, point {i}");
                        }
                    }
                }
            }

            #[test]
            fn self_exclusion_drops_only_the_zero_bond() {
                for (name, b) in boxes() {
                    let p = points(&b, 50, 21);
                    let nq = build(b, &p, 3.0).unwrap();
                    let q = Query::ball(3.0).unwrap();
                    let all = nq.query_all(&q).unwrap();
                    let with_self = nq.query_points(&p, &q).unwrap();
                    for i in 0..p.len() {
                        assert!(!all.distances_of(i).contains(&0.0), "{name}: {i} is its own neighbour");
                        assert_eq!(with_self.neighbors_of(i).len(), all.neighbors_of(i).len() + 1, "{name}: {i}");
                        assert_eq!(with_self.distances_of(i)[0], 0.0);
                    }
                }
            }

            #[test]
            fn cutoffs_from_tiny_to_twice_the_box() {
                for (name, b) in boxes() {
                    let p = points(&b, 25, 31);
                    let oracle = BruteForce::new(b, &p).unwrap();
                    let w = b.perpendicular_widths().into_iter().fold(f64::INFINITY, f64::min);
                    // Not exactly at a lattice distance: there rounding decides which images are in.
                    for r in [1e-6, 0.3, 0.49 * w, 0.51 * w, 0.999 * w, 1.001 * w, 1.5 * w, 1.999 * w] {
                        let nq = build(b, &p, r.max(0.5)).unwrap();
                        let q = Query::ball(r).unwrap();
                        let ours = nq.query_all(&q).unwrap();
                        let expected = oracle.query_all(&q).unwrap();
                        if !applies(&expected, &b) {
                            // One image per point: each other point at most once, never itself.
                            for i in 0..p.len() {
                                let mut js = ours.neighbors_of(i).to_vec();
                                js.dedup();
                                assert_eq!(js.len(), ours.neighbors_of(i).len(), "{name} r {r}");
                                assert!(!js.contains(&(i as u32)), "{name} r {r}");
                            }
                            continue;
                        }
                        assert_same(&ours, &expected, &format!("{name} r {r}"));
                        reciprocal(&ours);
                        if r > shortest_lattice_vector(&b) && b.periodic() == [true; 3] {
                            // Beyond the shortest lattice vector every point meets its own images.
                            assert!((0..p.len()).all(|i| ours.neighbors_of(i).contains(&(i as u32))), "{name} r {r}");
                        }
                    }
                }
            }

            #[test]
            fn a_box_a_few_atoms_wide() {
                // 8 atoms of a simple cubic lattice, 2 × 2 × 2 cells of 2.5 Å: 6 neighbours at 2.5 Å
                // (two of them the same atom), 12 at 2.5√2, 8 at 2.5√3.
                let mut p = Vec::new();
                for i in 0..2 {
                    for j in 0..2 {
                        for k in 0..2 {
                            p.push([2.5 * i as f64, 2.5 * j as f64, 2.5 * k as f64]);
                        }
                    }
                }
                let nq = build(SimBox::cubic(5.0).unwrap(), &p, 4.5).unwrap();
                let l = nq.query_all(&Query::ball(4.4).unwrap()).unwrap();
                if !$all {
                    // The nearest image of each of the 7 others: 3 at 2.5, 3 at 2.5√2, 1 at 2.5√3.
                    for i in 0..8 {
                        let d = l.distances_of(i);
                        assert_eq!(d.len(), 7);
                        assert_eq!(d.iter().filter(|&&x| (x - 2.5).abs() < 1e-12).count(), 3);
                    }
                    return;
                }
                for i in 0..8 {
                    let d = l.distances_of(i);
                    assert_eq!(d.len(), 26);
                    assert_eq!(d.iter().filter(|&&x| (x - 2.5).abs() < 1e-12).count(), 6);
                    assert_eq!(d.iter().filter(|&&x| (x - 2.5 * 2f64.sqrt()).abs() < 1e-12).count(), 12);
                }
            }

            #[test]
            fn thread_count_does_not_change_the_list() {
                let b = if $tri { tilted() } else { cubic() };
                let p = points(&b, 3000, 41);
                let nq = build(b, &p, 3.0).unwrap();
                let run = |threads: usize| {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    pool.install(|| (nq.query_all(&Query::ball(3.0).unwrap()).unwrap(), nq.query_all(&Query::nearest(7, None).unwrap()).unwrap()))
                };
                assert_eq!(run(1), run(4));
            }

            #[test]
            fn glass_coordination_matches_brute_force() {
                // The tiny sheared glass (five frames) and the 4 000-atom Cu65Zr35 glass at 0 and 10 % shear.
                let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
                let mut frames = Vec::new();
                let mut r = interstice_io::DumpReader::open(format!("{root}/cuzr-tiny/shear.dump.gz")).unwrap();
                frames.push(r.read_at(0).unwrap());
                frames.push(r.read_at(4).unwrap());
                for k in [0, 80] {
                    let path = format!("{root}/cuzr65-4000/frame_{k:03}.dump.gz");
                    frames.push(interstice_io::DumpReader::open(path).unwrap().read().unwrap().unwrap());
                }
                for f in frames {
                    if !$tri && f.sim_box().is_triclinic() {
                        assert!(build(*f.sim_box(), f.positions(), 3.5).is_err());
                        continue;
                    }
                    let nq = build(*f.sim_box(), f.positions(), 3.5).unwrap();
                    let q = Query::ball(3.5).unwrap();
                    let ours = nq.query_all(&q).unwrap().counts();
                    let oracle = BruteForce::new(*f.sim_box(), f.positions()).unwrap().query_all(&q).unwrap().counts();
                    assert_eq!(ours, oracle);
                    let mean = ours.iter().sum::<usize>() as f64 / ours.len() as f64;
                    assert!((10.0..16.0).contains(&mean), "mean coordination {mean}");
                }
            }

            fn arb_box() -> impl Strategy<Value = SimBox> {
                (prop::array::uniform3(4.0f64..15.0), prop::array::uniform3(-1.2f64..1.2), prop::array::uniform3(any::<bool>()))
                    .prop_map(|(l, t, p)| {
                        let tilts = if $tri { [t[0] * l[0], t[1] * l[0], t[2] * l[1]] } else { [0.0; 3] };
                        SimBox::triclinic([0.0; 3], l, tilts).unwrap().with_periodicity(p)
                    })
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(40))]

                #[test]
                fn random_boxes_agree_with_brute_force(b in arb_box(), seed in 0u64..1000, r in 0.5f64..9.0, k in 1usize..20) {
                    let p = points(&b, 40, seed);
                    let oracle = BruteForce::new(b, &p).unwrap();
                    let nq = build(b, &p, r).unwrap();
                    let q = Query::ball(r).unwrap();
                    let expected = oracle.query_all(&q).unwrap();
                    if applies(&expected, &b) {
                        assert_same(&nq.query_all(&q).unwrap(), &expected, "random box");
                    }
                    let q = Query::nearest(k, None).unwrap();
                    let expected = oracle.query_all(&q).unwrap();
                    if applies(&expected, &b) {
                        assert_same_nearest(&nq.query_all(&q).unwrap(), &expected, "random box, nearest");
                    }
                }
            }
        }
    };
}

conformance!(cell_list, |b, p, r| Ok(Box::new(CellList::new(b, p, r)?)), triclinic: true);
conformance!(kiddo, |b, p, _| Ok(Box::new(KiddoTree::new(b, p)?)), triclinic: false);
conformance!(brute_force, |b, p, _| Ok(Box::new(BruteForce::new(b, p)?)), triclinic: true);
conformance!(nearest_image, |b, p, _| Ok(Box::new(NearestImage::new(b, p)?)), triclinic: true, all_images: false);

#[test]
fn a_part_of_a_sparse_frame_gives_each_point_the_whole_frames_unsorted_bonds() {
    // 400 points in a box of 30³ cells of 2 Å: the whole frame's list
    // coarsens its cells (not many more cells than points), and a part of
    // 60 points would coarsen them further; built as a part of the whole,
    // every point's unsorted bonds come in the whole frame's order.
    let b = SimBox::cubic(60.0).unwrap();
    let pts = points(&b, 400, 77);
    let whole = CellList::new(b, &pts, 2.0).unwrap();
    let part_idx: Vec<usize> = (0..pts.len()).filter(|i| i % 7 == 0 || *i < 20).collect();
    let part_pts: Vec<[f64; 3]> = part_idx.iter().map(|&i| pts[i]).collect();
    let part = CellList::part_of(b, &part_pts, 2.0, pts.len()).unwrap();
    let alone = CellList::new(b, &part_pts, 2.0).unwrap();
    assert_eq!(part.dims(), whole.dims());
    assert_ne!(alone.dims(), whole.dims());
    let (mut w, mut p) = (Vec::new(), Vec::new());
    for (k, &i) in part_idx.iter().enumerate() {
        w.clear();
        p.clear();
        whole.ball_unsorted(pts[i], Some(i), 25.0, &mut w);
        part.ball_unsorted(pts[i], Some(k), 25.0, &mut p);
        // The part's bonds are the whole's bonds to points of the part, in
        // the same order.
        let from_whole: Vec<(usize, [i32; 3])> = w
            .iter()
            .filter_map(|b| {
                let at = part_idx.binary_search(&(b.j as usize)).ok()?;
                Some((at, b.image))
            })
            .collect();
        let from_part: Vec<(usize, [i32; 3])> = p.iter().map(|b| (b.j as usize, b.image)).collect();
        assert_eq!(from_part, from_whole, "point {i}");
    }
}
