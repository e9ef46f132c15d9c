//! The paper's 80 features block by block: memory that follows the block,
//! not the glass.
//!
//! An atom's medium-range statistics need the short-range statistics of
//! its neighbours, and those need the neighbours' own cells. So for each
//! block of atoms (a box of the fractional cube) this builds the Voronoi
//! cells and distance neighbours of the block and of its halo (every
//! neighbour of a block atom outside the block), the short-range table of
//! both, and the medium-range rows of the block; then drops all of it.
//! Nothing per atom of the whole frame is kept but the frame itself, the
//! radii, a cell list and the prepared tessellation (about 150 B an atom).
//!
//! Every row equals, bit for bit, the row [`crate::Preset::Paper80`]
//! computes for the whole frame: each cell and each neighbour list is
//! built the same way whatever else is asked for with it.

use interstice_geometry::{Coverage, GeometryError, Tessellator, Voronoi};
use interstice_spatial::{CellList, NeighborList, NeighborQuery, Query};
use ndarray::Array2;
use rayon::prelude::*;

use crate::interstice::{IntersticeSro, Mro};
use crate::{FeatureError, FrameContext};

/// About this many atoms a block by default: a halo of 5 Å around a block
/// of 200 000 atoms of a metallic glass adds about a fifth to the work.
pub const DEFAULT_BLOCK_ATOMS: usize = 200_000;

/// The column names of [`paper80_blocks`]: those of
/// [`crate::Preset::Paper80`].
pub fn paper80_names() -> Vec<String> {
    let sro = IntersticeSro::default();
    let names = crate::Featurizer::names(&sro);
    let mut all = names.clone();
    all.extend(Mro::default().names_for(&names));
    all
}

/// The context's frame is part of a larger periodic frame: a domain and
/// the ghosts around it, as one MPI rank holds them.
#[derive(Clone, Debug)]
pub struct Part<'a> {
    /// The atoms of the whole frame.
    pub total_atoms: usize,
    /// Where the part holds every atom of the whole frame.
    pub coverage: Coverage,
    /// Per atom of the part, whether its row is wanted (its domain's atoms).
    pub home: &'a [bool],
}

/// What [`paper80_blocks`] keeps for the whole frame.
struct Shared<'a> {
    ctx: &'a FrameContext<'a>,
    tess: Tessellator,
    cells: CellList,
    query: Query,
    coverage: Coverage,
}

impl Shared<'_> {
    /// The filtered cells and the distance neighbours of `atoms`.
    fn neighbours(&self, atoms: &[u32]) -> Result<(Voronoi, NeighborList), FeatureError> {
        if !self.coverage.is_whole() {
            // A distance list is complete only a cutoff inside the region.
            let frame = self.ctx.frame();
            let (b, rc) = (frame.sim_box(), self.ctx.params().distance_cutoff);
            let widths = b.perpendicular_widths();
            for &a in atoms {
                let f = b.to_fractional(frame.positions()[a as usize]);
                if self.coverage.depth(&f, widths) < rc {
                    return Err(GeometryError::BeyondCoverage { skin: rc }.into());
                }
            }
        }
        let v = self.ctx.cut_and_filter(self.tess.cells_of(atoms)?);
        let d = self.cells.query_indices(atoms, &self.query)?;
        Ok((v, d))
    }
}

/// The paper's 80 features (the columns of [`crate::Preset::Paper80`], in
/// its order) block by block: `sink(atoms, rows)` gets each block's atom
/// indices (ascending) and their rows, the blocks in the order of
/// [`Tessellator::regions`] (boxes of the fractional cube of about
/// `block_atoms` atoms; the thread count plays no part).
///
/// # Errors
/// The context's parameters ask for amlearn's nearest-image view (which is
/// O(N²) and whole-frame by nature); whatever the tessellation or the
/// neighbour search report; whatever `sink` returns.
pub fn paper80_blocks<E: From<FeatureError>>(
    ctx: &FrameContext<'_>,
    block_atoms: usize,
    sink: impl FnMut(&[u32], Array2<f64>) -> Result<(), E>,
) -> Result<(), E> {
    paper80_part_blocks(ctx, block_atoms, None, sink)
}

/// [`paper80_blocks`] of the home atoms of a part of a larger frame
/// (`None`: the whole frame): each row equals, bit for bit, the whole
/// frame's row of that atom, given the part's atoms in the whole frame's
/// order. Blocks without home atoms are skipped.
///
/// # Errors
/// As [`paper80_blocks`]; a cell or a distance list of a home atom or of
/// one of its neighbours that would need atoms beyond the part's coverage
/// ([`GeometryError::BeyondCoverage`]); a home mask of the wrong length.
pub fn paper80_part_blocks<E: From<FeatureError>>(
    ctx: &FrameContext<'_>,
    block_atoms: usize,
    part: Option<&Part<'_>>,
    mut sink: impl FnMut(&[u32], Array2<f64>) -> Result<(), E>,
) -> Result<(), E> {
    let p = ctx.params();
    if let Some(part) = part
        && part.home.len() != ctx.len()
    {
        return Err(FeatureError::InvalidParams(format!(
            "a home mask of {} atoms for a part of {}",
            part.home.len(),
            ctx.len()
        ))
        .into());
    }
    if p.nearest_image {
        return Err(FeatureError::InvalidParams(
            "block-by-block features need the periodic tessellation, not amlearn's nearest-image view"
                .into(),
        )
        .into());
    }
    let frame = ctx.frame();
    let rc = p.distance_cutoff;
    let mut vp = ctx.voronoi_params().regions(block_atoms);
    if let Some(part) = part {
        vp = vp.part(part.total_atoms, part.coverage.clone());
    }
    let shared = Shared {
        ctx,
        tess: Tessellator::new(frame.positions(), frame.sim_box(), &vp)
            .map_err(FeatureError::from)?,
        cells: CellList::new(*frame.sim_box(), frame.positions(), rc)
            .map_err(FeatureError::from)?,
        query: Query::ball(rc).map_err(FeatureError::from)?,
        coverage: part.map_or_else(Coverage::whole, |p| p.coverage.clone()),
    };
    let sro = IntersticeSro::default();
    let mro = Mro::default();
    let sro_names = crate::Featurizer::names(&sro);
    debug_assert_eq!(paper80_names().len(), 80);
    let plan = Mro::plan(&sro_names);
    let bw = sro.width();
    let width = bw + plan.len() * mro.stats_len();
    let radii = ctx.radii();
    // Frame index -> row of the block's short-range table (u32::MAX: not
    // in it); reset after every block.
    let mut slot = vec![u32::MAX; frame.len()];
    for mut atoms in shared.tess.regions() {
        if let Some(part) = part {
            atoms.retain(|&a| part.home[a as usize]);
            if atoms.is_empty() {
                continue;
            }
        }
        let (v_in, d_in) = shared.neighbours(&atoms)?;
        for (k, &a) in atoms.iter().enumerate() {
            slot[a as usize] = k as u32;
        }
        let mut halo: Vec<u32> = Vec::new();
        for k in 0..atoms.len() {
            let around = v_in.faces(k).iter().map(|f| f.neighbor);
            for j in around.chain(d_in.neighbors_of(k).iter().copied()) {
                if slot[j as usize] == u32::MAX {
                    slot[j as usize] = (atoms.len() + halo.len()) as u32;
                    halo.push(j);
                }
            }
        }
        let (v_out, d_out) = shared.neighbours(&halo)?;
        // The short-range table of the block, then of its halo.
        let rows = atoms.len() + halo.len();
        let mut table = vec![0.0; rows * bw];
        table
            .par_chunks_mut(bw.max(1))
            .enumerate()
            .for_each(|(r, row)| {
                let (v, d, k, a) = if r < atoms.len() {
                    (&v_in, &d_in, r, atoms[r])
                } else {
                    let k = r - atoms.len();
                    (&v_out, &d_out, k, halo[k])
                };
                let lists = IntersticeSro::lists_of(
                    v.faces(k),
                    d.neighbors_of(k),
                    d.distances_of(k),
                    radii,
                    radii[a as usize],
                );
                sro.row_into(&lists, row);
            });
        drop((v_out, d_out));
        let mut x = Array2::zeros((atoms.len(), width));
        let slot_ref = &slot;
        let table_ref = &table;
        let base_of = |j: u32| {
            let r = slot_ref[j as usize] as usize;
            &table_ref[r * bw..(r + 1) * bw]
        };
        x.as_slice_mut()
            .expect("a new array is in standard layout")
            .par_chunks_mut(width.max(1))
            .enumerate()
            .for_each(|(k, row)| {
                row[..bw].copy_from_slice(&table_ref[k * bw..(k + 1) * bw]);
                mro.row_into(
                    &plan,
                    v_in.faces(k).iter().map(|f| f.neighbor),
                    d_in.neighbors_of(k),
                    base_of,
                    atoms[k],
                    &mut row[bw..],
                );
            });
        drop((v_in, d_in, table));
        for &a in atoms.iter().chain(&halo) {
            slot[a as usize] = u32::MAX;
        }
        sink(&atoms, x)?;
    }
    Ok(())
}

/// [`paper80_blocks`] assembled into one table in frame order: the same
/// table as [`crate::Preset::Paper80`], with the memory of one block beyond
/// it instead of the whole frame's tessellation.
///
/// # Errors
/// As [`paper80_blocks`].
pub fn paper80_table(
    ctx: &FrameContext<'_>,
    block_atoms: usize,
) -> Result<Array2<f64>, FeatureError> {
    let mut x: Option<Array2<f64>> = None;
    paper80_blocks(ctx, block_atoms, |atoms, rows| {
        let x = x.get_or_insert_with(|| Array2::zeros((ctx.len(), rows.ncols())));
        for (&a, row) in atoms.iter().zip(rows.rows()) {
            x.row_mut(a as usize).assign(&row);
        }
        Ok::<(), FeatureError>(())
    })?;
    Ok(x.unwrap_or_else(|| Array2::zeros((0, 80))))
}
