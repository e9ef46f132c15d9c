//! One configuration of atoms: ids, types, positions, optional image flags and
//! named extra per-atom columns, with the box and the timestep.

use crate::{CoreError, SimBox};

/// The values of one named per-atom column.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ColumnData {
    /// Integer values (flags, counts, labels such as `plastic`).
    Int(Vec<i64>),
    /// Real values (`d2min`, `qs`, per-atom energies, ...).
    Float(Vec<f64>),
    /// Text values (for example a LAMMPS `element` column).
    Text(Vec<String>),
}

impl ColumnData {
    /// The number of entries.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Text(v) => v.len(),
        }
    }

    /// Whether the column has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i` as a float, if the column is numeric.
    pub fn get_f64(&self, i: usize) -> Option<f64> {
        match self {
            ColumnData::Int(v) => v.get(i).map(|&x| x as f64),
            ColumnData::Float(v) => v.get(i).copied(),
            ColumnData::Text(_) => None,
        }
    }
}

/// A named per-atom column.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Column {
    /// The column name, as in the LAMMPS `ITEM: ATOMS` header.
    pub name: String,
    /// One value per atom, in the frame's atom order.
    pub data: ColumnData,
}

/// Names that a [`Frame`] stores in its own fields and never as extra columns.
const RESERVED: [&str; 5] = ["id", "type", "ix", "iy", "iz"];

/// The raw parts of a [`Frame`], to be checked by [`Frame::from_parts`].
///
/// Readers fill these vectors (keeping their capacity between frames) and hand
/// them over in one move.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FrameParts {
    /// The simulation box.
    pub sim_box: SimBox,
    /// The MD timestep of this frame.
    pub timestep: u64,
    /// The simulated time, when the file carries it.
    pub time: Option<f64>,
    /// Atom ids, unique.
    pub ids: Vec<u64>,
    /// Atom types (LAMMPS type numbers).
    pub types: Vec<u32>,
    /// Cartesian positions in Å; unwrapped positions may lie outside the box.
    pub positions: Vec<[f64; 3]>,
    /// Image flags, when the file carries them.
    pub images: Option<Vec<[i32; 3]>>,
    /// Extra per-atom columns, in file order.
    pub columns: Vec<Column>,
    /// When the file gave a general triclinic cell: the rotation that took it
    /// (and the positions) into the restricted box, so output can rotate back.
    pub orientation: Option<crate::Orientation>,
}

/// A validated frame: every per-atom array has one entry per atom, ids are
/// unique and positions are finite.
///
/// With the `serde` feature it serialises as its parts, and deserialising
/// checks them again.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "FrameParts", into = "FrameParts"))]
pub struct Frame {
    parts: FrameParts,
}

impl Frame {
    /// A frame from a box and per-atom ids, types and positions.
    ///
    /// # Errors
    /// As [`Frame::from_parts`].
    pub fn new(
        sim_box: SimBox,
        ids: Vec<u64>,
        types: Vec<u32>,
        positions: Vec<[f64; 3]>,
    ) -> Result<Frame, CoreError> {
        Frame::from_parts(FrameParts {
            sim_box,
            ids,
            types,
            positions,
            ..FrameParts::default()
        })
    }

    /// Checks the parts and makes a frame of them.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] when an array or column length differs
    /// from the number of ids, [`CoreError::DuplicateId`],
    /// [`CoreError::NonFinitePosition`], and [`CoreError::InvalidColumn`] for a
    /// column name used twice or reserved (`id`, `type`, `ix`, `iy`, `iz`).
    pub fn from_parts(parts: FrameParts) -> Result<Frame, CoreError> {
        let n = parts.ids.len();
        let check = |what: &str, found: usize| {
            if found == n {
                Ok(())
            } else {
                Err(CoreError::LengthMismatch {
                    what: what.to_string(),
                    expected: n,
                    found,
                })
            }
        };
        check("types", parts.types.len())?;
        check("positions", parts.positions.len())?;
        if let Some(images) = &parts.images {
            check("image flags", images.len())?;
        }
        for (k, c) in parts.columns.iter().enumerate() {
            check(&format!("column '{}'", c.name), c.data.len())?;
            if RESERVED.contains(&c.name.as_str()) {
                return Err(CoreError::InvalidColumn {
                    name: c.name.clone(),
                    reason: "the name is reserved for a frame field".into(),
                });
            }
            if parts.columns[..k].iter().any(|o| o.name == c.name) {
                return Err(CoreError::InvalidColumn {
                    name: c.name.clone(),
                    reason: "the name appears twice".into(),
                });
            }
        }
        if let Some(index) = parts
            .positions
            .iter()
            .position(|p| !p.iter().all(|x| x.is_finite()))
        {
            return Err(CoreError::NonFinitePosition {
                index,
                id: parts.ids[index],
            });
        }
        if let Some((first, second)) = find_duplicate_id(&parts.ids) {
            return Err(CoreError::DuplicateId {
                id: parts.ids[first],
                first,
                second,
            });
        }
        Ok(Frame { parts })
    }

    /// Gives the parts back, for a reader to refill their buffers.
    pub fn into_parts(self) -> FrameParts {
        self.parts
    }

    /// The atoms at `indices` (in that order), with every column, the box
    /// and the timestep: a domain of a larger frame, say.
    ///
    /// # Errors
    /// An index out of range; an index repeated (a repeated id).
    pub fn select(&self, indices: &[usize]) -> Result<Frame, CoreError> {
        let n = self.len();
        if let Some(&i) = indices.iter().find(|&&i| i >= n) {
            return Err(CoreError::IndexOutOfRange { index: i, len: n });
        }
        let p = &self.parts;
        let pick = |data: &ColumnData| match data {
            ColumnData::Int(v) => ColumnData::Int(indices.iter().map(|&i| v[i]).collect()),
            ColumnData::Float(v) => ColumnData::Float(indices.iter().map(|&i| v[i]).collect()),
            ColumnData::Text(v) => {
                ColumnData::Text(indices.iter().map(|&i| v[i].clone()).collect())
            }
        };
        Frame::from_parts(FrameParts {
            sim_box: p.sim_box,
            timestep: p.timestep,
            time: p.time,
            ids: indices.iter().map(|&i| p.ids[i]).collect(),
            types: indices.iter().map(|&i| p.types[i]).collect(),
            positions: indices.iter().map(|&i| p.positions[i]).collect(),
            images: p
                .images
                .as_ref()
                .map(|v| indices.iter().map(|&i| v[i]).collect()),
            columns: p
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    data: pick(&c.data),
                })
                .collect(),
            orientation: p.orientation,
        })
    }

    /// The number of atoms.
    pub fn len(&self) -> usize {
        self.parts.ids.len()
    }

    /// Whether the frame has no atoms.
    pub fn is_empty(&self) -> bool {
        self.parts.ids.is_empty()
    }

    /// The simulation box.
    pub fn sim_box(&self) -> &SimBox {
        &self.parts.sim_box
    }

    /// The MD timestep.
    pub fn timestep(&self) -> u64 {
        self.parts.timestep
    }

    /// The simulated time, if the file carried it.
    pub fn time(&self) -> Option<f64> {
        self.parts.time
    }

    /// The rotation from a general triclinic cell in the file to the
    /// restricted box the positions are in, if the file had one.
    pub fn orientation(&self) -> Option<&crate::Orientation> {
        self.parts.orientation.as_ref()
    }

    /// Atom ids, in file order.
    pub fn ids(&self) -> &[u64] {
        &self.parts.ids
    }

    /// Atom types.
    pub fn types(&self) -> &[u32] {
        &self.parts.types
    }

    /// Cartesian positions, Å.
    pub fn positions(&self) -> &[[f64; 3]] {
        &self.parts.positions
    }

    /// Image flags, if known.
    pub fn images(&self) -> Option<&[[i32; 3]]> {
        self.parts.images.as_deref()
    }

    /// Extra per-atom columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.parts.columns
    }

    /// The extra column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.parts
            .columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.data)
    }

    /// Adds or replaces the extra column `name`.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] if `data` does not have one entry per
    /// atom, [`CoreError::InvalidColumn`] for a reserved name.
    pub fn set_column(&mut self, name: &str, data: ColumnData) -> Result<(), CoreError> {
        if data.len() != self.len() {
            return Err(CoreError::LengthMismatch {
                what: format!("column '{name}'"),
                expected: self.len(),
                found: data.len(),
            });
        }
        if RESERVED.contains(&name) {
            return Err(CoreError::InvalidColumn {
                name: name.to_string(),
                reason: "the name is reserved for a frame field".into(),
            });
        }
        match self.parts.columns.iter_mut().find(|c| c.name == name) {
            Some(c) => c.data = data,
            None => self.parts.columns.push(Column {
                name: name.to_string(),
                data,
            }),
        }
        Ok(())
    }

    /// Removes the extra column `name` and returns it.
    pub fn remove_column(&mut self, name: &str) -> Option<ColumnData> {
        let k = self.parts.columns.iter().position(|c| c.name == name)?;
        Some(self.parts.columns.remove(k).data)
    }

    /// Wraps every position into the box and updates the image flags (creating
    /// them when absent), so that unwrapped positions are unchanged.
    ///
    /// # Errors
    /// [`CoreError::ImageOverflow`] for a position absurdly far outside the box.
    pub fn wrap_positions(&mut self) -> Result<(), CoreError> {
        let n = self.len();
        let b = self.parts.sim_box;
        let images = self.parts.images.get_or_insert_with(|| vec![[0; 3]; n]);
        for (p, img) in self.parts.positions.iter_mut().zip(images.iter_mut()) {
            let (w, shift) = b.wrap_with_image(*p)?;
            *p = w;
            for k in 0..3 {
                img[k] = img[k]
                    .checked_add(shift[k])
                    .ok_or(CoreError::ImageOverflow { position: w })?;
            }
        }
        Ok(())
    }

    /// A supercell: `n[0] × n[1] × n[2]` copies of the frame along the cell's
    /// edge vectors, in a box `n` times larger (tilts scale with it). Copy
    /// `c` (x fastest) gets ids `id + c · (max id)`; image flags are dropped
    /// and extra columns repeated.
    ///
    /// # Errors
    /// [`CoreError::InvalidBox`] for a zero count, or ids that would overflow.
    pub fn replicate(&self, n: [usize; 3]) -> Result<Frame, CoreError> {
        if n.contains(&0) {
            return Err(CoreError::InvalidBox(format!(
                "replication counts must be positive, found {n:?}"
            )));
        }
        let b = &self.parts.sim_box;
        let copies = n[0] * n[1] * n[2];
        let max_id = self.parts.ids.iter().copied().max().unwrap_or(0);
        if max_id.checked_mul(copies as u64).is_none() {
            return Err(CoreError::InvalidBox(
                "replicated ids would overflow".into(),
            ));
        }
        let (lo, l, t) = (b.lo(), b.lengths(), b.tilts());
        let f = |k: usize| n[k] as f64;
        let hi = [
            lo[0] + f(0) * l[0],
            lo[1] + f(1) * l[1],
            lo[2] + f(2) * l[2],
        ];
        // New edge vectors n_a · a: xy scales with the b copies, xz and yz with the c copies.
        let sim_box = SimBox::triclinic(lo, hi, [t[0] * f(1), t[1] * f(2), t[2] * f(2)])?
            .with_periodicity(b.periodic());
        let mut parts = FrameParts {
            sim_box,
            timestep: self.parts.timestep,
            time: self.parts.time,
            orientation: self.parts.orientation,
            ..FrameParts::default()
        };
        let mut columns: Vec<Column> = self
            .parts
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data: empty_like(&c.data),
            })
            .collect();
        let mut copy = 0u64;
        for k in 0..n[2] {
            for j in 0..n[1] {
                for i in 0..n[0] {
                    let s = b.cartesian_vector([i as f64, j as f64, k as f64]);
                    parts
                        .ids
                        .extend(self.parts.ids.iter().map(|&id| id + copy * max_id));
                    parts.types.extend_from_slice(&self.parts.types);
                    parts.positions.extend(
                        self.parts
                            .positions
                            .iter()
                            .map(|p| [p[0] + s[0], p[1] + s[1], p[2] + s[2]]),
                    );
                    for (dst, src) in columns.iter_mut().zip(&self.parts.columns) {
                        extend(&mut dst.data, &src.data);
                    }
                    copy += 1;
                }
            }
        }
        parts.columns = std::mem::take(&mut columns);
        Frame::from_parts(parts)
    }

    /// The count of atoms of each type, sorted by type.
    pub fn type_counts(&self) -> Vec<(u32, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for &t in &self.parts.types {
            *counts.entry(t).or_insert(0usize) += 1;
        }
        counts.into_iter().collect()
    }
}

impl TryFrom<FrameParts> for Frame {
    type Error = CoreError;

    fn try_from(parts: FrameParts) -> Result<Frame, CoreError> {
        Frame::from_parts(parts)
    }
}

impl From<Frame> for FrameParts {
    fn from(frame: Frame) -> FrameParts {
        frame.parts
    }
}

fn empty_like(d: &ColumnData) -> ColumnData {
    match d {
        ColumnData::Int(_) => ColumnData::Int(Vec::new()),
        ColumnData::Float(_) => ColumnData::Float(Vec::new()),
        ColumnData::Text(_) => ColumnData::Text(Vec::new()),
    }
}

fn extend(dst: &mut ColumnData, src: &ColumnData) {
    match (dst, src) {
        (ColumnData::Int(d), ColumnData::Int(s)) => d.extend_from_slice(s),
        (ColumnData::Float(d), ColumnData::Float(s)) => d.extend_from_slice(s),
        (ColumnData::Text(d), ColumnData::Text(s)) => d.extend_from_slice(s),
        _ => {}
    }
}

/// The first pair of positions `(i, j)`, `i < j`, holding the same id, if any.
///
/// Linear time for the usual dense ids (`max id < 8 N`), `N log N` otherwise.
pub fn find_duplicate_id(ids: &[u64]) -> Option<(usize, usize)> {
    let n = ids.len();
    let max = ids.iter().copied().max()?;
    if max < 8 * n as u64 + 64 {
        let mut seen = vec![u32::MAX; max as usize + 1];
        for (j, &id) in ids.iter().enumerate() {
            let slot = &mut seen[id as usize];
            if *slot != u32::MAX {
                return Some((*slot as usize, j));
            }
            *slot = j as u32;
        }
        None
    } else {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by_key(|&k| (ids[k], k));
        // Report the duplicate whose second occurrence comes first in file order.
        order
            .windows(2)
            .filter(|w| ids[w[0]] == ids[w[1]])
            .map(|w| (w[0], w[1]))
            .min_by_key(|&(_, j)| j)
            .map(|(_, j)| {
                let first = ids.iter().position(|&x| x == ids[j]).unwrap_or(j);
                (first, j)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cube() -> SimBox {
        SimBox::cubic(10.0).unwrap()
    }

    #[test]
    fn validates_lengths_ids_and_positions() {
        let e = Frame::new(cube(), vec![1, 2], vec![1], vec![[0.0; 3]; 2]).unwrap_err();
        assert_eq!(e.to_string(), "frame has 2 atoms but types has 1 entries");
        let e = Frame::new(cube(), vec![1, 2, 1], vec![1; 3], vec![[0.0; 3]; 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "atom id 1 appears twice (atoms 0 and 2 in file order)"
        );
        let e = Frame::new(
            cube(),
            vec![7, 8],
            vec![1; 2],
            vec![[0.0; 3], [f64::NAN, 0.0, 0.0]],
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "atom 1 (id 8) has a non-finite position");
        let f = Frame::new(cube(), vec![], vec![], vec![]).unwrap();
        assert!(f.is_empty());
    }

    #[test]
    fn select_keeps_every_array_and_column_of_the_atoms_asked_for() {
        let mut f = Frame::new(
            cube(),
            vec![10, 20, 30],
            vec![1, 2, 1],
            vec![[0.0; 3], [1.0; 3], [2.0; 3]],
        )
        .unwrap();
        f.set_column("q", ColumnData::Float(vec![0.5, 1.5, 2.5]))
            .unwrap();
        f.set_column(
            "e",
            ColumnData::Text(vec!["a".into(), "b".into(), "c".into()]),
        )
        .unwrap();
        let g = f.select(&[2, 0]).unwrap();
        assert_eq!(g.ids(), &[30, 10]);
        assert_eq!(g.types(), &[1, 1]);
        assert_eq!(g.positions(), &[[2.0; 3], [0.0; 3]]);
        assert_eq!(g.column("q"), Some(&ColumnData::Float(vec![2.5, 0.5])));
        assert_eq!(
            g.column("e"),
            Some(&ColumnData::Text(vec!["c".into(), "a".into()]))
        );
        assert_eq!(g.sim_box(), f.sim_box());
        assert_eq!(
            f.select(&[3]).unwrap_err().to_string(),
            "atom index 3 in a frame of 3 atoms"
        );
        assert!(matches!(
            f.select(&[1, 1]).unwrap_err(),
            CoreError::DuplicateId { id: 20, .. }
        ));
    }

    #[test]
    fn duplicate_search_agrees_for_dense_and_sparse_ids() {
        assert_eq!(find_duplicate_id(&[3, 1, 2]), None);
        assert_eq!(find_duplicate_id(&[3, 1, 2, 1, 3]), Some((1, 3)));
        let big = [u64::MAX, 5, 1 << 40, 5, u64::MAX];
        assert_eq!(find_duplicate_id(&big), Some((1, 3)));
        assert_eq!(find_duplicate_id(&[u64::MAX, 1 << 40]), None);
        assert_eq!(find_duplicate_id(&[]), None);
    }

    #[test]
    fn columns_are_checked() {
        let mut f = Frame::new(cube(), vec![1, 2], vec![1, 2], vec![[0.0; 3]; 2]).unwrap();
        f.set_column("d2min", ColumnData::Float(vec![0.5, 1.5]))
            .unwrap();
        f.set_column("d2min", ColumnData::Float(vec![2.5, 1.5]))
            .unwrap();
        assert_eq!(f.columns().len(), 1);
        assert_eq!(f.column("d2min").unwrap().get_f64(0), Some(2.5));
        let e = f.set_column("qs", ColumnData::Int(vec![1])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "frame has 2 atoms but column 'qs' has 1 entries"
        );
        let e = f.set_column("id", ColumnData::Int(vec![1, 2])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid column 'id': the name is reserved for a frame field"
        );
        assert!(f.remove_column("d2min").is_some());
        assert!(f.column("d2min").is_none());
        let mut parts = f.into_parts();
        parts.columns = vec![
            Column {
                name: "a".into(),
                data: ColumnData::Int(vec![1, 2]),
            },
            Column {
                name: "a".into(),
                data: ColumnData::Int(vec![1, 2]),
            },
        ];
        let e = Frame::from_parts(parts).unwrap_err();
        assert_eq!(e.to_string(), "invalid column 'a': the name appears twice");
    }

    #[test]
    fn replication_tiles_the_cell() {
        let b = SimBox::triclinic([1.0, 2.0, 3.0], [11.0, 12.0, 13.0], [2.0, -1.0, 0.5]).unwrap();
        let mut f = Frame::new(
            b,
            vec![1, 2],
            vec![1, 2],
            vec![[2.0, 3.0, 4.0], [9.0, 9.0, 9.0]],
        )
        .unwrap();
        f.set_column("q", ColumnData::Float(vec![0.5, -0.5]))
            .unwrap();
        let r = f.replicate([2, 3, 1]).unwrap();
        assert_eq!(r.len(), 12);
        assert_eq!(r.sim_box().volume(), 6.0 * b.volume());
        assert_eq!(r.sim_box().tilts(), [6.0, -1.0, 0.5]);
        assert_eq!(r.ids()[2..4], [3, 4]);
        // Copy (i, j, k) = (1, 2, 0) sits at a + 2 b from the original.
        let p = r.positions()[2 * (1 + 2 * 2)];
        assert_eq!(p, [2.0 + 10.0 + 2.0 * 2.0, 3.0 + 20.0, 4.0]);
        assert_eq!(r.column("q").unwrap().len(), 12);
        // Every replica is an exact lattice translate: distances between copies of one atom are lattice vectors.
        let d = r.sim_box().min_image([p[0] - 2.0, p[1] - 3.0, p[2] - 4.0]);
        assert!(d.iter().map(|x| x * x).sum::<f64>() > 0.0);
        assert!(f.replicate([0, 1, 1]).is_err());
    }

    #[test]
    fn wrapping_keeps_unwrapped_positions() {
        let b = SimBox::triclinic([0.0; 3], [10.0; 3], [3.0, -2.0, 1.0]).unwrap();
        let p = vec![[25.0, -3.0, 14.0], [1.0, 1.0, 1.0]];
        let mut parts = FrameParts {
            sim_box: b,
            ids: vec![1, 2],
            types: vec![1, 1],
            positions: p.clone(),
            ..Default::default()
        };
        parts.images = Some(vec![[1, 0, -1], [0, 0, 0]]);
        let mut f = Frame::from_parts(parts).unwrap();
        let before: Vec<_> = (0..2)
            .map(|i| b.unwrap(p[i], f.images().unwrap()[i]))
            .collect();
        f.wrap_positions().unwrap();
        for i in 0..2 {
            let after = b.unwrap(f.positions()[i], f.images().unwrap()[i]);
            for k in 0..3 {
                assert!((after[k] - before[i][k]).abs() < 1e-12);
            }
        }
        assert_eq!(f.images().unwrap()[1], [0, 0, 0]);
        assert_eq!(f.type_counts(), vec![(1, 2)]);
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_json_and_are_checked_on_the_way_in() {
        let b = SimBox::triclinic([0.0; 3], [10.0; 3], [1.0, 0.0, -0.5]).unwrap();
        let mut f = Frame::new(
            b,
            vec![1, 2],
            vec![1, 2],
            vec![[0.5, 1.5, 2.5], [3.0, 4.0, 5.0]],
        )
        .unwrap();
        f.set_column("qs", ColumnData::Float(vec![0.25, 0.75]))
            .unwrap();
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Frame>(&json).unwrap(), f);
        let bad = json.replace("\"ids\":[1,2]", "\"ids\":[1,1]");
        let e = serde_json::from_str::<Frame>(&bad).unwrap_err().to_string();
        assert!(e.starts_with("atom id 1 appears twice"), "{e}");
    }
}
