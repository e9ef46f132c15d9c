//! Times our `paper80` features for `cargo xtask bench-peers features`:
//! reads a LAMMPS dump (types 1 = Cu, 2 = Zr; not timed), optionally
//! replicates it periodically, then computes `Preset::Paper80` from
//! `FrameContext::new` on (tessellation and distance neighbours included) in
//! a rayon pool of each requested thread count, best wall time of `repeats`
//! runs. With a reference table (amlearn's `amlearn_paper80.csv.gz`: header
//! `id,` + 80 names, one row per atom of the unreplicated frame, in the
//! frame's order), every column of every atom must agree within 1e-8 — in a
//! replicated frame atom `k` is a copy of atom `k mod N` — so the timings
//! are of the same result. Every thread count must give the same bits.
//!
//! Prints, one per line:
//!
//! ```text
//! atoms <N>
//! ours-<threads> <best wall s> <CPU s of the process during that run>
//! max-diff <largest |ours − reference|> <atom id> <column>
//! rss-before-kib <resident memory before the first run>
//! vmhwm-kib <peak resident memory of the process>
//! ```
//!
//! With `--block-atoms N` the features are computed block by block
//! (`interstice_features::blocked`, blocks of about N atoms), as
//! `interstice featurize` does for frames larger than its `--block-atoms`.
//!
//! Usage: `peer-features <dump> <repeats> [--threads 1,2] [--replicate NX,NY,NZ]
//! [--reference table.csv.gz] [--block-atoms N]`

use std::io::Read as _;
use std::time::Instant;

use interstice_core::{Frame, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset, blocked};
use interstice_io::DumpReader;
use ndarray::Array2;

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: peer-features <dump> <repeats> [--threads 1,2] [--replicate NX,NY,NZ] [--reference table.csv.gz] [--block-atoms N]";

/// amlearn's 80 columns of the unreplicated frame.
struct Reference {
    names: Vec<String>,
    ids: Vec<u64>,
    /// Row-major, `ids.len() × names.len()`.
    values: Vec<f64>,
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(repeats)) = (args.first(), args.get(1)) else {
        return Err(USAGE.into());
    };
    let repeats: usize = repeats.parse()?;
    let mut threads = vec![1usize, 2];
    let mut replicate = [1usize; 3];
    let mut reference = None;
    let mut block_atoms: Option<usize> = None;
    let mut it = args[2..].iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--threads" => threads = list(value)?,
            "--replicate" => {
                replicate = list(value)?
                    .try_into()
                    .map_err(|_| "--replicate: three counts")?;
            }
            "--reference" => reference = Some(read_reference(value)?),
            "--block-atoms" => block_atoms = Some(value.parse()?),
            _ => return Err(USAGE.into()),
        }
    }
    let glass = DumpReader::open(path)?.read()?.ok_or("empty dump")?;
    if let Some(r) = &reference
        && r.ids != glass.ids()
    {
        return Err("the reference's ids are not the frame's, in the frame's order".into());
    }
    let frame = if replicate == [1, 1, 1] {
        glass.clone()
    } else {
        glass.replicate(replicate)?
    };
    drop(glass);
    let types = TypeMap::parse("1=Cu,2=Zr")?;
    println!("atoms {}", frame.len());
    let rss_before = status_kib("VmRSS:");
    let mut fingerprint: Option<u64> = None;
    let mut worst = (0.0f64, 0u64, String::new());
    for &k in &threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(k).build()?;
        let (mut best, mut best_cpu) = (f64::INFINITY, f64::NAN);
        for _ in 0..repeats.max(1) {
            let cpu = cpu_seconds();
            let t = Instant::now();
            let (names, x) = pool.install(|| {
                let ctx = FrameContext::new(&frame, &types, ContextParams::paper())?;
                match block_atoms {
                    None => Preset::Paper80.compute(&ctx),
                    Some(b) => {
                        blocked::paper80_table(&ctx, b).map(|x| (blocked::paper80_names(), x))
                    }
                }
            })?;
            let wall = t.elapsed().as_secs_f64();
            if wall < best {
                best = wall;
                best_cpu = cpu_seconds() - cpu;
            }
            // Same bits for every thread count and run.
            let print = x.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, v| {
                (h ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3)
            });
            if *fingerprint.get_or_insert(print) != print {
                return Err(format!("results differ between runs ({k} threads)").into());
            }
            if let Some(r) = &reference {
                let w = compare(&frame, &names, &x, r)?;
                if w.0 > worst.0 {
                    worst = w;
                }
            }
        }
        println!("ours-{k} {best:.6} {best_cpu:.3}");
    }
    if reference.is_some() {
        println!("max-diff {:e} {} {}", worst.0, worst.1, worst.2);
    }
    if let Some(kib) = rss_before {
        println!("rss-before-kib {kib}");
    }
    if let Some(kib) = status_kib("VmHWM:") {
        println!("vmhwm-kib {kib}");
    }
    Ok(())
}

fn list(s: &str) -> Result<Vec<usize>, Error> {
    Ok(s.split(',')
        .map(|v| v.trim().parse())
        .collect::<Result<_, _>>()?)
}

/// Largest difference (value, atom id, column) of `x` from the reference;
/// an error past 1e-8.
fn compare(
    frame: &Frame,
    names: &[String],
    x: &Array2<f64>,
    r: &Reference,
) -> Result<(f64, u64, String), Error> {
    if names != r.names {
        return Err("column names or order differ from the reference".into());
    }
    let (n, m) = (r.ids.len(), r.names.len());
    let mut worst = (0.0, 0, String::new());
    for (i, row) in x.rows().into_iter().enumerate() {
        let reference = &r.values[(i % n) * m..(i % n + 1) * m];
        for (c, (&ours, &theirs)) in row.iter().zip(reference).enumerate() {
            let d = (ours - theirs).abs();
            // A NaN on either side fails too.
            if d.is_nan() || d > 1e-8 {
                return Err(format!(
                    "atom {} {}: ours {ours}, reference {theirs}",
                    frame.ids()[i],
                    names[c]
                )
                .into());
            }
            if d > worst.0 {
                worst = (d, frame.ids()[i], names[c].clone());
            }
        }
    }
    Ok(worst)
}

fn read_reference(path: &str) -> Result<Reference, Error> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_string(&mut text)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty reference")?.split(',').collect();
    if header.first() != Some(&"id") {
        return Err(format!("{path}: the first column is not id").into());
    }
    let names: Vec<String> = header[1..].iter().map(|s| s.to_string()).collect();
    let (mut ids, mut values) = (Vec::new(), Vec::new());
    for (k, line) in lines.enumerate() {
        let mut fields = line.split(',');
        ids.push(fields.next().ok_or("empty line")?.parse()?);
        let before = values.len();
        for v in fields {
            values.push(v.parse::<f64>()?);
        }
        if values.len() - before != names.len() {
            return Err(format!("{path}: line {} has the wrong number of columns", k + 2).into());
        }
    }
    Ok(Reference { names, ids, values })
}

/// A `kB` field of `/proc/self/status` (Linux), KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// User + system CPU time of this process so far (Linux, clock ticks of
/// 1/100 s), seconds; NaN elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    match (
        fields.get(11).and_then(|v| v.parse::<f64>().ok()),
        fields.get(12).and_then(|v| v.parse::<f64>().ok()),
    ) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}
