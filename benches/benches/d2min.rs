//! D²min and atomic strain of every atom: the 4 000-atom Cu65Zr35 fixture
//! (reference against 5 % shear) and its replicas at 32k, 256k and 1M atoms.
//! Frames are read and replicated outside the timed closure.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use interstice_d2min::{D2minParams, atomic_strain};
use interstice_io::DumpReader;

fn fixture(k: usize) -> interstice_core::Frame {
    let path = format!(
        "{}/../fixtures/cuzr65-4000/frame_{k:03}.dump.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    DumpReader::open(path)
        .expect("fixture")
        .read()
        .expect("frame")
        .expect("one frame")
}

fn d2min(c: &mut Criterion) {
    let (reference, current) = (fixture(0), fixture(40));
    let mut group = c.benchmark_group("d2min::atomic_strain");
    for n in [[1, 1, 1], [2, 2, 2], [4, 4, 4], [5, 5, 10]] {
        let r = reference.replicate(n).expect("replicate");
        let d = current.replicate(n).expect("replicate");
        group.throughput(Throughput::Elements(r.len() as u64));
        group.sample_size(if r.len() >= 256_000 { 10 } else { 20 });
        group.bench_with_input(
            BenchmarkId::new("cutoff=5.0", format!("N={}", r.len())),
            &(r, d),
            |b, (r, d)| {
                b.iter(|| atomic_strain(r, d, &D2minParams::new(5.0)).expect("strain"));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, d2min);
criterion_main!(benches);
