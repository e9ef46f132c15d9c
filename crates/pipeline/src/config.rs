//! The configuration of a pipeline run (the TOML file of `interstice run`):
//! data sets, type maps, feature sets, labels, protocol, seeds, outputs and
//! figures, as typed values.
//!
//! Paths are relative to the configuration file's folder. Unknown keys are
//! errors, so a misspelt option never passes silently. The same types are
//! written by [`Config::to_toml`] (`cargo xtask reproduce` builds a
//! [`Config`] and serialises it) and read back by [`Config::read`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use interstice_core::TypeMap;
use interstice_features::Preset;
use serde::{Deserialize, Serialize};

/// A figure of the paper that a run can draw (shared/SPEC.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureId {
    /// The interstices of a slab and of one atom's shell.
    Fig1,
    /// ROC curves and importances: interstice against symmetry functions.
    Fig2,
    /// Histogram of quench-in softness.
    Fig3a,
    /// Probability of being plastic against softness.
    Fig3b,
    /// Mass–radius scaling and g(r) of the hardest and softest atoms.
    Fig3c,
    /// Interstice features of the hardest and softest atoms.
    Fig3d,
    /// Softness of the atoms activated at each strain step.
    Fig3e,
    /// Softness of other compositions and rates under the base model.
    Fig3f,
    /// Transfer: ΔAUC per scenario.
    Fig4,
    /// Ours (shared/SPEC.md §8): the learning curve over glasses and the
    /// guard curve of the honest folds.
    Fig5,
}

impl FigureId {
    /// Every figure, in the paper's order.
    pub const ALL: [FigureId; 10] = [
        FigureId::Fig1,
        FigureId::Fig2,
        FigureId::Fig3a,
        FigureId::Fig3b,
        FigureId::Fig3c,
        FigureId::Fig3d,
        FigureId::Fig3e,
        FigureId::Fig3f,
        FigureId::Fig4,
        FigureId::Fig5,
    ];

    /// The figure's name: `fig1` … `fig4` (its folder and file names).
    pub fn name(self) -> &'static str {
        match self {
            FigureId::Fig1 => "fig1",
            FigureId::Fig2 => "fig2",
            FigureId::Fig3a => "fig3a",
            FigureId::Fig3b => "fig3b",
            FigureId::Fig3c => "fig3c",
            FigureId::Fig3d => "fig3d",
            FigureId::Fig3e => "fig3e",
            FigureId::Fig3f => "fig3f",
            FigureId::Fig4 => "fig4",
            FigureId::Fig5 => "fig5",
        }
    }

    /// The figure called `name`.
    ///
    /// # Errors
    /// An unknown name, with the list of known ones.
    pub fn parse(name: &str) -> Result<FigureId> {
        FigureId::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .with_context(|| {
                let all: Vec<&str> = FigureId::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown figure '{name}', expected one of {}",
                    all.join(", ")
                )
            })
    }
}

impl std::fmt::Display for FigureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Feature sets scored on every data set (transfer); `classical` is for
/// the base comparison of Fig. 2 only.
pub const TRANSFER_SETS: [Preset; 2] = [Preset::Paper80, Preset::Sf166];

/// The feature sets a run can learn from.
pub const FEATURE_SETS: [Preset; 3] = [Preset::Paper80, Preset::Sf166, Preset::Classical];

/// A whole pipeline.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder of the intermediate files (features, labels, models, metrics).
    pub out: PathBuf,
    /// Folder of the figures, one sub-folder per figure (default `<out>/figures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<PathBuf>,
    /// Seed of the undersamplings, folds and feature sampling.
    #[serde(default)]
    pub seed: u64,
    /// Boosting stages per model (the paper's 300).
    #[serde(default = "default_trees")]
    pub trees: usize,
    /// Feature sets: `paper80` always; `sf166` and `classical` for the comparisons.
    #[serde(default = "default_sets")]
    pub feature_sets: Vec<Preset>,
    /// Figures to draw.
    #[serde(default)]
    pub draw: Vec<FigureId>,
    /// The plastic labels.
    #[serde(default)]
    pub labels: LabelConfig,
    /// The honest evaluation beside the paper's protocol.
    #[serde(default)]
    pub evaluation: EvaluationConfig,
    /// The data sets.
    #[serde(rename = "dataset", default)]
    pub datasets: Vec<Dataset>,
}

/// How atoms are labelled plastic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelConfig {
    /// D²min neighbour cutoff, Å.
    #[serde(default = "default_cutoff")]
    pub cutoff: f64,
    /// Plastic: the top `percent` % of D²min.
    #[serde(default = "default_percent")]
    pub percent: f64,
    /// The label frame, `frame_<frame>.dump.gz` (40 × 0.125 % = 5 % shear).
    #[serde(default = "default_frame")]
    pub frame: usize,
    /// Shear strain per frame, for axes (the AQS protocol's 0.125 %).
    #[serde(default = "default_strain_step")]
    pub strain_step: f64,
    /// D²min below this is never plastic (noise, not a rearrangement), Å².
    #[serde(default = "default_noise_floor")]
    pub noise_floor: f64,
    /// Labels from several loading directions of each glass: the label
    /// frame of `directions/<name>/` beside the primary one, combined by
    /// `rank-mean` (plastic propensity, shared/SPEC.md §6) or `any`.
    /// Unset: the primary direction alone (the paper's labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine: Option<crate::label::Combine>,
}

impl Default for LabelConfig {
    fn default() -> LabelConfig {
        LabelConfig {
            cutoff: default_cutoff(),
            percent: default_percent(),
            frame: default_frame(),
            strain_step: default_strain_step(),
            noise_floor: default_noise_floor(),
            combine: None,
        }
    }
}

impl LabelConfig {
    /// The rule that labels a frame's D²min: the top `percent` %, never below the noise floor.
    pub fn rule(&self) -> crate::common::LabelRule {
        crate::common::LabelRule {
            cutoff: self.cutoff,
            percent: self.percent,
            threshold: None,
            noise_floor: self.noise_floor,
        }
    }
}

/// The honest evaluation (shared/SPEC.md §7b), always run and reported
/// beside the paper's random folds: slabs along each cell vector with
/// training atoms near the test slab dropped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationConfig {
    /// Training atoms closer than this to the test slab (through periodic
    /// images) are dropped, Å.
    #[serde(default = "default_guard")]
    pub guard: f64,
    /// The guards of Fig. 5's leakage curve, Å, ascending.
    #[serde(default = "default_guard_curve")]
    pub guard_curve: Vec<f64>,
}

impl Default for EvaluationConfig {
    fn default() -> EvaluationConfig {
        EvaluationConfig {
            guard: default_guard(),
            guard_curve: default_guard_curve(),
        }
    }
}

fn default_guard() -> f64 {
    crate::train::DEFAULT_GUARD
}
fn default_guard_curve() -> Vec<f64> {
    vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
}

/// What a data set is for in the paper's figures.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The base model's training set (exactly one).
    Base,
    /// The base condition, another configuration.
    NewConfiguration,
    /// The base composition at another quench rate.
    OtherRate,
    /// Another composition of the same alloy at the base rate.
    OtherComposition,
    /// Another composition at another rate.
    OtherCompositionRate,
    /// Another alloy system.
    OtherSystem,
}

impl Role {
    /// Every role, base first.
    pub const ALL: [Role; 6] = [
        Role::Base,
        Role::NewConfiguration,
        Role::OtherRate,
        Role::OtherComposition,
        Role::OtherCompositionRate,
        Role::OtherSystem,
    ];

    /// The role called `name` (`base`, `new-configuration`, …).
    ///
    /// # Errors
    /// An unknown name, with the list of known ones.
    pub fn parse(name: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .with_context(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                format!(
                    "unknown role '{name}': expected one of {}",
                    names.join(", ")
                )
            })
    }

    /// The transfer scenarios of Fig. 4, in the paper's order.
    pub const SCENARIOS: [Role; 5] = [
        Role::NewConfiguration,
        Role::OtherRate,
        Role::OtherComposition,
        Role::OtherCompositionRate,
        Role::OtherSystem,
    ];

    /// The name in a configuration file (`base`, `new-configuration`, …).
    pub fn name(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::NewConfiguration => "new-configuration",
            Role::OtherRate => "other-rate",
            Role::OtherComposition => "other-composition",
            Role::OtherCompositionRate => "other-composition-rate",
            Role::OtherSystem => "other-system",
        }
    }

    /// A short label for tables and axes.
    pub fn label(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::NewConfiguration => "new configurations",
            Role::OtherRate => "other quench rate",
            Role::OtherComposition => "other composition",
            Role::OtherCompositionRate => "other composition and rate",
            Role::OtherSystem => "other system",
        }
    }
}

/// One glass and its sheared frames.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// A unique name (a folder name under `out`).
    pub name: String,
    /// Folder with `frame_000.dump.gz` (the quenched reference) and the
    /// sheared frames `frame_NNN.dump.gz`.
    pub dir: PathBuf,
    /// The alloy and composition, for example `Cu65Zr35`.
    pub condition: String,
    /// Atoms (for the records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atoms: Option<usize>,
    /// Quench rate, K/s (for the records and Fig. 3f).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// MD seed (for the records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// LAMMPS types to elements, written `1=Cu,2=Zr`.
    #[serde(with = "type_map_text")]
    pub types: TypeMap,
    /// What the data set is for.
    pub role: Role,
}

fn default_trees() -> usize {
    300
}
fn default_sets() -> Vec<Preset> {
    vec![Preset::Paper80]
}
fn default_cutoff() -> f64 {
    5.0
}
fn default_percent() -> f64 {
    5.0
}
fn default_frame() -> usize {
    40
}
fn default_strain_step() -> f64 {
    0.00125
}
fn default_noise_floor() -> f64 {
    interstice_d2min::DEFAULT_NOISE_FLOOR
}

/// A type map in a configuration file: its text form, `1=Cu,2=Zr`.
mod type_map_text {
    use interstice_core::TypeMap;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(map: &TypeMap, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(map)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TypeMap, D::Error> {
        let text = String::deserialize(d)?;
        TypeMap::parse(&text).map_err(|e| serde::de::Error::custom(format!("types '{text}': {e}")))
    }
}

impl Dataset {
    /// The file of frame `k`.
    pub fn frame(&self, k: usize) -> PathBuf {
        self.dir.join(format!("frame_{k:03}.dump.gz"))
    }

    /// The label frame `k` of every other loading direction: the files
    /// `directions/<name>/frame_<k>.dump.gz`, by folder name.
    pub fn directions(&self, k: usize) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("directions")) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join(format!("frame_{k:03}.dump.gz")))
            .filter(|p| p.is_file())
            .collect();
        out.sort();
        out
    }

    /// The sheared frames present after the reference, in strain order, as
    /// (step, file); stops at the first gap.
    pub fn trajectory(&self) -> Vec<(usize, PathBuf)> {
        (1..)
            .map(|k| (k, self.frame(k)))
            .take_while(|(_, p)| p.exists())
            .collect()
    }

    /// A label with condition and rate, for legends.
    pub fn legend(&self) -> String {
        match self.rate {
            Some(r) => format!("{} ({r:.0e} K/s)", self.condition),
            None => self.condition.clone(),
        }
    }
}

impl Config {
    /// Reads and checks a configuration file.
    ///
    /// # Errors
    /// An unreadable file, a TOML error (with its line), or an inconsistent
    /// configuration (named).
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Config::from_toml(&text, path.parent().unwrap_or(Path::new(".")))
            .with_context(|| path.display().to_string())
    }

    /// Parses and checks a configuration; relative paths are taken from `base`.
    ///
    /// # Errors
    /// A TOML error (with its line) or an inconsistent configuration (named).
    pub fn from_toml(text: &str, base: &Path) -> Result<Config> {
        let mut c: Config = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        c.out = resolve(&c.out);
        c.figures = Some(match &c.figures {
            Some(f) => resolve(f),
            None => c.out.join("figures"),
        });
        for d in &mut c.datasets {
            d.dir = resolve(&d.dir);
        }
        c.check().context("invalid configuration")?;
        Ok(c)
    }

    /// The configuration as TOML, which [`Config::from_toml`] reads back to
    /// an equal value.
    ///
    /// # Errors
    /// A value TOML cannot hold (a non-finite number).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).context("cannot write the configuration as TOML")
    }

    fn check(&self) -> Result<()> {
        if self.datasets.is_empty() {
            bail!("no [[dataset]]");
        }
        let bases = self
            .datasets
            .iter()
            .filter(|d| d.role == Role::Base)
            .count();
        if bases != 1 {
            bail!("expected exactly one dataset with role = \"base\", found {bases}");
        }
        let mut names = std::collections::BTreeSet::new();
        for d in &self.datasets {
            if d.name.is_empty()
                || d.name.contains(['/', '\\'])
                || d.name.starts_with('.')
                || !names.insert(d.name.as_str())
            {
                bail!(
                    "dataset name '{}': expected a unique, non-empty name usable as a folder name",
                    d.name
                );
            }
        }
        if !self.feature_sets.contains(&Preset::Paper80) {
            bail!("feature_sets must include paper80 (the base model of the figures)");
        }
        for (k, s) in self.feature_sets.iter().enumerate() {
            if !FEATURE_SETS.contains(s) {
                bail!(
                    "feature set '{}': expected paper80, sf166 or classical",
                    s.name()
                );
            }
            if self.feature_sets[..k].contains(s) {
                bail!("feature set '{}' is listed twice", s.name());
            }
        }
        if self.draw.contains(&FigureId::Fig2) && self.feature_sets.len() < 2 {
            bail!("fig2 compares feature sets: list at least two in feature_sets");
        }
        let l = &self.labels;
        if !(l.cutoff.is_finite() && l.cutoff > 0.0) {
            bail!(
                "labels.cutoff must be a positive length, found {}",
                l.cutoff
            );
        }
        if !(l.percent > 0.0 && l.percent <= 100.0) {
            bail!("labels.percent must be in (0, 100], found {}", l.percent);
        }
        if l.frame == 0 {
            bail!("labels.frame must be a sheared frame (1 or more)");
        }
        if !(l.strain_step.is_finite() && l.strain_step > 0.0) {
            bail!(
                "labels.strain_step must be a finite strain > 0, found {}",
                l.strain_step
            );
        }
        if !(l.noise_floor.is_finite() && l.noise_floor >= 0.0) {
            bail!(
                "labels.noise_floor must be a finite D²min ≥ 0 Å², found {}",
                l.noise_floor
            );
        }
        let e = &self.evaluation;
        if !(e.guard.is_finite() && e.guard >= 0.0) {
            bail!(
                "evaluation.guard must be a finite distance ≥ 0 Å, found {}",
                e.guard
            );
        }
        if e.guard_curve.is_empty()
            || e.guard_curve.iter().any(|g| !(g.is_finite() && *g >= 0.0))
            || e.guard_curve.windows(2).any(|w| w[0] >= w[1])
        {
            bail!(
                "evaluation.guard_curve must be ascending finite distances ≥ 0 Å, found {:?}",
                e.guard_curve
            );
        }
        crate::common::check_trees(self.trees, "trees")?;
        Ok(())
    }

    /// The base data set.
    pub fn base(&self) -> &Dataset {
        self.datasets
            .iter()
            .find(|d| d.role == Role::Base)
            .expect("checked: exactly one base")
    }

    /// The figures folder.
    pub fn figures_dir(&self) -> &Path {
        self.figures.as_deref().unwrap_or(&self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_back_equal() {
        let mut c = parse(ONE).unwrap();
        c.feature_sets = vec![Preset::Paper80, Preset::Sf166];
        c.draw = vec![FigureId::Fig2, FigureId::Fig3e];
        c.datasets[0].rate = Some(1e13);
        let text = c.to_toml().unwrap();
        let back = Config::from_toml(&text, Path::new("/")).unwrap();
        assert_eq!(back.to_toml().unwrap(), text);
        assert_eq!(back.datasets[0].types.to_string(), "1=Cu,2=Zr");
        assert!(
            text.contains("feature_sets = [\"paper80\", \"sf166\"]"),
            "{text}"
        );
    }

    fn parse(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("c.toml");
        std::fs::write(&p, text)?;
        Config::read(&p)
    }

    const ONE: &str = r#"
out = "o"
[[dataset]]
name = "a"
dir = "d"
condition = "Cu65Zr35"
types = "1=Cu,2=Zr"
role = "base"
"#;

    #[test]
    fn minimal_config_has_paper_defaults() {
        let c = parse(ONE).unwrap();
        assert_eq!(c.trees, 300);
        assert_eq!(c.labels.frame, 40);
        assert_eq!(c.labels.percent, 5.0);
        assert_eq!(c.feature_sets, [Preset::Paper80]);
        assert!(c.out.is_absolute() || c.out.starts_with(std::env::temp_dir()));
        assert_eq!(c.base().name, "a");
    }

    #[test]
    fn mistakes_are_named() {
        let e = |t: &str| format!("{:#}", parse(t).unwrap_err());
        assert!(
            e(&ONE.replace("role = \"base\"", "role = \"other-rate\"")).contains("exactly one")
        );
        assert!(e(&format!("{ONE}\ntress = 3")).contains("tress"));
        assert!(e(&ONE.replace("1=Cu,2=Zr", "1=Xx")).contains("types"));
        assert!(e(&ONE.replace("out = \"o\"", "out = \"o\"\ndraw = [\"fig9\"]")).contains("fig9"));
        assert!(e(&ONE.replace("role = \"base\"", "role = \"bass\"")).contains("bass"));
        assert!(e(&ONE.replace("name = \"a\"", "name = \"../a\"")).contains("folder"));
    }

    #[test]
    fn every_number_is_checked_with_its_range() {
        let e = |extra: &str| {
            let text = ONE.replace("out = \"o\"", &format!("out = \"o\"\n{extra}"));
            format!("{:#}", parse(&text).unwrap_err())
        };
        for (extra, want) in [
            ("trees = 0", "trees must be 1 to 100000, found 0"),
            (
                "trees = 1000000",
                "trees must be 1 to 100000, found 1000000",
            ),
            (
                "[labels]\ncutoff = -1",
                "labels.cutoff must be a positive length",
            ),
            (
                "[labels]\ncutoff = nan",
                "labels.cutoff must be a positive length",
            ),
            (
                "[labels]\npercent = 0",
                "labels.percent must be in (0, 100]",
            ),
            (
                "[labels]\npercent = nan",
                "labels.percent must be in (0, 100]",
            ),
            (
                "[labels]\nframe = 0",
                "labels.frame must be a sheared frame",
            ),
            (
                "[labels]\nstrain_step = nan",
                "labels.strain_step must be a finite strain > 0, found NaN",
            ),
            (
                "[labels]\nstrain_step = -0.1",
                "labels.strain_step must be a finite strain > 0",
            ),
            (
                "[labels]\nnoise_floor = -1",
                "labels.noise_floor must be a finite D²min ≥ 0 Å², found -1",
            ),
            (
                "[evaluation]\nguard = -1",
                "evaluation.guard must be a finite distance ≥ 0 Å, found -1",
            ),
            (
                "[evaluation]\nguard_curve = [0, 3, 2]",
                "evaluation.guard_curve must be ascending",
            ),
            (
                "[evaluation]\nguard_curve = []",
                "evaluation.guard_curve must be ascending",
            ),
            (
                "[labels]\nnoise_floor = inf",
                "labels.noise_floor must be a finite D²min ≥ 0 Å², found inf",
            ),
        ] {
            let got = e(extra);
            assert!(got.contains(want), "{extra}: {got}");
        }
    }
}
