//! The convex hull of an atom's neighbour shell, triangulated and
//! consistently oriented (every triangle's normal points outwards).
//!
//! Incremental construction with the exact orientation predicate; a point
//! coplanar with a face does not see it, so coplanar facets (the squares of
//! a cuboctahedron) come out as pairs of coplanar triangles, as Qhull's
//! `Qt` option gives them to amlearn. Points inside the hull or on its
//! surface but not at a corner are not hull vertices.

use crate::predicates::orient;
use crate::voronoi::{cross, dot, sub};

/// A triangulated convex hull of a point set.
#[derive(Clone, Debug, PartialEq)]
pub struct ShellHull {
    triangles: Vec<[u32; 3]>,
}

impl ShellHull {
    /// The hull of `points`, or `None` when they span no volume (fewer than
    /// four points, or all coplanar).
    pub fn new(points: &[[f64; 3]]) -> Option<ShellHull> {
        let n = points.len();
        if n < 4 {
            return None;
        }
        // A well-conditioned first tetrahedron: the farthest point from
        // p0, the farthest from that line, the farthest from that plane.
        let i0 = 0;
        let i1 = (1..n).max_by(|&a, &b| {
            let da = sq(sub(points[a], points[i0]));
            let db = sq(sub(points[b], points[i0]));
            da.total_cmp(&db).then(b.cmp(&a))
        })?;
        let e = sub(points[i1], points[i0]);
        let i2 = (1..n).filter(|&k| k != i1).max_by(|&a, &b| {
            let ca = sq(cross(e, sub(points[a], points[i0])));
            let cb = sq(cross(e, sub(points[b], points[i0])));
            ca.total_cmp(&cb).then(b.cmp(&a))
        })?;
        let nrm = cross(e, sub(points[i2], points[i0]));
        let i3 = (1..n).filter(|&k| k != i1 && k != i2).max_by(|&a, &b| {
            let va = dot(nrm, sub(points[a], points[i0])).abs();
            let vb = dot(nrm, sub(points[b], points[i0])).abs();
            va.total_cmp(&vb).then(b.cmp(&a))
        })?;
        let o = orient(&points[i0], &points[i1], &points[i2], &points[i3]);
        if o == 0 {
            return None;
        }
        let (i0, i1, i2, i3) = (i0 as u32, i1 as u32, i2 as u32, i3 as u32);
        // With (i0, i1, i2, i3) positive, i3 is on the side of the normal
        // (i1 − i0) × (i2 − i0); outward faces must have it behind.
        let mut faces: Vec<[u32; 3]> = if o > 0 {
            vec![[i0, i2, i1], [i0, i1, i3], [i1, i2, i3], [i2, i0, i3]]
        } else {
            vec![[i0, i1, i2], [i0, i3, i1], [i1, i3, i2], [i2, i3, i0]]
        };
        let p = |i: u32| &points[i as usize];
        let mut visible = Vec::new();
        let mut horizon: Vec<[u32; 2]> = Vec::new();
        for q in 0..n as u32 {
            if q == i0 || q == i1 || q == i2 || q == i3 {
                continue;
            }
            visible.clear();
            visible.extend(
                faces
                    .iter()
                    .map(|f| orient(p(f[0]), p(f[1]), p(f[2]), p(q)) > 0),
            );
            if !visible.iter().any(|&v| v) {
                continue;
            }
            horizon.clear();
            for (f, _) in faces.iter().zip(&visible).filter(|x| *x.1) {
                for k in 0..3 {
                    let (a, b) = (f[k], f[(k + 1) % 3]);
                    // A horizon edge: its reverse is in no visible face.
                    let shared = faces
                        .iter()
                        .zip(&visible)
                        .any(|(g, &vis)| vis && (0..3).any(|m| g[m] == b && g[(m + 1) % 3] == a));
                    if !shared {
                        horizon.push([a, b]);
                    }
                }
            }
            let mut k = 0;
            faces.retain(|_| {
                let keep = !visible[k];
                k += 1;
                keep
            });
            faces.extend(horizon.iter().map(|&[a, b]| [a, b, q]));
        }
        Some(ShellHull { triangles: faces })
    }

    /// The triangles, as indices into the points, each with an outward
    /// normal `(p1 − p0) × (p2 − p0)`.
    pub fn triangles(&self) -> &[[u32; 3]] {
        &self.triangles
    }

    /// The indices of the points that are hull vertices, ascending.
    pub fn vertices(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.triangles.iter().flatten().copied().collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn sq(a: [f64; 3]) -> f64 {
    dot(a, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume_from(points: &[[f64; 3]], h: &ShellHull) -> f64 {
        // Sum of signed tetrahedra from the origin: the hull volume when the
        // triangles are outward and closed.
        h.triangles()
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|i| points[i as usize]);
                dot(a, cross(b, c)) / 6.0
            })
            .sum()
    }

    #[test]
    fn cube_hull_is_twelve_outward_triangles() {
        let mut pts = Vec::new();
        for i in 0..8 {
            pts.push([
                if i & 1 == 0 { -1.0 } else { 1.0 },
                if i & 2 == 0 { -1.0 } else { 1.0 },
                if i & 4 == 0 { -1.0 } else { 1.0 },
            ]);
        }
        // A centre point and a face-centre point are not hull vertices.
        pts.push([0.0, 0.0, 0.0]);
        pts.push([0.0, 0.0, 1.0]);
        let h = ShellHull::new(&pts).expect("a cube");
        assert_eq!(h.triangles().len(), 12);
        assert_eq!(h.vertices(), (0..8).collect::<Vec<u32>>());
        assert!((volume_from(&pts, &h) - 8.0).abs() < 1e-12);
        // Every edge appears once in each direction: closed and oriented.
        let mut edges: Vec<(u32, u32)> = h
            .triangles()
            .iter()
            .flat_map(|t| [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])])
            .collect();
        edges.sort_unstable();
        let n = edges.len();
        edges.dedup();
        assert_eq!(edges.len(), n);
        for &(a, b) in &edges {
            assert!(edges.binary_search(&(b, a)).is_ok());
        }
    }

    #[test]
    fn cuboctahedron_hull_has_twenty_triangles() {
        let mut pts = Vec::new();
        for &(a, b) in &[(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
            pts.push([a, b, 0.0]);
            pts.push([a, 0.0, b]);
            pts.push([0.0, a, b]);
        }
        let h = ShellHull::new(&pts).expect("a cuboctahedron");
        assert_eq!(h.triangles().len(), 20);
        assert!((volume_from(&pts, &h) - 20.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn flat_or_tiny_shells_have_no_hull() {
        assert!(ShellHull::new(&[[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).is_none());
        let square = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
        ];
        assert!(ShellHull::new(&square).is_none());
    }
}
