//! One test per figure of the paper: `interstice run` over the bundled
//! fixtures (tests/data/pipeline/fixtures.toml), then that figure alone with
//! `--only`, so no figure can rot.
//!
//! The tests share one output folder: the first one pays for the pipeline
//! (features, labels, the base protocol, transfer), the others find those
//! steps up to date and only draw. A mutex keeps the runs one at a time.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::interstice;

const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/pipeline/fixtures.toml"
);

/// The shared output folder, made by the first test that runs.
static OUT: Mutex<Option<tempfile::TempDir>> = Mutex::new(None);

/// Runs the pipeline and draws figure `id`; returns its folder and summary.
fn draw(id: &str) -> (PathBuf, BTreeMap<String, f64>) {
    let mut out = OUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = out
        .get_or_insert_with(|| tempfile::tempdir().unwrap())
        .path()
        .to_path_buf();
    let (ok, stdout, err) =
        interstice(&["run", CONFIG, "--out", root.to_str().unwrap(), "--only", id]);
    assert!(ok, "interstice run --only {id} failed:\n{stdout}\n{err}");
    let dir = root.join("figures").join(id);
    for (ext, least) in [("png", 10_000), ("svg", 2_000), ("csv", 100)] {
        let f = dir.join(format!("{id}.{ext}"));
        let len = std::fs::metadata(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
            .len();
        assert!(len > least, "{} has only {len} bytes", f.display());
    }
    let png = std::fs::read(dir.join(format!("{id}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{id}.png is not a PNG");
    let svg = std::fs::read_to_string(dir.join(format!("{id}.svg"))).unwrap();
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    let summary: BTreeMap<String, f64> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
            .unwrap_or_else(|e| panic!("{id}/summary.json: {e}"));
    assert!(!summary.is_empty(), "{id}: empty summary");
    for (k, v) in &summary {
        assert!(v.is_finite(), "{id}: {k} = {v}");
    }
    // No temporary file is left behind.
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name();
        assert!(
            !name.to_string_lossy().contains(".tmp"),
            "{id}: left {name:?}"
        );
    }
    (dir, summary)
}

fn csv_rows(dir: &Path, id: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join(format!("{id}.csv")))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn get(s: &BTreeMap<String, f64>, key: &str) -> f64 {
    *s.get(key)
        .unwrap_or_else(|| panic!("summary lacks {key}: {s:?}"))
}

#[test]
fn fig1_interstices_of_a_slab_and_of_one_atom() {
    let (_, s) = draw("fig1");
    // Interstices are fractions of space not filled by atoms: in (0, 1).
    for k in [
        "mean_area_interstice_2d",
        "mean_distance_interstice",
        "mean_area_interstice",
        "mean_volume_interstice",
    ] {
        let v = get(&s, k);
        assert!(v > 0.0 && v < 1.0, "{k} = {v}");
    }
    // Volume interstices leave more of the space empty than distance ones
    // in a dense packing of spheres, but both are well below one half.
    assert!(get(&s, "mean_volume_interstice") > get(&s, "mean_distance_interstice"));
}

#[test]
fn fig2_feature_sets_by_roc() {
    let (dir, s) = draw("fig2");
    for set in ["paper80", "sf166", "classical"] {
        let auc = get(&s, &format!("roc_auc_{set}"));
        assert!(auc > 0.5 && auc <= 1.0, "{set}: {auc}");
    }
    // The interstice features beat the symmetry functions on this glass, as
    // in the paper (0.741 against 0.615 here, on 15 models each).
    assert!(get(&s, "roc_auc_paper80") > get(&s, "roc_auc_sf166"));
    assert!(!csv_rows(&dir, "fig2").is_empty());
}

#[test]
fn fig3a_quench_in_softness_histogram() {
    let (_, s) = draw("fig3a");
    let mean = get(&s, "mean_qs");
    assert!(mean > 0.0 && mean < 1.0);
    // Plastic atoms are softer than the glass on average.
    assert!(get(&s, "mean_qs_plastic") > mean);
    let shares = get(&s, "share_qs_below_0.1") + get(&s, "share_qs_above_0.7");
    assert!(shares <= 1.0);
}

#[test]
fn fig3b_plastic_probability_rises_with_softness() {
    let (_, s) = draw("fig3b");
    let base = get(&s, "base_rate");
    assert!(
        (base - 0.05).abs() < 1e-3,
        "5 % of atoms are labelled: {base}"
    );
    assert!(get(&s, "p_plastic_qs_above_0.7") > base);
    assert!(get(&s, "p_plastic_qs_below_0.1") < base);
}

#[test]
fn fig3c_mass_radius_scaling() {
    let (_, s) = draw("fig3c");
    // All atoms of a homogeneous glass fill space: dimension near 3.
    let all = get(&s, "fractal_dimension_all");
    assert!((all - 3.0).abs() < 0.3, "all atoms: D = {all}");
    assert!(get(&s, "atoms_all") == 4000.0);
    for key in ["hardest", "softest"] {
        let d = get(&s, &format!("fractal_dimension_{key}"));
        assert!(d > 0.5 && d < 3.5, "{key}: D = {d}");
    }
}

#[test]
fn fig3d_soft_and_hard_interstice_features() {
    let (dir, s) = draw("fig3d");
    assert!(s.keys().all(|k| k.starts_with("soft_minus_hard_")));
    // Min–max scaled features: differences of means lie in [-1, 1].
    assert!(s.values().all(|v| v.abs() <= 1.0));
    assert!(!csv_rows(&dir, "fig3d").is_empty());
}

#[test]
fn fig3e_softness_of_atoms_as_they_activate() {
    let (dir, s) = draw("fig3e");
    let share = get(&s, "share_activated");
    assert!(share > 0.0 && share <= 1.0);
    // Atoms that yield first are softer than the glass as a whole.
    assert!(get(&s, "mean_qs_first_activated_quarter") > get(&s, "mean_qs_all"));
    assert!(get(&s, "mean_qs_later_activated") > get(&s, "mean_qs_all"));
    assert!(!csv_rows(&dir, "fig3e").is_empty());
}

#[test]
fn fig3f_softness_of_other_compositions_and_rates() {
    let (dir, s) = draw("fig3f");
    // The base and the other-composition fixture (Cu50Zr50).
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s.values().all(|v| *v > 0.0 && *v < 1.0));
    let rows = csv_rows(&dir, "fig3f");
    // Each data set's histogram is a density over [0, 1]: it integrates to 1.
    let mut area: BTreeMap<String, f64> = BTreeMap::new();
    for r in &rows {
        let (lo, hi, y): (f64, f64, f64) = (
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
            r[5].parse().unwrap(),
        );
        *area.entry(r[0].clone()).or_default() += (hi - lo) * y;
    }
    assert_eq!(area.len(), 2);
    for (d, a) in area {
        assert!((a - 1.0).abs() < 1e-9, "{d}: {a}");
    }
}

#[test]
fn fig4_transfer_scenarios() {
    let (dir, s) = draw("fig4");
    // The fixtures hold two scenarios: another composition (Cu50Zr50) and
    // three other systems; both feature sets transfer.
    let mut keys: Vec<&str> = s.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "delta_auc_blocks_other_composition_paper80",
            "delta_auc_blocks_other_composition_sf166",
            "delta_auc_blocks_other_system_paper80",
            "delta_auc_blocks_other_system_sf166",
            "delta_auc_other_composition_paper80",
            "delta_auc_other_composition_sf166",
            "delta_auc_other_system_paper80",
            "delta_auc_other_system_sf166",
        ]
    );
    let rows = csv_rows(&dir, "fig4");
    // Four target data sets × two feature sets, on the natural class ratio.
    assert_eq!(rows.len(), 8, "{rows:?}");
    for r in rows {
        let auc: f64 = r[3].parse().unwrap();
        assert!((0.0..=1.0).contains(&auc), "{r:?}");
        // Both protocols: ΔAUC against the target's random-fold score and
        // against its slab score (the honest one).
        let num = |k: usize| -> f64 { r[k].parse().unwrap() };
        assert!((num(6) - (auc - num(5))).abs() < 1e-12, "{r:?}");
        assert!((num(8) - (auc - num(7))).abs() < 1e-12, "{r:?}");
        let base_rate: f64 = r[11].parse().unwrap();
        assert!(
            (base_rate - 0.05).abs() < 0.01,
            "natural class ratio: {r:?}"
        );
    }
}
