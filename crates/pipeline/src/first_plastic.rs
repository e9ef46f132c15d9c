//! The strain at which each atom first becomes plastic over a shear
//! trajectory (the strain map of the paper's Fig. 3e), streamed frame by frame.
//!
//! A frame's strain comes from an explicit list, from its timestep (for
//! `fix deform` runs), or from its place in the series (AQS frames written
//! one per step). A frame equal to the reference (same box and positions, as
//! the first frame of a LAMMPS AQS dump usually is) is recognised and is not
//! a strain step (shared/SPEC.md §6).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::Frame;
use interstice_d2min::{D2minParams, FirstPlastic, Mode, StrainSeries};
use interstice_io::Trajectory;

use crate::common::LabelRule;

/// Where each deformed frame's strain comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Strains {
    /// Not known: the table has steps only.
    Unknown,
    /// This strain per deformed frame, in order (AQS).
    Step(f64),
    /// The strain of every deformed frame, in order.
    List(Vec<f64>),
    /// Strain per timestep since the reference's (`fix deform`).
    PerTimestep(f64),
}

/// The settings of a strain map.
#[derive(Clone, Debug)]
pub struct FirstPlasticParams {
    /// When an atom is plastic at a step.
    pub rule: LabelRule,
    /// D²min of each frame against the previous one, not the reference.
    pub incremental: bool,
    /// The strain of each deformed frame.
    pub strains: Strains,
}

/// The step (and strain) at which each atom of the reference first became plastic.
pub struct FirstPlasticMap {
    ids: Vec<u64>,
    types: Vec<u32>,
    first: FirstPlastic,
    strains: Vec<Option<f64>>,
}

/// Whether `frame` is the reference again: the same box and, atom by atom
/// (matched by id), the same position to 1e-9 Å.
pub fn same_configuration(reference: &Frame, frame: &Frame) -> bool {
    if reference.len() != frame.len() || reference.sim_box() != frame.sim_box() {
        return false;
    }
    let close = |a: [f64; 3], b: [f64; 3]| {
        (a[0] - b[0]).abs() <= 1e-9 && (a[1] - b[1]).abs() <= 1e-9 && (a[2] - b[2]).abs() <= 1e-9
    };
    if reference.ids() == frame.ids() {
        return reference
            .positions()
            .iter()
            .zip(frame.positions())
            .all(|(a, b)| close(*a, *b));
    }
    let at: HashMap<u64, usize> = frame
        .ids()
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, k))
        .collect();
    reference
        .ids()
        .iter()
        .zip(reference.positions())
        .all(|(id, p)| at.get(id).is_some_and(|&k| close(*p, frame.positions()[k])))
}

/// Follows every atom of `reference` (named `reference_name` in messages)
/// through the frames of the files `frames`, in order; one line per step goes
/// to `log`.
///
/// # Errors
/// A frame with other atoms, unreadable files, no deformed frame, or a
/// strain list of the wrong length.
pub fn first_plastic(
    reference: Frame,
    reference_name: &str,
    frames: &[PathBuf],
    params: &FirstPlasticParams,
    log: &mut dyn Write,
) -> Result<FirstPlasticMap> {
    let out = log;
    let ids = reference.ids().to_vec();
    let types = reference.types().to_vec();
    let ref_timestep = reference.timestep();
    let mode = if params.incremental {
        Mode::Incremental
    } else {
        Mode::Cumulative
    };
    let kept_reference = reference.clone();
    let mut series = StrainSeries::new(reference, D2minParams::new(params.rule.cutoff), mode)?;
    let mut first = FirstPlastic::new(ids.len());
    // Per deformed frame: its strain, if known.
    let mut strains: Vec<Option<f64>> = Vec::new();
    let mut step = 0;
    for path in frames {
        let mut reader = Trajectory::open(path)?;
        let mut k = 0;
        while let Some(frame) = reader.read()? {
            k += 1;
            if frame.len() != ids.len() {
                bail!(
                    "{}, frame {}: {} atoms, but the reference {} has {}",
                    path.display(),
                    k - 1,
                    frame.len(),
                    reference_name,
                    ids.len()
                );
            }
            if step == 0 && same_configuration(&kept_reference, &frame) {
                writeln!(
                    out,
                    "{}, frame {}: the reference itself (strain 0), not a strain step",
                    path.display(),
                    k - 1
                )?;
                continue;
            }
            step += 1;
            let strain = match &params.strains {
                Strains::List(list) => Some(*list.get(step - 1).with_context(|| {
                    format!(
                        "--strains lists {} strains, but {}, frame {} is deformed frame {step}",
                        list.len(),
                        path.display(),
                        k - 1
                    )
                })?),
                Strains::PerTimestep(rate) => {
                    Some((frame.timestep() as f64 - ref_timestep as f64) * rate)
                }
                Strains::Step(e) => Some(step as f64 * e),
                Strains::Unknown => None,
            };
            strains.push(strain);
            let s = series
                .push(frame)
                .with_context(|| format!("{}, frame {}", path.display(), k - 1))?;
            let labels = params.rule.labels(&s.d2min);
            first.update(step, &labels);
            let ever = first.steps().iter().filter(|f| f.is_some()).count();
            writeln!(
                out,
                "step {step}{}: {} plastic, {ever} plastic at least once",
                strain.map_or(String::new(), |e| format!(" (strain {e})")),
                labels.iter().filter(|&&l| l).count()
            )?;
        }
    }
    if step == 0 {
        bail!(
            "no deformed frame: every frame given equals the reference {}",
            reference_name
        );
    }
    if let Strains::List(list) = &params.strains
        && list.len() != step
    {
        bail!(
            "--strains lists {} strains for {step} deformed frames",
            list.len()
        );
    }
    Ok(FirstPlasticMap {
        ids,
        types,
        first,
        strains,
    })
}

impl FirstPlasticMap {
    /// Writes `id,type,first_plastic_step[,first_plastic_strain]` (empty: never plastic).
    ///
    /// # Errors
    /// File errors.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let with_strain = self.strains.iter().all(Option::is_some);
        let mut text = String::from("id,type,first_plastic_step");
        if with_strain {
            text.push_str(",first_plastic_strain");
        }
        text.push('\n');
        for (i, f) in self.first.steps().iter().enumerate() {
            use std::fmt::Write as _;
            let _ = write!(
                text,
                "{},{},{}",
                self.ids[i],
                self.types[i],
                f.map_or(String::new(), |s| s.to_string())
            );
            if with_strain {
                let _ = write!(
                    text,
                    ",{}",
                    f.and_then(|s| self.strains[s - 1])
                        .map_or(String::new(), |e| format!("{e:?}"))
                );
            }
            text.push('\n');
        }
        crate::common::write_file(path, text.as_bytes())?;
        Ok(())
    }
}
