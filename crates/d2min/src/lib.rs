//! Non-affine displacement (Falk–Langer D²min), local affine strain and plastic
//! labels for `interstice`.
//!
//! This crate will compute D²min between a reference and a deformed frame with
//! neighbours from `interstice-spatial`, the local deformation gradient,
//! Green–Lagrangian strain and its von Mises invariant as OVITO reports them,
//! cumulative and incremental modes over a trajectory, and the plastic labels
//! of shared/SPEC.md §6 (issue 7). It depends only on `interstice-core` and
//! `interstice-spatial`, so it can be used from another simulation code.
