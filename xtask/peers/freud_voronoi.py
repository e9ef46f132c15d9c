"""freud's Voronoi (voro++), timed (`cargo xtask bench-peers geometry`)."""
import sys, time
import numpy as np
import freud
path, L, repeats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
freud.parallel.set_num_threads(1)
pts = np.fromfile(path, dtype='<f8').reshape(-1, 3) - L / 2
box = freud.box.Box.cube(L)
best, volume, faces = float('inf'), 0.0, 0
for _ in range(repeats):
    t = time.perf_counter()
    v = freud.locality.Voronoi().compute((box, pts))
    best = min(best, time.perf_counter() - t)
    volume, faces = float(np.sum(v.volumes, dtype=np.float64)), len(v.nlist)
print(f"{best:.6f} {volume:.9f} {faces} {freud.__version__}")
