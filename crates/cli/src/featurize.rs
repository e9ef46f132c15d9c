//! `interstice featurize`: per-atom features of one frame as a table.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_features::{ContextParams, FaceFilterKind, FeatureError, FrameContext, Preset};
use interstice_io::{Table, TableMeta};

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
    /// columns), `sf166` (the softness baseline's symmetry functions), `all`.
    #[arg(long, default_value = "paper80")]
    pub preset: String,
    /// Radical (Laguerre) Voronoi instead of the paper's plain Voronoi.
    #[arg(long)]
    pub radical: bool,
    /// amlearn's small-face threshold (the paper's 0.05); 0 keeps every face.
    #[arg(long, default_value_t = 0.05)]
    pub face_threshold: f64,
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
    crate::common::check_outputs(&[("--out", &args.out)])?;
    let Some(preset) = Preset::from_name(&args.preset) else {
        bail!("--preset {}: expected paper80, sf166 or all", args.preset);
    };
    let mut map = interstice_core::TypeMap::parse(&args.types).context("--types")?;
    if let Some(r) = &args.radii {
        map = map.with_radius_overrides(r).context("--radii")?;
    }
    let mut reader = crate::common::open_frames(&args.dump, Some(&map))?;
    let (k, frame) = crate::common::read_frame(&mut reader, args.frame, "--frame")?;
    if frame.len() < 2 {
        bail!(
            "{}, frame {k}: {} atom(s); features describe an atom's neighbours and need at least 2 atoms",
            args.dump.display(),
            frame.len()
        );
    }
    let name = args.dump.display().to_string();
    let params = ContextParams {
        radical: args.radical,
        face_filter: if args.face_threshold == 0.0 {
            FaceFilterKind::None
        } else {
            FaceFilterKind::Amlearn(args.face_threshold)
        },
        ..ContextParams::paper()
    };
    let start = Instant::now();
    let ctx = FrameContext::new(&frame, &map, params).context("--face-threshold")?;
    let (names, x) = preset.compute(&ctx).map_err(|e| match e {
        FeatureError::Geometry(g) => crate::common::tessellation_error(g, &frame, &name, k),
        other => anyhow::Error::new(other).context(format!("{name}, frame {k}")),
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    let table = Table {
        columns: names,
        ids: frame.ids().to_vec(),
        values: x.iter().copied().collect(),
    };
    if args.out.extension().is_some_and(|e| e == "parquet") {
        let elements = frame
            .types()
            .iter()
            .map(|&t| map.species(t).map(|s| s.element.symbol.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let meta = TableMeta {
            types: Some(frame.types().to_vec()),
            elements: Some(elements),
            key_values: vec![
                (
                    "interstice.version".into(),
                    env!("CARGO_PKG_VERSION").into(),
                ),
                ("source.file".into(), name.clone()),
                ("source.frame".into(), k.to_string()),
                ("source.timestep".into(), frame.timestep().to_string()),
                ("preset".into(), preset.name().into()),
                ("types".into(), map.to_string()),
                (
                    "voronoi".into(),
                    if args.radical { "radical" } else { "plain" }.into(),
                ),
                ("face_threshold".into(), args.face_threshold.to_string()),
            ],
        };
        table.write_parquet(&args.out, &meta)?;
    } else {
        table.write_csv(&args.out)?;
    }
    writeln!(
        out,
        "{} atoms × {} features ({}) in {elapsed:.2} s; wrote {}",
        frame.len(),
        table.columns.len(),
        preset.name(),
        args.out.display()
    )?;
    Ok(())
}
