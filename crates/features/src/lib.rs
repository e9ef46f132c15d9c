//! Per-atom structural features for `interstice`.
//!
//! This crate will hold the `Featurizer` trait and a per-frame context that
//! shares neighbour lists and the tessellation, the paper's 80 interstice
//! features (16 short-range statistics and 64 medium-range ones) in amlearn's
//! column order, the classical catalogue (Voronoi indices, packing
//! efficiencies, bond-orientational order) and the 166 symmetry functions of
//! the softness baseline, as shared/SPEC.md §4–5 define them (issue 8).
