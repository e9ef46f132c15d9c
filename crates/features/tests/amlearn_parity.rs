//! Parity with amlearn 0.3.4 itself: the paper's 80 columns of every atom
//! of a 4 000-atom orthorhombic Cu65Zr35 glass, within 1e-8
//! (`tests/data/amlearn/`, made by its `make_reference.py`; provenance in
//! its README).

use std::io::Read;
use std::path::PathBuf;

use interstice_core::TypeMap;
use interstice_features::{ContextParams, FrameContext, Preset};
use interstice_io::DumpReader;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/amlearn")
        .join(name)
}

#[test]
fn paper80_matches_amlearn_on_every_atom_and_column() {
    let frame = DumpReader::open(data("glass.dump.gz"))
        .unwrap()
        .read()
        .unwrap()
        .unwrap();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let (names, x) = Preset::Paper80.compute(&ctx).unwrap();

    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(data("amlearn_paper80.csv.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "id");
    assert_eq!(
        header[1..],
        names.iter().map(String::as_str).collect::<Vec<_>>()[..],
        "column names and order"
    );
    let mut worst = (0.0f64, String::new());
    let mut rows = 0;
    for (i, line) in lines.enumerate() {
        let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        assert_eq!(v[0] as u64, frame.ids()[i]);
        for c in 0..80 {
            let d = (x[[i, c]] - v[c + 1]).abs();
            if d > worst.0 {
                worst = (d, format!("atom {} column {}", frame.ids()[i], names[c]));
            }
            assert!(
                d <= 1e-8,
                "atom {} {}: ours {} amlearn {}",
                frame.ids()[i],
                names[c],
                x[[i, c]],
                v[c + 1]
            );
        }
        rows += 1;
    }
    assert_eq!(rows, frame.len());
    eprintln!(
        "largest difference from amlearn: {:.2e} ({})",
        worst.0, worst.1
    );
}
