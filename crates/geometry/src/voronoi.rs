//! The periodic Voronoi tessellation (plain or radical) as the dual of the
//! regular Delaunay tessellation of the atoms and their ghost images.
//!
//! The box is cut into blocks that depend only on the number of atoms and
//! the box (never on the thread count). Each block triangulates its home
//! atoms plus every periodic image within a skin of it, then checks that
//! the orthoball of every tetrahedron incident to a home atom lies inside
//! the region it covered: a point that could change such a tetrahedron
//! would lie in that ball, and every point there was inserted. When the
//! check fails the block is redone with a wider skin. Each cell depends only
//! on its own star and the coordinates of its neighbours' images, so the
//! result is the same, bit for bit, for any number of threads.

use std::ops::Range;

use interstice_core::SimBox;
use interstice_spatial::{Bond, CellList, NeighborList, NeighborQuery};
use rayon::prelude::*;

use crate::GeometryError;
use crate::coverage::Coverage;
use crate::delaunay::{Delaunay, Inserted};
use crate::predicates::power_det;

/// One face of a Voronoi cell: the bond to the neighbour across it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    /// From the centre atom to this image of the neighbour, Å.
    pub vector: [f64; 3],
    /// Face area, Å².
    pub area: f64,
    /// Signed distance from the centre atom to the face's plane, Å: half the
    /// bond length in a plain tessellation; `(d² + r_c² − r_n²) / 2d` in a
    /// radical one (negative when the atom lies outside its own cell).
    pub height: f64,
    /// The neighbour's index.
    pub neighbor: u32,
    /// The neighbour's periodic image: `vector = x_n + H image − x_c`, both
    /// wrapped into the box.
    pub image: [i8; 3],
    /// The number of edges (distinct vertices) of the face, at least 3
    /// (faces with more than 255 edges, which no real cell has, say 255).
    pub edges: u8,
}

impl Face {
    /// The bond length, Å.
    #[inline]
    pub fn distance(&self) -> f64 {
        norm(self.vector)
    }

    /// The volume of the pyramid from the centre atom to the face,
    /// `area · height / 3` (signed in a radical tessellation), Å³.
    #[inline]
    pub fn pyramid_volume(&self) -> f64 {
        self.area * self.height / 3.0
    }
}

/// A vertex of a Delaunay tetrahedron seen from the centre atom of a star.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StarVertex {
    /// The atom's index.
    pub atom: u32,
    /// From the centre atom to this image of the atom, Å.
    pub vector: [f64; 3],
}

/// Which tessellation, and the checks around it.
#[derive(Clone, Debug)]
pub struct VoronoiParams {
    radii: Option<Vec<f64>>,
    min_separation: f64,
    block_atoms: usize,
    region_atoms: Option<usize>,
    keep_stars: bool,
    vertex_tolerance: f64,
    part: Option<(usize, Coverage)>,
}

impl Default for VoronoiParams {
    fn default() -> VoronoiParams {
        VoronoiParams::plain()
    }
}

impl VoronoiParams {
    /// Plain (bisector) Voronoi: the paper's.
    pub fn plain() -> VoronoiParams {
        VoronoiParams {
            radii: None,
            min_separation: 1e-3,
            block_atoms: 50_000,
            region_atoms: None,
            keep_stars: false,
            vertex_tolerance: 1e-10,
            part: None,
        }
    }

    /// Radical (Laguerre, power) Voronoi with one radius per atom, Å: the
    /// plane between two atoms is where their power distances `d² − r²`
    /// are equal. Overlapping spheres can leave an atom without a cell.
    pub fn radical(radii: Vec<f64>) -> VoronoiParams {
        VoronoiParams {
            radii: Some(radii),
            ..VoronoiParams::plain()
        }
    }

    /// Two atoms closer than this (Å, default 1e-3) are an error naming
    /// both: a near-duplicate is almost always a broken input file.
    pub fn min_separation(mut self, d: f64) -> VoronoiParams {
        self.min_separation = d;
        self
    }

    /// About how many atoms each independently triangulated block holds
    /// (default 50 000). Only speed and memory depend on it, never results.
    pub fn block_atoms(mut self, n: usize) -> VoronoiParams {
        self.block_atoms = n.max(1);
        self
    }

    /// Two Voronoi vertices of a face closer than this, in units of the
    /// mean atomic spacing `(V/N)^⅓`, are one vertex (default 1e-10: a
    /// perfect lattice whose coordinates were rounded to decimal text has
    /// vertices that differ by ~1e-15 of the box; the smallest real faces
    /// of a glass, ~1e-7 Å², have edges of ~1e-4 Å). Vertices whose
    /// tetrahedra are exactly cospherical are merged whatever this is.
    pub fn vertex_tolerance(mut self, relative: f64) -> VoronoiParams {
        self.vertex_tolerance = relative.max(0.0);
        self
    }

    /// The caller will ask a [`Tessellator`] for its cells region by region,
    /// regions of about `n` atoms ([`Tessellator::regions`]): the blocks are
    /// then cut to nest in the regions, so a region's cells cost what they
    /// cost in a whole tessellation. Only speed depends on it, never results.
    pub fn regions(mut self, n: usize) -> VoronoiParams {
        self.region_atoms = Some(n.max(1));
        self
    }

    /// The positions are part of a periodic frame of `total_atoms` atoms,
    /// holding every one of its atoms inside `coverage` (a domain and its
    /// ghosts): the spacing that scales the vertex tolerance and the ghost
    /// skin is the whole frame's, so each cell [`Tessellator::cells_of`]
    /// builds is the whole frame's to the bit, and a cell whose skin would
    /// reach past `coverage` is an error
    /// ([`GeometryError::BeyondCoverage`]), never a cell of missing atoms.
    /// Atom indices keep their order: give the part's atoms in the whole
    /// frame's order.
    pub fn part(mut self, total_atoms: usize, coverage: Coverage) -> VoronoiParams {
        self.part = Some((total_atoms, coverage));
        self
    }

    /// Keep each atom's Delaunay star (its incident tetrahedra) for the
    /// Delaunay-star interstice variant.
    pub fn keep_stars(mut self, keep: bool) -> VoronoiParams {
        self.keep_stars = keep;
        self
    }
}

/// Which faces to drop after the tessellation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaceFilter<'a> {
    /// amlearn's rule (shared/SPEC.md §3): walk the faces in ascending
    /// neighbour order (by `order[neighbor]` if given, else by index) and
    /// drop face `i` if `area_i < threshold · area_sum / cn_running`, where
    /// `area_sum` is the sum over all faces and `cn_running` starts at the
    /// face count and drops by one with every dropped face. amlearn uses
    /// `threshold = 0.05`. Volumes and edge counts are not recomputed.
    Amlearn {
        /// amlearn's `small_face_thresh`.
        threshold: f64,
        /// Sort key of each atom (e.g. its id); `None` sorts by index.
        order: Option<&'a [u64]>,
    },
    /// Drop faces smaller than `fraction` of the cell's mean face area.
    RelativeArea {
        /// The fraction of the mean area.
        fraction: f64,
    },
}

/// Voronoi cells of every atom of a periodic frame.
#[derive(Clone, Debug)]
pub struct Voronoi {
    faces: Chunked<Face>,
    volumes: Vec<f64>,
    stars: Chunked<[StarVertex; 3]>,
    empty: Vec<u32>,
    radical: bool,
    box_volume: f64,
    delaunay_volume: f64,
    num_tetrahedra: usize,
    blocks: usize,
}

impl Voronoi {
    /// The tessellation of `positions` in `sim_box` (periodic along all
    /// three axes; any tilt).
    ///
    /// # Errors
    /// A non-periodic axis, a non-finite coordinate, atoms closer than the
    /// minimum separation, radii that do not match the atoms.
    pub fn compute(
        positions: &[[f64; 3]],
        sim_box: &SimBox,
        params: &VoronoiParams,
    ) -> Result<Voronoi, GeometryError> {
        Tessellator::new(positions, sim_box, params)?.compute_all()
    }

    /// The number of atoms.
    pub fn len(&self) -> usize {
        self.volumes.len()
    }

    /// Whether there are no atoms (never, for a computed tessellation).
    pub fn is_empty(&self) -> bool {
        self.volumes.is_empty()
    }

    /// Whether this is a radical (power) tessellation.
    pub fn is_radical(&self) -> bool {
        self.radical
    }

    /// The faces of atom `i`, in ascending neighbour order (index, then image).
    pub fn faces(&self, i: usize) -> &[Face] {
        self.faces.get(i)
    }

    /// Every face of every atom, atom after atom.
    pub fn all_faces(&self) -> impl Iterator<Item = &Face> + '_ {
        (0..self.len()).flat_map(|i| self.faces(i).iter())
    }

    /// The total number of faces (each shared face counted from both sides).
    pub fn num_faces(&self) -> usize {
        self.faces.total()
    }

    /// The cell volume of atom `i`, Å³ (the sum of its pyramid volumes).
    pub fn volume(&self, i: usize) -> f64 {
        self.volumes[i]
    }

    /// All cell volumes, Å³.
    pub fn volumes(&self) -> &[f64] {
        &self.volumes
    }

    /// The number of faces of atom `i`.
    pub fn coordination(&self, i: usize) -> usize {
        self.faces(i).len()
    }

    /// The Voronoi index of atom `i`: the number of faces with 3, 4, 5, 6, 7
    /// and 8 or more edges.
    pub fn index(&self, i: usize) -> [u32; 6] {
        let mut idx = [0u32; 6];
        for f in self.faces(i) {
            idx[(f.edges as usize).clamp(3, 8) - 3] += 1;
        }
        idx
    }

    /// Atoms without a cell (radical tessellation only: a small atom
    /// swallowed by the power cells of larger neighbours).
    pub fn empty_cells(&self) -> &[u32] {
        &self.empty
    }

    /// The box volume, Å³ (the cell volumes sum to it).
    pub fn box_volume(&self) -> f64 {
        self.box_volume
    }

    /// The summed volume of the Delaunay tetrahedra, each periodic copy
    /// counted once, Å³ (equals the box volume).
    pub fn delaunay_volume(&self) -> f64 {
        self.delaunay_volume
    }

    /// The number of Delaunay tetrahedra in the periodic cell.
    pub fn num_tetrahedra(&self) -> usize {
        self.num_tetrahedra
    }

    /// How many blocks were triangulated independently.
    pub fn num_blocks(&self) -> usize {
        self.blocks
    }

    /// The Delaunay star of atom `i` (with [`VoronoiParams::keep_stars`]):
    /// each incident tetrahedron as its three other vertices, ordered so
    /// that `(centre, a, b, c)` is positively oriented.
    pub fn star(&self, i: usize) -> &[[StarVertex; 3]] {
        self.stars.get(i)
    }

    /// A copy with some faces dropped (see [`FaceFilter`]).
    pub fn filtered(&self, filter: FaceFilter<'_>) -> Voronoi {
        let mut order: Vec<usize> = Vec::new();
        // Lazily, atom by atom, into one buffer sized for every face: no
        // per-atom lists alive beside it.
        let lists = (0..self.len()).map(|i| {
            let fs = self.faces(i);
            let mut faces = Vec::with_capacity(fs.len());
            match filter {
                FaceFilter::Amlearn {
                    threshold,
                    order: key,
                } => {
                    order.clear();
                    order.extend(0..fs.len());
                    if let Some(key) = key {
                        order.sort_by_key(|&k| (key[fs[k].neighbor as usize], k));
                    }
                    let area_sum: f64 = fs.iter().map(|f| f.area).sum();
                    let mut cn = fs.len() as f64;
                    let mut keep = vec![true; fs.len()];
                    for &k in &order {
                        if fs[k].area < threshold * area_sum / cn {
                            keep[k] = false;
                            cn -= 1.0;
                        }
                    }
                    faces.extend(fs.iter().zip(&keep).filter(|x| *x.1).map(|x| *x.0));
                }
                FaceFilter::RelativeArea { fraction } => {
                    let mean = fs.iter().map(|f| f.area).sum::<f64>() / fs.len().max(1) as f64;
                    faces.extend(fs.iter().filter(|f| f.area >= fraction * mean).copied());
                }
            }
            faces
        });
        self.with_faces(Chunked::from_lists(lists, self.faces.total()))
    }

    /// A copy with other faces (everything else cloned).
    fn with_faces(&self, faces: Chunked<Face>) -> Voronoi {
        Voronoi {
            faces,
            volumes: self.volumes.clone(),
            stars: self.stars.clone(),
            empty: self.empty.clone(),
            radical: self.radical,
            box_volume: self.box_volume,
            delaunay_volume: self.delaunay_volume,
            num_tetrahedra: self.num_tetrahedra,
            blocks: self.blocks,
        }
    }

    /// A tessellation assembled from cells computed elsewhere (for example
    /// by [`local_cell`]): per atom its volume and faces (neighbours indexed
    /// into the same atoms). Atoms with no faces count as empty cells.
    pub fn from_cells(cells: Vec<(f64, Vec<Face>)>, box_volume: f64) -> Voronoi {
        let empty = (0..cells.len() as u32)
            .filter(|&i| cells[i as usize].1.is_empty())
            .collect();
        let volumes = cells.iter().map(|c| c.0).collect();
        Voronoi {
            faces: {
                let total = cells.iter().map(|c| c.1.len()).sum();
                Chunked::from_lists(cells.into_iter().map(|c| c.1), total)
            },
            volumes,
            stars: Chunked::default(),
            empty,
            radical: false,
            box_volume,
            delaunay_volume: f64::NAN,
            num_tetrahedra: 0,
            blocks: 0,
        }
    }

    /// A copy keeping only the faces to neighbours closer than `cutoff` Å
    /// (strict), as amlearn's candidate list within 5 Å. Volumes are not
    /// recomputed.
    pub fn within(&self, cutoff: f64) -> Voronoi {
        let lists = (0..self.len()).map(|i| {
            self.faces(i)
                .iter()
                .filter(|f| f.distance() < cutoff)
                .copied()
                .collect::<Vec<_>>()
        });
        self.with_faces(Chunked::from_lists(lists, self.faces.total()))
    }

    /// The Voronoi neighbours as a spatial neighbour list, in face order,
    /// with the face areas as weights.
    pub fn to_neighbor_list(&self) -> NeighborList {
        let bonds: Vec<Vec<Bond>> = (0..self.len())
            .map(|i| {
                self.faces(i)
                    .iter()
                    .map(|f| Bond {
                        j: f.neighbor,
                        distance: f.distance(),
                        vector: f.vector,
                        image: f.image.map(i32::from),
                    })
                    .collect()
            })
            .collect();
        let areas = self.all_faces().map(|f| f.area).collect();
        NeighborList::from_bonds(self.len(), &bonds)
            .and_then(|l| l.with_weights(areas))
            .expect("faces name atoms of this tessellation and one weight per face")
    }
}

/// A frame prepared for tessellation: validated, wrapped into the box, cut
/// into blocks and binned, so that the cells of all atoms
/// ([`Tessellator::compute_all`]) or of any subset of them
/// ([`Tessellator::cells_of`], many times, for a featurizer that works
/// block by block) come out without repeating that work. A cell is the
/// same, bit for bit, whichever of the two built it and whatever else was
/// asked for with it.
#[derive(Debug)]
pub struct Tessellator {
    sim_box: SimBox,
    frac: Vec<[f64; 3]>,
    wrapped: Vec<[f64; 3]>,
    /// Squared radii (radical), or empty (plain: all zero).
    weights: Vec<f64>,
    widths: [f64; 3],
    w_max: f64,
    spacing: f64,
    skin0: f64,
    dims: [usize; 3],
    /// Regions per axis; each divides `dims`.
    rdims: [usize; 3],
    bins: Bins,
    radical: bool,
    keep_stars: bool,
    vertex_tolerance: f64,
    coverage: Coverage,
}

impl Tessellator {
    /// Checks and prepares `positions` in `sim_box`.
    ///
    /// # Errors
    /// As [`Voronoi::compute`].
    pub fn new(
        positions: &[[f64; 3]],
        sim_box: &SimBox,
        params: &VoronoiParams,
    ) -> Result<Tessellator, GeometryError> {
        let n = positions.len();
        if let Some(axis) = (0..3).find(|&a| !sim_box.periodic()[a]) {
            return Err(GeometryError::NotPeriodic { axis });
        }
        if n == 0 {
            return Err(GeometryError::NoAtoms);
        }
        if n > (1 << 31) {
            return Err(GeometryError::TooManyAtoms(n));
        }
        if let Some(index) = positions
            .iter()
            .position(|p| p.iter().any(|x| !x.is_finite()))
        {
            return Err(GeometryError::NonFinite { index });
        }
        let weights: Vec<f64> = match &params.radii {
            None => Vec::new(),
            Some(r) => {
                if r.len() != n {
                    return Err(GeometryError::RadiiLength {
                        expected: n,
                        got: r.len(),
                    });
                }
                if let Some(index) = r.iter().position(|x| !x.is_finite() || *x < 0.0) {
                    return Err(GeometryError::BadRadius {
                        index,
                        value: r[index],
                    });
                }
                r.iter().map(|x| x * x).collect()
            }
        };
        check_separation(positions, sim_box, params.min_separation)?;

        let frac: Vec<[f64; 3]> = positions
            .iter()
            .map(|&p| {
                let f = sim_box.to_fractional(p);
                f.map(wrap_unit)
            })
            .collect();
        let wrapped: Vec<[f64; 3]> = frac.iter().map(|&f| sim_box.to_cartesian(f)).collect();

        let widths = sim_box.perpendicular_widths();
        let (total, coverage) = match &params.part {
            None => (n, Coverage::whole()),
            Some((total, c)) if *total >= n => (*total, c.clone()),
            Some((total, _)) => {
                return Err(GeometryError::PartTotal {
                    part: n,
                    total: *total,
                });
            }
        };
        let spacing = (sim_box.volume() / total as f64).cbrt();
        let w_max = weights.iter().copied().fold(0.0, f64::max);
        let skin0 = 1.5 * spacing + w_max.sqrt();
        let rdims = match params.region_atoms {
            None => [1; 3],
            Some(r) => split_widest(widths, n.div_ceil(r).max(1), 0.0),
        };
        let mut dims = block_dims(n, widths, params.block_atoms, skin0);
        for a in 0..3 {
            dims[a] = rdims[a] * dims[a].div_ceil(rdims[a]);
        }
        let bins = Bins::new(&frac, widths, spacing);
        Ok(Tessellator {
            sim_box: *sim_box,
            frac,
            wrapped,
            weights,
            widths,
            w_max,
            spacing,
            skin0,
            dims,
            rdims,
            bins,
            radical: params.radii.is_some(),
            keep_stars: params.keep_stars,
            vertex_tolerance: params.vertex_tolerance * spacing,
            coverage,
        })
    }

    /// The number of atoms.
    pub fn len(&self) -> usize {
        self.frac.len()
    }

    /// Whether there are no atoms (never: [`Tessellator::new`] refuses that).
    pub fn is_empty(&self) -> bool {
        self.frac.is_empty()
    }

    /// The number of blocks the box is cut into.
    pub fn num_blocks(&self) -> usize {
        self.dims.iter().product()
    }

    /// The atoms cut into the regions [`VoronoiParams::regions`] asked for
    /// (boxes of the fractional cube, the widest split first, each a union
    /// of whole blocks; each region's atoms ascending, empty regions left
    /// out; without regions, one holding every atom): for a caller that
    /// asks for the cells region by region with [`Tessellator::cells_of`],
    /// so that only one region's cells are in memory at a time.
    pub fn regions(&self) -> Vec<Vec<u32>> {
        let (dims, rdims) = (self.dims, self.rdims);
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); rdims.iter().product()];
        for (i, f) in self.frac.iter().enumerate() {
            // From the block, so a block never straddles two regions.
            let b = self.block_coords(f);
            let c: [usize; 3] = std::array::from_fn(|a| b[a] / (dims[a] / rdims[a]));
            out[(c[0] * rdims[1] + c[1]) * rdims[2] + c[2]].push(i as u32);
        }
        out.retain(|v| !v.is_empty());
        out
    }

    /// The block of the atom with wrapped fractional position `f`.
    fn block_of(&self, f: &[f64; 3]) -> usize {
        let (b, dims) = (self.block_coords(f), self.dims);
        (b[0] * dims[1] + b[1]) * dims[2] + b[2]
    }

    /// The block of wrapped fractional position `f`, per axis.
    fn block_coords(&self, f: &[f64; 3]) -> [usize; 3] {
        let dims = self.dims;
        std::array::from_fn(|a| ((f[a] * dims[a] as f64) as usize).min(dims[a] - 1))
    }

    fn context(&self) -> Context<'_> {
        Context {
            sim_box: &self.sim_box,
            frac: &self.frac,
            wrapped: &self.wrapped,
            weights: &self.weights,
            bins: &self.bins,
            widths: self.widths,
            w_max: self.w_max,
            spacing: self.spacing,
            keep_stars: self.keep_stars,
            vertex_tolerance: self.vertex_tolerance,
            coverage: &self.coverage,
        }
    }

    /// The cells of every atom.
    ///
    /// # Errors
    /// Atoms too close for the triangulation; a degenerate box.
    pub fn compute_all(&self) -> Result<Voronoi, GeometryError> {
        let n = self.len();
        let dims = self.dims;
        let n_blocks = self.num_blocks();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n_blocks];
        for (i, f) in self.frac.iter().enumerate() {
            members[self.block_of(f)].push(i as u32);
        }
        let ctx = self.context();
        let results: Vec<BlockResult> = (0..n_blocks)
            .into_par_iter()
            .map(|b| {
                let bi = [
                    b / (dims[1] * dims[2]),
                    (b / dims[2]) % dims[1],
                    b % dims[2],
                ];
                let range: [Range<f64>; 3] = std::array::from_fn(|a| {
                    bi[a] as f64 / dims[a] as f64..(bi[a] + 1) as f64 / dims[a] as f64
                });
                ctx.block(&members[b], range, self.skin0)
            })
            .collect::<Result<_, _>>()?;
        drop(members);
        Ok(self.assemble(n, results, |a| a as usize, n_blocks))
    }

    /// The cells of `atoms` alone (indices into the positions, each at most
    /// once, any order): a tessellation of `atoms.len()` cells, cell `k`
    /// being atom `atoms[k]`'s, whose faces name neighbours by their index
    /// in the positions. Each cell equals, bit for bit, the one
    /// [`Tessellator::compute_all`] gives that atom. The Delaunay volume and
    /// tetrahedron count of the result cover the tetrahedra these cells
    /// account for, not the box.
    ///
    /// # Errors
    /// An index out of range or repeated; as [`Tessellator::compute_all`].
    pub fn cells_of(&self, atoms: &[u32]) -> Result<Voronoi, GeometryError> {
        let n = self.len();
        // By block, then atom: each block's share is triangulated over the
        // bounding box of its atoms only.
        let mut order: Vec<(usize, u32, u32)> = Vec::with_capacity(atoms.len());
        for (k, &a) in atoms.iter().enumerate() {
            let Some(f) = self.frac.get(a as usize) else {
                return Err(GeometryError::Subset(format!(
                    "atom index {a} in a frame of {n} atoms"
                )));
            };
            order.push((self.block_of(f), a, k as u32));
        }
        order.sort_unstable();
        if let Some(w) = order.windows(2).find(|w| w[0].1 == w[1].1) {
            return Err(GeometryError::Subset(format!(
                "atom index {} asked for twice",
                w[0].1
            )));
        }
        // Within a block, atoms separated by an empty gap (the two sides of
        // a halo around a region of the box) are triangulated apart.
        let groups: Vec<Vec<u32>> = order
            .chunk_by(|x, y| x.0 == y.0)
            .flat_map(|g| self.split_at_gaps(g.iter().map(|x| x.1).collect()))
            .collect();
        let ctx = self.context();
        let results: Vec<BlockResult> = groups
            .par_iter()
            .map(|home| {
                let range: [Range<f64>; 3] = std::array::from_fn(|ax| {
                    let (lo, hi) = home
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |m, &a| {
                            let x = self.frac[a as usize][ax];
                            (m.0.min(x), m.1.max(x))
                        });
                    lo..hi
                });
                ctx.block(home, range, self.skin0)
            })
            .collect::<Result<_, _>>()?;
        // Atom -> its place in `atoms`, by binary search in the sorted order.
        let mut by_atom: Vec<(u32, u32)> = order.iter().map(|x| (x.1, x.2)).collect();
        by_atom.sort_unstable();
        let n_groups = groups.len();
        let v = self.assemble(
            atoms.len(),
            results,
            |a| {
                let at = by_atom
                    .binary_search_by_key(&a, |x| x.0)
                    .expect("a block builds only the atoms it was given");
                by_atom[at].1 as usize
            },
            n_groups,
        );
        Ok(v)
    }

    /// `atoms` cut at every empty slab (along a box axis) wider than four
    /// skins, so that each piece is triangulated over its own bounding box
    /// (a thin shell around a region would otherwise fill its blocks).
    fn split_at_gaps(&self, atoms: Vec<u32>) -> Vec<Vec<u32>> {
        let min_gap = 4.0 * self.skin0;
        let mut done = Vec::new();
        let mut todo = vec![atoms];
        while let Some(g) = todo.pop() {
            let mut best: Option<(f64, usize, f64)> = None;
            let mut xs: Vec<f64> = Vec::with_capacity(g.len());
            for ax in 0..3 {
                xs.clear();
                xs.extend(
                    g.iter()
                        .map(|&a| self.frac[a as usize][ax] * self.widths[ax]),
                );
                xs.sort_unstable_by(f64::total_cmp);
                for w in xs.windows(2) {
                    let gap = w[1] - w[0];
                    if gap > min_gap && best.is_none_or(|b| gap > b.0) {
                        best = Some((gap, ax, 0.5 * (w[0] + w[1]) / self.widths[ax]));
                    }
                }
            }
            match best {
                None => done.push(g),
                Some((_, ax, cut)) => {
                    let (lo, hi): (Vec<u32>, Vec<u32>) = g
                        .into_iter()
                        .partition(|&a| self.frac[a as usize][ax] < cut);
                    todo.push(lo);
                    todo.push(hi);
                }
            }
        }
        done
    }

    /// Keeps each block's faces where they are and indexes them per cell
    /// (`slot` maps a home atom to its cell).
    fn assemble(
        &self,
        len: usize,
        results: Vec<BlockResult>,
        slot: impl Fn(u32) -> usize,
        blocks: usize,
    ) -> Voronoi {
        let mut faces = Chunked {
            chunks: Vec::with_capacity(results.len()),
            loc: vec![(0, 0, 0); len],
        };
        let mut stars = Chunked {
            chunks: Vec::with_capacity(results.len()),
            loc: vec![(0, 0, 0); len],
        };
        let mut volumes = vec![0.0; len];
        let mut delaunay_volume = 0.0;
        let mut num_tetrahedra = 0;
        for (b, r) in results.into_iter().enumerate() {
            delaunay_volume += r.tet_volume;
            num_tetrahedra += r.tet_count;
            for &(a, vol, [f0, nf, s0, ns]) in &r.homes {
                let k = slot(a);
                volumes[k] = vol;
                faces.loc[k] = (b as u32, f0, nf);
                stars.loc[k] = (b as u32, s0, ns);
            }
            faces.chunks.push(r.faces);
            stars.chunks.push(r.stars);
        }
        let empty = (0..len as u32)
            .filter(|&i| faces.loc[i as usize].2 == 0)
            .collect();
        Voronoi {
            faces,
            volumes,
            stars,
            empty,
            radical: self.radical,
            box_volume: self.sim_box.volume(),
            delaunay_volume,
            num_tetrahedra,
            blocks,
        }
    }
}

/// The atoms binned on a grid of the fractional cube (CSR: the atoms of bin
/// `b` are `atoms[start[b]..start[b + 1]]`), so that gathering the images
/// around a block visits only the bins it overlaps.
#[derive(Debug)]
struct Bins {
    dims: [usize; 3],
    start: Vec<u32>,
    atoms: Vec<u32>,
}

impl Bins {
    fn new(frac: &[[f64; 3]], widths: [f64; 3], spacing: f64) -> Bins {
        // About two atoms' spacing a bin: a handful of atoms each.
        let dims: [usize; 3] =
            std::array::from_fn(|a| ((widths[a] / (2.0 * spacing)) as usize).clamp(1, 1024));
        let nb = dims[0] * dims[1] * dims[2];
        let bin = |f: &[f64; 3]| -> usize {
            let b: [usize; 3] =
                std::array::from_fn(|a| ((f[a] * dims[a] as f64) as usize).min(dims[a] - 1));
            (b[0] * dims[1] + b[1]) * dims[2] + b[2]
        };
        let mut start = vec![0u32; nb + 1];
        for f in frac {
            start[bin(f) + 1] += 1;
        }
        for b in 0..nb {
            start[b + 1] += start[b];
        }
        let mut fill = start.clone();
        let mut atoms = vec![0u32; frac.len()];
        for (j, f) in frac.iter().enumerate() {
            let b = bin(f);
            atoms[fill[b] as usize] = j as u32;
            fill[b] += 1;
        }
        Bins { dims, start, atoms }
    }

    fn of(&self, b: [usize; 3]) -> &[u32] {
        let k = (b[0] * self.dims[1] + b[1]) * self.dims[2] + b[2];
        &self.atoms[self.start[k] as usize..self.start[k + 1] as usize]
    }
}

/// Per-atom lists kept in the chunks they were built in (one per block),
/// so assembling a tessellation never holds its faces twice.
#[derive(Clone, Debug)]
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    /// Per atom: chunk, start in it, length.
    loc: Vec<(u32, u32, u32)>,
}

impl<T> Default for Chunked<T> {
    fn default() -> Chunked<T> {
        Chunked {
            chunks: Vec::new(),
            loc: Vec::new(),
        }
    }
}

impl<T> Chunked<T> {
    #[inline]
    fn get(&self, i: usize) -> &[T] {
        match self.loc.get(i) {
            Some(&(c, s, n)) => &self.chunks[c as usize][s as usize..(s + n) as usize],
            None => &[],
        }
    }

    fn total(&self) -> usize {
        self.loc.iter().map(|l| l.2 as usize).sum()
    }

    /// One chunk from per-atom lists in atom order; `capacity` is at least their total
    /// length (an upper bound is fine: the slack is given back at the end,
    /// which for a large buffer is a remap, not a copy).
    fn from_lists(lists: impl IntoIterator<Item = Vec<T>>, capacity: usize) -> Chunked<T> {
        let lists = lists.into_iter();
        let mut all = Vec::with_capacity(capacity);
        let mut loc = Vec::with_capacity(lists.size_hint().0);
        for l in lists {
            loc.push((0, all.len() as u32, l.len() as u32));
            all.extend(l);
        }
        all.shrink_to_fit();
        Chunked {
            chunks: vec![all],
            loc,
        }
    }
}

struct Cell {
    volume: f64,
    faces: Vec<Face>,
    star: Vec<[StarVertex; 3]>,
}

/// A home atom's cell: atom, cell, and the volume and count of the star
/// tetrahedra it accounts for in the global sums.
type BuiltCell = (u32, Cell, f64, usize);
/// A cell, or the skin its star needs.
type CellResult = Result<BuiltCell, f64>;

struct BlockResult {
    /// Per home atom: atom, volume, faces (start, len) and star (start, len)
    /// in the flat lists below.
    homes: Vec<(u32, f64, [u32; 4])>,
    faces: Vec<Face>,
    stars: Vec<[StarVertex; 3]>,
    tet_volume: f64,
    tet_count: usize,
}

/// A box in fractional coordinates, bounds included.
struct Bounds {
    lo: [f64; 3],
    hi: [f64; 3],
}

impl Bounds {
    #[inline]
    fn contains(&self, x: &[f64; 3]) -> bool {
        (0..3).all(|a| self.lo[a] <= x[a] && x[a] <= self.hi[a])
    }
}

/// Images gathered for a block, in insertion order.
struct Gathered {
    pts: Vec<[f64; 3]>,
    weights: Vec<f64>,
    keys: Vec<u64>,
    src: Vec<(u32, [i32; 3])>,
}

/// Inserts vertices `range` of `d`; an exact duplicate is an error naming
/// both atoms.
fn insert_all(
    d: &mut Delaunay,
    range: Range<usize>,
    src: &[(u32, [i32; 3])],
) -> Result<(), GeometryError> {
    for v in range {
        if let Inserted::Duplicate(u) = d.insert(v) {
            let (a, b) = (src[v].0, src[u as usize].0);
            return Err(GeometryError::TooClose {
                i: a.min(b) as usize,
                j: a.max(b) as usize,
                distance: 0.0,
                min: 0.0,
            });
        }
    }
    Ok(())
}

/// Per-thread buffers for one atom's cell.
#[derive(Default)]
struct Scratch {
    star: Vec<u32>,
    map: LocalMap,
    centres: Vec<[f64; 3]>,
    tuples: Vec<[u64; 4]>,
    seen: Vec<u32>,
    ring: Vec<usize>,
    same: Vec<bool>,
    poly: Vec<usize>,
}

impl Scratch {
    /// The tetrahedra incident to `v` (from `t0`), indexed by `map`.
    fn fill_star(&mut self, d: &Delaunay, v: u32, t0: u32) {
        self.star.clear();
        self.map.clear();
        if t0 == crate::delaunay::NONE {
            return;
        }
        self.star.push(t0);
        self.map.insert(t0, 0);
        let mut head = 0;
        while head < self.star.len() {
            let t = self.star[head] as usize;
            head += 1;
            for k in 0..4 {
                if d.tets[t].v[k] == v {
                    continue;
                }
                let n = d.tets[t].n[k];
                if n != crate::delaunay::NONE && self.map.get(n).is_none() {
                    self.map.insert(n, self.star.len());
                    self.star.push(n);
                }
            }
        }
    }
}

/// A small open-addressing map from tetrahedron to its index in a star.
#[derive(Default)]
struct LocalMap {
    keys: Vec<u32>,
    vals: Vec<u32>,
    len: usize,
}

impl LocalMap {
    const EMPTY: u32 = u32::MAX;

    fn clear(&mut self) {
        if self.keys.is_empty() {
            self.keys = vec![Self::EMPTY; 128];
            self.vals = vec![0; 128];
        } else {
            self.keys.fill(Self::EMPTY);
        }
        self.len = 0;
    }

    #[inline]
    fn slot(&self, k: u32) -> usize {
        (k.wrapping_mul(0x9E37_79B1) >> 7) as usize & (self.keys.len() - 1)
    }

    #[inline]
    fn get(&self, k: u32) -> Option<usize> {
        let mut i = self.slot(k);
        loop {
            let x = self.keys[i];
            if x == k {
                return Some(self.vals[i] as usize);
            }
            if x == Self::EMPTY {
                return None;
            }
            i = (i + 1) & (self.keys.len() - 1);
        }
    }

    fn insert(&mut self, k: u32, val: usize) {
        if 2 * (self.len + 1) > self.keys.len() {
            let old: Vec<(u32, u32)> = self
                .keys
                .iter()
                .zip(&self.vals)
                .filter(|x| *x.0 != Self::EMPTY)
                .map(|(&a, &b)| (a, b))
                .collect();
            let cap = 2 * self.keys.len();
            self.keys = vec![Self::EMPTY; cap];
            self.vals = vec![0; cap];
            for (a, b) in old {
                let mut i = self.slot(a);
                while self.keys[i] != Self::EMPTY {
                    i = (i + 1) & (cap - 1);
                }
                self.keys[i] = a;
                self.vals[i] = b;
            }
        }
        let mut i = self.slot(k);
        while self.keys[i] != Self::EMPTY {
            i = (i + 1) & (self.keys.len() - 1);
        }
        self.keys[i] = k;
        self.vals[i] = val as u32;
        self.len += 1;
    }
}

struct Context<'a> {
    sim_box: &'a SimBox,
    frac: &'a [[f64; 3]],
    wrapped: &'a [[f64; 3]],
    /// Squared radii, or empty for all zero.
    weights: &'a [f64],
    bins: &'a Bins,
    widths: [f64; 3],
    w_max: f64,
    spacing: f64,
    keep_stars: bool,
    vertex_tolerance: f64,
    coverage: &'a Coverage,
}

/// Key of an atom image for the symbolic perturbation: atom first, then the
/// image lexicographically, so the relative order of any points is the same
/// in every periodic copy and the perturbed tessellation is periodic.
fn key(atom: u32, image: [i32; 3]) -> u64 {
    let e = |x: i32| (x + 512) as u64;
    (u64::from(atom) << 30) | (e(image[0]) << 20) | (e(image[1]) << 10) | e(image[2])
}

impl Context<'_> {
    fn block(
        &self,
        home: &[u32],
        range: [Range<f64>; 3],
        skin0: f64,
    ) -> Result<BlockResult, GeometryError> {
        let mut sorted_home = home.to_vec();
        sorted_home.sort_unstable();
        let is_home = |a: u32| sorted_home.binary_search(&a).is_ok();
        let mut skin = skin0;
        'build: loop {
            let (bounds, g) = self.gather(&range, None, skin)?;
            let mut d = Delaunay::new(&g.pts, &g.weights, &g.keys, 4.0);
            let mut src: Vec<(u32, [i32; 3])> = vec![(u32::MAX, [0; 3]); 4];
            src.extend_from_slice(&g.src);
            let mut homes: Vec<(u32, u32)> = Vec::with_capacity(home.len());
            insert_all(&mut d, 4..src.len(), &src)?;
            for (v, &(a, img)) in src.iter().enumerate().skip(4) {
                if img == [0, 0, 0] && is_home(a) {
                    homes.push((a, v as u32));
                }
            }
            let mut bounds = bounds;
            // Build the cell of every home atom whose star is complete; for
            // the rest, insert the next shell of images into the same
            // tessellation and try again (a complete star stays complete
            // when points are added farther away, so its cell is final).
            let mut done: Vec<Option<BuiltCell>> = (0..homes.len()).map(|_| None).collect();
            let mut pending: Vec<usize> = (0..homes.len()).collect();
            loop {
                let vt = d.vertex_tets();
                let out: Vec<(usize, CellResult)> = pending
                    .par_iter()
                    .map_init(Scratch::default, |sc, &h| {
                        let (a, v) = homes[h];
                        sc.fill_star(&d, v, vt[v as usize]);
                        (
                            h,
                            self.cell(&d, &src, a, v, sc, &bounds.lo, &bounds.hi, skin),
                        )
                    })
                    .collect();
                let mut needed: f64 = 0.0;
                pending.clear();
                for (h, r) in out {
                    match r {
                        Ok(c) => done[h] = Some(c),
                        Err(n) => {
                            needed = needed.max(n);
                            pending.push(h);
                        }
                    }
                }
                if pending.is_empty() {
                    break;
                }
                let wider = (needed * 1.1).max(skin * 1.25) + 0.25 * self.spacing;
                let (b2, g) = self.gather(&range, Some(skin), wider)?;
                skin = wider;
                if g.pts.iter().any(|p| !d.holds(p)) {
                    continue 'build;
                }
                let new = d.append(&g.pts, &g.weights, &g.keys);
                src.extend_from_slice(&g.src);
                insert_all(&mut d, new, &src)?;
                bounds = b2;
            }
            // Flatten the block's cells (exact sizes; each cell is freed as
            // it is copied).
            drop(d);
            let nf: usize = done.iter().flatten().map(|c| c.1.faces.len()).sum();
            let ns: usize = done.iter().flatten().map(|c| c.1.star.len()).sum();
            let mut out = BlockResult {
                homes: Vec::with_capacity(done.len()),
                faces: Vec::with_capacity(nf),
                stars: Vec::with_capacity(ns),
                tet_volume: 0.0,
                tet_count: 0,
            };
            for (a, c, vol, cnt) in done.into_iter().flatten() {
                out.tet_volume += vol;
                out.tet_count += cnt;
                let f0 = out.faces.len() as u32;
                let s0 = out.stars.len() as u32;
                out.homes.push((
                    a,
                    c.volume,
                    [f0, c.faces.len() as u32, s0, c.star.len() as u32],
                ));
                out.faces.extend(c.faces);
                out.stars.extend(c.star);
            }
            return Ok(out);
        }
    }

    /// Every image `(atom, n)` whose fractional position `f + n` lies in the
    /// block's `range` widened by `outer` Å on every side, but not in the
    /// range widened by `inner` Å, in Morton order; and the outer bounds.
    fn gather(
        &self,
        range: &[Range<f64>; 3],
        inner: Option<f64>,
        outer: f64,
    ) -> Result<(Bounds, Gathered), GeometryError> {
        let bounds_of = |skin: f64| -> Bounds {
            let lo = std::array::from_fn(|a| range[a].start - skin / self.widths[a]);
            let hi = std::array::from_fn(|a| range[a].end + skin / self.widths[a]);
            Bounds { lo, hi }
        };
        let out = bounds_of(outer);
        // Images are stored as i8: a skin of more than ~120 box widths
        // means a degenerate box, not a glass.
        if (0..3).any(|a| out.lo[a] < -120.0 || out.hi[a] > 120.0) {
            return Err(GeometryError::Unbounded { skin: outer });
        }
        if !self.coverage.holds(&out.lo, &out.hi) {
            return Err(GeometryError::BeyondCoverage { skin: outer });
        }
        let inn = inner.map(bounds_of);
        let mut found: Vec<(u64, u32, [i32; 3])> = Vec::new();
        let span: [f64; 3] = std::array::from_fn(|a| out.hi[a] - out.lo[a]);
        // The unwrapped bins the bounds overlap, one more on each side for
        // rounding; each is a periodic bin and an image shift. The test
        // below decides, exactly as for a scan of every atom.
        let bd = self.bins.dims;
        let kr: [(i64, i64); 3] = std::array::from_fn(|a| {
            let d = bd[a] as f64;
            (
                (out.lo[a] * d).floor() as i64 - 1,
                (out.hi[a] * d).floor() as i64 + 1,
            )
        });
        for kx in kr[0].0..=kr[0].1 {
            for ky in kr[1].0..=kr[1].1 {
                for kz in kr[2].0..=kr[2].1 {
                    let k = [kx, ky, kz];
                    let b: [usize; 3] =
                        std::array::from_fn(|a| k[a].rem_euclid(bd[a] as i64) as usize);
                    let n: [i32; 3] = std::array::from_fn(|a| k[a].div_euclid(bd[a] as i64) as i32);
                    for &j in self.bins.of(b) {
                        let f = &self.frac[j as usize];
                        let x: [f64; 3] = std::array::from_fn(|a| f[a] + f64::from(n[a]));
                        if !out.contains(&x) || inn.as_ref().is_some_and(|b| b.contains(&x)) {
                            continue;
                        }
                        let q: [u64; 3] = std::array::from_fn(|a| {
                            (((x[a] - out.lo[a]) / span[a]).clamp(0.0, 1.0) * 65535.0) as u64
                        });
                        found.push((morton(q), j, n));
                    }
                }
            }
        }
        found.sort_unstable();
        let mut g = Gathered {
            pts: Vec::with_capacity(found.len()),
            weights: Vec::with_capacity(found.len()),
            keys: Vec::with_capacity(found.len()),
            src: Vec::with_capacity(found.len()),
        };
        for &(_, j, n) in &found {
            let sh = self.sim_box.cartesian_vector(n.map(f64::from));
            let p = self.wrapped[j as usize];
            g.pts.push([p[0] + sh[0], p[1] + sh[1], p[2] + sh[2]]);
            g.weights
                .push(self.weights.get(j as usize).copied().unwrap_or(0.0));
            g.keys.push(key(j, n));
            g.src.push((j, n));
        }
        Ok((out, g))
    }

    /// The power centres of `star` relative to `v` into `centres`; returns
    /// 0 when every orthoball lies inside the covered region `lo..hi`, else
    /// the skin the star needs.
    #[allow(clippy::too_many_arguments)]
    fn centres_and_check(
        &self,
        d: &Delaunay,
        v: u32,
        star: &[u32],
        centres: &mut Vec<[f64; 3]>,
        lo: &[f64; 3],
        hi: &[f64; 3],
        skin: f64,
    ) -> f64 {
        let pv = d.pts[v as usize];
        let wv = d.weights[v as usize];
        // Power centres relative to the atom, and the completeness check.
        let mut needed: f64 = if star_centres(d, v, star, centres) {
            0.0
        } else {
            skin + 2.0 * self.spacing
        };
        for x in centres.iter().filter(|x| !x[0].is_nan()) {
            let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - wv + self.w_max;
            let rho = r2.max(0.0).sqrt() * (1.0 + 1e-9) + 1e-9 * self.spacing;
            let c = [pv[0] + x[0], pv[1] + x[1], pv[2] + x[2]];
            let f = self.sim_box.to_fractional(c);
            for ax in 0..3 {
                let room_lo = (f[ax] - lo[ax]) * self.widths[ax];
                let room_hi = (hi[ax] - f[ax]) * self.widths[ax];
                let room = room_lo.min(room_hi);
                if room < rho {
                    needed = needed.max(skin + (rho - room));
                }
            }
        }
        needed
    }

    /// The cell of home atom `a` (vertex `v`), the volume and number of
    /// the star's tetrahedra it counts for the global sum, or the skin the
    /// star needs.
    #[allow(clippy::too_many_arguments)]
    fn cell(
        &self,
        d: &Delaunay,
        src: &[(u32, [i32; 3])],
        a: u32,
        v: u32,
        sc: &mut Scratch,
        lo: &[f64; 3],
        hi: &[f64; 3],
        skin: f64,
    ) -> CellResult {
        let pv = d.pts[v as usize];
        if sc.star.is_empty() {
            // Hidden (radical only): no cell.
            return Ok((
                a,
                Cell {
                    volume: 0.0,
                    faces: Vec::new(),
                    star: Vec::new(),
                },
                0.0,
                0,
            ));
        }
        let needed = self.centres_and_check(d, v, &sc.star, &mut sc.centres, lo, hi, skin);
        if needed > 0.0 {
            return Err(needed);
        }
        // Global tetrahedron count: once per periodic copy, at its vertex
        // of smallest key, when that is this (image-0) atom.
        let mut tet_volume = 0.0;
        let mut tet_count = 0;
        let kv = d.keys[v as usize];
        for &t in &sc.star {
            let tv = d.tets[t as usize].v;
            if tv.iter().all(|&x| d.keys[x as usize] >= kv) {
                let q = tv.map(|x| d.pts[x as usize]);
                tet_volume += tet_volume_of(&q);
                tet_count += 1;
            }
        }
        let mut faces = Vec::with_capacity(16);
        ring_faces(
            d,
            v,
            sc,
            self.vertex_tolerance,
            1e-6 * self.spacing,
            |u, vector, area, height, edges| {
                let (na, img) = src[u as usize];
                faces.push(Face {
                    vector,
                    area,
                    height,
                    neighbor: na,
                    image: img.map(|x| x as i8),
                    edges,
                });
            },
        );
        faces.sort_by_key(|f| (f.neighbor, f.image));
        let volume = faces.iter().map(|f| f.area * f.height / 3.0).sum();
        let star_out = if self.keep_stars {
            let (star, tuples) = (&sc.star, &sc.tuples);
            let mut by_key: Vec<usize> = (0..star.len()).collect();
            by_key.sort_unstable_by_key(|&k| tuples[k]);
            by_key
                .iter()
                .map(|&si| {
                    let t = star[si];
                    let tv = d.tets[t as usize].v;
                    let k = tv.iter().position(|&x| x == v).expect("v is in its star");
                    // Rotating the vertex order keeps the orientation only for
                    // even permutations: put v first and fix the parity.
                    let mut o = [tv[(k + 1) % 4], tv[(k + 2) % 4], tv[(k + 3) % 4]];
                    if k % 2 == 1 {
                        o.swap(0, 1);
                    }
                    // A rotation (which keeps the orientation) that puts the
                    // smallest key first: the triangle's order then does not
                    // depend on how the tetrahedron was built, so stars are
                    // the same for any block split.
                    let first = (0..3)
                        .min_by_key(|&m| d.keys[o[m] as usize])
                        .expect("three vertices");
                    o.rotate_left(first);
                    o.map(|x| {
                        let p = d.pts[x as usize];
                        StarVertex {
                            atom: src[x as usize].0,
                            vector: [p[0] - pv[0], p[1] - pv[1], p[2] - pv[2]],
                        }
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok((
            a,
            Cell {
                volume,
                faces,
                star: star_out,
            },
            tet_volume,
            tet_count,
        ))
    }
}

/// The Voronoi faces of vertex `v` from its star (`sc.star`, with
/// `sc.map` and the power centres `sc.centres` filled): one per Delaunay
/// edge `(v, u)`, from the ring of tetrahedra around it, with vertices
/// merged when exactly co-spherical or closer than `vertex_tolerance`
/// (the exact test runs only when closer than `exact_window`). Calls
/// `emit(u, vector, area, height, edges)` per face.
fn ring_faces(
    d: &Delaunay,
    v: u32,
    sc: &mut Scratch,
    vertex_tolerance: f64,
    exact_window: f64,
    mut emit: impl FnMut(u32, [f64; 3], f64, f64, u8),
) {
    let pv = d.pts[v as usize];
    let wv = d.weights[v as usize];
    let Scratch {
        star,
        map,
        centres,
        tuples,
        seen,
        ring,
        same,
        poly,
    } = sc;
    let star = &star[..];
    // Faces: one per Delaunay edge (v, u), from the ring of tetrahedra
    // around it.
    seen.clear();
    tuples.clear();
    tuples.extend(star.iter().map(|&t| {
        let mut k = d.tets[t as usize].v.map(|x| d.keys[x as usize]);
        // A four-element sorting network.
        for (a, b) in [(0, 1), (2, 3), (0, 2), (1, 3), (1, 2)] {
            if k[a] > k[b] {
                k.swap(a, b);
            }
        }
        k
    }));
    for (si, &t) in star.iter().enumerate() {
        let tv = d.tets[t as usize].v;
        for &u in &tv {
            if u == v || seen.contains(&u) {
                continue;
            }
            seen.push(u);
            // Walk around edge (v, u) starting at t.
            ring.clear();
            same.clear();
            let (mut cur, mut curi) = (t, si);
            let mut b = *tv
                .iter()
                .find(|&&x| x != v && x != u)
                .expect("a tetrahedron has 4 vertices");
            loop {
                ring.push(curi);
                let cv = d.tets[cur as usize].v;
                // Cross the face opposite the vertex other than v, u, b.
                let opp = (0..4)
                    .find(|&k| cv[k] != v && cv[k] != u && cv[k] != b)
                    .expect("4 distinct vertices");
                let next = d.tets[cur as usize].n[opp];
                let nv = d.tets[next as usize].v;
                let c = *nv
                    .iter()
                    .find(|&&x| x != v && x != u && x != b)
                    .expect("4 distinct vertices");
                // The same Voronoi vertex if c lies exactly on cur's
                // orthosphere, or the two centres are closer than the
                // tolerance (a lattice read from text is cospherical
                // only to rounding).
                let p4 = cv.map(|x| &d.pts[x as usize]);
                let w4 = cv.map(|x| d.weights[x as usize]);
                let ni = map.get(next).expect("the ring stays in the star");
                let gap = norm(sub(centres[curi], centres[ni]));
                // Exactly co-spherical tetrahedra have the same centre up
                // to rounding: the exact test is needed only when close.
                same.push(
                    gap < vertex_tolerance
                        || gap < exact_window
                            && power_det(
                                [p4[0], p4[1], p4[2], p4[3]],
                                w4,
                                &d.pts[c as usize],
                                d.weights[c as usize],
                            ) == 0,
                );
                b = c;
                cur = next;
                if cur == t {
                    break;
                }
                curi = ni;
            }
            // Distinct vertices: keep the first of each run of equal ones
            // (`same[k]` links ring[k] to ring[k + 1], cyclically).
            let k_len = ring.len();
            let breaks = same.iter().filter(|&&s| !s).count();
            if breaks < 3 {
                continue; // a point or a segment: no face
            }
            // One vertex per run of equal ones, represented by the
            // run's tetrahedron of smallest key tuple; the polygon
            // starts at the smallest of those and turns positively
            // about v → u. Canonical, so the area is the same to the
            // bit however the tetrahedra happen to be stored.
            let start = (0..k_len)
                .find(|&k| !same[(k + k_len - 1) % k_len])
                .expect("breaks exist");
            poly.clear();
            for s in 0..k_len {
                let k = (start + s) % k_len;
                let si = ring[k];
                if s > 0 && same[(k + k_len - 1) % k_len] {
                    let last = poly.last_mut().expect("a run has begun");
                    if tuples[si] < tuples[*last] {
                        *last = si;
                    }
                } else {
                    poly.push(si);
                }
            }
            let first = (0..poly.len())
                .min_by_key(|&k| tuples[poly[k]])
                .expect("at least 3 vertices");
            poly.rotate_left(first);
            let pu = d.pts[u as usize];
            let vec = [pu[0] - pv[0], pu[1] - pv[1], pu[2] - pv[2]];
            let dist = norm(vec);
            let nhat = [vec[0] / dist, vec[1] / dist, vec[2] / dist];
            let mut area = polygon_area(poly, centres, nhat);
            if area < 0.0 {
                poly[1..].reverse();
                area = polygon_area(poly, centres, nhat);
            }
            let wu = d.weights[u as usize];
            let height = (dist * dist + wv - wu) / (2.0 * dist);
            emit(u, vec, area, height, breaks.min(255) as u8);
        }
    }
}

/// The Voronoi cell of a centre at the origin among a finite set of
/// neighbours (vectors from the centre, Å): what a code that builds each
/// cell from a candidate list computes (amlearn's "nearest image" view of
/// a small box). With `weights` (`r²` of the centre, then of each
/// neighbour) the cell is the radical one. Returns the faces, each naming
/// its neighbour by index into `neighbors` (image 0), in ascending index;
/// `None` when the candidates do not enclose the centre (an unbounded
/// cell) or the centre is hidden.
///
/// # Errors
/// [`GeometryError::TooClose`] when two points coincide (indices into
/// `neighbors`, the centre being `usize::MAX`); a non-finite coordinate.
pub fn local_cell(
    neighbors: &[[f64; 3]],
    weights: Option<&[f64]>,
) -> Result<Option<Vec<Face>>, GeometryError> {
    if let Some(index) = neighbors
        .iter()
        .position(|p| p.iter().any(|x| !x.is_finite()))
    {
        return Err(GeometryError::NonFinite { index });
    }
    let n = neighbors.len();
    let mut pts = Vec::with_capacity(n + 1);
    pts.push([0.0; 3]);
    pts.extend_from_slice(neighbors);
    let w: Vec<f64> = match weights {
        Some(w) if w.len() == n + 1 => w.to_vec(),
        Some(w) => {
            return Err(GeometryError::RadiiLength {
                expected: n + 1,
                got: w.len(),
            });
        }
        None => vec![0.0; n + 1],
    };
    let keys: Vec<u64> = (0..=n as u64).collect();
    let mut d = Delaunay::new(&pts, &w, &keys, 4.0);
    for v in 4..d.pts.len() {
        if let Inserted::Duplicate(u) = d.insert(v) {
            let idx = |x: usize| if x == 4 { usize::MAX } else { x - 5 };
            let (a, b) = (idx(v), idx(u as usize));
            return Err(GeometryError::TooClose {
                i: a.min(b),
                j: a.max(b),
                distance: 0.0,
                min: 0.0,
            });
        }
    }
    let centre = 4u32;
    let vt = d.vertex_tets();
    let mut sc = Scratch::default();
    sc.fill_star(&d, centre, vt[centre as usize]);
    if sc.star.is_empty() {
        return Ok(None);
    }
    if !star_centres(&d, centre, &sc.star, &mut sc.centres) {
        return Ok(None);
    }
    let scale = neighbors
        .iter()
        .map(|p| norm(*p))
        .fold(0.0, f64::max)
        .max(1e-300);
    let mut faces = Vec::new();
    ring_faces(
        &d,
        centre,
        &mut sc,
        1e-10 * scale,
        1e-6 * scale,
        |u, vector, area, height, edges| {
            faces.push(Face {
                vector,
                area,
                height,
                neighbor: u - 5,
                image: [0; 3],
                edges,
            });
        },
    );
    faces.sort_by_key(|f| f.neighbor);
    Ok(Some(faces))
}

/// Boxes per axis: split the widest box until there are at least
/// `target`, or until splitting it again would make boxes narrower than
/// `min_width`.
fn split_widest(widths: [f64; 3], target: usize, min_width: f64) -> [usize; 3] {
    let mut dims = [1usize; 3];
    while dims.iter().product::<usize>() < target {
        let a = (0..3)
            .max_by(|&x, &y| (widths[x] / dims[x] as f64).total_cmp(&(widths[y] / dims[y] as f64)))
            .unwrap_or(0);
        if widths[a] / ((dims[a] + 1) as f64) < min_width {
            break;
        }
        dims[a] += 1;
    }
    dims
}

/// Blocks per axis: split the widest block while blocks stay at least a
/// skin wide and there are fewer than `n / block_atoms` of them.
fn block_dims(n: usize, widths: [f64; 3], block_atoms: usize, skin: f64) -> [usize; 3] {
    let target = n.div_ceil(block_atoms).max(if n >= 16_000 { 2 } else { 1 });
    split_widest(widths, target, skin)
}

fn check_separation(
    positions: &[[f64; 3]],
    sim_box: &SimBox,
    min: f64,
) -> Result<(), GeometryError> {
    if min.is_nan() || min <= 0.0 {
        return Ok(());
    }
    let cl = CellList::new(*sim_box, positions, min.max(1e-9))?;
    let found = (0..positions.len()).into_par_iter().find_map_first(|i| {
        let mut out = Vec::new();
        cl.ball_unsorted(positions[i], Some(i), min, &mut out);
        out.iter()
            .filter(|b| (b.j as usize) > i)
            .min_by(|x, y| x.distance.total_cmp(&y.distance))
            .map(|b| (i, b.j as usize, b.distance))
    });
    match found {
        Some((i, j, distance)) => Err(GeometryError::TooClose {
            i,
            j,
            distance,
            min,
        }),
        None => Ok(()),
    }
}

/// The power centres of the tetrahedra of `star`, relative to their vertex
/// `v`, into `centres` (NaN for a tetrahedron with an enclosing vertex);
/// `false` when there is one (the star is not complete).
fn star_centres(d: &Delaunay, v: u32, star: &[u32], centres: &mut Vec<[f64; 3]>) -> bool {
    centres.clear();
    let mut complete = true;
    for &t in star {
        let tv = d.tets[t as usize].v;
        if tv.iter().any(|&x| Delaunay::is_far(x)) {
            complete = false;
            centres.push([f64::NAN; 3]);
        } else {
            centres.push(power_centre(d, tv, v));
        }
    }
    complete
}

/// The power centre of tetrahedron `tv`, relative to its vertex `v`.
fn power_centre(d: &Delaunay, tv: [u32; 4], v: u32) -> [f64; 3] {
    let pv = d.pts[v as usize];
    let wv = d.weights[v as usize];
    let mut rows = [[0.0; 3]; 3];
    let mut rhs = [0.0; 3];
    // The other three in key order: the same rounding whatever the
    // tetrahedron's stored vertex order.
    let mut others = [0u32; 3];
    let mut k = 0;
    for &x in &tv {
        if x != v {
            others[k] = x;
            k += 1;
        }
    }
    // A three-element sorting network.
    let ky = |x: u32| d.keys[x as usize];
    if ky(others[0]) > ky(others[1]) {
        others.swap(0, 1);
    }
    if ky(others[1]) > ky(others[2]) {
        others.swap(1, 2);
    }
    if ky(others[0]) > ky(others[1]) {
        others.swap(0, 1);
    }
    for (k, &x) in others.iter().enumerate() {
        let p = d.pts[x as usize];
        let q = [p[0] - pv[0], p[1] - pv[1], p[2] - pv[2]];
        rows[k] = q;
        rhs[k] = 0.5 * (dot(q, q) - d.weights[x as usize] + wv);
    }
    // Solve rows · x = rhs by Cramer's rule.
    let det = dot(rows[0], cross(rows[1], rows[2]));
    let c12 = cross(rows[1], rows[2]);
    let c20 = cross(rows[2], rows[0]);
    let c01 = cross(rows[0], rows[1]);
    std::array::from_fn(|ax| (rhs[0] * c12[ax] + rhs[1] * c20[ax] + rhs[2] * c01[ax]) / det)
}

/// Twice the signed area of the polygon `poly` (indices into `centres`)
/// about the unit normal `nhat`, halved.
fn polygon_area(poly: &[usize], centres: &[[f64; 3]], nhat: [f64; 3]) -> f64 {
    let mut a = [0.0; 3];
    for k in 0..poly.len() {
        let c = cross(centres[poly[k]], centres[poly[(k + 1) % poly.len()]]);
        for ax in 0..3 {
            a[ax] += c[ax];
        }
    }
    0.5 * dot(a, nhat)
}

fn tet_volume_of(q: &[[f64; 3]; 4]) -> f64 {
    let a = sub(q[1], q[0]);
    let b = sub(q[2], q[0]);
    let c = sub(q[3], q[0]);
    dot(a, cross(b, c)) / 6.0
}

#[inline]
fn wrap_unit(x: f64) -> f64 {
    let y = x - x.floor();
    if y >= 1.0 { 0.0 } else { y }
}

fn morton(q: [u64; 3]) -> u64 {
    let mut code = 0u64;
    for bit in 0..16 {
        for (a, &x) in q.iter().enumerate() {
            code |= ((x >> bit) & 1) << (3 * bit + a);
        }
    }
    code
}

#[inline]
pub(crate) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[inline]
pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[inline]
pub(crate) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[inline]
pub(crate) fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod size {
    /// 48 bytes per face keeps a 1 M-atom tessellation (about 15 faces per
    /// atom) near 0.7 KB per atom.
    #[test]
    fn a_face_is_48_bytes() {
        assert_eq!(size_of::<super::Face>(), 48);
    }
}
