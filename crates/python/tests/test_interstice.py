"""The Python package against the command line on the bundled fixtures.

Run from the repository root after `pip install ./crates/python`:
`pytest crates/python/tests`. The `interstice` binary is
target/release/interstice (or $INTERSTICE_BIN); `cargo build --release
-p interstice` makes it.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import interstice

ROOT = Path(__file__).resolve().parents[3]
GLASS = ROOT / "fixtures" / "cuzr65-4000"
REF = GLASS / "frame_000.dump.gz"
SHEARED = GLASS / "frame_040.dump.gz"
TYPES = {1: "Cu", 2: "Zr"}
BIN = Path(os.environ.get("INTERSTICE_BIN", ROOT / "target" / "release" / "interstice"))


def cli(*args: str) -> str:
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: cargo build --release -p interstice")
    out = subprocess.run([str(BIN), *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def read_csv(path: Path) -> dict:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {name: [r[k] for r in body] for k, name in enumerate(header)}


@pytest.fixture(scope="module")
def frame():
    return interstice.read_dump(REF, types=TYPES)


def test_read_dump_arrays(frame):
    assert len(frame) == 4000
    assert frame.positions.shape == (4000, 3)
    assert frame.positions.dtype == np.float64
    assert frame.ids.shape == (4000,)
    assert set(np.unique(frame.types)) == {1, 2}
    assert frame.cell.shape == (3, 3)
    assert frame.elements == {1: "Cu", 2: "Zr"}
    assert frame.pbc == [True, True, True]
    # The text form of the map works too.
    g = interstice.read_dump(REF, types="1=Cu,2=Zr")
    assert np.array_equal(g.positions, frame.positions)


def test_frame_arrays_are_read_only_views_without_copies():
    f = interstice.read_dump(REF, types=TYPES)
    for name in ("positions", "ids", "types"):
        a, b = getattr(f, name), getattr(f, name)
        # Two reads view the same memory, the frame's own: nothing copied.
        assert np.shares_memory(a, b), name
        assert a.base is not None and not a.flags.owndata, name
        assert not a.flags.writeable, name
        with pytest.raises(ValueError):
            a[0] = 0
    # The view keeps the frame alive after the last Python name for it goes.
    pos = f.positions
    first = pos[0].copy()
    del f
    import gc

    gc.collect()
    assert np.array_equal(pos[0], first)
    # A copy is an ordinary writable array.
    c = pos.copy()
    c[0] = 0.0
    assert c.flags.writeable


@pytest.mark.parametrize("preset,width", [("paper80", 80), ("sf166", 166)])
def test_featurize_equals_the_cli_bit_for_bit(frame, preset, width, tmp_path):
    out = tmp_path / f"{preset}.csv"
    cli("featurize", str(REF), "--types", "1=Cu,2=Zr", "--preset", preset, "--out", str(out))
    want = read_csv(out)
    df = interstice.featurize(frame, preset)
    assert df.shape == (4000, width)
    assert df.index.name == "id"
    assert list(df.columns) == [c for c in want if c != "id"]
    assert np.array_equal(df.index.to_numpy(), np.array(want["id"], dtype=np.uint64))
    for c in df.columns:
        assert np.array_equal(df[c].to_numpy(), np.array(want[c], dtype=np.float64)), c


def test_the_cli_parquet_table_reads_in_pandas_and_pyarrow(frame, tmp_path):
    # interstice-io writes Parquet without Arrow; pandas (pyarrow engine)
    # reads it with the dtypes and bits of the table.
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "paper80.parquet"
    cli("featurize", str(REF), "--types", "1=Cu,2=Zr", "--out", str(out))
    got = pd.read_parquet(out)
    assert got["id"].dtype == np.uint64
    df = interstice.featurize(frame)
    assert np.array_equal(got["id"].to_numpy(), df.index.to_numpy())
    for c in df.columns:
        assert np.array_equal(got[c].to_numpy(), df[c].to_numpy()), c
    assert b"interstice:content_fnv1a64" in pq.read_metadata(out).metadata


def test_featurize_block_by_block_gives_the_same_bits(frame):
    whole = interstice.featurize(frame)
    blocks = interstice.featurize(frame, block_atoms=500)
    assert whole.columns.tolist() == blocks.columns.tolist()
    assert np.array_equal(whole.index.to_numpy(), blocks.index.to_numpy())
    assert np.array_equal(whole.to_numpy(), blocks.to_numpy())
    with pytest.raises(ValueError, match="block_atoms"):
        interstice.featurize(frame, block_atoms=0)


def test_a_partitioned_table_reads_in_pandas_as_one_table(frame, tmp_path):
    # `--distributed` writes a folder of Parquet parts and a manifest;
    # pandas (pyarrow's dataset reader) reads it as one table, the rows of
    # the single-process table.
    import pandas as pd

    out = tmp_path / "features"
    cli("featurize", str(REF), "--types", "1=Cu,2=Zr", "--distributed", "--out", str(out))
    got = pd.read_parquet(out).set_index("id").sort_index()
    df = interstice.featurize(frame).sort_index()
    assert np.array_equal(got.index.to_numpy(), df.index.to_numpy())
    for c in df.columns:
        assert np.array_equal(got[c].to_numpy(), df[c].to_numpy()), c


def test_featurize_into_arrow_and_numpy_without_copies(frame):
    # The extension hands back one column-major array; pandas keeps it as
    # its block and pyarrow wraps each column, so neither copies.
    import pyarrow as pa

    columns, ids, values = interstice.featurize(frame, output="numpy")
    assert values.shape == (4000, 80) and values.flags.f_contiguous
    df = interstice.featurize(frame)
    assert np.array_equal(df.to_numpy(), values)
    t = interstice.featurize(frame, output="arrow")
    assert isinstance(t, pa.Table)
    assert t.column_names == ["id"] + list(columns) == ["id"] + list(df.columns)
    assert t.schema.field("id").type == pa.uint64()
    assert np.array_equal(t.column("id").to_numpy(), df.index.to_numpy())
    for c in df.columns:
        assert np.array_equal(t.column(c).to_numpy(), df[c].to_numpy()), c
    # Zero copy: the Arrow columns are consecutive runs of one column-major
    # block (copies would be separate allocations).
    address = [t.column(c).chunk(0).buffers()[1].address for c in columns]
    assert all(b - a == 4000 * 8 for a, b in zip(address, address[1:]))
    # Training and prediction take an Arrow table as they take a DataFrame.
    labels = interstice.d2min(frame, interstice.read_dump(SHEARED, types=TYPES))["plastic"]
    a = interstice.train(t, labels, trees=5)
    b = interstice.train(df, labels, trees=5)
    assert np.array_equal(interstice.predict(a, df), interstice.predict(b, t))
    with pytest.raises(ValueError, match="output 'polars'"):
        interstice.featurize(frame, output="polars")


def test_d2min_equals_the_cli(frame, tmp_path):
    out = tmp_path / "labels.csv"
    cli("label", str(REF), str(SHEARED), "--cutoff", "5", "--types", "1=Cu,2=Zr", "--out", str(out))
    want = read_csv(out)
    got = interstice.d2min(frame, interstice.read_dump(SHEARED, types=TYPES))
    assert np.array_equal(got["id"], np.array(want["id"], dtype=np.uint64))
    assert np.array_equal(got["d2min"], np.array(want["d2min"], dtype=np.float64))
    assert np.array_equal(got["plastic"], np.array(want["plastic"]) == "1")
    assert got["plastic"].sum() == 200


def test_labels_over_directions_equal_the_cli(tmp_path):
    glass = ROOT / "datasets" / "Cu65Zr35" / "n4000-r1e13" / "seed1"
    runs = [glass / "frame_040.dump.gz"] + sorted(glass.glob("directions/*/frame_040.dump.gz"))
    assert len(runs) == 6
    out = tmp_path / "six.csv"
    cli("label", str(glass / "frame_000.dump.gz"), *map(str, runs), "--cutoff", "5",
        "--types", "1=Cu,2=Zr", "--combine", "rank-mean", "--out", str(out))
    want = read_csv(out)
    ref = interstice.read_dump(glass / "frame_000.dump.gz", types=TYPES)
    got = interstice.label(ref, [interstice.read_dump(p, types=TYPES) for p in runs])
    assert np.array_equal(got["propensity"], np.array(want["propensity"], dtype=np.float64))
    assert np.array_equal(got["plastic"], np.array(want["plastic"]) == "1")
    assert np.array_equal(got["d2min_6"], np.array(want["d2min_6"], dtype=np.float64))
    with pytest.raises(ValueError, match="combine 'mean'"):
        interstice.label(ref, [ref, ref], combine="mean")


def test_voronoi_equals_the_cli_and_fills_the_box(frame, tmp_path):
    out = tmp_path / "v.csv"
    cli("voronoi", str(REF), "--out", str(out))
    want = read_csv(out)
    v = interstice.voronoi(frame)
    assert np.array_equal(v["volume"], np.array(want["volume"], dtype=np.float64))
    assert np.array_equal(v["coordination"], np.array(want["cn"], dtype=np.uint32))
    assert v["index"].shape == (4000, 6)
    volume = abs(np.linalg.det(frame.cell))
    assert abs(v["volume"].sum() / volume - 1) < 1e-9
    # Each face is listed from both sides.
    assert len(v["face_atom"]) == v["coordination"].sum()
    r = interstice.voronoi(frame, radical=True)
    assert abs(r["volume"].sum() / volume - 1) < 1e-9


def test_neighbors_equal_brute_force(frame):
    cutoff = 3.2
    got = interstice.neighbors(frame, cutoff)
    x = frame.positions
    h = frame.cell.T  # columns a, b, c
    inv = np.linalg.inv(h)
    # Minimum image in fractional coordinates (the box is ~40 Å: no atom
    # sees two images of another within the cutoff).
    pairs = set()
    for i in range(len(x)):
        d = x - x[i]
        s = d @ inv.T
        s -= np.round(s)
        r = np.linalg.norm(s @ h.T, axis=1)
        for j in np.nonzero((r < cutoff) & (np.arange(len(x)) != i))[0]:
            pairs.add((i, int(j)))
    assert set(zip(got["i"].tolist(), got["j"].tolist())) == pairs
    assert np.all(got["distance"] < cutoff)
    assert np.allclose(np.linalg.norm(got["vector"], axis=1), got["distance"])


def test_model_round_trips_with_the_cli(frame, tmp_path):
    features = interstice.featurize(frame)
    labels = interstice.d2min(frame, interstice.read_dump(SHEARED, types=TYPES))["plastic"]
    model = interstice.train(features, labels, seed=1, trees=30)
    m = interstice.metrics(model)
    assert len(m["models"]) == 15 and 0.5 < m["summary"]["roc_auc"]["mean"] < 1.0
    qs = interstice.predict(model, features)
    assert qs.shape == (4000,) and np.all((qs >= 0) & (qs <= 1))
    # Python → CLI: the saved model predicts the same softness there.
    path = tmp_path / "model.json"
    model.save(path)
    table = tmp_path / "paper80.csv"
    cli("featurize", str(REF), "--types", "1=Cu,2=Zr", "--out", str(table))
    out = tmp_path / "qs.csv"
    cli("predict", "--model", str(path), "--features", str(table), "--out", str(out))
    assert np.array_equal(np.array(read_csv(out)["qs"], dtype=np.float64), qs)
    # CLI → Python.
    labels_csv = tmp_path / "labels.csv"
    cli("label", str(REF), str(SHEARED), "--cutoff", "5", "--types", "1=Cu,2=Zr", "--out", str(labels_csv))
    cli_model = tmp_path / "cli-model.json"
    cli("train", "--features", str(table), "--labels", str(labels_csv), "--trees", "30",
        "--model", str(cli_model))
    loaded = interstice.Model.load(cli_model)
    assert loaded.features == list(features.columns)
    cli_qs = tmp_path / "cli-qs.csv"
    cli("predict", "--model", str(cli_model), "--features", str(table), "--out", str(cli_qs))
    assert np.array_equal(
        interstice.predict(loaded, features), np.array(read_csv(cli_qs)["qs"], dtype=np.float64)
    )


def test_from_arrays_and_a_rotated_cell(frame):
    # The same glass given as arrays, rotated as a whole: a general cell is
    # turned back into the restricted one, so the features agree.
    theta = 0.3
    rot = np.array(
        [[np.cos(theta), -np.sin(theta), 0.0], [np.sin(theta), np.cos(theta), 0.0], [0, 0, 1.0]]
    )
    origin = np.array(frame.origin)
    cell = frame.cell @ rot.T
    pos = (frame.positions - origin) @ rot.T
    g = interstice.Frame.from_arrays(
        pos, frame.types.astype(np.int64), cell, ids=frame.ids.astype(np.int64), type_map=TYPES
    )
    a = interstice.featurize(frame).to_numpy()
    b = interstice.featurize(g).to_numpy()
    assert np.allclose(a, b, rtol=1e-7, atol=1e-9)
    # Symbols instead of types.
    symbols = np.where(frame.types == 1, "Cu", "Zr").tolist()
    h = interstice.Frame.from_arrays(frame.positions, symbols, frame.cell, origin=frame.origin)
    assert h.elements == {1: "Cu", 2: "Zr"}


def test_from_ase(frame):
    import ase.io

    atoms = ase.io.read(str(REF), format="lammps-dump-text", index=0)
    g = interstice.from_ase(atoms, types=TYPES)
    assert len(g) == 4000
    a = interstice.featurize(frame)
    b = interstice.featurize(g)
    assert np.allclose(a.to_numpy(), b.loc[a.index].to_numpy(), rtol=1e-7, atol=1e-9)


def test_the_ovito_modifier_adds_the_models_softness(frame, tmp_path):
    from ovito.io import import_file

    sys.path.insert(0, str(ROOT / "crates" / "python" / "examples"))
    from ovito_softness import QuenchInSoftness

    features = interstice.featurize(frame)
    labels = interstice.d2min(frame, interstice.read_dump(SHEARED, types=TYPES))["plastic"]
    model = interstice.train(features, labels, trees=20)
    path = tmp_path / "model.json"
    model.save(path)
    pipeline = import_file(str(REF))
    pipeline.modifiers.append(QuenchInSoftness(model_file=str(path), elements=TYPES))
    data = pipeline.compute()
    ids = np.asarray(data.particles.identifiers[...])
    got = np.asarray(data.particles["Quench-in softness"][...])
    want = interstice.predict(model, features)
    order = {i: k for k, i in enumerate(frame.ids.tolist())}
    assert np.allclose(got, want[[order[i] for i in ids.tolist()]], rtol=0, atol=1e-12)


def test_errors_are_python_exceptions(frame):
    with pytest.raises(FileNotFoundError, match="no such file"):
        interstice.read_dump("no/such/file.dump")
    with pytest.raises(ValueError, match="preset 'paper81'"):
        interstice.featurize(frame, "paper81")
    with pytest.raises(ValueError, match="types"):
        interstice.read_dump(REF, types={1: "Xx"})
    with pytest.raises(ValueError, match="cell: expected a 3 × 3 array"):
        interstice.Frame.from_arrays(np.zeros((2, 3)), np.array([1, 1]), np.eye(2))
    nameless = interstice.Frame.from_arrays(
        frame.positions, frame.types.astype(np.int64), frame.cell, origin=frame.origin
    )
    with pytest.raises(ValueError, match="needs the elements"):
        interstice.featurize(nameless)
    with pytest.raises(ValueError, match="cutoff"):
        interstice.d2min(frame, frame, cutoff=-1.0)


def test_results_do_not_depend_on_the_thread_count(tmp_path):
    code = (
        "import sys, numpy as np, interstice; interstice.set_num_threads(int(sys.argv[1])); "
        f"f = interstice.read_dump({str(REF)!r}, types={{1: 'Cu', 2: 'Zr'}}); "
        "np.save(sys.argv[2], interstice.featurize(f).to_numpy())"
    )
    for n in (1, 2):
        subprocess.run([sys.executable, "-c", code, str(n), str(tmp_path / f"{n}.npy")], check=True)
    assert np.array_equal(np.load(tmp_path / "1.npy"), np.load(tmp_path / "2.npy"))


def test_the_readme_example_runs():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## From Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "(4000, 80)" in out.stdout
