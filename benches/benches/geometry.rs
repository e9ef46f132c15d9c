//! The full periodic Voronoi tessellation with every atom's cell (faces,
//! areas, neighbours, volumes): plain at 4k, 32k, 256k and 1M uniform points
//! at the glass density (0.06 Å⁻³) in a cube, and radical at 32k with Cu/Zr
//! radii (1.26/1.58 Å, drawn 65/35). All threads; throughput in atoms per
//! second. Run one size with a filter, e.g.
//! `cargo bench -p interstice-benches --bench geometry -- 'plain/N=4000$'`.

use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use interstice_benches::{SplitMix64, random_points};
use interstice_geometry::{Voronoi, VoronoiParams};

fn voronoi(c: &mut Criterion) {
    let mut group = c.benchmark_group("geometry::voronoi");
    for n in [4_000usize, 32_000, 256_000, 1_000_000] {
        let (b, points) = random_points(n, 7);
        group.throughput(Throughput::Elements(n as u64));
        if n >= 256_000 {
            // Seconds per run: one run per sample, criterion's minimum of ten.
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(if n >= 1_000_000 { 60 } else { 15 }));
        } else {
            group.sample_size(20);
            group.sampling_mode(SamplingMode::Auto);
        }
        let params = VoronoiParams::plain();
        group.bench_with_input(
            BenchmarkId::new("plain", format!("N={n}")),
            &points,
            |bench, p| bench.iter(|| Voronoi::compute(p, &b, &params).expect("voronoi")),
        );
        if n == 32_000 {
            let mut rng = SplitMix64::new(11);
            let radii: Vec<f64> = (0..n)
                .map(|_| if rng.next_f64() < 0.65 { 1.26 } else { 1.58 })
                .collect();
            let params = VoronoiParams::radical(radii);
            group.bench_with_input(
                BenchmarkId::new("radical", format!("N={n}")),
                &points,
                |bench, p| bench.iter(|| Voronoi::compute(p, &b, &params).expect("voronoi")),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, voronoi);
criterion_main!(benches);
