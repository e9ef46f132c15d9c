//! The TOML configuration of `interstice run`: data sets, type maps, feature
//! sets, labels, protocol, seeds, outputs and figures.
//!
//! Paths are relative to the configuration file's folder. Unknown keys are
//! errors, so a misspelt option never passes silently.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The figures `interstice run` can draw (shared/SPEC.md §8).
pub const FIGURES: [&str; 9] = [
    "fig1", "fig2", "fig3a", "fig3b", "fig3c", "fig3d", "fig3e", "fig3f", "fig4",
];

/// A whole pipeline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder of the intermediate files (features, labels, models, metrics).
    pub out: PathBuf,
    /// Folder of the figures, one sub-folder per figure (default `<out>/figures`).
    #[serde(default)]
    pub figures: Option<PathBuf>,
    /// Seed of the undersamplings, folds and feature sampling.
    #[serde(default)]
    pub seed: u64,
    /// Boosting stages per model (the paper's 300).
    #[serde(default = "default_trees")]
    pub trees: usize,
    /// Feature sets: `paper80` always; `sf166` and `classical` for the comparisons.
    #[serde(default = "default_sets")]
    pub feature_sets: Vec<String>,
    /// Figures to draw (any of `fig1` … `fig4`).
    #[serde(default)]
    pub draw: Vec<String>,
    /// The plastic labels.
    #[serde(default)]
    pub labels: LabelConfig,
    /// The data sets.
    #[serde(rename = "dataset", default)]
    pub datasets: Vec<Dataset>,
}

/// How atoms are labelled plastic.
#[derive(Debug, Deserialize)]
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
}

impl Default for LabelConfig {
    fn default() -> LabelConfig {
        LabelConfig {
            cutoff: default_cutoff(),
            percent: default_percent(),
            frame: default_frame(),
            strain_step: default_strain_step(),
            noise_floor: default_noise_floor(),
        }
    }
}

/// What a data set is for in the paper's figures.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
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
    /// The transfer scenarios of Fig. 4, in the paper's order.
    pub const SCENARIOS: [Role; 5] = [
        Role::NewConfiguration,
        Role::OtherRate,
        Role::OtherComposition,
        Role::OtherCompositionRate,
        Role::OtherSystem,
    ];

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
#[derive(Debug, Deserialize)]
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
    #[serde(default)]
    pub atoms: Option<usize>,
    /// Quench rate, K/s (for the records and Fig. 3f).
    #[serde(default)]
    pub rate: Option<f64>,
    /// MD seed (for the records).
    #[serde(default)]
    pub seed: Option<u64>,
    /// LAMMPS types to elements, for example `1=Cu,2=Zr`.
    pub types: String,
    /// What the data set is for.
    pub role: Role,
}

fn default_trees() -> usize {
    300
}
fn default_sets() -> Vec<String> {
    vec!["paper80".into()]
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

impl Dataset {
    /// The file of frame `k`.
    pub fn frame(&self, k: usize) -> PathBuf {
        self.dir.join(format!("frame_{k:03}.dump.gz"))
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
        let mut c: Config =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
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
        c.check()
            .with_context(|| format!("{}: invalid configuration", path.display()))?;
        Ok(c)
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
            interstice_core::TypeMap::parse(&d.types)
                .with_context(|| format!("dataset '{}': types", d.name))?;
        }
        if !self.feature_sets.iter().any(|s| s == "paper80") {
            bail!("feature_sets must include paper80 (the base model of the figures)");
        }
        for s in &self.feature_sets {
            if !["paper80", "sf166", "classical"].contains(&s.as_str()) {
                bail!("feature set '{s}': expected paper80, sf166 or classical");
            }
        }
        for f in &self.draw {
            if !FIGURES.contains(&f.as_str()) {
                bail!(
                    "draw: unknown figure '{f}', expected one of {}",
                    FIGURES.join(", ")
                );
            }
        }
        if self.draw.iter().any(|f| f == "fig2") && self.feature_sets.len() < 2 {
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
        assert_eq!(c.feature_sets, ["paper80"]);
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
                "[labels]\nnoise_floor = inf",
                "labels.noise_floor must be a finite D²min ≥ 0 Å², found inf",
            ),
        ] {
            let got = e(extra);
            assert!(got.contains(want), "{extra}: {got}");
        }
    }
}
