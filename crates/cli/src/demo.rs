//! `interstice demo`: the whole method on the bundled Cu65Zr35 glass —
//! the paper's 80 features of the quenched glass, D²min labels at 5 %
//! shear, the 3 × 5 protocol, quench-in softness — with the metrics table
//! on screen and every intermediate file in one output folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use interstice_core::ColumnData;
use interstice_io::{DumpReader, DumpWriter, OutputFile, Table};

use crate::{featurize, label, train};

/// The default fixture folder, relative to a checkout's root.
const DEFAULT_FIXTURE: &str = "fixtures/cuzr65-4000";

/// The default fixture's reference, 5 % frame and manifest, for a binary
/// installed outside the checkout (about 1 MB).
const EMBEDDED: [(&str, &[u8]); 3] = [
    (
        "frame_000.dump.gz",
        include_bytes!("../../../fixtures/cuzr65-4000/frame_000.dump.gz"),
    ),
    (
        "frame_040.dump.gz",
        include_bytes!("../../../fixtures/cuzr65-4000/frame_040.dump.gz"),
    ),
    (
        "manifest.json",
        include_bytes!("../../../fixtures/cuzr65-4000/manifest.json"),
    ),
];

/// Arguments of `interstice demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Output folder (created if needed; existing files of the same names are replaced atomically).
    #[arg(long, default_value = "interstice-demo")]
    pub out: PathBuf,
    /// The bundled 4 000-atom Cu65Zr35 fixture (the quenched glass and its sheared frames).
    #[arg(long, default_value = DEFAULT_FIXTURE)]
    pub fixture: PathBuf,
    /// The deformed frame: 40 × 0.125 % = 5 % shear strain.
    #[arg(long, default_value_t = 40)]
    pub strain_step: usize,
    /// Boosting stages per model (the paper uses 300).
    #[arg(long, default_value_t = 300)]
    pub trees: usize,
    /// Seed of the undersampling, folds and feature sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Runs the demo; prints each step and the metrics table to `out`.
pub fn run(args: &DemoArgs, out: &mut impl Write) -> Result<()> {
    let start = Instant::now();
    crate::common::check_trees(args.trees, "--trees")?;
    if args.strain_step == 0 {
        anyhow::bail!("--strain-step must be 1 or more: frame 0 is the reference itself");
    }
    if args.out.exists() && !args.out.is_dir() {
        anyhow::bail!("--out {}: is a file; expected a folder", args.out.display());
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = |name: &str| args.out.join(name);
    // Outside a checkout (an installed binary), the default fixture's two
    // frames and manifest come from the binary itself.
    let fixture = if !args.fixture.exists()
        && args.fixture == Path::new(DEFAULT_FIXTURE)
        && args.strain_step == 40
    {
        let dir = path("fixture");
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in EMBEDDED {
            std::fs::write(dir.join(name), bytes)
                .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
        }
        dir
    } else {
        args.fixture.clone()
    };
    let reference = fixture.join("frame_000.dump.gz");
    let deformed = fixture.join(format!("frame_{:03}.dump.gz", args.strain_step));
    for f in [&reference, &deformed] {
        if !f.exists() {
            anyhow::bail!(
                "{} not found: give --fixture a folder with frame_000.dump.gz and the sheared frames",
                f.display()
            );
        }
    }
    // The glass's elements and name from its manifest (as `cargo xtask md` writes it).
    let manifest_path = fixture.join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not valid JSON", manifest_path.display()))?;
    let elements: Vec<&str> = manifest["elements"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e.as_str()).collect())
        .unwrap_or_default();
    if elements.is_empty() {
        anyhow::bail!(
            "{}: expected an \"elements\" list (the element of each LAMMPS type)",
            manifest_path.display()
        );
    }
    let types = elements
        .iter()
        .enumerate()
        .map(|(k, e)| format!("{}={e}", k + 1))
        .collect::<Vec<_>>()
        .join(",");
    let condition = manifest["condition"]
        .as_str()
        .unwrap_or("glass")
        .to_string();
    writeln!(
        out,
        "interstice demo: {} (quenched) against {} ({:.3} % shear)",
        reference.display(),
        deformed.display(),
        args.strain_step as f64 * 0.125
    )?;

    write!(out, "1. features  ")?;
    featurize::run(
        &featurize::FeaturizeArgs {
            dump: reference.clone(),
            frame: 0,
            types: types.clone(),
            radii: None,
            preset: "paper80".into(),
            radical: false,
            face_threshold: 0.05,
            out: path("features.parquet"),
        },
        out,
    )?;
    write!(out, "2. labels    ")?;
    label::run(
        &label::LabelArgs {
            reference: reference.clone(),
            deformed,
            cutoff: 5.0,
            reference_frame: 0,
            frame: 0,
            percent: 5.0,
            threshold: None,
            per_neighbor: false,
            noise_floor: interstice_d2min::DEFAULT_NOISE_FLOOR,
            types: Some(types.clone()),
            out: path("labels.csv"),
        },
        out,
    )?;
    writeln!(
        out,
        "3. the paper's protocol: 3 undersamplings × 5 folds of gradient-boosted trees"
    )?;
    let mut report = Vec::new();
    train::run(
        &train::TrainArgs {
            features: path("features.parquet"),
            labels: path("labels.csv"),
            label_column: "plastic".into(),
            seed: args.seed,
            trees: args.trees,
            classifier: "gbdt".into(),
            out: Some(path("qs.csv")),
            qs: "mean".into(),
            metrics: Some(path("metrics.json")),
            curves: Some(path("curves")),
            model: Some(path("model.json")),
        },
        &mut report,
    )?;
    out.write_all(&report)?;
    let mut f = OutputFile::create(&path("metrics.txt"))?;
    f.write_all(&report)
        .with_context(|| format!("cannot write {}", path("metrics.txt").display()))?;
    f.commit()?;
    softness_dump(
        &reference,
        &path("labels.csv"),
        &path("qs.csv"),
        &path("softness.dump.gz"),
    )?;
    let softness = crate::figures::Softness::read_held_out(&path("qs.csv"))?;
    let title = format!(
        "Quench-in softness of the {condition} glass ({} atoms, held out)",
        softness.qs.len()
    );
    let figure = crate::figures::fig3::softness_histogram(&softness, title, &args.out, "softness")?;
    writeln!(
        out,
        "4. wrote {} (open it in OVITO and colour by qs, qs_held_out, d2min or plastic) and {}; all outputs in {} ({:.1} s)",
        path("softness.dump.gz").display(),
        figure.join("softness.png").display(),
        args.out.display(),
        start.elapsed().as_secs_f64()
    )?;
    Ok(())
}

/// The reference frame with `qs`, `d2min` and `plastic` columns.
fn softness_dump(reference: &Path, labels: &Path, qs: &Path, out: &Path) -> Result<()> {
    let mut frame = DumpReader::open(reference)?
        .read()?
        .with_context(|| format!("{} has no frame", reference.display()))?;
    let labels = Table::read_csv(labels)?;
    let qs = Table::read_csv(qs)?;
    let column = |t: &Table, name: &str| -> Result<Vec<f64>> {
        let k = t
            .column_index(name)
            .with_context(|| format!("no column {name}"))?;
        let by_id: std::collections::HashMap<u64, f64> =
            t.ids.iter().copied().zip(t.column(k)).collect();
        frame
            .ids()
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .copied()
                    .with_context(|| format!("no {name} for atom {id}"))
            })
            .collect()
    };
    let q = column(&qs, "qs")?;
    let h = column(&qs, "qs_held_out")?;
    let d = column(&labels, "d2min")?;
    let p = column(&labels, "plastic")?;
    frame.set_column("qs", ColumnData::Float(q))?;
    frame.set_column("qs_held_out", ColumnData::Float(h))?;
    frame.set_column("d2min", ColumnData::Float(d))?;
    frame.set_column(
        "plastic",
        ColumnData::Int(p.iter().map(|&x| x as i64).collect()),
    )?;
    let mut w = DumpWriter::create(out)?;
    w.write(&frame)?;
    w.finish()?;
    Ok(())
}
