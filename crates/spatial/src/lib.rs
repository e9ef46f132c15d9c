//! Periodic neighbour finding for `interstice`.
//!
//! This crate will hold the `NeighborQuery` trait (ball and k-nearest queries
//! with self-exclusion), the CSR `NeighborList` with distances, minimum-image
//! vectors and optional weights, filters from list to list, and three
//! backends: a cell list on fractional coordinates that is right in any
//! triclinic box and for cutoffs beyond half the box width, a kiddo k-d tree
//! for orthorhombic boxes, and brute force as the oracle (issue 5).
//!
//! It knows nothing about Voronoi cells, D²min or features: those crates
//! consume its lists.
