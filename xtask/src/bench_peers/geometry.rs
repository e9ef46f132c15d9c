//! `cargo xtask bench-peers geometry`: Periodic Voronoi against voro++ and
//! freud, with peak memory.

use super::*;

/// Writes `n` uniform points in `[0, l)³` (raw little-endian f64) from the
/// seed that every bench-peers command uses for that size.
pub(super) fn write_points(path: &Path, n: usize, l: f64) -> Result<()> {
    let mut rng = interstice_core::rng::SplitMix64::new(0x5eed_u64 ^ n as u64);
    let mut bytes = Vec::with_capacity(n * 24);
    for _ in 0..3 * n {
        bytes.extend_from_slice(&(l * rng.next_f64()).to_le_bytes());
    }
    std::fs::write(path, &bytes)?;
    Ok(())
}

/// One line `<code> <seconds> <volume> <faces>` of `peer-geometry`.
pub(super) struct VoronoiRun {
    seconds: f64,
    volume: f64,
    faces: u64,
}

pub(super) fn parse_voronoi_run(fields: &[&str]) -> Result<VoronoiRun> {
    let [seconds, volume, faces, ..] = fields else {
        bail!("unexpected timing output '{}'", fields.join(" "));
    };
    Ok(VoronoiRun {
        seconds: seconds.parse()?,
        volume: volume.parse()?,
        faces: faces.parse()?,
    })
}

/// Our peak resident memory (KiB) for one tessellation of `path` on all
/// cores: `/usr/bin/time -v` if the machine has it, else the peer's `VmHWM`.
pub(super) fn peak_memory_kib(bin: &Path, path: &Path, l: f64) -> Result<(u64, &'static str)> {
    let args = [
        path.display().to_string(),
        l.to_string(),
        "1".into(),
        "ours".into(),
    ];
    let time = Path::new("/usr/bin/time");
    let out = if time.exists() {
        Command::new(time).arg("-v").arg(bin).args(&args).output()?
    } else {
        Command::new(bin).args(&args).output()?
    };
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(kib) = stderr.lines().find_map(|line| {
        line.trim()
            .strip_prefix("Maximum resident set size (kbytes):")
            .and_then(|v| v.trim().parse().ok())
    }) {
        return Ok((kib, "/usr/bin/time -v"));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|line| {
            line.strip_prefix("vmhwm-kib ")
                .and_then(|v| v.trim().parse().ok())
        })
        .map(|kib| (kib, "VmHWM"))
        .context("no peak memory reading")
}

/// Our periodic Voronoi against voro++ and freud, best of three; 1M atoms
/// only with `--large`.
pub(super) fn geometry(root: &Path, args: &[String]) -> Result<()> {
    let mut sizes = vec![4_000usize, 32_000, 256_000];
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--large" => sizes.push(1_000_000),
            "--sizes" => {
                let value = it.next().context("--sizes needs a value")?;
                sizes = value
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<_, _>>()
                    .context("--sizes: whole numbers")?;
            }
            other => bail!("unknown option '{other}'"),
        }
    }
    sizes.sort_unstable();
    sizes.dedup();
    let largest = *sizes.last().context("no sizes")?;
    let python = python_with(root, "freud", "freud-analysis")?;
    let ours_bin = build_peer_with(root, "peer-geometry", &["voro"])?;
    let work = root.join("target/bench-peers");
    std::fs::create_dir_all(&work)?;
    let script = root.join("xtask/peers/freud_voronoi.py");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    println!(
        "periodic plain Voronoi, every cell, uniform points at 0.06 Å⁻³ in a cube, best of 3 ({cores} cores, load {load} before the run)"
    );
    println!("voro++ and freud on one thread; ratios are peer time over ours (>1: we are faster)");
    println!(
        "{:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>12} {:>11} {:>12} {:>11}",
        "atoms",
        "faces",
        "ours 1t",
        "ours 2t",
        "voro++",
        "freud",
        "voro++/1t",
        "freud/1t",
        "voro++/2t",
        "freud/2t"
    );
    for &n in &sizes {
        let l = (n as f64 / 0.06).cbrt();
        let path = work.join(format!("points-{n}.f64"));
        write_points(&path, n, l)?;
        let args = [path.display().to_string(), l.to_string(), "3".into()];
        let out = Command::new(&ours_bin).args(&args).arg("all").output()?;
        if !out.status.success() {
            bail!("peer-geometry: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut runs = std::collections::BTreeMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if let Some((code, rest)) = fields.split_first()
                && rest.len() == 3
            {
                runs.insert(code.to_string(), parse_voronoi_run(rest)?);
            }
        }
        let out = Command::new(&python).arg(&script).args(&args).output()?;
        if !out.status.success() {
            bail!("freud: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let freud = parse_voronoi_run(&fields)?;
        let version = fields.get(3).unwrap_or(&"?").to_string();
        let [Some(one), Some(two), Some(voro)] =
            ["ours-1", "ours-2", "voro++"].map(|k| runs.get(k))
        else {
            bail!(
                "peer-geometry printed {:?}",
                runs.keys().collect::<Vec<_>>()
            );
        };
        let volume = l * l * l;
        // freud computes in single precision; ours and voro++ in double.
        for (code, run, tolerance) in [
            ("ours (1 thread)", one, 1e-9),
            ("ours (2 threads)", two, 1e-9),
            ("voro++", voro, 1e-9),
            ("freud", &freud, 1e-5),
        ] {
            if (run.volume - volume).abs() > tolerance * volume {
                bail!(
                    "{code} cells sum to {} Å³ at N = {n}, the box is {volume} Å³",
                    run.volume
                );
            }
        }
        if one.faces != two.faces || one.volume.to_bits() != two.volume.to_bits() {
            bail!("ours differs between 1 and 2 threads at N = {n}");
        }
        // voro++ cuts the same cells (equal counts on these points); freud
        // leaves out the tiniest faces (at 4k atoms exactly our 54 faces
        // below 6e-6 Å², its smallest), a few in ten thousand.
        for (code, run, tolerance) in [("voro++", voro, 10_000), ("freud", &freud, 200)] {
            if run.faces.abs_diff(one.faces) * tolerance > one.faces {
                bail!(
                    "face counts differ at N = {n}: ours {}, {code} {}",
                    one.faces,
                    run.faces
                );
            }
        }
        println!(
            "{n:>9} {:>10} {:>9.4} {:>9.4} {:>9.4} {:>9.4} {:>12.2} {:>11.2} {:>12.2} {:>11.2}   (faces: voro++ {}, freud {} {version})",
            one.faces,
            one.seconds,
            two.seconds,
            voro.seconds,
            freud.seconds,
            voro.seconds / one.seconds,
            freud.seconds / one.seconds,
            voro.seconds / two.seconds,
            freud.seconds / two.seconds,
            voro.faces,
            freud.faces,
        );
    }
    let path = work.join(format!("points-{largest}.f64"));
    let l = (largest as f64 / 0.06).cbrt();
    let (kib, how) = peak_memory_kib(&ours_bin, &path, l)?;
    println!(
        "our peak resident memory at {largest} atoms ({cores} threads, points included, {how}): {:.0} MiB, {:.0} bytes per atom",
        kib as f64 / 1024.0,
        kib as f64 * 1024.0 / largest as f64
    );
    Ok(())
}
