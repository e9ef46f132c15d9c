//! `cargo xtask bench-peers d2min`: D²min against OVITO on the same frames.

use super::*;

/// Our D²min against OVITO's AtomicStrainModifier on the `cuzr65-4000`
/// fixture (reference against 5 % shear) and its 2 × 2 × 2 and 4 × 4 × 4
/// replicas, compute only (files parsed before the clock starts), best of three.
pub(super) fn d2min(root: &Path) -> Result<()> {
    let python = python_with(root, "ovito", "ovito==3.17.*")?;
    let ours_bin = build_peer(root, "peer-d2min")?;
    let work = root.join("target/bench-peers");
    std::fs::create_dir_all(&work)?;
    let script = root.join("xtask/peers/ovito_d2min.py");
    let read = |k: usize| -> Result<interstice_io::Frame> {
        let path = root.join(format!("fixtures/cuzr65-4000/frame_{k:03}.dump.gz"));
        interstice_io::DumpReader::open(&path)?
            .read()?
            .context("empty fixture frame")
    };
    let (reference, current) = (read(0)?, read(40)?);
    // Replicas of a deformed frame are consistent with the reference's only if
    // each atom is in the same periodic cell in both: move every deformed atom
    // by the lattice vector that brings it into its reference cell.
    let current = {
        let (rb, cb) = (reference.sim_box(), current.sim_box());
        let index: std::collections::HashMap<u64, usize> = reference
            .ids()
            .iter()
            .enumerate()
            .map(|(k, &id)| (id, k))
            .collect();
        let moved: Vec<[f64; 3]> = current
            .ids()
            .iter()
            .zip(current.positions())
            .map(|(id, &p)| {
                let f0 = rb.to_fractional(reference.positions()[index[id]]);
                let mut f = cb.to_fractional(p);
                for a in 0..3 {
                    f[a] += (f0[a] - f[a]).round();
                }
                cb.to_cartesian(f)
            })
            .collect();
        interstice_io::Frame::new(*cb, current.ids().to_vec(), current.types().to_vec(), moved)?
    };
    println!(
        "D²min and atomic strain, cutoff 5.0 Å, Cu65Zr35 glass at 5 % shear and its replicas, best of 3 ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>9} {:>10} {:>10} {:>12} {:>14}",
        "atoms", "ours s", "OVITO s", "OVITO/ours", "mean D²min"
    );
    for n in [1usize, 2, 4] {
        let paths: Vec<std::path::PathBuf> = ["ref", "cur"]
            .iter()
            .map(|t| work.join(format!("d2min-{t}-{n}.dump")))
            .collect();
        for (frame, path) in [&reference, &current].into_iter().zip(&paths) {
            let mut w = interstice_io::DumpWriter::create(path)?;
            w.write(&frame.replicate([n, n, n])?)?;
            w.finish()?;
        }
        let args = [
            paths[0].display().to_string(),
            paths[1].display().to_string(),
            "5.0".into(),
            "3".into(),
        ];
        let (ours, ours_mean, _) = timed(Command::new(&ours_bin).args(&args))?;
        let (ovito, ovito_mean, version) = timed(Command::new(&python).arg(&script).args(&args))?;
        if (ours_mean - ovito_mean).abs() > 1e-6 * ovito_mean.abs() {
            bail!("mean D²min differs at {n}³ replicas: ours {ours_mean}, OVITO {ovito_mean}");
        }
        println!(
            "{:>9} {ours:>10.4} {ovito:>10.4} {:>12.2} {ours_mean:>14.6}   (OVITO {version})",
            reference.len() * n * n * n,
            ovito / ours
        );
    }
    Ok(())
}
