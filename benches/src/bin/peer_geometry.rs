//! Times our periodic Voronoi tessellation for `cargo xtask bench-peers
//! geometry`: reads `N` points (raw little-endian f64, x y z per point, the
//! format of `peer-spatial`) in a periodic cube `[0, L)³`, and prints one line
//! per code:
//!
//! ```text
//! <code> <best seconds of repeats> <sum of cell volumes> <total face count>
//! ```
//!
//! - `ours-1`, `ours-2`: `Voronoi::compute` (plain, per-atom cells with
//!   faces, areas and neighbours) in a rayon pool of 1 and of 2 threads;
//! - `voro++`: with the `voro` feature, voro++ through `voro_rs` — an
//!   orthorhombic `ContainerStd` periodic along x, y and z, about five
//!   particles per block, every cell computed with the `LoopAll` loop (single
//!   cells, no neighbour information: voro++'s fastest mode), volume and
//!   face count read from each, one thread. Filling the container is timed.
//!
//! The sums of volumes must both be `L³`; the face counts (each face counted
//! once from each side) show that the codes cut the same cells. Last comes
//! `vmhwm-kib <peak resident memory>` from `/proc/self/status`.
//!
//! Usage: `peer-geometry <points.f64> <L> <repeats> [all|ours|ours-1|ours-2|voro]`
//! (`ours` is one run in a pool of all cores, for a clean peak-memory reading).

use std::time::Instant;

use interstice_core::SimBox;
use interstice_geometry::{Voronoi, VoronoiParams};

type Error = Box<dyn std::error::Error>;

/// What one code produced: best time, volume sum, face count.
struct Run {
    seconds: f64,
    volume: f64,
    faces: usize,
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, l, repeats, which) = match &args[..] {
        [p, l, r] => (p, l, r, "all"),
        [p, l, r, w] => (p, l, r, w.as_str()),
        _ => {
            return Err(
                "usage: peer-geometry <points.f64> <L> <repeats> [all|ours|ours-1|ours-2|voro]"
                    .into(),
            );
        }
    };
    let l: f64 = l.parse()?;
    let repeats: usize = repeats.parse()?;
    let points = read_points(path)?;
    let b = SimBox::cubic(l)?;
    let mut runs: Vec<(String, Run)> = Vec::new();
    match which {
        "all" => {
            runs.push(("ours-1".into(), ours(&points, &b, 1, repeats)?));
            runs.push(("ours-2".into(), ours(&points, &b, 2, repeats)?));
            if let Some(r) = voro(&points, l, repeats) {
                runs.push(("voro++".into(), r));
            }
        }
        "ours" => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            runs.push((format!("ours-{cores}"), ours(&points, &b, cores, 1)?));
        }
        "ours-1" => runs.push(("ours-1".into(), ours(&points, &b, 1, repeats)?)),
        "ours-2" => runs.push(("ours-2".into(), ours(&points, &b, 2, repeats)?)),
        "voro" => runs.push((
            "voro++".into(),
            voro(&points, l, repeats).ok_or("built without the voro feature")?,
        )),
        other => return Err(format!("unknown code '{other}'").into()),
    }
    for (name, r) in &runs {
        println!("{name} {:.6} {:.9} {}", r.seconds, r.volume, r.faces);
    }
    if let Some(kib) = peak_kib() {
        println!("vmhwm-kib {kib}");
    }
    Ok(())
}

fn read_points(path: &str) -> Result<Vec<[f64; 3]>, Error> {
    let bytes = std::fs::read(path)?;
    if bytes.len() % 24 != 0 {
        return Err(format!(
            "{path}: {} bytes, not a whole number of points",
            bytes.len()
        )
        .into());
    }
    Ok(bytes
        .chunks_exact(24)
        .map(|c| {
            let f = |k: usize| f64::from_le_bytes(c[8 * k..8 * k + 8].try_into().unwrap_or([0; 8]));
            [f(0), f(1), f(2)]
        })
        .collect())
}

/// Our plain tessellation in a pool of `threads`, best of `repeats`.
fn ours(points: &[[f64; 3]], b: &SimBox, threads: usize, repeats: usize) -> Result<Run, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let params = VoronoiParams::plain();
    let mut run = Run {
        seconds: f64::INFINITY,
        volume: 0.0,
        faces: 0,
    };
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let v = pool.install(|| Voronoi::compute(points, b, &params))?;
        run.seconds = run.seconds.min(t.elapsed().as_secs_f64());
        run.volume = v.volumes().iter().sum();
        run.faces = v.num_faces();
    }
    Ok(run)
}

/// voro++ on one thread, best of `repeats`; `None` without the `voro` feature.
#[cfg(feature = "voro")]
fn voro(points: &[[f64; 3]], l: f64, repeats: usize) -> Option<Run> {
    use voro_rs::prelude::*;
    // voro++'s own advice (pre_container::guess_optimal): about five
    // particles per block.
    let blocks = ((points.len() as f64 / 5.0).cbrt().round() as i32).max(1);
    let mut run = Run {
        seconds: f64::INFINITY,
        volume: 0.0,
        faces: 0,
    };
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let mut con = ContainerStd::new([0.0; 3], [l; 3], [blocks; 3], [true; 3]);
        for (i, p) in points.iter().enumerate() {
            con.put(i as i32, *p, 0.0);
        }
        let (mut volume, mut faces) = (0.0, 0usize);
        let mut cells = LoopAll::of_container_std(&mut con);
        if cells.start() {
            loop {
                let cell: Option<VoroCellSgl> = con.compute_cell(&mut cells);
                if let Some(mut c) = cell {
                    volume += c.volume();
                    faces += c.number_of_faces() as usize;
                }
                if !cells.inc() {
                    break;
                }
            }
        }
        run.seconds = run.seconds.min(t.elapsed().as_secs_f64());
        run.volume = volume;
        run.faces = faces;
    }
    Some(run)
}

#[cfg(not(feature = "voro"))]
fn voro(_: &[[f64; 3]], _: f64, _: usize) -> Option<Run> {
    None
}

/// Peak resident memory of this process so far (Linux), KiB.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}
