//! D²min between a reference and a deformed frame and the plastic labels,
//! written as a CSV table or as an OVITO-readable dump of the reference.

use std::path::Path;

use anyhow::Result;
use interstice_core::{ColumnData, Frame};
use interstice_d2min::{AtomicStrain, D2minParams, atomic_strain};
use interstice_io::DumpWriter;

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
        crate::common::write_file(path, text.as_bytes())?;
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

/// How several loading directions of one reference become one label
/// (shared/SPEC.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// Plastic propensity: each direction's D²min as a percentile rank within
    /// its run, averaged per atom; the top `percent` % are plastic.
    RankMean,
    /// Plastic in any direction (each by the rule).
    Any,
}

impl Combine {
    /// The combination called `name`: `rank-mean` or `any`.
    ///
    /// # Errors
    /// Another name (the `--combine` option's message).
    pub fn parse(name: &str) -> Result<Combine> {
        match name {
            "rank-mean" => Ok(Combine::RankMean),
            "any" => Ok(Combine::Any),
            other => anyhow::bail!("--combine {other}: expected rank-mean or any"),
        }
    }

    /// Its name: `rank-mean` or `any`.
    pub fn name(self) -> &'static str {
        match self {
            Combine::RankMean => "rank-mean",
            Combine::Any => "any",
        }
    }
}

/// The labels of several loading directions of one reference, combined.
pub struct Combined {
    /// Each direction's labels, in the order given.
    pub runs: Vec<Labels>,
    /// The mean percentile rank of D²min over the directions.
    pub propensity: Vec<f64>,
    /// The combined label.
    pub plastic: Vec<bool>,
    /// How they were combined.
    pub how: Combine,
}

/// Combines the labels of several directions of one reference (`runs`, each
/// from [`label`] against the same reference).
///
/// # Errors
/// Fewer than two runs, runs of other atoms, or an absolute threshold with
/// `rank-mean` (a rank has no units).
pub fn combine(runs: Vec<Labels>, rule: &LabelRule, how: Combine) -> Result<Combined> {
    if runs.len() < 2 {
        anyhow::bail!("combining labels needs at least two sheared runs");
    }
    if runs.iter().any(|r| r.strain.ids != runs[0].strain.ids) {
        anyhow::bail!("the sheared runs label other atoms than the reference's");
    }
    if how == Combine::RankMean && rule.threshold.is_some() {
        anyhow::bail!(
            "--threshold is a D²min; rank-mean labels the top --percent % of the mean rank"
        );
    }
    let d2: Vec<Vec<f64>> = runs.iter().map(|r| r.strain.d2min.clone()).collect();
    let propensity = interstice_d2min::propensity(&d2);
    let plastic = match how {
        Combine::RankMean => {
            let mut p = interstice_d2min::plastic_top_percent(&propensity, rule.percent);
            // Never plastic: an atom that moved less than the noise floor in
            // every direction.
            for (i, l) in p.iter_mut().enumerate() {
                if d2.iter().all(|d| d[i].is_nan() || d[i] < rule.noise_floor) {
                    *l = false;
                }
            }
            p
        }
        Combine::Any => (0..propensity.len())
            .map(|i| runs.iter().any(|r| r.plastic[i]))
            .collect(),
    };
    Ok(Combined {
        runs,
        propensity,
        plastic,
        how,
    })
}

impl Combined {
    /// Mean of a per-direction quantity per atom.
    fn mean(&self, f: impl Fn(&Labels) -> &[f64]) -> Vec<f64> {
        let n = self.runs.len() as f64;
        (0..self.plastic.len())
            .map(|i| self.runs.iter().map(|r| f(r)[i]).sum::<f64>() / n)
            .collect()
    }

    /// Writes `id,type,d2min,shear_strain,volumetric_strain,propensity,plastic`
    /// (the strains are means over the directions), then `d2min_K` and
    /// `plastic_K` of each direction K = 1, 2, ….
    ///
    /// # Errors
    /// File errors.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        use std::fmt::Write as _;
        let first = &self.runs[0];
        let d2 = self.mean(|r| &r.strain.d2min);
        let shear = self.mean(|r| &r.strain.shear_strain);
        let vol = self.mean(|r| &r.strain.volumetric_strain);
        let mut text =
            String::from("id,type,d2min,shear_strain,volumetric_strain,propensity,plastic");
        for k in 1..=self.runs.len() {
            let _ = write!(text, ",d2min_{k},plastic_{k}");
        }
        text.push('\n');
        for i in 0..self.plastic.len() {
            let _ = write!(
                text,
                "{},{},{:?},{:?},{:?},{:?},{}",
                first.strain.ids[i],
                first.types[i],
                d2[i],
                shear[i],
                vol[i],
                self.propensity[i],
                u8::from(self.plastic[i])
            );
            for r in &self.runs {
                let _ = write!(text, ",{:?},{}", r.strain.d2min[i], u8::from(r.plastic[i]));
            }
            text.push('\n');
        }
        crate::common::write_file(path, text.as_bytes())?;
        Ok(())
    }

    /// Writes the reference with `d2min` (the mean), `propensity` and
    /// `plastic` columns, for OVITO.
    ///
    /// # Errors
    /// File errors.
    pub fn write_dump(&self, mut reference: Frame, path: &Path) -> Result<()> {
        reference.set_column("d2min", ColumnData::Float(self.mean(|r| &r.strain.d2min)))?;
        reference.set_column("propensity", ColumnData::Float(self.propensity.clone()))?;
        reference.set_column(
            "plastic",
            ColumnData::Int(self.plastic.iter().map(|&p| i64::from(p)).collect()),
        )?;
        let mut w = DumpWriter::create(path)?;
        w.write(&reference)?;
        w.finish()?;
        Ok(())
    }

    /// How much the directions agree: the overlap of their plastic sets,
    /// pairwise (min, mean, max of the share of one's plastic atoms that
    /// the other shares), and the combined label's count.
    pub fn summary(&self) -> String {
        let mut o = Vec::new();
        for (a, ra) in self.runs.iter().enumerate() {
            for rb in &self.runs[a + 1..] {
                let v = interstice_d2min::overlap(&ra.plastic, &rb.plastic);
                if !v.is_nan() {
                    o.push(v);
                }
            }
        }
        let n = self.plastic.iter().filter(|&&p| p).count();
        let (lo, hi) = o
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
                (l.min(x), h.max(x))
            });
        let mean = o.iter().sum::<f64>() / o.len().max(1) as f64;
        format!(
            "{} directions; their plastic sets overlap by {:.0} to {:.0} % pairwise (mean {:.0} %); {n} atoms plastic by {} ({:.2} %)",
            self.runs.len(),
            100.0 * lo,
            100.0 * hi,
            100.0 * mean,
            match self.how {
                Combine::RankMean => "the mean rank",
                Combine::Any => "any direction",
            },
            100.0 * n as f64 / self.plastic.len().max(1) as f64
        )
    }
}

/// The files of `interstice label`: a reference, one deformed file per
/// loading direction, the output (`.csv`, or `.dump`/`.dump.gz` for OVITO).
#[derive(Clone, Copy, Debug)]
pub struct Files<'a> {
    /// The reference (quenched) configuration.
    pub reference: &'a Path,
    /// Its frame (0-based; negative counts from the end).
    pub reference_frame: i64,
    /// The deformed configurations, one per loading direction.
    pub deformed: &'a [std::path::PathBuf],
    /// The frame of each deformed file.
    pub frame: i64,
    /// `--types`, if given.
    pub types: Option<&'a str>,
    /// How several directions combine (`rank-mean` or `any`).
    pub combine: &'a str,
    /// D²min divided by the neighbour count.
    pub per_neighbor: bool,
    /// The output file.
    pub out: &'a Path,
}

/// `interstice label` in one process: reads the frames, labels each
/// direction, combines several, writes the table or dump, and returns the
/// lines to print.
///
/// # Errors
/// File errors; frames that do not match; bad parameters.
pub fn label_files(f: &Files<'_>, rule: &LabelRule) -> Result<String> {
    let map = crate::common::type_map(f.types)?;
    let mut ref_reader = crate::common::open_frames(f.reference, map.as_ref())?;
    let (_, reference) =
        crate::common::read_frame(&mut ref_reader, f.reference_frame, "--reference-frame")?;
    let how = Combine::parse(f.combine)?;
    let mut runs = Vec::new();
    for path in f.deformed {
        let mut reader = crate::common::open_frames(path, map.as_ref())?;
        let (_, deformed) = crate::common::read_frame(&mut reader, f.frame, "--frame")?;
        runs.push(label(&reference, &deformed, rule, f.per_neighbor)?);
    }
    let name = f.out.display().to_string();
    let dump = name.ends_with(".dump") || name.ends_with(".dump.gz");
    if runs.len() > 1 {
        let c = combine(runs, rule, how)?;
        if dump {
            c.write_dump(reference, f.out)?;
        } else {
            c.write_csv(f.out)?;
        }
        return Ok(format!("{}; wrote {name}\n", c.summary()));
    }
    let labels = runs.remove(0);
    if dump {
        labels.write_dump(reference, f.out)?;
    } else {
        labels.write_csv(f.out)?;
    }
    let mut lines = format!("{}; wrote {name}\n", labels.summary());
    if let Some(note) = labels.invalid_note() {
        lines.push_str(&note);
        lines.push('\n');
    }
    Ok(lines)
}
