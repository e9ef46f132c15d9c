//! The release `interstice` binary that tasks run.
//!
//! `.ci/run` builds every binary once, with the workspace's unified features
//! (`cargo test --workspace --release --features interstice-benches/voro
//! --no-run`), and names
//! the CLI in `INTERSTICE_BIN`. A `cargo build -p interstice` resolves the
//! features of that one package instead, which differ (dev-dependencies,
//! the voro feature), and would compile the whole stack a second time.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The release CLI: `INTERSTICE_BIN` if set, else `cargo build --release -p
/// interstice` under the target folder (`CARGO_TARGET_DIR` or `target/`).
pub fn interstice(root: &Path) -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("INTERSTICE_BIN") {
        let bin = root.join(bin);
        if !bin.is_file() {
            bail!(
                "INTERSTICE_BIN names {}, which is not a file: build it, or unset INTERSTICE_BIN to let xtask build it",
                bin.display()
            );
        }
        return Ok(bin);
    }
    println!("building interstice: cargo build --release -p interstice");
    let status = Command::new(cargo())
        .args(["build", "--quiet", "--release", "-p", "interstice"])
        .current_dir(root)
        .status()
        .context("cannot start cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p interstice failed ({status})");
    }
    Ok(target_dir(root).join("release/interstice"))
}

/// The cargo that runs xtask (`CARGO`), else `cargo` from the path.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The target folder: `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root.join(d),
        None => root.join("target"),
    }
}
