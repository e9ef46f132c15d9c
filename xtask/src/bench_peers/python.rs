//! `cargo xtask bench-peers python`: what the Python package costs over the
//! library (issue 20's aim: `featurize` from Python at most 5 % slower than
//! the same call from Rust). The paper's 80 features of
//! `fixtures/cuzr65-4000/frame_000.dump.gz` on all cores: ours from Rust is
//! `peer-features` (best wall of the repeats, from `FrameContext::new` on);
//! ours from Python is `interstice.featurize(frame)` into a pandas DataFrame
//! (best of the repeats, the frame read once before). The two sides run
//! alternately, three rounds, and each side keeps its best, so a load that
//! comes and goes hits both alike.

use super::*;

/// The Python side: best wall time of `repeats` featurize calls.
const PY: &str = r#"
import sys, time, interstice
f = interstice.read_dump(sys.argv[1], types={1: "Cu", 2: "Zr"})
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    df = interstice.featurize(f)
    best = min(best, time.perf_counter() - t)
assert df.shape == (4000, 80)
print(best)
"#;

pub(super) fn python(root: &Path, args: &[String]) -> Result<()> {
    let mut repeats = 5usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--repeats" => {
                repeats = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r >= 1)
                    .context("--repeats: a whole number ≥ 1")?;
            }
            other => bail!("bench-peers python: unknown option {other} (expected --repeats N)"),
        }
    }
    let python = python_with(root, "pandas", "pandas")?;
    let installed = Command::new(&python)
        .args(["-c", "import interstice"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        bail!("the interstice package is not in .venv: run `cargo xtask python` first");
    }
    let bin = build_peer(root, "peer-features")?;
    let dump = root.join("fixtures/cuzr65-4000/frame_000.dump.gz");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut rust, mut py) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        let run = run_peer_features(
            &bin,
            &[
                dump.display().to_string(),
                repeats.to_string(),
                "--threads".into(),
                threads.to_string(),
            ],
        )?;
        rust = run.best_wall().min(rust);
        let out = Command::new(&python)
            .args(["-c", PY])
            .arg(&dump)
            .arg(repeats.to_string())
            .output()
            .context("cannot run python")?;
        if !out.status.success() {
            bail!(
                "the Python side failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let t: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .context("the Python side printed no time")?;
        py = py.min(t);
    }
    println!(
        "paper80 features of 4 000 atoms on {threads} thread(s), best of {} runs each (load {}):",
        3 * repeats,
        load_average()
    );
    println!("  from Rust   {rust:.4} s");
    println!("  from Python {py:.4} s (interstice.featurize into a pandas DataFrame)");
    println!("  Python over Rust {:.3} (aim: at most 1.05)", py / rust);
    Ok(())
}
