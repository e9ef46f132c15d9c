//! Peak memory while reading a frame stays within twice the frame's own size.
//!
//! A counting global allocator records the high-water mark of live heap bytes
//! while a 100 000-atom frame is read, plain and gzipped; the frame's own size
//! is the heap its vectors hold at the end.
#![allow(unsafe_code)] // a GlobalAlloc must be an unsafe impl; it only forwards to the system allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to `System` with the caller's layout unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn dump(n: usize) -> String {
    use std::fmt::Write as _;
    let mut s = format!(
        "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS xy xz yz pp pp pp\n0 120 10\n0 110 0\n0 110 0\nITEM: ATOMS id type x y z ix iy iz c_pe\n"
    );
    for i in 0..n {
        let x = (i % 1000) as f64 * 0.11;
        let _ = writeln!(
            s,
            "{} {} {x:.6} {:.6} {:.6} 0 1 -1 -4.{}",
            i + 1,
            1 + i % 2,
            110.0 - x,
            x / 2.0,
            i % 97
        );
    }
    s
}

fn frame_heap(f: &interstice_core::Frame) -> usize {
    // What the frame's vectors hold: ids, types, positions, images, one real column.
    f.ids().len() * 8
        + f.types().len() * 4
        + f.positions().len() * 24
        + f.images().map_or(0, |i| i.len() * 12)
        + f.len() * 8
}

#[test]
fn reading_holds_at_most_twice_the_frame() {
    let n = 100_000;
    let text = dump(n);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    for (label, bytes) in [("plain", text.as_bytes()), ("gzip", &gz[..])] {
        let before = LIVE.load(Ordering::SeqCst);
        PEAK.store(before, Ordering::SeqCst);
        let frame = interstice_io::DumpReader::from_bytes("m", bytes)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        let peak = PEAK.load(Ordering::SeqCst) - before;
        let size = frame_heap(&frame);
        assert_eq!(frame.len(), n);
        assert!(
            peak <= 2 * size,
            "{label}: peak {peak} bytes for a frame of {size} bytes"
        );
        eprintln!(
            "{label}: peak {peak} bytes, frame {size} bytes, ratio {:.2}",
            peak as f64 / size as f64
        );
        drop(frame);
    }
}
