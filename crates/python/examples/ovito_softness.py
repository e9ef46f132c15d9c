"""Quench-in softness as an OVITO modifier.

`QuenchInSoftness` is an OVITO Python modifier (OVITO 3's ModifierInterface):
inserted in any OVITO pipeline, it computes the paper's 80 interstice
features of the current frame with interstice and adds each particle's
quench-in softness (the model's predicted probability of being plastic) as
the particle property "Quench-in softness".

Run as a script, it trains a small model on the bundled 4 000-atom Cu65Zr35
glass (labels: the top 5 % of D²min at 5 % shear), applies the modifier to
the glass in an OVITO pipeline, colours the atoms by softness and renders
an image with OVITO's own (Tachyon) renderer:

    python crates/python/examples/ovito_softness.py [OUT.png]

Needs `pip install ./crates/python ovito`.
"""

import sys
import tempfile
from pathlib import Path

from ovito.io import import_file
from ovito.modifiers import ColorCodingModifier
from ovito.pipeline import ModifierInterface
from ovito.vis import TachyonRenderer, Viewport
from traits.api import Dict, Str

import interstice


class QuenchInSoftness(ModifierInterface):
    """Adds the particle property "Quench-in softness" from a model file
    written by `interstice train --model` or `interstice.Model.save`."""

    model_file = Str(label="Model file")
    # LAMMPS types to elements when the particle types are not named by element.
    elements = Dict(label="Elements of the types", value={})

    def modify(self, data, frame, **kwargs):
        model = interstice.Model.load(self.model_file)
        glass = interstice.from_ovito(data, types=dict(self.elements) or None)
        features = interstice.featurize(glass)
        softness = interstice.predict(model, features)
        # featurize keeps the particles' order, so the rows line up.
        data.particles_.create_property("Quench-in softness", data=softness)


def main(out: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    glass_dir = root / "fixtures" / "cuzr65-4000"
    types = {1: "Cu", 2: "Zr"}
    glass = interstice.read_dump(glass_dir / "frame_000.dump.gz", types=types)
    sheared = interstice.read_dump(glass_dir / "frame_040.dump.gz", types=types)
    features = interstice.featurize(glass)
    model = interstice.train(features, interstice.d2min(glass, sheared)["plastic"], trees=50)
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "model.json"
        model.save(model_file)
        pipeline = import_file(str(glass_dir / "frame_000.dump.gz"))
        pipeline.modifiers.append(QuenchInSoftness(model_file=str(model_file), elements=types))
        pipeline.modifiers.append(
            ColorCodingModifier(property="Quench-in softness", start_value=0.0, end_value=1.0)
        )
        data = pipeline.compute()
        qs = data.particles["Quench-in softness"][...]
        print(f"{len(qs)} atoms, quench-in softness {qs.min():.3f} to {qs.max():.3f}")
        pipeline.add_to_scene()
        viewport = Viewport(type=Viewport.Type.Perspective, camera_dir=(-1, -1, -1))
        viewport.zoom_all()
        viewport.render_image(filename=str(out), size=(640, 480), renderer=TachyonRenderer())
        pipeline.remove_from_scene()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("softness.png"))
