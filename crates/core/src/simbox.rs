//! The periodic simulation box, orthorhombic or triclinic, in LAMMPS' convention.
//!
//! A LAMMPS box is an origin `lo` and three edge vectors
//! `a = (lx, 0, 0)`, `b = (xy, ly, 0)`, `c = (xz, yz, lz)`, the columns of the
//! upper-triangular cell matrix `H`. A point `p` has fractional coordinates
//! `f = H⁻¹ (p − lo)`; the box is `0 ≤ f < 1` on each axis.

use crate::CoreError;

/// A validated simulation box: origin, edge lengths, tilts and per-axis periodicity.
///
/// Tilts may be of any size, including the large tilts of a glass sheared past
/// the point where LAMMPS would flip the box; every operation stays exact.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimBox {
    lo: [f64; 3],
    /// Kept as given, so that `lo`/`hi` read from a file are written back unchanged.
    hi: [f64; 3],
    /// `hi − lo`.
    lengths: [f64; 3],
    tilts: [f64; 3],
    periodic: [bool; 3],
}

impl Default for SimBox {
    /// A periodic unit cube at the origin (a placeholder for empty frames).
    fn default() -> Self {
        SimBox {
            lo: [0.0; 3],
            hi: [1.0; 3],
            lengths: [1.0; 3],
            tilts: [0.0; 3],
            periodic: [true; 3],
        }
    }
}

impl SimBox {
    /// A periodic cube of edge `length` with its origin at zero.
    ///
    /// # Errors
    /// [`CoreError::InvalidBox`] if `length` is not finite and positive.
    pub fn cubic(length: f64) -> Result<SimBox, CoreError> {
        SimBox::orthorhombic([length; 3])
    }

    /// A periodic orthorhombic box with its origin at zero.
    ///
    /// # Errors
    /// [`CoreError::InvalidBox`] if a length is not finite and positive.
    pub fn orthorhombic(lengths: [f64; 3]) -> Result<SimBox, CoreError> {
        SimBox::triclinic([0.0; 3], lengths, [0.0; 3])
    }

    /// A periodic box from LAMMPS' `xlo xhi`, `ylo yhi`, `zlo zhi` and tilts `xy xz yz`.
    ///
    /// # Errors
    /// [`CoreError::InvalidBox`] if a value is not finite or `hi ≤ lo` on an axis.
    pub fn triclinic(lo: [f64; 3], hi: [f64; 3], tilts: [f64; 3]) -> Result<SimBox, CoreError> {
        const AXES: [char; 3] = ['x', 'y', 'z'];
        for i in 0..3 {
            if !lo[i].is_finite() || !hi[i].is_finite() {
                return Err(CoreError::InvalidBox(format!(
                    "{a}lo {} and {a}hi {} must be finite",
                    lo[i],
                    hi[i],
                    a = AXES[i]
                )));
            }
        }
        let lengths = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
        for i in 0..3 {
            if !lengths[i].is_finite() || lengths[i] <= 0.0 {
                return Err(CoreError::InvalidBox(format!(
                    "{a}hi {} must be greater than {a}lo {}",
                    hi[i],
                    lo[i],
                    a = AXES[i]
                )));
            }
        }
        const TILTS: [&str; 3] = ["xy", "xz", "yz"];
        for i in 0..3 {
            if !tilts[i].is_finite() {
                return Err(CoreError::InvalidBox(format!(
                    "tilt {} = {} must be finite",
                    TILTS[i], tilts[i]
                )));
            }
        }
        let volume = lengths[0] * lengths[1] * lengths[2];
        if !volume.is_finite() || volume <= 0.0 {
            return Err(CoreError::InvalidBox(format!(
                "volume {volume} must be finite and positive"
            )));
        }
        Ok(SimBox {
            lo,
            hi,
            lengths,
            tilts,
            periodic: [true; 3],
        })
    }

    /// The same box with the given periodicity per axis (x, y, z).
    #[must_use]
    pub fn with_periodicity(mut self, periodic: [bool; 3]) -> SimBox {
        self.periodic = periodic;
        self
    }

    /// The origin `(xlo, ylo, zlo)`.
    pub fn lo(&self) -> [f64; 3] {
        self.lo
    }

    /// `(xhi, yhi, zhi)`: `lo + (lx, ly, lz)`, exactly as given to the constructor.
    pub fn hi(&self) -> [f64; 3] {
        self.hi
    }

    /// The edge lengths `(lx, ly, lz)`.
    pub fn lengths(&self) -> [f64; 3] {
        self.lengths
    }

    /// The tilt factors `(xy, xz, yz)`.
    pub fn tilts(&self) -> [f64; 3] {
        self.tilts
    }

    /// Whether each axis is periodic.
    pub fn periodic(&self) -> [bool; 3] {
        self.periodic
    }

    /// Whether any tilt factor is non-zero.
    pub fn is_triclinic(&self) -> bool {
        self.tilts != [0.0; 3]
    }

    /// Edge vector `i` (0: `a`, 1: `b`, 2: `c`) of the cell.
    ///
    /// # Panics
    /// If `i > 2`.
    pub fn lattice_vector(&self, i: usize) -> [f64; 3] {
        let [lx, ly, lz] = self.lengths;
        let [xy, xz, yz] = self.tilts;
        match i {
            0 => [lx, 0.0, 0.0],
            1 => [xy, ly, 0.0],
            2 => [xz, yz, lz],
            _ => panic!("lattice vector index {i} out of range 0..3"),
        }
    }

    /// The cell matrix `H`, rows first: `H[r][c]`, its columns are the edge vectors.
    pub fn matrix(&self) -> [[f64; 3]; 3] {
        let [lx, ly, lz] = self.lengths;
        let [xy, xz, yz] = self.tilts;
        [[lx, xy, xz], [0.0, ly, yz], [0.0, 0.0, lz]]
    }

    /// The box volume `lx · ly · lz`.
    pub fn volume(&self) -> f64 {
        self.lengths[0] * self.lengths[1] * self.lengths[2]
    }

    /// The distances between opposite faces of the cell, along x, y, z.
    ///
    /// A sphere of radius `r` fits in the periodic cell without touching its
    /// own image only if `2r` is below every width.
    pub fn perpendicular_widths(&self) -> [f64; 3] {
        let [lx, ly, lz] = self.lengths;
        let [xy, xz, yz] = self.tilts;
        let v = self.volume();
        // |b × c|, |c × a|, |a × b| for the edge vectors above.
        let bc = (ly * lz).hypot(xy * lz).hypot(xy * yz - ly * xz);
        let ca = lx * lz.hypot(yz);
        let ab = lx * ly;
        [v / bc, v / ca, v / ab]
    }

    /// `H⁻¹ v` for a displacement `v` (no origin shift).
    #[inline]
    pub fn fractional_vector(&self, v: [f64; 3]) -> [f64; 3] {
        let [lx, ly, lz] = self.lengths;
        let [xy, xz, yz] = self.tilts;
        let f2 = v[2] / lz;
        let f1 = (v[1] - yz * f2) / ly;
        let f0 = (v[0] - xy * f1 - xz * f2) / lx;
        [f0, f1, f2]
    }

    /// `H f` for fractional components `f` (no origin shift).
    #[inline]
    pub fn cartesian_vector(&self, f: [f64; 3]) -> [f64; 3] {
        let [lx, ly, lz] = self.lengths;
        let [xy, xz, yz] = self.tilts;
        [
            lx * f[0] + xy * f[1] + xz * f[2],
            ly * f[1] + yz * f[2],
            lz * f[2],
        ]
    }

    /// Fractional coordinates of a point: `H⁻¹ (p − lo)`; inside the box they lie in `[0, 1)`.
    #[inline]
    pub fn to_fractional(&self, p: [f64; 3]) -> [f64; 3] {
        self.fractional_vector([p[0] - self.lo[0], p[1] - self.lo[1], p[2] - self.lo[2]])
    }

    /// The point with fractional coordinates `f`: `lo + H f`.
    #[inline]
    pub fn to_cartesian(&self, f: [f64; 3]) -> [f64; 3] {
        let v = self.cartesian_vector(f);
        [v[0] + self.lo[0], v[1] + self.lo[1], v[2] + self.lo[2]]
    }

    /// The image of `p` inside the box along every periodic axis.
    #[inline]
    pub fn wrap(&self, p: [f64; 3]) -> [f64; 3] {
        let mut f = self.to_fractional(p);
        for i in 0..3 {
            if self.periodic[i] {
                f[i] = wrap_unit(f[i]);
            }
        }
        self.to_cartesian(f)
    }

    /// Wraps `p` into the box and returns the image flags `n` such that
    /// `unwrap(wrapped, n)` gives `p` back (to rounding).
    ///
    /// # Errors
    /// [`CoreError::ImageOverflow`] if an image count does not fit an `i32`.
    pub fn wrap_with_image(&self, p: [f64; 3]) -> Result<([f64; 3], [i32; 3]), CoreError> {
        let mut f = self.to_fractional(p);
        let mut image = [0i32; 3];
        for i in 0..3 {
            if self.periodic[i] {
                let n = f[i].floor();
                if !(n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX)) {
                    return Err(CoreError::ImageOverflow { position: p });
                }
                image[i] = n as i32;
                f[i] = wrap_unit(f[i]);
            }
        }
        Ok((self.to_cartesian(f), image))
    }

    /// The unwrapped position `p + H n` of a point with image flags `n`.
    #[inline]
    pub fn unwrap(&self, p: [f64; 3], image: [i32; 3]) -> [f64; 3] {
        let s = self.cartesian_vector([
            f64::from(image[0]),
            f64::from(image[1]),
            f64::from(image[2]),
        ]);
        [p[0] + s[0], p[1] + s[1], p[2] + s[2]]
    }

    /// The shortest periodic image of the displacement `d`.
    ///
    /// Exact for any tilt: after reducing the fractional components to
    /// `[-½, ½]` the result is kept if it is shorter than half the smallest
    /// perpendicular width (no other image can then be shorter); otherwise every
    /// image whose fractional components could give a shorter vector is
    /// examined. Ties keep the first image found.
    pub fn min_image(&self, d: [f64; 3]) -> [f64; 3] {
        let mut f = self.fractional_vector(d);
        let mut n = [0.0; 3];
        for i in 0..3 {
            if self.periodic[i] {
                n[i] = f[i].round();
                f[i] -= n[i];
            }
        }
        // Subtract the lattice shift from d itself (not H f) so that a vector
        // already inside the cell comes back bit for bit.
        let shift = |n: [f64; 3]| {
            let s = self.cartesian_vector(n);
            [d[0] - s[0], d[1] - s[1], d[2] - s[2]]
        };
        let d0 = shift(n);
        let r2 = norm2(d0);
        let widths = self.perpendicular_widths();
        let mut min_width = f64::INFINITY;
        for i in 0..3 {
            if self.periodic[i] {
                min_width = min_width.min(widths[i]);
            }
        }
        if 4.0 * r2 <= min_width * min_width {
            return d0;
        }
        // A shorter image d0 − H m has fractional components f − m with
        // |f_i − m_i| ≤ |d0| / w_i (the reciprocal vectors have length 1/w_i).
        let r = r2.sqrt() * (1.0 + 1e-12);
        let mut range = [(0i64, 0i64); 3];
        for i in 0..3 {
            if self.periodic[i] {
                let reach = r / widths[i];
                range[i] = ((f[i] - reach).ceil() as i64, (f[i] + reach).floor() as i64);
            }
        }
        let mut best = d0;
        let mut best_r2 = r2;
        for m0 in range[0].0..=range[0].1 {
            for m1 in range[1].0..=range[1].1 {
                for m2 in range[2].0..=range[2].1 {
                    if m0 == 0 && m1 == 0 && m2 == 0 {
                        continue;
                    }
                    let c = shift([n[0] + m0 as f64, n[1] + m1 as f64, n[2] + m2 as f64]);
                    let c2 = norm2(c);
                    if c2 < best_r2 {
                        best = c;
                        best_r2 = c2;
                    }
                }
            }
        }
        best
    }

    /// The minimum-image distance between points `a` and `b`.
    #[inline]
    pub fn distance(&self, a: [f64; 3], b: [f64; 3]) -> f64 {
        norm2(self.min_image([b[0] - a[0], b[1] - a[1], b[2] - a[2]])).sqrt()
    }
}

/// `x − ⌊x⌋`, mapped to exactly 0 where rounding would give 1.
#[inline]
fn wrap_unit(x: f64) -> f64 {
    let w = x - x.floor();
    if w >= 1.0 { 0.0 } else { w }
}

#[inline]
fn norm2(v: [f64; 3]) -> f64 {
    v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }

    /// Oracle: the shortest of `d + H n` over every `n` in `[-k, k]³` (periodic axes only).
    fn brute_min_image(b: &SimBox, d: [f64; 3], k: i64) -> f64 {
        brute_min_image_ranges(b, d, [k; 3])
    }

    fn brute_min_image_ranges(b: &SimBox, d: [f64; 3], k: [i64; 3]) -> f64 {
        let mut best = f64::INFINITY;
        let p = b.periodic();
        let r = |i: usize| if p[i] { -k[i]..=k[i] } else { 0..=0 };
        for n0 in r(0) {
            for n1 in r(1) {
                for n2 in r(2) {
                    let s = b.cartesian_vector([n0 as f64, n1 as f64, n2 as f64]);
                    best = best.min(norm2([d[0] + s[0], d[1] + s[1], d[2] + s[2]]));
                }
            }
        }
        best.sqrt()
    }

    /// Oracle for any box: every image within `|d| / w_i + 1` cells of `d` on
    /// each periodic axis (no image further out can be shorter than `d`),
    /// or `None` when that is too many to enumerate.
    fn exhaustive_min_image(b: &SimBox, d: [f64; 3]) -> Option<f64> {
        let w = b.perpendicular_widths();
        let r = norm2(d).sqrt();
        let f = b.fractional_vector(d);
        let mut k = [0i64; 3];
        let mut count = 1.0;
        for i in 0..3 {
            k[i] = (f[i].abs() + r / w[i]).ceil() as i64 + 1;
            if b.periodic()[i] {
                count *= (2 * k[i] + 1) as f64;
            }
        }
        (count < 3e6).then(|| brute_min_image_ranges(b, d, k))
    }

    #[test]
    fn rejects_impossible_boxes() {
        let e = SimBox::triclinic([0.0; 3], [1.0, 0.0, 1.0], [0.0; 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid box: yhi 0 must be greater than ylo 0"
        );
        let e = SimBox::triclinic([0.0; 3], [1.0, f64::NAN, 1.0], [0.0; 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid box: ylo 0 and yhi NaN must be finite"
        );
        let e = SimBox::triclinic([0.0; 3], [1.0; 3], [0.0, f64::INFINITY, 0.0]).unwrap_err();
        assert_eq!(e.to_string(), "invalid box: tilt xz = inf must be finite");
        assert!(SimBox::cubic(-2.0).is_err());
    }

    #[test]
    fn analytic_values_of_a_tilted_box() {
        let b = SimBox::triclinic([1.0, 2.0, 3.0], [5.0, 7.0, 9.0], [1.0, 2.0, 3.0]).unwrap();
        assert_eq!(b.volume(), 4.0 * 5.0 * 6.0);
        assert_eq!(b.hi(), [5.0, 7.0, 9.0]);
        assert_eq!(b.lattice_vector(2), [2.0, 3.0, 6.0]);
        // Widths: V / |b × c| etc., computed by hand.
        let w = b.perpendicular_widths();
        let bc =
            ((5.0f64 * 6.0).powi(2) + (1.0f64 * 6.0).powi(2) + (1.0f64 * 3.0 - 5.0 * 2.0).powi(2))
                .sqrt();
        assert!((w[0] - 120.0 / bc).abs() < 1e-12);
        assert!((w[1] - 120.0 / (4.0 * (36.0f64 + 9.0).sqrt())).abs() < 1e-12);
        assert_eq!(w[2], 6.0);
        // The far corner lo + a + b + c has fractional coordinates (1, 1, 1).
        let f = b.to_fractional([1.0 + 4.0 + 1.0 + 2.0, 2.0 + 5.0 + 3.0, 3.0 + 6.0]);
        for x in f {
            assert!((x - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn wrap_and_unwrap_are_inverse() {
        let b = SimBox::triclinic([-3.0, -2.0, -1.0], [7.0, 9.0, 11.0], [4.0, -3.0, 2.5]).unwrap();
        let p = [31.3, -17.2, 44.9];
        let (w, n) = b.wrap_with_image(p).unwrap();
        let f = b.to_fractional(w);
        assert!(f.iter().all(|x| (0.0..1.0).contains(x)), "{f:?}");
        let back = b.unwrap(w, n);
        for i in 0..3 {
            assert!((back[i] - p[i]).abs() < 1e-12);
        }
        assert_eq!(b.wrap(p), w);
        // A tiny negative fractional coordinate must not wrap to exactly 1.
        let c = SimBox::cubic(10.0).unwrap();
        let w = c.wrap([-1e-18, 0.0, 0.0]);
        assert!(w[0] >= 0.0 && w[0] < 10.0);
        assert_eq!(
            c.wrap_with_image([1e300, 0.0, 0.0]).unwrap_err(),
            CoreError::ImageOverflow {
                position: [1e300, 0.0, 0.0]
            }
        );
    }

    #[test]
    fn non_periodic_axes_are_left_alone() {
        let b = SimBox::cubic(10.0)
            .unwrap()
            .with_periodicity([true, false, true]);
        let w = b.wrap([12.0, 12.0, -1.0]);
        for (x, y) in w.iter().zip([2.0, 12.0, 9.0]) {
            assert!((x - y).abs() < 1e-12, "{w:?}");
        }
        assert_eq!(b.min_image([9.0, 9.0, 0.0]), [-1.0, 9.0, 0.0]);
        let none = SimBox::cubic(10.0).unwrap().with_periodicity([false; 3]);
        assert_eq!(none.min_image([9.0, -9.0, 7.0]), [9.0, -9.0, 7.0]);
    }

    #[test]
    fn min_image_beyond_naive_rounding_in_a_strongly_tilted_box() {
        // xy = 0.9 lx: rounding the fractional components alone is not enough.
        let b = SimBox::triclinic([0.0; 3], [10.0, 10.0, 10.0], [9.0, 0.0, 0.0]).unwrap();
        let mut defeated = 0;
        for i in -20..=20 {
            for j in -20..=20 {
                let d = [0.5 * f64::from(i), 0.5 * f64::from(j), 1.0];
                let naive = {
                    let mut f = b.fractional_vector(d);
                    for x in &mut f {
                        *x -= x.round();
                    }
                    norm2(b.cartesian_vector(f)).sqrt()
                };
                let m = norm2(b.min_image(d)).sqrt();
                let oracle = brute_min_image(&b, d, 6);
                assert!((m - oracle).abs() < 1e-12, "{d:?}: {m} vs {oracle}");
                if m < naive - 1e-6 {
                    defeated += 1;
                }
            }
        }
        assert!(
            defeated > 100,
            "the grid must defeat naive rounding often: {defeated}"
        );
    }

    fn arb_box() -> impl Strategy<Value = SimBox> {
        (
            prop::array::uniform3(-20.0f64..20.0),
            prop::array::uniform3(3.0f64..30.0),
            prop::array::uniform3(-1.5f64..1.5),
            prop::array::uniform3(any::<bool>()),
        )
            .prop_map(|(lo, l, t, p)| {
                let hi = [lo[0] + l[0], lo[1] + l[1], lo[2] + l[2]];
                // Tilts of up to 1.5 box lengths: far past what LAMMPS allows.
                SimBox::triclinic(lo, hi, [t[0] * l[0], t[1] * l[0], t[2] * l[1]])
                    .unwrap()
                    .with_periodicity(p)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn min_image_matches_brute_force(b in arb_box(), f in prop::array::uniform3(-2.0f64..2.0)) {
            let d = b.cartesian_vector(f);
            let m = b.min_image(d);
            let Some(oracle) = exhaustive_min_image(&b, d) else {
                return Err(TestCaseError::reject("too many images to enumerate"));
            };
            prop_assert!((norm2(m).sqrt() - oracle).abs() <= 1e-9 * (1.0 + oracle));
            // The result is an image of d: they differ by a lattice vector.
            let g = b.fractional_vector(sub(m, d));
            for i in 0..3 {
                prop_assert!((g[i] - g[i].round()).abs() < 1e-9);
                if !b.periodic()[i] {
                    prop_assert!(g[i].abs() < 1e-9);
                }
            }
        }

        #[test]
        fn fractional_round_trip(b in arb_box(), p in prop::array::uniform3(-100.0f64..100.0)) {
            let q = b.to_cartesian(b.to_fractional(p));
            for i in 0..3 {
                prop_assert!((q[i] - p[i]).abs() < 1e-11);
            }
        }

        #[test]
        fn wrap_lands_inside_and_keeps_distances(b in arb_box(),
                                                  p in prop::array::uniform3(-100.0f64..100.0),
                                                  q in prop::array::uniform3(-100.0f64..100.0)) {
            let w = b.wrap(p);
            let f = b.to_fractional(w);
            for i in 0..3 {
                if b.periodic()[i] {
                    prop_assert!(f[i] > -1e-12 && f[i] < 1.0 + 1e-12, "{:?}", f);
                }
            }
            let d1 = b.distance(p, q);
            let d2 = b.distance(w, b.wrap(q));
            prop_assert!((d1 - d2).abs() < 1e-9 * (1.0 + d1));
            let (w2, n) = b.wrap_with_image(p).unwrap();
            let back = b.unwrap(w2, n);
            for i in 0..3 {
                prop_assert!((back[i] - p[i]).abs() < 1e-9);
            }
        }
    }
}
