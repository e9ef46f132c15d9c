//! `cargo xtask python`: the Python package as a user gets it (issue 20).
//! Into `.venv` (shared with the MD and the OVITO/ASE checks): OVITO, ASE,
//! pandas, pyarrow and pytest from PyPI, then `pip install ./crates/python` (maturin
//! builds the wheel against this checkout's `target/`); then the pytest suite
//! of `crates/python/tests` against the release `interstice` binary, and the
//! OVITO modifier example, which renders `target/python/softness.png` with
//! OVITO's own renderer (it needs a Vulkan loader: Debian's `libvulkan1` and
//! the software driver `mesa-vulkan-drivers`, installed here when missing).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

fn run(what: &str, cmd: &mut Command) -> Result<()> {
    println!("python: {what}");
    let status = cmd.status().with_context(|| format!("cannot run {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// The Vulkan loader OVITO's renderers need, from Debian when missing.
fn vulkan() -> Result<()> {
    let has = Command::new("ldconfig")
        .arg("-p")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("libvulkan.so.1"));
    if has {
        return Ok(());
    }
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    run(
        "apt-get install libvulkan1 mesa-vulkan-drivers (OVITO's renderer)",
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "libvulkan1", "mesa-vulkan-drivers"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

pub fn main(root: &Path, args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask python");
    }
    let mut python = root.join(".venv/bin/python");
    for (module, package) in [
        ("ovito", "ovito==3.17.*"),
        ("ase", "ase"),
        ("pandas", "pandas"),
        ("pyarrow", "pyarrow"),
        ("pytest", "pytest"),
    ] {
        python = crate::bench_peers::python_with(root, module, package)?;
    }
    // The CLI the tests compare with.
    let cli = crate::binary::interstice(root)?;
    run(
        "pip install ./crates/python",
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "./crates/python"])
            .current_dir(root),
    )?;
    run(
        "pytest crates/python/tests",
        Command::new(&python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "crates/python/tests",
            ])
            .env("INTERSTICE_BIN", &cli)
            .current_dir(root),
    )?;
    vulkan()?;
    let out = root.join("target/python");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let image = out.join("softness.png");
    let _ = std::fs::remove_file(&image);
    run(
        "the OVITO modifier example",
        Command::new(&python)
            .arg("crates/python/examples/ovito_softness.py")
            .arg(&image)
            .current_dir(root),
    )?;
    let size = std::fs::metadata(&image)
        .with_context(|| format!("the OVITO example wrote no {}", image.display()))?
        .len();
    if size < 10_000 {
        bail!("{} is only {size} bytes: no image", image.display());
    }
    println!(
        "python: the package passes its tests; the OVITO example rendered {} ({size} bytes)",
        image.display()
    );
    Ok(())
}
