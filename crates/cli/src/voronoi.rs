//! `interstice voronoi`: per-atom Voronoi cells (plain or radical) of one
//! frame, as a CSV table.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_geometry::{FaceFilter, Tessellator, VoronoiParams};
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
    /// Split the box into one domain per MPI rank (implied under `mpirun`
    /// with several ranks; one domain without MPI): each rank reads its
    /// share of the file and writes its domain's cells as its part of a
    /// partitioned Parquet table (a folder), the single-process numbers
    /// bit for bit.
    #[arg(long)]
    pub distributed: bool,
    /// With --distributed: the first ghost skin around each domain, Å
    /// (default: four atomic spacings and twice the largest radius);
    /// widened on every rank while a cell needs more.
    #[arg(long)]
    pub ghost_skin: Option<f64>,
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
    if crate::ranks::distributed(args.distributed) {
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
    let params = if args.radical {
        let m = map
            .as_ref()
            .context("--radical needs --types (or a file that names its species)")?;
        let radii = frame
            .types()
            .iter()
            .map(|&t| m.radius(t))
            .collect::<Result<Vec<f64>, _>>()?;
        VoronoiParams::radical(radii)
    } else {
        VoronoiParams::plain()
    };
    let start = Instant::now();
    let tessellation = |e| common::tessellation_error(e, &frame, &name, k);
    let params = params.regions(args.region_atoms.max(1));
    let t = Tessellator::new(frame.positions(), frame.sim_box(), &params).map_err(tessellation)?;
    // Region by region: one region's faces in memory at a time; per atom
    // only what the table prints.
    let n = frame.len();
    let mut volumes = vec![0.0; n];
    let mut cn = vec![0u32; n];
    let mut index = vec![[0u32; 6]; n];
    let (mut faces, mut empty, mut box_volume) = (0usize, 0usize, 0.0);
    for atoms in t.regions() {
        let mut v = t.cells_of(&atoms).map_err(tessellation)?;
        if let Some(threshold) = args.amlearn_filter {
            v = v.filtered(FaceFilter::Amlearn {
                threshold,
                order: Some(frame.ids()),
            });
        }
        for (c, &a) in atoms.iter().enumerate() {
            let a = a as usize;
            volumes[a] = v.volume(c);
            cn[a] = v.coordination(c) as u32;
            index[a] = v.index(c);
        }
        faces += v.num_faces();
        empty += v.empty_cells().len();
        box_volume = v.box_volume();
    }
    drop(t);
    let elapsed = start.elapsed().as_secs_f64();
    let mut text = String::from("id,type,volume,cn,n3,n4,n5,n6,n7,n8plus\n");
    let mut counts: std::collections::BTreeMap<[u32; 6], usize> = Default::default();
    for i in 0..n {
        let idx = index[i];
        *counts.entry(idx).or_default() += 1;
        let _ = writeln!(
            text,
            "{},{},{:?},{},{},{},{},{},{},{}",
            frame.ids()[i],
            frame.types()[i],
            volumes[i],
            cn[i],
            idx[0],
            idx[1],
            idx[2],
            idx[3],
            idx[4],
            idx[5]
        );
    }
    common::write_file(&args.out, text.as_bytes())?;
    let sum: f64 = volumes.iter().sum();
    let (top, n_top) = counts
        .iter()
        .max_by_key(|(idx, n)| (**n, std::cmp::Reverse(**idx)))
        .map(|(idx, n)| (*idx, *n))
        .unwrap_or(([0; 6], 0));
    writeln!(
        out,
        "{} atoms, {} Voronoi in {elapsed:.2} s: mean volume {:.4} Å³ (cells sum to the box to {:.1e}), \
         mean CN {:.3}, most common index <{},{},{},{}> ({:.1} %){}; wrote {}",
        n,
        if args.radical { "radical" } else { "plain" },
        sum / n as f64,
        (sum / box_volume - 1.0).abs(),
        faces as f64 / n as f64,
        top[0],
        top[1],
        top[2],
        top[3],
        100.0 * n_top as f64 / n as f64,
        if empty == 0 {
            String::new()
        } else {
            format!(", {empty} atoms without a cell")
        },
        args.out.display()
    )?;
    Ok(())
}

/// `voronoi --distributed`: the cells over the ranks, into a partitioned
/// table.
fn distributed(args: &VoronoiArgs, out: &mut impl Write) -> Result<()> {
    crate::ranks::check_dataset_out(&args.out)?;
    if let Some(s) = args.ghost_skin
        && !(s.is_finite() && s > 0.0)
    {
        bail!("--ghost-skin must be a positive length in Å, found {s}");
    }
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
        skin: args.ghost_skin,
    };
    let start = Instant::now();
    crate::ranks::run(|comm| {
        let s = interstice_distributed::voronoi(comm, &job)?;
        let r = &s.report;
        let memory = crate::ranks::peak_memory_per_rank(comm);
        if crate::ranks::root(comm) {
            let n = r.atoms as f64;
            writeln!(
                out,
                "{} atoms, {} Voronoi in {:.2} s on {} ranks (domains {}×{}×{}, ghost skin {:.1} Å; peak memory per rank {memory} MB): mean volume {:.4} Å³ \
                 (cells sum to the box to {:.1e}), mean CN {:.3}, most common index <{},{},{},{}> ({:.1} %){}; wrote the partitioned table {}",
                r.atoms,
                if args.radical { "radical" } else { "plain" },
                start.elapsed().as_secs_f64(),
                r.ranks,
                r.dims[0],
                r.dims[1],
                r.dims[2],
                r.skin,
                s.volume / n,
                (s.volume / s.box_volume - 1.0).abs(),
                s.faces as f64 / n,
                s.top.0[0],
                s.top.0[1],
                s.top.0[2],
                s.top.0[3],
                100.0 * s.top.1 as f64 / n,
                if s.empty == 0 {
                    String::new()
                } else {
                    format!(", {} atoms without a cell", s.empty)
                },
                args.out.display()
            )?;
        }
        Ok(())
    })
}
