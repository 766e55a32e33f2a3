"""A small z-buffer rasteriser in numpy: mesh dict -> PIL image, with no display or GPU.

Previews, best-of-N render-and-compare and training images all render here, on machines with no
OpenGL. Triangles fill a z-buffer one bounding box at a time (vectorised inside it); feature edges
are sampled every half pixel and kept where they are not behind the surface, so hidden edges stay
hidden. The image is drawn ``supersample`` times larger and reduced for anti-aliasing.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from core.render.style import Camera, RenderStyle


def mesh_arrays(mesh: dict) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    vertices = np.asarray(mesh.get("vertices") or np.zeros((0, 3)), dtype=float).reshape(-1, 3)
    triangles = np.asarray(mesh.get("triangles") or np.zeros((0, 3)), dtype=np.int64).reshape(-1, 3)
    edges = [np.asarray(e, dtype=float).reshape(-1, 3) for e in mesh.get("edges") or [] if len(e) >= 2]
    return vertices, triangles, edges


def render_mesh(mesh: dict, *, camera: Camera | None = None, style: RenderStyle | None = None) -> Image.Image:
    camera, style = camera or Camera(), style or RenderStyle()
    vertices, triangles, edges = mesh_arrays(mesh)
    ss = max(1, int(style.supersample))
    size = style.size * ss
    image = _background(style, size)
    if len(vertices) == 0 or len(triangles) == 0:
        return image.resize((style.size, style.size), Image.Resampling.BOX) if ss > 1 else image

    basis = _camera_basis(camera)
    project = _projector(vertices, basis, camera, size)
    xy, depth = project(vertices)
    zbuf = np.full((size, size), -np.inf)
    colour = np.array(image, dtype=np.float64)
    shades = _shades(vertices, triangles, basis, camera, style)
    _fill(xy, depth, triangles, shades, zbuf, colour)
    if style.edge is not None and edges:
        _draw_edges(edges, project, zbuf, colour, style, ss, float(np.ptp(depth)) or 1.0)
    out = Image.fromarray(np.clip(colour, 0, 255).astype(np.uint8), "RGB")
    return out.resize((style.size, style.size), Image.Resampling.BOX) if ss > 1 else out


def _background(style: RenderStyle, size: int) -> Image.Image:
    top = np.array(style.background, dtype=float)
    if style.background_bottom is None:
        return Image.new("RGB", (size, size), style.background)
    bottom = np.array(style.background_bottom, dtype=float)
    t = np.linspace(0.0, 1.0, size)[:, None, None]
    rows = top * (1 - t) + bottom * t
    return Image.fromarray(np.repeat(rows, size, axis=1).astype(np.uint8), "RGB")


def _camera_basis(camera: Camera) -> np.ndarray:
    """Rows: right, up, towards-the-eye (unit vectors)."""
    eye = np.asarray(camera.direction, dtype=float)
    eye /= np.linalg.norm(eye)
    right = np.cross(np.asarray(camera.up, dtype=float), eye)
    if np.linalg.norm(right) < 1e-9:  # looking along "up": pick any perpendicular
        right = np.cross([0.0, 1.0, 0.0], eye)
    right /= np.linalg.norm(right)
    return np.stack([right, np.cross(eye, right), eye])


def _projector(vertices: np.ndarray, basis: np.ndarray, camera: Camera, size: int):
    """A function world points -> (pixel xy, depth towards the eye), framed on ``vertices``."""
    centre = (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    local = (vertices - centre) @ basis.T
    radius = float(np.linalg.norm(vertices.max(axis=0) - vertices.min(axis=0))) / 2 or 1.0
    distance = radius / math.tan(math.radians(camera.fov_degrees) / 2) * 1.1

    def raw(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = (points - centre) @ basis.T
        if camera.perspective:
            w = distance / np.maximum(distance - p[:, 2], 1e-9)
            return p[:, :2] * w[:, None], p[:, 2]
        return p[:, :2], p[:, 2]

    flat, _ = raw(vertices)
    lo, hi = flat.min(axis=0), flat.max(axis=0)
    span = float(max(hi[0] - lo[0], hi[1] - lo[1])) or 1.0
    scale = size * (1 - 2 * camera.margin) / span
    mid = (lo + hi) / 2
    del local

    def project(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, depth = raw(points)
        x = (p[:, 0] - mid[0]) * scale + size / 2
        y = size / 2 - (p[:, 1] - mid[1]) * scale
        return np.stack([x, y], axis=1), depth

    return project


def _shades(vertices, triangles, basis, camera: Camera, style: RenderStyle) -> np.ndarray:
    """Per-triangle RGB; back faces get NaN so the filler skips them (closed solids only show fronts)."""
    a, b, c = (vertices[triangles[:, i]] for i in range(3))
    normals = np.cross(b - a, c - a)
    lengths = np.linalg.norm(normals, axis=1)
    normals = normals / np.where(lengths > 0, lengths, 1)[:, None]
    cam_normals = normals @ basis.T
    facing = cam_normals[:, 2] > 0 if not camera.perspective else np.ones(len(triangles), bool)
    base = np.array(style.face, dtype=float)
    if style.light is None:
        rgb = np.tile(base, (len(triangles), 1))
    else:
        light = np.asarray(style.light, dtype=float)
        light /= np.linalg.norm(light)
        lambert = np.clip(np.abs(cam_normals @ light), 0, 1)
        rgb = base[None, :] * (style.ambient + (1 - style.ambient) * lambert)[:, None]
    rgb[~facing | (lengths <= 0)] = np.nan
    return rgb


def _fill(xy, depth, triangles, shades, zbuf, colour) -> None:
    size = zbuf.shape[0]
    for t in np.flatnonzero(~np.isnan(shades[:, 0])):
        i, j, k = triangles[t]
        (x0, y0), (x1, y1), (x2, y2) = xy[i], xy[j], xy[k]
        area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
        if abs(area) < 1e-12:
            continue
        left, right = max(int(min(x0, x1, x2)), 0), min(int(max(x0, x1, x2)) + 1, size)
        top, bottom = max(int(min(y0, y1, y2)), 0), min(int(max(y0, y1, y2)) + 1, size)
        if left >= right or top >= bottom:
            continue
        px = np.arange(left, right) + 0.5
        py = (np.arange(top, bottom) + 0.5)[:, None]
        w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
        w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
        w2 = 1 - w0 - w1
        inside = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
        if not inside.any():
            continue
        z = w0 * depth[i] + w1 * depth[j] + w2 * depth[k]
        window = zbuf[top:bottom, left:right]
        nearer = inside & (z > window)
        window[nearer] = z[nearer]
        colour[top:bottom, left:right][nearer] = shades[t]


def _draw_edges(edges, project, zbuf, colour, style: RenderStyle, ss: int, depth_span: float) -> None:
    size = zbuf.shape[0]
    starts = np.concatenate([e[:-1] for e in edges])
    ends = np.concatenate([e[1:] for e in edges])
    (p0, d0), (p1, d1) = project(starts), project(ends)
    lengths = np.linalg.norm(p1 - p0, axis=1)
    counts = np.maximum(np.ceil(lengths * 2).astype(int), 1) + 1
    seg = np.repeat(np.arange(len(counts)), counts)
    t = np.concatenate([np.linspace(0, 1, n) for n in counts])
    pts = p0[seg] + (p1[seg] - p0[seg]) * t[:, None]
    dep = d0[seg] + (d1[seg] - d0[seg]) * t
    px = np.clip(pts[:, 0].astype(int), 0, size - 1)
    py = np.clip(pts[:, 1].astype(int), 0, size - 1)
    # The surface next to an edge is the edge's own face: compare with the nearest surface in a small
    # neighbourhood, with a bias of a fraction of the part's depth, so coplanar edges win over their faces.
    near = zbuf.copy()
    reach = max(1, ss)
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            shifted = np.roll(np.roll(zbuf, dy, axis=0), dx, axis=1)
            near = np.minimum(near, np.where(np.isfinite(shifted), shifted, near))
    visible = dep >= near[py, px] - 0.01 * depth_span
    mask = np.zeros((size, size), bool)
    mask[py[visible], px[visible]] = True
    width = max(1, round(style.edge_width * ss))
    if width > 1:
        grown = mask.copy()
        for dy in range(width):
            for dx in range(width):
                grown[dy:, dx:] |= mask[: size - dy, : size - dx]
        mask = grown
    colour[mask] = style.edge
