//! Periodic 3-D Delaunay and Voronoi tessellations, and the interstice
//! primitives of `interstice`.
//!
//! - [`Voronoi::compute`]: the plain or radical (Laguerre) Voronoi cells of
//!   every atom in a periodic box of any tilt, as the dual of an incremental
//!   regular Delaunay tessellation with exact adaptive predicates and
//!   symbolic perturbation (perfect lattices work). Per face: neighbour,
//!   vector, area, edge count, pyramid volume. The amlearn small-face filter
//!   and a relative-area filter; export as a spatial [`NeighborList`]
//!   weighted by face area.
//! - [`ShellHull`]: the triangulated, outward-oriented convex hull of an
//!   atom's neighbour shell.
//! - [`interstice`]: distance, area and volume interstices (shared/SPEC.md
//!   §4), solid angles, cluster packing efficiency; the Delaunay-star
//!   variant.
//!
//! ```
//! use interstice_core::SimBox;
//! use interstice_geometry::{Voronoi, VoronoiParams};
//!
//! // A bcc crystal: every cell is a truncated octahedron of volume a³/2.
//! let a = 3.0;
//! let mut pts = Vec::new();
//! for i in 0..3 {
//!     for j in 0..3 {
//!         for k in 0..3 {
//!             let c = [i as f64 * a, j as f64 * a, k as f64 * a];
//!             pts.push(c);
//!             pts.push([c[0] + a / 2.0, c[1] + a / 2.0, c[2] + a / 2.0]);
//!         }
//!     }
//! }
//! let sim_box = SimBox::cubic(3.0 * a)?;
//! let v = Voronoi::compute(&pts, &sim_box, &VoronoiParams::plain())?;
//! assert!((v.volume(0) - a * a * a / 2.0).abs() < 1e-12);
//! assert_eq!(v.index(0), [0, 6, 0, 8, 0, 0]); // n3..n7, n8+
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`NeighborList`]: interstice_spatial::NeighborList

mod coverage;
mod delaunay;
mod hull;
pub mod interstice;
mod predicates;
mod voronoi;

pub use coverage::Coverage;
pub use hull::ShellHull;
pub use interstice::ShellInterstices;
pub use voronoi::{Face, FaceFilter, StarVertex, Tessellator, Voronoi, VoronoiParams, local_cell};

/// Exact predicates (pinned sign conventions), for users who build their
/// own geometry on the same arithmetic.
pub mod exact {
    pub use crate::predicates::{conflict, orient, power_det};
}

/// What can go wrong in a tessellation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeometryError {
    /// The Voronoi tessellation here needs periodic boundaries.
    #[error(
        "the box is not periodic along {}: the Voronoi tessellation needs a periodic box in x, y and z",
        ["x", "y", "z"][*axis]
    )]
    NotPeriodic {
        /// 0, 1, 2 for x, y, z.
        axis: usize,
    },
    /// No atoms.
    #[error("no atoms to tessellate")]
    NoAtoms,
    /// A subset of atoms that names an atom out of range or twice.
    #[error("cells of a subset of atoms: {0}")]
    Subset(String),
    /// More atoms than 31-bit indices.
    #[error("too many atoms: {0} (at most 2 147 483 648)")]
    TooManyAtoms(usize),
    /// A coordinate that is NaN or infinite.
    #[error("atom {index} (0-based) has a non-finite coordinate")]
    NonFinite {
        /// Zero-based atom index.
        index: usize,
    },
    /// Two atoms (nearly) on top of each other.
    #[error(
        "atoms {i} and {j} (0-based) are {distance:.3e} Å apart, closer than {min:.3e} Å: the Voronoi tessellation needs distinct positions (a duplicated atom in the input?)"
    )]
    TooClose {
        /// Zero-based index of one atom.
        i: usize,
        /// Zero-based index of the other.
        j: usize,
        /// Their distance, Å.
        distance: f64,
        /// The minimum separation asked for, Å.
        min: f64,
    },
    /// Radii for a radical tessellation that do not match the atoms.
    #[error("{got} radii for {expected} atoms")]
    RadiiLength {
        /// The number of atoms.
        expected: usize,
        /// The number of radii.
        got: usize,
    },
    /// A negative or non-finite radius.
    #[error("atom {index} (0-based) has radius {value}: radii must be finite and ≥ 0")]
    BadRadius {
        /// Zero-based atom index.
        index: usize,
        /// The radius.
        value: f64,
    },
    /// The ghost skin grew without bound (a degenerate box).
    #[error("the ghost skin grew to {skin} Å without completing every cell (degenerate box?)")]
    Unbounded {
        /// The last skin tried, Å.
        skin: f64,
    },
    /// A cell of a part of a frame ([`VoronoiParams::part`]) needs atoms
    /// beyond the region the part covers.
    #[error(
        "a cell needs atoms {skin:.2} Å around its block, beyond the region this part of the frame covers (widen the ghost skin)"
    )]
    BeyondCoverage {
        /// The skin the cell needed, Å.
        skin: f64,
    },
    /// A part's total atom count below its own.
    #[error("a part of {part} atoms of a frame of {total}")]
    PartTotal {
        /// The atoms of the part.
        part: usize,
        /// The atoms of the whole frame it claims.
        total: usize,
    },
    /// From the neighbour search.
    #[error(transparent)]
    Spatial(#[from] interstice_spatial::SpatialError),
}
