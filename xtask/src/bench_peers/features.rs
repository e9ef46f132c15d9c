//! `cargo xtask bench-peers features`: The 80 features against amlearn, and a
//! large replicated glass.

use super::*;

/// How to build `.venv-amlearn` (it cannot come from PyPI in one step).
pub(super) const AMLEARN_HELP: &str = "amlearn 0.3.4 is not installed in .venv-amlearn; build it by hand as \
crates/features/tests/data/amlearn/README.md (section amlearn) and shared/MD.md \
(Building amlearn 0.3.4) describe, from the repository root:
  apt-get install -y gfortran
  python3 -m venv .venv-amlearn
  P=.venv-amlearn/bin/pip
  $P install \"numpy==1.26.4\" \"setuptools<65\" wheel
  $P download --no-deps --no-binary :all: --no-build-isolation amlearn==0.3.4 -d /tmp/amlearn-dl
  $P install --no-build-isolation --no-deps /tmp/amlearn-dl/amlearn-0.3.4.tar.gz
  $P install \"numpy==1.26.4\" \"scipy==1.11.4\" \"pandas==1.5.3\" \"scikit-learn==1.1.3\" ase six tqdm pyyaml joblib lockfile
or run `cargo xtask bench-peers features --large`, which needs no amlearn";

/// The numbers `peer-features` prints.
#[derive(Default)]
pub(super) struct FeaturesRun {
    atoms: usize,
    /// (threads, best wall s, CPU s of that run).
    ours: Vec<(usize, f64, f64)>,
    max_diff: Option<String>,
    rss_before_kib: Option<u64>,
    vmhwm_kib: Option<u64>,
}

impl FeaturesRun {
    /// The best wall time over the thread counts run.
    pub(super) fn best_wall(&self) -> f64 {
        self.ours.iter().map(|o| o.1).fold(f64::INFINITY, f64::min)
    }
}

pub(super) fn run_peer_features(bin: &Path, args: &[String]) -> Result<FeaturesRun> {
    let out = Command::new(bin).args(args).output()?;
    if !out.status.success() {
        bail!(
            "peer-features: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let mut run = FeaturesRun::default();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        let fields: Vec<&str> = rest.split_whitespace().collect();
        match key {
            "atoms" => run.atoms = rest.trim().parse()?,
            "max-diff" => run.max_diff = Some(rest.to_string()),
            "rss-before-kib" => run.rss_before_kib = Some(rest.trim().parse()?),
            "vmhwm-kib" => run.vmhwm_kib = Some(rest.trim().parse()?),
            _ => {
                if let (Some(k), [wall, cpu]) = (key.strip_prefix("ours-"), &fields[..]) {
                    run.ours.push((k.parse()?, wall.parse()?, cpu.parse()?));
                }
            }
        }
    }
    if run.ours.is_empty() {
        bail!("peer-features printed no timing");
    }
    Ok(run)
}

/// Load average over the last minute, for the record.
pub(super) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Our paper80 against amlearn 0.3.4's pipeline on the same glass; with
/// `--large`, ours alone on 1 008 000 atoms with peak memory (whole and
/// block by block); `--huge` adds 10 192 000 atoms block by block.
pub(super) fn features(root: &Path, args: &[String]) -> Result<()> {
    let (mut repeats, mut amlearn_repeats, mut large, mut huge) = (5usize, 1usize, false, false);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--large" => large = true,
            "--huge" => huge = true,
            "--repeats" | "--amlearn-repeats" => {
                let value: usize = it
                    .next()
                    .with_context(|| format!("{flag} needs a value"))?
                    .parse()
                    .with_context(|| format!("{flag}: a whole number"))?;
                if flag == "--repeats" {
                    repeats = value;
                } else {
                    amlearn_repeats = value;
                }
            }
            other => bail!("unknown option '{other}'"),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if large || huge {
        return features_large(root, cores, huge);
    }
    let data = root.join("crates/features/tests/data/amlearn");
    let python = root.join(".venv-amlearn/bin/python");
    let has_amlearn = python.exists()
        && Command::new(&python)
            .args(["-c", "import amlearn.featurize.pipeline"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !has_amlearn {
        bail!("{AMLEARN_HELP}");
    }
    let ours_bin = build_peer(root, "peer-features")?;
    println!(
        "paper80 (80 interstice features), 4000-atom orthorhombic Cu65Zr35 glass ({cores} cores, load {} before the run)",
        load_average()
    );
    let glass = data.join("glass.dump.gz").display().to_string();
    let reference = data.join("amlearn_paper80.csv.gz").display().to_string();
    let ours = run_peer_features(
        &ours_bin,
        &[
            glass,
            repeats.to_string(),
            "--threads".into(),
            "1,2".into(),
            "--reference".into(),
            reference,
        ],
    )?;
    let diff = match ours.max_diff.as_deref().map(str::split_whitespace) {
        Some(mut f) => match (f.next(), f.next(), f.next()) {
            (Some(d), Some(id), Some(column)) => format!("{d} (atom {id}, {column})"),
            _ => "?".into(),
        },
        None => "?".into(),
    };
    println!(
        "ours: best of {repeats}, from FrameContext::new on (tessellation included); largest difference from amlearn_paper80.csv.gz {diff}"
    );
    println!(
        "amlearn 0.3.4: FeaturizePipeline.fit_transform, one thread, best of {amlearn_repeats} (a few minutes per run)"
    );
    let out = Command::new(&python)
        .arg(data.join("time_amlearn.py"))
        .args(["--repeats", &amlearn_repeats.to_string()])
        .envs([
            ("OMP_NUM_THREADS", "1"),
            ("OPENBLAS_NUM_THREADS", "1"),
            ("MKL_NUM_THREADS", "1"),
        ])
        .current_dir(root)
        .output()?;
    if !out.status.success() {
        bail!(
            "time_amlearn.py: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = text.lines().collect();
    let last = lines.pop().unwrap_or("");
    let fields: Vec<&str> = last.split_whitespace().collect();
    let [wall, cpu, diff] = fields[..] else {
        bail!("unexpected timing output '{last}'");
    };
    let (wall, cpu): (f64, f64) = (wall.parse()?, cpu.parse()?);
    if let Some(versions) = lines.last() {
        println!("  ({versions}; largest difference from the reference {diff})");
    }
    println!(
        "{:>8} {:>10} {:>10} {:>14} {:>14}",
        "threads", "ours s", "ours CPU s", "amlearn/ours", "CPU/CPU"
    );
    for &(k, ours_wall, ours_cpu) in &ours.ours {
        println!(
            "{k:>8} {ours_wall:>10.4} {ours_cpu:>10.2} {:>14.0} {:>14.0}",
            wall / ours_wall,
            cpu / ours_cpu
        );
    }
    println!(
        "amlearn: wall {wall:.1} s, CPU {cpu:.1} s for {} atoms (wall ratios over ours; CPU/CPU: amlearn's CPU time over ours, less sensitive to a shared machine)",
        ours.atoms
    );
    Ok(())
}

/// Ours alone on the 6 × 6 × 7 replica of the fixture (1 008 000 atoms),
/// 2 threads, one run each: the whole frame at once and block by block (as
/// `interstice featurize` does it), with the peak resident memory per atom;
/// with `huge`, also the 14 × 14 × 13 replica (10 192 000 atoms) block by
/// block.
pub(super) fn features_large(root: &Path, cores: usize, huge: bool) -> Result<()> {
    let ours_bin = build_peer(root, "peer-features")?;
    let mut cases: Vec<(&str, Option<&str>)> = vec![("6,6,7", None), ("6,6,7", Some("200000"))];
    if huge {
        cases.push(("14,14,13", Some("200000")));
    }
    for (replicate, blocks) in cases {
        println!(
            "paper80 on the {} replica of fixtures/cuzr65-4000/frame_000.dump.gz, {}, 2 threads, one run ({cores} cores, load {} before the run)",
            replicate.replace(',', " x "),
            blocks.map_or("the whole frame at once".to_string(), |b| format!(
                "block by block (--block-atoms {b})"
            )),
            load_average()
        );
        let mut args = vec![
            root.join("fixtures/cuzr65-4000/frame_000.dump.gz")
                .display()
                .to_string(),
            "1".into(),
            "--threads".into(),
            "2".into(),
            "--replicate".into(),
            replicate.into(),
        ];
        if let Some(b) = blocks {
            args.extend(["--block-atoms".into(), b.into()]);
        }
        let run = run_peer_features(&ours_bin, &args)?;
        let n = run.atoms as f64;
        let (_, wall, cpu) = run.ours[0];
        println!(
            "  {} atoms: {wall:.2} s wall, {cpu:.1} s CPU (aim at 1 008 000: under 10 s on 2 cores)",
            run.atoms
        );
        let (Some(peak), Some(before)) = (run.vmhwm_kib, run.rss_before_kib) else {
            bail!("peer-features printed no memory reading");
        };
        let per_atom = |kib: u64| kib as f64 * 1024.0 / n;
        // The output table: 80 f64 columns.
        let table = 80.0 * 8.0;
        let beyond = per_atom(peak.saturating_sub(before)) - table;
        println!(
            "  peak resident memory (VmHWM): {:.0} MiB in all, {:.0} bytes per atom; {:.0} bytes per atom before the run (the frame); the output table {table:.0} bytes per atom",
            peak as f64 / 1024.0,
            per_atom(peak),
            per_atom(before)
        );
        println!(
            "  beyond the frame and the output table: {beyond:.0} bytes per atom (aim: at most 1024)"
        );
    }
    Ok(())
}
