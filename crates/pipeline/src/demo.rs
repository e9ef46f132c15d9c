//! The whole method on one glass in one folder (`interstice demo`): the
//! paper's 80 features of the quenched glass, D²min labels of a sheared
//! frame, the 3 × 5 protocol, quench-in softness, the metrics table, an OVITO
//! dump coloured by softness and a histogram.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use interstice_core::{ColumnData, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_io::DumpWriter;
use interstice_learn::protocol::ModelKind;

use crate::common::LabelRule;
use crate::featurize::{self, Source};
use crate::figures::Softness;
use crate::label::{self, Labels};
use crate::{model, train};

/// What the demo runs on and where it writes.
#[derive(Clone, Debug)]
pub struct DemoParams {
    /// A glass folder: `frame_000.dump.gz`, the sheared frames and `manifest.json`
    /// (its `elements` and `condition`, as `cargo xtask md` writes them).
    pub fixture: PathBuf,
    /// The output folder (existing).
    pub out: PathBuf,
    /// The sheared frame labelled (40 × 0.125 % = 5 %).
    pub strain_step: usize,
    /// Boosting stages per model.
    pub trees: usize,
    /// The protocol's seed.
    pub seed: u64,
}

/// Runs the demo; prints each step and the metrics table to `out`.
///
/// # Errors
/// Missing frames or manifest, and the errors of each step.
pub fn run(params: &DemoParams, out: &mut dyn Write) -> Result<()> {
    let start = Instant::now();
    let fixture = &params.fixture;
    let path = |name: &str| params.out.join(name);
    let reference = fixture.join("frame_000.dump.gz");
    let deformed = fixture.join(format!("frame_{:03}.dump.gz", params.strain_step));
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
        params.strain_step as f64 * 0.125
    )?;

    let map = TypeMap::parse(&types).context("the manifest's elements")?;
    let mut reader = crate::common::open_frames(&reference, Some(&map))?;
    let (_, frame) = crate::common::read_frame(&mut reader, 0, "the reference")?;
    let start_features = Instant::now();
    let ctx = FrameContext::new(&frame, &map, ContextParams::paper())?;
    let source = Source {
        name: reference.display().to_string(),
        frame: 0,
    };
    let table = featurize::features(&ctx, Preset::Paper80, &source)?;
    let elapsed = start_features.elapsed().as_secs_f64();
    featurize::write(
        &table,
        &ctx,
        Preset::Paper80,
        &source,
        &path("features.parquet"),
    )?;
    writeln!(
        out,
        "1. features  {} atoms × {} features (paper80) in {elapsed:.2} s; wrote {}",
        frame.len(),
        table.columns.len(),
        path("features.parquet").display()
    )?;
    let mut reader = crate::common::open_frames(&deformed, Some(&map))?;
    let (_, sheared) = crate::common::read_frame(&mut reader, 0, "the deformed frame")?;
    let rule = LabelRule {
        cutoff: 5.0,
        percent: 5.0,
        threshold: None,
        noise_floor: interstice_d2min::DEFAULT_NOISE_FLOOR,
    };
    let labels = label::label(&frame, &sheared, &rule, false)?;
    labels.write_csv(&path("labels.csv"))?;
    writeln!(
        out,
        "2. labels    {}; wrote {}",
        labels.summary(),
        path("labels.csv").display()
    )?;
    if let Some(note) = labels.invalid_note() {
        writeln!(out, "{note}")?;
    }
    writeln!(
        out,
        "3. the paper's protocol: 3 undersamplings × 5 folds of gradient-boosted trees"
    )?;
    let protocol = train::protocol(params.seed, params.trees, ModelKind::Gbdt);
    let t = train::train(
        table,
        Some(Preset::Paper80.name().into()),
        labels.plastic.clone(),
        "plastic",
        protocol,
        &path("labels.csv"),
    )?;
    let mut report = t.report();
    let file = t.model_file(&path("features.parquet"), &path("labels.csv"))?;
    model::save(&file, &path("model.json"))?;
    report.push_str(&format!(
        "wrote {} models to {}\n",
        file.models.len(),
        path("model.json").display()
    ));
    t.write_metrics(&path("metrics.json"))?;
    report.push_str(&format!(
        "wrote metrics to {}\n",
        path("metrics.json").display()
    ));
    t.write_curves(&path("curves"))?;
    report.push_str(&format!(
        "wrote ROC and PR curves to {}-roc.csv and -pr.csv\n",
        path("curves").display()
    ));
    t.write_softness(&path("qs.csv"), false)?;
    report.push_str(&format!(
        "wrote quench-in softness to {}\n",
        path("qs.csv").display()
    ));
    out.write_all(report.as_bytes())?;
    crate::common::write_file(&path("metrics.txt"), report.as_bytes())?;
    softness_dump(
        frame.clone(),
        &labels,
        &t.result.qs,
        &t.result.qs_held_out,
        &path("softness.dump.gz"),
    )?;
    let softness = Softness::read_held_out(&path("qs.csv"))?;
    let title = format!(
        "Quench-in softness of the {condition} glass ({} atoms, held out)",
        softness.qs.len()
    );
    let figure = crate::figure_files::write(
        &crate::figures::fig3::softness_histogram(&softness, title, "softness"),
        &params.out,
    )?;
    writeln!(
        out,
        "4. wrote {} (open it in OVITO and colour by qs, qs_held_out, d2min or plastic) and {}; all outputs in {} ({:.1} s)",
        path("softness.dump.gz").display(),
        figure.join("softness.png").display(),
        params.out.display(),
        start.elapsed().as_secs_f64()
    )?;
    Ok(())
}

/// The reference frame with `qs`, `qs_held_out`, `d2min` and `plastic`
/// columns (every array in the frame's atom order).
fn softness_dump(
    mut frame: interstice_core::Frame,
    labels: &Labels,
    qs: &[f64],
    held_out: &[f64],
    out: &Path,
) -> Result<()> {
    frame.set_column("qs", ColumnData::Float(qs.to_vec()))?;
    frame.set_column("qs_held_out", ColumnData::Float(held_out.to_vec()))?;
    frame.set_column("d2min", ColumnData::Float(labels.strain.d2min.clone()))?;
    frame.set_column(
        "plastic",
        ColumnData::Int(labels.plastic.iter().map(|&p| i64::from(p)).collect()),
    )?;
    let mut w = DumpWriter::create(out)?;
    w.write(&frame)?;
    w.finish()?;
    Ok(())
}
