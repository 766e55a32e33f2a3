"""How a part is drawn (RenderStyle): colours, light, edges, quality, and the project's presets."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class RenderStyle:
    """``light`` is the direction towards the light in camera space (x right, y up, z towards the
    eye); None draws every face in the flat ``face`` colour. Shading works in linear light:
    face^gamma x (ambient + diffuse x cos) + specular x cos(halfway)^shininess, then back to
    gamma space (see core.render.shading). ``ambient`` is one intensity or one per channel.
    ``supersample`` > 1 renders larger and reduces (anti-aliasing); the benchmark's pictures have
    none, hence 1 there."""

    size: int = 448
    background: RGB = (255, 255, 255)
    background_bottom: RGB | None = None  # set for a vertical gradient (FreeCAD's viewport)
    face: RGB = (163, 163, 163)
    light: tuple[float, float, float] | None = (0.0, 0.0, 1.0)
    ambient: float | tuple[float, float, float] = (0.15, 0.15, 0.116)
    diffuse: float = 1.0
    specular: float = 0.0
    shininess: float = 20.0
    gamma: float = 2.2
    edge: RGB | None = (0, 0, 0)
    edge_width: float = 1.0  # pixels in the final image
    supersample: int = 1
    cull_back_faces: bool = True  # closed solids: only outward faces towards the eye can show


# The GenCAD-Code renders: headlight grey (box faces (141, 141, 138)), 1-pixel black lines, white,
# no anti-aliasing; with Camera() it reproduces 99% of the test pictures' pixels (tests/render).
STYLE_BENCHMARK = RenderStyle()
# FreeCAD 0.20's default: a light grey part lit from the viewer, on a blue-grey to white gradient.
STYLE_FREECAD = RenderStyle(
    background=(151, 163, 189),
    background_bottom=(255, 255, 255),
    face=(204, 204, 204),
    light=(0.3, 0.4, 1.0),
    ambient=0.3,
    diffuse=0.7,
    specular=0.15,
    edge=(25, 25, 25),
    supersample=2,
)
