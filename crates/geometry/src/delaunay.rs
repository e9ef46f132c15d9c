//! Incremental regular (weighted) Delaunay tetrahedralisation:
//! Bowyer–Watson with exact predicates and symbolic perturbation.
//!
//! With equal weights it is the ordinary Delaunay tessellation (dual of the
//! plain Voronoi diagram); with weights `r²` it is the regular triangulation
//! (dual of the radical / Laguerre diagram), in which a point can be hidden
//! (it owns no cell).
//!
//! Points are inserted in the order given (the caller sorts them along a
//! space-filling curve). Each insertion walks from the last new tetrahedron
//! to the one containing the point, grows the cavity of tetrahedra in
//! conflict by breadth-first search, and fills it with tetrahedra joining the
//! point to the cavity's boundary faces, glued to each other through their
//! shared edges. The cavity's slots are freed only after the new tetrahedra
//! are linked (shared/GEOMETRY.md, "traps").

use std::ops::Range;

use crate::predicates::{conflict_on_tie, orient, power_det};

/// No neighbour (the outside of the enclosing tetrahedron), or no tetrahedron.
pub(crate) const NONE: u32 = u32::MAX;

/// The outcome of inserting one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// The point is a vertex of the tessellation.
    Vertex,
    /// Weighted only: the point lies inside the power cells of others and
    /// is not a vertex (its radical Voronoi cell is empty).
    Hidden,
    /// The point coincides exactly with vertex `.0`.
    Duplicate(u32),
}

/// One tetrahedron: vertices and neighbours together, so a walk or a
/// star search touches one cache line per step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tet {
    /// Vertices, positively oriented.
    pub(crate) v: [u32; 4],
    /// `n[k]`: the tetrahedron across the face opposite vertex `k`.
    pub(crate) n: [u32; 4],
}

/// A regular triangulation of points plus four far enclosing vertices
/// (indices `0..4`).
pub(crate) struct Delaunay {
    pub(crate) pts: Vec<[f64; 3]>,
    pub(crate) weights: Vec<f64>,
    pub(crate) keys: Vec<u64>,
    /// The tetrahedra (free slots have `v = [NONE; 4]`).
    pub(crate) tets: Vec<Tet>,
    centre: [f64; 3],
    safe_radius: f64,
    /// Whether any weight differs from the others (else all are 0).
    weighted: bool,
    free: Vec<u32>,
    stamp: Vec<u32>,
    epoch: u32,
    last: u32,
    rng: u64,
    // scratch
    cavity: Vec<u32>,
    boundary: Vec<(u32, u8)>,
    /// Open-addressing table edge → (tetrahedron, face) pairing the new
    /// tetrahedra of one insertion; `link_used` lists the slots to clear.
    link_keys: Vec<u64>,
    link_vals: Vec<(u32, u8)>,
    link_used: Vec<usize>,
}

impl Delaunay {
    /// A tessellation of the four enclosing vertices (indices `0..4`) with
    /// `points` appended after them (indices from 4, inserted later by
    /// [`Delaunay::insert`]); `keys` order the symbolic perturbation and
    /// must be distinct; the enclosing vertices get keys above every real
    /// key. The enclosing tetrahedron holds a ball of `reach` times the
    /// points' extent around their centre, so points added later by
    /// [`Delaunay::append`] must stay in it ([`Delaunay::holds`]).
    pub(crate) fn new(points: &[[f64; 3]], weights: &[f64], keys: &[u64], reach: f64) -> Delaunay {
        let n = points.len();
        debug_assert_eq!(weights.len(), n);
        debug_assert_eq!(keys.len(), n);
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in points {
            for a in 0..3 {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        if n == 0 {
            lo = [0.0; 3];
            hi = [1.0; 3];
        }
        let c: [f64; 3] = std::array::from_fn(|a| 0.5 * (lo[a] + hi[a]));
        let size = (0..3).map(|a| hi[a] - lo[a]).fold(1.0, f64::max);
        // The enclosing tetrahedron with vertices c ± s(±1, ±1, ±1) holds
        // the ball of radius s/√3 around c.
        let s = 2.0 * reach.max(1.0) * size;
        let mut pts = Vec::with_capacity(n + 4);
        let mut w = Vec::with_capacity(n + 4);
        let mut k = Vec::with_capacity(n + 4);
        for (i, d) in [
            [1.0, 1.0, 1.0],
            [1.0, -1.0, -1.0],
            [-1.0, 1.0, -1.0],
            [-1.0, -1.0, 1.0],
        ]
        .iter()
        .enumerate()
        {
            pts.push([c[0] + s * d[0], c[1] + s * d[1], c[2] + s * d[2]]);
            w.push(0.0);
            k.push(u64::MAX - 3 + i as u64);
        }
        pts.extend_from_slice(points);
        w.extend_from_slice(weights);
        k.extend_from_slice(keys);
        let mut first = [0, 1, 2, 3];
        if orient(&pts[0], &pts[1], &pts[2], &pts[3]) < 0 {
            first.swap(0, 1);
        }
        Delaunay {
            pts,
            weights: w,
            keys: k,
            tets: vec![Tet {
                v: first,
                n: [NONE; 4],
            }],
            centre: c,
            safe_radius: 0.5 * s,
            weighted: weights.iter().any(|&x| x != 0.0),
            free: Vec::new(),
            stamp: vec![0],
            epoch: 0,
            last: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
            cavity: Vec::new(),
            boundary: Vec::new(),
            link_keys: vec![u64::MAX; 256],
            link_vals: vec![(0, 0); 256],
            link_used: Vec::new(),
        }
    }

    /// Whether vertex `v` is one of the four enclosing vertices.
    #[inline]
    pub(crate) fn is_far(v: u32) -> bool {
        v < 4
    }

    /// Whether `p` lies well inside the enclosing tetrahedron.
    pub(crate) fn holds(&self, p: &[f64; 3]) -> bool {
        let d = [
            p[0] - self.centre[0],
            p[1] - self.centre[1],
            p[2] - self.centre[2],
        ];
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt() < self.safe_radius
    }

    /// Appends points to insert later; returns their indices.
    pub(crate) fn append(
        &mut self,
        points: &[[f64; 3]],
        weights: &[f64],
        keys: &[u64],
    ) -> Range<usize> {
        let start = self.pts.len();
        self.weighted |= weights.iter().any(|&x| x != 0.0);
        self.pts.extend_from_slice(points);
        self.weights.extend_from_slice(weights);
        self.keys.extend_from_slice(keys);
        start..self.pts.len()
    }

    #[inline]
    fn next_random(&mut self) -> u64 {
        // xorshift64: only the walk's face order depends on it, never the result.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// The tetrahedron containing point `p` (on its boundary counts), by a
    /// remembering stochastic visibility walk.
    fn locate(&mut self, p: usize) -> u32 {
        let q = self.pts[p];
        let mut t = self.last;
        let mut prev = NONE;
        'walk: loop {
            let r = (self.next_random() & 3) as usize;
            let tv = self.tets[t as usize].v;
            for k in 0..4 {
                let f = (r + k) & 3;
                let n = self.tets[t as usize].n[f];
                if n == prev {
                    continue;
                }
                let mut v = [
                    &self.pts[tv[0] as usize],
                    &self.pts[tv[1] as usize],
                    &self.pts[tv[2] as usize],
                    &self.pts[tv[3] as usize],
                ];
                v[f] = &q;
                if orient(v[0], v[1], v[2], v[3]) < 0 {
                    // Outside the enclosing tetrahedron cannot happen: it
                    // holds every point by construction.
                    debug_assert_ne!(n, NONE);
                    prev = t;
                    t = n;
                    continue 'walk;
                }
            }
            return t;
        }
    }

    #[inline]
    fn in_conflict(&self, t: u32, p: usize) -> bool {
        let v = self.tets[t as usize].v;
        let pv = |i: usize| &self.pts[v[i] as usize];
        let pts = [pv(0), pv(1), pv(2), pv(3)];
        // Weights and keys only when needed: equal weights (plain Voronoi)
        // skip five loads, and keys matter only on an exact tie.
        let s = if self.weighted {
            power_det(
                pts,
                v.map(|x| self.weights[x as usize]),
                &self.pts[p],
                self.weights[p],
            )
        } else {
            power_det(pts, [0.0; 4], &self.pts[p], 0.0)
        };
        match s {
            s if s < 0 => true,
            s if s > 0 => false,
            _ => {
                let k = v.map(|x| self.keys[x as usize]);
                conflict_on_tie(pts, &self.pts[p], [k[0], k[1], k[2], k[3], self.keys[p]])
            }
        }
    }

    fn alloc(&mut self, verts: [u32; 4]) -> u32 {
        if let Some(t) = self.free.pop() {
            self.tets[t as usize].v = verts;
            self.tets[t as usize].n = [NONE; 4];
            t
        } else {
            self.tets.push(Tet {
                v: verts,
                n: [NONE; 4],
            });
            self.stamp.push(0);
            (self.tets.len() - 1) as u32
        }
    }

    /// Inserts point `p` (an index from 4 on).
    pub(crate) fn insert(&mut self, p: usize) -> Inserted {
        let t0 = self.locate(p);
        let q = self.pts[p];
        // A point on a vertex is located in a tetrahedron incident to it.
        if let Some(&v) = self.tets[t0 as usize]
            .v
            .iter()
            .find(|&&v| self.pts[v as usize] == q)
        {
            return Inserted::Duplicate(v);
        }
        if !self.in_conflict(t0, p) {
            return Inserted::Hidden;
        }
        // Stamps: 2·epoch in the cavity, 2·epoch + 1 tested and outside.
        self.epoch += 1;
        if self.epoch >= u32::MAX / 2 - 1 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        let inside = 2 * self.epoch;
        let outside = inside + 1;
        self.cavity.clear();
        self.boundary.clear();
        self.cavity.push(t0);
        self.stamp[t0 as usize] = inside;
        let mut head = 0;
        while head < self.cavity.len() {
            let c = self.cavity[head];
            head += 1;
            for k in 0..4u8 {
                let n = self.tets[c as usize].n[k as usize];
                if n == NONE {
                    self.boundary.push((c, k));
                    continue;
                }
                let s = self.stamp[n as usize];
                if s == inside {
                    continue;
                }
                if s != outside && self.in_conflict(n, p) {
                    self.stamp[n as usize] = inside;
                    self.cavity.push(n);
                } else {
                    self.stamp[n as usize] = outside;
                    self.boundary.push((c, k));
                }
            }
        }
        // A hidden vertex of the cavity disappears (weighted case): nothing to
        // do, it simply is no longer referenced.
        let mut boundary = std::mem::take(&mut self.boundary);
        // Room for every edge at load ≤ 1/2 (3 per boundary face, each
        // seen twice but stored once).
        let want = (4 * boundary.len()).next_power_of_two().max(256);
        if self.link_keys.len() < want {
            self.link_keys = vec![u64::MAX; want];
            self.link_vals = vec![(0, 0); want];
        }
        let mut newest = NONE;
        for &(c, k) in &boundary {
            let mut verts = self.tets[c as usize].v;
            verts[k as usize] = p as u32;
            let outside_t = self.tets[c as usize].n[k as usize];
            let t = self.alloc(verts);
            self.tets[t as usize].n[k as usize] = outside_t;
            if outside_t != NONE {
                let back = &mut self.tets[outside_t as usize].n;
                let m = back.iter().position(|&x| x == c).expect("mirror face");
                back[m] = t;
            }
            for l in 0..4u8 {
                if l == k {
                    continue;
                }
                // The face opposite l holds p and the two vertices other than l, k.
                let mut e = [0u32; 2];
                let mut j = 0;
                for (m, &v) in verts.iter().enumerate() {
                    if m as u8 != l && m as u8 != k {
                        e[j] = v;
                        j += 1;
                    }
                }
                let key = (u64::from(e[0].min(e[1])) << 32) | u64::from(e[0].max(e[1]));
                self.link(key, t, l);
            }
            newest = t;
        }
        debug_assert!(
            self.link_used
                .iter()
                .all(|&i| self.link_keys[i] == u64::MAX - 1),
            "cavity boundary is not a closed surface"
        );
        for &slot in &self.link_used {
            self.link_keys[slot] = u64::MAX;
        }
        self.link_used.clear();
        // Only now may the cavity's slots be reused.
        for i in 0..self.cavity.len() {
            let c = self.cavity[i];
            self.tets[c as usize].v = [NONE; 4];
            self.free.push(c);
        }
        boundary.clear();
        self.boundary = boundary;
        self.last = newest;
        Inserted::Vertex
    }

    /// Pairs face `l` of new tetrahedron `t` with the other new face on the
    /// same edge `key`, or parks it until that one comes.
    #[inline]
    fn link(&mut self, key: u64, t: u32, l: u8) {
        let mask = self.link_keys.len() - 1;
        let mut i = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask;
        loop {
            let k = self.link_keys[i];
            if k == key {
                let (t2, l2) = self.link_vals[i];
                self.tets[t as usize].n[l as usize] = t2;
                self.tets[t2 as usize].n[l2 as usize] = t;
                // Tombstone: the slot stays occupied (so probes continue)
                // but can never match a real edge again.
                self.link_keys[i] = u64::MAX - 1;
                return;
            }
            if k == u64::MAX {
                self.link_keys[i] = key;
                self.link_vals[i] = (t, l);
                self.link_used.push(i);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether slot `t` holds a tetrahedron.
    #[cfg(test)]
    #[inline]
    pub(crate) fn alive(&self, t: usize) -> bool {
        self.tets[t].v[0] != NONE
    }

    /// One tetrahedron incident to each vertex (`NONE` for a hidden or
    /// never-inserted point).
    pub(crate) fn vertex_tets(&self) -> Vec<u32> {
        let mut vt = vec![NONE; self.pts.len()];
        for (t, Tet { v, .. }) in self.tets.iter().enumerate() {
            if v[0] == NONE {
                continue;
            }
            for &x in v {
                vt[x as usize] = t as u32;
            }
        }
        vt
    }

    /// The tetrahedra incident to vertex `v`, starting from `t0`, into `out`.
    #[cfg(test)]
    pub(crate) fn star(&self, v: u32, t0: u32, out: &mut Vec<u32>) {
        out.clear();
        if t0 == NONE {
            return;
        }
        out.push(t0);
        let mut head = 0;
        while head < out.len() {
            let t = out[head] as usize;
            head += 1;
            for k in 0..4 {
                if self.tets[t].v[k] == v {
                    continue;
                }
                let n = self.tets[t].n[k];
                if n != NONE && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
    }

    /// The number of live tetrahedra (enclosing ones included).
    #[cfg(test)]
    pub(crate) fn num_tets(&self) -> usize {
        (0..self.tets.len()).filter(|&t| self.alive(t)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predicates::conflict;

    fn build(points: Vec<[f64; 3]>, weights: Vec<f64>) -> (Delaunay, Vec<Inserted>) {
        let n = points.len();
        let keys: Vec<u64> = (0..n as u64).collect();
        let mut d = Delaunay::new(&points, &weights, &keys, 1.0);
        let r = (0..n).map(|i| d.insert(4 + i)).collect();
        (d, r)
    }

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Every live tetrahedron is positively oriented, its neighbours point
    /// back, and no real point is in conflict with it (brute force).
    fn check_valid(d: &Delaunay) {
        for t in 0..d.tets.len() {
            if !d.alive(t) {
                continue;
            }
            let v = d.tets[t].v;
            let p = |i: usize| &d.pts[v[i] as usize];
            assert_eq!(orient(p(0), p(1), p(2), p(3)), 1, "tet {t} not positive");
            for k in 0..4 {
                let n = d.tets[t].n[k];
                if n != NONE {
                    assert!(d.alive(n as usize));
                    assert!(d.tets[n as usize].n.contains(&(t as u32)));
                }
            }
            for q in 4..d.pts.len() {
                if v.contains(&(q as u32)) {
                    continue;
                }
                let w = [0, 1, 2, 3].map(|i| d.weights[v[i] as usize]);
                let keys = [
                    d.keys[v[0] as usize],
                    d.keys[v[1] as usize],
                    d.keys[v[2] as usize],
                    d.keys[v[3] as usize],
                    d.keys[q],
                ];
                if !v.iter().any(|&x| Delaunay::is_far(x)) {
                    assert!(
                        !conflict([p(0), p(1), p(2), p(3)], w, &d.pts[q], d.weights[q], keys),
                        "tet {t} not empty: contains {q}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_points_give_a_valid_delaunay_tessellation() {
        let mut s = 7;
        let pts: Vec<[f64; 3]> = (0..300)
            .map(|_| [lcg(&mut s), lcg(&mut s), lcg(&mut s)])
            .collect();
        let (d, r) = build(pts, vec![0.0; 300]);
        assert!(r.iter().all(|&x| x == Inserted::Vertex));
        check_valid(&d);
    }

    #[test]
    fn a_lattice_with_all_degeneracies_works() {
        // A 5×5×5 simple cubic grid: every cube's 8 corners are cospherical,
        // whole planes are coplanar.
        let mut pts = Vec::new();
        for i in 0..5 {
            for j in 0..5 {
                for k in 0..5 {
                    pts.push([i as f64, j as f64, k as f64]);
                }
            }
        }
        let n = pts.len();
        let (d, r) = build(pts, vec![0.0; n]);
        assert!(r.iter().all(|&x| x == Inserted::Vertex));
        check_valid(&d);
        // The inner cubes are split into tetrahedra whose volumes fill them.
        let mut vol = 0.0;
        for t in 0..d.tets.len() {
            if d.alive(t) && !d.tets[t].v.iter().any(|&x| Delaunay::is_far(x)) {
                let v = d.tets[t].v.map(|x| d.pts[x as usize]);
                vol += tet_volume(&v);
            }
        }
        assert!((vol - 64.0).abs() < 1e-9, "{vol}");
    }

    pub(crate) fn tet_volume(v: &[[f64; 3]; 4]) -> f64 {
        let a = sub(v[1], v[0]);
        let b = sub(v[2], v[0]);
        let c = sub(v[3], v[0]);
        (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]))
            / 6.0
    }

    fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }

    #[test]
    fn duplicates_are_reported() {
        let (_, r) = build(
            vec![
                [0.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [0.0, 1.0, 0.0],
                [0.0, 0.0, 1.0],
                [1.0, 0.0, 0.0],
            ],
            vec![0.0; 5],
        );
        assert_eq!(r[4], Inserted::Duplicate(5));
    }

    #[test]
    fn weighted_points_can_be_hidden_and_the_rest_is_regular() {
        let mut s = 11;
        let mut pts: Vec<[f64; 3]> = (0..200)
            .map(|_| [lcg(&mut s), lcg(&mut s), lcg(&mut s)])
            .collect();
        let mut w: Vec<f64> = (0..200).map(|_| 0.05 * lcg(&mut s)).collect();
        // A tiny-weight point right next to a heavy one is hidden.
        pts.push([0.5, 0.5, 0.5]);
        w.push(0.2);
        pts.push([0.5, 0.5, 0.52]);
        w.push(0.0);
        let (d, r) = build(pts, w);
        assert_eq!(r[201], Inserted::Hidden);
        check_valid(&d);
        // The hidden point is in no tetrahedron.
        assert_eq!(d.vertex_tets()[205], NONE);
    }

    #[test]
    fn the_star_of_a_vertex_closes() {
        let mut s = 3;
        let pts: Vec<[f64; 3]> = (0..100)
            .map(|_| [lcg(&mut s), lcg(&mut s), lcg(&mut s)])
            .collect();
        let (d, _) = build(pts, vec![0.0; 100]);
        let vt = d.vertex_tets();
        let mut star = Vec::new();
        d.star(0, vt[0], &mut star);
        let brute = (0..d.tets.len())
            .filter(|&t| d.alive(t) && d.tets[t].v.contains(&0))
            .count();
        assert_eq!(star.len(), brute);
        assert!(d.num_tets() > 100);
    }
}
