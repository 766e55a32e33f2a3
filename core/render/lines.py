"""Feature edges as 1-pixel lines, drawn only where no surface hides them.

The benchmark draws 8-connected lines one pixel wide (one pixel per step along the major axis, as
Bresenham does), so lines are sampled the same way. Whether a sample is hidden is decided against
the planes of the triangles seen around it, evaluated at the sample's exact position, not against
the z-buffer's values at pixel centres: a face's depth changes by more from one pixel to the next
than a thin sheet is thick, and a comparison with pixel centres would show the far edge of a
sheet through it. An edge lies on the faces it bounds, so one of the nearby pixels shows a
triangle whose plane passes through the sample; a sample outside the silhouette is visible.
"""

from __future__ import annotations

import numpy as np

from core.render.camera import Projector

DEPTH_BIAS = 5e-4  # of the part's depth range: flat triangles approximating a curved face


def edge_mask(
    edges: list[np.ndarray],
    project: Projector,
    seen: np.ndarray,
    planes: np.ndarray,
    *,
    reach: int = 1,
    width: int = 1,
) -> np.ndarray:
    """Boolean image of the visible parts of ``edges`` (world polylines). ``seen``: the triangle
    index at each pixel (-1: background); ``planes``: per triangle (a, b, c) with screen-space
    depth = a x + b y + c, larger nearer."""
    size = seen.shape[0]
    mask = np.zeros((size, size), bool)
    if not edges:
        return mask
    sx, sy, sd = _samples(edges, project)
    col, row = _pixel(sx, sy, seen)
    on_image = (col >= 0) & (col < size) & (row >= 0) & (row < size)
    sx, sy, sd, col, row = sx[on_image], sy[on_image], sd[on_image], col[on_image], row[on_image]

    bias = DEPTH_BIAS * (float(np.ptp(sd)) if sd.size else 0.0) + 1e-12
    visible = seen[row, col] < 0
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            r, c = np.clip(row + dy, 0, size - 1), np.clip(col + dx, 0, size - 1)
            tri = seen[r, c]
            a, b, k = planes[np.maximum(tri, 0)].T
            visible |= (tri >= 0) & (sd >= a * sx + b * sy + k - bias)
    mask[row[visible], col[visible]] = True
    return _thicken(mask, width)


def _pixel(sx: np.ndarray, sy: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixel under each sample; a sample exactly on a pixel border takes the covered side.
    The framing puts the part's extreme corners on whole pixel coordinates, and the benchmark
    draws its outline there inside the silhouette (400 px wide, not 401)."""
    size = seen.shape[0]
    col, row = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    for value, index, axis in ((sx, col, 1), (sy, row, 0)):
        other = np.ceil(value).astype(np.int64) - 1
        r, c = (other, col) if axis == 0 else (row, other)
        r, c = np.clip(r, 0, size - 1), np.clip(c, 0, size - 1)
        here = seen[np.clip(row, 0, size - 1), np.clip(col, 0, size - 1)]
        move = (other != index) & (here < 0) & (seen[r, c] >= 0)
        index[move] = other[move]
    return col, row


def _samples(edges: list[np.ndarray], project: Projector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sample per pixel step along each segment's major axis: x, y, depth."""
    starts = np.concatenate([e[:-1] for e in edges])
    ends = np.concatenate([e[1:] for e in edges])
    (p0, d0), (p1, d1) = project(starts), project(ends)
    steps = np.ceil(np.abs(p1 - p0).max(axis=1)).astype(np.int64)
    counts = steps + 1
    segment = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    t = (np.arange(counts.sum()) - first[segment]) / np.maximum(steps[segment], 1)
    points = p0[segment] + (p1[segment] - p0[segment]) * t[:, None]
    return points[:, 0], points[:, 1], d0[segment] + (d1[segment] - d0[segment]) * t


def _thicken(mask: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return mask
    size = mask.shape[0]
    grown = mask.copy()
    for dy in range(width):
        for dx in range(width):
            grown[dy:, dx:] |= mask[: size - dy, : size - dx]
    return grown
