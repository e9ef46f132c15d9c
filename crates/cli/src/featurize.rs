//! `interstice featurize`: per-atom features of one frame as a table.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_features::{ContextParams, Preset};
use interstice_pipeline::common;
use interstice_pipeline::featurize;

/// Arguments of `interstice featurize`.
#[derive(clap::Args, Debug)]
pub struct FeaturizeArgs {
    /// A LAMMPS dump or data file or an extended XYZ file (plain or .gz),
    /// periodic in x, y and z; any tilt, restricted or general.
    pub dump: PathBuf,
    /// Frame (0-based; negative counts from the end).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub frame: i64,
    /// Map LAMMPS types to elements, for example `1=Cu,2=Zr` (radii of shared/SPEC.md §2).
    #[arg(long)]
    pub types: String,
    /// Override radii, for example `Cu=1.28,Zr=1.60` (Å).
    #[arg(long)]
    pub radii: Option<String>,
    /// The feature set: `paper80` (the paper's 80 interstice features, amlearn's
    /// columns), `sf166` (the softness baseline's symmetry functions),
    /// `classical` (Voronoi indices, motifs, CPE, Steinhardt, …) or `all`.
    #[arg(long, default_value = "paper80")]
    pub preset: String,
    /// Radical (Laguerre) Voronoi instead of the paper's plain Voronoi.
    #[arg(long)]
    pub radical: bool,
    /// amlearn's small-face threshold (the paper's 0.05); 0 keeps every face.
    #[arg(long, default_value_t = 0.05)]
    pub face_threshold: f64,
    /// Compute `paper80` of a frame larger than this in blocks of about this
    /// many atoms: memory follows the block, not the frame; results are the
    /// same bits.
    #[arg(long, default_value_t = interstice_features::blocked::DEFAULT_BLOCK_ATOMS)]
    pub block_atoms: usize,
    /// Write `paper80` to Parquet block by block as each block finishes (one
    /// row group a block), so that memory holds the frame and a block, never
    /// the whole table: for frames of millions of atoms. Rows then come block
    /// by block (each block's atoms in file order; the file's `row_order`
    /// metadata says so): join on `id`.
    #[arg(long)]
    pub stream: bool,
    #[command(flatten)]
    pub ranks: crate::ranks::RanksArgs,
    /// Output: Parquet (`.parquet`, zstd; with `type` and `element` columns and the
    /// source file, frame, timestep and settings as metadata) or CSV (`.csv`,
    /// `.csv.gz`: `id` then one column per feature); rows in file order.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the command; prints a one-line summary to `out`.
pub fn run(args: &FeaturizeArgs, out: &mut impl Write) -> Result<()> {
    if !(0.0..1.0).contains(&args.face_threshold) {
        bail!(
            "--face-threshold must be in [0, 1) (a fraction of the cell's face area; 0 keeps every face), found {}",
            args.face_threshold
        );
    }
    let distributed = args.ranks.on();
    if distributed {
        common::check_dataset_out(&args.out)?;
    } else {
        common::check_outputs(&[("--out", &args.out)])?;
    }
    let Some(preset) = Preset::from_name(&args.preset) else {
        bail!(
            "--preset {}: expected paper80, sf166, classical or all",
            args.preset
        );
    };
    if args.stream {
        if preset != Preset::Paper80 {
            bail!(
                "--stream writes paper80 block by block; --preset {} is computed whole (leave out --stream)",
                preset.name()
            );
        }
        if args.out.extension().is_none_or(|e| e != "parquet") {
            bail!(
                "--stream writes Parquet row groups: give an --out ending in .parquet, not {}",
                args.out.display()
            );
        }
    }
    let mut map = interstice_core::TypeMap::parse(&args.types).context("--types")?;
    if let Some(r) = &args.radii {
        map = map.with_radius_overrides(r).context("--radii")?;
    }
    let params = featurize::context_params(args.radical, args.face_threshold);
    if distributed {
        return self::distributed(args, preset, map, params, out);
    }
    let line = featurize::featurize_file(
        &featurize::FileJob {
            path: &args.dump,
            frame: args.frame,
            preset,
            block_atoms: args.block_atoms.max(1),
            stream: args.stream,
            out: &args.out,
        },
        &map,
        params,
    )?;
    writeln!(out, "{line}")?;
    Ok(())
}

/// `featurize --distributed`: `paper80` over the ranks, into a partitioned
/// table.
fn distributed(
    args: &FeaturizeArgs,
    preset: Preset,
    map: interstice_core::TypeMap,
    params: ContextParams,
    out: &mut impl Write,
) -> Result<()> {
    if preset != Preset::Paper80 {
        bail!(
            "distributed (under mpirun, or --distributed), featurize computes paper80; --preset {} is computed in one process",
            preset.name()
        );
    }
    let job = interstice_distributed::Featurize {
        input: interstice_distributed::Input {
            path: args.dump.clone(),
            frame: args.frame,
            types: Some(map),
        },
        params,
        block_atoms: args.block_atoms.max(1),
        out: args.out.clone(),
        skin: args.ranks.ghost_skin,
    };
    let start = Instant::now();
    crate::ranks::run(out, |comm| {
        let r = interstice_distributed::featurize(comm, &job)?;
        Ok(format!(
            "{} atoms × 80 features (paper80) in {:.2} s {}; wrote the partitioned table {}",
            r.atoms,
            start.elapsed().as_secs_f64(),
            r.describe(),
            args.out.display(),
        ))
    })
}
