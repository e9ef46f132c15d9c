//! `interstice voronoi`: per-atom Voronoi cells (plain or radical) of one
//! frame, as a CSV table.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_pipeline::common;

/// Arguments of `interstice voronoi`.
#[derive(clap::Args, Debug)]
pub struct VoronoiArgs {
    /// A LAMMPS dump or data file or an extended XYZ file (plain or .gz),
    /// periodic in x, y and z; any tilt, restricted or general.
    pub dump: PathBuf,
    /// Frame (0-based; negative counts from the end).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub frame: i64,
    /// Map LAMMPS types to elements, for example `1=Cu,2=Zr` (needed by
    /// --radical unless the file names its species).
    #[arg(long)]
    pub types: Option<String>,
    /// Radical (Laguerre) Voronoi weighted by the elements' radii (shared/SPEC.md §2).
    #[arg(long)]
    pub radical: bool,
    /// Override radii for --radical, for example `Cu=1.28,Zr=1.60` (Å).
    #[arg(long, requires = "radical")]
    pub radii: Option<String>,
    /// Drop small faces with amlearn's rule at this threshold (amlearn uses 0.05);
    /// volumes are not recomputed, as in amlearn. Default: keep every face.
    #[arg(long)]
    pub amlearn_filter: Option<f64>,
    /// Output CSV: `id,type,volume,cn,n3,n4,n5,n6,n7,n8plus`, one row per atom in file order
    /// (with --distributed, a partitioned Parquet table of those columns: a folder).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub ranks: crate::ranks::RanksArgs,
    /// Build the cells in regions of about this many atoms, one region's
    /// faces in memory at a time (the table is the same for any value).
    #[arg(long, default_value_t = 200_000)]
    pub region_atoms: usize,
}

/// Runs the command; prints a one-line summary to `out`.
pub fn run(args: &VoronoiArgs, out: &mut impl Write) -> Result<()> {
    if let Some(t) = args.amlearn_filter
        && !(0.0..1.0).contains(&t)
    {
        bail!("--amlearn-filter must be in [0, 1), found {t}");
    }
    if args.ranks.on() {
        return distributed(args, out);
    }
    common::check_outputs(&[("--out", &args.out)])?;
    let map = common::type_map(args.types.as_deref())?;
    let mut reader = common::open_frames(&args.dump, map.as_ref())?;
    let (k, frame) = common::read_frame(&mut reader, args.frame, "--frame")?;
    let name = args.dump.display().to_string();
    let mut map = common::species_map(map, &frame, &name)?;
    if let Some(r) = &args.radii {
        let m = map
            .take()
            .context("--radii needs --types (or a file that names its species)")?;
        map = Some(m.with_radius_overrides(r).context("--radii")?);
    }
    let params = interstice_pipeline::voronoi::params(&frame, map.as_ref(), args.radical)?;
    let start = Instant::now();
    let params = params.regions(args.region_atoms.max(1));
    let (text, summary) =
        interstice_pipeline::voronoi::csv(&frame, &params, args.amlearn_filter, &name, k)?;
    let elapsed = start.elapsed().as_secs_f64();
    common::write_file(&args.out, text.as_bytes())?;
    writeln!(
        out,
        "{} atoms, {} Voronoi in {elapsed:.2} s: {}; wrote {}",
        frame.len(),
        if args.radical { "radical" } else { "plain" },
        summary.describe(),
        args.out.display()
    )?;
    Ok(())
}

/// `voronoi --distributed`: the cells over the ranks, into a partitioned
/// table.
fn distributed(args: &VoronoiArgs, out: &mut impl Write) -> Result<()> {
    common::check_dataset_out(&args.out)?;
    let job = interstice_distributed::Voronoi {
        input: interstice_distributed::Input {
            path: args.dump.clone(),
            frame: args.frame,
            types: common::type_map(args.types.as_deref())?,
        },
        radical: args.radical,
        radii: args.radii.clone(),
        amlearn_filter: args.amlearn_filter,
        region_atoms: args.region_atoms.max(1),
        out: args.out.clone(),
        skin: args.ranks.ghost_skin,
    };
    let start = Instant::now();
    crate::ranks::run(out, |comm| {
        let (r, s) = interstice_distributed::voronoi(comm, &job)?;
        Ok(format!(
            "{} atoms, {} Voronoi in {:.2} s {}: {}; wrote the partitioned table {}",
            r.atoms,
            if args.radical { "radical" } else { "plain" },
            start.elapsed().as_secs_f64(),
            r.describe(),
            s.describe(),
            args.out.display()
        ))
    })
}
