//! Dump parsing throughput: plain text and gzip, 4k, 32k and 256k atoms.
//!
//! Throughput is reported in bytes of plain dump text per second, for the
//! gzipped case too (so the two are comparable). Inputs are built outside the
//! timed closure from fixed seeds and read from memory, so the disk is not
//! measured.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use interstice_benches::{gzip, synthetic_dump};
use interstice_core::Frame;
use interstice_io::DumpReader;

fn dump_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("io::dump_read");
    for n in [4_000usize, 32_000, 256_000] {
        let text = synthetic_dump(n, 42);
        let gz = gzip(text.as_bytes());
        group.throughput(Throughput::Bytes(text.len() as u64));
        if n >= 256_000 {
            group.sample_size(10);
        }
        let mut frame = Frame::default();
        group.bench_with_input(
            BenchmarkId::new("plain", format!("N={n}")),
            &text,
            |b, text| {
                b.iter(|| {
                    let mut r = DumpReader::from_bytes("bench", text.as_bytes()).expect("open");
                    r.read_into(&mut frame).expect("read");
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("gzip", format!("N={n}")), &gz, |b, gz| {
            b.iter(|| {
                let mut r = DumpReader::from_bytes("bench", gz).expect("open");
                r.read_into(&mut frame).expect("read");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, dump_read);
criterion_main!(benches);
