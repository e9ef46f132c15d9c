//! Perfect crystals for the features tests.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use interstice_core::{Frame, SimBox};

/// The fcc basis in fractional coordinates of the cubic cell.
pub const FCC: [[f64; 3]; 4] = [
    [0.0, 0.0, 0.0],
    [0.5, 0.5, 0.0],
    [0.5, 0.0, 0.5],
    [0.0, 0.5, 0.5],
];

/// The bcc basis.
pub const BCC: [[f64; 3]; 2] = [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5]];

/// `cells³` cubic cells of edge `a` with `basis`, one atom type, ids from 1.
pub fn lattice(a: f64, basis: &[[f64; 3]], cells: usize) -> Frame {
    let mut pos = Vec::new();
    for i in 0..cells {
        for j in 0..cells {
            for k in 0..cells {
                for b in basis {
                    pos.push([
                        (i as f64 + b[0]) * a,
                        (j as f64 + b[1]) * a,
                        (k as f64 + b[2]) * a,
                    ]);
                }
            }
        }
    }
    let n = pos.len();
    Frame::new(
        SimBox::cubic(a * cells as f64).unwrap(),
        (1..=n as u64).collect(),
        vec![1; n],
        pos,
    )
    .unwrap()
}
