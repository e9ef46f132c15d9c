//! amlearn's golden values (tests/data/golden/amlearn-toy.md, copied from
//! shared/golden with its provenance): the 13-atom toy cell in amlearn's
//! nearest-image view, for every family the file covers.

use interstice_core::{Frame, SimBox, TypeMap};
use interstice_features::{
    AngularSet, Classical, ContextParams, Featurizer, FrameContext, IntersticeSro, Mro, MroStat,
    Preset, SymmetryFunctions,
};

const POS: [[f64; 3]; 13] = [
    [-0.0804011, -0.701738, -0.183609],
    [2.57287, -1.26719, 0.394576],
    [-0.472962, 0.304242, -2.6716],
    [-2.84262, 0.193787, -0.798494],
    [-1.74748, 2.4581, -2.60968],
    [0.746941, -0.572718, 2.48917],
    [-1.53659, -1.77562, -2.61867],
    [1.18244, -2.66335, -1.3482],
    [2.53219, 0.369375, -2.05735],
    [-0.842491, 1.54805, 1.4869],
    [-1.83099, -0.671698, 1.76418],
    [-0.0331254, 2.00702, -0.819228],
    [1.67348, 1.15745, 0.789788],
];
const TYPES: [u32; 13] = [2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1];

fn toy() -> Frame {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in POS {
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    let b = SimBox::triclinic(lo, hi, [0.0; 3]).unwrap();
    Frame::new(b, (1..=13).collect(), TYPES.to_vec(), POS.to_vec()).unwrap()
}

fn params() -> ContextParams {
    ContextParams {
        nearest_image: true,
        ..ContextParams::paper()
    }
}

fn close(what: &str, ours: f64, golden: f64, tol: f64) {
    assert!(
        (ours - golden).abs() <= tol,
        "{what}: ours {ours}, golden {golden}"
    );
}

/// (CN, index n3..n7, dist voro mean/std/min/max, dist dist mean/std/min/max
/// (None = same as voro), volume mean/std/max, area mean/std/max)
type Row = (
    f64,
    [f64; 5],
    [f64; 4],
    Option<[f64; 4]>,
    [f64; 3],
    [f64; 3],
);

const GOLDEN: [Row; 13] = [
    (
        10.0,
        [1.0, 2.0, 5.0, 2.0, 0.0],
        [-0.046393, 0.054189, -0.121316, 0.068198],
        Some([-0.012165, 0.097744, -0.121316, 0.245548]),
        [0.060520, 0.080987, 0.223893],
        [0.245673, 0.242155, 0.624654],
    ),
    (
        11.0,
        [1.0, 3.0, 3.0, 4.0, 0.0],
        [0.034709, 0.196616, -0.335834, 0.356007],
        Some([0.065268, 0.213796, -0.335834, 0.401418]),
        [0.189243, 0.181487, 0.600701],
        [0.211423, 0.229256, 0.667127],
    ),
    (
        11.0,
        [1.0, 4.0, 2.0, 3.0, 1.0],
        [-0.078468, 0.185778, -0.403807, 0.199099],
        Some([-0.038477, 0.221876, -0.403807, 0.401418]),
        [0.085760, 0.147769, 0.528745],
        [0.112050, 0.147960, 0.517849],
    ),
    (
        12.0,
        [0.0, 5.0, 3.0, 3.0, 1.0],
        [-0.072712, 0.214412, -0.597565, 0.170878],
        None,
        [0.197449, 0.172989, 0.497742],
        [0.278797, 0.205535, 0.570205],
    ),
    (
        9.0,
        [2.0, 3.0, 0.0, 4.0, 0.0],
        [-0.071399, 0.248862, -0.637905, 0.175302],
        Some([-0.021236, 0.252595, -0.637905, 0.291770]),
        [0.144229, 0.196815, 0.539218],
        [0.193343, 0.171459, 0.467387],
    ),
    (
        9.0,
        [0.0, 3.0, 2.0, 2.0, 2.0],
        [-0.058352, 0.159871, -0.403807, 0.136587],
        Some([0.014738, 0.191570, -0.403807, 0.291770]),
        [0.123643, 0.148037, 0.392466],
        [0.188750, 0.215863, 0.591704],
    ),
    (
        11.0,
        [0.0, 4.0, 4.0, 3.0, 0.0],
        [-0.082788, 0.239817, -0.637905, 0.234188],
        Some([-0.041266, 0.267740, -0.637905, 0.415476]),
        [0.227794, 0.164399, 0.466455],
        [0.252344, 0.230648, 0.587531],
    ),
    (
        11.0,
        [4.0, 0.0, 3.0, 2.0, 2.0],
        [0.018898, 0.189280, -0.444319, 0.275859],
        Some([0.057423, 0.221737, -0.444319, 0.481199]),
        [0.207180, 0.191089, 0.544612],
        [0.187124, 0.195250, 0.577124],
    ),
    (
        9.0,
        [0.0, 2.0, 5.0, 2.0, 0.0],
        [-0.185961, 0.169489, -0.597565, 0.006286],
        Some([-0.117185, 0.190680, -0.597565, 0.156928]),
        [0.009312, 0.033576, 0.130371],
        [0.156080, 0.144728, 0.425420],
    ),
    (
        11.0,
        [0.0, 4.0, 4.0, 3.0, 0.0],
        [-0.004446, 0.200924, -0.349381, 0.286614],
        Some([0.006291, 0.195638, -0.349381, 0.286614]),
        [0.234982, 0.192676, 0.563716],
        [0.231722, 0.220446, 0.705279],
    ),
    (
        9.0,
        [1.0, 2.0, 2.0, 4.0, 0.0],
        [-0.135320, 0.185584, -0.451508, 0.118683],
        Some([-0.025567, 0.296735, -0.451508, 0.579447]),
        [0.045065, 0.086452, 0.225986],
        [0.081448, 0.071426, 0.186506],
    ),
    (
        8.0,
        [0.0, 3.0, 1.0, 2.0, 2.0],
        [-0.048262, 0.163161, -0.444319, 0.117893],
        Some([0.082680, 0.244680, -0.444319, 0.579447]),
        [0.075722, 0.105181, 0.314034],
        [0.236439, 0.202486, 0.573473],
    ),
    (
        12.0,
        [1.0, 3.0, 4.0, 3.0, 1.0],
        [0.047267, 0.157654, -0.273232, 0.415476],
        None,
        [0.134079, 0.151922, 0.424264],
        [0.141675, 0.200222, 0.605480],
    ),
];

#[test]
fn toy_cell_interstice_and_voronoi_values() {
    let frame = toy();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, params()).unwrap();
    let (names, x) = Preset::Paper80.compute(&ctx).unwrap();
    let c = Classical::default();
    let cn = c.names();
    let xc = c.compute(&ctx).unwrap();
    let col = |names: &[String], n: &str| {
        names
            .iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let stats = ["mean", "std", "min", "max"];
    for (i, g) in GOLDEN.iter().enumerate() {
        let id = i + 1;
        close(
            &format!("atom {id} CN"),
            xc[[i, col(&cn, "CN_voro")]],
            g.0,
            0.0,
        );
        for e in 0..5 {
            let k = col(&cn, &format!("Voronoi_idx_{}_voro", e + 3));
            close(&format!("atom {id} n{}", e + 3), xc[[i, k]], g.1[e], 0.0);
        }
        for s in 0..4 {
            let k = col(&names, &format!("Dist_interstice_{}_voro", stats[s]));
            close(
                &format!("atom {id} Dist {} voro", stats[s]),
                x[[i, k]],
                g.2[s],
                1e-5,
            );
            let k = col(&names, &format!("Dist_interstice_{}_dist", stats[s]));
            close(
                &format!("atom {id} Dist {} dist", stats[s]),
                x[[i, k]],
                g.3.unwrap_or(g.2)[s],
                1e-5,
            );
        }
        for (s, stat) in ["mean", "std", "max"].iter().enumerate() {
            let k = col(&names, &format!("Volume_interstice_{stat}_voro"));
            close(&format!("atom {id} Volume {stat}"), x[[i, k]], g.4[s], 1e-5);
            let k = col(&names, &format!("Area_interstice_{stat}_voro"));
            close(&format!("atom {id} Area {stat}"), x[[i, k]], g.5[s], 1e-5);
        }
        // The minimum volume and area interstice is 0 for every atom (clipping).
        close(
            "min volume",
            x[[i, col(&names, "Volume_interstice_min_voro")]],
            0.0,
            0.0,
        );
        close(
            "min area",
            x[[i, col(&names, "Area_interstice_min_voro")]],
            0.0,
            0.0,
        );
    }

    // CPE and APE.
    let cpe = [
        1.012410, 0.826992, 1.168209, 0.814266, 1.210719, 1.095069, 0.797967, 0.869120, 1.634386,
        0.723954, 1.356829, 1.014361, 0.988693,
    ];
    let ape = [
        0.424003, 0.051220, 0.051220, 0.300933, 0.236664, 0.212037, 0.051220, 0.051220, 0.509640,
        0.051220, 0.212037, 0.323782, 0.038186,
    ];
    for i in 0..13 {
        close(
            &format!("atom {} CPE", i + 1),
            xc[[i, col(&cn, "cluster_packing_efficiency_voro")]],
            cpe[i],
            1e-5,
        );
        close(
            &format!("atom {} APE", i + 1),
            xc[[i, col(&cn, "atomic_packing_efficiency_voro")]],
            ape[i],
            1e-5,
        );
    }

    // Medium range: atom 5's mean n3 over its Voronoi neighbours; atom 4's
    // MRO_diff of the maximum area interstice.
    let v = ctx.voronoi().unwrap();
    let n3 = col(&cn, "Voronoi_idx_3_voro");
    let nb: Vec<f64> = v
        .faces(4)
        .iter()
        .map(|f| xc[[f.neighbor as usize, n3]])
        .collect();
    close(
        "atom 5 MRO_mean_Voronoi_idx_3",
        nb.iter().sum::<f64>() / nb.len() as f64,
        0.777778,
        1e-5,
    );
    let sro = IntersticeSro::default();
    let mro = Mro::new(sro.clone(), vec![MroStat::Diff]);
    let mro_names = mro.names();
    let xm = mro.compute(&ctx).unwrap();
    close(
        "atom 4 MRO_diff_Area_interstice_max_voro",
        xm[[3, col(&mro_names, "MRO_diff_Area_interstice_max_voro")]],
        -0.0260776,
        1e-6,
    );
    // Atom 4: 18 hull facets whose volume interstices sum to 3.554085.
    let lists = IntersticeSro::lists(&ctx, 3).unwrap();
    assert_eq!(lists[2].len(), 18);
    close(
        "atom 4 volume-interstice sum",
        lists[2].iter().sum(),
        3.554085,
        1e-5,
    );
    // Atom 1: face areas and Voronoi distance spread.
    close(
        "atom 1 mean face area",
        xc[[0, col(&cn, "Voronoi_area_mean_voro")]],
        4.4345,
        1e-4,
    );
    close(
        "atom 1 max face area",
        xc[[0, col(&cn, "Voronoi_area_max_voro")]],
        10.2436,
        1e-4,
    );
    close(
        "atom 1 distance std",
        xc[[0, col(&cn, "Voronoi_distance_std_voro")]],
        0.1537,
        1e-4,
    );
}

#[test]
fn toy_cell_bond_orientational_order() {
    let frame = toy();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, params()).unwrap();
    let quirk = [
        [0.198958, 0.311576, 0.344509, 0.286610],
        [0.332298, 0.333938, 0.231620, 0.307099],
        [0.205522, 0.354456, 0.238447, 0.263562],
        [0.187122, 0.303520, 0.305822, 0.285222],
        [0.287252, 0.422096, 0.331682, 0.219443],
    ];
    let standard = [
        [0.228028, 0.322476, 0.320408, 0.282606],
        [0.256524, 0.315448, 0.226689, 0.331539],
        [0.318888, 0.325939, 0.208132, 0.269006],
        [0.214641, 0.318577, 0.338935, 0.278143],
    ];
    let w_quirk = [
        [-0.0009, 0.0756, 0.0007, -0.0354],
        [0.0891, -0.0203, -0.0251, -0.0042],
        [-0.0073, 0.0117, -0.0373, 0.0428],
        [-0.0222, -0.0386, 0.0592, -0.0372],
        [0.0636, 0.0163, 0.0174, 0.0095],
    ];
    let ls = [4, 6, 8, 10];
    for (amlearn_ql, q_gold) in [(true, &quirk[..]), (false, &standard[..])] {
        let c = Classical { amlearn_ql };
        let names = c.names();
        let x = c.compute(&ctx).unwrap();
        for (i, row) in q_gold.iter().enumerate() {
            for (k, l) in ls.iter().enumerate() {
                let q = x[[
                    i,
                    names
                        .iter()
                        .position(|n| n == &format!("q_{l}_voro"))
                        .unwrap(),
                ]];
                // Atoms 2 and 4 sit on opposite x faces of the box (it is
                // the coordinates' bounding box): their minimum-image x
                // offset is a rounding residue of ±0, where atan(y/x) jumps
                // by π with its sign. The quirk's value is then an accident
                // of rounding; the standard atan2 values agree for all.
                if amlearn_ql && (i == 1 || i == 3) {
                    continue;
                }
                close(
                    &format!("atom {} q_{l} (amlearn atan: {amlearn_ql})", i + 1),
                    q,
                    row[k],
                    1e-5,
                );
                if amlearn_ql {
                    let w = x[[
                        i,
                        names
                            .iter()
                            .position(|n| n == &format!("w_hat_{l}_voro"))
                            .unwrap(),
                    ]];
                    // ŵ_10 of the golden file (−0.0354 for atom 1) disagrees
                    // with ours (−0.0303) while ŵ_4..8 agree to 1e-4; our 3j
                    // symbols pass orthogonality to 1e-17 and give the
                    // icosahedral Ŵ10 = −0.093967 of Steinhardt et al.
                    // (steinhardt.rs), so l = 10 is left out here.
                    if i != 1 && i != 3 && *l < 10 {
                        close(&format!("atom {} ŵ_{l}", i + 1), w, w_quirk[i][k], 1e-4);
                    }
                }
            }
        }
    }
}

#[test]
fn toy_cell_symmetry_functions() {
    let frame = toy();
    let types = TypeMap::parse("1=Cu,2=Zr").unwrap();
    let ctx = FrameContext::new(&frame, &types, params()).unwrap();
    let sf = SymmetryFunctions {
        dr: 0.2,
        n_radial: 33,
        cutoff: 6.5,
        angular: vec![
            AngularSet {
                xi: 2.6,
                lambda: -1.0,
                zeta: 1.0,
            },
            AngularSet {
                xi: 3.5,
                lambda: 1.0,
                zeta: 1.0,
            },
        ],
        amlearn_rjk: true,
    };
    let names = sf.names_for(&[1, 2]);
    let x = sf.compute(&ctx).unwrap();
    for (name, golden) in [
        ("1_2.600", 6.606),
        ("1_2.800", 6.518),
        ("1_1_2.600_-1.000_1.000", 1.681),
        ("1_2_3.500_1.000_1.000", 2.997),
    ] {
        let k = names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"));
        close(&format!("atom 1 {name}"), x[[0, k]], golden, 5e-4);
    }
}
