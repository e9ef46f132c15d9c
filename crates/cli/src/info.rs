//! `interstice info`: what is in a dump file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

/// Arguments of `interstice info`.
#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    /// A LAMMPS dump or data file or an extended XYZ file, plain or gzipped.
    pub dump: PathBuf,
    /// The frame to describe in detail (0-based; negative counts from the end).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub frame: i64,
    /// Map LAMMPS types to elements, for example `1=Cu,2=Zr`.
    #[arg(long)]
    pub types: Option<String>,
}

/// Prints the summary of `args.dump` to `out`.
pub fn run(args: &InfoArgs, out: &mut impl Write) -> Result<()> {
    write!(
        out,
        "{}",
        interstice_pipeline::info::describe(&args.dump, args.frame, args.types.as_deref())?
    )?;
    Ok(())
}
