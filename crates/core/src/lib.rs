//! Value types shared by every interstice crate: the periodic simulation box,
//! a frame of atoms, chemical elements with their Miracle radii, and units.
//!
//! This crate does no IO and depends on no other workspace crate, so any part
//! of interstice (or another simulation code) can build on it alone.
//!
//! ```
//! use interstice_core::{SimBox, TypeMap};
//!
//! // A LAMMPS box sheared by 10 % in xy.
//! let b = SimBox::triclinic([0.0; 3], [20.0, 20.0, 20.0], [2.0, 0.0, 0.0])?;
//! let d = b.min_image([19.0, 0.5, 0.0]);
//! assert!((d[0] + 1.0).abs() < 1e-12);
//!
//! let map = TypeMap::parse("1=Cu,2=Zr")?;
//! assert_eq!(map.radius(2)?, 1.58);
//! # Ok::<(), interstice_core::CoreError>(())
//! ```
#![deny(missing_docs)]

mod elements;
mod error;
mod frame;
mod general;
pub mod rng;
mod simbox;
pub mod units;

pub use elements::{ELEMENTS, Element, Species, TypeMap, element};
pub use error::CoreError;
pub use frame::{Column, ColumnData, Frame, FrameParts, find_duplicate_id};
pub use general::{GeneralCell, Orientation};
pub use simbox::SimBox;
