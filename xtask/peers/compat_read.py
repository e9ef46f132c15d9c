"""Reads files interstice wrote with OVITO and ASE and compares them with the
source each was converted from (`cargo xtask compat`).

Arguments: pairs OURS=SOURCE. For each pair:
- OVITO imports both; plain Voronoi volumes per atom id agree to 1e-9 Å³;
- ASE reads both; cell lengths and angles agree to 1e-9, and fractional
  positions (wrapped, by atom id, up to one rigid shift) to 1e-9.
A format the reader itself does not support for LAMMPS' own files is
reported as such (with the version), not counted as a failure.
Exit status 1 if any comparison fails.
"""
import gzip, io, sys

import numpy as np
import ase, ase.io
import ovito
from ovito.io import import_file
from ovito.modifiers import VoronoiAnalysisModifier

TOL = 1e-9


def ovito_volumes(path):
    p = import_file(path)
    p.modifiers.append(VoronoiAnalysisModifier(compute_indices=False))
    d = p.compute()
    ids = np.asarray(d.particles["Particle Identifier"])
    vol = np.asarray(d.particles["Atomic Volume"])
    return dict(zip(ids.tolist(), vol.tolist()))


def ase_read(path):
    name = path[:-3] if path.endswith(".gz") else path
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        text = f.read()
    if name.endswith(".xyz") or name.endswith(".extxyz"):
        atoms = ase.io.read(io.StringIO(text), format="extxyz")
        ids = atoms.arrays.get("id", np.arange(1, len(atoms) + 1))
    elif name.endswith(".data"):
        style = "full" if "# full" in text else "charge" if "# charge" in text else "atomic"
        atoms = ase.io.read(io.StringIO(text), format="lammps-data", atom_style=style, units="metal")
        ids = atoms.arrays.get("id", np.arange(1, len(atoms) + 1))
    else:
        atoms = ase.io.read(io.StringIO(text), format="lammps-dump-text")
        ids = np.arange(1, len(atoms) + 1)  # ASE sorts dump atoms by id
    order = np.argsort(ids)
    frac = atoms.get_scaled_positions(wrap=True)[order]
    return atoms.cell.cellpar(), frac


def frac_difference(a, b):
    """Largest difference of fractional positions up to one rigid shift of
    all atoms: readers place the origin differently (ASE puts the atoms of a
    general-triclinic dump relative to 0, of a restricted one relative to
    lo), which moves a periodic system without changing it."""
    d = a - b
    d -= np.round(d)  # 0.999999 and 0.000001 are neighbours
    d -= np.median(d, axis=0)
    d -= np.round(d)
    return float(np.abs(d).max())


failures, unsupported = [], []
for pair in sys.argv[1:]:
    ours, source = pair.split("=")
    try:
        a, b = ovito_volumes(ours), ovito_volumes(source)
        assert a.keys() == b.keys(), "atom ids differ"
        d = max(abs(a[k] - b[k]) for k in a)
        print(f"OVITO {ovito.version_string}  {ours}: volumes within {d:.1e}")
        if d > TOL:
            failures.append(f"OVITO {ours}: volumes differ by {d:.3e}")
    except Exception as e:  # noqa: BLE001 (a reader error is a finding)
        failures.append(f"OVITO cannot read {ours}: {e}")
    try:
        (ca, fa), (cb, fb) = ase_read(ours), ase_read(source)
        dc, df = float(np.abs(ca - cb).max()), frac_difference(fa, fb)
        print(f"ASE {ase.__version__}  {ours}: cell within {dc:.1e}, fractions within {df:.1e}")
        if dc > TOL or df > TOL:
            failures.append(f"ASE {ours}: cell differs by {dc:.3e}, fractions by {df:.3e}")
    except Exception as e:  # noqa: BLE001
        try:
            ase_read(source)
            failures.append(f"ASE cannot read {ours}: {e}")
        except Exception:  # ASE cannot read the tool's own file of this kind either
            unsupported.append(f"ASE {ase.__version__} reads neither {ours} nor LAMMPS' own {source}: {e}")
for u in unsupported:
    print("not supported by the reader:", u)
for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
