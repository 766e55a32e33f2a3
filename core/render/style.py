"""How a part is looked at (Camera) and drawn (RenderStyle), with the presets the project uses."""

from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Camera:
    """Where the eye is, as a direction from the part's centre, and how the image is framed.

    The benchmark's renders are orthographic isometric views from (1, -1, 1) with Z up: the X axis
    runs to the lower right, Y to the upper right. ``margin`` is the share of the image left free
    on each side of the part's projected bounding box.
    """

    direction: tuple[float, float, float] = (1.0, -1.0, 1.0)
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    perspective: bool = False
    fov_degrees: float = 30.0  # vertical field of view for perspective cameras
    margin: float = 0.05


@dataclass(frozen=True)
class RenderStyle:
    """Colours and quality. ``light`` None means flat colour, as in the benchmark renders."""

    size: int = 448
    background: RGB = (255, 255, 255)
    background_bottom: RGB | None = None  # set for a vertical gradient (FreeCAD's viewport)
    face: RGB = (141, 141, 138)
    light: tuple[float, float, float] | None = None  # direction towards the light, camera space
    ambient: float = 0.35
    edge: RGB | None = (0, 0, 0)
    edge_width: float = 1.0  # pixels in the final image
    supersample: int = 2
    extra: dict = field(default_factory=dict, compare=False)


STYLE_BENCHMARK = RenderStyle()
# FreeCAD 0.20's default: a light grey part lit from the viewer, on a blue-grey to white gradient.
STYLE_FREECAD = RenderStyle(
    background=(151, 163, 189),
    background_bottom=(255, 255, 255),
    face=(204, 204, 204),
    light=(0.3, 0.4, 1.0),
    ambient=0.3,
    edge=(25, 25, 25),
)
