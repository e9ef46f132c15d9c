//! Times our D²min for `cargo xtask bench-peers d2min`: reads a reference
//! and a deformed dump (not timed), computes D²min and atomic strain with the
//! given cutoff, and prints the best wall time of `repeats` runs and the mean
//! D²min.
//!
//! Usage: `peer-d2min <reference.dump> <deformed.dump> <cutoff> <repeats>`

use std::time::Instant;

use interstice_d2min::{D2minParams, atomic_strain};
use interstice_io::DumpReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [reference, deformed, cutoff, repeats] = &args[..] else {
        return Err("usage: peer-d2min <reference.dump> <deformed.dump> <cutoff> <repeats>".into());
    };
    let r = DumpReader::open(reference)?
        .read()?
        .ok_or("empty reference")?;
    let d = DumpReader::open(deformed)?
        .read()?
        .ok_or("empty deformed frame")?;
    let params = D2minParams::new(cutoff.parse()?);
    let mut best = f64::INFINITY;
    let mut mean = 0.0;
    for _ in 0..repeats.parse::<usize>()? {
        let t = Instant::now();
        let s = atomic_strain(&r, &d, &params)?;
        best = best.min(t.elapsed().as_secs_f64());
        mean = s.d2min.iter().sum::<f64>() / s.d2min.len() as f64;
    }
    println!("{best:.6} {mean:.9}");
    Ok(())
}
