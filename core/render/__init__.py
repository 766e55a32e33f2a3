"""Rendering meshes to images in the benchmark's style (numpy + Pillow; no display, no OCCT).

``render_shape`` tessellates an OCCT/CadQuery shape first and so needs the heavy stack; everything
else works on the plain mesh dict that the sandbox returns.
"""

from core.render.raster import mesh_arrays, render_mesh
from core.render.style import STYLE_BENCHMARK, STYLE_FREECAD, Camera, RenderStyle


def render_shape(shape, *, camera: Camera | None = None, style: RenderStyle | None = None):
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
