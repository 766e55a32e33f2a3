"""What the search knows about the picture, computed once: the part's pixels and face regions
(``core.grounding.recover.segment``), the prism hypotheses they give, and where a candidate's
prisms fall in the same pixels, so residuals (picture minus candidate) can be read directly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from core.grounding.completion import outline_points
from core.grounding.compose import plane_points
from core.grounding.recover import Hypothesis, Segmentation, hypotheses, segment, sweep
from core.grounding.sketch import Circle, Curve, Prism
from core.grounding.views import axis_view


@dataclass(frozen=True)
class Scene:
    seg: Segmentation
    hyps: list[Hypothesis]


def scene_of(picture: Image.Image) -> Scene | None:
    """The scene of ``picture`` as the grounding reads it: a picture in another style (a FreeCAD
    snapshot) redrawn in the benchmark's look first. None when its camera is not the benchmark's
    (a photo's, estimated): the edits here place features through the benchmark's view."""
    from core.render.camera import Camera
    from core.render.camera_search import estimate_camera
    from core.render.normalise import is_benchmark_style, normalise

    picture = picture.convert("RGB")
    if not is_benchmark_style(picture):
        if estimate_camera(picture) != Camera():
            return None
        picture = normalise(picture)
    seg = segment(picture)
    return Scene(seg, hypotheses(seg))


def image_points(prism: Prism, height: float | None = None) -> np.ndarray:
    """Where the outline at ``height`` (default: the near plane) falls in the segmentation's pixels."""
    view = axis_view(prism.axis)
    h = prism.height if height is None else height
    return plane_points(prism) @ view.plane_to_image.T - h * view.depth_shift


def curve_mask(curve: Curve, axis: str, height: float, shape: tuple[int, int]) -> np.ndarray:
    """The pixels inside ``curve`` (a sketch curve on the plane normal to ``axis`` at ``height``)
    in the segmentation's picture."""
    view = axis_view(axis)
    if isinstance(curve, Circle):
        t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        (cx, cy), r = curve.center, curve.radius
        pts = np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])
    else:
        pts = outline_points(curve)
    image = pts @ view.plane_to_image.T - height * view.depth_shift
    mask = Image.new("1", (shape[1], shape[0]), 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in image], fill=1)
    return np.asarray(mask, bool)


def silhouette(prisms: tuple[Prism, ...], shape: tuple[int, int]) -> np.ndarray:
    """The pixels the body and its unioned prisms cover (cuts are left out: they rarely change
    the outline, and the picture's holes are read from faces, not from the silhouette)."""
    out = np.zeros(shape, bool)
    for prism in prisms:
        if prism.operation == "cut":
            continue
        face = Image.new("1", (shape[1], shape[0]), 0)
        ImageDraw.Draw(face).polygon([tuple(p) for p in image_points(prism)], fill=1)
        out |= sweep(np.asarray(face, bool), axis_view(prism.axis).depth_shift, prism.depth)
    return out
