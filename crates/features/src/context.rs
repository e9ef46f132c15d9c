//! The per-frame context: radii, the tessellation and the distance
//! neighbours, computed once and shared by every featurizer.

use std::sync::OnceLock;

use interstice_core::{Frame, TypeMap};
use interstice_geometry::{Face, FaceFilter, Voronoi, VoronoiParams, local_cell};
use interstice_spatial::{CellList, NearestImage, NeighborList, NeighborQuery, Query};
use rayon::prelude::*;

use crate::FeatureError;

/// Which small faces of the Voronoi cells to drop before counting
/// neighbours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaceFilterKind {
    /// Keep every face.
    None,
    /// amlearn's order-dependent rule at this threshold (0.05 in the paper),
    /// walking the faces in ascending neighbour id (shared/SPEC.md §3).
    Amlearn(f64),
    /// Drop faces smaller than this fraction of the cell's mean face area.
    RelativeArea(f64),
}

/// How the context builds its neighbours. [`ContextParams::paper`] gives the
/// paper's (amlearn's) settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextParams {
    /// Radical (Laguerre) instead of plain Voronoi.
    pub radical: bool,
    /// The small-face filter.
    pub face_filter: FaceFilterKind,
    /// Voronoi neighbours must be closer than this (Å, strict), as amlearn's
    /// candidate list within 5 Å; `None` keeps every face of the exact cell.
    pub voronoi_cutoff: Option<f64>,
    /// Distance neighbours: every atom closer than this (Å, strict).
    pub distance_cutoff: f64,
    /// Keep the Delaunay stars (for the Delaunay-star interstice variant).
    pub keep_stars: bool,
    /// amlearn's view of a small box (parity only): every other atom once,
    /// at its minimum image, and each Voronoi cell built from the
    /// candidates within `voronoi_cutoff` alone. In a box wider than twice
    /// the cutoffs this equals the exact periodic result; in a smaller one
    /// it is what amlearn computes, not the true tessellation. O(N²).
    pub nearest_image: bool,
}

impl ContextParams {
    /// The paper's settings: plain Voronoi, candidates within 5 Å, amlearn's
    /// face filter at 0.05, distance neighbours within 4 Å.
    pub fn paper() -> ContextParams {
        ContextParams {
            radical: false,
            face_filter: FaceFilterKind::Amlearn(0.05),
            voronoi_cutoff: Some(5.0),
            distance_cutoff: 4.0,
            keep_stars: false,
            nearest_image: false,
        }
    }

    fn check(&self) -> Result<(), FeatureError> {
        let bad = |what: &str, x: f64| {
            Err(FeatureError::InvalidParams(format!(
                "{what} must be finite and > 0, found {x}"
            )))
        };
        if !(self.distance_cutoff.is_finite() && self.distance_cutoff > 0.0) {
            return bad("the distance cutoff", self.distance_cutoff);
        }
        if let Some(c) = self.voronoi_cutoff
            && !(c.is_finite() && c > 0.0)
        {
            return bad("the Voronoi cutoff", c);
        }
        match self.face_filter {
            FaceFilterKind::Amlearn(t) | FaceFilterKind::RelativeArea(t)
                if !(t.is_finite() && t >= 0.0) =>
            {
                Err(FeatureError::InvalidParams(format!(
                    "a face-filter threshold must be finite and ≥ 0, found {t}"
                )))
            }
            _ => Ok(()),
        }
    }
}

/// A frame with what every featurizer needs, each computed at most once.
pub struct FrameContext<'a> {
    frame: &'a Frame,
    types: &'a TypeMap,
    radii: Vec<f64>,
    params: ContextParams,
    voronoi: OnceLock<Voronoi>,
    distance: OnceLock<NeighborList>,
}

impl<'a> FrameContext<'a> {
    /// A context for `frame`, whose atom types `types` maps to elements
    /// (and radii).
    ///
    /// # Errors
    /// An atom type the map lacks; invalid parameters.
    pub fn new(
        frame: &'a Frame,
        types: &'a TypeMap,
        params: ContextParams,
    ) -> Result<FrameContext<'a>, FeatureError> {
        params.check()?;
        types.check_types(frame.types())?;
        let radii = frame
            .types()
            .iter()
            .map(|&t| types.radius(t))
            .collect::<Result<Vec<f64>, _>>()?;
        Ok(FrameContext {
            frame,
            types,
            radii,
            params,
            voronoi: OnceLock::new(),
            distance: OnceLock::new(),
        })
    }

    /// The frame.
    pub fn frame(&self) -> &Frame {
        self.frame
    }

    /// The type map.
    pub fn types(&self) -> &TypeMap {
        self.types
    }

    /// The parameters.
    pub fn params(&self) -> &ContextParams {
        &self.params
    }

    /// The radius of every atom, Å.
    pub fn radii(&self) -> &[f64] {
        &self.radii
    }

    /// The number of atoms.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// Whether the frame has no atoms.
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// The Voronoi tessellation with the context's cutoff and face filter.
    ///
    /// # Errors
    /// From the tessellation (non-periodic box, near-duplicate atoms).
    pub fn voronoi(&self) -> Result<&Voronoi, FeatureError> {
        if let Some(v) = self.voronoi.get() {
            return Ok(v);
        }
        let v = if self.params.nearest_image {
            self.nearest_image_voronoi()?
        } else {
            Voronoi::compute(
                self.frame.positions(),
                self.frame.sim_box(),
                &self.voronoi_params().keep_stars(self.params.keep_stars),
            )?
        };
        let _ = self.voronoi.set(self.cut_and_filter(v));
        Ok(self.voronoi.get().expect("set just above"))
    }

    /// The tessellation's parameters: plain, or radical with the atoms'
    /// radii.
    pub(crate) fn voronoi_params(&self) -> VoronoiParams {
        if self.params.radical {
            VoronoiParams::radical(self.radii.clone())
        } else {
            VoronoiParams::plain()
        }
    }

    /// Cells (all of the frame's, or any subset's) with the context's
    /// candidate cutoff and face filter applied.
    pub(crate) fn cut_and_filter(&self, mut v: Voronoi) -> Voronoi {
        if let Some(c) = self.params.voronoi_cutoff {
            v = v.within(c);
        }
        match self.params.face_filter {
            FaceFilterKind::None => v,
            FaceFilterKind::Amlearn(threshold) => v.filtered(FaceFilter::Amlearn {
                threshold,
                order: Some(self.frame.ids()),
            }),
            FaceFilterKind::RelativeArea(fraction) => {
                v.filtered(FaceFilter::RelativeArea { fraction })
            }
        }
    }

    /// The tessellation if [`FrameContext::voronoi`] has computed it, without
    /// computing it (a caller can count how often a frame was tessellated).
    pub fn voronoi_if_computed(&self) -> Option<&Voronoi> {
        self.voronoi.get()
    }

    /// Every neighbour closer than the distance cutoff, per atom.
    ///
    /// # Errors
    /// From the neighbour search.
    pub fn distance_neighbors(&self) -> Result<&NeighborList, FeatureError> {
        if let Some(l) = self.distance.get() {
            return Ok(l);
        }
        let rc = self.params.distance_cutoff;
        let l = if self.params.nearest_image {
            self.nearest_image_list(rc, false)?
        } else {
            let cl = CellList::new(*self.frame.sim_box(), self.frame.positions(), rc)?;
            cl.query_all(&Query::ball(rc)?)?
        };
        let _ = self.distance.set(l);
        Ok(self.distance.get().expect("set just above"))
    }

    /// Every other atom at its minimum image within `r` (strict, or
    /// inclusive), sorted by distance then index: amlearn's neighbour view.
    pub(crate) fn nearest_image_list(
        &self,
        r: f64,
        inclusive: bool,
    ) -> Result<NeighborList, FeatureError> {
        let nq = NearestImage::new(*self.frame.sim_box(), self.frame.positions())?;
        // `dist <= r` is `dist < next_up(r)`; no cutoff is every other atom.
        let q = if r.is_finite() {
            Query::ball(if inclusive { r.next_up() } else { r })?
        } else {
            Query::nearest(self.len().max(1), None)?
        };
        Ok(nq.query_all(&q)?)
    }

    fn nearest_image_voronoi(&self) -> Result<Voronoi, FeatureError> {
        let cutoff = self.params.voronoi_cutoff.unwrap_or(f64::INFINITY);
        let list = self.nearest_image_list(cutoff, false)?;
        let radical = self.params.radical;
        let cells: Vec<(f64, Vec<Face>)> = (0..self.len())
            .into_par_iter()
            .map(|i| {
                let js = list.neighbors_of(i);
                let weights: Option<Vec<f64>> = radical.then(|| {
                    std::iter::once(self.radii[i])
                        .chain(js.iter().map(|&j| self.radii[j as usize]))
                        .map(|r| r * r)
                        .collect()
                });
                // Name each neighbour by its atom, in ascending order.
                let mut faces: Vec<Face> = local_cell(list.vectors_of(i), weights.as_deref())?
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| Face {
                        neighbor: js[f.neighbor as usize],
                        ..f
                    })
                    .collect();
                faces.sort_by_key(|f| f.neighbor);
                let vol = faces.iter().map(Face::pyramid_volume).sum();
                Ok((vol, faces))
            })
            .collect::<Result<_, interstice_geometry::GeometryError>>()?;
        Ok(Voronoi::from_cells(cells, self.frame.sim_box().volume()))
    }
}
