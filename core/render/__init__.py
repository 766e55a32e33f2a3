"""Rendering meshes to images in the benchmark's style (numpy + Pillow; no display, no OCCT).

``render_shape`` tessellates an OCCT/CadQuery shape first and so needs the heavy stack; everything
else works on the plain mesh dict that the sandbox returns.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from core.render.camera import Camera
from core.render.mesh import mesh_arrays
from core.render.render import render_mesh
from core.render.style import STYLE_BENCHMARK, STYLE_FREECAD, RenderStyle


def render_shape(
    shape: Any, *, camera: Camera | None = None, style: RenderStyle | None = None
) -> Image.Image:
    """Tessellate (OCCT) and render a TopoDS_Shape or CadQuery Shape/Workplane."""
    from core.geometry.tessellate import tessellate

    return render_mesh(tessellate(shape), camera=camera, style=style)


__all__ = [
    "STYLE_BENCHMARK",
    "STYLE_FREECAD",
    "Camera",
    "RenderStyle",
    "mesh_arrays",
    "render_mesh",
    "render_shape",
]
