//! Structure analysis behind the paper's Fig. 3c: pair distances in the
//! periodic box, the radial distribution function g(r), the mass–radius
//! curve of a group of atoms and its fractal dimension (the slope of
//! log mass against log r).

use interstice_core::SimBox;
use interstice_spatial::{CellList, NeighborQuery, Query};

use crate::FeatureError;

/// Counts of `values` in `bins` equal bins over `[lo, hi]` (the last bin
/// includes `hi`); values outside, and non-finite ones, are not counted.
pub fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<usize> {
    let mut h = vec![0; bins];
    if bins == 0 {
        return h;
    }
    for &v in values {
        if v.is_finite() && v >= lo && v <= hi {
            let k = (((v - lo) / (hi - lo)) * bins as f64) as usize;
            h[k.min(bins - 1)] += 1;
        }
    }
    h
}

/// Distances of every pair of `points` (each pair once) up to `r_max`,
/// through the periodic images of `sim_box`; `r_max` must stay below half
/// the box's smallest perpendicular width.
///
/// # Errors
/// [`FeatureError`] from the neighbour search (a bad radius or point).
pub fn pair_distances(
    sim_box: &SimBox,
    points: &[[f64; 3]],
    r_max: f64,
) -> Result<Vec<f64>, FeatureError> {
    pair_distances_with(&CellList::new(*sim_box, points, r_max)?, r_max)
}

/// [`pair_distances`] of the points of any neighbour structure.
///
/// # Errors
/// [`FeatureError`] from the neighbour search (a bad radius).
pub fn pair_distances_with<Q: NeighborQuery + ?Sized>(
    points: &Q,
    r_max: f64,
) -> Result<Vec<f64>, FeatureError> {
    let nl = points.query_all(&Query::ball(r_max)?)?;
    let mut d = Vec::new();
    for i in 0..points.len() {
        for (&j, &r) in nl.neighbors_of(i).iter().zip(nl.distances_of(i)) {
            if (j as usize) > i {
                d.push(r);
            }
        }
    }
    Ok(d)
}

/// The mass–radius curve of `n` atoms from their pair distances: the mean
/// number of the group's atoms within `r` of one of them (itself included),
/// at `r = dr, 2 dr, …, bins · dr`.
pub fn mass_radius(distances: &[f64], n: usize, dr: f64, bins: usize) -> Vec<(f64, f64)> {
    let h = histogram(distances, 0.0, bins as f64 * dr, bins);
    let n = n.max(1) as f64;
    let mut cum = 0usize;
    h.iter()
        .enumerate()
        .map(|(k, &c)| {
            cum += c;
            // Each pair counts for both atoms; plus the centre itself.
            ((k + 1) as f64 * dr, 1.0 + 2.0 * cum as f64 / n)
        })
        .collect()
}

/// The radial distribution function g(r) of `n` atoms in `volume` from
/// their pair distances, in `bins` shells of width `dr`, at the shell
/// centres.
pub fn radial_distribution(
    distances: &[f64],
    n: usize,
    volume: f64,
    dr: f64,
    bins: usize,
) -> Vec<(f64, f64)> {
    let h = histogram(distances, 0.0, bins as f64 * dr, bins);
    let n = n.max(1) as f64;
    let rho = n / volume;
    h.iter()
        .enumerate()
        .map(|(k, &c)| {
            let (r0, r1) = (k as f64 * dr, (k + 1) as f64 * dr);
            let shell = 4.0 / 3.0 * std::f64::consts::PI * (r1.powi(3) - r0.powi(3));
            (0.5 * (r0 + r1), 2.0 * c as f64 / (n * rho * shell))
        })
        .collect()
}

/// The least-squares slope of log y against log x over the points with x in
/// `[a, b]` and y > 0: the fractal dimension of a mass–radius curve. NaN
/// with fewer than two such points.
pub fn log_slope(points: &[(f64, f64)], a: f64, b: f64) -> f64 {
    let v: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.0 >= a && p.0 <= b && p.1 > 0.0)
        .map(|p| (p.0.ln(), p.1.ln()))
        .collect();
    if v.len() < 2 {
        return f64::NAN;
    }
    let n = v.len() as f64;
    let mx = v.iter().map(|p| p.0).sum::<f64>() / n;
    let my = v.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = v.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = v.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;
    use interstice_core::rng::SplitMix64;

    fn ideal_gas(n: usize, l: f64, seed: u64) -> Vec<[f64; 3]> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| [rng.next_f64() * l, rng.next_f64() * l, rng.next_f64() * l])
            .collect()
    }

    #[test]
    fn pair_distances_match_a_brute_force_minimum_image_search() {
        let b = SimBox::triclinic([0.0; 3], [12.0, 13.0, 14.0], [2.0, -1.0, 0.5]).unwrap();
        let pts = ideal_gas(150, 12.0, 3);
        let mut fast = pair_distances(&b, &pts, 4.5).unwrap();
        let mut brute = Vec::new();
        for i in 0..pts.len() {
            for j in i + 1..pts.len() {
                let d = b.min_image([
                    pts[j][0] - pts[i][0],
                    pts[j][1] - pts[i][1],
                    pts[j][2] - pts[i][2],
                ]);
                let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                if r <= 4.5 {
                    brute.push(r);
                }
            }
        }
        fast.sort_by(f64::total_cmp);
        brute.sort_by(f64::total_cmp);
        assert_eq!(fast.len(), brute.len());
        for (a, b) in fast.iter().zip(&brute) {
            assert!((a - b).abs() < 1e-12);
        }
        // Any neighbour structure gives the same distances.
        let nearest = interstice_spatial::NearestImage::new(b, &pts).unwrap();
        let mut other = pair_distances_with(&nearest, 4.5).unwrap();
        other.sort_by(f64::total_cmp);
        assert_eq!(other.len(), fast.len());
        for (a, b) in other.iter().zip(&fast) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn an_ideal_gas_has_g_one_and_dimension_three() {
        let (n, l) = (4000, 30.0);
        let pts = ideal_gas(n, l, 11);
        let b = SimBox::cubic(l).unwrap();
        let d = pair_distances(&b, &pts, 12.0).unwrap();
        let g = radial_distribution(&d, n, l * l * l, 0.5, 24);
        // Beyond the first few shells (few pairs, large noise) g ≈ 1.
        let tail: Vec<f64> = g.iter().filter(|p| p.0 > 4.0).map(|p| p.1).collect();
        let mean = tail.iter().sum::<f64>() / tail.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "mean g {mean}");
        let m = mass_radius(&d, n, 0.5, 24);
        let df = log_slope(&m, 4.0, 12.0);
        assert!((df - 3.0).abs() < 0.1, "dimension {df}");
    }

    #[test]
    fn log_slope_of_a_power_law_is_its_exponent() {
        let pts: Vec<(f64, f64)> = (1..50)
            .map(|k| (k as f64, 3.0 * (k as f64).powf(1.7)))
            .collect();
        assert!((log_slope(&pts, 2.0, 40.0) - 1.7).abs() < 1e-12);
        assert!(log_slope(&pts, 100.0, 200.0).is_nan());
        assert_eq!(
            histogram(&[0.0, 0.5, 1.0, 2.0, f64::NAN], 0.0, 1.0, 2),
            vec![1, 2]
        );
    }
}
