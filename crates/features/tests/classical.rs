//! The classical catalogue on a perfect fcc crystal of touching spheres:
//! every value known in closed form or from shared/golden and CRATES.md.

use interstice_core::TypeMap;
use interstice_features::{Classical, ContextParams, Featurizer, FrameContext, Preset};

mod common;

#[test]
fn fcc_crystal_classical_values() {
    // Nearest neighbours at √2 (a = 2), touching spheres of radius √2/2,
    // as in the amlearn golden fcc cluster.
    let a = 2.0;
    let frame = common::lattice(a, &common::FCC, 3);
    let n = frame.len();
    let types = TypeMap::parse("1=Cu")
        .unwrap()
        .with_radius_overrides(&format!("Cu={}", 2.0f64.sqrt() / 2.0))
        .unwrap();
    let params = ContextParams {
        distance_cutoff: 1.5,
        ..ContextParams::paper()
    };
    let ctx = FrameContext::new(&frame, &types, params).unwrap();
    let c = Classical::default();
    let names = c.names();
    assert_eq!(names.len(), 114);
    let x = c.compute(&ctx).unwrap();
    let col = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let face_area = 2.0f64.sqrt() / 2.0; // rhombic dodecahedron face of a cell of volume 2
    let expect = [
        ("CN_voro", 12.0),
        ("CN_dist", 12.0),
        ("Voronoi_idx_4_voro", 12.0),
        ("Voronoi_idx_5_voro", 0.0),
        ("motif_0_0_12_0_0_voro", 0.0),
        ("motif_polytetrahedral_voro", 0.0),
        ("i_fold_symm_idx_4_voro", 1.0),
        ("area_wt_i_fold_symm_idx_4_voro", 1.0),
        ("vol_wt_i_fold_symm_idx_4_voro", 1.0),
        ("Voronoi_area_mean_voro", face_area),
        ("Voronoi_area_std_voro", 0.0),
        ("Voronoi_vol_sum_voro", a * a * a / 4.0),
        ("Voronoi_vol_sum_4_edged_voro", a * a * a / 4.0),
        ("Voronoi_vol_sum_5_edged_voro", 0.0),
        ("Voronoi_distance_mean_voro", 2.0f64.sqrt()),
        // Golden (shared/golden/amlearn-toy.md): APE of the fcc cluster.
        ("atomic_packing_efficiency_voro", 0.097887),
        // The same formula on scipy's Qhull hull (see geometry's tests).
        ("cluster_packing_efficiency_voro", 0.7443959977281804),
        // shared/CRATES.md.
        ("q_4_voro", 0.19094),
        ("q_6_voro", 0.57452),
        ("w_hat_4_voro", -0.15932),
        ("w_hat_6_voro", -0.01316),
        // In a perfect crystal the neighbour average changes nothing.
        ("q_bar_6_voro", 0.57452),
        ("w_hat_bar_4_voro", -0.15932),
    ];
    for (name, value) in expect {
        let k = col(name);
        for i in 0..n {
            assert!(
                (x[[i, k]] - value).abs() < 1e-5,
                "{name} of atom {i}: {} vs {value}",
                x[[i, k]]
            );
        }
    }
    let (names, x) = Preset::Classical.compute(&ctx).unwrap();
    assert_eq!(x.dim(), (n, names.len()));
}

#[test]
fn bcc_crystal_classical_values() {
    // bcc: cells are truncated octahedra of volume a³/2 with 8 hexagons
    // (area 3√3/2 e²) and 6 squares (e²), e = a/(2√2); the amlearn filter
    // keeps all 14 faces.
    let a = 3.0;
    let frame = common::lattice(a, &common::BCC, 3);
    let n = frame.len();
    let types = TypeMap::parse("1=Fe").unwrap();
    let ctx = FrameContext::new(&frame, &types, ContextParams::paper()).unwrap();
    let c = Classical::default();
    let names = c.names();
    let x = c.compute(&ctx).unwrap();
    let col = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let e = a / (2.0 * 2.0f64.sqrt());
    let hex = 1.5 * 3.0f64.sqrt() * e * e;
    let sq = e * e;
    let expect = [
        ("CN_voro", 14.0),
        ("Voronoi_idx_4_voro", 6.0),
        ("Voronoi_idx_6_voro", 8.0),
        ("i_fold_symm_idx_6_voro", 8.0 / 14.0),
        (
            "area_wt_i_fold_symm_idx_4_voro",
            6.0 * sq / (6.0 * sq + 8.0 * hex),
        ),
        ("Voronoi_area_max_voro", hex),
        ("Voronoi_area_min_voro", sq),
        ("Voronoi_vol_sum_voro", a * a * a / 2.0),
        ("Voronoi_distance_min_voro", a * 3.0f64.sqrt() / 2.0),
        ("Voronoi_distance_max_voro", a),
        ("atomic_packing_efficiency_voro", 1.0 - 1.04733),
    ];
    for (name, value) in expect {
        let k = col(name);
        for i in 0..n {
            assert!(
                (x[[i, k]] - value).abs() < 1e-9,
                "{name} of atom {i}: {} vs {value}",
                x[[i, k]]
            );
        }
    }
}
