"""Where a photo was taken from: the view direction read off the directions of the part's edges.

The benchmark's camera is known; a photo's is not, and reading a sketch or comparing a rendering
through the wrong camera skews every proportion. Sketch-and-extrude parts are built on axis
planes, so most of their straight edges run along the world's X, Y and Z. Seen from azimuth ``a``
and elevation ``e`` with Z up (orthographic), X and Y edges appear with image slopes (y up)
``sin(e) cos(a) / sin(a)`` and ``-sin(e) sin(a) / cos(a)``, Z edges vertically, so the two
dominant slanted edge directions give both angles: ``sin(e)^2 = -s_x s_y`` and
``tan(a)^2 = -s_y / s_x``. Parts without straight slanted edges (a cylinder) keep the isometric
view; a perspective lens only spreads the directions around the same peaks.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

import numpy as np
from PIL import Image
from scipy import ndimage

from core.render.camera import Camera
from core.render.normalise import normalise

SEARCH_DEGREES = 21.0  # answers further from the isometric view are rejected (photos: up to 20)
SNAP_DEGREES = 7.0  # estimates this close to the isometric view are taken as it
MIN_PEAK_SHARE = 0.08  # a direction needs this share of the edge pixels to count as a family


def edge_directions(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Angles (degrees in [-90, 90), y up) of the part's edge lines at their pixels, weights, and
    the pixels themselves ((n, 2) x, y-up)."""
    picture = normalise(image)
    lines = np.asarray(picture.convert("L")) == 0
    grey = ndimage.gaussian_filter(np.asarray(picture.convert("L"), dtype=np.float32), 1.0)
    gx, gy = ndimage.sobel(grey, 1), -ndimage.sobel(grey, 0)  # y up
    magnitude = np.hypot(gx, gy)
    pick = lines & (magnitude > 1e-3)
    normal = np.degrees(np.arctan2(gy[pick], gx[pick]))
    rows, cols = np.nonzero(pick)
    return (normal + 90.0 + 90.0) % 180.0 - 90.0, magnitude[pick], np.column_stack([cols, -rows])


def _sharpest(points: np.ndarray, angle: float, reach: float = 4.0, step: float = 0.25) -> float:
    """The direction near ``angle`` along which the pixels line up best: projected across it, the
    lines pile up in the fewest bins (the sum of squared bin counts peaks). Gradient directions of
    pixel-wide lines scatter by degrees; this reads the line itself, to a fraction of one."""
    best, best_score = angle, -1.0
    for a in np.arange(angle - reach, angle + reach + step / 2, step):
        t = math.radians(a)
        across = points[:, 1] * math.cos(t) - points[:, 0] * math.sin(t)
        counts = np.bincount(np.round(across - across.min()).astype(int))
        score = float(np.square(counts.astype(float)).sum())
        if score > best_score:
            best, best_score = float(a), score
    return best


def _peak(angles: np.ndarray, weights: np.ndarray, lo: float, hi: float) -> tuple[float, float] | None:
    """The strongest direction in [lo, hi] degrees and its share of all edge weight."""
    bins = np.arange(-90, 91)
    hist, _ = np.histogram(angles, bins=bins, weights=weights)
    smooth = ndimage.gaussian_filter1d(hist, 1.5, mode="wrap")
    centres = bins[:-1] + 0.5
    inside = (centres >= lo) & (centres <= hi)
    if not inside.any() or weights.sum() <= 0:
        return None
    k = int(np.argmax(np.where(inside, smooth, -1)))
    near = np.abs(angles - centres[k]) <= 3.0
    share = float(weights[near].sum() / weights.sum())
    if share < MIN_PEAK_SHARE:
        return None
    return float(np.average(angles[near], weights=weights[near])), share


def camera_from_slopes(slope_x: float | None, slope_y: float | None, base: Camera | None = None) -> Camera:
    """The orthographic view (Z up) under which X edges have image slope ``slope_x`` (< 0) and
    Y edges ``slope_y`` (> 0). Without both, or when the answer lies outside the search window
    (the two directions were not X and Y edges: a rotated sketch, arcs), the base view."""
    base = base or Camera()
    if slope_x is None or slope_y is None or slope_x >= 0 or slope_y <= 0:
        return base
    product = -slope_x * slope_y
    if product >= 1.0:
        return base
    azimuth = -math.degrees(math.atan(math.sqrt(-slope_y / slope_x)))
    elevation = math.degrees(math.asin(math.sqrt(product)))
    if abs(azimuth - base.azimuth) > SEARCH_DEGREES or abs(elevation - base.elevation) > SEARCH_DEGREES:
        return base
    return replace(base, azimuth=azimuth, elevation=elevation)


_CACHE: dict[bytes, Camera] = {}


def estimate_camera(image: Image.Image) -> Camera:
    """The view ``image`` was most likely taken from (orthographic, Z up, near the isometric one).
    Grounding and every candidate's comparison ask about the same picture: answers are kept."""
    key = hashlib.blake2b(image.convert("RGB").tobytes(), digest_size=16).digest() + repr(image.size).encode()
    if key not in _CACHE:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _estimate(image)
    return _CACHE[key]


def _estimate(image: Image.Image) -> Camera:
    angles, weights, points = edge_directions(image)
    if len(angles) == 0:
        return Camera()
    slopes = []
    for lo, hi in ((4.0, 80.0), (-80.0, -4.0)):  # Y edges rise (y up), X edges fall
        peak = _peak(angles, weights, lo, hi)
        if peak is None:
            slopes.append(None)
            continue
        near = np.abs(angles - peak[0]) <= 6.0
        slopes.append(math.tan(math.radians(_sharpest(points[near], peak[0]))))
    slope_y, slope_x = slopes
    found = camera_from_slopes(slope_x, slope_y)
    # Edges a pixel wide read a few degrees off even in an exact isometric picture (validation
    # set, FreeCAD snapshots: 3-6 degrees); what lands that close is taken as the isometric view.
    return found if _degrees_between(found, Camera()) > SNAP_DEGREES else Camera()


def _degrees_between(a: Camera, b: Camera) -> float:
    return math.degrees(math.acos(float(np.clip(a.direction @ b.direction, -1.0, 1.0))))
