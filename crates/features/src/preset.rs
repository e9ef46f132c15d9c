//! Named feature sets.

use ndarray::{Array2, concatenate, s};

use crate::interstice::{IntersticeSro, Mro};
use crate::{FeatureError, Featurizer, FrameContext};

/// A named set of columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The paper's 80 interstice features: 16 short-range and 64
    /// medium-range statistics, in amlearn's column order.
    Paper80,
}

impl Preset {
    /// The preset's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Paper80 => "paper80",
        }
    }

    /// The preset called `name`.
    pub fn from_name(name: &str) -> Option<Preset> {
        match name {
            "paper80" => Some(Preset::Paper80),
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
                let x_mro = mro.aggregate(ctx, &sro_names, &x_sro)?;
                let mut names = sro_names.clone();
                names.extend(mro.names_for(&sro_names));
                let x = concatenate(ndarray::Axis(1), &[x_sro.slice(s![.., ..]), x_mro.view()])
                    .map_err(|e| FeatureError::Input(e.to_string()))?;
                Ok((names, x))
            }
        }
    }
}
