//! Fig. 1, a data-driven stand-in for the paper's schematic: (a) a thin slab
//! of the base glass, triangulated in its plane with spade, each triangle
//! coloured by its 2-D area interstice (the share of the triangle the atoms'
//! discs leave empty, SPEC §4's area formula in the plane); (b) the distance,
//! area and volume interstices of one atom's Voronoi shell against those of
//! the whole glass, with the atom's short-range statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use interstice_features::IntersticeSro;
use serde::Serialize;
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation as _};

use super::{FigureData, Inputs, Numbers, Plot, mean};

/// Slab thickness, Å.
pub const SLAB: f64 = 3.0;
/// The side of the square window drawn, Å.
const WINDOW: f64 = 20.0;

struct Atom2 {
    p: Point2<f64>,
    radius: f64,
    kind: usize,
}

impl HasPosition for Atom2 {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.p
    }
}

/// The numbers drawn in Fig. 1.
#[derive(Clone, Debug, Serialize)]
pub struct Fig1 {
    /// The slab's triangles (corners in x, y, Å) and their 2-D area interstices.
    pub triangles: Vec<([[f64; 2]; 3], f64)>,
    /// The slab's atoms: position, radius, species index.
    pub atoms: Vec<([f64; 2], f64, usize)>,
    /// The element of each species index.
    pub elements: Vec<String>,
    /// The window drawn: lower and upper corners, Å.
    pub window: ([f64; 2], [f64; 2]),
    /// The atom of panel b.
    pub centre: [f64; 2],
    /// (title, glass-wide values, the atom's values) for distance, area, volume.
    pub panels: Vec<(String, Vec<f64>, Vec<f64>)>,
    /// The atom of panel b, described.
    pub atom_label: String,
}

/// Fig. 1 from the base glass's feature context (its tessellation is the
/// one the features used).
///
/// # Errors
/// A slab with fewer than 3 atoms, or a feature error.
pub fn fig1(inputs: &Inputs<'_>) -> Result<FigureData> {
    let ctx = inputs.base;
    let frame = ctx.frame();
    let map = ctx.types();
    let radii = ctx.radii().to_vec();
    let sb = frame.sim_box();
    // The slab: atoms whose fractional z is within SLAB/2 of the box middle,
    // in Cartesian x, y (any tilt), wrapped into the box.
    let h = sb.perpendicular_widths();
    let mid = sb.to_cartesian([0.5, 0.5, 0.5]);
    let half = 0.5 * WINDOW.min(h[0]).min(h[1]);
    let window = (
        [mid[0] - half, mid[1] - half],
        [mid[0] + half, mid[1] + half],
    );
    let mut slab = Vec::new();
    for (i, &p) in frame.positions().iter().enumerate() {
        let f = sb.to_fractional(sb.wrap(p));
        if ((f[2] - 0.5) * h[2]).abs() > 0.5 * SLAB {
            continue;
        }
        let q = sb.to_cartesian(f);
        // A margin of 4 Å so the window's edge triangles are complete.
        if q[0] < window.0[0] - 4.0
            || q[0] > window.1[0] + 4.0
            || q[1] < window.0[1] - 4.0
            || q[1] > window.1[1] + 4.0
        {
            continue;
        }
        slab.push((i, q));
    }
    if slab.len() < 3 {
        bail!(
            "the slab of the base glass has {} atoms; fig1 needs at least 3",
            slab.len()
        );
    }
    let kinds: Vec<u32> = {
        let mut t: Vec<u32> = frame.types().to_vec();
        t.sort_unstable();
        t.dedup();
        t
    };
    let elements: Vec<String> = kinds
        .iter()
        .map(|&t| map.species(t).map(|s| s.element.symbol.to_string()))
        .collect::<Result<_, _>>()?;
    let kind_of = |i: usize| {
        kinds
            .iter()
            .position(|&t| t == frame.types()[i])
            .unwrap_or(0)
    };
    let verts: Vec<Atom2> = slab
        .iter()
        .map(|&(i, q)| Atom2 {
            p: Point2::new(q[0], q[1]),
            radius: radii[i],
            kind: kind_of(i),
        })
        .collect();
    let tri: DelaunayTriangulation<Atom2> =
        DelaunayTriangulation::bulk_load(verts).map_err(|e| anyhow::anyhow!("spade: {e:?}"))?;
    let inside = |p: &[f64; 2]| {
        p[0] >= window.0[0] && p[0] <= window.1[0] && p[1] >= window.0[1] && p[1] <= window.1[1]
    };
    let mut triangles = Vec::new();
    let mut csv = String::from("x1,y1,x2,y2,x3,y3,area_interstice_2d\n");
    for f in tri.inner_faces() {
        let v = f.vertices();
        let p = v.map(|v| [v.data().p.x, v.data().p.y]);
        if !p.iter().all(inside) {
            continue;
        }
        let r = v.map(|v| v.data().radius);
        let a = interstice_geometry::interstice::area_interstice_2d(p, r);
        let _ = writeln!(
            csv,
            "{:?},{:?},{:?},{:?},{:?},{:?},{a:?}",
            p[0][0], p[0][1], p[1][0], p[1][1], p[2][0], p[2][1]
        );
        triangles.push((p, a));
    }
    let atoms: Vec<([f64; 2], f64, usize)> = tri
        .vertices()
        .map(|v| ([v.data().p.x, v.data().p.y], v.data().radius, v.data().kind))
        .filter(|a| inside(&a.0))
        .collect();
    // The atom of panel b: the slab atom nearest the window's centre.
    let (centre_atom, centre) = slab
        .iter()
        .map(|&(i, q)| (i, [q[0], q[1]], (q[0] - mid[0]).hypot(q[1] - mid[1])))
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(i, p, _)| (i, p))
        .context("empty slab")?;
    let mut glass: [Vec<f64>; 3] = Default::default();
    for i in 0..frame.len() {
        let [dv, _, vol, area] = IntersticeSro::lists(ctx, i)?;
        glass[0].extend(dv);
        glass[1].extend(area);
        glass[2].extend(vol);
    }
    let [dv, _, vol, area] = IntersticeSro::lists(ctx, centre_atom)?;
    let own = [dv, area, vol];
    let _ = writeln!(csv, "\nlist,atom_id,value");
    for (name, v) in ["distance", "area", "volume"].iter().zip(&own) {
        for x in v {
            let _ = writeln!(csv, "{name},{},{x:?}", frame.ids()[centre_atom]);
        }
    }
    let summary = BTreeMap::from([
        (
            "mean_area_interstice_2d".to_string(),
            mean(&triangles.iter().map(|t| t.1).collect::<Vec<_>>()),
        ),
        ("mean_distance_interstice".to_string(), mean(&glass[0])),
        ("mean_area_interstice".to_string(), mean(&glass[1])),
        ("mean_volume_interstice".to_string(), mean(&glass[2])),
    ]);
    let atom_label = format!(
        "id {}, {}, CN {}",
        frame.ids()[centre_atom],
        elements[kind_of(centre_atom)],
        own[0].len()
    );
    let names = [
        "b  distance interstices (Voronoi bonds)",
        "area interstices (shell hull triangles)",
        "volume interstices (shell tetrahedra)",
    ];
    let panels = names
        .iter()
        .zip(glass)
        .zip(own)
        .map(|((n, g), o)| (format!("{n}: glass (grey), the atom (red)"), g, o))
        .collect();
    let fig = Fig1 {
        triangles,
        atoms,
        elements,
        window,
        centre,
        panels,
        atom_label,
    };
    Ok(FigureData::new(
        "fig1",
        Plot::Fig1(fig),
        Numbers { csv, summary },
    ))
}
