"""Triangles -> z-buffer, in numpy alone: which triangle is nearest at every pixel, and where in it.

A per-triangle Python loop costs tens of microseconds a triangle, too slow for curved parts and
for the data engine's thousands of renders, and testing every pixel of every triangle's bounding
box wastes most of the work on the long diagonal slivers that tessellated fillets and cylinders
produce. So all triangles are scan-converted at once: every (triangle, pixel row) pair gets the
span of pixel centres it covers, the spans expand to fragments, and the nearest fragment per
pixel wins. The work is proportional to rows plus covered pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-7  # pixels: a centre on an edge shared by two triangles belongs to both, so no cracks


@dataclass(frozen=True)
class Buffers:
    """Per pixel: depth (-inf where empty; larger is nearer), the triangle seen (-1 where empty),
    and its barycentric weights (w0, w1; w2 = 1 - w0 - w1); per triangle: its depth plane."""

    depth: np.ndarray
    triangle: np.ndarray
    weights: np.ndarray
    planes: np.ndarray

    @property
    def covered(self) -> np.ndarray:
        return self.triangle >= 0


def rasterise(xy: np.ndarray, depth: np.ndarray, triangles: np.ndarray, size: int) -> Buffers:
    """Fill ``size`` x ``size`` buffers with ``triangles`` (vertex indices into ``xy``/``depth``,
    depth linear in screen space); pixel (row, col) samples the point (col + 0.5, row + 0.5)."""
    depth_buffer = np.full(size * size, -np.inf)
    seen = np.full(size * size, -1, dtype=np.int64)
    weights = np.zeros((size * size, 2))
    planes = triangle_planes(xy, depth, triangles)
    pixel, tri = _fragments(xy[triangles], size)
    if len(pixel):
        row, col = np.divmod(pixel, size)
        a, b, c = planes[tri].T
        d = a * (col + 0.5) + b * (row + 0.5) + c
        np.maximum.at(depth_buffer, pixel, d)
        nearest = np.flatnonzero(d >= depth_buffer[pixel])
        # Ties (an edge shared by two triangles): the lower triangle index, so output is deterministic.
        order = np.lexsort((tri[nearest], pixel[nearest]))
        ranked = nearest[order]
        first = np.ones(len(ranked), bool)
        first[1:] = pixel[ranked][1:] != pixel[ranked][:-1]
        win = ranked[first]
        seen[pixel[win]] = tri[win]
        weights[pixel[win]] = _barycentric(xy[triangles[tri[win]]], col[win] + 0.5, row[win] + 0.5)
    return Buffers(
        depth_buffer.reshape(size, size), seen.reshape(size, size), weights.reshape(size, size, 2), planes
    )


def triangle_planes(xy: np.ndarray, depth: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(m, 3): the screen-space depth planes (a, b, c), depth = a x + b y + c; zeros if degenerate."""
    (x0, y0), (x1, y1), (x2, y2) = (xy[triangles[:, i]].T for i in range(3))
    z0, z1, z2 = (depth[triangles[:, i]] for i in range(3))
    det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    ok = np.abs(det) > 1e-12
    safe = np.where(ok, det, 1.0)
    a = ((z1 - z0) * (y2 - y0) - (z2 - z0) * (y1 - y0)) / safe
    b = ((x1 - x0) * (z2 - z0) - (x2 - x0) * (z1 - z0)) / safe
    return np.where(ok[:, None], np.stack([a, b, z0 - a * x0 - b * y0], axis=1), 0.0)


def _fragments(corners: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat pixel index and triangle index of every pixel centre inside a triangle (corners (m, 3, 2))."""
    ys = corners[:, :, 1]
    top = np.maximum(np.ceil(ys.min(axis=1) - 0.5 - EPSILON), 0).astype(np.int64)
    bottom = np.minimum(np.floor(ys.max(axis=1) - 0.5 + EPSILON), size - 1).astype(np.int64)
    (x0, y0), (x1, y1), (x2, y2) = (corners[:, i].T for i in range(3))
    doubled_area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    rows_per = np.where(np.abs(doubled_area) > 1e-12, np.maximum(bottom - top + 1, 0), 0)
    tri = np.repeat(np.arange(len(corners)), rows_per)
    if not len(tri):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    row = top[tri] + np.arange(len(tri)) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    y = row + 0.5

    left = np.full(len(tri), np.inf)
    right = np.full(len(tri), -np.inf)
    for i, j in ((0, 1), (1, 2), (2, 0)):
        xa, ya = corners[tri, i, 0], corners[tri, i, 1]
        xb, yb = corners[tri, j, 0], corners[tri, j, 1]
        crosses = (np.minimum(ya, yb) - EPSILON <= y) & (y <= np.maximum(ya, yb) + EPSILON) & (ya != yb)
        t = np.clip((y - ya) / np.where(ya != yb, yb - ya, 1.0), 0.0, 1.0)
        x = xa + t * (xb - xa)
        left = np.where(crosses, np.minimum(left, x), left)
        right = np.where(crosses, np.maximum(right, x), right)
    first = np.maximum(np.ceil(left - 0.5 - EPSILON), 0)
    last = np.minimum(np.floor(right - 0.5 + EPSILON), size - 1)
    spans = np.where(np.isfinite(first) & np.isfinite(last), last - first + 1, 0).clip(0).astype(np.int64)
    pair = np.repeat(np.arange(len(tri)), spans)
    col = first[pair].astype(np.int64) + np.arange(len(pair)) - np.repeat(np.cumsum(spans) - spans, spans)
    return row[pair] * size + col, tri[pair]


def _barycentric(corners: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """(n, 2): the weights of the first two corners at the points (px, py)."""
    (x0, y0), (x1, y1), (x2, y2) = (corners[:, i].T for i in range(3))
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
    w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
    return np.stack([w0, w1], axis=1)
