//! Invariants of the periodic tessellation: volumes fill the box, lattices
//! give their known cells, Delaunay tetrahedra are empty, results do not
//! depend on atom order, translation, wrapping, thread count or blocks; and
//! the boxes other codes have got wrong.

use interstice_core::SimBox;
use interstice_core::rng::SplitMix64;
use interstice_geometry::{FaceFilter, GeometryError, Tessellator, Voronoi, VoronoiParams};

fn random_points(sim_box: &SimBox, n: usize, seed: u64) -> Vec<[f64; 3]> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| sim_box.to_cartesian([rng.next_f64(), rng.next_f64(), rng.next_f64()]))
        .collect()
}

fn check_fills_box(v: &Voronoi, what: &str) {
    let sum: f64 = v.volumes().iter().sum();
    assert!(
        (sum / v.box_volume() - 1.0).abs() < 1e-10,
        "{what}: cells sum to {sum}, box {}",
        v.box_volume()
    );
    assert!(
        (v.delaunay_volume() / v.box_volume() - 1.0).abs() < 1e-10,
        "{what}: tetrahedra sum to {}, box {}",
        v.delaunay_volume(),
        v.box_volume()
    );
    for i in 0..v.len() {
        if !v.empty_cells().contains(&(i as u32)) {
            assert!(v.volume(i) > 0.0, "{what}: atom {i}");
            assert!(v.coordination(i) >= 4, "{what}: atom {i}");
        }
    }
}

fn boxes() -> Vec<(&'static str, SimBox)> {
    vec![
        ("cubic", SimBox::cubic(20.0).unwrap()),
        (
            "orthorhombic",
            SimBox::orthorhombic([31.0, 17.0, 23.0]).unwrap(),
        ),
        (
            "triclinic",
            SimBox::triclinic([-3.0, 1.0, 2.0], [19.0, 21.0, 20.0], [4.0, -3.0, 5.5]).unwrap(),
        ),
        (
            // Tilt beyond LAMMPS' flip point (|xy| > lx / 2, |xz| > lx / 2).
            "sheared past the flip point",
            SimBox::triclinic([0.0; 3], [20.0, 18.0, 22.0], [15.0, -13.0, 9.5]).unwrap(),
        ),
    ]
}

#[test]
fn cells_and_tetrahedra_fill_every_box() {
    for (name, b) in boxes() {
        for seed in [1, 2] {
            // Glass-like density (about 15.8 Å³ per atom).
            let n = (b.volume() / 15.8) as usize;
            let pts = random_points(&b, n, seed);
            let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
            check_fills_box(&v, name);
            let mut rng = SplitMix64::new(seed + 10);
            let radii: Vec<f64> = (0..n)
                .map(|_| if rng.next_f64() < 0.65 { 1.26 } else { 1.58 })
                .collect();
            let r = Voronoi::compute(&pts, &b, &VoronoiParams::radical(radii)).unwrap();
            check_fills_box(&r, name);
        }
    }
}

/// A lattice of `basis` (fractional) in `cells` copies of the unit cell.
fn lattice(a: f64, basis: &[[f64; 3]], cells: usize) -> (SimBox, Vec<[f64; 3]>) {
    let mut pts = Vec::new();
    for i in 0..cells {
        for j in 0..cells {
            for k in 0..cells {
                for b in basis {
                    pts.push([
                        (i as f64 + b[0]) * a,
                        (j as f64 + b[1]) * a,
                        (k as f64 + b[2]) * a,
                    ]);
                }
            }
        }
    }
    (SimBox::cubic(a * cells as f64).unwrap(), pts)
}

#[test]
fn perfect_lattices_give_their_cells() {
    let a = 3.61;
    type Case = (&'static str, Vec<[f64; 3]>, f64, [u32; 6]);
    let cases: [Case; 3] = [
        ("sc", vec![[0.0; 3]], a * a * a, [0, 6, 0, 0, 0, 0]),
        (
            "bcc",
            vec![[0.0; 3], [0.5; 3]],
            a * a * a / 2.0,
            [0, 6, 0, 8, 0, 0],
        ),
        (
            "fcc",
            vec![[0.0; 3], [0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.5, 0.5]],
            a * a * a / 4.0,
            [0, 12, 0, 0, 0, 0],
        ),
    ];
    for (name, basis, volume, index) in cases {
        for cells in [2, 3] {
            let (b, pts) = lattice(a, &basis, cells);
            for params in [
                VoronoiParams::plain(),
                VoronoiParams::radical(vec![1.28; pts.len()]),
            ] {
                let v = Voronoi::compute(&pts, &b, &params).unwrap();
                check_fills_box(&v, name);
                for i in 0..pts.len() {
                    assert!(
                        (v.volume(i) - volume).abs() < 1e-10 * volume,
                        "{name}: {}",
                        v.volume(i)
                    );
                    assert_eq!(v.index(i), index, "{name} atom {i}");
                }
            }
        }
    }
}

#[test]
fn primitive_cells_of_one_and_two_atoms() {
    // fcc as its one-atom rhombohedral primitive cell, in LAMMPS' form:
    // a = (0, a/2, a/2), b = (a/2, 0, a/2), c = (a/2, a/2, 0) rotated to
    // an upper-triangular matrix.
    let a = 3.61f64;
    let l = a / 2.0f64.sqrt();
    let (lx, xy, ly) = (l, l / 2.0, l * 3.0f64.sqrt() / 2.0);
    let (xz, yz) = (l / 2.0, l / (2.0 * 3.0f64.sqrt()));
    let lz = (l * l - xz * xz - yz * yz).sqrt();
    let b = SimBox::triclinic([0.0; 3], [lx, ly, lz], [xy, xz, yz]).unwrap();
    let v = Voronoi::compute(&[[0.1, 0.2, 0.3]], &b, &VoronoiParams::plain()).unwrap();
    assert!(
        (v.volume(0) - a * a * a / 4.0).abs() < 1e-12,
        "{}",
        v.volume(0)
    );
    assert_eq!(v.index(0), [0, 12, 0, 0, 0, 0]);
    // Every neighbour is an image of the atom itself, at distance l.
    assert!(
        v.faces(0)
            .iter()
            .all(|f| f.neighbor == 0 && (f.distance() - l).abs() < 1e-12)
    );

    // hcp as its two-atom primitive cell (ideal c/a): two equal cells,
    // trapezo-rhombic dodecahedra (12 four-edged faces).
    let c = a * (8.0f64 / 3.0).sqrt();
    let b = SimBox::triclinic(
        [0.0; 3],
        [a, a * 3.0f64.sqrt() / 2.0, c],
        [a / 2.0, 0.0, 0.0],
    )
    .unwrap();
    let pts = [
        b.to_cartesian([0.0, 0.0, 0.0]),
        b.to_cartesian([1.0 / 3.0, 1.0 / 3.0, 0.5]),
    ];
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
    check_fills_box(&v, "hcp");
    assert!((v.volume(0) - v.volume(1)).abs() < 1e-12);
    assert!((v.volume(0) - b.volume() / 2.0).abs() < 1e-12);
    assert_eq!(v.index(0), [0, 12, 0, 0, 0, 0]);
    assert_eq!(v.index(1), [0, 12, 0, 0, 0, 0]);
}

#[test]
fn a_box_a_few_atoms_wide() {
    // A slab about three atoms thick, periodic: neighbours through both
    // faces of the thin axis are images of the same atoms.
    let b = SimBox::orthorhombic([40.0, 38.0, 7.5]).unwrap();
    let n = (b.volume() / 15.8) as usize;
    let pts = random_points(&b, n, 5);
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
    check_fills_box(&v, "slab");
    // Tiny boxes: 3 and 10 random atoms in a cube.
    for n in [3, 10] {
        let b = SimBox::cubic(5.0).unwrap();
        let pts = random_points(&b, n, 9);
        let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
        check_fills_box(&v, "tiny");
    }
}

fn circumsphere(p: [[f64; 3]; 4]) -> ([f64; 3], f64) {
    let q: Vec<[f64; 3]> = (1..4)
        .map(|k| [p[k][0] - p[0][0], p[k][1] - p[0][1], p[k][2] - p[0][2]])
        .collect();
    let rhs: Vec<f64> = q
        .iter()
        .map(|v| 0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]))
        .collect();
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let m = [q[0], q[1], q[2]];
    let d = det(m);
    let mut x = [0.0; 3];
    for c in 0..3 {
        let mut mc = m;
        for r in 0..3 {
            mc[r][c] = rhs[r];
        }
        x[c] = det(mc) / d;
    }
    let r = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
    ([x[0] + p[0][0], x[1] + p[0][1], x[2] + p[0][2]], r)
}

#[test]
fn delaunay_stars_are_empty_and_positive() {
    let b = SimBox::triclinic([0.0; 3], [15.0, 14.0, 16.0], [3.0, -2.0, 1.5]).unwrap();
    let pts = random_points(&b, 210, 3);
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain().keep_stars(true)).unwrap();
    let mut count = 0;
    for i in 0..pts.len() {
        for tet in v.star(i) {
            let p = [pts[i], tet[0].vector, tet[1].vector, tet[2].vector];
            let p = [
                p[0],
                [
                    pts[i][0] + p[1][0],
                    pts[i][1] + p[1][1],
                    pts[i][2] + p[1][2],
                ],
                [
                    pts[i][0] + p[2][0],
                    pts[i][1] + p[2][1],
                    pts[i][2] + p[2][2],
                ],
                [
                    pts[i][0] + p[3][0],
                    pts[i][1] + p[3][1],
                    pts[i][2] + p[3][2],
                ],
            ];
            let e = |a: usize| [p[a][0] - p[0][0], p[a][1] - p[0][1], p[a][2] - p[0][2]];
            let (x, y, z) = (e(1), e(2), e(3));
            let vol = x[0] * (y[1] * z[2] - y[2] * z[1]) - x[1] * (y[0] * z[2] - y[2] * z[0])
                + x[2] * (y[0] * z[1] - y[1] * z[0]);
            assert!(vol > 0.0, "star tetrahedra are positively oriented");
            let (c, r) = circumsphere(p);
            // No image of any atom strictly inside (brute force over images).
            for (j, q) in pts.iter().enumerate() {
                for ix in -1..=1 {
                    for iy in -1..=1 {
                        for iz in -1..=1 {
                            let s = b.cartesian_vector([ix as f64, iy as f64, iz as f64]);
                            let w = b.wrap(*q);
                            let d = [w[0] + s[0] - c[0], w[1] + s[1] - c[1], w[2] + s[2] - c[2]];
                            let dist = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                            assert!(
                                dist > r * (1.0 - 1e-9),
                                "atom {j} inside a tetrahedron of {i}'s star"
                            );
                        }
                    }
                }
            }
            count += 1;
        }
    }
    // Every tetrahedron is in the stars of its four vertices.
    assert_eq!(count, 4 * v.num_tetrahedra());
}

fn same_cells(a: &Voronoi, b: &Voronoi, map: impl Fn(usize) -> usize, tol: f64, what: &str) {
    assert_eq!(a.len(), b.len());
    for i in 0..a.len() {
        let j = map(i);
        assert!(
            (a.volume(i) - b.volume(j)).abs() <= tol * a.volume(i).max(1.0),
            "{what}: volume of {i}"
        );
        assert_eq!(a.index(i), b.index(j), "{what}: index of {i}");
        let mut fa: Vec<(usize, f64)> = a
            .faces(i)
            .iter()
            .map(|f| (map(f.neighbor as usize), f.area))
            .collect();
        let mut fb: Vec<(usize, f64)> = b
            .faces(j)
            .iter()
            .map(|f| (f.neighbor as usize, f.area))
            .collect();
        fa.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
        fb.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
        assert_eq!(fa.len(), fb.len());
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(x.0, y.0, "{what}: neighbours of {i}");
            assert!(
                (x.1 - y.1).abs() <= tol * x.1.max(1.0),
                "{what}: face area of {i}"
            );
        }
    }
}

#[test]
fn invariant_under_permutation_translation_wrapping_threads_and_blocks() {
    let b = SimBox::triclinic([1.0, -2.0, 0.5], [23.0, 19.0, 24.5], [2.5, 1.0, -4.0]).unwrap();
    let n = (b.volume() / 15.8) as usize;
    let pts = random_points(&b, n, 77);
    let params = VoronoiParams::plain();
    let v = Voronoi::compute(&pts, &b, &params).unwrap();

    // Permutation: reversed order.
    let rev: Vec<[f64; 3]> = pts.iter().rev().copied().collect();
    let vr = Voronoi::compute(&rev, &b, &params).unwrap();
    same_cells(&v, &vr, |i| n - 1 - i, 1e-12, "permutation");

    // Rigid translation by a non-lattice vector, then unwrapped coordinates
    // (shifted by lattice vectors): the same cells to rounding.
    let t = [3.3, -7.1, 11.9];
    let mut rng = SplitMix64::new(4);
    let moved: Vec<[f64; 3]> = pts
        .iter()
        .map(|p| {
            let s = b.cartesian_vector([
                (rng.below(5) as f64) - 2.0,
                (rng.below(5) as f64) - 2.0,
                (rng.below(3) as f64) - 1.0,
            ]);
            [p[0] + t[0] + s[0], p[1] + t[1] + s[1], p[2] + t[2] + s[2]]
        })
        .collect();
    let vm = Voronoi::compute(&moved, &b, &params).unwrap();
    same_cells(&v, &vm, |i| i, 1e-9, "translation and wrapping");

    // Thread count and block decomposition: bit for bit.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let v1 = one.install(|| Voronoi::compute(&pts, &b, &params).unwrap());
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let v4 = four.install(|| Voronoi::compute(&pts, &b, &params).unwrap());
    assert_eq!(v1.volumes(), v4.volumes());
    assert!(v1.all_faces().eq(v4.all_faces()));
    let blocks = Voronoi::compute(&pts, &b, &VoronoiParams::plain().block_atoms(100)).unwrap();
    assert!(blocks.num_blocks() > 1);
    assert_eq!(v1.num_blocks(), 1);
    assert_eq!(blocks.volumes(), v1.volumes());
    assert!(blocks.all_faces().eq(v1.all_faces()));
}

#[test]
fn cells_of_any_subset_equal_the_whole_tessellation_bit_for_bit() {
    // A tilted box, plain and radical, small blocks so that subsets span
    // several; subsets that wrap around the box, are scattered, or are one
    // atom.
    let b = SimBox::triclinic([0.0; 3], [14.0, 13.0, 15.0], [2.5, -1.5, 1.0]).unwrap();
    let pts = random_points(&b, 900, 21);
    let mut rng = SplitMix64::new(5);
    let radii: Vec<f64> = (0..pts.len()).map(|_| 0.4 + 0.6 * rng.next_f64()).collect();
    for params in [
        VoronoiParams::plain().block_atoms(120),
        VoronoiParams::radical(radii)
            .block_atoms(120)
            .keep_stars(true),
    ] {
        let t = Tessellator::new(&pts, &b, &params.clone().regions(200)).unwrap();
        assert!(t.num_blocks() > 1);
        // Regions: every atom once, ascending within each.
        let regions = t.regions();
        assert!(regions.len() > 1);
        let mut all_atoms: Vec<u32> = regions.concat();
        assert!(regions.iter().all(|r| r.windows(2).all(|w| w[0] < w[1])));
        all_atoms.sort_unstable();
        assert_eq!(all_atoms, (0..pts.len() as u32).collect::<Vec<_>>());
        let all = t.compute_all().unwrap();
        let whole = Voronoi::compute(&pts, &b, &params).unwrap();
        assert_eq!(all.volumes(), whole.volumes());
        assert!(all.all_faces().eq(whole.all_faces()));
        let slab: Vec<u32> = (0..pts.len() as u32)
            .filter(|&i| {
                let f = b.to_fractional(pts[i as usize]);
                !(0.15..0.85).contains(&f[0])
            })
            .rev()
            .collect();
        for r in &regions {
            let v = t.cells_of(r).unwrap();
            for (k, &a) in r.iter().enumerate() {
                assert_eq!(v.faces(k), all.faces(a as usize));
            }
        }
        let scattered: Vec<u32> = (0..pts.len() as u32).filter(|i| i % 7 == 3).collect();
        for subset in [slab, scattered, vec![417], (0..pts.len() as u32).collect()] {
            let v = t.cells_of(&subset).unwrap();
            assert_eq!(v.len(), subset.len());
            for (k, &a) in subset.iter().enumerate() {
                let a = a as usize;
                assert_eq!(v.volume(k).to_bits(), all.volume(a).to_bits(), "atom {a}");
                assert_eq!(v.faces(k), all.faces(a), "atom {a}");
                assert_eq!(v.star(k).len(), all.star(a).len(), "atom {a}");
                for (x, y) in v.star(k).iter().zip(all.star(a)) {
                    for (p, q) in x.iter().zip(y) {
                        assert_eq!((p.atom, p.vector), (q.atom, q.vector));
                    }
                }
            }
        }
    }
    // Two slabs across an empty gap in one block: triangulated apart, the
    // same cells.
    let big = SimBox::cubic(40.0).unwrap();
    let many = random_points(&big, 6000, 9);
    let t = Tessellator::new(&many, &big, &VoronoiParams::plain().block_atoms(10_000)).unwrap();
    assert_eq!(t.num_blocks(), 1);
    let all = t.compute_all().unwrap();
    let shell: Vec<u32> = (0..many.len() as u32)
        .filter(|&i| {
            let x = many[i as usize][0] / 40.0;
            (0.1..0.2).contains(&x) || (0.6..0.7).contains(&x)
        })
        .collect();
    let v = t.cells_of(&shell).unwrap();
    assert_eq!(v.num_blocks(), 2);
    for (k, &a) in shell.iter().enumerate() {
        assert_eq!(v.volume(k).to_bits(), all.volume(a as usize).to_bits());
        assert_eq!(v.faces(k), all.faces(a as usize));
    }

    let t = Tessellator::new(&pts, &b, &VoronoiParams::plain()).unwrap();
    let e = t.cells_of(&[3, 900]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cells of a subset of atoms: atom index 900 in a frame of 900 atoms"
    );
    let e = t.cells_of(&[3, 8, 3]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cells of a subset of atoms: atom index 3 asked for twice"
    );
    assert_eq!(t.cells_of(&[]).unwrap().len(), 0);
}

#[test]
fn near_duplicates_and_bad_input_are_clear_errors() {
    let b = SimBox::cubic(10.0).unwrap();
    let mut pts = random_points(&b, 50, 8);
    pts[31] = [pts[7][0] + 1e-5, pts[7][1], pts[7][2]];
    let e = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap_err();
    assert!(
        matches!(e, GeometryError::TooClose { i: 7, j: 31, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("atoms 7 and 31"), "{e}");
    // An exact duplicate across the periodic boundary.
    let mut pts = random_points(&b, 50, 8);
    pts[12] = [pts[3][0] + 10.0, pts[3][1], pts[3][2] - 10.0];
    let e = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap_err();
    assert!(
        matches!(e, GeometryError::TooClose { i: 3, j: 12, .. }),
        "{e}"
    );
    // With the check off, an exact duplicate is still caught by the
    // triangulation, never a crash.
    let e = Voronoi::compute(&pts, &b, &VoronoiParams::plain().min_separation(0.0)).unwrap_err();
    assert!(
        matches!(e, GeometryError::TooClose { i: 3, j: 12, .. }),
        "{e}"
    );

    let pts = random_points(&b, 50, 8);
    let open = b.with_periodicity([true, false, true]);
    let e = Voronoi::compute(&pts, &open, &VoronoiParams::plain()).unwrap_err();
    assert!(e.to_string().contains("not periodic along y"), "{e}");
    let e = Voronoi::compute(&pts, &b, &VoronoiParams::radical(vec![1.0; 49])).unwrap_err();
    assert_eq!(e.to_string(), "49 radii for 50 atoms");
    let mut bad = pts.clone();
    bad[4][1] = f64::NAN;
    let e = Voronoi::compute(&bad, &b, &VoronoiParams::plain()).unwrap_err();
    assert!(matches!(e, GeometryError::NonFinite { index: 4 }), "{e}");
}

#[test]
fn radical_cells_can_be_empty_and_are_reported() {
    // Random points with very different radii: some small atoms lose their
    // cell to big neighbours; volumes still fill the box.
    let b = SimBox::cubic(25.0).unwrap();
    let n = 1000;
    let pts = random_points(&b, n, 21);
    let mut rng = SplitMix64::new(22);
    let radii: Vec<f64> = (0..n)
        .map(|_| if rng.next_f64() < 0.5 { 1.0 } else { 2.2 })
        .collect();
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::radical(radii.clone())).unwrap();
    check_fills_box(&v, "radical");
    assert!(!v.empty_cells().is_empty(), "expected some empty cells");
    for &i in v.empty_cells() {
        assert_eq!(v.volume(i as usize), 0.0);
        assert_eq!(radii[i as usize], 1.0);
    }
}

#[test]
fn face_filters_and_the_neighbor_list() {
    let b = SimBox::cubic(18.0).unwrap();
    let pts = random_points(&b, 369, 12);
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
    // amlearn's rule replayed by hand on every atom.
    let f = v.filtered(FaceFilter::Amlearn {
        threshold: 0.05,
        order: None,
    });
    let mut dropped = 0;
    for i in 0..v.len() {
        let faces = v.faces(i);
        let sum: f64 = faces.iter().map(|x| x.area).sum();
        let mut cn = faces.len() as f64;
        let mut kept = Vec::new();
        for x in faces {
            if x.area < 0.05 * sum / cn {
                cn -= 1.0;
            } else {
                kept.push(*x);
            }
        }
        dropped += faces.len() - kept.len();
        assert_eq!(f.faces(i), &kept[..]);
        assert_eq!(f.volume(i), v.volume(i));
    }
    assert!(dropped > 0);
    // A threshold of 0 keeps everything; a relative filter keeps faces at
    // or above the fraction of the mean.
    let all = v.filtered(FaceFilter::Amlearn {
        threshold: 0.0,
        order: None,
    });
    assert!(all.all_faces().eq(v.all_faces()));
    let rel = v.filtered(FaceFilter::RelativeArea { fraction: 0.1 });
    for i in 0..v.len() {
        let mean = v.faces(i).iter().map(|x| x.area).sum::<f64>() / v.coordination(i) as f64;
        assert!(rel.faces(i).iter().all(|x| x.area >= 0.1 * mean));
        assert_eq!(
            rel.coordination(i),
            v.faces(i).iter().filter(|x| x.area >= 0.1 * mean).count()
        );
    }
    // The neighbour list: symmetric, vectors opposite, areas as weights.
    let nl = v.to_neighbor_list();
    assert_eq!(nl.len(), v.num_faces());
    let w = nl.weights().unwrap();
    assert_eq!(
        w.iter().sum::<f64>(),
        v.all_faces().map(|x| x.area).sum::<f64>()
    );
    for i in 0..v.len() {
        for (k, &j) in nl.neighbors_of(i).iter().enumerate() {
            let back = nl
                .neighbors_of(j as usize)
                .iter()
                .position(|&x| x as usize == i);
            let back = back.expect("symmetric");
            let (a, bv) = (nl.vectors_of(i)[k], nl.vectors_of(j as usize)[back]);
            assert!(
                (a[0] + bv[0]).abs() < 1e-9
                    && (a[1] + bv[1]).abs() < 1e-9
                    && (a[2] + bv[2]).abs() < 1e-9
            );
            let wa = nl.weights_of(i).unwrap()[k];
            let wb = nl.weights_of(j as usize).unwrap()[back];
            assert!(
                (wa - wb).abs() < 1e-9 * wa.max(1.0),
                "face areas agree from both sides"
            );
        }
    }
}

#[test]
fn a_local_cell_from_candidates_equals_the_periodic_cell() {
    use interstice_geometry::local_cell;
    let b = SimBox::cubic(20.0).unwrap();
    let pts = random_points(&b, 500, 31);
    let v = Voronoi::compute(&pts, &b, &VoronoiParams::plain()).unwrap();
    for i in (0..pts.len()).step_by(7) {
        // Every other atom's nearest image within 9 Å (enough here).
        let mut cand = Vec::new();
        let mut idx = Vec::new();
        for (j, q) in pts.iter().enumerate() {
            if j == i {
                continue;
            }
            let d = b.min_image([q[0] - pts[i][0], q[1] - pts[i][1], q[2] - pts[i][2]]);
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt() < 9.0 {
                cand.push(d);
                idx.push(j);
            }
        }
        let faces = local_cell(&cand, None).unwrap().expect("bounded");
        let mut ours: Vec<(usize, f64, u8)> = faces
            .iter()
            .map(|f| (idx[f.neighbor as usize], f.area, f.edges))
            .collect();
        ours.sort_by_key(|x| x.0);
        let theirs: Vec<(usize, f64, u8)> = v
            .faces(i)
            .iter()
            .map(|f| (f.neighbor as usize, f.area, f.edges))
            .collect();
        assert_eq!(ours.len(), theirs.len(), "atom {i}");
        for (a, bb) in ours.iter().zip(&theirs) {
            assert_eq!(a.0, bb.0);
            assert_eq!(a.2, bb.2);
            assert!(
                (a.1 - bb.1).abs() < 1e-9,
                "atom {i}: area {} vs {}",
                a.1,
                bb.1
            );
        }
        let vol: f64 = faces.iter().map(|f| f.pyramid_volume()).sum();
        assert!((vol - v.volume(i)).abs() < 1e-9);
    }
    // Too few candidates: no bounded cell.
    assert_eq!(
        local_cell(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], None).unwrap(),
        None
    );
}

#[test]
fn a_part_of_the_frame_gives_the_whole_frames_cells_or_refuses() {
    // A domain of a tilted box (wrapping around x), the atoms of its
    // covered region in frame order: each home cell equals the whole
    // tessellation's bit for bit, faces naming the same atoms; a region too
    // thin for the skin is an error, never a cell of missing atoms.
    use interstice_geometry::Coverage;
    let b = SimBox::triclinic([0.0; 3], [30.0, 28.0, 20.0], [3.0, -2.0, 1.5]).unwrap();
    let pts = random_points(&b, 3000, 33);
    let mut rng = SplitMix64::new(8);
    let radii: Vec<f64> = (0..pts.len()).map(|_| 0.4 + 0.6 * rng.next_f64()).collect();
    let domain = [(0.85, 1.15), (0.1, 0.45)];
    let frac = |p: [f64; 3]| b.to_fractional(p).map(|x| x.rem_euclid(1.0));
    let inside = |f: [f64; 3], m: [f64; 2]| {
        (0..2).all(|a| {
            let (lo, hi) = (domain[a].0 - m[a], domain[a].1 + m[a]);
            let x = lo + (f[a] - lo).rem_euclid(1.0);
            x < hi
        })
    };
    let w = b.perpendicular_widths();
    let params_of = |radical: bool, atoms: &[usize]| {
        if radical {
            VoronoiParams::radical(atoms.iter().map(|&i| radii[i]).collect())
        } else {
            VoronoiParams::plain()
        }
        .block_atoms(300)
    };
    let every: Vec<usize> = (0..pts.len()).collect();
    for radical in [false, true] {
        let all = Voronoi::compute(&pts, &b, &params_of(radical, &every)).unwrap();
        for (margin, ok) in [(7.0, true), (1.0, false)] {
            let m = [margin / w[0], margin / w[1]];
            let local: Vec<usize> = (0..pts.len())
                .filter(|&i| inside(frac(pts[i]), m))
                .collect();
            let home: Vec<u32> = (0..local.len() as u32)
                .filter(|&k| inside(frac(pts[local[k as usize]]), [0.0, 0.0]))
                .collect();
            assert!(home.len() > 200 && local.len() < pts.len());
            let coverage = Coverage::new([
                Some((domain[0].0 - m[0], domain[0].1 + m[0])),
                Some((domain[1].0 - m[1], domain[1].1 + m[1])),
                None,
            ])
            .unwrap();
            let p = params_of(radical, &local).part(pts.len(), coverage);
            let local_pts: Vec<[f64; 3]> = local.iter().map(|&i| pts[i]).collect();
            let t = Tessellator::new(&local_pts, &b, &p).unwrap();
            match t.cells_of(&home) {
                Ok(v) => {
                    assert!(ok, "a margin of {margin} Å cannot be enough");
                    for (k, &h) in home.iter().enumerate() {
                        let a = local[h as usize];
                        assert_eq!(v.volume(k).to_bits(), all.volume(a).to_bits());
                        let faces: Vec<_> = v
                            .faces(k)
                            .iter()
                            .map(|f| {
                                let mut f = *f;
                                f.neighbor = local[f.neighbor as usize] as u32;
                                f
                            })
                            .collect();
                        assert_eq!(faces, all.faces(a), "atom {a}");
                    }
                }
                Err(e) => {
                    assert!(!ok, "{e}");
                    assert!(matches!(e, GeometryError::BeyondCoverage { .. }), "{e}");
                }
            }
        }
    }
    let e = Tessellator::new(
        &pts[..10],
        &b,
        &VoronoiParams::plain().part(5, Coverage::whole()),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "a part of 10 atoms of a frame of 5");
}
