//! Pieces every subcommand that reads dumps shares.

use std::path::Path;

use anyhow::{Context, Result};
use interstice_core::TypeMap;
use interstice_io::DumpReader;

/// Parses `--types`, if given.
pub fn type_map(types: Option<&str>) -> Result<Option<TypeMap>> {
    types.map(TypeMap::parse).transpose().context("--types")
}

/// Opens a dump, checking atom types against `map` while reading when given.
pub fn open_dump(path: &Path, map: Option<&TypeMap>) -> Result<DumpReader<'static>> {
    let reader = DumpReader::open(path)?;
    Ok(match map {
        Some(m) => reader.with_type_map(m),
        None => reader,
    })
}
