//! Statistics of per-atom lists, as amlearn (numpy) computes them.

/// A statistic of a list of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// Arithmetic mean.
    Mean,
    /// Population standard deviation (numpy's default, ddof = 0), two-pass.
    Std,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Sum.
    Sum,
}

impl Stat {
    /// The name used in column names (`mean`, `std`, …).
    pub fn name(self) -> &'static str {
        match self {
            Stat::Mean => "mean",
            Stat::Std => "std",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::Sum => "sum",
        }
    }

    /// The statistic of `values`; an empty list gives 0 (amlearn's
    /// convention for atoms without neighbours or without a hull).
    pub fn of(self, values: &[f64]) -> f64 {
        if values.is_empty() {
            return 0.0;
        }
        let n = values.len() as f64;
        match self {
            Stat::Sum => values.iter().sum(),
            Stat::Mean => values.iter().sum::<f64>() / n,
            Stat::Std => {
                let m = values.iter().sum::<f64>() / n;
                (values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt()
            }
            Stat::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            Stat::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// The four statistics of the paper, in amlearn's order.
pub(crate) const PAPER_STATS: [Stat; 4] = [Stat::Mean, Stat::Std, Stat::Min, Stat::Max];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_numpy() {
        let v = [1.0, 2.0, 4.0, 7.0];
        assert_eq!(Stat::Mean.of(&v), 3.5);
        // numpy.std([1, 2, 4, 7]) = 2.29128784747792
        assert!((Stat::Std.of(&v) - 2.29128784747792).abs() < 1e-14);
        assert_eq!(Stat::Min.of(&v), 1.0);
        assert_eq!(Stat::Max.of(&v), 7.0);
        assert_eq!(Stat::Sum.of(&v), 14.0);
        assert_eq!(Stat::Std.of(&[]), 0.0);
    }
}
