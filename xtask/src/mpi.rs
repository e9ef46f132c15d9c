//! `cargo xtask mpi`: the `interstice` binary with MPI, run with `mpirun -np
//! 1, 2 and 4` (oversubscribed on a small machine): featurize, voronoi and
//! label on the fixture glass, on
//! a 256 000-atom replica read from one plain dump, and on the same replica
//! as a LAMMPS per-processor dump, and predict with a model trained on the
//! fixture; every partitioned table is compared with
//! the single-process table, bit for bit (issue 21).
//!
//! `--scaling` adds strong- and weak-scaling runs of `featurize` (one
//! thread a rank, the best of two runs) and prints their table; `--huge` adds a 10⁷-atom replica
//! on 2 ranks. OpenMPI and libclang come from Debian's packages when
//! missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use interstice_io::{DumpReader, DumpWriter, Table, dataset};

const USAGE: &str = "usage: cargo xtask mpi [--scaling] [--huge]";

fn run(what: &str, cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// OpenMPI and libclang (rsmpi's build needs both), from Debian when
/// missing.
fn ensure_deps() -> Result<()> {
    let has_mpi = Command::new("mpicc")
        .arg("--showme:version")
        .output()
        .is_ok()
        && Command::new("mpirun").arg("--version").output().is_ok();
    let has_clang = Command::new("ldconfig")
        .arg("-p")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("libclang"));
    if has_mpi && has_clang {
        return Ok(());
    }
    println!("mpi: apt-get install libopenmpi-dev openmpi-bin libclang-dev");
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    run(
        "apt-get install libopenmpi-dev openmpi-bin libclang-dev",
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "libopenmpi-dev",
                "openmpi-bin",
                "libclang-dev",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(())
}

/// The MPI binary: `INTERSTICE_MPI_BIN`, or built here and copied to
/// `release/interstice-mpi` (a later build without the feature would
/// overwrite `release/interstice`).
fn mpi_binary(root: &Path) -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("INTERSTICE_MPI_BIN") {
        return Ok(root.join(bin));
    }
    println!("mpi: cargo build --release -p interstice --features mpi");
    run(
        "cargo build --features mpi",
        Command::new(crate::binary::cargo())
            .args([
                "build",
                "--quiet",
                "--release",
                "-p",
                "interstice",
                "--features",
                "mpi",
            ])
            .current_dir(root),
    )?;
    let dir = crate::binary::target_dir(root).join("release");
    let copy = dir.join("interstice-mpi");
    std::fs::copy(dir.join("interstice"), &copy).context("cannot copy the MPI binary")?;
    Ok(copy)
}

/// `mpirun -np N` with what this MPI needs to run as root and
/// oversubscribed, one rayon thread a rank unless `threads` says more.
fn mpirun(np: usize, threads: usize, bin: &Path, args: &[&str]) -> Command {
    let open_mpi = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("Open MPI"));
    let mut c = Command::new("mpirun");
    if open_mpi {
        c.args(["--oversubscribe", "-x", "RAYON_NUM_THREADS"])
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    }
    c.args(["-np", &np.to_string()])
        .arg(bin)
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string());
    c
}

/// A table's rows by id: type and the bits of each named column.
fn rows(table: &Table, types: &[u32], columns: &[&str]) -> Result<Vec<(u64, u32, Vec<u64>)>> {
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            table
                .column_index(c)
                .with_context(|| format!("no column {c}"))
        })
        .collect::<Result<_>>()?;
    let k = table.columns.len();
    let mut out: Vec<_> = (0..table.ids.len())
        .map(|r| {
            (
                table.ids[r],
                types[r],
                idx.iter()
                    .map(|&c| table.values[r * k + c].to_bits())
                    .collect(),
            )
        })
        .collect();
    out.sort_by_key(|r| r.0);
    Ok(out)
}

/// Compares a partitioned table with the single-process one, bit for bit.
fn same(what: &str, parts: &Path, single: &[(u64, u32, Vec<u64>)], columns: &[&str]) -> Result<()> {
    let (t, m) = dataset::read(parts)?;
    let types = m.types.context("the parts have no type column")?;
    let got = rows(&t, &types, columns)?;
    if got.len() != single.len() {
        bail!(
            "{what}: {} rows, the single process has {}",
            got.len(),
            single.len()
        );
    }
    if let Some(k) = (0..got.len()).find(|&k| got[k] != single[k]) {
        bail!(
            "{what}: atom id {} differs from the single-process row: {:?} against {:?}",
            got[k].0,
            got[k],
            single[k]
        );
    }
    println!(
        "  {what}: {} rows equal to the single process, bit for bit",
        got.len()
    );
    Ok(())
}

fn paper80() -> Vec<String> {
    interstice_features::blocked::paper80_names()
}

/// The single-process featurize, voronoi and label rows of `input` (and
/// its deformed frame).
struct Reference {
    features: Vec<(u64, u32, Vec<u64>)>,
    cells: Vec<(u64, u32, Vec<u64>)>,
    labels: Vec<(u64, u32, Vec<u64>)>,
}

/// The columns of `interstice label`'s table.
const LABEL_COLUMNS: [&str; 4] = ["d2min", "shear_strain", "volumetric_strain", "plastic"];

/// A CSV table's rows by id, its `type` column as the type.
fn csv_rows(path: &Path, columns: &[&str]) -> Result<Vec<(u64, u32, Vec<u64>)>> {
    let t = Table::read_csv(path)?;
    let ti = t.column_index("type").context("no type column")?;
    let types: Vec<u32> = t.column(ti).iter().map(|&x| x as u32).collect();
    rows(&t, &types, columns)
}

fn reference(bin: &Path, input: &Path, deformed: &Path, dir: &Path) -> Result<Reference> {
    let f = dir.join("single.parquet");
    let v = dir.join("single-voronoi.csv");
    let i = input.to_str().context("a path that is not UTF-8")?;
    run(
        "featurize (one process)",
        Command::new(bin)
            .args(["featurize", i, "--types", "1=Cu,2=Zr", "--out"])
            .arg(&f),
    )?;
    run(
        "voronoi (one process)",
        Command::new(bin)
            .args(["voronoi", i, "--types", "1=Cu,2=Zr", "--out"])
            .arg(&v),
    )?;
    let (t, m) = Table::read_parquet(&f)?;
    let names = paper80();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let feats = rows(&t, &m.types.context("no types")?, &cols)?;
    let cells = csv_rows(&v, &interstice_distributed_columns())?;
    let l = dir.join("single-labels.csv");
    run(
        "label (one process)",
        Command::new(bin)
            .arg("label")
            .arg(input)
            .arg(deformed)
            .args(["--cutoff", "5", "--out"])
            .arg(&l),
    )?;
    Ok(Reference {
        features: feats,
        cells,
        labels: csv_rows(&l, &LABEL_COLUMNS)?,
    })
}

/// The columns `voronoi --distributed` writes.
fn interstice_distributed_columns() -> Vec<&'static str> {
    interstice_pipeline::voronoi::COLUMNS.to_vec()
}

/// Every rank count against the single process, for featurize, voronoi
/// and label.
fn check(
    bin: &Path,
    input: &Path,
    deformed: &Path,
    dir: &Path,
    refs: &Reference,
    label: &str,
) -> Result<()> {
    let d = deformed.to_str().context("a path that is not UTF-8")?;
    let names = paper80();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let i = input.to_str().context("a path that is not UTF-8")?;
    for np in [1, 2, 4] {
        let out = dir.join(format!("features-np{np}"));
        let (secs, _, text) = timed(bin, np, input, &out)?;
        print!("  {label}, np {np}, {secs:.1} s: {text}");
        same(
            &format!("{label} featurize, np {np}"),
            &out,
            &refs.features,
            &cols,
        )?;
        let out = dir.join(format!("voronoi-np{np}"));
        let o = out.to_str().context("a path that is not UTF-8")?;
        run(
            &format!("mpirun -np {np} interstice voronoi"),
            &mut mpirun(
                np,
                1,
                bin,
                &[
                    "voronoi",
                    i,
                    "--types",
                    "1=Cu,2=Zr",
                    "--distributed",
                    "--out",
                    o,
                ],
            ),
        )?;
        same(
            &format!("{label} voronoi, np {np}"),
            &out,
            &refs.cells,
            &interstice_distributed_columns(),
        )?;
        let out = dir.join(format!("labels-np{np}"));
        let o = out.to_str().context("a path that is not UTF-8")?;
        run(
            &format!("mpirun -np {np} interstice label"),
            &mut mpirun(
                np,
                1,
                bin,
                &["label", i, d, "--cutoff", "5", "--distributed", "--out", o],
            ),
        )?;
        same(
            &format!("{label} label, np {np}"),
            &out,
            &refs.labels,
            &LABEL_COLUMNS,
        )?;
    }
    Ok(())
}

/// `predict` of the replica's features (its partitioned table from 4 ranks)
/// with a model trained on the fixture, on 1, 2 and 4 ranks, against one
/// process.
fn check_predict(bin: &Path, mpi_bin: &Path, small: &Path, large: &Path) -> Result<()> {
    let model = small.join("model.json");
    run(
        "train (one process)",
        Command::new(bin)
            .arg("train")
            .arg("--features")
            .arg(small.join("single.parquet"))
            .arg("--labels")
            .arg(small.join("single-labels.csv"))
            .args(["--trees", "30", "--model"])
            .arg(&model),
    )?;
    let single = large.join("single-qs.csv");
    run(
        "predict (one process)",
        Command::new(bin)
            .args(["predict", "--model"])
            .arg(&model)
            .arg("--features")
            .arg(large.join("single.parquet"))
            .arg("--out")
            .arg(&single),
    )?;
    let t = Table::read_csv(&single)?;
    let expected = rows(&t, &vec![0; t.ids.len()], &["qs"])?;
    for np in [1, 2, 4] {
        let out = large.join(format!("qs-np{np}"));
        let features = large.join("features-np4");
        let args = [
            "predict",
            "--model",
            model.to_str().context("a path that is not UTF-8")?,
            "--features",
            features.to_str().context("a path that is not UTF-8")?,
            "--distributed",
            "--out",
            out.to_str().context("a path that is not UTF-8")?,
        ];
        run(
            &format!("mpirun -np {np} interstice predict"),
            &mut mpirun(np, 1, mpi_bin, &args),
        )?;
        let (t, _) = dataset::read(&out)?;
        let got = rows(&t, &vec![0; t.ids.len()], &["qs"])?;
        if got != expected {
            bail!("predict, np {np}: the softness differs from the single process");
        }
        println!(
            "  replica predict, np {np}: {} rows equal to the single process, bit for bit",
            got.len()
        );
    }
    Ok(())
}

/// A frame replicated `n` times along each axis (a dump, gzipped by its
/// name).
fn replica(bin: &Path, fixture: &Path, n: [usize; 3], out: &Path) -> Result<()> {
    if out.exists() {
        return Ok(());
    }
    run(
        "convert --replicate",
        Command::new(bin)
            .arg("convert")
            .arg(fixture)
            .arg(out)
            .arg("--replicate")
            .arg(format!("{},{},{}", n[0], n[1], n[2])),
    )?;
    Ok(())
}

/// `input` cut into `pieces` gzipped files `NAME.0.gz, NAME.1.gz, …` in
/// file order, as LAMMPS writes `dump … NAME.%.gz`; returns the pattern.
fn per_processor(input: &Path, dir: &Path, pieces: usize) -> Result<PathBuf> {
    let frame = DumpReader::open(input)?.read()?.context("an empty dump")?;
    let n = frame.len();
    for p in 0..pieces {
        let idx: Vec<usize> = (n * p / pieces..n * (p + 1) / pieces).collect();
        let mut w = DumpWriter::create(dir.join(format!("pieces.{p}.gz")))?;
        w.write(&frame.select(&idx)?)?;
        w.finish()?;
    }
    Ok(dir.join("pieces.%.gz"))
}

/// Seconds and the largest per-rank peak memory (MB) a distributed
/// featurize printed.
fn timed(bin: &Path, np: usize, input: &Path, out: &Path) -> Result<(f64, f64, String)> {
    let i = input.to_str().context("a path that is not UTF-8")?;
    let o = out.to_str().context("a path that is not UTF-8")?;
    let start = Instant::now();
    let text = run(
        "mpirun featurize",
        &mut mpirun(
            np,
            1,
            bin,
            &[
                "featurize",
                i,
                "--types",
                "1=Cu,2=Zr",
                "--distributed",
                "--out",
                o,
            ],
        ),
    )?;
    let secs = start.elapsed().as_secs_f64();
    let mem = text
        .split("peak memory per rank ")
        .nth(1)
        .and_then(|s| s.split(" MB").next())
        .map(|s| {
            s.split(", ")
                .filter_map(|x| x.parse::<f64>().ok())
                .fold(0.0, f64::max)
        })
        .unwrap_or(f64::NAN);
    Ok((secs, mem, text))
}

pub fn main(root: &Path, args: &[String]) -> Result<()> {
    let scaling = args.iter().any(|a| a == "--scaling");
    let huge = args.iter().any(|a| a == "--huge");
    if let Some(a) = args.iter().find(|a| *a != "--scaling" && *a != "--huge") {
        bail!("unknown argument {a}\n{USAGE}");
    }
    ensure_deps()?;
    let mpi_bin = mpi_binary(root)?;
    let bin = crate::binary::interstice(root)?;
    let dir = crate::binary::target_dir(root).join("mpi");
    std::fs::create_dir_all(&dir)?;

    println!("mpi: the fixture glass (4 000 atoms, gzipped dump)");
    let fixture = root.join("fixtures/cuzr65-4000/frame_000.dump.gz");
    let sheared = root.join("fixtures/cuzr65-4000/frame_040.dump.gz");
    let small = dir.join("fixture");
    std::fs::create_dir_all(&small)?;
    let refs = reference(&bin, &fixture, &sheared, &small)?;
    check(&mpi_bin, &fixture, &sheared, &small, &refs, "fixture")?;
    // Frame 0 of a two-frame plain dump on 3 ranks: the last rank's byte
    // range holds only the second frame, so it reads and sends no atoms (an
    // empty send buffer once reached OpenMPI as MPI_IN_PLACE).
    let two = small.join("two-frames.dump");
    let mut w = DumpWriter::create(&two)?;
    for f in [&fixture, &sheared] {
        w.write(&DumpReader::open(f)?.read()?.context("an empty fixture")?)?;
    }
    w.finish()?;
    let names = paper80();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let out = small.join("two-frames-np3");
    let args = [
        "featurize",
        two.to_str().context("a path that is not UTF-8")?,
        "--frame",
        "0",
        "--types",
        "1=Cu,2=Zr",
        "--distributed",
        "--out",
        out.to_str().context("a path that is not UTF-8")?,
    ];
    run(
        "mpirun -np 3 featurize (frame 0 of two)",
        &mut mpirun(3, 1, &mpi_bin, &args),
    )?;
    same(
        "frame 0 of a two-frame dump, np 3",
        &out,
        &refs.features,
        &cols,
    )?;

    println!("mpi: a 256 000-atom replica (4 × 4 × 4), one plain dump read by byte ranges");
    let large = dir.join("replica");
    std::fs::create_dir_all(&large)?;
    let rep = dir.join("replica-256000.dump");
    replica(&bin, &fixture, [4, 4, 4], &rep)?;
    let rep_sheared = dir.join("replica-256000-sheared.dump.gz");
    replica(&bin, &sheared, [4, 4, 4], &rep_sheared)?;
    let refs = reference(&bin, &rep, &rep_sheared, &large)?;
    check(&mpi_bin, &rep, &rep_sheared, &large, &refs, "replica")?;
    check_predict(&bin, &mpi_bin, &small, &large)?;

    println!("mpi: the replica as a per-processor dump of 4 gzipped files");
    let pieces_dir = dir.join("pieces");
    std::fs::create_dir_all(&pieces_dir)?;
    let pattern = per_processor(&rep, &pieces_dir, 4)?;
    let names = paper80();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    for np in [2, 4] {
        let out = pieces_dir.join(format!("features-np{np}"));
        timed(&mpi_bin, np, &pattern, &out)?;
        same(
            &format!("per-processor featurize, np {np}"),
            &out,
            &refs.features,
            &cols,
        )?;
    }

    if scaling {
        println!(
            "mpi: scaling of featurize (one thread a rank, best of 2 runs; 4 ranks share 2 cores here)"
        );
        println!(
            "| run | atoms | ranks | atoms held by the largest rank | time (s) | largest peak memory per rank (MB) |"
        );
        println!("|---|---|---|---|---|---|");
        let best = |input: &Path, np: usize, name: &str| -> Result<(f64, f64, String)> {
            let a = timed(&mpi_bin, np, input, &dir.join(name))?;
            let b = timed(&mpi_bin, np, input, &dir.join(name))?;
            let held =
                a.2.split("at most ")
                    .nth(1)
                    .and_then(|s| s.split(' ').next())
                    .unwrap_or("?")
                    .to_string();
            Ok((a.0.min(b.0), a.1.max(b.1), held))
        };
        for np in [1, 2, 4] {
            let (s, m, held) = best(&rep, np, &format!("strong-{np}"))?;
            println!("| strong | 256 000 | {np} | {held} | {s:.1} | {m:.0} |");
        }
        for (np, n) in [(1, [2, 2, 4]), (2, [2, 4, 4]), (4, [4, 4, 4])] {
            let input = dir.join(format!("weak-{np}.dump"));
            replica(&bin, &fixture, n, &input)?;
            let atoms = 4000 * n.iter().product::<usize>();
            let (s, m, held) = best(&input, np, &format!("weak-{np}"))?;
            println!("| weak | {atoms} | {np} | {held} | {s:.1} | {m:.0} |");
        }
    }
    if huge {
        let input = dir.join("replica-10m.dump");
        replica(&bin, &fixture, [14, 13, 14], &input)?;
        let (s, m, text) = timed(&mpi_bin, 2, &input, &dir.join("huge-np2"))?;
        println!(
            "mpi: 10 192 000 atoms on 2 ranks: {s:.0} s, largest peak memory per rank {m:.0} MB\n  {text}"
        );
    }
    println!("mpi: every distributed table equals the single-process table");
    Ok(())
}
