//! Inputs for the criterion benches of interstice, built from fixed seeds
//! outside the timed code.

use std::fmt::Write as _;

pub use interstice_core::rng::SplitMix64;

/// The number density of a Cu-Zr glass, Å⁻³.
pub const GLASS_DENSITY: f64 = 0.06;

/// A one-frame LAMMPS `dump custom ... id type x y z` of `n` random atoms at
/// the glass density in a sheared (triclinic) box, written with the `%g`
/// precision that LAMMPS uses by default (six significant digits).
pub fn synthetic_dump(n: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let l = (n as f64 / GLASS_DENSITY).cbrt();
    let xy = 0.1 * l;
    let mut s = String::with_capacity(n * 40 + 300);
    let _ = write!(
        s,
        "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS xy xz yz pp pp pp\n0 {} {xy}\n0 {l} 0\n0 {l} 0\nITEM: ATOMS id type x y z\n",
        l + xy
    );
    for i in 0..n {
        let t = if rng.next_f64() < 0.65 { 1 } else { 2 };
        let f = [rng.next_f64(), rng.next_f64(), rng.next_f64()];
        let p = [l * f[0] + xy * f[1], l * f[1], l * f[2]];
        let _ = writeln!(s, "{} {t} {} {} {}", i + 1, g6(p[0]), g6(p[1]), g6(p[2]));
    }
    s
}

/// `printf("%g")`: six significant digits, trailing zeros removed.
fn g6(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (5 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `n` uniformly random points at the glass density in a periodic cube.
pub fn random_points(n: usize, seed: u64) -> (interstice_core::SimBox, Vec<[f64; 3]>) {
    let l = (n as f64 / GLASS_DENSITY).cbrt();
    let mut rng = SplitMix64::new(seed);
    let points = (0..n)
        .map(|_| [l * rng.next_f64(), l * rng.next_f64(), l * rng.next_f64()])
        .collect();
    (
        interstice_core::SimBox::cubic(l).unwrap_or_default(),
        points,
    )
}

/// Gzip-compresses `text` at the default level, as LAMMPS' `.gz` dumps are.
pub fn gzip(text: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, text).unwrap_or_default();
    e.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_printf() {
        assert_eq!(g6(12.345678), "12.3457");
        assert_eq!(g6(0.5), "0.5");
        assert_eq!(g6(123456.7), "123457");
        assert_eq!(g6(3.0), "3");
    }

    #[test]
    fn synthetic_dump_reads_back() {
        let text = synthetic_dump(500, 1);
        let f = interstice_io::DumpReader::from_bytes("s", text.as_bytes())
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(f.len(), 500);
        assert!(f.sim_box().is_triclinic());
        let g = gzip(text.as_bytes());
        let h = interstice_io::DumpReader::from_bytes("s", &g)
            .unwrap()
            .read()
            .unwrap()
            .unwrap();
        assert_eq!(f, h);
    }
}
