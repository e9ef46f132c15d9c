"""OVITO's AtomicStrainModifier D²min, timed (`cargo xtask bench-peers d2min`)."""
import sys, time
from ovito.io import import_file
from ovito.pipeline import FileSource
from ovito.modifiers import AtomicStrainModifier
import ovito
ref_path, cur_path, cutoff, repeats = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
cols = ['Particle Identifier', 'Particle Type', 'Position.X', 'Position.Y', 'Position.Z']
pipeline = import_file(cur_path, columns=cols)
pipeline.compute()  # parse the deformed frame outside the timing
reference = FileSource()
reference.load(ref_path, columns=cols)
best, mean = float('inf'), 0.0
for _ in range(repeats):
    pipeline.modifiers.clear()
    pipeline.modifiers.append(AtomicStrainModifier(cutoff=cutoff, reference=reference, output_nonaffine_squared_displacements=True, minimum_image_convention=True))
    t = time.perf_counter()
    data = pipeline.compute()
    best = min(best, time.perf_counter() - t)
    mean = float(data.particles['Nonaffine Squared Displacement'][...].mean())
print(f"{best:.6f} {mean:.9f} {ovito.version_string}")
