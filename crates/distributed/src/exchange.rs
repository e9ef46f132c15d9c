//! Atoms sent from the rank that read them to every rank that holds them:
//! the owner of their domain and each rank whose ghost skin reaches them.

use anyhow::Result;
use interstice_core::{CoreError, Frame, FrameParts};
use interstice_geometry::Coverage;

use crate::comm::{Comm, agree_done};
use crate::domain::Decomposition;
use crate::read::Share;

/// What one rank holds: its domain's atoms and the ghosts around them, in
/// the whole frame's order.
#[derive(Debug)]
pub struct Local {
    /// The atoms, with the whole frame's box and timestep.
    pub frame: Frame,
    /// Each atom's index in the whole frame (ascending).
    pub global: Vec<u64>,
    /// Whether each atom lies in this rank's domain.
    pub home: Vec<bool>,
    /// The region in which this rank holds every atom of the frame.
    pub coverage: Coverage,
    /// The atoms of the whole frame.
    pub total: u64,
}

impl Local {
    /// The number of home atoms.
    pub fn home_count(&self) -> usize {
        self.home.iter().filter(|&&h| h).count()
    }
}

/// Bytes of one atom on the wire: index, id, type, position, image flags.
const RECORD: usize = 8 + 8 + 4 + 24 + 12;

/// Sends every atom of `share` to the ranks of `decomp` that hold it with a
/// ghost skin of `skin` Å (collective). Ids are checked to be unique over
/// the whole frame, as the single-process reader checks them.
///
/// # Errors
/// An id repeated anywhere in the frame (naming both atoms by their place
/// in the file, as the single-process reader does); on every rank.
pub fn exchange(
    comm: &dyn Comm,
    share: &Share,
    decomp: &Decomposition,
    skin: f64,
    name: &str,
) -> Result<Local> {
    let p = comm.size();
    let frame = &share.frame;
    let b = *frame.sim_box();
    let widths = b.perpendicular_widths();
    let margin: [f64; 3] = std::array::from_fn(|a| skin / widths[a]);
    check_unique_ids(comm, share, name)?;
    let images = frame.images();
    let mut out: Vec<Vec<u8>> = vec![vec![u8::from(images.is_some())]; p];
    for (k, pos) in frame.positions().iter().enumerate() {
        let f = b.to_fractional(*pos);
        let mut to = decomp.holders(&f, margin);
        let owner = decomp.owner(&f);
        if !to.contains(&owner) {
            to.push(owner);
        }
        let mut rec = [0u8; RECORD];
        rec[..8].copy_from_slice(&share.global[k].to_le_bytes());
        rec[8..16].copy_from_slice(&frame.ids()[k].to_le_bytes());
        rec[16..20].copy_from_slice(&frame.types()[k].to_le_bytes());
        for a in 0..3 {
            rec[20 + 8 * a..28 + 8 * a].copy_from_slice(&pos[a].to_le_bytes());
        }
        let img = images.map_or([0; 3], |i| i[k]);
        for a in 0..3 {
            rec[44 + 4 * a..48 + 4 * a].copy_from_slice(&img[a].to_le_bytes());
        }
        for r in to {
            out[r].extend_from_slice(&rec);
        }
    }
    let got = comm.all_to_all(out);
    let mut all_images = true;
    let mut recs: Vec<&[u8]> = Vec::new();
    for msg in &got {
        all_images &= msg.first() == Some(&1);
        recs.extend(msg[1..].chunks_exact(RECORD));
    }
    let u64_at = |r: &[u8], o: usize| u64::from_le_bytes(r[o..o + 8].try_into().expect("8 bytes"));
    recs.sort_unstable_by_key(|r| u64_at(r, 0));
    let mut parts = FrameParts {
        sim_box: b,
        timestep: frame.timestep(),
        time: frame.time(),
        orientation: frame.orientation().cloned(),
        ..FrameParts::default()
    };
    let mut global = Vec::with_capacity(recs.len());
    let mut imgs = Vec::with_capacity(if all_images { recs.len() } else { 0 });
    for r in &recs {
        global.push(u64_at(r, 0));
        parts.ids.push(u64_at(r, 8));
        parts
            .types
            .push(u32::from_le_bytes(r[16..20].try_into().expect("4 bytes")));
        parts.positions.push(std::array::from_fn(|a| {
            f64::from_le_bytes(r[20 + 8 * a..28 + 8 * a].try_into().expect("8 bytes"))
        }));
        if all_images {
            imgs.push(std::array::from_fn(|a| {
                i32::from_le_bytes(r[44 + 4 * a..48 + 4 * a].try_into().expect("4 bytes"))
            }));
        }
    }
    parts.images = all_images.then_some(imgs);
    let local = Frame::from_parts(parts)?;
    let home = local
        .positions()
        .iter()
        .map(|&x| decomp.owner(&b.to_fractional(x)) == comm.rank())
        .collect();
    Ok(Local {
        frame: local,
        global,
        home,
        coverage: decomp.coverage(comm.rank(), margin),
        total: share.total,
    })
}

/// Every id once over the whole frame: each id goes to rank `id mod size`,
/// which looks for a repeat.
fn check_unique_ids(comm: &dyn Comm, share: &Share, name: &str) -> Result<()> {
    let p = comm.size() as u64;
    let mut out: Vec<Vec<u8>> = vec![Vec::new(); comm.size()];
    for (&id, &g) in share.frame.ids().iter().zip(&share.global) {
        let o = &mut out[(id % p) as usize];
        o.extend_from_slice(&id.to_le_bytes());
        o.extend_from_slice(&g.to_le_bytes());
    }
    let mut pairs: Vec<(u64, u64)> = comm
        .all_to_all(out)
        .iter()
        .flat_map(|m| {
            m.chunks_exact(16)
                .map(|c| {
                    (
                        u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
                        u64::from_le_bytes(c[8..].try_into().expect("8 bytes")),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    pairs.sort_unstable();
    // The repeat the single-process reader names: the one whose second
    // atom comes first in the file.
    let repeat = pairs
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .min_by_key(|w| w[1].1)
        .map(|w| (w[0].0, w[0].1, w[1].1));
    let found = match (repeat, share.line_base) {
        // As the dump reader says it.
        (Some((id, first, second)), Some(base)) => Err(anyhow::anyhow!(
            "{name}:{}: atom id {id} appears twice (first on line {})",
            second + 1 + base,
            first + 1 + base
        )),
        (Some((id, first, second)), None) => Err(anyhow::anyhow!(
            "{name}: {}",
            CoreError::DuplicateId {
                id,
                first: first as usize,
                second: second as usize
            }
        )),
        (None, _) => Ok(()),
    };
    // Ranks may find different repeats: the one earliest in the file wins.
    let mine = match &found {
        Err(_) => repeat.map_or(u64::MAX, |r| r.2),
        Ok(()) => u64::MAX,
    };
    let all = crate::comm::gather_u64(comm, mine);
    let best = all.iter().copied().min().unwrap_or(u64::MAX);
    let result = if best != u64::MAX
        && mine == best
        && all.iter().position(|&x| x == best) == Some(comm.rank())
    {
        found
    } else {
        Ok(())
    };
    agree_done(comm, result)
}
