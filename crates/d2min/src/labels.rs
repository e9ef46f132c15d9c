//! Plastic labels from D²min (shared/SPEC.md §6): the top p % of the
//! sample, an absolute threshold, and the first strain step at which each
//! atom becomes plastic.

/// The default noise floor, Å² (shared/SPEC.md §6): D²min below it is
/// never plastic, whatever its rank. A minimised glass compared with itself
/// gives D²min of 1e-29 Å² or less, and a real rearrangement tenths of Å² or
/// more; 0.01 Å² is a displacement of about 0.03 Å per neighbour.
pub const DEFAULT_NOISE_FLOOR: f64 = 0.01;

/// Plastic where D²min is among the top `percent` % of the sample and at
/// or above `floor` (a real rearrangement, not noise): the
/// [`plastic_top_percent`] rule, with a floor.
///
/// ```
/// use interstice_d2min::plastic_top_percent_above;
/// // A frame compared with itself: only noise, nothing is plastic.
/// assert_eq!(plastic_top_percent_above(&[1e-29, 3e-30, 0.0], 50.0, 0.01), [false; 3]);
/// ```
pub fn plastic_top_percent_above(d2min: &[f64], percent: f64, floor: f64) -> Vec<bool> {
    let mut labels = plastic_top_percent(d2min, percent);
    for (l, &x) in labels.iter_mut().zip(d2min) {
        if x < floor {
            *l = false;
        }
    }
    labels
}

/// Plastic where D²min is among the top `percent` % of the sample: the
/// `k = ⌈N · percent / 100⌉` largest values and any ties with the k-th. NaN
/// (invalid atoms) is never plastic, and neither is an atom without any
/// non-affine displacement (D²min = 0), so an undeformed frame labels nothing.
///
/// ```
/// use interstice_d2min::plastic_top_percent;
/// let labels = plastic_top_percent(&[0.1, 5.0, 0.3, 2.0, f64::NAN], 40.0);
/// assert_eq!(labels, [false, true, false, true, false]);
/// ```
pub fn plastic_top_percent(d2min: &[f64], percent: f64) -> Vec<bool> {
    let mut valid: Vec<f64> = d2min.iter().copied().filter(|x| !x.is_nan()).collect();
    if valid.is_empty() || percent.is_nan() || percent <= 0.0 {
        return vec![false; d2min.len()];
    }
    let k =
        ((valid.len() as f64 * percent.min(100.0) / 100.0).ceil() as usize).clamp(1, valid.len());
    valid.sort_unstable_by(|a, b| b.total_cmp(a));
    let threshold = valid[k - 1];
    d2min.iter().map(|&x| x >= threshold && x > 0.0).collect()
}

/// Plastic where D²min is at or above `threshold`.
pub fn plastic_above(d2min: &[f64], threshold: f64) -> Vec<bool> {
    d2min.iter().map(|&x| x >= threshold).collect()
}

/// For each atom, the first step (index into `labels_per_step`) at which it
/// is plastic, or `None` if never.
pub fn first_plastic_step(labels_per_step: &[Vec<bool>]) -> Vec<Option<usize>> {
    let n = labels_per_step.first().map_or(0, Vec::len);
    (0..n)
        .map(|i| {
            labels_per_step
                .iter()
                .position(|l| l.get(i).copied().unwrap_or(false))
        })
        .collect()
}

/// The first plastic step of every atom, updated one step at a time (so a
/// long trajectory need not be held in memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstPlastic {
    first: Vec<Option<usize>>,
}

impl FirstPlastic {
    /// No atom plastic yet, for `n` atoms.
    pub fn new(n: usize) -> FirstPlastic {
        FirstPlastic {
            first: vec![None; n],
        }
    }

    /// Records the labels of `step`; atoms plastic for the first time get it.
    pub fn update(&mut self, step: usize, labels: &[bool]) {
        for (f, &l) in self.first.iter_mut().zip(labels) {
            if l && f.is_none() {
                *f = Some(step);
            }
        }
    }

    /// Per atom, the first plastic step so far.
    pub fn steps(&self) -> &[Option<usize>] {
        &self.first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_percent_counts_and_ties() {
        let d: Vec<f64> = (0..100).map(f64::from).collect();
        let l = plastic_top_percent(&d, 5.0);
        assert_eq!(l.iter().filter(|&&x| x).count(), 5);
        assert!(l[95..].iter().all(|&x| x));
        // Ties at the threshold are all plastic.
        let l = plastic_top_percent(&[1.0, 3.0, 3.0, 3.0, 0.0], 20.0);
        assert_eq!(l, [false, true, true, true, false]);
        assert!(plastic_top_percent(&[], 5.0).is_empty());
        assert_eq!(plastic_top_percent(&[1.0, 2.0], 0.0), [false, false]);
        // Nothing moved: nothing is plastic, even though all values tie.
        assert_eq!(plastic_top_percent(&[0.0; 4], 50.0), [false; 4]);
        // Noise is not plastic: the floor removes what the percentile keeps.
        let d = [1e-29, 2e-29, 0.5, 3e-30];
        assert_eq!(plastic_top_percent(&d, 50.0), [false, true, true, false]);
        assert_eq!(
            plastic_top_percent_above(&d, 50.0, DEFAULT_NOISE_FLOOR),
            [false, false, true, false]
        );
        // At the floor counts (at or above).
        assert_eq!(
            plastic_top_percent_above(&[0.01, 0.0], 50.0, 0.01),
            [true, false]
        );
    }

    #[test]
    fn first_step() {
        let steps = vec![
            vec![false, true, false],
            vec![true, true, false],
            vec![false, false, false],
        ];
        assert_eq!(first_plastic_step(&steps), vec![Some(1), Some(0), None]);
        let mut f = FirstPlastic::new(3);
        for (k, l) in steps.iter().enumerate() {
            f.update(k, l);
        }
        assert_eq!(f.steps(), &[Some(1), Some(0), None]);
    }
}

/// The percentile rank of every value among the finite ones, in `[0, 1]`
/// (the smallest 0, the largest 1; ties share the mean of their ranks);
/// NaN stays NaN. One value alone ranks 1.
pub fn percentile_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![f64::NAN; values.len()];
    let n = order.len();
    let scale = if n > 1 { (n - 1) as f64 } else { 1.0 };
    let mut k = 0;
    while k < n {
        let mut end = k + 1;
        while end < n && values[order[end]] == values[order[k]] {
            end += 1;
        }
        // Ranks k … end − 1 share their mean.
        let r = if n > 1 {
            0.5 * (k + end - 1) as f64 / scale
        } else {
            1.0
        };
        for &i in &order[k..end] {
            out[i] = r;
        }
        k = end;
    }
    out
}

/// Plastic propensity over several loading directions of one reference
/// (shared/SPEC.md §6): each direction's D²min as a percentile rank within
/// its run, averaged per atom. NaN where any direction is NaN.
/// Runs of different lengths give the shortest length's atoms.
pub fn propensity(runs: &[Vec<f64>]) -> Vec<f64> {
    let n = runs.iter().map(Vec::len).min().unwrap_or(0);
    let ranks: Vec<Vec<f64>> = runs.iter().map(|r| percentile_ranks(&r[..n])).collect();
    (0..n)
        .map(|i| ranks.iter().map(|r| r[i]).sum::<f64>() / ranks.len().max(1) as f64)
        .collect()
}

/// The share of `a`'s plastic atoms that are plastic in `b` too (the
/// overlap of two directions' top sets); NaN when `a` has none.
pub fn overlap(a: &[bool], b: &[bool]) -> f64 {
    let na = a.iter().filter(|&&x| x).count();
    let both = a.iter().zip(b).filter(|(x, y)| **x && **y).count();
    if na == 0 {
        f64::NAN
    } else {
        both as f64 / na as f64
    }
}

#[cfg(test)]
mod propensity_tests {
    use super::*;

    #[test]
    fn ranks_ties_and_nan() {
        assert_eq!(percentile_ranks(&[3.0, 1.0, 2.0]), [1.0, 0.0, 0.5]);
        let r = percentile_ranks(&[1.0, 5.0, 5.0, f64::NAN, 0.0]);
        assert_eq!(r[0], 1.0 / 3.0);
        assert_eq!((r[1], r[2]), (2.5 / 3.0, 2.5 / 3.0));
        assert!(r[3].is_nan());
        assert_eq!(r[4], 0.0);
        assert_eq!(percentile_ranks(&[7.0]), [1.0]);
    }

    #[test]
    fn propensity_averages_ranks() {
        // Atom 0 is the largest in one run and the smallest in the other.
        let p = propensity(&[vec![3.0, 1.0, 2.0], vec![0.0, 9.0, 5.0]]);
        assert_eq!(p, [0.5, 0.5, 0.5]);
        let p = propensity(&[vec![3.0, 1.0, 2.0], vec![9.0, 0.0, 5.0]]);
        assert_eq!(p, [1.0, 0.0, 0.5]);
        assert_eq!(overlap(&[true, true, false], &[true, false, true]), 0.5);
        assert!(overlap(&[false], &[true]).is_nan());
    }
}
