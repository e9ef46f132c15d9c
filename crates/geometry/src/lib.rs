//! Periodic 3-D Delaunay and Voronoi tessellations and the interstice
//! primitives of `interstice`.
//!
//! This crate will hold an incremental Delaunay tessellation with exact
//! adaptive predicates and symbolic perturbation, its weighted (power)
//! variant for radical Voronoi, periodicity through ghost images in any
//! triclinic box, Voronoi cells as the dual (faces with areas, edge counts,
//! pyramid volumes), the amlearn small-face filter, and the neighbour-shell
//! hull with the distance, area and volume interstices of shared/SPEC.md §3–4
//! (issue 6).
