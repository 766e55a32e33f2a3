"""How well a rendered candidate matches the user's image: the score best-of-N picks by.

Both pictures are reduced to what survives photos and snapshots alike: the foreground silhouette
(the background estimated from the image border, so white, FreeCAD's gradient or a desk all work)
and the dark edge lines. Each is cropped to its foreground's bounding box and resized to a common
square, so a candidate is not punished for a different zoom, only for a different shape.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

SIDE = 128
EDGE_TOLERANCE = 2  # pixels at SIDE resolution


def foreground_mask(image: Image.Image, threshold: float = 40.0) -> np.ndarray:
    """Pixels that are not background. Background: pixels close to the border's colour (the median
    per row, which follows a vertical gradient) *and* connected to the border, so a lit face whose
    grey happens to match the background behind it still counts as part, enclosed by its outline."""
    px = np.asarray(image.convert("RGB"), dtype=float)
    border = np.concatenate([px[:, :3], px[:, -3:]], axis=1)  # left and right strips, per row
    background = np.median(border, axis=1)[:, None, :]
    like_background = np.linalg.norm(px - background, axis=2) <= threshold
    framed = np.pad(like_background, 1, constant_values=True).astype(np.uint8) * 255
    fill = Image.fromarray(framed).copy()  # fromarray shares the buffer read-only in Pillow 13
    ImageDraw.floodfill(fill, (0, 0), 128)  # everything background-like reachable from outside
    return np.asarray(fill)[1:-1, 1:-1] != 128


def edge_mask(image: Image.Image, darkness: float = 90.0) -> np.ndarray:
    grey = np.asarray(image.convert("L"), dtype=float)
    return grey < darkness


def _normalised(mask: np.ndarray, box: tuple[int, int, int, int] | None) -> np.ndarray:
    if box is None:
        return np.zeros((SIDE, SIDE), bool)
    top, bottom, left, right = box
    crop = mask[top:bottom, left:right]
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side, side), bool)  # keep the aspect ratio: pad to a square, centred
    oy, ox = (side - h) // 2, (side - w) // 2
    square[oy : oy + h, ox : ox + w] = crop
    resized = Image.fromarray(square.astype(np.uint8) * 255).resize((SIDE, SIDE), Image.Resampling.BILINEAR)
    return np.asarray(resized) > 127


def _box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


def silhouette_iou(a: Image.Image, b: Image.Image) -> float:
    ma, mb = foreground_mask(a), foreground_mask(b)
    na, nb = _normalised(ma, _box(ma)), _normalised(mb, _box(mb))
    union = (na | nb).sum()
    return float((na & nb).sum() / union) if union else 0.0


def edge_agreement(a: Image.Image, b: Image.Image) -> float:
    """F-score of edge pixels that find a partner within EDGE_TOLERANCE in the other image."""
    fa, fb = foreground_mask(a), foreground_mask(b)
    ea = _normalised(edge_mask(a) & _dilate(fa, 2), _box(fa))
    eb = _normalised(edge_mask(b) & _dilate(fb, 2), _box(fb))
    if not ea.any() or not eb.any():
        return 0.0
    precision = (eb & _dilate(ea, EDGE_TOLERANCE)).sum() / eb.sum()
    recall = (ea & _dilate(eb, EDGE_TOLERANCE)).sum() / ea.sum()
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0


def render_match_score(input_image: Image.Image, rendered: Image.Image) -> float:
    """In [0, 1]: mostly silhouette agreement, with edges separating shapes of equal outline."""
    return 0.7 * silhouette_iou(input_image, rendered) + 0.3 * edge_agreement(input_image, rendered)
