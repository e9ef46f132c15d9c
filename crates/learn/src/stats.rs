//! Summaries of per-atom values for the figures: mean and quantiles of the
//! finite values, and a Gaussian kernel density estimate.

/// Mean of finite values (NaN when there are none).
pub fn mean(v: &[f64]) -> f64 {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if f.is_empty() {
        f64::NAN
    } else {
        f.iter().sum::<f64>() / f.len() as f64
    }
}

/// A quantile (linear interpolation) of values; NaN when empty.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let t = q * (s.len() - 1) as f64;
    let (i, f) = (t.floor() as usize, t - t.floor());
    if i + 1 < s.len() {
        s[i] * (1.0 - f) + s[i + 1] * f
    } else {
        s[i]
    }
}

/// The mean of `v` and a seeded percentile-bootstrap 95 % interval of that
/// mean (`resamples` draws with replacement): `(mean, low, high)`. The
/// honest scores' uncertainty over test slabs or test glasses (SPEC §7b).
/// NaN for no values; one value gives a zero-width interval.
pub fn bootstrap_mean(v: &[f64], resamples: usize, seed: u64) -> (f64, f64, f64) {
    if v.is_empty() || resamples == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let n = v.len();
    let m = v.iter().sum::<f64>() / n as f64;
    let mut rng = interstice_core::rng::SplitMix64::new(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| v[rng.below(n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (resamples - 1) as f64).round() as usize).min(resamples - 1)];
    (m, at(0.025), at(0.975))
}

/// A Gaussian kernel density estimate on a grid (Silverman's bandwidth),
/// as (value, density) pairs.
pub fn kde(values: &[f64], points: usize) -> Vec<(f64, f64)> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Vec::new();
    }
    let (_, s) = crate::protocol::mean_std(&v);
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bw = (1.06 * s * (v.len() as f64).powf(-0.2)).max(1e-3 * (hi - lo).max(1e-9));
    let (a, b) = (lo - 3.0 * bw, hi + 3.0 * bw);
    (0..points)
        .map(|k| {
            let x = a + (b - a) * k as f64 / (points - 1) as f64;
            let d = v
                .iter()
                .map(|&xi| (-0.5 * ((x - xi) / bw).powi(2)).exp())
                .sum::<f64>()
                / (v.len() as f64 * bw * (2.0 * std::f64::consts::PI).sqrt());
            (x, d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_interval_brackets_the_mean_and_narrows_with_agreement() {
        let (m, lo, hi) = bootstrap_mean(&[0.5, 0.6, 0.7], 2000, 1);
        assert!((m - 0.6).abs() < 1e-12);
        assert!(lo >= 0.5 && lo < m && m < hi && hi <= 0.7, "{lo} {hi}");
        // Same seed, same interval; identical values, no width.
        assert_eq!(bootstrap_mean(&[0.5, 0.6, 0.7], 2000, 1), (m, lo, hi));
        assert_eq!(bootstrap_mean(&[0.3; 4], 100, 9), (0.3, 0.3, 0.3));
        assert!(bootstrap_mean(&[], 100, 9).0.is_nan());
        // A normal sample of 400: the 95 % interval of the mean is about
        // ±1.96/√400 = ±0.098 around it.
        let mut rng = interstice_core::rng::SplitMix64::new(4);
        let v: Vec<f64> = (0..400)
            .map(|_| {
                let (a, b) = (rng.next_f64().max(1e-300), rng.next_f64());
                (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
            })
            .collect();
        let (m, lo, hi) = bootstrap_mean(&v, 4000, 5);
        assert!(((hi - lo) / 2.0 - 0.098).abs() < 0.02, "{lo} {m} {hi}");
    }

    #[test]
    fn kde_integrates_to_one_and_quantiles_interpolate() {
        let k = kde(&[0.0, 0.0, 1.0], 201);
        // A density integrates to one (trapezoid rule on the grid).
        let area: f64 = k
            .windows(2)
            .map(|w| 0.5 * (w[0].1 + w[1].1) * (w[1].0 - w[0].0))
            .sum();
        assert!((area - 1.0).abs() < 0.02, "{area}");
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(quantile(&[1.0, 2.0], 0.25), 1.25);
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(mean(&[1.0, f64::NAN, 3.0]), 2.0);
        assert!(mean(&[]).is_nan());
        assert!(kde(&[], 10).is_empty());
    }
}
