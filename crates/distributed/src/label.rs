//! `interstice label` over a domain decomposition: each rank holds its
//! domain of the reference and a skin of ghosts (at least the D²min cutoff),
//! fetches the deformed positions of those atoms by id through a directory
//! (rank `id mod size`), computes D²min, and the top-percent threshold is
//! found over all ranks by an exact radix selection on the values' bits.

use std::path::PathBuf;

use anyhow::{Result, bail};
use interstice_core::{Frame, FrameParts};
use interstice_d2min::{D2minParams, atomic_strain_with};
use interstice_geometry::GeometryError;
use interstice_io::ParquetTableWriter;
use interstice_pipeline::common::LabelRule;
use interstice_spatial::CellList;

use crate::comm::{Comm, agree_done, gather_u64};
use crate::exchange::Local;
use crate::jobs::{Report, partition_metadata, run, spacing};
use crate::read::{Input, Share, read_share};

/// `interstice label` of one deformed frame over the ranks of `comm`.
#[derive(Clone, Debug)]
pub struct Label {
    /// The reference (quenched) frame.
    pub reference: Input,
    /// The deformed frame (its `path` and `frame`; the reference's type map).
    pub deformed: Input,
    /// Cutoff, percent or threshold, noise floor.
    pub rule: LabelRule,
    /// D²min divided by the neighbour count instead of summed.
    pub per_neighbor: bool,
    /// The partitioned table to write (a folder).
    pub out: PathBuf,
    /// The first ghost skin to try, Å (`None`: the cutoff and one atomic
    /// spacing).
    pub skin: Option<f64>,
}

/// The columns of the label table, as `interstice label` writes them.
pub const LABEL_COLUMNS: [&str; 4] = ["d2min", "shear_strain", "volumetric_strain", "plastic"];

/// What a distributed label run found, the same on every rank.
#[derive(Clone, Debug)]
pub struct LabelSummary {
    /// Atoms labelled plastic.
    pub plastic: u64,
    /// Atoms with a singular neighbourhood (no D²min).
    pub invalid: u64,
    /// The D²min at and above which an atom is plastic, Å².
    pub threshold: f64,
}

/// Bytes of one deformed atom on the wire: id, position, image flags.
const RECORD: usize = 8 + 24 + 12;

/// Runs a [`Label`] job (collective).
///
/// # Errors
/// As the single-process `label`, on every rank: frames that do not match
/// by id, bad parameters, file errors.
pub fn label(comm: &dyn Comm, job: &Label) -> Result<(Report, LabelSummary)> {
    job.rule.check()?;
    let name = job.reference.path.display().to_string();
    let def_name = job.deformed.path.display().to_string();
    let reference = read_share(comm, &job.reference)?;
    let deformed = read_share(comm, &job.deformed)?;
    if deformed.total != reference.total {
        bail!(
            "{def_name}: {} atoms, the reference {name} has {}",
            deformed.total,
            reference.total
        );
    }
    let skin0 = job.skin.unwrap_or(job.rule.cutoff + spacing(&reference));
    let params = D2minParams::new(job.rule.cutoff).per_neighbor(job.per_neighbor);
    let found = std::cell::RefCell::new(LabelSummary {
        plastic: 0,
        invalid: 0,
        threshold: f64::NAN,
    });
    let report = run(
        comm,
        &reference,
        &job.out,
        skin0,
        &name,
        |local, part, skin| {
            // A home atom's bonds must all lie inside the region held.
            let b = local.frame.sim_box();
            let widths = b.perpendicular_widths();
            let short = local
                .frame
                .positions()
                .iter()
                .zip(&local.home)
                .any(|(p, &h)| {
                    h && local.coverage.depth(&b.to_fractional(*p), widths) < job.rule.cutoff
                });
            // Every rank takes part in every collective below, so each decision
            // before one is made by all of them.
            if gather_u64(comm, u64::from(short)).contains(&1) {
                return Ok(Err(GeometryError::BeyondCoverage { skin }.into()));
            }
            let current = fetch_deformed(comm, local, &deformed, &def_name)?;
            // Cells sized for the whole frame: D²min sums its bonds in the
            // cell list's order, which is then the single process's.
            let strain = agree_done(
                comm,
                CellList::part_of(
                    *b,
                    local.frame.positions(),
                    job.rule.cutoff,
                    local.total as usize,
                )
                .map_err(anyhow::Error::from)
                .and_then(|cells| {
                    atomic_strain_with(&local.frame, &cells, &current, &params)
                        .map_err(|e| anyhow::Error::new(e).context(def_name.clone()))
                }),
            )?;
            let home: Vec<usize> = (0..local.frame.len()).filter(|&i| local.home[i]).collect();
            let d2min: Vec<f64> = home.iter().map(|&i| strain.d2min[i]).collect();
            let threshold = threshold(comm, &d2min, &job.rule);
            let plastic: Vec<bool> = d2min.iter().map(|&x| x >= threshold).collect();
            let mut kv = vec![
                ("source.file".to_string(), name.clone()),
                ("source.deformed".to_string(), def_name.clone()),
                ("cutoff".to_string(), job.rule.cutoff.to_string()),
                ("threshold".to_string(), format!("{threshold:?}")),
            ];
            kv.extend(partition_metadata(comm, skin));
            let columns: Vec<String> = LABEL_COLUMNS.iter().map(|c| c.to_string()).collect();
            let mut w = ParquetTableWriter::create(part, &columns, true, false, &kv)?;
            let mut values = Vec::with_capacity(home.len() * 4);
            for (k, &i) in home.iter().enumerate() {
                values.extend([
                    strain.d2min[i],
                    strain.shear_strain[i],
                    strain.volumetric_strain[i],
                    f64::from(u8::from(plastic[k])),
                ]);
            }
            let ids: Vec<u64> = home.iter().map(|&i| local.frame.ids()[i]).collect();
            let types: Vec<u32> = home.iter().map(|&i| local.frame.types()[i]).collect();
            w.write_rows(&ids, Some(&types), None, &values)?;
            w.finish()?;
            *found.borrow_mut() = LabelSummary {
                plastic: plastic.iter().filter(|&&p| p).count() as u64,
                invalid: d2min.iter().filter(|x| x.is_nan()).count() as u64,
                threshold,
            };
            Ok(Ok(home.len() as u64))
        },
    )?;
    let mine = found.into_inner();
    let summary = LabelSummary {
        plastic: gather_u64(comm, mine.plastic).iter().sum(),
        invalid: gather_u64(comm, mine.invalid).iter().sum(),
        threshold: mine.threshold,
    };
    Ok((report, summary))
}

/// The deformed frame of `local`'s atoms (the same order), each atom
/// fetched by id from the rank that read it, through rank `id mod size`.
fn fetch_deformed(comm: &dyn Comm, local: &Local, deformed: &Share, name: &str) -> Result<Frame> {
    let p = comm.size() as u64;
    // Every deformed atom to its directory rank.
    let images = deformed.frame.images();
    let mut out: Vec<Vec<u8>> = vec![Vec::new(); comm.size()];
    for (k, (&id, pos)) in deformed
        .frame
        .ids()
        .iter()
        .zip(deformed.frame.positions())
        .enumerate()
    {
        let o = &mut out[(id % p) as usize];
        o.extend_from_slice(&id.to_le_bytes());
        for x in pos {
            o.extend_from_slice(&x.to_le_bytes());
        }
        for x in images.map_or([0; 3], |i| i[k]) {
            o.extend_from_slice(&x.to_le_bytes());
        }
    }
    let mut directory: Vec<&[u8]> = Vec::new();
    let arrived = comm.all_to_all(out);
    for m in &arrived {
        directory.extend(m.chunks_exact(RECORD));
    }
    let id_of = |r: &[u8]| u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
    directory.sort_unstable_by_key(|r| id_of(r));
    // Requests: the ids this rank holds, to their directory ranks.
    let mut asks: Vec<Vec<u8>> = vec![Vec::new(); comm.size()];
    for &id in local.frame.ids() {
        asks[(id % p) as usize].extend_from_slice(&id.to_le_bytes());
    }
    let asked = comm.all_to_all(asks);
    let mut missing = None;
    let replies: Vec<Vec<u8>> = asked
        .iter()
        .map(|m| {
            let mut reply = Vec::with_capacity(m.len() / 8 * RECORD);
            for c in m.chunks_exact(8) {
                let id = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                match directory.binary_search_by_key(&id, |r| id_of(r)) {
                    Ok(at) => reply.extend_from_slice(directory[at]),
                    Err(_) => {
                        missing.get_or_insert(id);
                        // A record of NaNs keeps the reply aligned; the
                        // error below stops every rank.
                        reply.extend_from_slice(&id.to_le_bytes());
                        reply.extend(std::iter::repeat_n(0xffu8, RECORD - 8));
                    }
                }
            }
            reply
        })
        .collect();
    let got = comm.all_to_all(replies);
    let missing = gather_u64(comm, missing.unwrap_or(u64::MAX));
    if let Some(&id) = missing.iter().filter(|&&m| m != u64::MAX).min() {
        bail!("{name}: atom id {id} of the reference is not in the deformed frame");
    }
    let mut by_id: Vec<&[u8]> = got.iter().flat_map(|m| m.chunks_exact(RECORD)).collect();
    by_id.sort_unstable_by_key(|r| id_of(r));
    let all_images = gather_u64(comm, u64::from(images.is_some()))
        .iter()
        .all(|&x| x == 1);
    let mut parts = FrameParts {
        sim_box: *deformed.frame.sim_box(),
        timestep: deformed.frame.timestep(),
        time: deformed.frame.time(),
        ..FrameParts::default()
    };
    let mut imgs = Vec::new();
    for &id in local.frame.ids() {
        let at = by_id
            .binary_search_by_key(&id, |r| id_of(r))
            .map_err(|_| anyhow::anyhow!("{name}: atom id {id} was not returned"))?;
        let r = by_id[at];
        parts.ids.push(id);
        parts.positions.push(std::array::from_fn(|a| {
            f64::from_le_bytes(r[8 + 8 * a..16 + 8 * a].try_into().expect("8 bytes"))
        }));
        if all_images {
            imgs.push(std::array::from_fn(|a| {
                i32::from_le_bytes(r[32 + 4 * a..36 + 4 * a].try_into().expect("4 bytes"))
            }));
        }
    }
    parts.types = local.frame.types().to_vec();
    parts.images = all_images.then_some(imgs);
    Ok(Frame::from_parts(parts)?)
}

/// The D²min at and above which an atom is plastic under `rule`, over every
/// rank's `d2min` (collective): the rule's threshold, or the k-th largest
/// valid value (`k = ⌈N_valid · percent / 100⌉`, as
/// `interstice_d2min::plastic_top_percent`) found exactly by a radix
/// selection on the values' ordered bits, never below the noise floor or
/// at zero.
fn threshold(comm: &dyn Comm, d2min: &[f64], rule: &LabelRule) -> f64 {
    if let Some(t) = rule.threshold {
        return t.max(rule.noise_floor);
    }
    // Order-preserving keys of the valid values.
    let keys: Vec<u64> = d2min
        .iter()
        .filter(|x| !x.is_nan())
        .map(|x| {
            let b = x.to_bits();
            if b >> 63 == 1 { !b } else { b | (1 << 63) }
        })
        .collect();
    let n: u64 = gather_u64(comm, keys.len() as u64).iter().sum();
    if n == 0 || rule.percent <= 0.0 {
        return f64::INFINITY;
    }
    let k = ((n as f64 * rule.percent.min(100.0) / 100.0).ceil() as u64).clamp(1, n);
    // The k-th largest key, one byte at a time from the top: among keys
    // with the prefix found so far, how many have each next byte.
    let (mut prefix, mut k_left) = (0u64, k);
    for byte in (0..8).rev() {
        let shift = 8 * byte;
        let mask = if byte == 7 { 0 } else { !0u64 << (shift + 8) };
        let mut hist = [0u64; 256];
        for &key in &keys {
            if key & mask == prefix {
                hist[((key >> shift) & 0xff) as usize] += 1;
            }
        }
        let bytes: Vec<u8> = hist.iter().flat_map(|h| h.to_le_bytes()).collect();
        let mut total = [0u64; 256];
        for m in comm.all_gather(&bytes) {
            for (t, c) in total.iter_mut().zip(m.chunks_exact(8)) {
                *t += u64::from_le_bytes(c.try_into().expect("8 bytes"));
            }
        }
        let mut v = 255usize;
        loop {
            if total[v] >= k_left || v == 0 {
                break;
            }
            k_left -= total[v];
            v -= 1;
        }
        prefix |= (v as u64) << shift;
    }
    let bits = if prefix >> 63 == 1 {
        prefix & !(1 << 63)
    } else {
        !prefix
    };
    let t = f64::from_bits(bits);
    // As plastic_top_percent_above: ties with the k-th are plastic, zero
    // never is, nor anything under the floor.
    if t > 0.0 {
        t.max(rule.noise_floor)
    } else {
        // The smallest positive value: every D²min above zero.
        f64::from_bits(1).max(rule.noise_floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comm::run_threads;

    #[test]
    fn the_selected_threshold_labels_what_the_single_process_rule_labels() {
        let mut rng = interstice_core::rng::SplitMix64::new(11);
        let mut values: Vec<f64> = (0..5000)
            .map(|_| {
                let u = rng.next_f64();
                if u < 0.01 {
                    f64::NAN
                } else if u < 0.05 {
                    0.0
                } else {
                    (u * 7.0).exp() * 1e-3
                }
            })
            .collect();
        values[17] = values[18];
        values[4000] = values[18];
        for percent in [0.02, 1.0, 5.0, 37.5, 100.0] {
            for floor in [0.0, 0.01, 5.0] {
                let rule = LabelRule {
                    cutoff: 5.0,
                    percent,
                    threshold: None,
                    noise_floor: floor,
                };
                let expected = rule.labels(&values);
                for ranks in [1, 3] {
                    let got = run_threads(ranks, |c| {
                        let (a, b) = (5000 * c.rank() / ranks, 5000 * (c.rank() + 1) / ranks);
                        let t = threshold(c, &values[a..b], &rule);
                        values[a..b].iter().map(|&x| x >= t).collect::<Vec<bool>>()
                    })
                    .concat();
                    assert_eq!(got, expected, "{percent} %, floor {floor}, {ranks} ranks");
                }
            }
        }
    }
}
