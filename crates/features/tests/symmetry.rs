//! Symmetry functions against a brute-force sum over every periodic image,
//! and the paper's 166 column names.

use interstice_core::rng::SplitMix64;
use interstice_core::{Frame, SimBox, TypeMap};
use interstice_features::{ContextParams, Featurizer, FrameContext, Preset, SymmetryFunctions};

fn random_frame(l: [f64; 3], n: usize, seed: u64) -> Frame {
    let mut rng = SplitMix64::new(seed);
    let b = SimBox::triclinic([0.0; 3], l, [1.5, -0.7, 0.4]).unwrap();
    let pos: Vec<[f64; 3]> = (0..n)
        .map(|_| b.to_cartesian([rng.next_f64(), rng.next_f64(), rng.next_f64()]))
        .collect();
    let types: Vec<u32> = (0..n)
        .map(|_| if rng.next_f64() < 0.65 { 1 } else { 2 })
        .collect();
    Frame::new(b, (1..=n as u64).collect(), types, pos).unwrap()
}

/// Every image of every atom within the cutoff, by brute force.
fn brute(frame: &Frame, sf: &SymmetryFunctions) -> Vec<Vec<f64>> {
    let b = frame.sim_box();
    let pos = frame.positions();
    let kinds: Vec<usize> = frame.types().iter().map(|&t| t as usize - 1).collect();
    let na = sf.angular.len();
    (0..frame.len())
        .map(|i| {
            let mut nb: Vec<(usize, [f64; 3])> = Vec::new();
            for j in 0..frame.len() {
                for x in -2..=2 {
                    for y in -2..=2 {
                        for z in -2..=2 {
                            let s = b.cartesian_vector([x as f64, y as f64, z as f64]);
                            let v = [
                                pos[j][0] + s[0] - pos[i][0],
                                pos[j][1] + s[1] - pos[i][1],
                                pos[j][2] + s[2] - pos[i][2],
                            ];
                            let d = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
                            if d > 0.0 && d <= sf.cutoff {
                                nb.push((j, v));
                            }
                        }
                    }
                }
            }
            let mut row = vec![0.0; 2 * sf.n_radial + 3 * na];
            for &(j, v) in &nb {
                let d = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
                for n in 0..sf.n_radial {
                    let x = d - n as f64 * sf.dr;
                    row[kinds[j] * sf.n_radial + n] += (-x * x / (2.0 * sf.dr * sf.dr)).exp();
                }
            }
            for a in 0..nb.len() {
                for c in 0..nb.len() {
                    let (ja, va) = nb[a];
                    let (jc, vc) = nb[c];
                    // Pair (t1, t2) with t1 ≤ t2: j of t1, k of t2; like
                    // species: each unordered pair once.
                    let (ka, kc) = (kinds[ja], kinds[jc]);
                    if ka > kc || (ka == kc && a >= c) {
                        continue;
                    }
                    let p = match (ka, kc) {
                        (0, 0) => 0,
                        (0, 1) => 1,
                        _ => 2,
                    };
                    let r1 = (va[0] * va[0] + va[1] * va[1] + va[2] * va[2]).sqrt();
                    let r2 = (vc[0] * vc[0] + vc[1] * vc[1] + vc[2] * vc[2]).sqrt();
                    let w = [vc[0] - va[0], vc[1] - va[1], vc[2] - va[2]];
                    let r3 = (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]).sqrt();
                    let cos = (va[0] * vc[0] + va[1] * vc[1] + va[2] * vc[2]) / (r1 * r2);
                    for (q, s) in sf.angular.iter().enumerate() {
                        row[2 * sf.n_radial + p * na + q] +=
                            (-(r1 * r1 + r2 * r2 + r3 * r3) / (s.xi * s.xi)).exp()
                                * (1.0 + s.lambda * cos).powf(s.zeta);
                    }
                }
            }
            row
        })
        .collect()
}

#[test]
fn symmetry_functions_equal_a_brute_force_sum_over_images() {
    // A box thinner than twice the cutoff: several images of one atom.
    let frame = random_frame([11.0, 9.5, 10.5], 90, 3);
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let sf = SymmetryFunctions::paper();
    let x = sf.compute(&ctx).unwrap();
    let b = brute(&frame, &sf);
    assert_eq!(x.ncols(), 166);
    for i in 0..frame.len() {
        for c in 0..166 {
            let (ours, theirs) = (x[[i, c]], b[i][c]);
            assert!(
                (ours - theirs).abs() <= 1e-10 * theirs.abs().max(1e-3),
                "atom {i} column {c}: {ours} vs {theirs}"
            );
        }
    }
}

#[test]
fn paper_preset_names() {
    let frame = random_frame([14.0, 14.0, 14.0], 40, 1);
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let (names, x) = Preset::Sf166.compute(&ctx).unwrap();
    assert_eq!(names.len(), 166);
    assert_eq!(x.dim(), (40, 166));
    assert_eq!(names[0], "1_0.000");
    assert_eq!(names[1], "1_0.252");
    assert_eq!(names[49], "1_12.348");
    assert_eq!(names[99], "2_12.348");
    assert_eq!(names[100], "1_1_36.875_-1.000_1.000");
    assert_eq!(names[122], "1_2_36.875_-1.000_1.000");
    assert_eq!(names[165], "2_2_1.751_1.000_16.000");
    let (all, _) = Preset::All.compute(&ctx).unwrap();
    assert_eq!(all.len(), 80 + 166 + 114);
}
