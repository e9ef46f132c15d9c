//! The part of a periodic box that a subset of a frame's atoms covers: for
//! a process that holds only its domain of a larger glass and a skin of
//! ghosts around it (a domain decomposition over MPI ranks).

/// Where a subset of a periodic frame holds every atom of the whole frame:
/// per axis, an interval of fractional coordinates (unwrapped, so it may
/// run past 0 or 1; shorter than one period), or the whole axis.
///
/// A [`crate::Tessellator`] built on such a subset with
/// [`crate::VoronoiParams::part`] gives each cell it can build the same
/// bits as the whole frame would, and refuses
/// ([`crate::GeometryError::BeyondCoverage`]) a cell whose ghost skin
/// reaches past the covered region.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    ranges: [Option<(f64, f64)>; 3],
}

impl Coverage {
    /// The whole box: every atom is present.
    pub fn whole() -> Coverage {
        Coverage { ranges: [None; 3] }
    }

    /// Per axis, `Some((lo, hi))` (fractional, `lo < hi`) or `None` for the
    /// whole axis. An interval of a period or more is the whole axis.
    ///
    /// # Errors
    /// A bound that is not finite, or `lo >= hi`.
    pub fn new(ranges: [Option<(f64, f64)>; 3]) -> Result<Coverage, String> {
        let mut out = [None; 3];
        for (a, r) in ranges.iter().enumerate() {
            if let Some((lo, hi)) = *r {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(format!(
                        "coverage of axis {a}: expected finite lo < hi, found {lo}..{hi}"
                    ));
                }
                if hi - lo < 1.0 {
                    out[a] = Some((lo, hi));
                }
            }
        }
        Ok(Coverage { ranges: out })
    }

    /// The interval of each axis (`None`: the whole axis).
    pub fn ranges(&self) -> [Option<(f64, f64)>; 3] {
        self.ranges
    }

    /// Whether every axis is whole.
    pub fn is_whole(&self) -> bool {
        self.ranges.iter().all(Option::is_none)
    }

    /// Whether the fractional box `lo..=hi` (unwrapped) lies inside the
    /// covered region, shifted by a whole period on each axis as needed.
    pub fn holds(&self, lo: &[f64; 3], hi: &[f64; 3]) -> bool {
        (0..3).all(|a| match self.ranges[a] {
            None => true,
            Some((clo, chi)) => {
                let k = (clo - lo[a]).ceil();
                hi[a] + k <= chi
            }
        })
    }

    /// How far (Å) the point at fractional position `f` lies inside the
    /// covered region: the distance to its nearest uncovered plane, given
    /// the box's perpendicular `widths`; negative outside, infinite when
    /// every axis is whole.
    pub fn depth(&self, f: &[f64; 3], widths: [f64; 3]) -> f64 {
        (0..3)
            .filter_map(|a| {
                let (clo, chi) = self.ranges[a]?;
                let x = clo + (f[a] - clo).rem_euclid(1.0);
                Some((x - clo).min(chi - x) * widths[a])
            })
            .fold(f64::INFINITY, f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_shifts_by_whole_periods() {
        let c = Coverage::new([Some((0.7, 1.3)), None, Some((-0.1, 0.2))]).unwrap();
        assert!(c.holds(&[0.8, -5.0, 0.0], &[1.2, 9.0, 0.1]));
        // The same box one period to the left.
        assert!(c.holds(&[-0.2, 0.0, 0.0], &[0.2, 1.0, 0.1]));
        assert!(c.holds(&[1.75, 0.0, 0.95], &[2.2, 1.0, 1.15]));
        assert!(!c.holds(&[0.65, 0.0, 0.0], &[0.9, 1.0, 0.1]));
        assert!(!c.holds(&[0.8, 0.0, 0.0], &[1.31, 1.0, 0.1]));
        assert!(!c.holds(&[0.8, 0.0, -0.2], &[1.0, 1.0, 0.1]));
        assert!(Coverage::whole().holds(&[-3.0; 3], &[7.0; 3]));
    }

    #[test]
    fn depth_is_the_distance_to_the_nearest_uncovered_plane() {
        let c = Coverage::new([Some((0.7, 1.3)), None, None]).unwrap();
        let w = [10.0, 20.0, 30.0];
        assert!((c.depth(&[0.0, 0.5, 0.5], w) - 3.0).abs() < 1e-12);
        assert!((c.depth(&[0.75, 0.5, 0.5], w) - 0.5).abs() < 1e-12);
        assert!((c.depth(&[0.25, 0.5, 0.5], w) - 0.5).abs() < 1e-12);
        assert!(c.depth(&[0.5, 0.5, 0.5], w) < 0.0);
        assert_eq!(Coverage::whole().depth(&[0.5; 3], w), f64::INFINITY);
    }

    #[test]
    fn a_period_or_more_is_the_whole_axis_and_bad_bounds_are_refused() {
        assert!(
            Coverage::new([Some((-0.2, 0.8)), None, None])
                .unwrap()
                .is_whole()
        );
        assert!(Coverage::new([Some((0.5, 0.5)), None, None]).is_err());
        assert!(Coverage::new([Some((f64::NAN, 0.5)), None, None]).is_err());
    }
}
