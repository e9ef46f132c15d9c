//! `featurize` and `voronoi` over a domain decomposition: each rank reads
//! its share, receives its domain and ghosts, computes its home atoms'
//! rows and writes them as its part of a partitioned table. When a ghost
//! skin proves too thin for some cell, every rank widens it and starts the
//! step again: the rows never depend on the skin, only the cost does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::TypeMap;
use interstice_features::{ContextParams, FrameContext, blocked::Part};
use interstice_geometry::{GeometryError, Tessellator};
use interstice_io::{ParquetTableWriter, dataset};
use interstice_pipeline::featurize::{Source, write_paper80_part};
use interstice_pipeline::voronoi::{COLUMNS, Summary, region_rows};

use crate::comm::{Comm, Outcome, agree, agree_done, gather_u64};
use crate::domain::Decomposition;
use crate::exchange::{Local, exchange};
use crate::read::{Input, Share, read_share};

/// How many times a skin is widened before giving up.
const TRIES: usize = 8;

/// What a distributed run did, the same on every rank.
#[derive(Clone, Debug)]
pub struct Report {
    /// Atoms of the frame.
    pub atoms: u64,
    /// Ranks.
    pub ranks: usize,
    /// Domains per axis.
    pub dims: [usize; 3],
    /// The ghost skin that sufficed, Å.
    pub skin: f64,
    /// How many skins were tried.
    pub tries: usize,
    /// Atoms (home and ghosts) each rank held at the end.
    pub held: Vec<u64>,
    /// Home atoms of each rank (rows of its part).
    pub rows: Vec<u64>,
    /// The frame's index in its file.
    pub frame: usize,
}

impl Report {
    /// `on N ranks (domains a×b×c, ghost skin s Å, at most n atoms a rank,
    /// k parts)`.
    pub fn describe(&self) -> String {
        format!(
            "on {} ranks (domains {}×{}×{}, ghost skin {:.1} Å{}, at most {} atoms a rank, {} parts)",
            self.ranks,
            self.dims[0],
            self.dims[1],
            self.dims[2],
            self.skin,
            if self.tries > 1 {
                format!(" after {} tries", self.tries)
            } else {
                String::new()
            },
            self.held.iter().max().copied().unwrap_or(0),
            self.ranks
        )
    }
}

/// `interstice featurize` (the paper's 80 features) over the ranks of
/// `comm`.
#[derive(Clone, Debug)]
pub struct Featurize {
    /// The frame.
    pub input: Input,
    /// Neighbours and filters (the tessellation must be periodic: not the
    /// nearest-image parity mode).
    pub params: ContextParams,
    /// Block size within a rank.
    pub block_atoms: usize,
    /// The partitioned table to write (a folder).
    pub out: PathBuf,
    /// The first ghost skin to try, Å (`None`: the candidate cutoff plus
    /// the distance cutoff plus two atomic spacings).
    pub skin: Option<f64>,
}

/// Runs a [`Featurize`] job (collective).
///
/// # Errors
/// As the single-process `featurize`, on every rank; a skin that never
/// suffices; file errors writing the parts.
pub fn featurize(comm: &dyn Comm, job: &Featurize) -> Result<Report> {
    let name = job.input.path.display().to_string();
    let share = read_share(comm, &job.input)?;
    let map = resolve_types(comm, job.input.types.clone(), &share, &name)?
        .context("featurize needs --types (or a file that names its species)")?;
    let source = Source {
        name: name.clone(),
        frame: share.index,
    };
    let spacing = spacing(&share);
    let skin0 = job.skin.unwrap_or_else(|| {
        job.params.voronoi_cutoff.unwrap_or(5.0) + job.params.distance_cutoff + 2.0 * spacing
    });
    run(comm, &share, &job.out, skin0, &name, |local, part, skin| {
        let ctx = FrameContext::new(&local.frame, &map, job.params.clone())?;
        let home = Part {
            total_atoms: local.total as usize,
            coverage: local.coverage.clone(),
            home: &local.home,
        };
        let extra = partition_metadata(comm, skin);
        let r = write_paper80_part(&ctx, &source, part, job.block_atoms, Some(&home), &extra);
        Ok(r.map(|(_, rows)| rows))
    })
}

/// `interstice voronoi` (per-atom volume, coordination and Voronoi index)
/// over the ranks of `comm`.
#[derive(Clone, Debug)]
pub struct Voronoi {
    /// The frame.
    pub input: Input,
    /// Radical (Laguerre) cells weighted by the map's radii.
    pub radical: bool,
    /// Radius overrides for `radical`, as `--radii` gives them.
    pub radii: Option<String>,
    /// amlearn's small-face filter at this threshold.
    pub amlearn_filter: Option<f64>,
    /// Regions within a rank.
    pub region_atoms: usize,
    /// The partitioned table to write (a folder).
    pub out: PathBuf,
    /// The first ghost skin to try, Å (`None`: four atomic spacings and the
    /// largest radius).
    pub skin: Option<f64>,
}

/// Runs a [`Voronoi`] job (collective); returns the run and the sums over
/// every rank's cells.
///
/// # Errors
/// As the single-process `voronoi`, on every rank; a skin that never
/// suffices; file errors writing the parts.
pub fn voronoi(comm: &dyn Comm, job: &Voronoi) -> Result<(Report, Summary)> {
    let name = job.input.path.display().to_string();
    let share = read_share(comm, &job.input)?;
    let mut map = resolve_types(comm, job.input.types.clone(), &share, &name)?;
    if let Some(r) = &job.radii {
        let m = map
            .take()
            .context("--radii needs --types (or a file that names its species)")?;
        map = Some(m.with_radius_overrides(r).context("--radii")?);
    }
    if job.radical && map.is_none() {
        bail!("--radical needs --types (or a file that names its species)");
    }
    let r_max = match (&map, job.radical) {
        (Some(m), true) => m
            .iter()
            .map(|(t, _)| m.radius(t).unwrap_or(0.0))
            .fold(0.0, f64::max),
        _ => 0.0,
    };
    let skin0 = job.skin.unwrap_or(4.0 * spacing(&share) + 2.0 * r_max);
    let mine = std::cell::RefCell::new(Summary::default());
    let report = run(comm, &share, &job.out, skin0, &name, |local, part, skin| {
        let frame = &local.frame;
        let params = interstice_pipeline::voronoi::params(frame, map.as_ref(), job.radical)?
            .regions(job.region_atoms.max(1))
            .part(local.total as usize, local.coverage.clone());
        let t = match Tessellator::new(frame.positions(), frame.sim_box(), &params) {
            Ok(t) => t,
            Err(e) => return Ok(Err(anyhow::Error::new(e))),
        };
        let mut kv = vec![
            ("source.file".to_string(), name.clone()),
            ("source.frame".to_string(), share.index.to_string()),
            ("source.timestep".to_string(), frame.timestep().to_string()),
            (
                "voronoi".to_string(),
                if job.radical { "radical" } else { "plain" }.to_string(),
            ),
        ];
        kv.extend(partition_metadata(comm, skin));
        let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        let mut w = ParquetTableWriter::create(part, &columns, true, map.is_some(), &kv)?;
        let mut sums = Summary::default();
        for mut atoms in t.regions() {
            atoms.retain(|&a| local.home[a as usize]);
            if atoms.is_empty() {
                continue;
            }
            let (values, s) = match region_rows(&t, frame, &atoms, job.amlearn_filter) {
                Ok(x) => x,
                Err(e) => return Ok(Err(anyhow::Error::new(e))),
            };
            sums.add(&s);
            let ids: Vec<u64> = atoms.iter().map(|&a| frame.ids()[a as usize]).collect();
            let types: Vec<u32> = atoms.iter().map(|&a| frame.types()[a as usize]).collect();
            let el: Option<Vec<String>> = map.as_ref().map(|m| {
                types
                    .iter()
                    .map(|&t| {
                        m.species(t)
                            .map(|s| s.element.symbol.to_string())
                            .unwrap_or_default()
                    })
                    .collect()
            });
            w.write_rows(&ids, Some(&types), el.as_deref(), &values)?;
        }
        w.finish()?;
        let rows = sums.atoms;
        *mine.borrow_mut() = sums;
        Ok(Ok(rows))
    })?;
    let mine = mine.into_inner();
    // Every rank's sums, added in rank order (the same on every rank).
    let mut bytes: Vec<u8> = Vec::new();
    for x in [
        mine.volume,
        mine.faces as f64,
        mine.empty as f64,
        mine.atoms as f64,
    ] {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    for (k, n) in &mine.indices {
        bytes.extend(k.iter().flat_map(|x| x.to_le_bytes()));
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    let mut all = Summary::default();
    for m in comm.all_gather(&bytes) {
        let f = |i: usize| f64::from_le_bytes(m[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        let mut s = Summary {
            volume: f(0),
            faces: f(1) as u64,
            empty: f(2) as u64,
            atoms: f(3) as u64,
            ..Summary::default()
        };
        for c in m[32..].chunks_exact(32) {
            let k: [u32; 6] = std::array::from_fn(|i| {
                u32::from_le_bytes(c[4 * i..4 * i + 4].try_into().expect("4 bytes"))
            });
            s.indices
                .insert(k, u64::from_le_bytes(c[24..].try_into().expect("8 bytes")));
        }
        all.add(&s);
    }
    all.box_volume = share.frame.sim_box().volume();
    Ok((report, all))
}

/// The mean atomic spacing of the whole frame, Å.
pub(crate) fn spacing(share: &Share) -> f64 {
    (share.frame.sim_box().volume() / share.total.max(1) as f64).cbrt()
}

/// The metadata every part carries about the partition.
pub(crate) fn partition_metadata(comm: &dyn Comm, skin: f64) -> Vec<(String, String)> {
    vec![
        (
            "partition".to_string(),
            format!("rank {} of {}", comm.rank(), comm.size()),
        ),
        ("ghost_skin".to_string(), format!("{skin}")),
        (
            "row_order".to_string(),
            "by domain: each part holds one rank's domain, block by block; join on id".to_string(),
        ),
    ]
}

/// The decomposition loop shared by the jobs: prepares the data set,
/// exchanges atoms with a skin, runs `step` (which writes this rank's part
/// and returns its rows, or an error: a [`GeometryError::BeyondCoverage`]
/// asks for a wider skin), widens the skin until every rank succeeds, and
/// commits the data set.
pub(crate) fn run(
    comm: &dyn Comm,
    share: &Share,
    out: &Path,
    skin0: f64,
    name: &str,
    step: impl Fn(&Local, &Path, f64) -> Result<Result<u64>>,
) -> Result<Report> {
    on_rank0(comm, || dataset::begin(out))?;
    let result = decompose(comm, share, out, skin0, name, step);
    if result.is_err() && comm.rank() == 0 {
        // Best effort: the error is what the user needs to see.
        let _ = dataset::abandon(out);
    }
    result
}

/// `f` on rank 0, its error every rank's (collective).
pub(crate) fn on_rank0(
    comm: &dyn Comm,
    f: impl FnOnce() -> Result<(), interstice_io::IoError>,
) -> Result<()> {
    let r = if comm.rank() == 0 {
        f().map_err(anyhow::Error::from)
    } else {
        Ok(())
    };
    agree_done(comm, r)
}

/// Commits data set `out` from every rank's row count (collective).
pub(crate) fn commit_parts(comm: &dyn Comm, out: &Path, rows: &[u64]) -> Result<()> {
    let parts: Vec<(String, u64)> = rows
        .iter()
        .enumerate()
        .map(|(r, &n)| (dataset::part_name(r, comm.size()), n))
        .collect();
    on_rank0(comm, || dataset::commit(out, &parts))
}

fn decompose(
    comm: &dyn Comm,
    share: &Share,
    out: &Path,
    skin0: f64,
    name: &str,
    step: impl Fn(&Local, &Path, f64) -> Result<Result<u64>>,
) -> Result<Report> {
    let (p, rank) = (comm.size(), comm.rank());
    let widths = share.frame.sim_box().perpendicular_widths();
    let decomp = Decomposition::new(widths, p);
    let part = dataset::part_path(out, rank, p);
    let mut skin = skin0;
    for tries in 1..=TRIES {
        let local = exchange(comm, share, &decomp, skin, name)?;
        let result = step(&local, &part, skin).and_then(|r| match r {
            Ok(rows) => Ok(Outcome::Done((rows, local.frame.len() as u64))),
            Err(e) => match e.downcast_ref::<GeometryError>() {
                Some(GeometryError::BeyondCoverage { .. }) => Ok(Outcome::Retry),
                _ => Err(e),
            },
        });
        match agree(comm, result)? {
            Outcome::Retry => {
                skin *= 1.5;
                continue;
            }
            Outcome::Done((rows, held)) => {
                let rows = gather_u64(comm, rows);
                let held = gather_u64(comm, held);
                if rows.iter().sum::<u64>() != share.total {
                    bail!(
                        "{name}: the ranks' parts hold {} rows for {} atoms (a decomposition bug)",
                        rows.iter().sum::<u64>(),
                        share.total
                    );
                }
                commit_parts(comm, out, &rows)?;
                return Ok(Report {
                    atoms: share.total,
                    ranks: p,
                    dims: decomp.dims(),
                    skin,
                    tries,
                    held,
                    rows,
                    frame: share.index,
                });
            }
        }
    }
    bail!("{name}: a ghost skin of {skin:.1} Å still left cells unfinished after {TRIES} tries")
}

/// The type map every rank uses: `given`, checked against the element
/// column of every rank's share; or, without one, the species the file
/// names, merged over the ranks.
fn resolve_types(
    comm: &dyn Comm,
    given: Option<TypeMap>,
    share: &Share,
    name: &str,
) -> Result<Option<TypeMap>> {
    let had = given.is_some();
    let mine = agree_done(
        comm,
        interstice_pipeline::common::species_map(given, &share.frame, name),
    )?;
    if had {
        return Ok(mine);
    }
    let text = mine.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut pairs: BTreeMap<u32, String> = BTreeMap::new();
    let mut conflict = None;
    for m in comm.all_gather(text.as_bytes()) {
        for pair in String::from_utf8_lossy(&m)
            .split(',')
            .filter(|s| !s.is_empty())
        {
            let (t, e) = pair.split_once('=').unwrap_or((pair, ""));
            let t: u32 = t.parse().unwrap_or(0);
            let prev = pairs.entry(t).or_insert_with(|| e.to_string());
            if prev != e {
                conflict.get_or_insert(format!(
                    "{name}: atom type {t} is '{prev}' and '{e}'; expected one species per type"
                ));
            }
        }
    }
    if let Some(c) = conflict {
        bail!(c);
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let list: Vec<(u32, &str)> = pairs.iter().map(|(t, e)| (*t, e.as_str())).collect();
    Ok(Some(TypeMap::from_pairs(&list)?))
}
