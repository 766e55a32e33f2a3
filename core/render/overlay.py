"""The result drawn over the input picture, so the user sees where the part and the picture differ.

The part is rendered from the picture's camera (the benchmark's isometric view the models are
trained on) and placed the way render-and-compare places it (``core.render.compare``): each
silhouette is cropped to its bounding box and the boxes are matched as centred squares, so what lines
up here is exactly what the match score rewarded. The result shows as a translucent fill over its
silhouette plus its outline and edge lines in the same colour, and the match as a percentage in a
corner label. Pure: a picture and a mesh in, a new PIL image out.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.render.compare import edge_mask, foreground_mask
from core.render.render import render_mesh
from core.render.style import STYLE_BENCHMARK

FILL = (255, 96, 0)  # orange: stands out on grey parts, white and FreeCAD's blue backgrounds
ALPHA = 0.35
RENDER_SIDE = 896  # the part is rendered this large, then resized onto the picture's box


def overlay(
    picture: Image.Image,
    mesh: dict,
    match: float | None = None,
    *,
    colour: tuple[int, int, int] = FILL,
    alpha: float = ALPHA,
) -> Image.Image:
    """``picture`` (RGB, its own size) with the part of ``mesh`` drawn over it, and the match label."""
    base = picture.convert("RGB")
    part, lines = placed_masks(base, mesh)
    px = np.asarray(base, dtype=np.float32).copy()
    tint = np.array(colour, dtype=np.float32)
    px[part] = px[part] * (1 - alpha) + tint * alpha
    px[lines | _boundary(part)] = tint
    out = Image.fromarray(np.clip(np.rint(px), 0, 255).astype(np.uint8), "RGB")
    if match is not None:
        _label(out, f"match {match:.0%}", colour)
    return out


def placed_masks(picture: Image.Image, mesh: dict) -> tuple[np.ndarray, np.ndarray]:
    """The part's silhouette and edge lines at the picture's pixels (boolean H x W arrays), placed as
    render-and-compare places them; both empty when the picture has no foreground."""
    w, h = picture.size
    empty = np.zeros((h, w), bool)
    target = _box(foreground_mask(picture))
    rendered = render_mesh(mesh, style=replace(STYLE_BENCHMARK, size=RENDER_SIDE))
    silhouette = foreground_mask(rendered)
    source = _box(silhouette)
    if target is None or source is None:
        return empty, empty
    lines = edge_mask(rendered) & silhouette_dilated(silhouette)
    return _place(silhouette, source, target, (h, w)), _place(lines, source, target, (h, w), thin=True)


def silhouette_dilated(mask: np.ndarray) -> np.ndarray:
    """The silhouette grown by a pixel: the outline strokes lie on its border."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown


def _place(
    mask: np.ndarray,
    source: tuple[int, int, int, int],
    target: tuple[int, int, int, int],
    shape: tuple[int, int],
    thin: bool = False,
) -> np.ndarray:
    """Map ``mask``'s ``source`` box, as a centred square, onto ``target``'s centred square."""
    s_top, s_bottom, s_left, s_right = source
    t_top, t_bottom, t_left, t_right = target
    s_side = max(s_bottom - s_top, s_right - s_left)
    t_side = max(t_bottom - t_top, t_right - t_left)
    scale = t_side / s_side
    s_cy, s_cx = (s_top + s_bottom) / 2, (s_left + s_right) / 2
    t_cy, t_cx = (t_top + t_bottom) / 2, (t_left + t_right) / 2
    if thin and scale < 1:  # shrinking would drop 1-pixel lines between samples: thicken first
        for _ in range(int(np.ceil(0.5 / scale))):
            mask = silhouette_dilated(mask)
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    sy = np.floor((ys + 0.5 - t_cy) / scale + s_cy).astype(int)
    sx = np.floor((xs + 0.5 - t_cx) / scale + s_cx).astype(int)
    inside = (sy >= 0) & (sy < mask.shape[0]) & (sx >= 0) & (sx < mask.shape[1])
    out = np.zeros(shape, bool)
    out[inside] = mask[sy[inside], sx[inside]]
    return out


def _boundary(mask: np.ndarray) -> np.ndarray:
    """Pixels of ``mask`` with a 4-neighbour outside it: the silhouette's outline."""
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return mask & ~inner


def _box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _label(image: Image.Image, text: str, colour: tuple[int, int, int]) -> None:
    """A white box with the text in ``colour``, top-left, sized to the picture."""
    draw = ImageDraw.Draw(image)
    size = max(12, image.width // 28)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one fixed-size bitmap font
        font = ImageFont.load_default()
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(3, size // 4)
    draw.rectangle(
        (pad, pad, pad + right - left + 2 * pad, pad + bottom - top + 2 * pad),
        fill=(255, 255, 255),
        outline=colour,
    )
    draw.text((2 * pad - left, 2 * pad - top), text, fill=colour, font=font)
