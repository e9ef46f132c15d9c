//! Each rank reads its share of a frame: a byte range of a plain dump's
//! atom lines, a range of a gzipped dump's lines, its files of a LAMMPS
//! per-processor dump (`dump … file.%`), or, for other formats, its slice
//! of the whole frame.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use interstice_core::{Frame, FrameParts, TypeMap};
use interstice_io::{DumpReader, Trajectory};

use crate::comm::{Comm, agree_done, gather_u64};

/// What to read.
#[derive(Clone, Debug)]
pub struct Input {
    /// A LAMMPS dump (plain or gzipped), data file or extended XYZ file; a
    /// name with `%` is a per-processor dump, `%` standing for `0`, `1`, …
    pub path: PathBuf,
    /// The frame (0-based; negative counts from the end).
    pub frame: i64,
    /// The type map atoms are checked against as they are read.
    pub types: Option<TypeMap>,
}

/// One rank's share of a frame: some of its atoms, each with its place in
/// the whole frame's order.
#[derive(Debug)]
pub struct Share {
    /// The atoms, with the frame's box and timestep.
    pub frame: Frame,
    /// Each atom's index in the whole frame (file order; for a
    /// per-processor dump, file by file in the order of their numbers).
    pub global: Vec<u64>,
    /// The atoms of the whole frame.
    pub total: u64,
    /// The frame's index in the file.
    pub index: usize,
    /// For one dump file: the lines before the frame's first atom line, so
    /// that atom `g` is on line `g + 1 + line_base` (for messages).
    pub line_base: Option<u64>,
}

/// Reads this rank's share of `input`'s frame (collective: every rank
/// calls it). Every atom of the frame is in exactly one rank's share.
///
/// # Errors
/// As the single-process reader, naming the file and line, on every rank;
/// a per-processor dump whose files disagree on the box or timestep.
pub fn read_share(comm: &dyn Comm, input: &Input) -> Result<Share> {
    let name = input.path.display().to_string();
    if name.contains('%') {
        return per_processor(comm, input);
    }
    let opened = agree_done(comm, open(input));
    let (mut reader, index) = opened?;
    match &mut reader {
        Trajectory::Dump(r) => dump_share(comm, r, input, index),
        other => {
            // Data files and extended XYZ: every rank reads the frame and
            // keeps its slice (these formats are not made at 10⁸ atoms).
            let whole = agree_done(comm, other.read_at(index).map_err(anyhow::Error::from))?;
            let n = whole.len();
            let (p, r) = (comm.size(), comm.rank());
            let (a, b) = (n * r / p, n * (r + 1) / p);
            let frame = whole.select(&(a..b).collect::<Vec<_>>())?;
            Ok(Share {
                frame,
                global: (a as u64..b as u64).collect(),
                total: n as u64,
                index,
                line_base: None,
            })
        }
    }
}

/// Opens the file and resolves the frame index.
fn open(input: &Input) -> Result<(Trajectory<'static>, usize)> {
    let mut reader = interstice_pipeline::common::open_frames(&input.path, input.types.as_ref())?;
    let index = if input.frame < 0 {
        let count = interstice_io::TrajectoryReader::frame_count(&mut reader)?;
        usize::try_from(count as i64 + input.frame)
            .ok()
            .with_context(|| {
                format!(
                    "--frame {}: {} has {count} frames",
                    input.frame,
                    reader.name()
                )
            })?
    } else {
        input.frame as usize
    };
    Ok((reader, index))
}

fn dump_share(
    comm: &dyn Comm,
    r: &mut DumpReader<'static>,
    input: &Input,
    index: usize,
) -> Result<Share> {
    let (p, rank) = (comm.size() as u64, comm.rank() as u64);
    let at = agree_done(
        comm,
        r.atom_lines(index)
            .map_err(|e| anyhow::Error::new(e).context(format!("--frame {}", input.frame))),
    )?;
    let (first, count, offset) = if at.compressed {
        // By line counts: each rank decompresses up to its share.
        let (a, b) = (at.count * rank / p, at.count * (rank + 1) / p);
        (a, b - a, None)
    } else {
        // By byte ranges: each rank counts the lines that start in its
        // range; the counts of the ranks before it say which lines.
        let len = at.source_len.unwrap_or(at.offset);
        let counted = {
            let span = len.saturating_sub(at.offset);
            let (s, e) = (
                at.offset + span * rank / p,
                at.offset + span * (rank + 1) / p,
            );
            interstice_io::line_starts(&input.path, s, e).map_err(anyhow::Error::from)
        };
        let (start, lines) = agree_done(comm, counted)?;
        let all = gather_u64(comm, lines);
        let before: u64 = all[..rank as usize].iter().sum();
        let total_lines: u64 = all.iter().sum();
        if total_lines < at.count {
            // As the whole-frame reader says it.
            agree_done(
                comm,
                r.read_atom_lines(index, 0, at.count, None)
                    .map(|_| ())
                    .map_err(anyhow::Error::from),
            )?;
            bail!(
                "{}: expected {} atom lines after line {}, found {total_lines}",
                input.path.display(),
                at.count,
                at.line
            );
        }
        let keep = lines.min(at.count.saturating_sub(before));
        (before.min(at.count), keep, Some(start))
    };
    let frame = if count == 0 {
        empty_like(r, index)
    } else {
        r.read_atom_lines(index, first, count, offset)
            .map_err(anyhow::Error::from)
    };
    let frame = agree_done(comm, frame)?;
    Ok(Share {
        frame,
        global: (first..first + count).collect(),
        total: at.count,
        index,
        line_base: Some(at.line),
    })
}

/// A frame of no atoms with frame `index`'s box and timestep.
fn empty_like(r: &mut DumpReader<'static>, index: usize) -> Result<Frame> {
    let one = r.read_atom_lines(index, 0, 1, None)?;
    Ok(one.select(&[])?)
}

/// Each rank reads files `rank, rank + size, …` of a per-processor dump.
fn per_processor(comm: &dyn Comm, input: &Input) -> Result<Share> {
    let files = agree_done(
        comm,
        interstice_io::dataset::processor_files(&input.path).map_err(anyhow::Error::from),
    )?;
    let (p, rank) = (comm.size(), comm.rank());
    let mine: Vec<usize> = (rank..files.len()).step_by(p).collect();
    let read = |k: usize| -> Result<(usize, Frame)> {
        let (mut r, index) = open(&Input {
            path: files[k].clone(),
            ..input.clone()
        })?;
        Ok((index, r.read_at(index)?))
    };
    let frames = agree_done(
        comm,
        mine.iter().map(|&k| read(k)).collect::<Result<Vec<_>>>(),
    );
    let frames = frames?;
    // Atom counts of every file, then each file's first global index.
    let mut counts = vec![0u64; files.len()];
    for (j, n) in gather_counts(comm, &mine, &frames) {
        counts[j] = n;
    }
    let mut offsets = vec![0u64; files.len()];
    for k in 1..files.len() {
        offsets[k] = offsets[k - 1] + counts[k - 1];
    }
    let total = offsets[files.len() - 1] + counts[files.len() - 1];
    // Every file must be a piece of the same frame: the same box and step.
    let key = |f: &Frame| format!("{:?} {}", f.sim_box(), f.timestep());
    let first = frames.first().map(|(_, f)| key(f));
    let keys = comm.all_gather(first.unwrap_or_default().as_bytes());
    let reference = keys
        .iter()
        .find(|k| !k.is_empty())
        .cloned()
        .unwrap_or_default();
    let consistent = frames
        .iter()
        .zip(&mine)
        .find(|((_, f), _)| key(f).as_bytes() != reference.as_slice())
        .map_or(Ok(()), |(_, &k)| {
            Err(anyhow::anyhow!(
                "{}: its box or timestep differs from {}'s: the files of a per-processor dump are pieces of one frame",
                files[k].display(),
                files[0].display()
            ))
        });
    agree_done(comm, consistent)?;
    let index = frames.first().map_or(0, |f| f.0);
    let mut parts: Option<FrameParts> = None;
    let mut global = Vec::new();
    for ((_, f), &k) in frames.into_iter().zip(&mine) {
        global.extend(offsets[k]..offsets[k] + f.len() as u64);
        let fp = f.into_parts();
        match &mut parts {
            None => parts = Some(fp),
            Some(all) => append(all, fp),
        }
    }
    let frame = match parts {
        Some(p) => Frame::from_parts(p)?,
        None => {
            // A rank without a file: the box of file 0.
            let (_, f) = read(0)?;
            f.select(&[])?
        }
    };
    Ok(Share {
        frame,
        global,
        total,
        index,
        line_base: None,
    })
}

/// `(file, atoms)` of every rank's files.
fn gather_counts(comm: &dyn Comm, mine: &[usize], frames: &[(usize, Frame)]) -> Vec<(usize, u64)> {
    let bytes: Vec<u8> = mine
        .iter()
        .zip(frames)
        .flat_map(|(&k, (_, f))| {
            let mut b = (k as u64).to_le_bytes().to_vec();
            b.extend_from_slice(&(f.len() as u64).to_le_bytes());
            b
        })
        .collect();
    comm.all_gather(&bytes)
        .iter()
        .flat_map(|b| {
            b.chunks_exact(16)
                .map(|c| {
                    let k = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
                    let n = u64::from_le_bytes(c[8..].try_into().expect("8 bytes"));
                    (k as usize, n)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Appends `more`'s atoms to `all` (columns by position; the caller has
/// checked the box and step).
fn append(all: &mut FrameParts, more: FrameParts) {
    all.ids.extend(more.ids);
    all.types.extend(more.types);
    all.positions.extend(more.positions);
    match (&mut all.images, more.images) {
        (Some(a), Some(b)) => a.extend(b),
        _ => all.images = None,
    }
    // Extra columns are kept only when every file has them alike.
    if all.columns.len() == more.columns.len()
        && all
            .columns
            .iter()
            .zip(&more.columns)
            .all(|(a, b)| a.name == b.name)
    {
        for (a, b) in all.columns.iter_mut().zip(more.columns) {
            use interstice_core::ColumnData as C;
            match (&mut a.data, b.data) {
                (C::Int(x), C::Int(y)) => x.extend(y),
                (C::Float(x), C::Float(y)) => x.extend(y),
                (C::Text(x), C::Text(y)) => x.extend(y),
                _ => {}
            }
        }
    } else {
        all.columns.clear();
    }
}
