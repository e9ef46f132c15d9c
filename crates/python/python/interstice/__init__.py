"""interstice: where a metallic glass will deform plastically, from its
quenched structure alone (Wang & Jain, Nat. Commun. 10, 5537, 2019).

The Rust library as a Python package: read LAMMPS files, find neighbours
and the Voronoi tessellation of periodic (triclinic) boxes, compute the 80
interstice features (and the 166 symmetry functions and a classical
catalogue), label plastic atoms by D²min, train the paper's gradient-boosted
trees and predict a per-atom quench-in softness.

>>> import interstice
>>> f = interstice.read_dump("fixtures/cuzr65-4000/frame_000.dump.gz", types={1: "Cu", 2: "Zr"})
>>> interstice.featurize(f).shape
(4000, 80)

Every long call releases the GIL and uses all cores; errors are the usual
Python exceptions (FileNotFoundError, ValueError with the message the
command line prints).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

import numpy as np

from . import _interstice as _ext
from ._interstice import (
    Frame,
    Model,
    __version__,
    d2min,
    label,
    neighbors,
    read_dump,
    set_num_threads,
    voronoi,
)

__all__ = [
    "Frame",
    "Model",
    "__version__",
    "d2min",
    "featurize",
    "from_ase",
    "from_ovito",
    "label",
    "neighbors",
    "predict",
    "read_dump",
    "run",
    "set_num_threads",
    "train",
    "voronoi",
]


def featurize(
    frame: Frame, preset: str = "paper80", output: str = "pandas", block_atoms: int = 200_000
):
    """The features of `preset` ("paper80", "sf166", "classical" or "all")
    of every atom of `frame`, with the same column names as the Parquet
    tables of `interstice featurize`. `paper80` of a frame larger than
    `block_atoms` is computed block by block: the same numbers, with one
    block's tessellation in memory instead of the whole frame's.

    `output` chooses the container:

    - "pandas" (the default): a DataFrame indexed by atom id (the index is
      named "id");
    - "arrow": a pyarrow Table with an "id" column first, every column
      wrapping the computed numbers without a copy;
    - "numpy": a tuple `(columns, ids, values)` with `values` N × columns
      in column-major (Fortran) order.
    """
    if output not in ("pandas", "arrow", "numpy"):
        raise ValueError(f"output '{output}': expected pandas, arrow or numpy")
    columns, ids, values = _ext.featurize(frame, preset, block_atoms)
    if output == "numpy":
        return columns, ids, values
    if output == "arrow":
        try:
            import pyarrow as pa
        except ImportError as e:
            raise ImportError("featurize(output='arrow') needs pyarrow (pip install pyarrow)") from e

        arrays = [pa.array(ids)] + [pa.array(values[:, j]) for j in range(values.shape[1])]
        return pa.Table.from_arrays(arrays, names=["id"] + list(columns))
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError(
            "featurize(output='pandas') needs pandas (pip install pandas), or pass output='numpy'"
        ) from e
    return pd.DataFrame(values, columns=columns, index=pd.Index(ids, name="id"), copy=False)


def _table(features) -> tuple:
    """(values, columns) of a DataFrame, a pyarrow Table (its "id" column
    left out) or a (columns, ids, values) tuple."""
    if isinstance(features, tuple):
        columns, _ids, values = features
        return np.ascontiguousarray(values, dtype=np.float64), list(columns)
    if hasattr(features, "column_names") and hasattr(features, "num_rows"):
        columns = [c for c in features.column_names if c != "id"]
        values = np.empty((features.num_rows, len(columns)), dtype=np.float64)
        for j, c in enumerate(columns):
            values[:, j] = features.column(c).to_numpy()
        return values, columns
    return (
        np.ascontiguousarray(features.to_numpy(dtype=np.float64)),
        [str(c) for c in features.columns],
    )


def train(features, labels, seed: int = 0, trees: int = 300) -> Model:
    """The paper's protocol (3 balanced undersamplings × 5 folds of
    300-tree boosting) on a feature table (DataFrame, or the tuple of
    `featurize(..., output="numpy")`) and one 0/1 label per row.

    The returned Model predicts quench-in softness (`predict`), saves
    itself for the command line (`Model.save`), and carries the protocol's
    metrics (`metrics(model)`).
    """
    values, columns = _table(features)
    y = np.ascontiguousarray(np.asarray(labels).astype(bool))
    return _ext.train(values, columns, y, seed=seed, trees=trees)


def predict(model: Model, features) -> np.ndarray:
    """Quench-in softness of every row of a feature table (its columns must
    be the model's, in order)."""
    values, columns = _table(features)
    return model.softness(values, columns)


def metrics(model: Model) -> Optional[Dict[str, Any]]:
    """The protocol's metrics of a model trained in Python (as in
    `metrics.json`), or None for a model read from a file."""
    text = model.metrics_json
    return None if text is None else json.loads(text)


def run(config: Union[str, "os.PathLike[str]"]) -> Dict[str, Any]:
    """Runs a pipeline configuration (`interstice run CONFIG.toml`) and
    returns its results: the base scores of both protocols and every
    transfer test."""
    return json.loads(_ext.run_config(config))


def from_ase(atoms, types: Optional[Dict[int, str]] = None) -> Frame:
    """A Frame from an `ase.Atoms`: its positions, cell (any orientation),
    periodicity and chemical symbols (or, with `types`, its integer
    `type` array from a LAMMPS file read by ASE)."""
    cell = np.asarray(atoms.get_cell()[:], dtype=np.float64)
    positions = np.ascontiguousarray(atoms.get_positions(), dtype=np.float64)
    pbc = tuple(bool(x) for x in atoms.get_pbc())
    if types is not None:
        # A LAMMPS file read by ASE: its types (ASE keeps them as atomic
        # numbers when the file names no elements).
        kinds = np.ascontiguousarray(atoms.arrays.get("type", atoms.numbers), dtype=np.int64)
        type_map = types
    else:
        kinds = list(atoms.get_chemical_symbols())
        type_map = None
    ids = None
    if "id" in atoms.arrays:
        ids = np.ascontiguousarray(atoms.arrays["id"], dtype=np.int64)
    return Frame.from_arrays(positions, kinds, cell, None, pbc, ids, type_map)


def from_ovito(data, types: Optional[Dict[int, str]] = None) -> Frame:
    """A Frame from an OVITO `DataCollection` (the `data` of a pipeline or
    a Python modifier): particle positions, identifiers, types (named by
    the particle types' names when they are elements, else by `types`)
    and the simulation cell."""
    particles = data.particles
    positions = np.ascontiguousarray(particles.positions[...], dtype=np.float64)
    cell_matrix = np.asarray(data.cell[...], dtype=np.float64)
    cell = np.ascontiguousarray(cell_matrix[:, :3].T)
    origin = tuple(float(x) for x in cell_matrix[:, 3])
    pbc = tuple(bool(x) for x in data.cell.pbc)
    kinds = np.ascontiguousarray(particles.particle_types[...], dtype=np.int64)
    type_map = types
    if type_map is None:
        names = {t.id: t.name for t in particles.particle_types.types}
        # Named by element (a file with an element column); LAMMPS dumps
        # without one name their types "1", "2", …: then `types` is needed.
        if names and all(n.isalpha() for n in names.values()):
            type_map = names
    ids = None
    if "Particle Identifier" in particles:
        ids = np.ascontiguousarray(particles.identifiers[...], dtype=np.int64)
    return Frame.from_arrays(positions, kinds, cell, origin, pbc, ids, type_map)
