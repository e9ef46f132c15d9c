"""Parquet tables written by other tools, for interstice-io's reader.

Run with pandas 3.1.1 and pyarrow 26.0.1 (the versions that wrote the
committed files): `python make.py`. Values are exact binary fractions and
a few awkward doubles, so the test can compare bit for bit.
"""
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ids = np.array([7, 3, 11, 2**40 + 1], dtype=np.int64)
a = np.array([0.5, -2.25, 1e-300, np.finfo(np.float64).max])
b = np.array([1 / 3, -0.0, 6.02214076e23, 2.0**-1074])

# pandas' defaults: snappy pages, int64 ids, the index stored as metadata.
pd.DataFrame({"id": ids, "type": np.array([1, 2, 1, 2], dtype=np.uint32),
              "element": ["Cu", "Zr", "Cu", "Zr"], "a": a, "b": b}).to_parquet(
    "pandas.parquet", index=False)

# pyarrow with nullable columns (no nulls), uint64 ids, zstd, two row groups.
table = pa.table({"id": pa.array(ids.astype(np.uint64)), "a": pa.array(a), "b": pa.array(b)})
pq.write_table(table, "pyarrow.parquet", compression="zstd", row_group_size=2)

# A missing value: must be refused, never read as a number.
pq.write_table(pa.table({"id": pa.array([1, 2], pa.int64()), "a": pa.array([1.0, None])}),
               "null.parquet")
