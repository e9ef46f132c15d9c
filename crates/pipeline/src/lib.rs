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
//! Run the pipeline on the bundled 4 000-atom Cu65Zr35 glass, then compute
//! one figure's numbers without drawing it:
//!
//! ```
//! use std::path::Path;
//! use interstice_features::{ContextParams, FrameContext};
//! use interstice_pipeline::{figures, Config, FigureId, Quiet, RunOptions};
//! # fn main() -> anyhow::Result<()> {
//! let glass = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cuzr65-4000");
//! let out = tempfile::tempdir()?;
//! let toml = format!(
//!     "out = {:?}\ntrees = 10\n\n[[dataset]]\nname = \"base\"\ndir = {glass:?}\n\
//!      condition = \"Cu65Zr35\"\ntypes = \"1=Cu,2=Zr\"\nrole = \"base\"\n",
//!     out.path()
//! );
//! let config = Config::from_toml(&toml, Path::new("."))?;
//! let report = interstice_pipeline::run(&config, &RunOptions::default(), &mut Quiet)?;
//! let auc = report.results.base[0].roc_auc.0;
//! assert!(auc > 0.5 && auc < 1.0);
//!
//! // Fig. 3a's numbers from the finished run: no plotting involved.
//! let frame = interstice_io::Trajectory::open(config.base().frame(0))?.read()?.unwrap();
//! let base = FrameContext::new(&frame, &config.base().types, ContextParams::paper())?;
//! let inputs = figures::Inputs { config: &config, results: &report.results, base: &base };
//! let fig3a = figures::compute(FigureId::Fig3a, &inputs)?;
//! assert!(fig3a.numbers.summary["mean_qs"] > 0.0);
//! # Ok(())
//! # }
//! ```

pub mod common;
pub mod config;
pub mod demo;
#[cfg(feature = "draw")]
mod draw;
pub mod engine;
pub mod featurize;
pub mod figure_files;
pub mod figures;
pub mod first_plastic;
pub mod honest;
pub mod info;
pub mod label;
pub mod layout;
pub mod model;
pub mod results;
pub mod train;
pub mod transfer;
pub mod voronoi;

pub use config::{Config, Dataset, FigureId, LabelConfig, Role};
pub use engine::{Log, Progress, Quiet, RunOptions, RunReport, StepOutcome, run};
pub use layout::Layout;
pub use results::Results;
