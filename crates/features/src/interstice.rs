//! The paper's interstice features: 16 short-range statistics per atom and
//! their medium-range statistics over neighbours (shared/SPEC.md §4).

use interstice_geometry::interstice::distance_interstice;
use interstice_geometry::{Face, ShellInterstices};
use ndarray::Array2;
use rayon::prelude::*;

use crate::stats::{PAPER_STATS, Stat};
use crate::{FeatureError, Featurizer, FrameContext};

/// Which neighbours a medium-range statistic runs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeighborKind {
    /// The (filtered) Voronoi neighbours.
    Voronoi,
    /// The atoms within the distance cutoff.
    Distance,
}

/// The short-range interstice statistics: the mean, std, min and max (or
/// other [`Stat`]s) of the distance interstices over the Voronoi and the
/// distance neighbours, and of the volume and area interstices over the
/// hull of the Voronoi neighbours. Columns, in amlearn's order:
/// `Dist_interstice_{stat}_voro`, `Dist_interstice_{stat}_dist`,
/// `Volume_interstice_{stat}_voro`, `Area_interstice_{stat}_voro`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntersticeSro {
    stats: Vec<Stat>,
}

impl Default for IntersticeSro {
    fn default() -> IntersticeSro {
        IntersticeSro {
            stats: PAPER_STATS.to_vec(),
        }
    }
}

/// The four interstice lists of the short-range block, in column order.
const LISTS: [(&str, &str); 4] = [
    ("Dist", "voro"),
    ("Dist", "dist"),
    ("Volume", "voro"),
    ("Area", "voro"),
];

impl IntersticeSro {
    /// With other statistics than the paper's mean, std, min, max.
    pub fn with_stats(stats: Vec<Stat>) -> IntersticeSro {
        IntersticeSro { stats }
    }

    /// The four interstice lists of atom `i`: distance (Voronoi), distance
    /// (distance neighbours), volume, area.
    pub fn lists(ctx: &FrameContext<'_>, i: usize) -> Result<[Vec<f64>; 4], FeatureError> {
        let v = ctx.voronoi()?;
        let nl = ctx.distance_neighbors()?;
        Ok(IntersticeSro::lists_of(
            v.faces(i),
            nl.neighbors_of(i),
            nl.distances_of(i),
            ctx.radii(),
            ctx.radii()[i],
        ))
    }

    /// The four lists of an atom of radius `rc` from its (filtered)
    /// Voronoi faces and its distance neighbours `js` at `ds` (`radii` of
    /// every atom of the frame).
    pub(crate) fn lists_of(
        faces: &[Face],
        js: &[u32],
        ds: &[f64],
        r: &[f64],
        rc: f64,
    ) -> [Vec<f64>; 4] {
        let dist_voro = faces
            .iter()
            .map(|f| distance_interstice(f.distance(), rc, r[f.neighbor as usize]))
            .collect();
        let dist_dist = js
            .iter()
            .zip(ds)
            .map(|(&j, &d)| distance_interstice(d, rc, r[j as usize]))
            .collect();
        let vectors: Vec<[f64; 3]> = faces.iter().map(|f| f.vector).collect();
        let radii: Vec<f64> = faces.iter().map(|f| r[f.neighbor as usize]).collect();
        let shell = ShellInterstices::of_shell(&vectors, &radii, rc);
        [dist_voro, dist_dist, shell.volume, shell.area]
    }

    /// The statistics of the four lists into `row` (4 × the statistics).
    pub(crate) fn row_into(&self, lists: &[Vec<f64>; 4], row: &mut [f64]) {
        let mut cells = row.iter_mut();
        for l in lists {
            for s in &self.stats {
                *cells.next().expect("a row as wide as the columns") = s.of(l);
            }
        }
    }

    /// The number of columns.
    pub(crate) fn width(&self) -> usize {
        4 * self.stats.len()
    }
}

impl Featurizer for IntersticeSro {
    fn names(&self) -> Vec<String> {
        LISTS
            .iter()
            .flat_map(|(kind, over)| {
                self.stats
                    .iter()
                    .map(move |s| format!("{kind}_interstice_{}_{over}", s.name()))
            })
            .collect()
    }

    fn compute(&self, ctx: &FrameContext<'_>) -> Result<Array2<f64>, FeatureError> {
        // Build the shared structures before the parallel loop.
        ctx.voronoi()?;
        ctx.distance_neighbors()?;
        let n = ctx.len();
        let mut x = Array2::zeros((n, self.width()));
        let w = self.width().max(1);
        x.as_slice_mut()
            .expect("a new array is in standard layout")
            .par_chunks_mut(w)
            .enumerate()
            .try_for_each(|(i, row)| {
                self.row_into(&IntersticeSro::lists(ctx, i)?, row);
                Ok::<(), FeatureError>(())
            })?;
        Ok(x)
    }
}

/// A medium-range statistic of a feature over an atom's neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MroStat {
    /// One of the plain statistics of the neighbours' values.
    Stat(Stat),
    /// `mean_j f(j) − f(c)`.
    Diff,
}

impl MroStat {
    fn name(self) -> &'static str {
        match self {
            MroStat::Stat(s) => s.name(),
            MroStat::Diff => "diff",
        }
    }
}

/// Medium-range statistics of short-range features over neighbours
/// (amlearn's `MRO`): for every base column `f`, `MRO_{stat}_{f}` over the
/// atom's Voronoi neighbours when `f` ends in `_voro`, over its distance
/// neighbours when it ends in `_dist`, excluding the atom itself. Columns:
/// first the `_voro` features in base order, each followed by its
/// statistics, then the `_dist` ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Mro {
    base: IntersticeSro,
    stats: Vec<MroStat>,
}

impl Default for Mro {
    fn default() -> Mro {
        Mro {
            base: IntersticeSro::default(),
            stats: PAPER_STATS.iter().map(|&s| MroStat::Stat(s)).collect(),
        }
    }
}

impl Mro {
    /// Over `base`'s columns with `stats`.
    pub fn new(base: IntersticeSro, stats: Vec<MroStat>) -> Mro {
        Mro { base, stats }
    }

    /// The order of the base columns in the output and the neighbours of
    /// each: `_voro` columns first, then `_dist`.
    pub(crate) fn plan(base_names: &[String]) -> Vec<(usize, NeighborKind)> {
        let mut voro: Vec<(usize, NeighborKind)> = Vec::new();
        let mut dist = Vec::new();
        for (c, name) in base_names.iter().enumerate() {
            if name.ends_with("_dist") {
                dist.push((c, NeighborKind::Distance));
            } else {
                voro.push((c, NeighborKind::Voronoi));
            }
        }
        voro.extend(dist);
        voro
    }

    /// The column names for base columns `base_names`.
    pub fn names_for(&self, base_names: &[String]) -> Vec<String> {
        Mro::plan(base_names)
            .iter()
            .flat_map(|&(c, _)| {
                self.stats
                    .iter()
                    .map(move |s| format!("MRO_{}_{}", s.name(), base_names[c]))
            })
            .collect()
    }

    /// The statistics of already computed base columns `base`.
    ///
    /// # Errors
    /// From the shared neighbour structures; a base with the wrong shape.
    pub fn aggregate(
        &self,
        ctx: &FrameContext<'_>,
        base_names: &[String],
        base: &Array2<f64>,
    ) -> Result<Array2<f64>, FeatureError> {
        let n = ctx.len();
        let mut x = Array2::zeros((n, Mro::plan(base_names).len() * self.stats.len()));
        let width = x.ncols();
        let out = x.as_slice_mut().expect("a new array is in standard layout");
        self.aggregate_into(ctx, base_names, base, out, width, 0)?;
        Ok(x)
    }

    /// [`Mro::aggregate`] written straight into the rows of a row-major
    /// table: row `i` of `out` is `out[i * width..(i + 1) * width]`, and the
    /// statistics go to its columns `offset..offset + k` (k = the width
    /// [`Mro::aggregate`] returns). Nothing else of `out` is touched, so a
    /// caller can put other columns beside them without a second copy.
    ///
    /// # Errors
    /// As [`Mro::aggregate`]; an `out` of the wrong size.
    pub fn aggregate_into(
        &self,
        ctx: &FrameContext<'_>,
        base_names: &[String],
        base: &Array2<f64>,
        out: &mut [f64],
        width: usize,
        offset: usize,
    ) -> Result<(), FeatureError> {
        let n = ctx.len();
        if base.dim() != (n, base_names.len()) {
            return Err(FeatureError::Input(format!(
                "MRO base has shape {:?}, expected ({n}, {})",
                base.dim(),
                base_names.len()
            )));
        }
        let plan = Mro::plan(base_names);
        let k = self.stats.len();
        if out.len() != n * width || offset + plan.len() * k > width {
            return Err(FeatureError::Input(format!(
                "MRO output of {} values, width {width}, offset {offset}: expected {n} rows with room for {} columns",
                out.len(),
                plan.len() * k
            )));
        }
        let v = ctx.voronoi()?;
        let nl = ctx.distance_neighbors()?;
        let base = base
            .as_slice()
            .ok_or_else(|| FeatureError::Input("MRO base not in standard layout".into()))?;
        let bw = base_names.len();
        out.par_chunks_mut(width.max(1))
            .enumerate()
            .for_each(|(i, row)| {
                self.row_into(
                    &plan,
                    v.faces(i).iter().map(|f| f.neighbor),
                    nl.neighbors_of(i),
                    |j| &base[j as usize * bw..(j as usize + 1) * bw],
                    i as u32,
                    &mut row[offset..offset + plan.len() * k],
                );
            });
        Ok(())
    }

    /// The statistics of one atom (`me`) into `row`: its Voronoi neighbours
    /// `voro` and distance neighbours `dist`, the base row of any atom from
    /// `base_of`.
    pub(crate) fn row_into<'b>(
        &self,
        plan: &[(usize, NeighborKind)],
        voro: impl Iterator<Item = u32>,
        dist: &[u32],
        base_of: impl Fn(u32) -> &'b [f64],
        me: u32,
        row: &mut [f64],
    ) {
        let voro: Vec<&[f64]> = voro.map(&base_of).collect();
        let dist: Vec<&[f64]> = dist.iter().map(|&j| base_of(j)).collect();
        let own = base_of(me);
        let mut cells = row.iter_mut();
        let mut values = Vec::with_capacity(32);
        for &(c, over) in plan {
            let js = match over {
                NeighborKind::Voronoi => &voro,
                NeighborKind::Distance => &dist,
            };
            values.clear();
            values.extend(js.iter().map(|b| b[c]));
            for s in &self.stats {
                let cell = cells.next().expect("room checked by the caller");
                *cell = match s {
                    MroStat::Stat(s) => s.of(&values),
                    MroStat::Diff => Stat::Mean.of(&values) - own[c],
                };
            }
        }
    }

    /// The number of statistics per base column.
    pub(crate) fn stats_len(&self) -> usize {
        self.stats.len()
    }
}

impl Featurizer for Mro {
    fn names(&self) -> Vec<String> {
        self.names_for(&self.base.names())
    }

    fn compute(&self, ctx: &FrameContext<'_>) -> Result<Array2<f64>, FeatureError> {
        let base = self.base.compute(ctx)?;
        self.aggregate(ctx, &self.base.names(), &base)
    }
}
