"""Where the part is seen from and how it is framed, as the benchmark renders do it.

Measured on the GenCAD-Code test images against their STEP files: an orthographic view from
(1, -1, 1) with Z up, and the corners of the part's axis-aligned bounding box fitted into a
400 x 300 px box centred in the 448 px image (a 4:3 "fit all", then the square crop). Fitting the
box's corners rather than the geometry is why a cylinder looks smaller than a cube of the same
size; with this rule the silhouettes of 99 of the 100 test parts land within 2 px of the pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import Literal

import numpy as np

Vec3 = tuple[float, float, float]
ISO_ELEVATION = math.degrees(math.atan(1 / math.sqrt(2)))  # the (1, -1, 1) diagonal's angle above XY


@dataclass(frozen=True)
class Camera:
    """``azimuth``/``elevation`` (degrees) give the direction from the part towards the eye:
    elevation above the plane normal to ``up``, azimuth in that plane counter-clockwise from the
    X axis (Y when ``up`` is X). ``margin`` is the share of the image width left free on each side
    of the framed part and ``aspect`` the height/width ratio of the box it is fitted into; ``fit``
    frames the bounding box's corners (the benchmark) or the mesh's own vertices (tighter)."""

    azimuth: float = -45.0
    elevation: float = ISO_ELEVATION
    up: Vec3 = (0.0, 0.0, 1.0)
    projection: Literal["orthographic", "perspective"] = "orthographic"
    fov: float = 30.0  # degrees, perspective only
    margin: float = 24 / 448
    aspect: float = 0.75
    fit: Literal["bounds", "mesh"] = "bounds"

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from the part towards the eye, in world coordinates."""
        up = _unit(np.asarray(self.up, dtype=float))
        reference = np.array([1.0, 0.0, 0.0]) if abs(up[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        east = _unit(reference - up * (reference @ up))
        north = np.cross(up, east)
        az, el = math.radians(self.azimuth), math.radians(self.elevation)
        return math.cos(el) * (math.cos(az) * east + math.sin(az) * north) + math.sin(el) * up

    @property
    def perspective(self) -> bool:
        return self.projection == "perspective"


def view_basis(camera: Camera) -> np.ndarray:
    """Rows: image right, image up, towards the eye (orthonormal)."""
    eye = _unit(camera.direction)
    right = np.cross(np.asarray(camera.up, dtype=float), eye)
    if np.linalg.norm(right) < 1e-9:  # looking straight along "up": any perpendicular will do
        right = np.cross([0.0, 1.0, 0.0] if abs(eye[1]) < 0.9 else [1.0, 0.0, 0.0], eye)
    right = _unit(right)
    return np.stack([right, np.cross(eye, right), eye])


Projector = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def projector(vertices: np.ndarray, camera: Camera, size: int) -> Projector:
    """World points -> (pixel xy, depth), framed on ``vertices``. Depth grows towards the eye and
    is linear in screen space (camera z for orthographic views, 1/distance for perspective), so a
    rasteriser may interpolate it with barycentric weights."""
    basis = view_basis(camera)
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    centre = (lo + hi) / 2
    radius = float(np.linalg.norm(hi - lo)) / 2 or 1.0
    distance = radius / math.tan(math.radians(camera.fov) / 2) * 1.1

    def view(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = (points - centre) @ basis.T
        if camera.perspective:
            w = 1.0 / np.maximum(distance - p[:, 2], 1e-9 * distance)
            return p[:, :2] * (distance * w)[:, None], w
        return p[:, :2], p[:, 2]

    framed = np.array(list(product(*zip(lo, hi, strict=True)))) if camera.fit == "bounds" else vertices
    flat, _ = view(framed)
    f_lo, f_hi = flat.min(axis=0), flat.max(axis=0)
    width = size * (1 - 2 * camera.margin)
    extent = f_hi - f_lo
    scale = min(
        width / extent[0] if extent[0] > 0 else math.inf,
        width * camera.aspect / extent[1] if extent[1] > 0 else math.inf,
    )
    scale = scale if math.isfinite(scale) else 1.0
    mid = (f_lo + f_hi) / 2

    def project(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, depth = view(points)
        x = (p[:, 0] - mid[0]) * scale + size / 2
        y = size / 2 - (p[:, 1] - mid[1]) * scale
        return np.stack([x, y], axis=1), depth

    return project


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)
