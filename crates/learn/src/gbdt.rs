//! A binary gradient-boosted tree classifier with the paper's settings
//! (shared/SPEC.md §7), after scikit-learn's `GradientBoostingClassifier`:
//!
//! - log-loss; the initial raw score is the log-odds of the training prior;
//! - each stage fits a regression tree to the residuals `y − p` with
//!   Friedman's improvement criterion `nₗ nᵣ / (nₗ + nᵣ) · (ȳₗ − ȳᵣ)²`, then
//!   sets each leaf to one Newton step `Σ r / Σ p (1 − p)`, scaled by the
//!   learning rate;
//! - at every split, `⌊√n_features⌋` features are drawn without replacement
//!   from a seeded generator; thresholds are midpoints between consecutive
//!   distinct values; `min_samples_split` and `min_samples_leaf` are fractions
//!   of the training set (rounded up, as scikit-learn does).
//!
//! Features are presorted once, so a node's split search is linear in its
//! samples. Feature importances are the impurity decreases, normalised per
//! tree and averaged.

use interstice_core::rng::SplitMix64;

use crate::LearnError;

/// A dense row-major matrix of features.
#[derive(Clone, Copy, Debug)]
pub struct Matrix<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
}

impl<'a> Matrix<'a> {
    /// A view of `data` as `rows × cols`.
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] if the sizes disagree or a value is NaN
    /// or infinite.
    pub fn new(data: &'a [f64], rows: usize, cols: usize) -> Result<Matrix<'a>, LearnError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(LearnError::InvalidInput(format!(
                "{} values do not make {rows} × {cols}",
                data.len()
            )));
        }
        if let Some(k) = data.iter().position(|v| !v.is_finite()) {
            return Err(LearnError::InvalidInput(format!(
                "feature value at row {}, column {} is {}",
                k / cols.max(1),
                k % cols.max(1),
                data[k]
            )));
        }
        Ok(Matrix { data, rows, cols })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The value at row `r`, column `c`.
    ///
    /// # Panics
    /// If out of range.
    #[inline]
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }
}

/// Gradient boosting parameters; the defaults are the paper's.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GbdtParams {
    /// Boosting stages (300).
    pub n_trees: usize,
    /// Tree depth (2).
    pub max_depth: usize,
    /// Shrinkage (0.1).
    pub learning_rate: f64,
    /// Minimum samples to split a node, as a fraction of the training set (0.001).
    pub min_samples_split: f64,
    /// Minimum samples in a leaf, as a fraction of the training set (0.001).
    pub min_samples_leaf: f64,
    /// Seed of the feature sampling.
    pub seed: u64,
}

impl Default for GbdtParams {
    fn default() -> GbdtParams {
        GbdtParams {
            n_trees: 300,
            max_depth: 2,
            learning_rate: 0.1,
            min_samples_split: 0.001,
            min_samples_leaf: 0.001,
            seed: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf {
        value: f64,
    },
}

/// A fitted model (serialisable with the `serde` feature; a model read back
/// is checked completely by [`Gbdt::validate`], so an edited or damaged file
/// is an error, never a panic or an endless loop).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "GbdtData"))]
pub struct Gbdt {
    init: f64,
    learning_rate: f64,
    trees: Vec<Vec<Node>>,
    n_features: usize,
    importances: Vec<f64>,
}

/// The serialised fields of a [`Gbdt`], before validation.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct GbdtData {
    init: f64,
    learning_rate: f64,
    trees: Vec<Vec<Node>>,
    n_features: usize,
    importances: Vec<f64>,
}

#[cfg(feature = "serde")]
impl TryFrom<GbdtData> for Gbdt {
    type Error = LearnError;

    fn try_from(d: GbdtData) -> Result<Gbdt, LearnError> {
        let g = Gbdt {
            init: d.init,
            learning_rate: d.learning_rate,
            trees: d.trees,
            n_features: d.n_features,
            importances: d.importances,
        };
        g.validate()?;
        Ok(g)
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl GbdtParams {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] for values out of range.
    pub fn check(&self) -> Result<(), LearnError> {
        let bad = |m: String| Err(LearnError::InvalidInput(m));
        if self.n_trees == 0 || self.max_depth == 0 {
            return bad("n_trees and max_depth must be at least 1".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad(format!(
                "learning_rate must be positive, found {}",
                self.learning_rate
            ));
        }
        for (name, f) in [
            ("min_samples_split", self.min_samples_split),
            ("min_samples_leaf", self.min_samples_leaf),
        ] {
            if !(f > 0.0 && f < 1.0) {
                return bad(format!("{name} must be a fraction in (0, 1), found {f}"));
            }
        }
        Ok(())
    }

    /// Fits the model to features `x` and labels `y` (`true` = plastic).
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] for bad parameters or sizes,
    /// [`LearnError::OneClass`] if a class is missing.
    pub fn fit(&self, x: &Matrix<'_>, y: &[bool]) -> Result<Gbdt, LearnError> {
        self.check()?;
        if y.len() != x.rows() || y.is_empty() || x.cols() == 0 {
            return Err(LearnError::InvalidInput(format!(
                "{} labels for {} × {} features",
                y.len(),
                x.rows(),
                x.cols()
            )));
        }
        let n = y.len();
        let pos = y.iter().filter(|&&l| l).count();
        if pos == 0 {
            return Err(LearnError::OneClass {
                metric: "training",
                class: "non-plastic",
            });
        }
        if pos == n {
            return Err(LearnError::OneClass {
                metric: "training",
                class: "plastic",
            });
        }
        let prior = pos as f64 / n as f64;
        let init = (prior / (1.0 - prior)).ln();
        let min_split = ((self.min_samples_split * n as f64).ceil() as usize).max(2);
        let min_leaf = ((self.min_samples_leaf * n as f64).ceil() as usize).max(1);
        let n_sample = ((x.cols() as f64).sqrt() as usize).max(1);
        // Presort every feature once.
        let sorted: Vec<Vec<u32>> = (0..x.cols())
            .map(|c| {
                let mut idx: Vec<u32> = (0..n as u32).collect();
                idx.sort_by(|&a, &b| {
                    x.get(a as usize, c)
                        .total_cmp(&x.get(b as usize, c))
                        .then(a.cmp(&b))
                });
                idx
            })
            .collect();
        let target: Vec<f64> = y.iter().map(|&l| f64::from(u8::from(l))).collect();
        let mut raw = vec![init; n];
        let mut rng = SplitMix64::new(self.seed ^ 0x5eed_0000_0000);
        let mut trees = Vec::with_capacity(self.n_trees);
        let mut importances = vec![0.0; x.cols()];
        let mut node_of = vec![0u32; n];
        for _ in 0..self.n_trees {
            let p: Vec<f64> = raw.iter().map(|&r| sigmoid(r)).collect();
            let residual: Vec<f64> = target.iter().zip(&p).map(|(t, p)| t - p).collect();
            let mut tree: Vec<Node> = vec![Node::Leaf { value: 0.0 }];
            node_of.iter_mut().for_each(|v| *v = 0);
            let mut tree_importance = vec![0.0; x.cols()];
            // Breadth-first growth: (node, depth, sample count).
            let mut frontier = vec![(0usize, 0usize, n)];
            while let Some((node, depth, count)) = frontier.pop() {
                if depth >= self.max_depth || count < min_split {
                    continue;
                }
                // Node sums for Friedman's criterion.
                let (mut sum, mut cnt) = (0.0, 0usize);
                for i in 0..n {
                    if node_of[i] as usize == node {
                        sum += residual[i];
                        cnt += 1;
                    }
                }
                let mut best: Option<(f64, usize, f64)> = None;
                let mut features: Vec<usize> = (0..x.cols()).collect();
                for k in 0..n_sample {
                    let j = k + rng.below(x.cols() - k);
                    features.swap(k, j);
                    let f = features[k];
                    let (mut ls, mut lc) = (0.0, 0usize);
                    let mut prev: Option<f64> = None;
                    for &i in &sorted[f] {
                        let i = i as usize;
                        if node_of[i] as usize != node {
                            continue;
                        }
                        let v = x.get(i, f);
                        if let Some(pv) = prev
                            && v > pv
                            && lc >= min_leaf
                            && cnt - lc >= min_leaf
                        {
                            let rc = cnt - lc;
                            let diff = ls / lc as f64 - (sum - ls) / rc as f64;
                            let gain = (lc * rc) as f64 / cnt as f64 * diff * diff;
                            if best.is_none_or(|b| gain > b.0) {
                                best = Some((gain, f, pv + (v - pv) / 2.0));
                            }
                        }
                        ls += residual[i];
                        lc += 1;
                        prev = Some(v);
                    }
                }
                let Some((gain, feature, threshold)) = best else {
                    continue;
                };
                let (left, right) = (tree.len(), tree.len() + 1);
                tree.push(Node::Leaf { value: 0.0 });
                tree.push(Node::Leaf { value: 0.0 });
                tree[node] = Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                };
                tree_importance[feature] += gain;
                let (mut nl, mut nr) = (0, 0);
                for i in 0..n {
                    if node_of[i] as usize == node {
                        if x.get(i, feature) <= threshold {
                            node_of[i] = left as u32;
                            nl += 1;
                        } else {
                            node_of[i] = right as u32;
                            nr += 1;
                        }
                    }
                }
                frontier.push((right, depth + 1, nr));
                frontier.push((left, depth + 1, nl));
            }
            // Newton step per leaf: Σ r / Σ p (1 − p).
            let mut num = vec![0.0; tree.len()];
            let mut den = vec![0.0; tree.len()];
            for i in 0..n {
                let l = node_of[i] as usize;
                num[l] += residual[i];
                den[l] += p[i] * (1.0 - p[i]);
            }
            for (k, node) in tree.iter_mut().enumerate() {
                if let Node::Leaf { value } = node {
                    *value = if den[k].abs() < 1e-150 {
                        0.0
                    } else {
                        num[k] / den[k]
                    };
                }
            }
            for i in 0..n {
                if let Node::Leaf { value } = tree[node_of[i] as usize] {
                    raw[i] += self.learning_rate * value;
                }
            }
            let total: f64 = tree_importance.iter().sum();
            if total > 0.0 {
                for (a, t) in importances.iter_mut().zip(&tree_importance) {
                    *a += t / total;
                }
            }
            trees.push(tree);
        }
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            importances.iter_mut().for_each(|a| *a /= total);
        }
        Ok(Gbdt {
            init,
            learning_rate: self.learning_rate,
            trees,
            n_features: x.cols(),
            importances,
        })
    }
}

impl Gbdt {
    /// The probability of the plastic class for each row of `x`.
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] if `x` has a different number of features.
    pub fn predict_proba(&self, x: &Matrix<'_>) -> Result<Vec<f64>, LearnError> {
        if x.cols() != self.n_features {
            return Err(LearnError::InvalidInput(format!(
                "model has {} features, table has {}",
                self.n_features,
                x.cols()
            )));
        }
        Ok((0..x.rows())
            .map(|r| {
                let mut raw = self.init;
                for tree in &self.trees {
                    let mut k = 0;
                    loop {
                        match tree[k] {
                            Node::Split {
                                feature,
                                threshold,
                                left,
                                right,
                            } => {
                                k = if x.get(r, feature) <= threshold {
                                    left
                                } else {
                                    right
                                };
                            }
                            Node::Leaf { value } => {
                                raw += self.learning_rate * value;
                                break;
                            }
                        }
                    }
                }
                sigmoid(raw)
            })
            .collect())
    }

    /// Checks that the model can be evaluated: finite numbers, at least one
    /// feature and one tree, every split on an existing feature with a
    /// threshold that is a number, and children that exist and come after
    /// their parent (so every walk from the root ends at a leaf).
    ///
    /// # Errors
    /// [`LearnError::InvalidInput`] naming the first problem found.
    pub fn validate(&self) -> Result<(), LearnError> {
        let bad = |m: String| Err(LearnError::InvalidInput(format!("invalid model: {m}")));
        if !self.init.is_finite() {
            return bad(format!("init {} is not finite", self.init));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning_rate must be finite and positive, found {}",
                self.learning_rate
            ));
        }
        if self.n_features == 0 {
            return bad("n_features is 0".into());
        }
        if self.importances.len() != self.n_features
            || self.importances.iter().any(|x| !x.is_finite())
        {
            return bad(format!(
                "expected {} finite importances, found {}",
                self.n_features,
                self.importances.len()
            ));
        }
        if self.trees.is_empty() {
            return bad("no trees".into());
        }
        for (t, tree) in self.trees.iter().enumerate() {
            if tree.is_empty() {
                return bad(format!("tree {t} is empty"));
            }
            for (k, node) in tree.iter().enumerate() {
                match *node {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        if feature >= self.n_features {
                            return bad(format!(
                                "tree {t}, node {k}: split on feature {feature} of {}",
                                self.n_features
                            ));
                        }
                        if threshold.is_nan() {
                            return bad(format!("tree {t}, node {k}: threshold is NaN"));
                        }
                        for child in [left, right] {
                            if child <= k || child >= tree.len() {
                                return bad(format!(
                                    "tree {t}, node {k}: child {child} must come after it and exist (the tree has {} nodes)",
                                    tree.len()
                                ));
                            }
                        }
                        if left == right {
                            return bad(format!("tree {t}, node {k}: both children are {left}"));
                        }
                    }
                    Node::Leaf { value } => {
                        if !value.is_finite() {
                            return bad(format!(
                                "tree {t}, node {k}: leaf value {value} is not finite"
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Impurity-based feature importances, summing to 1.
    pub fn feature_importances(&self) -> &[f64] {
        &self.importances
    }

    /// The number of features the model was trained on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_data_is_learned() {
        // y = x0 > 0.5, plus a noise feature.
        let n = 200;
        let data: Vec<f64> = (0..n)
            .flat_map(|i| [i as f64 / n as f64, ((i * 37) % 11) as f64])
            .collect();
        let y: Vec<bool> = (0..n).map(|i| i as f64 / n as f64 > 0.5).collect();
        let x = Matrix::new(&data, n, 2).unwrap();
        let m = GbdtParams {
            n_trees: 20,
            ..GbdtParams::default()
        }
        .fit(&x, &y)
        .unwrap();
        let p = m.predict_proba(&x).unwrap();
        assert!(p.iter().zip(&y).all(|(p, &y)| (*p > 0.5) == y));
        // One feature of two is drawn per split (√2 rounds down), so noise splits happen; the signal still dominates.
        assert!(m.feature_importances()[0] > m.feature_importances()[1]);
        // Same seed, same model; another seed may sample features differently.
        assert_eq!(
            GbdtParams {
                n_trees: 20,
                ..GbdtParams::default()
            }
            .fit(&x, &y)
            .unwrap(),
            m
        );
    }

    #[test]
    fn bad_input() {
        let data = [1.0, 2.0];
        let x = Matrix::new(&data, 2, 1).unwrap();
        assert!(GbdtParams::default().fit(&x, &[true, true]).is_err());
        assert!(GbdtParams::default().fit(&x, &[true]).is_err());
        assert!(Matrix::new(&data, 3, 1).is_err());
        assert!(Matrix::new(&[f64::NAN], 1, 1).is_err());
        assert!(
            GbdtParams {
                learning_rate: 0.0,
                ..GbdtParams::default()
            }
            .check()
            .is_err()
        );
    }
}
