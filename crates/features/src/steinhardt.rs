//! Steinhardt bond-orientational order: `q_l`, `ŵ_l` and their
//! neighbour averages (Lechner & Dellago 2008), with spherical harmonics
//! from the associated-Legendre recurrence (Condon–Shortley phase), `φ`
//! from `atan2`, and exact Wigner 3j symbols from Racah's formula.

/// A complex number as (re, im).
type C = (f64, f64);

/// `q_lm` for `m = −l..=l` (index `m + l`): the mean of `Y_lm` over the
/// bond directions `bonds` (zero vectors are skipped; none gives zeros).
pub fn qlm(l: usize, bonds: &[[f64; 3]]) -> Vec<C> {
    qlm_with(l, bonds, false)
}

/// [`qlm`], optionally with amlearn's azimuth `atan(y/x)` instead of
/// `atan2(y, x)` (its quirk, for parity only: it folds directions with
/// `x < 0` onto `x > 0`).
pub fn qlm_with(l: usize, bonds: &[[f64; 3]], amlearn_atan: bool) -> Vec<C> {
    let mut q = vec![(0.0, 0.0); 2 * l + 1];
    let mut count = 0usize;
    let mut y = vec![(0.0, 0.0); 2 * l + 1];
    for b in bonds {
        let r = (b[0] * b[0] + b[1] * b[1] + b[2] * b[2]).sqrt();
        if r == 0.0 {
            continue;
        }
        let phi = if amlearn_atan {
            (b[1] / b[0]).atan()
        } else {
            b[1].atan2(b[0])
        };
        ylm(l, b[2] / r, phi, &mut y);
        for k in 0..=2 * l {
            q[k].0 += y[k].0;
            q[k].1 += y[k].1;
        }
        count += 1;
    }
    if count > 0 {
        for z in &mut q {
            z.0 /= count as f64;
            z.1 /= count as f64;
        }
    }
    q
}

/// `q_l = sqrt(4π/(2l+1) Σ_m |q_lm|²)`.
pub fn ql(q: &[C]) -> f64 {
    let l = (q.len() - 1) / 2;
    let s: f64 = q.iter().map(|z| z.0 * z.0 + z.1 * z.1).sum();
    (4.0 * std::f64::consts::PI / (2 * l + 1) as f64 * s).sqrt()
}

/// `ŵ_l = Σ (l l l; m1 m2 m3) q_lm1 q_lm2 q_lm3 / (Σ_m |q_lm|²)^{3/2}`
/// (0 when every `q_lm` is 0).
pub fn wl_hat(q: &[C], w3j: &Wigner3j) -> f64 {
    let l = (q.len() - 1) / 2;
    let li = l as i64;
    let norm: f64 = q.iter().map(|z| z.0 * z.0 + z.1 * z.1).sum();
    // q_l = 0 by symmetry (q_4 of an icosahedron) leaves only rounding.
    if norm < 1e-24 {
        return 0.0;
    }
    let mut w = 0.0;
    for m1 in -li..=li {
        for m2 in -li..=li {
            let m3 = -m1 - m2;
            if m3.abs() > li {
                continue;
            }
            let c = w3j.get(l, m1, m2);
            if c == 0.0 {
                continue;
            }
            let a = q[(m1 + li) as usize];
            let b = q[(m2 + li) as usize];
            let d = q[(m3 + li) as usize];
            let ab = (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0);
            w += c * (ab.0 * d.0 - ab.1 * d.1);
        }
    }
    w / norm.powf(1.5)
}

/// `Y_lm(θ, φ)` for `m = −l..=l` into `out`, with `x = cos θ`.
fn ylm(l: usize, x: f64, phi: f64, out: &mut [C]) {
    let s = (1.0 - x * x).max(0.0).sqrt();
    for m in 0..=l {
        let p = legendre(l, m, x, s);
        let norm =
            ((2 * l + 1) as f64 / (4.0 * std::f64::consts::PI) * fact_ratio(l - m, l + m)).sqrt();
        let (sin, cos) = (m as f64 * phi).sin_cos();
        let y = (norm * p * cos, norm * p * sin);
        out[l + m] = y;
        if m > 0 {
            // Y_l,−m = (−1)^m conj(Y_lm)
            let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
            out[l - m] = (sign * y.0, -sign * y.1);
        }
    }
}

/// `a! / b!`.
fn fact_ratio(a: usize, b: usize) -> f64 {
    let mut r = 1.0;
    if a >= b {
        for k in (b + 1)..=a {
            r *= k as f64;
        }
    } else {
        for k in (a + 1)..=b {
            r /= k as f64;
        }
    }
    r
}

/// The associated Legendre function `P_l^m(x)` with the Condon–Shortley
/// phase, `s = sqrt(1 − x²)`.
fn legendre(l: usize, m: usize, x: f64, s: f64) -> f64 {
    let mut pmm = 1.0;
    let mut odd = 1.0;
    for _ in 0..m {
        pmm *= -odd * s;
        odd += 2.0;
    }
    if l == m {
        return pmm;
    }
    let mut pm1 = x * (2 * m + 1) as f64 * pmm;
    if l == m + 1 {
        return pm1;
    }
    let mut pm2 = pmm;
    for ll in (m + 2)..=l {
        let p = ((2 * ll - 1) as f64 * x * pm1 - (ll + m - 1) as f64 * pm2) / (ll - m) as f64;
        pm2 = pm1;
        pm1 = p;
    }
    pm1
}

/// Wigner 3j symbols `(l l l; m1 m2 −m1−m2)` for the `l` asked, tabulated
/// once from Racah's formula.
#[derive(Clone, Debug)]
pub struct Wigner3j {
    tables: Vec<(usize, Vec<f64>)>,
}

impl Wigner3j {
    /// Tables for every `l` in `ls`.
    pub fn new(ls: &[usize]) -> Wigner3j {
        let tables = ls
            .iter()
            .map(|&l| {
                let n = 2 * l + 1;
                let li = l as i64;
                let mut t = vec![0.0; n * n];
                for m1 in -li..=li {
                    for m2 in -li..=li {
                        let m3 = -m1 - m2;
                        if m3.abs() <= li {
                            t[((m1 + li) as usize) * n + (m2 + li) as usize] =
                                racah(li, li, li, m1, m2, m3);
                        }
                    }
                }
                (l, t)
            })
            .collect();
        Wigner3j { tables }
    }

    /// `(l l l; m1 m2 −m1−m2)`; 0 for an `l` not tabulated.
    pub fn get(&self, l: usize, m1: i64, m2: i64) -> f64 {
        let li = l as i64;
        self.tables.iter().find(|t| t.0 == l).map_or(0.0, |t| {
            t.1[((m1 + li) as usize) * (2 * l + 1) + (m2 + li) as usize]
        })
    }
}

fn fact(n: i64) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Racah's formula for `(j1 j2 j3; m1 m2 m3)` with integer arguments.
fn racah(j1: i64, j2: i64, j3: i64, m1: i64, m2: i64, m3: i64) -> f64 {
    if m1 + m2 + m3 != 0 {
        return 0.0;
    }
    let delta =
        fact(j1 + j2 - j3) * fact(j1 - j2 + j3) * fact(-j1 + j2 + j3) / fact(j1 + j2 + j3 + 1);
    let pre = (fact(j1 + m1)
        * fact(j1 - m1)
        * fact(j2 + m2)
        * fact(j2 - m2)
        * fact(j3 + m3)
        * fact(j3 - m3))
    .sqrt();
    let mut sum = 0.0;
    let kmin = 0.max(j2 - j3 - m1).max(j1 - j3 + m2);
    let kmax = (j1 + j2 - j3).min(j1 - m1).min(j2 + m2);
    for k in kmin..=kmax {
        let d = fact(k)
            * fact(j3 - j2 + k + m1)
            * fact(j3 - j1 + k - m2)
            * fact(j1 + j2 - j3 - k)
            * fact(j1 - k - m1)
            * fact(j2 - k + m2);
        sum += if k % 2 == 0 { 1.0 } else { -1.0 } / d;
    }
    let sign = if (j1 - j2 - m3).rem_euclid(2) == 0 {
        1.0
    } else {
        -1.0
    };
    sign * delta.sqrt() * pre * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fcc_shell() -> Vec<[f64; 3]> {
        let mut v = Vec::new();
        for &(a, b) in &[(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
            v.push([a, b, 0.0]);
            v.push([a, 0.0, b]);
            v.push([0.0, a, b]);
        }
        v
    }

    fn icosahedron() -> Vec<[f64; 3]> {
        let g = (1.0 + 5.0f64.sqrt()) / 2.0;
        let mut v = Vec::new();
        for &a in &[1.0, -1.0] {
            for &b in &[g, -g] {
                v.push([0.0, a, b]);
                v.push([a, b, 0.0]);
                v.push([b, 0.0, a]);
            }
        }
        v
    }

    /// Values checked in shared/CRATES.md (sphrs + wigners) and the
    /// literature (Steinhardt, Nelson & Ronchetti 1983).
    #[test]
    fn fcc_and_icosahedron_order_parameters() {
        let w3j = Wigner3j::new(&[4, 6]);
        let fcc = fcc_shell();
        let q4 = qlm(4, &fcc);
        let q6 = qlm(6, &fcc);
        assert!((ql(&q4) - 0.19094).abs() < 1e-5, "{}", ql(&q4));
        assert!((ql(&q6) - 0.57452).abs() < 1e-5, "{}", ql(&q6));
        assert!(
            (wl_hat(&q4, &w3j) + 0.15932).abs() < 1e-5,
            "{}",
            wl_hat(&q4, &w3j)
        );
        assert!(
            (wl_hat(&q6, &w3j) + 0.01316).abs() < 1e-5,
            "{}",
            wl_hat(&q6, &w3j)
        );
        let ico = icosahedron();
        let q6 = qlm(6, &ico);
        assert!((ql(&q6) - 0.66332).abs() < 1e-5, "{}", ql(&q6));
        assert!(
            (wl_hat(&q6, &w3j) + 0.16975).abs() < 1e-5,
            "{}",
            wl_hat(&q6, &w3j)
        );
        // Rotation invariance.
        let (c, s) = (0.3f64.cos(), 0.3f64.sin());
        let rot: Vec<[f64; 3]> = ico
            .iter()
            .map(|v| [c * v[0] - s * v[2], v[1], s * v[0] + c * v[2]])
            .collect();
        let q6r = qlm(6, &rot);
        assert!((ql(&q6r) - ql(&q6)).abs() < 1e-12);
        assert!((wl_hat(&q6r, &w3j) - wl_hat(&q6, &w3j)).abs() < 1e-12);
    }

    #[test]
    fn three_j_symbols_known_values() {
        // (2 2 2; 0 0 0) = −sqrt(2/35); (1 1 1; 1 −1 0)... integer l only.
        assert!((racah(2, 2, 2, 0, 0, 0) + (2.0f64 / 35.0).sqrt()).abs() < 1e-15);
        // (4 4 4; 0 0 0) = 3 sqrt(2/1001)
        assert!((racah(4, 4, 4, 0, 0, 0) - 3.0 * (2.0f64 / 1001.0).sqrt()).abs() < 1e-15);
        // Orthogonality: Σ_{m1,m2} (l l l; m1 m2 m3)² = 1/(2l+1) for fixed m3.
        let l = 6i64;
        let s: f64 = (-l..=l)
            .map(|m1| racah(l, l, l, m1, -m1, 0).powi(2)) // m3 = 0
            .sum();
        assert!((s - 1.0 / 13.0).abs() < 1e-14);
    }
}
