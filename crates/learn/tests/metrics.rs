//! Metrics against scikit-learn 1.9.1 on the same labels and scores
//! (`tests/data/sklearn-metrics/`, made by its `make_reference.py`; scores
//! rounded to two decimals so that ties occur).

use interstice_learn::metrics::{Confusion, average_precision, roc_auc, roc_curve};

#[test]
fn equal_to_scikit_learn() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sklearn-metrics/reference.json"
    ))
    .unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reference["sklearn"], "1.9.1");
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let labels: Vec<bool> = case["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64() == Some(1))
            .collect();
        let scores: Vec<f64> = case["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let close = |ours: f64, key: &str| {
            let theirs = case[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() < 1e-12,
                "seed {}: {key} {ours} vs scikit-learn {theirs}",
                case["seed"]
            );
        };
        close(roc_auc(&labels, &scores).unwrap(), "roc_auc");
        close(
            average_precision(&labels, &scores).unwrap(),
            "average_precision",
        );
        let c = Confusion::new(&labels, &scores).unwrap();
        close(c.accuracy(), "accuracy");
        close(c.f1(), "f1");
        close(c.precision(), "precision");
        close(c.recall(), "recall");
        // The ROC curve is monotone and ends at (1, 1).
        let roc = roc_curve(&labels, &scores).unwrap();
        assert!(roc.x.windows(2).all(|w| w[0] <= w[1]) && roc.y.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!((roc.x.last(), roc.y.last()), (Some(&1.0), Some(&1.0)));
    }
}
