//! Per-atom features of one frame as a table, and that table written as
//! Parquet (with the frame's types, elements and settings as metadata) or CSV.

use std::path::Path;

use anyhow::{Result, bail};
use interstice_features::{FaceFilterKind, FeatureError, FrameContext, Preset, blocked};
use interstice_io::{Table, TableMeta};

/// Where a frame came from: its file's name and the frame's index, for
/// messages and metadata.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file, as it should appear in messages.
    pub name: String,
    /// The frame's index in the file (0-based).
    pub frame: usize,
}

/// The features of `preset` for every atom of the context's frame, one row
/// per atom in file order.
///
/// # Errors
/// Fewer than 2 atoms, a tessellation error (naming the atoms by id) or
/// another feature error, with the file and frame.
pub fn features(ctx: &FrameContext<'_>, preset: Preset, source: &Source) -> Result<Table> {
    features_with(ctx, preset, source, blocked::DEFAULT_BLOCK_ATOMS)
}

/// [`features`] with `paper80` computed in blocks of about `block_atoms`
/// atoms when the frame is larger than that (see [`compute_with`]).
///
/// # Errors
/// As [`features`].
pub fn features_with(
    ctx: &FrameContext<'_>,
    preset: Preset,
    source: &Source,
    block_atoms: usize,
) -> Result<Table> {
    let (columns, x) = compute_with(ctx, preset, source, block_atoms)?;
    // The featurizers return fresh row-major arrays: take their buffer as
    // the table's values instead of copying it.
    let values = if x.is_standard_layout() {
        let n = x.len();
        let (values, offset) = x.into_raw_vec_and_offset();
        let offset = offset.unwrap_or(0);
        if offset == 0 && values.len() == n {
            values
        } else {
            // A standard-layout view into a larger buffer: its run only.
            values[offset..offset + n].to_vec()
        }
    } else {
        x.iter().copied().collect()
    };
    Ok(Table {
        columns,
        ids: ctx.frame().ids().to_vec(),
        values,
    })
}

/// The column names and the `atoms × columns` matrix of [`features`], as
/// the featurizer made them (for callers that want their own layout, such
/// as the Python package's column-major arrays).
///
/// # Errors
/// As [`features`].
pub fn compute(
    ctx: &FrameContext<'_>,
    preset: Preset,
    source: &Source,
) -> Result<(Vec<String>, ndarray::Array2<f64>)> {
    compute_with(ctx, preset, source, blocked::DEFAULT_BLOCK_ATOMS)
}

/// [`compute`], with `paper80` of a frame of more than `block_atoms` atoms
/// computed block by block ([`interstice_features::blocked`]): the same
/// bits, with one block's tessellation in memory instead of the frame's.
/// A context that already holds the whole tessellation (another feature
/// set asked for it), or amlearn's nearest-image view, is used whole.
///
/// # Errors
/// As [`compute`].
pub fn compute_with(
    ctx: &FrameContext<'_>,
    preset: Preset,
    source: &Source,
    block_atoms: usize,
) -> Result<(Vec<String>, ndarray::Array2<f64>)> {
    let frame = ctx.frame();
    check_atoms(ctx, source)?;
    let by_blocks = preset == Preset::Paper80
        && !ctx.params().nearest_image
        && ctx.voronoi_if_computed().is_none()
        && frame.len() > block_atoms;
    let result = if by_blocks {
        blocked::paper80_table(ctx, block_atoms).map(|x| (blocked::paper80_names(), x))
    } else {
        preset.compute(ctx)
    };
    result.map_err(|e| feature_error(e, ctx, source))
}

/// Features describe an atom's neighbours: a frame needs at least 2 atoms.
fn check_atoms(ctx: &FrameContext<'_>, source: &Source) -> Result<()> {
    let n = ctx.frame().len();
    if n < 2 {
        bail!(
            "{}, frame {}: {n} atom(s); features describe an atom's neighbours and need at least 2 atoms",
            source.name,
            source.frame,
        );
    }
    Ok(())
}

/// A feature error with the file and frame (a tessellation error naming the
/// atoms by id).
fn feature_error(e: FeatureError, ctx: &FrameContext<'_>, source: &Source) -> anyhow::Error {
    match e {
        FeatureError::Geometry(g) => {
            crate::common::tessellation_error(g, ctx.frame(), &source.name, source.frame)
        }
        other => {
            anyhow::Error::new(other).context(format!("{}, frame {}", source.name, source.frame))
        }
    }
}

/// The face-filter threshold of a context, as `featurize --face-threshold` gives it.
fn face_threshold(ctx: &FrameContext<'_>) -> f64 {
    match ctx.params().face_filter {
        FaceFilterKind::Amlearn(t) | FaceFilterKind::RelativeArea(t) => t,
        FaceFilterKind::None => 0.0,
    }
}

/// Writes a feature table: Parquet when `out` ends in `.parquet` (with `type`
/// and `element` columns and the source file, frame, timestep, preset, type
/// map and Voronoi settings as metadata), CSV otherwise.
///
/// # Errors
/// File errors, or an atom type the context's map lacks.
pub fn write(
    table: &Table,
    ctx: &FrameContext<'_>,
    preset: Preset,
    source: &Source,
    out: &Path,
) -> Result<()> {
    if out.extension().is_none_or(|e| e != "parquet") {
        table.write_csv(out)?;
        return Ok(());
    }
    let frame = ctx.frame();
    let meta = TableMeta {
        types: Some(frame.types().to_vec()),
        elements: Some(elements_of(ctx, frame.types())?),
        key_values: key_values(ctx, preset, source),
    };
    table.write_parquet(out, &meta)?;
    Ok(())
}

/// The element symbol of each of `types`.
fn elements_of(ctx: &FrameContext<'_>, types: &[u32]) -> Result<Vec<String>> {
    let map = ctx.types();
    Ok(types
        .iter()
        .map(|&t| map.species(t).map(|s| s.element.symbol.to_string()))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The Parquet metadata of a feature table: source file, frame, timestep,
/// preset, type map and Voronoi settings.
fn key_values(ctx: &FrameContext<'_>, preset: Preset, source: &Source) -> Vec<(String, String)> {
    vec![
        (
            "interstice.version".into(),
            env!("CARGO_PKG_VERSION").into(),
        ),
        ("source.file".into(), source.name.clone()),
        ("source.frame".into(), source.frame.to_string()),
        ("source.timestep".into(), ctx.frame().timestep().to_string()),
        ("preset".into(), preset.name().into()),
        ("types".into(), ctx.types().to_string()),
        (
            "voronoi".into(),
            if ctx.params().radical {
                "radical"
            } else {
                "plain"
            }
            .into(),
        ),
        ("face_threshold".into(), face_threshold(ctx).to_string()),
    ]
}

/// `paper80` of the context's frame computed block by block and written to
/// the Parquet file `out` as each block finishes, one row group a block:
/// the peak memory is the frame and a block, never the whole table. Rows
/// come block by block (each block's atoms in file order; the metadata's
/// `row_order` says so), so join on `id`. The same columns, metadata and
/// values as [`write()`] of [`features()`], in another row order. Returns the
/// number of row groups.
///
/// # Errors
/// As [`features`]; file errors.
pub fn write_paper80_by_blocks(
    ctx: &FrameContext<'_>,
    source: &Source,
    out: &Path,
    block_atoms: usize,
) -> Result<usize> {
    Ok(write_paper80_part(ctx, source, out, block_atoms, None, &[])?.0)
}

/// [`write_paper80_by_blocks`] of the home atoms of a part of a larger
/// frame (a domain and its ghosts, as one MPI rank holds them; `None`: the
/// whole frame), with `extra` key-value metadata; returns the row groups
/// and rows written. A cell that needs atoms beyond the part's coverage is
/// an error that downcasts to
/// [`interstice_geometry::GeometryError::BeyondCoverage`].
///
/// # Errors
/// As [`write_paper80_by_blocks`].
pub fn write_paper80_part(
    ctx: &FrameContext<'_>,
    source: &Source,
    out: &Path,
    block_atoms: usize,
    part: Option<&blocked::Part<'_>>,
    extra: &[(String, String)],
) -> Result<(usize, u64)> {
    let frame = ctx.frame();
    check_atoms(ctx, source)?;
    let mut kv = key_values(ctx, Preset::Paper80, source);
    kv.push((
        "row_order".into(),
        format!("by block of about {block_atoms} atoms, each block's atoms in file order"),
    ));
    kv.extend_from_slice(extra);
    let mut w =
        interstice_io::ParquetTableWriter::create(out, &blocked::paper80_names(), true, true, &kv)?;
    let (mut groups, mut rows) = (0, 0u64);
    let result = blocked::paper80_part_blocks(ctx, block_atoms, part, |atoms, x| {
        let ids: Vec<u64> = atoms.iter().map(|&a| frame.ids()[a as usize]).collect();
        let types: Vec<u32> = atoms.iter().map(|&a| frame.types()[a as usize]).collect();
        let elements = elements_of(ctx, &types)?;
        let values = x
            .as_slice()
            .ok_or_else(|| anyhow::anyhow!("block rows not in standard layout"))?;
        w.write_rows(&ids, Some(&types), Some(&elements), values)?;
        groups += 1;
        rows += ids.len() as u64;
        Ok::<(), anyhow::Error>(())
    });
    result.map_err(|e| match e.downcast::<FeatureError>() {
        Ok(f) => feature_error(f, ctx, source),
        Err(e) => e,
    })?;
    w.finish()?;
    Ok((groups, rows))
}

/// The paper's context, plain or radical, with amlearn's face filter at
/// `face_threshold` (0: every face kept), as `featurize` takes them.
pub fn context_params(radical: bool, face_threshold: f64) -> interstice_features::ContextParams {
    interstice_features::ContextParams {
        radical,
        face_filter: if face_threshold == 0.0 {
            FaceFilterKind::None
        } else {
            FaceFilterKind::Amlearn(face_threshold)
        },
        ..interstice_features::ContextParams::paper()
    }
}

/// `interstice featurize` of one file in one process.
#[derive(Clone, Copy, Debug)]
pub struct FileJob<'a> {
    /// The trajectory file.
    pub path: &'a Path,
    /// The frame (0-based; negative counts from the end).
    pub frame: i64,
    /// The feature set.
    pub preset: Preset,
    /// Block size for large frames.
    pub block_atoms: usize,
    /// `paper80` straight to Parquet row groups, block by block.
    pub stream: bool,
    /// The table to write (Parquet or CSV).
    pub out: &'a Path,
}

/// Reads the frame, computes the features (whole, by blocks, or streamed
/// to Parquet) and writes them; returns the line to print.
///
/// # Errors
/// As [`features`]; file errors; a bad `--face-threshold`.
pub fn featurize_file(
    job: &FileJob<'_>,
    map: &interstice_core::TypeMap,
    params: interstice_features::ContextParams,
) -> Result<String> {
    use anyhow::Context as _;
    let mut reader = crate::common::open_frames(job.path, Some(map))?;
    let (k, frame) = crate::common::read_frame(&mut reader, job.frame, "--frame")?;
    let source = Source {
        name: job.path.display().to_string(),
        frame: k,
    };
    let start = std::time::Instant::now();
    let ctx = FrameContext::new(&frame, map, params).context("--face-threshold")?;
    if job.stream {
        let blocks = write_paper80_by_blocks(&ctx, &source, job.out, job.block_atoms)?;
        return Ok(format!(
            "{} atoms × 80 features (paper80) in {:.2} s, {blocks} blocks; wrote {} (rows by block)",
            frame.len(),
            start.elapsed().as_secs_f64(),
            job.out.display()
        ));
    }
    let table = features_with(&ctx, job.preset, &source, job.block_atoms)?;
    let elapsed = start.elapsed().as_secs_f64();
    write(&table, &ctx, job.preset, &source, job.out)?;
    Ok(format!(
        "{} atoms × {} features ({}) in {elapsed:.2} s; wrote {}",
        frame.len(),
        table.columns.len(),
        job.preset.name(),
        job.out.display()
    ))
}
