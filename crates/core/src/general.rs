//! General triclinic cells: any three edge vectors `A`, `B`, `C` and an
//! origin, as LAMMPS (since 2024, `triclinic/general`), OVITO and extended
//! XYZ write them, and their rotation into LAMMPS' restricted form.
//!
//! LAMMPS documents the rotation ("Howto triclinic"): the restricted cell has
//! `a = (|A|, 0, 0)`, `b = (B·Â, |Â × B|, 0)`, `c = (C·Â, C·ê₂, C·ê₃)` with
//! `ê₁ = Â`, `ê₃ = (A × B)/|A × B|` and `ê₂ = ê₃ × ê₁`; a point `p` goes to
//! `o + R (p − o)`, where the rows of `R` are `ê₁, ê₂, ê₃` and `o` is the
//! origin, which becomes the restricted box's `lo`. The rotation is kept as
//! an [`Orientation`] so that output can be rotated back.
//!
//! LAMMPS refuses left-handed edge vectors; a periodic cell spanned by
//! `A, B, −C` from the origin `o + C` is the same lattice over the same
//! region, so a left-handed cell is read as that one (a rotation, never a
//! mirror image of the atoms).

use crate::{CoreError, SimBox};

/// The rotation that took a general triclinic cell into LAMMPS' restricted
/// orientation, about the cell's origin.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Orientation {
    /// Rows `ê₁, ê₂, ê₃`: restricted = `R` · general.
    rotation: [[f64; 3]; 3],
    /// The point the rotation keeps fixed: the cell's origin and the restricted box's `lo`.
    origin: [f64; 3],
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn scale(a: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

impl Orientation {
    /// The rotation matrix, rows `ê₁, ê₂, ê₃` (restricted = `R` · general).
    pub fn rotation(&self) -> [[f64; 3]; 3] {
        self.rotation
    }

    /// The fixed point of the rotation: the general cell's origin.
    pub fn origin(&self) -> [f64; 3] {
        self.origin
    }

    /// A vector of the general frame in the restricted frame: `R v`.
    pub fn vector_to_restricted(&self, v: [f64; 3]) -> [f64; 3] {
        let r = &self.rotation;
        [dot(r[0], v), dot(r[1], v), dot(r[2], v)]
    }

    /// A vector of the restricted frame back in the general frame: `Rᵀ v`.
    pub fn vector_to_general(&self, v: [f64; 3]) -> [f64; 3] {
        let r = &self.rotation;
        let mut out = [0.0; 3];
        for (k, o) in out.iter_mut().enumerate() {
            *o = r[0][k] * v[0] + r[1][k] * v[1] + r[2][k] * v[2];
        }
        out
    }

    /// A point of the general frame in the restricted frame: `o + R (p − o)`.
    pub fn to_restricted(&self, p: [f64; 3]) -> [f64; 3] {
        let o = self.origin;
        let d = self.vector_to_restricted([p[0] - o[0], p[1] - o[1], p[2] - o[2]]);
        [o[0] + d[0], o[1] + d[1], o[2] + d[2]]
    }

    /// A point of the restricted frame back in the general frame: `o + Rᵀ (p − o)`.
    pub fn to_general(&self, p: [f64; 3]) -> [f64; 3] {
        let o = self.origin;
        let d = self.vector_to_general([p[0] - o[0], p[1] - o[1], p[2] - o[2]]);
        [o[0] + d[0], o[1] + d[1], o[2] + d[2]]
    }
}

/// A cell given by its edge vectors and origin, in any orientation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeneralCell {
    /// The edge vectors `A`, `B`, `C`.
    pub vectors: [[f64; 3]; 3],
    /// The corner the edges start from.
    pub origin: [f64; 3],
}

impl GeneralCell {
    /// The restricted LAMMPS box of this cell and the rotation that takes
    /// positions there; the rotation is `None` when the cell is already in
    /// restricted orientation (`A` along x, `B` in the xy plane with
    /// `B_y > 0`, `C_z > 0`), so such positions are kept bit for bit.
    ///
    /// # Errors
    /// [`CoreError::InvalidBox`] for non-finite numbers or edge vectors that
    /// do not span a volume.
    pub fn to_restricted(&self) -> Result<(SimBox, Option<Orientation>), CoreError> {
        let [a, b, mut c] = self.vectors;
        let mut origin = self.origin;
        if self
            .vectors
            .iter()
            .flatten()
            .chain(&origin)
            .any(|x| !x.is_finite())
        {
            return Err(CoreError::InvalidBox(format!(
                "edge vectors {:?} and origin {origin:?} must be finite",
                self.vectors
            )));
        }
        let ab = cross(a, b);
        let volume = dot(ab, c);
        let (na, nab) = (norm(a), norm(ab));
        if !(na > 0.0 && nab > 0.0 && volume != 0.0 && volume.is_finite())
            || volume.abs() <= 1e-12 * na * norm(b) * norm(c)
        {
            return Err(CoreError::InvalidBox(format!(
                "edge vectors A {a:?}, B {b:?}, C {c:?} do not span a volume"
            )));
        }
        if volume < 0.0 {
            // Left-handed: the same periodic cell is A, B, −C from o + C.
            origin = [origin[0] + c[0], origin[1] + c[1], origin[2] + c[2]];
            c = scale(c, -1.0);
        }
        let e1 = scale(a, 1.0 / na);
        let e3 = scale(ab, 1.0 / nab);
        let e2 = cross(e3, e1);
        let restricted_already =
            a[1] == 0.0 && a[2] == 0.0 && a[0] > 0.0 && b[2] == 0.0 && b[1] > 0.0;
        let rotation = if restricted_already {
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        } else {
            [e1, e2, e3]
        };
        let o = Orientation { rotation, origin };
        let (ra, rb, rc) = if restricted_already {
            (a, b, c)
        } else {
            (
                [na, 0.0, 0.0],
                [dot(b, e1), dot(b, e2), 0.0],
                [dot(c, e1), dot(c, e2), dot(c, e3)],
            )
        };
        let lo = origin;
        let hi = [lo[0] + ra[0], lo[1] + rb[1], lo[2] + rc[2]];
        let sim_box = SimBox::triclinic(lo, hi, [rb[0], rc[0], rc[1]])?;
        Ok((sim_box, (!restricted_already).then_some(o)))
    }

    /// The general cell of a restricted box: its edge vectors rotated back by
    /// `orientation` (or as they are, without one), from `lo`.
    pub fn of_box(sim_box: &SimBox, orientation: Option<&Orientation>) -> GeneralCell {
        let vectors = [0, 1, 2].map(|i| {
            let v = sim_box.lattice_vector(i);
            orientation.map_or(v, |o| o.vector_to_general(v))
        });
        GeneralCell {
            vectors,
            origin: sim_box.lo(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proper rotation from a unit quaternion.
    fn rotation(q: [f64; 4]) -> [[f64; 3]; 3] {
        let n = q.iter().map(|x| x * x).sum::<f64>().sqrt();
        let [w, x, y, z] = q.map(|v| v / n);
        [
            [
                1.0 - 2.0 * (y * y + z * z),
                2.0 * (x * y - w * z),
                2.0 * (x * z + w * y),
            ],
            [
                2.0 * (x * y + w * z),
                1.0 - 2.0 * (x * x + z * z),
                2.0 * (y * z - w * x),
            ],
            [
                2.0 * (x * z - w * y),
                2.0 * (y * z + w * x),
                1.0 - 2.0 * (x * x + y * y),
            ],
        ]
    }

    fn apply(m: [[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
        [dot(m[0], v), dot(m[1], v), dot(m[2], v)]
    }

    fn close(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
        (0..3).all(|k| (a[k] - b[k]).abs() <= tol)
    }

    #[test]
    fn the_lammps_example_gives_lammps_restricted_box() {
        // Values LAMMPS 22 Jul 2025 wrote (write_data) after reading this
        // general cell: see fixtures/compat/README.md.
        let cell = GeneralCell {
            vectors: [[10.0, 0.0, 0.0], [3.0, 9.0, 1.0], [1.0, 2.0, 11.0]],
            origin: [0.5, -0.5, 1.0],
        };
        let (b, o) = cell.to_restricted().unwrap();
        let o = o.unwrap();
        assert_eq!(b.lo(), [0.5, -0.5, 1.0]);
        assert!(close(
            b.hi(),
            [10.5, 8.555385138137416, 11.71185802926011],
            1e-12
        ));
        assert!(close(b.tilts(), [3.0, 1.0, 3.20251425617056], 1e-12));
        // Atom 2 of the example: (5, 4, 3) → (5, 4.19333985818098, 2.490825602010424).
        let p = o.to_restricted([5.0, 4.0, 3.0]);
        assert!(
            close(p, [5.0, 4.19333985818098, 2.490825602010424], 1e-12),
            "{p:?}"
        );
        assert!(close(o.to_general(p), [5.0, 4.0, 3.0], 1e-12));
    }

    #[test]
    fn a_rotated_restricted_cell_comes_back_to_itself() {
        let restricted =
            SimBox::triclinic([1.0, -2.0, 0.5], [21.0, 17.0, 23.0], [2.5, -1.5, 0.75]).unwrap();
        for q in [
            [0.9, 0.1, -0.3, 0.2],
            [0.1, 0.7, 0.7, -0.2],
            [-0.5, 0.5, 0.5, 0.5],
        ] {
            let r = rotation(q);
            let lo = restricted.lo();
            let cell = GeneralCell {
                vectors: [0, 1, 2].map(|i| apply(r, restricted.lattice_vector(i))),
                origin: lo,
            };
            let (b, o) = cell.to_restricted().unwrap();
            let o = o.unwrap();
            assert!(close(b.lo(), restricted.lo(), 1e-12));
            assert!(close(b.hi(), restricted.hi(), 1e-12), "{:?}", b.hi());
            assert!(close(b.tilts(), restricted.tilts(), 1e-12));
            // A point rotated with the cell comes back where it was.
            let p = [7.0, 3.0, -1.0];
            let d = [p[0] - lo[0], p[1] - lo[1], p[2] - lo[2]];
            let rd = apply(r, d);
            let general = [lo[0] + rd[0], lo[1] + rd[1], lo[2] + rd[2]];
            assert!(close(o.to_restricted(general), p, 1e-12));
            // And the cell written back is the general one.
            let back = GeneralCell::of_box(&b, Some(&o));
            for i in 0..3 {
                assert!(close(back.vectors[i], cell.vectors[i], 1e-12));
            }
            // R is orthonormal with determinant +1.
            let m = o.rotation();
            assert!((dot(cross(m[0], m[1]), m[2]) - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn restricted_input_is_kept_bit_for_bit() {
        let cell = GeneralCell {
            vectors: [
                [20.2397731637, 0.0, 0.0],
                [2.0747638094, 20.0385657895, 0.0],
                [0.7105214703, 0.051524015, 20.0688067123],
            ],
            origin: [-0.1198865818, -0.0192828947, -0.0344033561],
        };
        let (b, o) = cell.to_restricted().unwrap();
        assert!(o.is_none());
        assert_eq!(b.lo(), cell.origin);
        assert_eq!(b.tilts(), [2.0747638094, 0.7105214703, 0.051524015]);
        assert_eq!(b.lengths()[0], 20.2397731637);
        assert_eq!(GeneralCell::of_box(&b, None).vectors[2], cell.vectors[2]);
    }

    #[test]
    fn a_left_handed_cell_is_the_same_lattice_rotated_not_mirrored() {
        let right = GeneralCell {
            vectors: [[10.0, 0.0, 0.0], [1.0, 9.0, 0.0], [0.5, 0.2, 8.0]],
            origin: [0.0; 3],
        };
        let left = GeneralCell {
            vectors: [[10.0, 0.0, 0.0], [1.0, 9.0, 0.0], [-0.5, -0.2, -8.0]],
            origin: [0.5, 0.2, 8.0],
        };
        let (a, _) = right.to_restricted().unwrap();
        let (b, o) = left.to_restricted().unwrap();
        assert!(o.is_none());
        assert_eq!((a.lo(), a.hi(), a.tilts()), (b.lo(), b.hi(), b.tilts()));
    }

    #[test]
    fn flat_or_non_finite_cells_are_errors() {
        for vectors in [
            [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]],
            [[0.0; 3], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            [[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ] {
            let e = GeneralCell {
                vectors,
                origin: [0.0; 3],
            }
            .to_restricted()
            .unwrap_err();
            assert!(matches!(e, CoreError::InvalidBox(_)), "{e}");
        }
    }
}
