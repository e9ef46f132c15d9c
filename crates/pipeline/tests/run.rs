//! The pipeline from library code: a run on two bundled glasses reads each
//! frame once and tessellates the base glass once, and every figure's
//! numbers come back from library calls equal to the files the run wrote.

use std::path::{Path, PathBuf};

use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_pipeline::figures::{self, Inputs};
use interstice_pipeline::{Config, FigureId, Quiet, RunOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn config(out: &Path) -> Config {
    let text = format!(
        r#"
out = {out:?}
trees = 20
feature_sets = ["paper80", "sf166"]
draw = ["fig1", "fig2", "fig3a", "fig3b", "fig3c", "fig3d", "fig3e", "fig4"]

[labels]
frame = 80

[[dataset]]
name = "base"
dir = {base:?}
condition = "Cu65Zr35"
types = "1=Cu,2=Zr"
role = "base"

[[dataset]]
name = "other"
dir = {other:?}
condition = "Cu50Zr50"
types = "1=Cu,2=Zr"
role = "other-composition"
"#,
        base = fixture("cuzr65-4000"),
        other = fixture("cu50zr50-1372"),
    );
    Config::from_toml(&text, Path::new("/")).unwrap()
}

#[test]
fn each_frame_is_read_once_and_the_base_glass_tessellated_once() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path());
    let report = interstice_pipeline::run(&c, &RunOptions::default(), &mut Quiet).unwrap();
    let base = fixture("cuzr65-4000").join("frame_000.dump.gz");
    let other = fixture("cu50zr50-1372").join("frame_000.dump.gz");
    // Features of two sets, labels, Fig. 1 and Fig. 3c all use the base
    // frame; the strain map starts from it too.
    assert_eq!(report.frames_read.get(&base), Some(&1), "{report:?}");
    assert_eq!(report.frames_read.get(&other), Some(&1));
    for (path, n) in &report.frames_read {
        assert_eq!(*n, 1, "{} read {n} times", path.display());
    }
    assert_eq!(report.tessellations.get(&base), Some(&1));
    assert_eq!(report.tessellations.get(&other), Some(&1));
    assert_eq!(report.figures.len(), c.draw.len());

    // A second run finds every step up to date and reads only what the
    // figures need: the base frame, once.
    let again = interstice_pipeline::run(&c, &RunOptions::default(), &mut Quiet).unwrap();
    assert_eq!(again.frames_read.len(), 1, "{:?}", again.frames_read);
    assert_eq!(again.frames_read.get(&base), Some(&1));
    assert_eq!(again.results, report.results);

    // Every figure's numbers from library calls, without drawing, equal
    // what the run wrote.
    let results = interstice_pipeline::results::collect(&c).unwrap();
    assert_eq!(results, report.results);
    let frame = interstice_io::Trajectory::open(&base)
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let ctx = FrameContext::new(&frame, &c.datasets[0].types, ContextParams::paper()).unwrap();
    let inputs = Inputs {
        config: &c,
        results: &results,
        base: &ctx,
    };
    for &id in &c.draw {
        let data = figures::compute(id, &inputs).unwrap();
        let dir = c.figures_dir().join(id.name());
        let csv = std::fs::read_to_string(dir.join(format!("{id}.csv"))).unwrap();
        assert_eq!(data.numbers.csv, csv, "{id}");
        let summary: std::collections::BTreeMap<String, f64> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(data.numbers.summary, summary, "{id}");
        // The series serialise (for Python, a notebook or another plotter).
        assert!(
            serde_json::to_string(&data)
                .unwrap()
                .contains(&format!("\"{id}\""))
        );
    }
    let fig3a = figures::compute(FigureId::Fig3a, &inputs).unwrap();
    let mean_qs = fig3a.numbers.summary["mean_qs"];
    assert!(mean_qs > 0.0 && mean_qs < 1.0, "{mean_qs}");
    assert!(results.base(Preset::Paper80).is_some());
}
