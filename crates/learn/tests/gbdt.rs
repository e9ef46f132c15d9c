//! Our gradient boosting against scikit-learn's GradientBoostingClassifier
//! with the paper's settings on the same data and split
//! (`tests/data/sklearn-gbdt/`, made by its `make_reference.py`): the test
//! ROC-AUC, averaged over five seeds on each side, agrees within 0.01.

use std::io::Read;

use interstice_learn::gbdt::{GbdtParams, Matrix};
use interstice_learn::metrics::roc_auc;

#[test]
fn auc_within_001_of_scikit_learn() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sklearn-gbdt");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(format!("{dir}/data.csv.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let cols = lines.next().unwrap().split(',').count() - 1;
    let (mut train_x, mut train_y, mut test_x, mut test_y) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (k, l) in lines.enumerate() {
        let v: Vec<f64> = l.split(',').map(|s| s.parse().unwrap()).collect();
        let (x, y) = if k % 3 != 0 {
            (&mut train_x, &mut train_y)
        } else {
            (&mut test_x, &mut test_y)
        };
        x.extend_from_slice(&v[..cols]);
        y.push(v[cols] == 1.0);
    }
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/reference.json")).unwrap())
            .unwrap();
    let sklearn = reference["test_auc_mean"].as_f64().unwrap();
    let train = Matrix::new(&train_x, train_y.len(), cols).unwrap();
    let test = Matrix::new(&test_x, test_y.len(), cols).unwrap();
    let mut aucs = Vec::new();
    for seed in 0..5 {
        let model = GbdtParams {
            seed,
            ..GbdtParams::default()
        }
        .fit(&train, &train_y)
        .unwrap();
        assert_eq!(model.n_trees(), 300);
        aucs.push(roc_auc(&test_y, &model.predict_proba(&test).unwrap()).unwrap());
    }
    let ours = aucs.iter().sum::<f64>() / aucs.len() as f64;
    eprintln!("test ROC-AUC: ours {ours:.4} {aucs:?}, scikit-learn {sklearn:.4}");
    assert!(
        (ours - sklearn).abs() < 0.01,
        "ours {ours} vs scikit-learn {sklearn}"
    );
}
