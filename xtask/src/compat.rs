//! `cargo xtask compat`: every file interstice writes is read by OVITO and
//! ASE (issue 22). `interstice convert` writes each source of
//! `fixtures/compat/` as a restricted and a general dump, data files
//! (atomic, full, general) and extended XYZ; `xtask/peers/compat_read.py`
//! reads them with OVITO (Voronoi volumes) and ASE (cell and fractional
//! positions) and compares with the source to 1e-9. The other direction
//! (what those tools write, read by us) is `crates/cli/tests/compat.rs`.
//!
//! OVITO and ASE come from PyPI into `.venv`; when pip cannot install them
//! the check is skipped with a message saying so.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// What each source is written as: output name and `convert` options.
const OUTPUTS: [(&str, &[&str]); 6] = [
    ("restricted.dump", &[]),
    ("general.dump", &["--general"]),
    ("atomic.data", &[]),
    ("full.data", &["--atom-style", "full"]),
    ("general.data", &["--general"]),
    ("species.xyz", &["--types", "1=Cu,2=Zr"]),
];

const SOURCES: [&str; 3] = [
    "source/ortho.dump.gz",
    "source/tri.dump.gz",
    "lammps/general.dump.gz",
];

pub fn main(root: &Path, args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask compat");
    }
    let python = match crate::bench_peers::python_with(root, "ovito", "ovito==3.17.*")
        .and_then(|_| crate::bench_peers::python_with(root, "ase", "ase"))
    {
        Ok(p) => p,
        Err(e) => {
            println!("compat: skipped, OVITO and ASE cannot be installed here ({e:#})");
            return Ok(());
        }
    };
    let bin = crate::binary::interstice(root)?;
    let work = root.join("target/compat");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let compat = root.join("fixtures/compat");
    let mut pairs = Vec::new();
    for source in SOURCES {
        let src = compat.join(source);
        let stem = source.replace(['/', '.'], "-");
        for (name, options) in OUTPUTS {
            let out = work.join(format!("{stem}-{name}"));
            let o = Command::new(&bin)
                .arg("convert")
                .arg(&src)
                .arg(&out)
                .args(options)
                .output()
                .context("running interstice convert")?;
            if !o.status.success() {
                bail!(
                    "interstice convert {source} {name}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            pairs.push(format!("{}={}", out.display(), src.display()));
        }
    }
    let status = Command::new(python)
        .arg(root.join("xtask/peers/compat_read.py"))
        .args(&pairs)
        .status()?;
    if !status.success() {
        bail!("OVITO or ASE did not read a file interstice wrote as its source (see above)");
    }
    println!(
        "compat: OVITO and ASE read all {} files interstice wrote, equal to their sources to 1e-9",
        pairs.len()
    );
    Ok(())
}
