//! Exact geometric predicates: orientation and the power (weighted in-sphere)
//! test, with symbolic perturbation.
//!
//! Conventions, pinned by tests:
//! - [`orient`]`(a, b, c, d)` is the sign of `det[b − a, c − a, d − a]`:
//!   positive for `a = 0`, `b = x̂`, `c = ŷ`, `d = ẑ`. (`robust::orient3d`
//!   has the opposite sign; geogram's `orient_3d` has this one.)
//! - [`power_det`]`(a, b, c, d, e)` is the sign of the 4×4 determinant with
//!   rows `(p − e, |p − e|² − w_p + w_e)` for `p = a, b, c, d`. For a
//!   positively oriented `(a, b, c, d)` it is negative when `e` lies inside
//!   the orthosphere (circumsphere when all weights are equal), zero on it.
//! - [`conflict`] resolves zeros by perturbing every weight by `ε^rank`,
//!   ranks in ascending key order (the smallest key is perturbed most). The
//!   perturbation is a property of the point set, so every test agrees with
//!   one consistent, non-degenerate weighted point set: Bowyer–Watson then
//!   never meets a tie, whatever the lattice.
//!
//! A floating-point filter with a conservative error bound decides almost
//! every call; the rest are decided exactly with Shewchuk's expansion
//! arithmetic (written here: only `two_sum`, `two_product` and their
//! compositions are needed).

/// Sign of `det[b − a, c − a, d − a]`, exact.
#[inline]
pub fn orient(a: &[f64; 3], b: &[f64; 3], c: &[f64; 3], d: &[f64; 3]) -> i8 {
    let c3 = |p: &[f64; 3]| robust::Coord3D {
        x: p[0],
        y: p[1],
        z: p[2],
    };
    let v = robust::orient3d(c3(a), c3(b), c3(c), c3(d));
    // robust's orient3d is det[a − d, b − d, c − d] = −det[b − a, c − a, d − a].
    if v > 0.0 {
        -1
    } else if v < 0.0 {
        1
    } else {
        0
    }
}

/// Relative error bound of the filtered power determinant, as a multiple of
/// its permanent. Shewchuk's bound for the unweighted in-sphere test is
/// `(16 + 224ε)ε ≈ 3.6e-15`; the weight column adds a few roundings. This is
/// ~30 times larger: the filter stays safe and still decides nearly every
/// call.
const POWER_ERRBOUND: f64 = 1e-13;

/// Sign of the power determinant (see the module docs), exact.
#[inline]
pub fn power_det(p: [&[f64; 3]; 4], w: [f64; 4], e: &[f64; 3], we: f64) -> i8 {
    let mut d = [[0.0f64; 3]; 4];
    let mut lift = [0.0f64; 4];
    let mut lift_abs = [0.0f64; 4];
    for i in 0..4 {
        for k in 0..3 {
            d[i][k] = p[i][k] - e[k];
        }
        let sq = d[i][0] * d[i][0] + d[i][1] * d[i][1] + d[i][2] * d[i][2];
        lift[i] = sq - w[i] + we;
        lift_abs[i] = sq + w[i].abs() + we.abs();
    }
    let mut det = 0.0;
    let mut perm = 0.0;
    for i in 0..4 {
        let (m, mp) = minor3(&d, i);
        // cofactor sign of (i, 3): (−1)^(i+3)
        let s = if (i + 3) % 2 == 0 { 1.0 } else { -1.0 };
        det += s * lift[i] * m;
        perm += lift_abs[i] * mp;
    }
    let bound = POWER_ERRBOUND * perm;
    if det > bound {
        return 1;
    }
    if det < -bound {
        return -1;
    }
    exact::power_det(p, w, e, we)
}

/// `true` if `e` conflicts with the positively oriented tetrahedron
/// `(a, b, c, d)`: it lies strictly inside the orthosphere after the
/// symbolic perturbation. `keys` are the global keys of `a, b, c, d` and
/// `e` (all different).
#[inline]
pub fn conflict(p: [&[f64; 3]; 4], w: [f64; 4], e: &[f64; 3], we: f64, keys: [u64; 5]) -> bool {
    match power_det(p, w, e, we) {
        s if s < 0 => true,
        s if s > 0 => false,
        _ => conflict_on_tie(p, e, keys),
    }
}

/// The tie-break of [`conflict`] alone: whether `e` is in conflict after
/// the symbolic perturbation, for a configuration whose [`power_det`] is 0.
pub fn conflict_on_tie(p: [&[f64; 3]; 4], e: &[f64; 3], keys: [u64; 5]) -> bool {
    exact::perturbed_sign(p, e, keys) < 0
}

/// The 3×3 determinant of the rows of `d` other than `skip`, and its
/// permanent (absolute values).
#[inline]
fn minor3(d: &[[f64; 3]; 4], skip: usize) -> (f64, f64) {
    let mut r = [[0.0; 3]; 3];
    let mut k = 0;
    for i in 0..4 {
        if i != skip {
            r[k] = d[i];
            k += 1;
        }
    }
    let c0 = r[1][1] * r[2][2] - r[1][2] * r[2][1];
    let c1 = r[1][0] * r[2][2] - r[1][2] * r[2][0];
    let c2 = r[1][0] * r[2][1] - r[1][1] * r[2][0];
    let det = r[0][0] * c0 - r[0][1] * c1 + r[0][2] * c2;
    let a = |x: f64| x.abs();
    let p0 = a(r[1][1] * r[2][2]) + a(r[1][2] * r[2][1]);
    let p1 = a(r[1][0] * r[2][2]) + a(r[1][2] * r[2][0]);
    let p2 = a(r[1][0] * r[2][1]) + a(r[1][1] * r[2][0]);
    (det, a(r[0][0]) * p0 + a(r[0][1]) * p1 + a(r[0][2]) * p2)
}

/// Exact arithmetic on floating-point expansions (Shewchuk 1997): a value is
/// a sum of non-overlapping `f64` components; the sign is the sign of the
/// largest. Only for the rare calls the filter cannot decide.
mod exact {
    type Expansion = Vec<f64>;

    #[inline]
    fn two_sum(a: f64, b: f64) -> (f64, f64) {
        let x = a + b;
        let bv = x - a;
        let av = x - bv;
        (x, (a - av) + (b - bv))
    }

    #[inline]
    fn two_product(a: f64, b: f64) -> (f64, f64) {
        let x = a * b;
        (x, a.mul_add(b, -x))
    }

    fn from_diff(a: f64, b: f64) -> Expansion {
        let (x, y) = two_sum(a, -b);
        compress(vec![y, x])
    }

    fn compress(e: Expansion) -> Expansion {
        e.into_iter().filter(|&x| x != 0.0).collect()
    }

    /// `e + b` (Shewchuk's GROW-EXPANSION with zero elimination).
    fn grow(e: &[f64], b: f64) -> Expansion {
        let mut out = Vec::with_capacity(e.len() + 1);
        let mut q = b;
        for &c in e {
            let (s, h) = two_sum(q, c);
            if h != 0.0 {
                out.push(h);
            }
            q = s;
        }
        if q != 0.0 {
            out.push(q);
        }
        out
    }

    fn sum(e: &[f64], f: &[f64]) -> Expansion {
        let mut out = e.to_vec();
        for &c in f {
            out = grow(&out, c);
        }
        out
    }

    fn neg(e: &[f64]) -> Expansion {
        e.iter().map(|x| -x).collect()
    }

    /// `e · b` (SCALE-EXPANSION with zero elimination).
    fn scale(e: &[f64], b: f64) -> Expansion {
        let mut out = Vec::with_capacity(2 * e.len());
        if e.is_empty() || b == 0.0 {
            return out;
        }
        let (mut q, h) = two_product(e[0], b);
        if h != 0.0 {
            out.push(h);
        }
        for &c in &e[1..] {
            let (t1, t0) = two_product(c, b);
            let (s, h) = two_sum(q, t0);
            if h != 0.0 {
                out.push(h);
            }
            let (s2, h2) = two_sum(t1, s);
            if h2 != 0.0 {
                out.push(h2);
            }
            q = s2;
        }
        if q != 0.0 {
            out.push(q);
        }
        out
    }

    fn mul(e: &[f64], f: &[f64]) -> Expansion {
        let mut out = Vec::new();
        for &c in f {
            out = sum(&out, &scale(e, c));
        }
        out
    }

    fn sign(e: &[f64]) -> i8 {
        match e.last() {
            Some(&x) if x > 0.0 => 1,
            Some(&x) if x < 0.0 => -1,
            _ => 0,
        }
    }

    fn det3(r: [&[Expansion; 3]; 3]) -> Expansion {
        let m = |a: &Expansion, b: &Expansion, c: &Expansion, d: &Expansion| {
            sum(&mul(a, b), &neg(&mul(c, d)))
        };
        let c0 = m(&r[1][1], &r[2][2], &r[1][2], &r[2][1]);
        let c1 = m(&r[1][0], &r[2][2], &r[1][2], &r[2][0]);
        let c2 = m(&r[1][0], &r[2][1], &r[1][1], &r[2][0]);
        let t0 = mul(&r[0][0], &c0);
        let t1 = neg(&mul(&r[0][1], &c1));
        let t2 = mul(&r[0][2], &c2);
        sum(&sum(&t0, &t1), &t2)
    }

    /// Rows `p_i − e`, exact, and the cofactors `C_i` of the lift column.
    fn cofactors(p: [&[f64; 3]; 4], e: &[f64; 3]) -> ([[Expansion; 3]; 4], [Expansion; 4]) {
        let d: [[Expansion; 3]; 4] =
            std::array::from_fn(|i| std::array::from_fn(|k| from_diff(p[i][k], e[k])));
        let c: [Expansion; 4] = std::array::from_fn(|i| {
            let rows: Vec<&[Expansion; 3]> = (0..4).filter(|&k| k != i).map(|k| &d[k]).collect();
            let m = det3([rows[0], rows[1], rows[2]]);
            if (i + 3) % 2 == 0 { m } else { neg(&m) }
        });
        (d, c)
    }

    pub(super) fn power_det(p: [&[f64; 3]; 4], w: [f64; 4], e: &[f64; 3], we: f64) -> i8 {
        let (d, c) = cofactors(p, e);
        let mut det = Vec::new();
        for i in 0..4 {
            let mut lift = mul(&d[i][0], &d[i][0]);
            lift = sum(&lift, &mul(&d[i][1], &d[i][1]));
            lift = sum(&lift, &mul(&d[i][2], &d[i][2]));
            lift = sum(&lift, &from_diff(we, w[i]));
            det = sum(&det, &mul(&lift, &c[i]));
        }
        sign(&det)
    }

    /// The sign of the perturbed determinant when the exact one is zero:
    /// `dD/dδ_{p_i} = −C_i`, `dD/dδ_e = Σ C_i`; the first non-zero
    /// coefficient in ascending key order decides. `Σ C_i = ±det[b−a, c−a,
    /// d−a] ≠ 0`, so this always ends.
    pub(super) fn perturbed_sign(p: [&[f64; 3]; 4], e: &[f64; 3], keys: [u64; 5]) -> i8 {
        let (_, c) = cofactors(p, e);
        let mut order = [0usize, 1, 2, 3, 4];
        order.sort_unstable_by_key(|&i| keys[i]);
        for i in order {
            let s = if i == 4 {
                let total = sum(&sum(&c[0], &c[1]), &sum(&c[2], &c[3]));
                sign(&total)
            } else {
                -sign(&c[i])
            };
            if s != 0 {
                return s;
            }
        }
        unreachable!("the coefficient of e is ±orient(a, b, c, d), which is non-zero")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn expansions_are_exact() {
            // 1 + 1e-30 − 1 = 1e-30 exactly.
            let e = grow(&grow(&[1.0], 1e-30), -1.0);
            assert_eq!(e, vec![1e-30]);
            let p = mul(&from_diff(1.0 + f64::EPSILON, 1.0), &[3.0]);
            assert_eq!(p.iter().sum::<f64>(), 3.0 * f64::EPSILON);
            assert_eq!(sign(&sum(&[0.1], &neg(&[0.1]))), 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [f64; 3] = [0.0, 0.0, 0.0];
    const B: [f64; 3] = [1.0, 0.0, 0.0];
    const C: [f64; 3] = [0.0, 1.0, 0.0];
    const D: [f64; 3] = [0.0, 0.0, 1.0];

    #[test]
    fn orientation_convention_is_pinned() {
        assert_eq!(orient(&A, &B, &C, &D), 1);
        assert_eq!(orient(&A, &C, &B, &D), -1);
        assert_eq!(orient(&A, &B, &C, &[0.3, 0.4, 0.0]), 0);
    }

    #[test]
    fn power_test_convention_is_pinned() {
        let w = [0.0; 4];
        assert_eq!(power_det([&A, &B, &C, &D], w, &[0.25, 0.25, 0.25], 0.0), -1);
        assert_eq!(power_det([&A, &B, &C, &D], w, &[5.0, 5.0, 5.0], 0.0), 1);
        // (1, 1, 1) lies on the circumsphere of the unit corner tetrahedron.
        assert_eq!(power_det([&A, &B, &C, &D], w, &[1.0, 1.0, 1.0], 0.0), 0);
        // A weight on e pulls it into conflict; a weight on a vertex too.
        assert_eq!(power_det([&A, &B, &C, &D], w, &[1.0, 1.0, 1.0], 0.1), -1);
        assert_eq!(
            power_det(
                [&A, &B, &C, &D],
                [0.1, 0.0, 0.0, 0.0],
                &[1.0, 1.0, 1.0],
                0.0
            ),
            -1
        );
    }

    #[test]
    fn filter_and_exact_agree_near_degeneracy() {
        // Points on a sphere of radius 1 at non-representable coordinates:
        // the filter cannot decide; the exact path must give a consistent
        // answer that flips with a tiny push along the radius.
        let s = std::f64::consts::FRAC_1_SQRT_2;
        let p = [[s, s, 0.0], [-s, s, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]];
        let o = orient(&p[0], &p[1], &p[2], &p[3]);
        let q = [0.0, 0.0, -1.0];
        let inside = [0.0, 0.0, -1.0 + 1e-12];
        let outside = [0.0, 0.0, -1.0 - 1e-12];
        let r = |e: &[f64; 3]| power_det([&p[0], &p[1], &p[2], &p[3]], [0.0; 4], e, 0.0) * o;
        assert_eq!(r(&inside), -1);
        assert_eq!(r(&outside), 1);
        // (s, s) is not exactly on the unit circle in binary: whatever the
        // exact sign is, the exact path and a shifted copy agree.
        let exact_sign = exact::power_det([&p[0], &p[1], &p[2], &p[3]], [0.0; 4], &q, 0.0);
        assert_eq!(r(&q), exact_sign * o);
    }

    #[test]
    fn perturbation_resolves_cospherical_points_consistently() {
        // The 8 corners of a cube are cospherical. For the tetrahedron
        // (0, x, y, z) and the query (1,1,1), exactly on the sphere, the
        // perturbation must give an answer, and swapping which point has
        // the smallest key can flip it.
        let e = [1.0, 1.0, 1.0];
        let keys_e_first = [1, 2, 3, 4, 0];
        let keys_e_last = [0, 1, 2, 3, 4];
        let c1 = conflict([&A, &B, &C, &D], [0.0; 4], &e, 0.0, keys_e_first);
        // e perturbed most: its weight grows, so it is inside.
        assert!(c1);
        let c2 = conflict([&A, &B, &C, &D], [0.0; 4], &e, 0.0, keys_e_last);
        // a perturbed most: its coefficient −C_0 decides; C_0 = −det of rows
        // (b−e, c−e, d−e) = ... the sign is whatever it is, but it must be
        // deterministic.
        assert_eq!(
            c2,
            conflict([&A, &B, &C, &D], [0.0; 4], &e, 0.0, keys_e_last)
        );
    }
}
