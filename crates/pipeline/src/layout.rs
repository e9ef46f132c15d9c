//! Where a run keeps each data set's files: `<out>/<dataset>/`.

use std::path::PathBuf;

use interstice_features::Preset;

use crate::config::{Config, Dataset};

/// The files of a data set under `out`.
pub struct Layout {
    dir: PathBuf,
}

impl Layout {
    /// The folder of data set `d`.
    pub fn new(config: &Config, d: &Dataset) -> Layout {
        Layout {
            dir: config.out.join(&d.name),
        }
    }
    /// Features of one set.
    pub fn features(&self, set: Preset) -> PathBuf {
        self.dir.join(format!("features-{}.parquet", set.name()))
    }
    /// D²min and labels.
    pub fn labels(&self) -> PathBuf {
        self.dir.join("labels.csv")
    }
    /// The protocol's outputs for one set (base only).
    pub fn trained(&self, set: Preset, file: &str) -> PathBuf {
        self.dir.join(set.name()).join(file)
    }
    /// Softness from the base model (other data sets).
    pub fn transfer_qs(&self, set: Preset) -> PathBuf {
        self.dir.join(format!("qs-from-base-{}.csv", set.name()))
    }
    /// Transfer scores (other data sets).
    pub fn transfer_scores(&self, set: Preset) -> PathBuf {
        self.dir.join(format!("transfer-{}.json", set.name()))
    }
    /// The strain step at which each atom first becomes plastic (base).
    pub fn first_plastic(&self) -> PathBuf {
        self.dir.join("first-plastic.csv")
    }
}
