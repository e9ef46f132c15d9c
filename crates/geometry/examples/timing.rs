//! Times the periodic tessellation of uniform random points at glass
//! density: `cargo run --release -p interstice-geometry --example timing -- N [threads]`.

use interstice_core::SimBox;
use interstice_core::rng::SplitMix64;
use interstice_geometry::{Voronoi, VoronoiParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(32_000), |s| s.parse())?;
    let threads: usize = args.get(1).map_or(Ok(1), |s| s.parse())?;
    let l = (n as f64 / 0.06).cbrt();
    let mut rng = SplitMix64::new(7);
    let pts: Vec<[f64; 3]> = (0..n)
        .map(|_| [l * rng.next_f64(), l * rng.next_f64(), l * rng.next_f64()])
        .collect();
    let b = SimBox::cubic(l)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let v = pool.install(|| Voronoi::compute(&pts, &b, &VoronoiParams::plain()))?;
        println!(
            "{n} atoms, {threads} threads: {:.3} s, {} blocks, {} tetrahedra, {} faces",
            t.elapsed().as_secs_f64(),
            v.num_blocks(),
            v.num_tetrahedra(),
            v.num_faces()
        );
    }
    Ok(())
}
