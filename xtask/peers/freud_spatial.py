"""freud's AABBQuery neighbour list, timed (`cargo xtask bench-peers spatial`)."""
import sys, time
import numpy as np
import freud
path, L, r, repeats = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
pts = np.fromfile(path, dtype='<f8').reshape(-1, 3) - L / 2
box = freud.box.Box.cube(L)
best, bonds = float('inf'), 0
for _ in range(repeats):
    t = time.perf_counter()
    nl = freud.locality.AABBQuery(box, pts).query(pts, dict(r_max=r, exclude_ii=True)).toNeighborList()
    best = min(best, time.perf_counter() - t)
    bonds = len(nl)
print(f"{best:.6f} {bonds} {freud.__version__}")
