"""Mesh dict -> PIL image: frame, rasterise, shade, draw the visible edges, reduce."""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.render.camera import Camera, projector, view_basis
from core.render.lines import edge_mask
from core.render.mesh import corner_normals, mesh_arrays
from core.render.raster import rasterise
from core.render.shading import shade
from core.render.style import RenderStyle


def render_mesh(mesh: dict, *, camera: Camera | None = None, style: RenderStyle | None = None) -> Image.Image:
    """The benchmark's look by default (``STYLE_BENCHMARK``, the isometric ``Camera()``);
    deterministic: the same mesh, camera and style give the same pixels."""
    camera, style = camera or Camera(), style or RenderStyle()
    vertices, triangles, edges = mesh_arrays(mesh)
    ss = max(1, int(style.supersample))
    size = style.size * ss
    colour = _background(style, size)
    if len(vertices) and len(triangles):
        project = projector(vertices, camera, size)
        xy, depth = project(vertices)
        front = _front_facing(xy, triangles) if style.cull_back_faces else np.ones(len(triangles), bool)
        buffers = rasterise(xy, depth, triangles[front], size)
        covered = buffers.covered
        corners = corner_normals(vertices, triangles)[front] @ view_basis(camera).T  # camera space
        w = buffers.weights[covered]
        weights = np.column_stack([w, 1.0 - w.sum(axis=1)])
        colour[covered] = shade(np.einsum("nkj,nk->nj", corners[buffers.triangle[covered]], weights), style)
        if style.edge is not None and edges:
            width = max(1, round(style.edge_width * ss))
            lines = edge_mask(edges, project, buffers.triangle, buffers.planes, reach=ss, width=width)
            colour[lines] = style.edge
    image = Image.fromarray(np.clip(np.rint(colour), 0, 255).astype(np.uint8), "RGB")
    return image.resize((style.size, style.size), Image.Resampling.BOX) if ss > 1 else image


def _front_facing(xy: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Counter-clockwise on screen (y points down, so negative signed area): outward normals that
    face the eye. Closed solids show only these; culling halves the rasteriser's work."""
    a, b, c = xy[triangles[:, 0]], xy[triangles[:, 1]], xy[triangles[:, 2]]
    signed = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    return signed < 0


def _background(style: RenderStyle, size: int) -> np.ndarray:
    top = np.array(style.background, dtype=float)
    bottom = top if style.background_bottom is None else np.array(style.background_bottom, dtype=float)
    t = np.linspace(0.0, 1.0, size)[:, None, None]
    return np.repeat(top * (1 - t) + bottom * t, size, axis=1)
