//! Fig. 1, a data-driven stand-in for the paper's schematic: (a) a thin slab
//! of the base glass, triangulated in its plane with spade, each triangle
//! coloured by its 2-D area interstice (the share of the triangle the atoms'
//! discs leave empty, SPEC §4's area formula in the plane); (b) the distance,
//! area and volume interstices of one atom's Voronoi shell against those of
//! the whole glass, with the atom's short-range statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::TypeMap;
use interstice_features::{ContextParams, FrameContext, IntersticeSro};
use interstice_io::Trajectory;
use plotters::coord::Shift;
use plotters::prelude::*;
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation as _};

use super::{Drawn, Figure, GREY, Numbers, RED, SANS, histogram, legend_box, mean, save};
use crate::config::Config;

/// Slab thickness (Å) and the side of the square window drawn (Å).
const SLAB: f64 = 3.0;
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

/// A viridis-like colour for t in [0, 1].
fn colormap(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

struct Fig1 {
    triangles: Vec<([[f64; 2]; 3], f64)>,
    atoms: Vec<([f64; 2], f64, usize)>,
    elements: Vec<String>,
    window: ([f64; 2], [f64; 2]),
    centre: [f64; 2],
    /// (title, glass-wide values, the atom's values) for distance, area, volume.
    panels: Vec<(String, Vec<f64>, Vec<f64>)>,
    atom_label: String,
}

impl Figure for Fig1 {
    const SIZE: (u32, u32) = (1400, 720);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (a, b) = root.split_horizontally(720);
        let ((x0, y0), (x1, y1)) = (
            (self.window.0[0], self.window.0[1]),
            (self.window.1[0], self.window.1[1]),
        );
        let mut c = ChartBuilder::on(&a)
            .caption(
                format!("a  A {SLAB} Å slab, triangulated in its plane: 2-D area interstices"),
                (SANS, 18),
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0..y1)
            .d()?;
        c.configure_mesh()
            .disable_mesh()
            .x_desc("x (Å)")
            .y_desc("y (Å)")
            .label_style((SANS, 14))
            .draw()
            .d()?;
        c.draw_series(self.triangles.iter().map(|(p, v)| {
            Polygon::new(
                p.iter().map(|q| (q[0], q[1])).collect::<Vec<_>>(),
                colormap(*v / 0.6).filled(),
            )
        }))
        .d()?
        .label("triangle: 2-D area interstice, 0 (purple) to ≥ 0.6 (yellow)")
        .legend(|(x, y)| {
            let seg = |k: i32| {
                Rectangle::new(
                    [(4 * k, -6), (4 * k + 4, 6)],
                    colormap(f64::from(k) / 4.0).filled(),
                )
            };
            EmptyElement::at((x, y)) + seg(0) + seg(1) + seg(2) + seg(3) + seg(4)
        });
        c.draw_series(self.triangles.iter().map(|(p, _)| {
            let mut v: Vec<(f64, f64)> = p.iter().map(|q| (q[0], q[1])).collect();
            v.push(v[0]);
            PathElement::new(v, WHITE.mix(0.6).stroke_width(1))
        }))
        .d()?;
        for (kind, name) in self.elements.iter().enumerate() {
            let color = if kind == 0 {
                RGBColor(230, 140, 60)
            } else {
                RGBColor(120, 160, 220)
            };
            c.draw_series(self.atoms.iter().filter(|a| a.2 == kind).map(|(p, r, _)| {
                let v: Vec<(f64, f64)> = (0..32)
                    .map(|k| {
                        let t = k as f64 / 32.0 * std::f64::consts::TAU;
                        (p[0] + r * t.cos(), p[1] + r * t.sin())
                    })
                    .collect();
                Polygon::new(v, color.mix(0.45).filled())
            }))
            .d()?
            .label(format!("{name} (disc: Miracle radius)"))
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, color.filled()));
        }
        c.draw_series(std::iter::once(Circle::new(
            (self.centre[0], self.centre[1]),
            7,
            RED.stroke_width(3),
        )))
        .d()?
        .label(format!("the atom of panel b ({})", self.atom_label))
        .legend(|(x, y)| Circle::new((x + 10, y), 6, RED.stroke_width(3)));
        legend_box(&mut c, SeriesLabelPosition::UpperRight, 13)?;
        let panels = b.split_evenly((3, 1));
        for (area, (title, all, own)) in panels.iter().zip(&self.panels) {
            let lo = all
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .min(own.iter().copied().fold(f64::INFINITY, f64::min));
            let hi = all
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(own.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            let (lo, hi) = if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5, lo + 0.5)
            };
            let bins = 40;
            let h = histogram(all, lo, hi, bins);
            let n: usize = h.iter().sum();
            let w = (hi - lo) / bins as f64;
            let dens: Vec<(f64, f64)> = h
                .iter()
                .enumerate()
                .map(|(k, &c)| (lo + (k as f64 + 0.5) * w, c as f64 / (n.max(1) as f64 * w)))
                .collect();
            let ymax = dens.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9);
            let mut c = ChartBuilder::on(area)
                .caption(title, (SANS, 15))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(55)
                .build_cartesian_2d(lo..hi, 0f64..ymax * 1.15)
                .d()?;
            c.configure_mesh()
                .disable_mesh()
                .label_style((SANS, 12))
                .y_desc("density")
                .draw()
                .d()?;
            c.draw_series(dens.iter().map(|&(x, y)| {
                Rectangle::new(
                    [(x - 0.5 * w, 0.0), (x + 0.5 * w, y)],
                    GREY.mix(0.5).filled(),
                )
            }))
            .d()?;
            c.draw_series(
                own.iter()
                    .map(|&x| PathElement::new([(x, 0.0), (x, ymax * 0.35)], RED.stroke_width(2))),
            )
            .d()?;
            let (m, s) = interstice_learn::protocol::mean_std(own);
            let mn = own.iter().copied().fold(f64::INFINITY, f64::min);
            let mx = own.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            c.draw_series(std::iter::once(Text::new(
                format!("atom: mean {m:.3}, std {s:.3}, min {mn:.3}, max {mx:.3}"),
                (lo + 0.02 * (hi - lo), ymax * 1.08),
                (SANS, 13).into_font().color(&RED),
            )))
            .d()?;
        }
        Ok(())
    }
}

pub fn draw(config: &Config, dir: &Path) -> Result<PathBuf> {
    let base = config.base();
    let frame = Trajectory::open(base.frame(0))?
        .read()?
        .with_context(|| format!("{} has no frame", base.frame(0).display()))?;
    let map = TypeMap::parse(&base.types).context("types")?;
    let ctx = FrameContext::new(&frame, &map, ContextParams::paper())?;
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
        let [dv, _, vol, area] = IntersticeSro::lists(&ctx, i)?;
        glass[0].extend(dv);
        glass[1].extend(area);
        glass[2].extend(vol);
    }
    let [dv, _, vol, area] = IntersticeSro::lists(&ctx, centre_atom)?;
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
    save(&fig, dir, "fig1", &Numbers { csv, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_ends() {
        assert_eq!(colormap(0.0), RGBColor(68, 1, 84));
        assert_eq!(colormap(1.0), RGBColor(253, 231, 37));
    }
}
