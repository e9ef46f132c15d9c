//! `interstice voronoi` as a library call: per-atom volume, coordination and
//! Voronoi index of one frame, built region by region (one region's faces in
//! memory at a time), and the summary line both the single-process and the
//! distributed command print.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use interstice_core::Frame;
use interstice_geometry::{FaceFilter, Tessellator, VoronoiParams};

/// Sums over cells that the summary line reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Cells (atoms).
    pub atoms: u64,
    /// Sum of the cell volumes, Å³.
    pub volume: f64,
    /// The box volume, Å³.
    pub box_volume: f64,
    /// Faces over all cells.
    pub faces: u64,
    /// Atoms without a cell (radical only).
    pub empty: u64,
    /// How many atoms have each Voronoi index `<n3, n4, n5, n6, n7, n8+>`.
    pub indices: BTreeMap<[u32; 6], u64>,
}

impl Summary {
    /// Adds another part's sums (a region, or a rank).
    pub fn add(&mut self, other: &Summary) {
        self.atoms += other.atoms;
        self.volume += other.volume;
        self.box_volume = other.box_volume;
        self.faces += other.faces;
        self.empty += other.empty;
        for (k, n) in &other.indices {
            *self.indices.entry(*k).or_default() += n;
        }
    }

    /// The most common index and how many atoms have it (the smallest
    /// index on a tie).
    pub fn top(&self) -> ([u32; 6], u64) {
        self.indices
            .iter()
            .max_by_key(|(idx, n)| (**n, std::cmp::Reverse(**idx)))
            .map(|(idx, n)| (*idx, *n))
            .unwrap_or(([0; 6], 0))
    }

    /// `mean volume … Å³ (cells sum to the box to …), mean CN …, most
    /// common index <…> (… %)[, N atoms without a cell]`.
    pub fn describe(&self) -> String {
        let n = self.atoms.max(1) as f64;
        let (top, n_top) = self.top();
        format!(
            "mean volume {:.4} Å³ (cells sum to the box to {:.1e}), mean CN {:.3}, most common index <{},{},{},{}> ({:.1} %){}",
            self.volume / n,
            (self.volume / self.box_volume - 1.0).abs(),
            self.faces as f64 / n,
            top[0],
            top[1],
            top[2],
            top[3],
            100.0 * n_top as f64 / n,
            if self.empty == 0 {
                String::new()
            } else {
                format!(", {} atoms without a cell", self.empty)
            }
        )
    }
}

/// One region's cells as table rows: `volume, cn, n3 … n8plus` per atom of
/// `atoms` (in that order), and their sums.
///
/// # Errors
/// The tessellation's.
pub fn region_rows(
    t: &Tessellator,
    frame: &Frame,
    atoms: &[u32],
    amlearn_filter: Option<f64>,
) -> Result<(Vec<f64>, Summary), interstice_geometry::GeometryError> {
    let mut v = t.cells_of(atoms)?;
    if let Some(threshold) = amlearn_filter {
        v = v.filtered(FaceFilter::Amlearn {
            threshold,
            order: Some(frame.ids()),
        });
    }
    let mut values = Vec::with_capacity(atoms.len() * COLUMNS.len());
    let mut s = Summary {
        atoms: atoms.len() as u64,
        box_volume: v.box_volume(),
        faces: v.num_faces() as u64,
        empty: v.empty_cells().len() as u64,
        ..Summary::default()
    };
    for c in 0..atoms.len() {
        let idx = v.index(c);
        values.push(v.volume(c));
        values.push(v.coordination(c) as f64);
        values.extend(idx.iter().map(|&x| f64::from(x)));
        *s.indices.entry(idx).or_default() += 1;
        s.volume += v.volume(c);
    }
    Ok((values, s))
}

/// The tessellation `interstice voronoi` asks for: radical, weighted by
/// each atom's radius from `map`, or plain.
///
/// # Errors
/// Radical without a type map; a type the map lacks or without a radius.
pub fn params(
    frame: &Frame,
    map: Option<&interstice_core::TypeMap>,
    radical: bool,
) -> Result<VoronoiParams> {
    if !radical {
        return Ok(VoronoiParams::plain());
    }
    let m = map.ok_or_else(|| {
        anyhow::anyhow!("--radical needs --types (or a file that names its species)")
    })?;
    let radii = frame
        .types()
        .iter()
        .map(|&t| m.radius(t))
        .collect::<Result<Vec<f64>, _>>()?;
    Ok(VoronoiParams::radical(radii))
}

/// The columns of the cell table after `id` (and `type`).
pub const COLUMNS: [&str; 8] = ["volume", "cn", "n3", "n4", "n5", "n6", "n7", "n8plus"];

/// The cells of every atom of `frame` as the CSV `interstice voronoi`
/// writes (`id,type,volume,cn,n3,n4,n5,n6,n7,n8plus`, file order), built
/// region by region with `params`, and their summary.
///
/// # Errors
/// The tessellation's, naming the atoms by id, with the file and frame.
pub fn csv(
    frame: &Frame,
    params: &VoronoiParams,
    amlearn_filter: Option<f64>,
    name: &str,
    k: usize,
) -> Result<(String, Summary)> {
    let tessellation = |e| crate::common::tessellation_error(e, frame, name, k);
    let t = Tessellator::new(frame.positions(), frame.sim_box(), params).map_err(tessellation)?;
    let n = frame.len();
    let w = COLUMNS.len();
    let mut rows = vec![0.0; n * w];
    let mut summary = Summary::default();
    for atoms in t.regions() {
        let (values, s) = region_rows(&t, frame, &atoms, amlearn_filter).map_err(tessellation)?;
        for (c, &a) in atoms.iter().enumerate() {
            rows[a as usize * w..(a as usize + 1) * w].copy_from_slice(&values[c * w..(c + 1) * w]);
        }
        summary.add(&s);
    }
    summary.box_volume = frame.sim_box().volume();
    // In file order: the same sum whatever the regions.
    summary.volume = (0..n).map(|i| rows[i * w]).sum();
    let mut text = String::from("id,type,");
    text.push_str(&COLUMNS.join(","));
    text.push('\n');
    for i in 0..n {
        let r = &rows[i * w..(i + 1) * w];
        let _ = write!(text, "{},{},{:?}", frame.ids()[i], frame.types()[i], r[0]);
        for x in &r[1..] {
            let _ = write!(text, ",{}", *x as u32);
        }
        text.push('\n');
    }
    Ok((text, summary))
}
