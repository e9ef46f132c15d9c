//! The `interstice run` configuration of a reproduction, built as an
//! `interstice_pipeline::Config`.

use super::*;

/// The config of `interstice run`, as TOML; relative paths would be taken
/// from the file's folder, so every path here is absolute.
pub fn config_toml(
    out: &Path,
    figures: &Path,
    draw: &[FigureId],
    samples: &[Sample],
) -> Result<String> {
    let datasets: Vec<Dataset> = samples
        .iter()
        .map(|sample| {
            let e = &sample.entry;
            Ok(Dataset {
                name: e.name(),
                dir: sample.dir.clone(),
                condition: e.condition.name.into(),
                atoms: Some(e.atoms()),
                rate: Some(e.rate),
                seed: Some(e.seed),
                types: interstice_core::TypeMap::parse(&e.types())?,
                role: e.role,
            })
        })
        .collect::<Result<_>>()?;
    // Labels that describe the glass rather than one run (shared/SPEC.md
    // §6, issue 15 §3): the plastic propensity over every loading direction,
    // when every sample was sheared in several; else the paper's one.
    let combine = datasets
        .iter()
        .all(|d| !d.directions(LABEL_FRAME).is_empty())
        .then_some(interstice_pipeline::label::Combine::RankMean);
    let config = Config {
        out: out.to_path_buf(),
        figures: Some(figures.to_path_buf()),
        seed: 0,
        trees: 300,
        feature_sets: vec![Preset::Paper80, Preset::Sf166, Preset::Classical],
        draw: draw.to_vec(),
        labels: LabelConfig {
            frame: LABEL_FRAME,
            combine,
            ..LabelConfig::default()
        },
        // The honest protocol beside the paper's (slabs, the default guard).
        evaluation: interstice_pipeline::config::EvaluationConfig::default(),
        datasets,
    };
    Ok(format!(
        "# Written by `cargo xtask reproduce`; read by `interstice run`.\n{}",
        config.to_toml()?
    ))
}
