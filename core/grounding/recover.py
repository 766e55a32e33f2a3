"""Prism hypotheses from a picture: which visible face is the end face of which extrusion.

In the benchmark's isometric view the end face of a prism whose axis is a world axis is seen
whole, bounded by drawn edges, and the prism's silhouette is that face swept away from the eye
along the axis's image direction. So each sizeable face region (the part's pixels between edge
lines), taken as the end face for each axis, gives a hypothesis whose depth is read off the
silhouette's extent and whose quality is how well the swept face reproduces the silhouette.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from core.grounding.contour import curve_from_boundary, trace
from core.grounding.sketch import Circle, Curve, Loop, Prism
from core.grounding.views import AxisView, all_views
from core.render.compare import edge_mask, foreground_mask

MIN_FACE_SHARE = 0.02  # faces smaller than this share of the part are not end-face candidates
MIN_HOLE_PIXELS = 20
MAX_FACES = 8


@dataclass(frozen=True)
class Segmentation:
    """The part's pixels, the drawn edge lines, and the face regions between them (labels > 0)."""

    part: np.ndarray
    edges: np.ndarray
    labels: np.ndarray
    faces: list[int]  # labels of the sizeable faces, largest first


def segment(picture: Image.Image) -> Segmentation:
    part = foreground_mask(picture)
    edges = edge_mask(picture) & ndimage.binary_dilation(part, iterations=2)
    labels, count = ndimage.label(part & ~edges)  # 4-connected: a 1-pixel diagonal line separates
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    areas[0] = 0
    order = np.argsort(-areas)
    total = max(int(part.sum()), 1)
    faces = [int(k) for k in order if areas[k] >= MIN_FACE_SHARE * total][:MAX_FACES]
    return Segmentation(part, edges, labels, faces)


def face_masks(seg: Segmentation, label: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The face's full outline (its region with enclosed holes filled, grown over its edge line)
    and the holes inside it (enclosed regions that are not the face)."""
    region = seg.labels == label
    filled = ndimage.binary_fill_holes(region)
    outline = ndimage.binary_dilation(filled, iterations=1)
    inside, count = ndimage.label(filled & ~region)
    holes = []
    for k in range(1, count + 1):
        hole = inside == k
        if hole.sum() >= MIN_HOLE_PIXELS:
            holes.append(hole)
    return outline, holes


def sweep(face: np.ndarray, shift: np.ndarray, length: float) -> np.ndarray:
    """``face`` swept ``length`` units along ``shift`` (pixels per unit): the prism's silhouette.
    Doubling unions (reach 1, 3, 7, ... steps of at most one pixel) keep it to a few array ops."""
    per_px = float(np.abs(shift).max())
    steps = round(length * per_px)
    unit = shift / per_px
    out = face.copy()
    reach = 0
    while reach < steps:
        s = min(reach + 1, steps - reach)
        out |= _shifted(out, unit * s)
        reach += s
    return out


def _shifted(mask: np.ndarray, offset: np.ndarray) -> np.ndarray:
    dx, dy = round(offset[0]), round(offset[1])
    out = np.zeros_like(mask)
    h, w = mask.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = mask[ys, xs]
    return out


def depth_of(face: np.ndarray, part: np.ndarray, view: AxisView) -> float:
    """How far the part reaches beyond ``face`` along the axis's image direction, in plane units."""
    direction = view.depth_shift / np.linalg.norm(view.depth_shift)
    fy, fx = np.nonzero(face)
    py, px = np.nonzero(part)
    reach = (px * direction[0] + py * direction[1]).max() - (fx * direction[0] + fy * direction[1]).max()
    return max(float(reach), 0.0) / float(np.linalg.norm(view.depth_shift))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


@dataclass(frozen=True)
class Hypothesis:
    view: AxisView
    label: int
    face: np.ndarray
    holes: list[np.ndarray]
    depth: float
    fit: float


def hypotheses(seg: Segmentation, views: list[AxisView] | None = None) -> list[Hypothesis]:
    """Every (face, axis) pair, best silhouette fit first."""
    out = []
    for label in seg.faces:
        face, holes = face_masks(seg, label)
        for view in views or all_views():
            depth = depth_of(face, seg.part, view)
            if depth <= 0:
                continue
            predicted = sweep(face, view.depth_shift, depth)
            out.append(Hypothesis(view, label, face, holes, depth, iou(predicted, seg.part)))
    return sorted(out, key=lambda h: -h.fit)


def prism_of(h: Hypothesis) -> Prism | None:
    """The hypothesis as a sketch on its plane: outline and holes in plane units (pixels)."""
    inverse = h.view.image_to_plane
    boundaries = trace(h.face)
    if not boundaries:
        return None
    outer = boundaries[0] @ inverse.T
    size = float(np.linalg.norm(outer.max(axis=0) - outer.min(axis=0)))
    tol = max(1.2, 0.012 * size)
    outline = curve_from_boundary(outer, tol)
    holes: list[Curve] = []
    for hole in h.holes:
        traced = trace(hole)
        if traced:
            holes.append(curve_from_boundary(traced[0] @ inverse.T, max(1.0, 0.5 * tol)))
    if isinstance(outline, Loop) and len(outline.segments) < 3:
        return None
    return Prism(h.view.axis, outline, tuple(holes), h.depth, h.fit)


def recover(picture: Image.Image, top: int = 3) -> list[Prism]:
    """The ``top`` best single-prism explanations of the picture, one per distinct (axis, face)."""
    seg = segment(picture)
    prisms: list[Prism] = []
    for h in hypotheses(seg):
        p = prism_of(h)
        if p is not None:
            prisms.append(p)
        if len(prisms) >= top:
            break
    return prisms


__all__ = ["Circle", "Hypothesis", "Prism", "Segmentation", "hypotheses", "prism_of", "recover", "segment"]
