//! The box cut into one domain per rank, and which ranks hold an atom as
//! a home atom or a ghost.

use interstice_geometry::Coverage;

/// Slack (fractional) by which a rank takes atoms beyond the coverage it
/// claims, so that no rounding at a boundary leaves out an atom the claim
/// promises.
const SLACK: f64 = 1e-9;

/// The fractional cube cut into `dims[0] × dims[1] × dims[2]` boxes, one
/// per rank (rank `(i·dims[1] + j)·dims[2] + k`), the widest axis cut first
/// so that domains are as cubic as the rank count allows.
#[derive(Clone, Debug, PartialEq)]
pub struct Decomposition {
    dims: [usize; 3],
}

impl Decomposition {
    /// `ranks` domains of a box with perpendicular `widths`: each prime
    /// factor of `ranks`, largest first, cuts the axis whose domains are
    /// widest.
    pub fn new(widths: [f64; 3], ranks: usize) -> Decomposition {
        let mut factors = Vec::new();
        let mut n = ranks.max(1);
        let mut p = 2;
        while n > 1 {
            while n.is_multiple_of(p) {
                factors.push(p);
                n /= p;
            }
            p += 1;
        }
        factors.reverse();
        let mut dims = [1usize; 3];
        for f in factors {
            let a = (0..3)
                .max_by(|&x, &y| {
                    let wx = widths[x] / dims[x] as f64;
                    let wy = widths[y] / dims[y] as f64;
                    wx.total_cmp(&wy).then(y.cmp(&x))
                })
                .expect("three axes");
            dims[a] *= f;
        }
        Decomposition { dims }
    }

    /// Domains per axis.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// The number of domains.
    pub fn ranks(&self) -> usize {
        self.dims.iter().product()
    }

    /// The domain (rank) of wrapped fractional position `f`.
    pub fn owner(&self, f: &[f64; 3]) -> usize {
        let d = self.dims;
        let c: [usize; 3] =
            std::array::from_fn(|a| ((f[a].rem_euclid(1.0) * d[a] as f64) as usize).min(d[a] - 1));
        (c[0] * d[1] + c[1]) * d[2] + c[2]
    }

    fn cell(&self, rank: usize) -> [usize; 3] {
        let d = self.dims;
        [rank / (d[1] * d[2]), (rank / d[2]) % d[1], rank % d[2]]
    }

    /// Rank `rank`'s domain: per axis, fractional `lo..hi`.
    pub fn domain(&self, rank: usize) -> [(f64, f64); 3] {
        let c = self.cell(rank);
        std::array::from_fn(|a| {
            let d = self.dims[a] as f64;
            (c[a] as f64 / d, (c[a] + 1) as f64 / d)
        })
    }

    /// The region rank `rank` holds: its domain widened by `margin`
    /// (fractional, per axis) on each side; a whole axis where the domain
    /// spans it or the widened domain would.
    pub fn coverage(&self, rank: usize, margin: [f64; 3]) -> Coverage {
        let dom = self.domain(rank);
        let ranges = std::array::from_fn(|a| {
            let (lo, hi) = (dom[a].0 - margin[a], dom[a].1 + margin[a]);
            (self.dims[a] > 1 && hi - lo + 2.0 * SLACK < 1.0).then_some((lo, hi))
        });
        Coverage::new(ranges).expect("a domain widened by a finite margin is a valid coverage")
    }

    /// Every rank that holds the atom at fractional position `f` (its
    /// owner, and each rank whose coverage with `margin` reaches it, with a
    /// little slack), ascending.
    pub fn holders(&self, f: &[f64; 3], margin: [f64; 3]) -> Vec<usize> {
        let d = self.dims;
        let per_axis: [Vec<usize>; 3] = std::array::from_fn(|a| {
            let n = d[a];
            let m = margin[a] + SLACK;
            if n == 1 || 2.0 * m + 1.0 / n as f64 >= 1.0 {
                return (0..n).collect();
            }
            let x = f[a].rem_euclid(1.0);
            let mut cells: Vec<usize> = (0..n)
                .filter(|&c| {
                    let lo = c as f64 / n as f64 - m;
                    let hi = (c + 1) as f64 / n as f64 + m;
                    let y = lo + (x - lo).rem_euclid(1.0);
                    y <= hi
                })
                .collect();
            cells.sort_unstable();
            cells
        });
        let mut out = Vec::new();
        for &i in &per_axis[0] {
            for &j in &per_axis[1] {
                for &k in &per_axis[2] {
                    out.push((i * d[1] + j) * d[2] + k);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_cut_the_widest_axis_and_tile_the_cube() {
        assert_eq!(Decomposition::new([10.0, 10.0, 10.0], 1).dims(), [1, 1, 1]);
        assert_eq!(Decomposition::new([30.0, 10.0, 10.0], 2).dims(), [2, 1, 1]);
        assert_eq!(Decomposition::new([10.0, 10.0, 10.0], 4).dims(), [2, 2, 1]);
        assert_eq!(Decomposition::new([10.0, 10.0, 40.0], 6).dims(), [1, 1, 6]);
        assert_eq!(Decomposition::new([20.0, 10.0, 40.0], 6).dims(), [2, 1, 3]);
        let d = Decomposition::new([10.0, 12.0, 14.0], 12);
        assert_eq!(d.ranks(), 12);
        for r in 0..12 {
            let dom = d.domain(r);
            let mid: [f64; 3] = std::array::from_fn(|a| 0.5 * (dom[a].0 + dom[a].1));
            assert_eq!(d.owner(&mid), r);
        }
    }

    #[test]
    fn holders_are_the_ranks_whose_coverage_holds_the_atom() {
        let d = Decomposition::new([40.0, 40.0, 20.0], 4);
        assert_eq!(d.dims(), [2, 2, 1]);
        let m = [0.1, 0.05, 0.0];
        let mut rng = interstice_core::rng::SplitMix64::new(3);
        for _ in 0..2000 {
            let f = [rng.next_f64(), rng.next_f64(), rng.next_f64()];
            let h = d.holders(&f, m);
            assert!(h.contains(&d.owner(&f)));
            for r in 0..4 {
                let depth = d.coverage(r, m).depth(&f, [40.0, 40.0, 20.0]);
                if depth > 1e-6 {
                    assert!(h.contains(&r), "{f:?} is inside rank {r}'s coverage");
                }
                if depth < -1e-6 {
                    assert!(!h.contains(&r), "{f:?} is outside rank {r}'s coverage");
                }
            }
        }
        // A margin as wide as the box: every rank holds everything.
        assert_eq!(
            d.holders(&[0.1, 0.1, 0.1], [0.3, 0.3, 0.0]),
            vec![0, 1, 2, 3]
        );
        assert!(d.coverage(0, [0.3, 0.3, 0.0]).is_whole());
    }
}
