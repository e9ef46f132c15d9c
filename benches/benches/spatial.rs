//! Neighbour lists: build plus the full ball query of every atom, cell list
//! and kiddo, at 4k, 32k, 256k and 1M atoms (density 0.06 Å⁻³), cutoffs 4.0
//! and 5.0 Å. Throughput is in atoms per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use interstice_benches::random_points;
use interstice_spatial::{CellList, KiddoTree, NeighborQuery, Query};

fn full_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("spatial::full_list");
    for n in [4_000usize, 32_000, 256_000, 1_000_000] {
        let (b, points) = random_points(n, 7);
        group.throughput(Throughput::Elements(n as u64));
        group.sample_size(if n >= 256_000 { 10 } else { 20 });
        for rc in [4.0, 5.0] {
            let q = Query::ball(rc).expect("query");
            group.bench_with_input(
                BenchmarkId::new("cell_list", format!("N={n}/rc={rc:.1}")),
                &points,
                |bench, p| {
                    bench.iter(|| {
                        CellList::new(b, p, rc)
                            .expect("cells")
                            .query_all(&q)
                            .expect("list")
                    });
                },
            );
            group.bench_with_input(
                BenchmarkId::new("kiddo", format!("N={n}/rc={rc:.1}")),
                &points,
                |bench, p| {
                    bench.iter(|| {
                        KiddoTree::new(b, p)
                            .expect("tree")
                            .query_all(&q)
                            .expect("list")
                    });
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, full_list);
criterion_main!(benches);
