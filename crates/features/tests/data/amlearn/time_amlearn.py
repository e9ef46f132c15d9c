#!/usr/bin/env python3
"""Times amlearn 0.3.4's 80-column pipeline (the paper's preset) on
glass.dump.gz, for `cargo xtask bench-peers features`. Writes nothing here.

The pipeline is make_reference.py's (the authors' scripts/featurize_interstice.py
with the same two shims); its constants and column check are imported from
there. What is timed is `FeaturizePipeline.fit_transform` alone: the dump is
decompressed and parsed with amlearn's reader before the clock starts, and
amlearn's own intermediate files go to a fresh temporary folder per run (as in
make_reference.py, they are part of its pipeline). amlearn runs on one thread;
BLAS/OpenMP pools are pinned to one thread before numpy is imported.

Each run's 80 columns are compared with the committed amlearn_paper80.csv.gz,
so the time is of the same result that crates/features is checked against.

    .venv-amlearn/bin/python crates/features/tests/data/amlearn/time_amlearn.py [--repeats N]

Last line: `<best wall s> <CPU s of that run> <largest |difference| from the reference>`.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import gzip
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_reference as ref  # noqa: E402  (after the thread pinning)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    import numpy as np
    np.float = float  # shim 1, as make_reference.py

    import pandas
    import scipy
    import sklearn
    from amlearn.utils.data import read_lammps_dump
    from amlearn.featurize.pipeline import FeaturizePipeline
    from amlearn.featurize.nearest_neighbor import BaseNN, VoroNN, DistanceNN
    from amlearn.featurize.short_range_order import \
        DistanceInterstice, VolumeAreaInterstice
    from amlearn.featurize.medium_range_order import MRO

    BaseNN.output_path = None  # shim 2, as make_reference.py

    with gzip.open(ref.FEATURES, "rt") as f:
        header = f.readline().strip().split(",")
        expected = np.loadtxt(f, delimiter=",")
    assert header[1:] == ref.expected_names(), "reference columns"

    work = Path(tempfile.mkdtemp(prefix="amlearn-time-"))
    try:
        plain = work / "glass.dump"
        with gzip.open(ref.GLASS, "rb") as f:
            plain.write_bytes(f.read())
        structure, bds = read_lammps_dump(str(plain))
        n = len(structure)
        assert list(structure["id"]) == list(range(1, n + 1))
        assert np.array_equal(expected[:, 0], np.arange(1, n + 1))

        best, best_cpu, worst = float("inf"), float("nan"), 0.0
        for k in range(max(args.repeats, 1)):
            output_path = str(work / f"amlearn-output-{k}")
            featurizers = [
                VoroNN(bds=bds, cutoff=5.0, output_path=output_path),
                DistanceNN(bds=bds, cutoff=4.0, output_path=output_path),
                DistanceInterstice(atomic_number_list=ref.ATOMIC_NUMBERS,
                                   dependent_class="voro", stat_ops=ref.STAT_OPS,
                                   output_path=output_path),
                DistanceInterstice(atomic_number_list=ref.ATOMIC_NUMBERS,
                                   dependent_class="dist", stat_ops=ref.STAT_OPS,
                                   output_path=output_path),
                VolumeAreaInterstice(atomic_number_list=ref.ATOMIC_NUMBERS,
                                     stat_ops=ref.STAT_OPS, output_path=output_path),
                MRO(stats_types=[0, 1, 1, 1, 1, 0], output_path=output_path),
            ]
            pipeline = FeaturizePipeline(featurizers=featurizers, output_path=output_path)
            t0, c0 = time.perf_counter(), time.process_time()
            features = pipeline.fit_transform(X=structure, bds=bds, lammps_df=structure)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0

            if list(features.columns) != ref.expected_names():
                sys.exit("amlearn's columns differ from the reference's")
            values = features.to_numpy(dtype=float)
            diff = np.abs(values - expected[:, 1:])
            if values.shape != (n, 80) or not np.all(diff <= 1e-8):
                sys.exit(f"run {k}: amlearn differs from amlearn_paper80.csv.gz "
                         f"by up to {np.nanmax(diff)}")
            worst = max(worst, float(diff.max()))
            print(f"run {k}: wall {wall:.2f} s, cpu {cpu:.2f} s", flush=True)
            if wall < best:
                best, best_cpu = wall, cpu
    finally:
        shutil.rmtree(work)

    print(f"amlearn 0.3.4 on {n} atoms; Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    print(f"{best:.6f} {best_cpu:.6f} {worst:.3e}")


if __name__ == "__main__":
    main()
