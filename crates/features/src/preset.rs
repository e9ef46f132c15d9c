//! Named feature sets.

use ndarray::{Array2, concatenate};

use crate::classical::Classical;
use crate::interstice::{IntersticeSro, Mro};
use crate::symmetry::SymmetryFunctions;
use crate::{FeatureError, Featurizer, FrameContext};

/// A named set of columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Preset {
    /// The paper's 80 interstice features: 16 short-range and 64
    /// medium-range statistics, in amlearn's column order.
    Paper80,
    /// The symmetry functions of the softness baseline with the paper's
    /// settings: 166 columns for a binary.
    Sf166,
    /// The classical catalogue ([`crate::Classical`]).
    Classical,
    /// `paper80`, then `sf166`, then `classical`.
    All,
}

impl Preset {
    /// The preset's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Paper80 => "paper80",
            Preset::Sf166 => "sf166",
            Preset::Classical => "classical",
            Preset::All => "all",
        }
    }

    /// The preset called `name`.
    pub fn from_name(name: &str) -> Option<Preset> {
        match name {
            "paper80" => Some(Preset::Paper80),
            "sf166" => Some(Preset::Sf166),
            "classical" => Some(Preset::Classical),
            "all" => Some(Preset::All),
            _ => None,
        }
    }

    /// The column names and the feature matrix (one row per atom).
    ///
    /// # Errors
    /// From the shared context.
    pub fn compute(
        self,
        ctx: &FrameContext<'_>,
    ) -> Result<(Vec<String>, Array2<f64>), FeatureError> {
        match self {
            Preset::Paper80 => {
                let sro = IntersticeSro::default();
                let mro = Mro::default();
                let sro_names = sro.names();
                let x_sro = sro.compute(ctx)?;
                let mut names = sro_names.clone();
                names.extend(mro.names_for(&sro_names));
                // One table, the MRO statistics written into it beside the
                // SRO columns: no second full-width copy at the peak.
                let (n, w) = (ctx.len(), names.len());
                let mut x = Array2::zeros((n, w));
                let out = x.as_slice_mut().expect("a new array is in standard layout");
                mro.aggregate_into(ctx, &sro_names, &x_sro, out, w, sro_names.len())?;
                for (mut row, sro_row) in x.rows_mut().into_iter().zip(x_sro.rows()) {
                    row.slice_mut(ndarray::s![..sro_row.len()]).assign(&sro_row);
                }
                Ok((names, x))
            }
            Preset::Sf166 => {
                let sf = SymmetryFunctions::paper();
                let mut species: Vec<u32> = ctx.types().iter().map(|(t, _)| t).collect();
                species.sort_unstable();
                Ok((sf.names_for(&species), sf.compute(ctx)?))
            }
            Preset::Classical => {
                let c = Classical::default();
                Ok((c.names(), c.compute(ctx)?))
            }
            Preset::All => {
                let (mut names, a) = Preset::Paper80.compute(ctx)?;
                let (more, b) = Preset::Sf166.compute(ctx)?;
                let (last, c) = Preset::Classical.compute(ctx)?;
                names.extend(more);
                names.extend(last);
                let x = concatenate(ndarray::Axis(1), &[a.view(), b.view(), c.view()])
                    .map_err(|e| FeatureError::Input(e.to_string()))?;
                Ok((names, x))
            }
        }
    }
}
