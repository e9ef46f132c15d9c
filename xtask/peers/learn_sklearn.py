"""The paper's 15-model protocol with scikit-learn (and LightGBM), for
`cargo xtask bench-peers learn`.

usage: learn_sklearn.py FEATURES.csv LABELS.csv SEED REPEATS CODE[,CODE...]

CODE is `sklearn` (GradientBoostingClassifier) or `lightgbm` (LGBMClassifier
with the nearest settings: histogram-based, so not the same trees). For each
code, prints one line `<code> <best seconds> <mean ROC-AUC> <std ROC-AUC>
<version>`; the time is best of REPEATS and runs from reading the two CSVs to
the last test-fold score (interpreter start and imports excluded). The
protocol: 3 undersamplings of the majority class to the minority's size
(numpy generator seeded SEED + r), StratifiedKFold(5, shuffle=True,
random_state=SEED + r) on each balanced subset, one booster per fold
(log-loss, 300 trees, depth 2, learning rate 0.1, sqrt(n_features) features
per split, min_samples_split and min_samples_leaf 0.1 % of the training
samples), ROC-AUC on the balanced test fold; std over the 15 folds (ddof 0).
"""

import math
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold


def make_model(code, n_train, n_features, seed):
    min_split = max(2, math.ceil(0.001 * n_train))
    min_leaf = max(1, math.ceil(0.001 * n_train))
    if code == "sklearn":
        return GradientBoostingClassifier(
            loss="log_loss",
            n_estimators=300,
            max_depth=2,
            learning_rate=0.1,
            max_features="sqrt",
            min_samples_split=min_split,
            min_samples_leaf=min_leaf,
            random_state=seed,
        )
    if code == "lightgbm":
        import lightgbm

        return lightgbm.LGBMClassifier(
            objective="binary",
            n_estimators=300,
            max_depth=2,
            num_leaves=4,
            learning_rate=0.1,
            feature_fraction_bynode=int(math.sqrt(n_features)) / n_features,
            min_child_samples=min_leaf,
            min_child_weight=0.0,
            subsample=1.0,
            n_jobs=1,
            random_state=seed,
            verbose=-1,
        )
    raise SystemExit(f"unknown code '{code}'")


def protocol(code, features, labels, seed):
    x_table = pd.read_csv(features)
    y_table = pd.read_csv(labels)
    y_of = dict(zip(y_table["id"], y_table["plastic"]))
    y = np.array([y_of[i] for i in x_table["id"]], dtype=int)
    x = x_table.drop(columns=["id"]).to_numpy(dtype=np.float64)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    minority, majority = (pos, neg) if len(pos) <= len(neg) else (neg, pos)
    aucs, k = [], 0
    for r in range(3):
        rng = np.random.default_rng(seed + r)
        chosen = rng.choice(majority, size=len(minority), replace=False)
        subset = np.concatenate([minority, chosen])
        xs, ys = x[subset], y[subset]
        folds = StratifiedKFold(5, shuffle=True, random_state=seed + r)
        for train, test in folds.split(xs, ys):
            model = make_model(code, len(train), x.shape[1], seed * 1000 + k)
            model.fit(xs[train], ys[train])
            p = model.predict_proba(xs[test])[:, 1]
            aucs.append(roc_auc_score(ys[test], p))
            k += 1
    return float(np.mean(aucs)), float(np.std(aucs))


def version(code):
    if code == "lightgbm":
        import lightgbm

        return f"lightgbm-{lightgbm.__version__}"
    import sklearn

    return f"scikit-learn-{sklearn.__version__}"


def main():
    features, labels, seed, repeats, codes = sys.argv[1:6]
    seed, repeats = int(seed), int(repeats)
    for code in codes.split(","):
        best, result = float("inf"), None
        for _ in range(repeats):
            t = time.perf_counter()
            result = protocol(code, features, labels, seed)
            best = min(best, time.perf_counter() - t)
        mean, std = result
        print(f"{code} {best:.6f} {mean:.6f} {std:.6f} {version(code)}", flush=True)


if __name__ == "__main__":
    main()
