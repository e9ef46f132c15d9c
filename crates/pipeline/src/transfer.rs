//! A base model scored on another data set (the transfer test of the
//! paper's Fig. 4), on the natural class ratio and on balanced undersamplings.

use std::path::Path;

use anyhow::{Context, Result};
use interstice_core::rng::SplitMix64;
use interstice_io::Table;
use interstice_learn::metrics::{average_precision, precision_at_top_percent, roc_auc};
use interstice_learn::protocol::mean_std;
use serde::{Deserialize, Serialize};

/// Balanced undersamplings of a target data set when scoring transfer.
pub const UNDERSAMPLINGS: usize = 3;

/// Scores of a base model on another data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransferScores {
    /// ROC-AUC on every atom (natural class ratio).
    pub roc_auc: f64,
    /// ROC-AUC on balanced undersamplings: mean and standard deviation.
    pub balanced_roc_auc: (f64, f64),
    /// Average precision (PR-AUC), natural ratio.
    pub average_precision: f64,
    /// Precision among the top 5 % softest atoms, natural ratio.
    pub precision_top: f64,
    /// The share of plastic atoms (chance level of the two above).
    pub base_rate: f64,
}

impl TransferScores {
    /// Scores `qs` against `y`.
    ///
    /// # Errors
    /// One class only, or mismatched lengths.
    pub fn of(y: &[bool], qs: &[f64], seed: u64) -> Result<TransferScores> {
        let pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
        let neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
        let mut balanced = Vec::new();
        for k in 0..UNDERSAMPLINGS {
            let mut rng = SplitMix64::new(seed.wrapping_mul(1_000_003).wrapping_add(k as u64));
            let mut maj = neg.clone();
            rng.shuffle(&mut maj);
            maj.truncate(pos.len());
            let idx: Vec<usize> = pos.iter().chain(&maj).copied().collect();
            let yy: Vec<bool> = idx.iter().map(|&i| y[i]).collect();
            let ss: Vec<f64> = idx.iter().map(|&i| qs[i]).collect();
            balanced.push(roc_auc(&yy, &ss)?);
        }
        Ok(TransferScores {
            roc_auc: roc_auc(y, qs)?,
            balanced_roc_auc: mean_std(&balanced),
            average_precision: average_precision(y, qs)?,
            precision_top: precision_at_top_percent(y, qs, 5.0)?,
            base_rate: pos.len() as f64 / y.len().max(1) as f64,
        })
    }

    /// Reads scores written by [`TransferScores::write`].
    ///
    /// # Errors
    /// A missing or malformed file.
    pub fn read(path: &Path) -> Result<TransferScores> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not transfer scores", path.display()))
    }

    /// Writes the scores as pretty JSON.
    ///
    /// # Errors
    /// File errors.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut f = interstice_io::OutputFile::create(path)?;
        serde_json::to_writer_pretty(&mut f, self)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.commit()?;
        Ok(())
    }

    /// One line for a log.
    pub fn line(&self) -> String {
        format!(
            "ROC-AUC {:.3} (balanced {:.3} ± {:.3}), PR-AUC {:.3} (chance {:.3}), precision in the top 5 % {:.3}",
            self.roc_auc,
            self.balanced_roc_auc.0,
            self.balanced_roc_auc.1,
            self.average_precision,
            self.base_rate,
            self.precision_top
        )
    }
}

/// The D²min value at and above which an atom of a labels table was
/// labelled plastic (the smallest D²min of a plastic atom).
///
/// # Errors
/// A missing file or column, or no plastic atom.
pub fn label_threshold(labels: &Path) -> Result<f64> {
    let t = Table::read_csv(labels)?;
    // Labels combined over directions: the primary direction's own D²min
    // and label (`d2min_1`, `plastic_1`), the run the strain map follows.
    let (dn, pn) = if t.column_index("d2min_1").is_some() {
        ("d2min_1", "plastic_1")
    } else {
        ("d2min", "plastic")
    };
    let d = t
        .column_index(dn)
        .with_context(|| format!("{}: no {dn} column", labels.display()))?;
    let p = t
        .column_index(pn)
        .with_context(|| format!("{}: no {pn} column", labels.display()))?;
    let (d, p) = (t.column(d), t.column(p));
    d.iter()
        .zip(&p)
        .filter(|(_, p)| **p == 1.0)
        .map(|(d, _)| *d)
        .min_by(f64::total_cmp)
        .with_context(|| format!("{}: no plastic atom", labels.display()))
}
