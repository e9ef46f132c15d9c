//! D²min between a reference and a deformed frame and the plastic labels,
//! written as a CSV table or as an OVITO-readable dump of the reference.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use interstice_core::{ColumnData, Frame};
use interstice_d2min::{AtomicStrain, D2minParams, atomic_strain};
use interstice_io::{DumpWriter, OutputFile};

use crate::common::LabelRule;

/// D²min, the strain invariants and the plastic label of every atom of the
/// reference, in its order.
pub struct Labels {
    /// D²min and the strains (NaN for atoms with too few neighbours).
    pub strain: AtomicStrain,
    /// The LAMMPS type of every atom.
    pub types: Vec<u32>,
    /// Plastic or not.
    pub plastic: Vec<bool>,
    /// The noise floor the labels used, Å².
    pub noise_floor: f64,
}

/// Labels the atoms of `reference` by their D²min into `deformed`.
///
/// # Errors
/// Frames that do not match (atoms by id), or bad parameters.
pub fn label(
    reference: &Frame,
    deformed: &Frame,
    rule: &LabelRule,
    per_neighbor: bool,
) -> Result<Labels> {
    let params = D2minParams::new(rule.cutoff).per_neighbor(per_neighbor);
    let strain = atomic_strain(reference, deformed, &params)?;
    let plastic = rule.labels(&strain.d2min);
    Ok(Labels {
        strain,
        types: reference.types().to_vec(),
        plastic,
        noise_floor: rule.noise_floor,
    })
}

impl Labels {
    /// Writes `id,type,d2min,shear_strain,volumetric_strain,plastic`.
    ///
    /// # Errors
    /// File errors.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        use std::fmt::Write as _;
        let s = &self.strain;
        let mut text = String::from("id,type,d2min,shear_strain,volumetric_strain,plastic\n");
        for i in 0..s.ids.len() {
            let _ = writeln!(
                text,
                "{},{},{:?},{:?},{:?},{}",
                s.ids[i],
                self.types[i],
                s.d2min[i],
                s.shear_strain[i],
                s.volumetric_strain[i],
                u8::from(self.plastic[i])
            );
        }
        let mut f = OutputFile::create(path)?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.commit()?;
        Ok(())
    }

    /// Writes the reference frame with `d2min`, `shear_strain`,
    /// `volumetric_strain` and `plastic` columns, for OVITO.
    ///
    /// # Errors
    /// File errors.
    pub fn write_dump(&self, mut reference: Frame, path: &Path) -> Result<()> {
        let s = &self.strain;
        reference.set_column("d2min", ColumnData::Float(s.d2min.clone()))?;
        reference.set_column("shear_strain", ColumnData::Float(s.shear_strain.clone()))?;
        reference.set_column(
            "volumetric_strain",
            ColumnData::Float(s.volumetric_strain.clone()),
        )?;
        reference.set_column(
            "plastic",
            ColumnData::Int(self.plastic.iter().map(|&p| i64::from(p)).collect()),
        )?;
        let mut w = DumpWriter::create(path)?;
        w.write(&reference)?;
        w.finish()?;
        Ok(())
    }

    /// A summary line: atoms, mean D²min, plastic share, atoms below the
    /// noise floor and without enough neighbours.
    pub fn summary(&self) -> String {
        let s = &self.strain;
        let n_plastic = self.plastic.iter().filter(|&&p| p).count();
        let below_floor = s.d2min.iter().filter(|&&x| x < self.noise_floor).count();
        let valid: Vec<f64> = s.d2min.iter().copied().filter(|x| !x.is_nan()).collect();
        let mean = if valid.is_empty() {
            "n/a".to_string()
        } else {
            format!("{:.4} Å²", valid.iter().sum::<f64>() / valid.len() as f64)
        };
        format!(
            "{} atoms, mean D²min {mean}, {n_plastic} plastic ({:.2} %), {below_floor} below the noise floor of {} Å², {} with too few neighbours",
            s.ids.len(),
            100.0 * n_plastic as f64 / s.ids.len().max(1) as f64,
            self.noise_floor,
            s.invalid.len()
        )
    }

    /// The first ids of the atoms with too few neighbours, when there are any.
    pub fn invalid_note(&self) -> Option<String> {
        let s = &self.strain;
        if s.invalid.is_empty() {
            return None;
        }
        let ids: Vec<String> = s
            .invalid
            .iter()
            .take(20)
            .map(|&k| s.ids[k].to_string())
            .collect();
        let more = if s.invalid.len() > 20 { ", …" } else { "" };
        Some(format!(
            "atoms with fewer than three non-coplanar neighbours (D²min NaN, never plastic): ids {}{more}",
            ids.join(", ")
        ))
    }
}
