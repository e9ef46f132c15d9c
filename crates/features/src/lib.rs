//! Per-atom structural features for `interstice` (shared/SPEC.md §4–5).
//!
//! Every featurizer implements [`Featurizer`]: stable column names
//! (amlearn's where they exist) and a matrix with one row per atom, computed
//! from a [`FrameContext`] that builds the tessellation and the neighbour
//! lists once per frame and shares them.
//!
//! - [`IntersticeSro`]: the 16 short-range interstice statistics;
//! - [`Mro`]: their medium-range statistics over Voronoi or distance
//!   neighbours (64 columns for the paper);
//! - [`SymmetryFunctions`]: the radial and angular symmetry functions of
//!   the softness baseline (166 for a binary with the paper's settings);
//! - [`Classical`]: coordination, Voronoi index, motifs, i-fold symmetry,
//!   face statistics, packing efficiencies, Steinhardt order (114 columns);
//! - [`blocked`]: the paper's 80 features block by block, for frames
//!   whose whole tessellation would not fit in memory;
//! - [`Preset`]: `paper80` (the paper's 80 columns in amlearn's order),
//!   `sf166`, `classical`, `all`.
//!
//! ```
//! use interstice_core::{Frame, SimBox, TypeMap};
//! use interstice_features::{ContextParams, FrameContext, Preset};
//!
//! // A small bcc Cu crystal.
//! let a = 2.9;
//! let mut pos = Vec::new();
//! for i in 0..3 {
//!     for j in 0..3 {
//!         for k in 0..3 {
//!             let c = [i as f64 * a, j as f64 * a, k as f64 * a];
//!             pos.push(c);
//!             pos.push([c[0] + a / 2.0, c[1] + a / 2.0, c[2] + a / 2.0]);
//!         }
//!     }
//! }
//! let n = pos.len();
//! let frame = Frame::new(SimBox::cubic(3.0 * a)?, (1..=n as u64).collect(), vec![1; n], pos)?;
//! let types = TypeMap::parse("1=Cu")?;
//! let ctx = FrameContext::new(&frame, &types, ContextParams::paper())?;
//! let (names, x) = Preset::Paper80.compute(&ctx)?;
//! assert_eq!(names.len(), 80);
//! assert_eq!(names[0], "Dist_interstice_mean_voro");
//! assert_eq!(x.dim(), (n, 80));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
pub mod blocked;
pub mod catalogue;
mod classical;
mod context;
mod interstice;
mod preset;
mod stats;
pub mod steinhardt;
mod symmetry;

pub use classical::Classical;
pub use context::{ContextParams, FaceFilterKind, FrameContext};
pub use interstice::{IntersticeSro, Mro, MroStat, NeighborKind};
pub use preset::Preset;
pub use stats::Stat;
pub use symmetry::{AngularSet, SymmetryFunctions};

use ndarray::Array2;

/// A per-atom featurizer (HOUSE_STYLE H9).
pub trait Featurizer: Send + Sync {
    /// The column names, in order.
    fn names(&self) -> Vec<String>;
    /// One row per atom (frame order), one column per name.
    ///
    /// # Errors
    /// Whatever the shared context could not compute.
    fn compute(&self, ctx: &FrameContext<'_>) -> Result<Array2<f64>, FeatureError>;
}

/// What can go wrong while featurizing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeatureError {
    /// From the tessellation.
    #[error(transparent)]
    Geometry(#[from] interstice_geometry::GeometryError),
    /// From the neighbour search.
    #[error(transparent)]
    Spatial(#[from] interstice_spatial::SpatialError),
    /// From the value types (an unmapped atom type, a bad radius).
    #[error(transparent)]
    Core(#[from] interstice_core::CoreError),
    /// A parameter out of range.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
    /// A featurizer that needs input another did not provide.
    #[error("{0}")]
    Input(String),
}
