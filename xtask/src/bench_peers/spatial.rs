//! `cargo xtask bench-peers spatial`: The neighbour list against freud.

use super::*;

pub(super) fn spatial(root: &Path, args: &[String]) -> Result<()> {
    let mut sizes = vec![4_000usize, 32_000, 256_000, 1_000_000];
    let mut r = 5.0f64;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--sizes" => {
                sizes = value
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<_, _>>()
                    .context("--sizes: whole numbers")?;
            }
            "--r" => r = value.parse().context("--r: a number in Å")?,
            other => bail!("unknown option '{other}'"),
        }
    }
    let python = python_with(root, "freud", "freud-analysis")?;
    let ours_bin = build_peer(root, "peer-spatial")?;
    let work = root.join("target/bench-peers");
    std::fs::create_dir_all(&work)?;
    let script = root.join("xtask/peers/freud_spatial.py");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "full neighbour list, r = {r} Å, density 0.06 Å⁻³, periodic cube, best of 3 ({cores} cores)"
    );
    println!(
        "{:>9} {:>12} {:>10} {:>10} {:>12}",
        "atoms", "bonds", "ours s", "freud s", "freud/ours"
    );
    for n in sizes {
        let l = (n as f64 / 0.06).cbrt();
        let path = work.join(format!("points-{n}.f64"));
        write_points(&path, n, l)?;
        let args = [
            path.display().to_string(),
            l.to_string(),
            r.to_string(),
            "3".into(),
        ];
        let (ours, ours_bonds, _) = timed(Command::new(&ours_bin).args(&args))?;
        let (freud, freud_bonds, version) = timed(Command::new(&python).arg(&script).args(&args))?;
        let (ours_bonds, freud_bonds) = (ours_bonds as u64, freud_bonds as u64);
        // freud computes in single precision: bonds within rounding of r may differ.
        if ours_bonds.abs_diff(freud_bonds) * 10_000 > ours_bonds.max(1) {
            bail!("bond counts differ at N = {n}: ours {ours_bonds}, freud {freud_bonds}");
        }
        println!(
            "{n:>9} {ours_bonds:>12} {ours:>10.4} {freud:>10.4} {:>12.2}   (freud {version}, {freud_bonds} bonds)",
            freud / ours
        );
    }
    Ok(())
}
