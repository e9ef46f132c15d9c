"""A synthetic binary task and scikit-learn's GradientBoostingClassifier on it
with the paper's settings, for crates/learn/tests/gbdt.rs.
Run: .venv/bin/python make_reference.py  (writes data.csv.gz and reference.json here)."""
import gzip, json, os, sys
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score

here = os.path.dirname(os.path.abspath(__file__))
x, y = make_classification(n_samples=3000, n_features=16, n_informative=6, n_redundant=4,
                           flip_y=0.05, class_sep=0.7, random_state=7)
x = np.round(x, 4)  # stored with 4 decimals: fit on exactly what is stored
train = np.arange(len(y)) % 3 != 0  # two thirds train, one third test, fixed
aucs = []
for seed in range(5):
    m = GradientBoostingClassifier(loss='log_loss', n_estimators=300, max_depth=2, learning_rate=0.1,
                                   max_features='sqrt', min_samples_split=0.001, min_samples_leaf=0.001,
                                   random_state=seed)
    m.fit(x[train], y[train])
    aucs.append(roc_auc_score(y[~train], m.predict_proba(x[~train])[:, 1]))
with gzip.open(os.path.join(here, 'data.csv.gz'), 'wt') as f:
    f.write(','.join([f'f{k}' for k in range(x.shape[1])] + ['label']) + '\n')
    for row, label in zip(x, y):
        f.write(','.join(f'{v:.4f}' for v in row) + f',{int(label)}\n')
json.dump(dict(sklearn=sklearn.__version__, numpy=np.__version__, python=sys.version.split()[0],
               settings='log_loss, 300 trees, depth 2, learning rate 0.1, max_features sqrt, min_samples_split 0.001, min_samples_leaf 0.001',
               split='rows with index % 3 != 0 train, the rest test',
               test_auc_per_seed=aucs, test_auc_mean=float(np.mean(aucs))),
          open(os.path.join(here, 'reference.json'), 'w'), indent=1)
print(aucs)
