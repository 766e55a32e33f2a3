"""Picture-grounded reconstruction: CadQuery programs read off the picture itself.

The benchmark's parts are mostly sketch-and-extrude prisms seen from a fixed isometric camera, so
the end face of the dominant extrusion can be read from the picture, mapped back onto its sketch
plane, fitted with lines, arcs and circles, and extruded by the depth the side faces show
(``recover``); ``emit`` writes it as concise CadQuery with named dimensions. The pipeline runs
these next to the model's candidates and ranks all of them by render-and-compare. A recovered
``Prism`` is an extrusion of the project's one program IR (``core.program.part_ir``), so a grounded
part can also go through that IR's emitters and native conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from core.grounding.emit import emit_part, emit_prism
from core.grounding.recover import recover, recover_parts, recover_readings
from core.grounding.sketch import Prism
from core.render.camera import Camera
from core.render.camera_search import estimate_camera
from core.render.normalise import is_benchmark_style, is_snapshot
from core.render.normalise import normalise as normalise_picture

# What a reading that rests on a contact the picture does not show (a boss slid along the line of
# sight until it meets the body) must explain beyond the others, in render-and-compare score: where
# it matches only as well, the picture gives no reason for the material it hides (a channel read
# as a wall and the channel slid against it, 0.77 -> 0.08 IoU, by 0.005 of match).
ASSUMED_MARGIN = 0.01


@dataclass(frozen=True)
class GroundedProgram:
    code: str
    prisms: tuple[Prism, ...]
    assumed: bool = False  # rests on a contact the picture does not show

    @property
    def prior(self) -> float:
        """The score margin the pipeline's ranking holds against this program."""
        return ASSUMED_MARGIN if self.assumed else 0.0

    @property
    def prism(self) -> Prism:
        """The body: the first extrusion."""
        return self.prisms[0]


def grounded_programs(picture: Image.Image, top: int = 3, normalise: bool = True) -> list[GroundedProgram]:
    """Up to ``top`` programs, best silhouette explanation first; none when nothing in the picture
    reads as a prism (an empty or unreadable image). Never raises for odd pictures. With
    ``normalise``, a picture in another style (FreeCAD snapshot, photo) is redrawn in the
    benchmark's look first and read through the camera estimated from its edges."""
    picture = picture.convert("RGB")
    camera = None
    try:
        if normalise and not is_benchmark_style(picture):
            camera = estimate_camera(picture)
            # A snapshot from the isometric view is read as drawn (see is_snapshot); photos and
            # turned views through the redrawn picture and the estimated camera.
            if camera != Camera() or not is_snapshot(picture):
                picture = normalise_picture(picture)
        readings = recover_readings(picture, top=top, camera=camera)
    except (ValueError, IndexError, FloatingPointError, ZeroDivisionError, MemoryError):
        return []
    return [GroundedProgram(emit_part(list(p)), p, assumed) for p, assumed in readings]


__all__ = [
    "GroundedProgram",
    "Prism",
    "emit_part",
    "emit_prism",
    "grounded_programs",
    "recover",
    "recover_parts",
    "recover_readings",
]
