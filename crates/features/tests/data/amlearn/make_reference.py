#!/usr/bin/env python3
"""amlearn's own 80 interstice features (the paper's preset) on an orthorhombic
Cu65Zr35 glass: the parity oracle for crates/features (see README.md here).

Two steps, each writing files next to this script:

  glass     glass.dump.gz from fixtures/cuzr65-4000/frame_000.dump.gz: tilts set
            to zero with LAMMPS (`change_box ... remap`), then a fixed-box CG
            minimisation. Needs only the standard library, the project's
            .venv/bin/lmp and data/potentials (`cargo xtask md setup`).
  features  amlearn_paper80.csv.gz and amlearn_voro_neighbors.csv.gz from
            glass.dump.gz with amlearn 0.3.4 (run with .venv-amlearn/bin/python).

    python3                    crates/features/tests/data/amlearn/make_reference.py glass
    .venv-amlearn/bin/python   crates/features/tests/data/amlearn/make_reference.py features

The pipeline follows the authors' scripts/featurize_interstice.py from the
amlearn 0.3.4 sdist. Two shims make amlearn 0.3.4 run with numpy 1.26 and
scikit-learn 1.1.3; neither changes a number:
  np.float = float                      (removed from numpy in 1.24)
  BaseNN.output_path = None             (sklearn's get_params reads it; BaseNN
                                         never stores its output_path argument)
"""

import argparse
import gzip
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[4]  # crates/features/tests/data/amlearn -> repository root

FIXTURE = ROOT / "fixtures" / "cuzr65-4000" / "frame_000.dump.gz"
POTENTIAL = ROOT / "data" / "potentials" / "CuZr" / "CuZr_Mendelev_2009.eam.fs"
POTENTIAL_SHA256 = "7871ba1196a490973d8eb941aefba250a3b9db5b772628157fd937a9a5f9ba39"
LMP = ROOT / ".venv" / "bin" / "lmp"

GLASS = HERE / "glass.dump.gz"
FEATURES = HERE / "amlearn_paper80.csv.gz"
NEIGHBORS = HERE / "amlearn_voro_neighbors.csv.gz"

MASSES = {1: 63.546, 2: 91.224}  # Cu, Zr (as xtask/src/md)
ATOMIC_NUMBERS = [29, 40]  # LAMMPS type 1 = Cu, type 2 = Zr
STAT_OPS = ["mean", "std", "min", "max"]


# ---------------------------------------------------------------- helpers

def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_gzip(path, text):
    """gzip with mtime 0 and no file name: the bytes depend only on the text."""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                           compresslevel=9) as gz:
            gz.write(text.encode("ascii"))


def read_dump(path):
    """One frame of a LAMMPS text dump (plain or .gz): (box lines, columns, rows of str)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = f.read().splitlines()
    assert lines[0] == "ITEM: TIMESTEP", path
    n = int(lines[3])
    assert lines[4].startswith("ITEM: BOX BOUNDS"), path
    box = (lines[4], [lines[5].split(), lines[6].split(), lines[7].split()])
    assert lines[8].startswith("ITEM: ATOMS "), path
    cols = lines[8].split()[2:]
    rows = [l.split() for l in lines[9:9 + n]]
    assert len(rows) == n and all(len(r) == len(cols) for r in rows), path
    return box, cols, rows


def f17(x):
    return "%.17g" % x


# ---------------------------------------------------------------- glass

def make_glass(args):
    if sha256(POTENTIAL) != POTENTIAL_SHA256:
        sys.exit(f"{POTENTIAL}: unexpected SHA-256 (run `cargo xtask md setup`)")
    (header, bounds), cols, rows = read_dump(FIXTURE)
    assert header == "ITEM: BOX BOUNDS xy xz yz pp pp pp", header
    assert cols == ["id", "type", "x", "y", "z", "ix", "iy", "iz"], cols
    (xlob, xhib, xy), (ylob, yhib, xz), (zlob, zhib, yz) = \
        [[float(v) for v in b] for b in bounds]
    # LAMMPS dump bounds of a triclinic box are the bounding box: undo that.
    xlo = xlob - min(0.0, xy, xz, xy + xz)
    xhi = xhib - max(0.0, xy, xz, xy + xz)
    ylo = ylob - min(0.0, yz)
    yhi = yhib - max(0.0, yz)
    zlo, zhi = zlob, zhib
    rows.sort(key=lambda r: int(r[0]))
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))

    work = Path(tempfile.mkdtemp(prefix="amlearn-glass-"))
    data = [f"{FIXTURE.name}, frame 0 (coordinates verbatim)", "",
            f"{len(rows)} atoms", "2 atom types", "",
            f"{f17(xlo)} {f17(xhi)} xlo xhi", f"{f17(ylo)} {f17(yhi)} ylo yhi",
            f"{f17(zlo)} {f17(zhi)} zlo zhi", f"{f17(xy)} {f17(xz)} {f17(yz)} xy xz yz", "",
            "Masses", ""] + [f"{t} {m}" for t, m in MASSES.items()] + \
           ["", "Atoms # atomic", ""] + [" ".join(r) for r in rows]
    (work / "fixture.data").write_text("\n".join(data) + "\n")
    script = f"""\
units metal
atom_style atomic
boundary p p p
read_data fixture.data
pair_style eam/fs
pair_coeff * * {POTENTIAL} Cu Zr
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
thermo_style custom step pe press pxx pyy pzz pxy pxz pyz vol fnorm
thermo_modify format float %.10g
run 0
change_box all xy final 0 xz final 0 yz final 0 remap units box
change_box all ortho
min_style cg
thermo 500
minimize 0 1e-8 10000 100000
run 0
write_dump all custom relaxed.dump id type x y z modify sort id format float %.17g
"""
    (work / "in.glass").write_text(script)
    t0 = time.perf_counter()
    subprocess.run([str(LMP), "-in", "in.glass", "-log", "log.lammps", "-screen", "none"],
                   cwd=work, check=True)
    wall = time.perf_counter() - t0
    log = (work / "log.lammps").read_text()

    (header, bounds), cols, rows = read_dump(work / "relaxed.dump")
    assert header == "ITEM: BOX BOUNDS pp pp pp", header
    assert cols == ["id", "type", "x", "y", "z"], cols
    lo = [float(b[0]) for b in bounds]
    hi = [float(b[1]) for b in bounds]
    out = ["ITEM: TIMESTEP", "0", "ITEM: NUMBER OF ATOMS", str(len(rows)),
           "ITEM: BOX BOUNDS pp pp pp"] + [f"{f17(a)} {f17(b)}" for a, b in zip(lo, hi)] + \
          ["ITEM: ATOMS id type x y z"]
    wrapped = 0
    for k, r in enumerate(rows):
        assert int(r[0]) == k + 1
        xyz = [float(v) for v in r[2:5]]
        for d in range(3):  # only atoms outside [lo, hi) move (by one box length)
            if xyz[d] < lo[d]:
                xyz[d] += hi[d] - lo[d]
                wrapped += 1
            elif xyz[d] >= hi[d]:
                xyz[d] -= hi[d] - lo[d]
                wrapped += 1
            assert lo[d] <= xyz[d] < hi[d]
        out.append(f"{r[0]} {r[1]} {f17(xyz[0])} {f17(xyz[1])} {f17(xyz[2])}")
    write_gzip(GLASS, "\n".join(out) + "\n")

    version = re.search(r"^LAMMPS \((.*)\)$", log, re.M)
    print(f"LAMMPS {version.group(1) if version else '?'}; wall {wall:.1f} s")
    loglines = log.splitlines()
    for k, line in enumerate(loglines):
        if line.startswith(("  Stopping criterion", "  Iterations", "  Force two-norm")):
            print(line)
        elif line.startswith("  Energy initial"):
            print(line, loglines[k + 1].strip())
    thermo = [l.split() for l in log.splitlines() if re.match(r"^\s+\d+\s+-?\d", l)]
    if thermo:
        last = thermo[-1]
        n = len(rows)
        print(f"final: pe {float(last[1]) / n:.10f} eV/atom, press {last[2]} bar, "
              f"volume {last[9]} A^3, fnorm {last[10]}")
    print(f"box: " + ", ".join(f"[{f17(a)}, {f17(b)})" for a, b in zip(lo, hi)))
    print(f"{wrapped} coordinates wrapped into the box")
    print(f"{GLASS.name}: {len(rows)} atoms, {GLASS.stat().st_size} bytes, "
          f"sha256 {sha256(GLASS)}")
    shutil.rmtree(work)


# ---------------------------------------------------------------- features

def expected_names():
    """SPEC.md §4: 16 short-range columns, then 64 MRO columns."""
    short = [f"Dist_interstice_{s}_voro" for s in STAT_OPS] + \
            [f"Dist_interstice_{s}_dist" for s in STAT_OPS] + \
            [f"Volume_interstice_{s}_voro" for s in STAT_OPS] + \
            [f"Area_interstice_{s}_voro" for s in STAT_OPS]
    mro = [f"MRO_{m}_{f}" for tag in ("_voro", "_dist")
           for f in short if f.endswith(tag) for m in STAT_OPS]
    return short + mro


def make_features(args):
    import numpy as np
    np.float = float  # shim 1: amlearn 0.3.4 uses np.float (removed in numpy 1.24)

    import amlearn
    import pandas
    import scipy
    import sklearn
    from amlearn.utils.data import read_lammps_dump
    from amlearn.featurize.pipeline import FeaturizePipeline
    from amlearn.featurize.nearest_neighbor import BaseNN, VoroNN, DistanceNN
    from amlearn.featurize.short_range_order import \
        DistanceInterstice, VolumeAreaInterstice
    from amlearn.featurize.medium_range_order import MRO

    BaseNN.output_path = None  # shim 2: read by sklearn's get_params, never stored

    work = Path(tempfile.mkdtemp(prefix="amlearn-features-"))
    # amlearn's own reader (plain text only): decompress first.
    plain = work / "glass.dump"
    with gzip.open(GLASS, "rb") as f:
        plain.write_bytes(f.read())
    structure, bds = read_lammps_dump(str(plain))
    n = len(structure)
    # amlearn's Fortran returns row positions (1-based) that the Python uses as ids.
    assert list(structure["id"]) == list(range(1, n + 1))
    assert list(structure.index) == list(range(1, n + 1))
    print(f"{n} atoms, bds {bds}")

    output_path = str(work / "amlearn-output")  # amlearn's pickles and log go here

    voro_nn = VoroNN(bds=bds, cutoff=5.0, output_path=output_path)
    captured = {}
    voro_transform = voro_nn.transform

    def capture_voro(X=None):  # keep the neighbour lists amlearn uses downstream
        df = voro_transform(X)
        captured["voro"] = df
        return df

    voro_nn.transform = capture_voro

    featurizers = [
        # neighbouring analysis
        voro_nn,
        DistanceNN(bds=bds, cutoff=4.0, output_path=output_path),
        # distance interstice
        DistanceInterstice(atomic_number_list=ATOMIC_NUMBERS, dependent_class="voro",
                           stat_ops=STAT_OPS, output_path=output_path),
        DistanceInterstice(atomic_number_list=ATOMIC_NUMBERS, dependent_class="dist",
                           stat_ops=STAT_OPS, output_path=output_path),
        # area and volume interstice
        VolumeAreaInterstice(atomic_number_list=ATOMIC_NUMBERS, stat_ops=STAT_OPS,
                             output_path=output_path),
        # from SRO to MRO
        MRO(stats_types=[0, 1, 1, 1, 1, 0], output_path=output_path),
    ]
    pipeline = FeaturizePipeline(featurizers=featurizers, output_path=output_path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    features = pipeline.fit_transform(X=structure, bds=bds, lammps_df=structure)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0

    # sanity checks
    names = list(features.columns)
    if names != expected_names():
        sys.exit("column names differ from SPEC.md §4:\n" + "\n".join(
            f"{a} | {b}" for a, b in zip(names, expected_names()) if a != b)
            + f"\n({len(names)} columns)")
    assert len(names) == 80
    assert list(features.index) == list(range(1, n + 1))
    values = features.to_numpy(dtype=float)
    assert values.shape == (n, 80)
    voro = captured["voro"]
    assert list(voro.index) == list(range(1, n + 1))

    lines = ["id," + ",".join(names)]
    for atom_id, row in zip(features.index, values):
        lines.append(str(int(atom_id)) + "," + ",".join(repr(float(v)) for v in row))
    write_gzip(FEATURES, "\n".join(lines) + "\n")

    lines = ["id,neighbors"]
    counts = []
    for atom_id, num, ids in zip(voro.index, voro["neighbor_num_voro"],
                                 voro["neighbor_ids_voro"]):
        ids = [int(j) for j in ids]
        assert len(ids) == int(num) and all(1 <= j <= n for j in ids)
        counts.append(len(ids))
        lines.append(f"{int(atom_id)}," + " ".join(str(j) for j in ids))
    write_gzip(NEIGHBORS, "\n".join(lines) + "\n")

    nan = np.isnan(values)
    print(f"amlearn {amlearn.__version__ if hasattr(amlearn, '__version__') else '0.3.4'}; "
          f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")
    print(f"pipeline: wall {wall:.1f} s, cpu {cpu:.1f} s for {n} atoms")
    print(f"NaN: {int(nan.sum())} values in {int(nan.any(axis=1).sum())} atoms; "
          f"columns with NaN: {[c for c, m in zip(names, nan.any(axis=0)) if m]}")
    print(f"Voronoi CN after the small-face filter: min {min(counts)}, max {max(counts)}, "
          f"mean {sum(counts) / n:.4f}; atoms with < 4: {sum(c < 4 for c in counts)}")
    zero_vol = int((values[:, names.index('Volume_interstice_min_voro')] == 0).sum())
    zero_area = int((values[:, names.index('Area_interstice_min_voro')] == 0).sum())
    print(f"atoms whose min volume / area interstice is clamped to 0: {zero_vol} / {zero_area}")
    for p in (FEATURES, NEIGHBORS):
        print(f"{p.name}: {p.stat().st_size} bytes, sha256 {sha256(p)}")
    shutil.rmtree(work)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["glass", "features"])
    args = parser.parse_args()
    {"glass": make_glass, "features": make_features}[args.step](args)


if __name__ == "__main__":
    main()
