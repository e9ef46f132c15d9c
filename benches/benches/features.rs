//! Per-atom features of a whole frame: the `paper80` (interstice, amlearn's
//! 80 columns) and `sf166` (symmetry functions) presets, each timed from
//! `FrameContext::new` on, so everything the preset builds is inside the
//! timing: for `paper80` the periodic Voronoi tessellation and the 4 Å
//! distance neighbours, for `sf166` its own cell list within its cutoff.
//!
//! The glass is the 4 000-atom Cu65Zr35 fixture
//! `fixtures/cuzr65-4000/frame_000.dump.gz` (types 1 = Cu, 2 = Zr) and its
//! periodic replicas: 1 × 1 × 1 = 4 000 atoms, 2 × 2 × 2 = 32 000,
//! 4 × 4 × 4 = 256 000 and 6 × 6 × 7 = 1 008 000. Frames are read and
//! replicated outside the timed closure; all threads; throughput in atoms per
//! second.
//!
//! Every case takes criterion's minimum of ten samples, flat sampling (one run
//! per sample once a run takes seconds), and a measurement time of about
//! twelve runs at the speed seen on two shared cores (paper80 about 60 µs
//! per atom, sf166 about 400 µs per atom: 0.2 s and 1.5 s at 4k). The whole
//! bench takes about two hours there, most of it sf166 at 256k (20 min) and
//! 1M (80 min); paper80 at 1M takes about 12 min. Run one size or preset with
//! a filter, e.g.
//! `cargo bench -p interstice-benches --bench features -- 'N=4000$'` or
//! `... -- 'paper80/N=(4000|32000)$'`.

use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use interstice_core::{Frame, TypeMap};
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_io::DumpReader;

fn fixture() -> Frame {
    let path = format!(
        "{}/../fixtures/cuzr65-4000/frame_000.dump.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    DumpReader::open(path)
        .expect("fixture")
        .read()
        .expect("frame")
        .expect("one frame")
}

fn features(c: &mut Criterion) {
    let glass = fixture();
    let types = TypeMap::parse("1=Cu,2=Zr").expect("type map");
    let mut group = c.benchmark_group("features::preset");
    for n in [[1, 1, 1], [2, 2, 2], [4, 4, 4], [6, 6, 7]] {
        let frame = glass.replicate(n).expect("replicate");
        let atoms = frame.len();
        group.throughput(Throughput::Elements(atoms as u64));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        for (preset, seconds_per_atom) in [(Preset::Paper80, 60e-6), (Preset::Sf166, 400e-6)] {
            // Room for ten runs and a warm-up at the speed seen on two
            // shared cores, so criterion does not ask for more time.
            let run = atoms as f64 * seconds_per_atom;
            group.warm_up_time(Duration::from_secs_f64(run.clamp(0.5, 2.0)));
            group.measurement_time(Duration::from_secs_f64((12.0 * run).max(5.0)));
            group.bench_with_input(
                BenchmarkId::new(preset.name(), format!("N={atoms}")),
                &frame,
                |bench, f| {
                    bench.iter(|| {
                        let ctx =
                            FrameContext::new(f, &types, ContextParams::paper()).expect("context");
                        preset.compute(&ctx).expect("features")
                    });
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, features);
criterion_main!(benches);
