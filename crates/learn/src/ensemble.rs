//! The trained ensemble as a file: the fold models of the protocol, the
//! feature columns they take in order, and what trained them. Quench-in
//! softness is the mean probability of the fold models.
//!
//! Serialisation is serde (JSON or postcard, chosen by the caller); reading
//! bytes and writing files is the caller's (in interstice, `interstice-io`).
//! A parsed file is trusted only after [`ModelFile::check`].

use crate::LearnError;
use crate::gbdt::{Gbdt, GbdtParams, Matrix};

/// The identifier of the model file layout.
pub const MODEL_FORMAT: &str = "interstice-gbdt-ensemble/1";

/// What `interstice train --model` writes and `interstice predict` reads.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelFile {
    /// Identifies the layout: [`MODEL_FORMAT`].
    pub format: String,
    /// The interstice version that trained it.
    pub interstice_version: String,
    /// Feature columns, in the order the models expect them.
    pub features: Vec<String>,
    /// The label column.
    pub label_column: String,
    /// Protocol seed.
    pub seed: u64,
    /// Booster settings.
    pub gbdt: GbdtParams,
    /// SHA-256 of the feature and label files.
    pub training_sha256: [String; 2],
    /// The feature preset, when the table says (Parquet from `interstice featurize`).
    #[serde(default)]
    pub preset: Option<String>,
    /// The fold models; quench-in softness is their mean probability.
    pub models: Vec<Gbdt>,
}

impl ModelFile {
    /// Checks the layout: the format, at least one fold model, distinct
    /// feature names, and every model taking that many features. The
    /// message says what is wrong; the caller adds the file name.
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] naming the first problem.
    pub fn check(&self) -> Result<(), LearnError> {
        let bad = |m: String| Err(LearnError::InvalidInput(m));
        if self.format != MODEL_FORMAT {
            return bad(format!(
                "model format '{}', expected '{MODEL_FORMAT}'",
                self.format
            ));
        }
        if self.models.is_empty() {
            return bad("the model file holds no fold models (\"models\" is empty)".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = self.features.iter().find(|f| !seen.insert(f.as_str())) {
            return bad(format!("feature column '{dup}' is listed twice"));
        }
        for (k, m) in self.models.iter().enumerate() {
            if m.n_features() != self.features.len() {
                return bad(format!(
                    "fold model {k} takes {} features, but the file names {}",
                    m.n_features(),
                    self.features.len()
                ));
            }
        }
        Ok(())
    }

    /// Checks that a table's feature columns are the model's, in order; the
    /// message names the first difference (the caller adds the table's name
    /// in front: "TABLE has …").
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] with the counts and the first difference.
    pub fn check_columns(&self, columns: &[String]) -> Result<(), LearnError> {
        if columns == self.features.as_slice() {
            return Ok(());
        }
        let k = columns
            .iter()
            .zip(&self.features)
            .position(|(a, b)| a != b)
            .unwrap_or(columns.len().min(self.features.len()));
        Err(LearnError::InvalidInput(format!(
            "has {} feature columns but the model was trained on {}; first difference at column {}: '{}' instead of '{}'",
            columns.len(),
            self.features.len(),
            k + 1,
            columns.get(k).map_or("(none)", String::as_str),
            self.features.get(k).map_or("(none)", String::as_str)
        )))
    }

    /// Quench-in softness of every row: the mean probability of the fold
    /// models, summed in fold order (so any thread count gives the same bits).
    ///
    /// # Errors
    /// As [`Gbdt::predict_proba`] (a matrix of the wrong width).
    pub fn softness(&self, x: &Matrix<'_>) -> Result<Vec<f64>, LearnError> {
        let mut qs = vec![0.0; x.rows()];
        for m in &self.models {
            for (q, p) in qs.iter_mut().zip(m.predict_proba(x)?) {
                *q += p / self.models.len() as f64;
            }
        }
        Ok(qs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(models: usize) -> (ModelFile, Vec<f64>) {
        // Two features, a label that is the first feature above 0.5.
        let rows = 60;
        let data: Vec<f64> = (0..rows * 2)
            .map(|k| ((k * 37 % 101) as f64) / 101.0)
            .collect();
        let x = Matrix::new(&data, rows, 2).unwrap();
        let y: Vec<bool> = (0..rows).map(|r| data[2 * r] > 0.5).collect();
        let models = (0..models)
            .map(|k| {
                let p = GbdtParams {
                    n_trees: 5 + k,
                    ..GbdtParams::default()
                };
                p.fit(&x, &y).unwrap()
            })
            .collect();
        let f = ModelFile {
            format: MODEL_FORMAT.into(),
            interstice_version: "test".into(),
            features: vec!["a".into(), "b".into()],
            label_column: "plastic".into(),
            seed: 1,
            gbdt: GbdtParams::default(),
            training_sha256: [String::new(), String::new()],
            preset: None,
            models,
        };
        (f, data)
    }

    #[test]
    fn softness_is_the_mean_of_the_fold_models() {
        let (f, data) = file(3);
        f.check().unwrap();
        let x = Matrix::new(&data, 60, 2).unwrap();
        let qs = f.softness(&x).unwrap();
        let each: Vec<Vec<f64>> = f
            .models
            .iter()
            .map(|m| m.predict_proba(&x).unwrap())
            .collect();
        for (r, q) in qs.iter().enumerate() {
            let mean = each.iter().map(|p| p[r]).sum::<f64>() / 3.0;
            assert!((q - mean).abs() < 1e-15);
        }
    }

    #[test]
    fn checks_name_the_problem() {
        let (mut f, _) = file(1);
        let msg = |f: &ModelFile| f.check().unwrap_err().to_string();
        f.features = vec!["a".into(), "a".into()];
        assert_eq!(msg(&f), "invalid input: feature column 'a' is listed twice");
        f.features = vec!["a".into(), "b".into(), "c".into()];
        assert_eq!(
            msg(&f),
            "invalid input: fold model 0 takes 2 features, but the file names 3"
        );
        f.models.clear();
        assert!(msg(&f).contains("holds no fold models"));
        f.format = "other".into();
        assert!(msg(&f).contains("model format 'other'"));
        let (f, _) = file(1);
        assert!(f.check_columns(&["a".into(), "b".into()]).is_ok());
        assert_eq!(
            f.check_columns(&["a".into(), "c".into()])
                .unwrap_err()
                .to_string(),
            "invalid input: has 2 feature columns but the model was trained on 2; first difference at column 2: 'c' instead of 'b'"
        );
    }
}
