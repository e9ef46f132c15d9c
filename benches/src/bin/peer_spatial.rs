//! Times our full neighbour list for `cargo xtask bench-peers spatial`:
//! reads `N` points (raw little-endian f64, x y z per point) in a periodic
//! cube of edge `L`, builds the cell list and queries every atom within `r`,
//! and prints the best wall time of `repeats` runs and the bond count.
//!
//! Usage: `peer-spatial <points.f64> <L> <r> <repeats>`

use std::time::Instant;

use interstice_core::SimBox;
use interstice_spatial::{CellList, NeighborQuery, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, l, r, repeats] = &args[..] else {
        return Err("usage: peer-spatial <points.f64> <L> <r> <repeats>".into());
    };
    let bytes = std::fs::read(path)?;
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    let points: Vec<[f64; 3]> = values.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    let b = SimBox::cubic(l.parse()?)?;
    let r: f64 = r.parse()?;
    let q = Query::ball(r)?;
    let mut best = f64::INFINITY;
    let mut bonds = 0;
    for _ in 0..repeats.parse::<usize>()? {
        let t = Instant::now();
        let list = CellList::new(b, &points, r)?.query_all(&q)?;
        best = best.min(t.elapsed().as_secs_f64());
        bonds = list.len();
    }
    println!("{best:.6} {bonds}");
    Ok(())
}
