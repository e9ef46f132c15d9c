"""Reference values of classification metrics from scikit-learn, for
crates/learn/tests/metrics.rs. Run: .venv/bin/python make_reference.py > reference.json
The scores include ties (rounded to 2 decimals) so tie handling is tested."""
import json, sys
import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, average_precision_score, accuracy_score, f1_score, precision_score, recall_score

cases = []
for seed, n, frac in [(1, 50, 0.3), (2, 200, 0.05), (3, 1000, 0.5), (4, 37, 0.2)]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < frac).astype(int)
    y[0], y[1] = 1, 0  # both classes present
    s = np.round(np.clip(0.5 * y + rng.normal(0.25, 0.25, n), 0, 1), 2)
    pred = (s > 0.5).astype(int)
    cases.append(dict(
        seed=seed, labels=y.tolist(), scores=s.tolist(),
        roc_auc=roc_auc_score(y, s), average_precision=average_precision_score(y, s),
        accuracy=accuracy_score(y, pred), f1=f1_score(y, pred, zero_division=0),
        precision=precision_score(y, pred, zero_division=0), recall=recall_score(y, pred, zero_division=0),
    ))
json.dump(dict(sklearn=sklearn.__version__, numpy=np.__version__, python=sys.version.split()[0], cases=cases), sys.stdout)
