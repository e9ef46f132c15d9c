//! D²min and atomic strain: exact affine deformations, invariances, bad
//! input, and parity with OVITO 3.17.2 on the 4 000-atom Cu65Zr35 fixture
//! (`fixtures/cuzr65-4000/reference/`, made by its `make_reference.py`).

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use interstice_core::{Frame, SimBox};
use interstice_d2min::{D2minError, D2minParams, atomic_strain, plastic_top_percent};
use interstice_io::DumpReader;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cuzr65-4000")
        .join(name)
}

fn frame(k: usize) -> Frame {
    DumpReader::open(fixture(&format!("frame_{k:03}.dump.gz")))
        .unwrap()
        .read()
        .unwrap()
        .unwrap()
}

/// id -> (d2min, shear strain, volumetric strain) from OVITO's table.
fn ovito(name: &str) -> HashMap<u64, [f64; 3]> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(fixture(&format!("reference/{name}"))).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,type,d2min,shear_strain,volumetric_strain")
    );
    lines
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (
                v[0].parse().unwrap(),
                [
                    v[2].parse().unwrap(),
                    v[3].parse().unwrap(),
                    v[4].parse().unwrap(),
                ],
            )
        })
        .collect()
}

#[test]
fn parity_with_ovito_on_the_fixture() {
    let reference = frame(0);
    for (from, to, file) in [
        (0, 20, "d2min_000_020.csv.gz"),
        (0, 40, "d2min_000_040.csv.gz"),
        (0, 80, "d2min_000_080.csv.gz"),
        (40, 41, "d2min_040_041.csv.gz"),
    ] {
        let r = if from == 0 {
            reference.clone()
        } else {
            frame(from)
        };
        let s = atomic_strain(&r, &frame(to), &D2minParams::new(5.0)).unwrap();
        let expected = ovito(file);
        assert!(s.invalid.is_empty());
        let mut worst = [0.0f64; 3];
        for (i, id) in s.ids.iter().enumerate() {
            let e = expected[id];
            let ours = [s.d2min[i], s.shear_strain[i], s.volumetric_strain[i]];
            for k in 0..3 {
                // Relative to the value, with an absolute floor for strains near zero.
                let scale = e[k].abs().max(1e-6);
                worst[k] = worst[k].max((ours[k] - e[k]).abs() / scale);
            }
        }
        eprintln!("{file}: worst relative differences (d2min, shear, volumetric) {worst:?}");
        assert!(
            worst.iter().all(|&w| w < 1e-6),
            "{file}: worst relative differences {worst:?}"
        );
    }
}

#[test]
fn affine_deformation_has_zero_d2min() {
    let reference = frame(0);
    // Any matrix, applied to unwrapped positions, in the correspondingly deformed box.
    let f = [[1.03, 0.07, -0.02], [0.01, 0.97, 0.05], [-0.04, 0.02, 1.01]];
    let b = reference.sim_box();
    let apply = |v: [f64; 3]| {
        [
            f[0][0] * v[0] + f[0][1] * v[1] + f[0][2] * v[2],
            f[1][0] * v[0] + f[1][1] * v[1] + f[1][2] * v[2],
            f[2][0] * v[0] + f[2][1] * v[1] + f[2][2] * v[2],
        ]
    };
    // The deformed cell F·H is not upper triangular in general; rotate it back
    // with a QR step so LAMMPS' convention holds, and rotate the positions the same way.
    let a = apply(b.lattice_vector(0));
    let bb = apply(b.lattice_vector(1));
    let c = apply(b.lattice_vector(2));
    let norm = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    let dot = |u: [f64; 3], v: [f64; 3]| u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    let cross = |u: [f64; 3], v: [f64; 3]| {
        [
            u[1] * v[2] - u[2] * v[1],
            u[2] * v[0] - u[0] * v[2],
            u[0] * v[1] - u[1] * v[0],
        ]
    };
    let lx = norm(a);
    let ex = [a[0] / lx, a[1] / lx, a[2] / lx];
    let xy = dot(bb, ex);
    let ly = (dot(bb, bb) - xy * xy).sqrt();
    let ey = {
        let t = [bb[0] - xy * ex[0], bb[1] - xy * ex[1], bb[2] - xy * ex[2]];
        [t[0] / ly, t[1] / ly, t[2] / ly]
    };
    let ez = cross(ex, ey);
    let (xz, yz, lz) = (dot(c, ex), dot(c, ey), dot(c, ez));
    let rotate = |v: [f64; 3]| [dot(v, ex), dot(v, ey), dot(v, ez)];
    let deformed_box = SimBox::triclinic([0.0; 3], [lx, ly, lz], [xy, xz, yz]).unwrap();
    let lo = b.lo();
    let positions: Vec<[f64; 3]> = reference
        .positions()
        .iter()
        .map(|p| rotate(apply([p[0] - lo[0], p[1] - lo[1], p[2] - lo[2]])))
        .collect();
    // Shuffle the atom order too: atoms are matched by id.
    let n = reference.len();
    let order: Vec<usize> = (0..n).map(|k| (k * 7919) % n).collect();
    let current = Frame::new(
        deformed_box,
        order.iter().map(|&k| reference.ids()[k]).collect(),
        order.iter().map(|&k| reference.types()[k]).collect(),
        order.iter().map(|&k| positions[k]).collect(),
    )
    .unwrap();
    let s = atomic_strain(&reference, &current, &D2minParams::new(5.0)).unwrap();
    let max = s.d2min.iter().copied().fold(0.0, f64::max);
    assert!(max < 1e-20, "max D²min {max}");
    // The strain is that of F (rotation removed): E = (FᵀF − I)/2, the same for every atom.
    let mut e = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            e[i][j] = 0.5
                * ((0..3).map(|k| f[k][i] * f[k][j]).sum::<f64>() - if i == j { 1.0 } else { 0.0 });
        }
    }
    let vol = (e[0][0] + e[1][1] + e[2][2]) / 3.0;
    assert!(s.volumetric_strain.iter().all(|&v| (v - vol).abs() < 1e-12));
}

#[test]
fn translation_and_rewrapping_change_nothing() {
    let r = frame(0);
    let c = frame(40);
    let base = atomic_strain(&r, &c, &D2minParams::new(5.0)).unwrap();
    // Rigidly translate the current frame and wrap it back into its box.
    let b = *c.sim_box();
    let moved: Vec<[f64; 3]> = c
        .positions()
        .iter()
        .map(|p| b.wrap([p[0] + 13.7, p[1] - 4.2, p[2] + 29.1]))
        .collect();
    let shifted = Frame::new(b, c.ids().to_vec(), c.types().to_vec(), moved).unwrap();
    let s = atomic_strain(&r, &shifted, &D2minParams::new(5.0)).unwrap();
    for i in 0..r.len() {
        assert!((s.d2min[i] - base.d2min[i]).abs() <= 1e-9 * (1.0 + base.d2min[i]));
        assert!((s.shear_strain[i] - base.shear_strain[i]).abs() < 1e-9);
    }
}

#[test]
fn thread_count_does_not_change_results() {
    let (r, c) = (frame(0), frame(80));
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| atomic_strain(&r, &c, &D2minParams::new(5.0)).unwrap())
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn labels_on_the_fixture() {
    let s = atomic_strain(&frame(0), &frame(40), &D2minParams::new(5.0)).unwrap();
    let plastic = plastic_top_percent(&s.d2min, 5.0);
    assert_eq!(plastic.iter().filter(|&&p| p).count(), 200);
    let per = atomic_strain(
        &frame(0),
        &frame(40),
        &D2minParams::new(5.0).per_neighbor(true),
    )
    .unwrap();
    for i in 0..per.d2min.len() {
        assert!(
            (per.d2min[i] * f64::from(per.neighbor_count[i]) - s.d2min[i]).abs()
                <= 1e-9 * s.d2min[i].max(1.0)
        );
    }
}

#[test]
fn bad_input_is_an_error() {
    let r = frame(0);
    let b = *r.sim_box();
    let fewer = Frame::new(
        b,
        r.ids()[1..].to_vec(),
        r.types()[1..].to_vec(),
        r.positions()[1..].to_vec(),
    )
    .unwrap();
    assert_eq!(
        atomic_strain(&r, &fewer, &D2minParams::new(5.0)).unwrap_err(),
        D2minError::AtomCount {
            reference: 4000,
            current: 3999
        }
    );
    let mut ids = r.ids().to_vec();
    ids[0] = 90_001;
    ids[5] = 90_002;
    let renamed = Frame::new(b, ids, r.types().to_vec(), r.positions().to_vec()).unwrap();
    assert_eq!(
        atomic_strain(&r, &renamed, &D2minParams::new(5.0))
            .unwrap_err()
            .to_string(),
        "2 reference atom ids are missing from the deformed frame (first: [1, 6])"
    );
    assert_eq!(
        atomic_strain(&r, &r, &D2minParams::new(0.5))
            .unwrap_err()
            .to_string(),
        "no atom has a neighbour within the cutoff of 0.5 Å"
    );
    assert!(matches!(
        atomic_strain(&r, &r, &D2minParams::new(f64::NAN)),
        Err(D2minError::InvalidParams(_))
    ));
    // A zero-volume box cannot even be made.
    assert!(SimBox::triclinic([0.0; 3], [10.0, 10.0, 0.0], [0.0; 3]).is_err());
    // An atom with two neighbours only (a line of atoms) is reported, not given a number.
    let line = Frame::new(
        SimBox::cubic(30.0).unwrap(),
        vec![1, 2, 3],
        vec![1; 3],
        vec![[1.0, 1.0, 1.0], [3.0, 1.0, 1.0], [5.0, 1.0, 1.0]],
    )
    .unwrap();
    let s = atomic_strain(&line, &line, &D2minParams::new(2.5)).unwrap();
    assert_eq!(s.invalid, vec![0, 1, 2]);
    assert!(s.d2min.iter().all(|x| x.is_nan()));
}

#[test]
fn streamed_series_equal_pairwise_results() {
    use interstice_d2min::{Mode, StrainSeries};
    let frames: Vec<Frame> = (0..=6).map(frame).collect();
    let params = D2minParams::new(5.0);
    let mut cumulative = StrainSeries::new(frames[0].clone(), params, Mode::Cumulative).unwrap();
    let mut incremental = StrainSeries::new(frames[0].clone(), params, Mode::Incremental).unwrap();
    for k in 1..frames.len() {
        assert_eq!(
            cumulative.push(frames[k].clone()).unwrap(),
            atomic_strain(&frames[0], &frames[k], &params).unwrap()
        );
        assert_eq!(
            incremental.push(frames[k].clone()).unwrap(),
            atomic_strain(&frames[k - 1], &frames[k], &params).unwrap()
        );
    }
}

/// A deterministic pseudo-random number in [0, 1).
fn unit(k: u64) -> f64 {
    let x = k
        .wrapping_add(0x9E37_79B9_7F4A_7C15)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let x = (x ^ (x >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// D²min by brute force: every atom j (i's own images too) and every lattice
/// image n with |x⁰_j + H⁰ n − x⁰_i| < rc, carried as d = u_j + H n − u_i with
/// the current positions unwrapped consistently with the reference.
fn brute_d2min(
    r_box: &SimBox,
    r_pos: &[[f64; 3]],
    c_box: &SimBox,
    c_unwrapped: &[[f64; 3]],
    rc: f64,
) -> Vec<f64> {
    let n = r_pos.len();
    let reach: Vec<i32> = r_box
        .perpendicular_widths()
        .iter()
        .map(|w| (rc / w).ceil() as i32 + 1)
        .collect();
    (0..n)
        .map(|i| {
            let mut bonds = Vec::new();
            for j in 0..n {
                for a in -reach[0]..=reach[0] {
                    for b in -reach[1]..=reach[1] {
                        for c in -reach[2]..=reach[2] {
                            if i == j && (a, b, c) == (0, 0, 0) {
                                continue;
                            }
                            let img = [f64::from(a), f64::from(b), f64::from(c)];
                            let s0 = r_box.cartesian_vector(img);
                            let d0 = [
                                r_pos[j][0] + s0[0] - r_pos[i][0],
                                r_pos[j][1] + s0[1] - r_pos[i][1],
                                r_pos[j][2] + s0[2] - r_pos[i][2],
                            ];
                            if d0[0] * d0[0] + d0[1] * d0[1] + d0[2] * d0[2] >= rc * rc {
                                continue;
                            }
                            let s = c_box.cartesian_vector(img);
                            let d = [
                                c_unwrapped[j][0] + s[0] - c_unwrapped[i][0],
                                c_unwrapped[j][1] + s[1] - c_unwrapped[i][1],
                                c_unwrapped[j][2] + s[2] - c_unwrapped[i][2],
                            ];
                            bonds.push((d, d0));
                        }
                    }
                }
            }
            let mut x = [[0.0; 3]; 3];
            let mut y = [[0.0; 3]; 3];
            for (d, d0) in &bonds {
                for a in 0..3 {
                    for b in 0..3 {
                        x[a][b] += d[a] * d0[b];
                        y[a][b] += d0[a] * d0[b];
                    }
                }
            }
            // F = X Y⁻¹ by Cramer's rule on each row.
            let det = |m: [[f64; 3]; 3]| {
                m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                    - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
            };
            let dy = det(y);
            let mut f = [[0.0; 3]; 3];
            for row in 0..3 {
                for col in 0..3 {
                    // Solve f_row · Y = x_row (Y symmetric): replace column col.
                    let mut m = y;
                    for k in 0..3 {
                        m[k][col] = x[row][k];
                    }
                    f[row][col] = det(m) / dy;
                }
            }
            bonds
                .iter()
                .map(|(d, d0)| {
                    (0..3)
                        .map(|a| {
                            let r = d[a] - (f[a][0] * d0[0] + f[a][1] * d0[1] + f[a][2] * d0[2]);
                            r * r
                        })
                        .sum::<f64>()
                })
                .sum()
        })
        .collect()
}

#[test]
fn cutoffs_past_half_the_box_follow_the_reference_bonds() {
    // A thin, tilted box (4.5 Å in z, 11 Å in x and y): cutoffs of 5.7 and
    // 10.6 Å reach past half of every width, so a bond and its periodic
    // copies all count (no cutoff equals a lattice length, where rounding
    // would pick one of two equal images).
    let r_box = SimBox::triclinic([1.0, -2.0, 0.5], [12.0, 9.0, 5.0], [3.5, -2.0, 1.5]).unwrap();
    let n = 40;
    let frac: Vec<[f64; 3]> = (0..n as u64)
        .map(|k| [unit(3 * k), unit(3 * k + 1), unit(3 * k + 2)])
        .collect();
    let r_pos: Vec<[f64; 3]> = frac.iter().map(|&f| r_box.to_cartesian(f)).collect();
    // The current box: sheared further (xy) and stretched; the atoms follow
    // affinely plus a non-affine kick, then are wrapped back into the box (so
    // some cross a face and re-enter on the other side).
    let c_box = SimBox::triclinic([1.0, -2.0, 0.5], [12.3, 8.8, 5.1], [4.6, -1.7, 1.2]).unwrap();
    let c_unwrapped: Vec<[f64; 3]> = frac
        .iter()
        .enumerate()
        .map(|(k, &f)| {
            let p = c_box.to_cartesian(f);
            let kick = |s: u64| 0.3 * (unit(1000 + 3 * k as u64 + s) - 0.5);
            [p[0] + kick(0), p[1] + kick(1), p[2] + kick(2)]
        })
        .collect();
    let ids: Vec<u64> = (1..=n as u64).collect();
    let reference = Frame::new(r_box, ids.clone(), vec![1; n], r_pos.clone()).unwrap();
    let wrapped: Vec<[f64; 3]> = c_unwrapped.iter().map(|&p| c_box.wrap(p)).collect();
    let moved = wrapped
        .iter()
        .zip(&c_unwrapped)
        .filter(|(w, u)| (w[0] - u[0]).abs() + (w[1] - u[1]).abs() + (w[2] - u[2]).abs() > 1e-9)
        .count();
    assert!(moved > 0, "some atoms must re-wrap");
    let current = Frame::new(c_box, ids, vec![1; n], wrapped).unwrap();
    for rc in [4.0, 5.7, 10.6] {
        let ours = atomic_strain(&reference, &current, &D2minParams::new(rc)).unwrap();
        let brute = brute_d2min(&r_box, &r_pos, &c_box, &c_unwrapped, rc);
        for i in 0..n {
            assert!(
                (ours.d2min[i] - brute[i]).abs() <= 1e-9 * (1.0 + brute[i]),
                "rc {rc}, atom {i}: ours {} brute force {} ({} bonds)",
                ours.d2min[i],
                brute[i],
                ours.neighbor_count[i]
            );
        }
    }
    // Without the kick the deformation is affine: D²min vanishes at any cutoff.
    let affine: Vec<[f64; 3]> = frac
        .iter()
        .map(|&f| c_box.wrap(c_box.to_cartesian(f)))
        .collect();
    let current = Frame::new(c_box, (1..=n as u64).collect(), vec![1; n], affine).unwrap();
    for rc in [5.7, 10.6] {
        let s = atomic_strain(&reference, &current, &D2minParams::new(rc)).unwrap();
        let max = s.d2min.iter().copied().fold(0.0, f64::max);
        assert!(max < 1e-18, "rc {rc}: max D²min {max}");
    }
}

#[test]
fn any_neighbour_backend_gives_the_same_d2min() {
    use interstice_d2min::atomic_strain_with;
    use interstice_spatial::{BruteForce, NearestImage};
    let reference = frame(0);
    let deformed = frame(40);
    let params = D2minParams::new(5.0);
    let cells = atomic_strain(&reference, &deformed, &params).unwrap();
    let (b, p) = (*reference.sim_box(), reference.positions());
    let backends: Vec<Box<dyn interstice_spatial::NeighborQuery>> = vec![
        Box::new(BruteForce::new(b, p).unwrap()),
        Box::new(NearestImage::new(b, p).unwrap()),
    ];
    for q in &backends {
        let s = atomic_strain_with(&reference, q.as_ref(), &deformed, &params).unwrap();
        assert_eq!(s.ids, cells.ids);
        assert_eq!(s.neighbor_count, cells.neighbor_count, "{}", q.name());
        for i in 0..s.ids.len() {
            // The same bonds summed in another order: equal to rounding.
            let (a, c) = (s.d2min[i], cells.d2min[i]);
            assert!(
                (a - c).abs() <= 1e-9 * c.abs().max(1.0),
                "{}: atom {i}: {a} vs {c}",
                q.name()
            );
        }
    }
    // A structure over other positions is refused, not used.
    let other = BruteForce::new(b, deformed.positions()).unwrap();
    let e = atomic_strain_with(&reference, &other, &deformed, &params).unwrap_err();
    assert!(matches!(e, D2minError::InvalidParams(_)), "{e}");
    assert!(
        e.to_string().contains("was not built over the reference"),
        "{e}"
    );
}
