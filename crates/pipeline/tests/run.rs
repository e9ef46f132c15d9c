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
draw = ["fig1", "fig2", "fig3a", "fig3b", "fig3c", "fig3d", "fig3e", "fig4", "fig5"]

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
    // Both protocols, side by side: the honest scores are there for every
    // feature set and transfer target, and Fig. 5 has a guard curve per set
    // (one glass of the base condition: no learning curve).
    for b in &results.base {
        let h = &b.blocks;
        assert_eq!(h.guard, 5.0);
        assert!(h.roc_auc.0 > 0.3 && h.roc_auc.0 < 1.0, "{h:?}");
        assert!(h.roc_auc_ci.0 <= h.roc_auc.0 && h.roc_auc.0 <= h.roc_auc_ci.1);
    }
    assert_eq!(results.transfer.len(), 2);
    for t in &results.transfer {
        assert_eq!(
            t.delta_auc_blocks(),
            t.scores.roc_auc - t.own_blocks_roc_auc
        );
    }
    let fig5 = figures::compute(FigureId::Fig5, &inputs).unwrap();
    let s = &fig5.numbers.summary;
    assert_eq!(s.len(), 12, "{s:?}");
    assert_eq!(
        s["guard_roc_auc_paper80_5A"],
        interstice_pipeline::honest::read_guard_curve(
            &dir.path().join("base/paper80/guard-curve.csv")
        )
        .unwrap()[5]
            .1
    );
    let fig3a = figures::compute(FigureId::Fig3a, &inputs).unwrap();
    let mean_qs = fig3a.numbers.summary["mean_qs"];
    assert!(mean_qs > 0.0 && mean_qs < 1.0, "{mean_qs}");
    assert!(results.base(Preset::Paper80).is_some());
}

/// The learning curve through the engine: two glasses of one condition.
/// (The Cu50Zr50 fixture stands in for a second Cu65Zr35 configuration:
/// both are Cu-Zr, so the feature columns agree, which is all the
/// mechanics need.)
#[test]
fn learning_curve_over_the_base_conditions_glasses() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
out = {out:?}
trees = 10
draw = ["fig5"]
# The classical set is not a transfer set: the learning curve alone needs
# it on the second glass.
feature_sets = ["paper80", "classical"]

[labels]
frame = 80

[evaluation]
guard_curve = [0, 5]

[[dataset]]
name = "base"
dir = {base:?}
condition = "Cu65Zr35"
types = "1=Cu,2=Zr"
role = "base"

[[dataset]]
name = "second"
dir = {other:?}
condition = "Cu65Zr35"
types = "1=Cu,2=Zr"
role = "new-configuration"
"#,
        out = dir.path(),
        base = fixture("cuzr65-4000"),
        other = fixture("cu50zr50-1372"),
    );
    let c = Config::from_toml(&text, Path::new("/")).unwrap();
    interstice_pipeline::run(&c, &RunOptions::default(), &mut Quiet).unwrap();
    let points = interstice_pipeline::honest::read_learning_curve(
        &dir.path().join("base/paper80/learning-curve.csv"),
    )
    .unwrap();
    // One training glass, each glass tested once by a model of the other.
    assert_eq!(points.len(), 2);
    assert!(
        points
            .iter()
            .all(|p| p.training_glasses == 1 && p.subsets == 1)
    );
    let summary: std::collections::BTreeMap<String, f64> = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("figures/fig5/summary.json")).unwrap(),
    )
    .unwrap();
    let mean = (points[0].roc_auc + points[1].roc_auc) / 2.0;
    assert!(
        (summary["learning_roc_auc_paper80_1glasses"] - mean).abs() < 1e-12,
        "{summary:?}"
    );
    assert!(summary.contains_key("guard_roc_auc_paper80_0A"));
    let classical = interstice_pipeline::honest::read_learning_curve(
        &dir.path().join("base/classical/learning-curve.csv"),
    )
    .unwrap();
    assert_eq!(classical.len(), 2);
    assert!(summary.contains_key("learning_roc_auc_classical_1glasses"));
}

/// Labels combined over loading directions: a committed glass sheared in
/// six directions gives the same labels through a run as through the
/// library's `label` and `combine`; a glass without directions is refused
/// before any work.
#[test]
fn labels_combined_over_directions() {
    let glass =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/Cu65Zr35/n4000-r1e13/seed1");
    let dir = tempfile::tempdir().unwrap();
    let text = |glass: &Path| {
        format!(
            r#"
out = {out:?}
trees = 5

[labels]
combine = "rank-mean"

[[dataset]]
name = "base"
dir = {glass:?}
condition = "Cu65Zr35"
types = "1=Cu,2=Zr"
role = "base"
"#,
            out = dir.path(),
        )
    };
    let c = Config::from_toml(&text(&glass), Path::new("/")).unwrap();
    assert_eq!(c.base().directions(40).len(), 5);
    let report = interstice_pipeline::run(&c, &RunOptions::default(), &mut Quiet).unwrap();
    // The reference and six sheared frames, each read once.
    assert_eq!(report.frames_read.len(), 7, "{:?}", report.frames_read);
    assert!(report.frames_read.values().all(|&n| n == 1));

    let read = |p: &Path| {
        interstice_io::Trajectory::open(p)
            .unwrap()
            .with_type_map(&c.base().types)
            .read()
            .unwrap()
            .unwrap()
    };
    let reference = read(&glass.join("frame_000.dump.gz"));
    let rule = c.labels.rule();
    let mut runs = vec![
        interstice_pipeline::label::label(
            &reference,
            &read(&glass.join("frame_040.dump.gz")),
            &rule,
            false,
        )
        .unwrap(),
    ];
    for p in c.base().directions(40) {
        runs.push(interstice_pipeline::label::label(&reference, &read(&p), &rule, false).unwrap());
    }
    let want = interstice_pipeline::label::combine(
        runs,
        &rule,
        interstice_pipeline::label::Combine::RankMean,
    )
    .unwrap();
    let table = interstice_io::Table::read_csv(dir.path().join("base/labels.csv")).unwrap();
    let got = table.column(table.column_index("plastic").unwrap());
    assert_eq!(
        got,
        want.plastic
            .iter()
            .map(|&p| f64::from(u8::from(p)))
            .collect::<Vec<_>>()
    );
    assert!(table.column_index("plastic_6").is_some());
    assert_eq!(got.iter().filter(|&&p| p == 1.0).count(), 200);

    // No directions: named before any work.
    let c = Config::from_toml(&text(&fixture("cuzr65-4000")), Path::new("/")).unwrap();
    let e = format!(
        "{:#}",
        interstice_pipeline::run(&c, &RunOptions::default(), &mut Quiet).unwrap_err()
    );
    assert!(
        e.contains("labels.combine = \"rank-mean\" needs the other loading directions"),
        "{e}"
    );
}
