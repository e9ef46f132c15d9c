//! The whole Wang & Jain method as a library: a typed [`Config`], the
//! stamped step engine that runs it ([`run`]), the results table, and every
//! figure of the paper as numbers ([`figures`]) apart from their drawing.
//!
//! The `interstice` binary is a thin driver over this crate; a Python
//! binding or your own Rust program can run the same pipeline or compute
//! one figure's numbers. Each step is also a function here with typed
//! parameters: [`featurize::features`], [`label::label`], [`train::train`],
//! [`transfer::TransferScores::of`], [`first_plastic::first_plastic`].
//!
//! ```no_run
//! use interstice_pipeline::{Config, FigureId, RunOptions, Quiet};
//! # fn main() -> anyhow::Result<()> {
//! let config = Config::read("pipeline.toml".as_ref())?;
//! let report = interstice_pipeline::run(&config, &RunOptions::default(), &mut Quiet)?;
//! println!("{:.3}", report.results.base[0].roc_auc.0);
//! # Ok(())
//! # }
//! ```

pub mod common;
pub mod config;
#[cfg(feature = "draw")]
mod draw;
pub mod engine;
pub mod featurize;
pub mod figures;
pub mod first_plastic;
pub mod label;
pub mod model;
pub mod results;
pub mod train;
pub mod transfer;

pub use config::{Config, Dataset, FigureId, LabelConfig, Role};
pub use engine::{Layout, Log, Progress, Quiet, RunOptions, RunReport, StepOutcome, run};
pub use results::Results;
