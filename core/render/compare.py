"""How well a rendered candidate matches the user's image: the score best-of-N picks by.

Both pictures are reduced to what survives photos and snapshots alike: the foreground silhouette
(the background estimated from the image border, so white, FreeCAD's gradient or a desk all work)
and the dark edge lines (plus the faces' shading when the picture is in the benchmark's own
look, which our renders share). Each is cropped to its foreground's bounding box and resized to a common
square, so a candidate is not punished for a different zoom, only for a different shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.render.camera import Camera
from core.render.normalise import is_benchmark_style, is_snapshot
from core.render.normalise import normalise as normalise_picture

SIDE = 128  # cells per side of the common square (the default resolution of the comparison)
EDGE_TOLERANCE = 2  # cells, at whatever resolution the comparison works
# Shading, when both pictures are in the benchmark's own look (the benchmark's pictures and our
# renders; a snapshot or photo is not lit that way): a face's grey says which way it faces, so a
# thin plate whose outline copies a cylinder's silhouette, or a boss read as a pocket, shows up
# even where silhouettes and lines agree.
SHADE_TOLERANCE = 10.0  # grey levels within which two cells are shaded alike
LINE_GREY = 60  # darker pixels are drawn lines, not shading
WEIGHTS = (0.7, 0.3, 0.0)  # silhouette, edges, shading: without shading on both sides
WEIGHTS_SHADED = (0.55, 0.25, 0.2)


def foreground_mask(image: Image.Image, threshold: float = 40.0) -> np.ndarray:
    """Pixels that are not background. Background: pixels close to the border's colour (the median
    per row, which follows a vertical gradient) *and* connected to the border, so a lit face whose
    grey happens to match the background behind it still counts as part, enclosed by its outline."""
    return ~_border_connected(background_like(image, threshold))


def background_like(image: Image.Image, threshold: float = 40.0) -> np.ndarray:
    """Pixels close to the border's colour (the median per row), wherever they are: inside the
    part's outline, the background seen through a hole."""
    px = np.asarray(image.convert("RGB"), dtype=np.float32)
    return np.square(px - background_colours(px, threshold)[:, None, :]).sum(axis=2) <= threshold**2


def background_colours(px: np.ndarray, threshold: float = 40.0) -> np.ndarray:
    """The background's colour per row (it may follow a vertical gradient): the median of the
    left and right border strips where the two agree; where they do not, the part reaches that
    border (a zoomed screenshot crops it), and the colour is interpolated from the rows above and
    below where they agree. A part touching the left border had made the rows' median its own
    grey, so those rows of background became part (a gusset plate scored 0.22 against its own
    picture)."""
    left, right = np.median(px[:, :3], axis=1), np.median(px[:, -3:], axis=1)
    agree = np.square(left - right).sum(axis=1) <= threshold**2
    both = np.median(np.concatenate([px[:, :3], px[:, -3:]], axis=1), axis=1)
    if agree.all() or not agree.any():
        return both
    rows = np.arange(len(px))
    return np.column_stack([np.interp(rows, rows[agree], both[agree, c]) for c in range(px.shape[2])])


def _border_connected(region: np.ndarray) -> np.ndarray:
    """The 4-connected parts of ``region`` that touch the image border. Reach spreads along whole
    row runs, then whole column runs, until nothing changes: a few sweeps, all vectorised."""
    reached = np.zeros_like(region)
    for edge in (np.s_[0, :], np.s_[-1, :], np.s_[:, 0], np.s_[:, -1]):
        reached[edge] = region[edge]
    count = -1
    while reached.sum() != count:
        count = reached.sum()
        reached = _spread_along_rows(region, reached)
        reached = _spread_along_rows(region.T, reached.T).T
    return reached


def _spread_along_rows(region: np.ndarray, reached: np.ndarray) -> np.ndarray:
    padded = np.pad(region, ((0, 0), (1, 0)))  # a False column: runs never continue across rows
    starts = padded[:, 1:] & ~padded[:, :-1]
    run = np.cumsum(starts.ravel()).reshape(region.shape)
    hit = np.zeros(run.size + 1, bool)
    hit[run[reached & region]] = True
    return region & hit[run]


def edge_mask(image: Image.Image, darkness: float = 50.0) -> np.ndarray:
    """Drawn lines: near-black pixels (the darkest shaded faces stay above 60 in the benchmark's look)."""
    grey = np.asarray(image.convert("L"), dtype=float)
    return grey < darkness


@dataclass(frozen=True)
class Outline:
    """A picture reduced for comparison: silhouette and edge lines, cropped to the part and scaled
    to a square grid (``side`` cells). Best-of-N computes the input's once and compares every candidate with it.
    ``camera``: the view the picture was taken from when it is not the benchmark's (a photo's,
    estimated), so candidates are rendered from it; None for the benchmark's own view."""

    silhouette: np.ndarray
    edges: np.ndarray
    camera: Camera | None = None
    shade: np.ndarray | None = None  # mean face grey per cell (NaN: no face there); benchmark look only

    @property
    def side(self) -> int:
        """Cells per side: a render compared with this outline is reduced to the same grid."""
        return int(self.silhouette.shape[0])


def render_size(side: int = SIDE) -> int:
    """Pixels to render a candidate at for a comparison on ``side`` cells: 1.5 pixels per cell,
    so a one-pixel line always lands in a cell and rendering larger buys nothing."""
    return side * 3 // 2


def outline(image: Image.Image, normalise: bool = True, side: int = SIDE) -> Outline:
    """The input picture's outline. With ``normalise`` a picture in any style (FreeCAD snapshot,
    photo) is first redrawn in the benchmark's look and its camera estimated
    (``core.render.normalise``, ``core.render.camera_search``); renders in the benchmark style
    pass through unchanged. ``side``: the comparison's resolution; a finer grid tells apart
    candidates a coarse one scores alike (a depth 12 % off, an edge moved by 4 %)."""
    camera = None
    own_look = is_benchmark_style(image)
    if normalise and not own_look:
        from core.render.camera_search import estimate_camera

        camera = estimate_camera(image)
        camera = None if camera == Camera() else camera
        if camera is not None or not is_snapshot(image):
            image = normalise_picture(image)  # as the grounding reads it
    foreground = foreground_mask(image)
    box = _box(foreground)
    lines = edge_mask(image) & _dilate(foreground, 2)  # outline strokes lie just outside the mask
    # A 1-pixel line covers a third of a cell or less: any clear share of a cell is a line.
    shade = _shade(image, foreground, box, side) if own_look else None
    return Outline(_normalised(foreground, box, 127, side), _normalised(lines, box, 25, side), camera, shade)


def _shade(
    image: Image.Image, foreground: np.ndarray, box: tuple[int, int, int, int] | None, side: int
) -> np.ndarray | None:
    """Mean grey of the face pixels (part, not line) per cell, cropped and scaled like the
    masks; NaN where lines or background fill most of a cell."""
    if box is None:
        return None
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    face = foreground & (grey >= LINE_GREY)

    def shrink(a: np.ndarray) -> np.ndarray:
        square = _square(a.astype(np.float32), box)
        return np.asarray(Image.fromarray(square, mode="F").resize((side, side), Image.Resampling.BOX))

    total, count = shrink(np.where(face, grey, 0.0)), shrink(face)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= 0.5, total / count, np.nan)


def silhouette_iou(a: Image.Image | Outline, b: Image.Image | Outline) -> float:
    a, b = _pair(a, b)
    sa, sb = a.silhouette, b.silhouette
    union = (sa | sb).sum()
    return float((sa & sb).sum() / union) if union else 0.0


def edge_agreement(a: Image.Image | Outline, b: Image.Image | Outline) -> float:
    """F-score of edge pixels that find a partner within EDGE_TOLERANCE in the other picture."""
    a, b = _pair(a, b)
    ea, eb = a.edges, b.edges
    if not ea.any() or not eb.any():
        return 0.0
    precision = (eb & _dilate(ea, EDGE_TOLERANCE)).sum() / eb.sum()
    recall = (ea & _dilate(eb, EDGE_TOLERANCE)).sum() / ea.sum()
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0


def render_match_score(input_image: Image.Image | Outline, rendered: Image.Image | Outline) -> float:
    """In [0, 1]: mostly silhouette agreement, with edges separating shapes of equal outline and,
    for a picture in the benchmark's look, shading separating faces of equal outline that face
    other ways. ``rendered`` is our own render, in the benchmark's style: never normalised."""
    a, b = _pair(input_image, rendered, normalise_second=False)
    shading = shade_agreement(a, b)
    w_sil, w_edge, w_shade = WEIGHTS if shading is None else WEIGHTS_SHADED
    return w_sil * silhouette_iou(a, b) + w_edge * edge_agreement(a, b) + w_shade * (shading or 0.0)


def shade_agreement(a: Image.Image | Outline, b: Image.Image | Outline) -> float | None:
    """Share of the cells inside both pictures' faces (a cell away from any line or outline)
    that are shaded alike; None when either picture carries no shading. Only the interiors
    count: where the outlines differ the silhouette term already says so, and cells on a line
    or outline flicker with sub-pixel changes that a search would otherwise chase."""
    a, b = _pair(a, b)
    sa, sb = a.shade, b.shade
    if sa is None or sb is None:
        return None
    inside = _erode(~np.isnan(sa) & ~np.isnan(sb), 1)
    if not inside.any():
        return 0.0
    return float((np.abs(sa[inside] - sb[inside]) <= SHADE_TOLERANCE).mean())


def _pair(
    a: Image.Image | Outline, b: Image.Image | Outline, normalise_second: bool = True
) -> tuple[Outline, Outline]:
    """Both as outlines on one grid: a picture is reduced at the other side's resolution."""
    if isinstance(a, Outline):
        b = b if isinstance(b, Outline) else outline(b, normalise_second, a.side)
    elif isinstance(b, Outline):
        a = outline(a, True, b.side)
    else:
        a, b = outline(a), outline(b, normalise_second)
    if a.side != b.side:
        raise ValueError(f"outlines on different grids: {a.side} and {b.side} cells")
    return a, b


def _normalised(mask: np.ndarray, box: tuple[int, int, int, int] | None, cut: int, side: int) -> np.ndarray:
    """Crop to ``box``, pad to a centred square (keeping the aspect ratio), average down to ``side``."""
    if box is None:
        return np.zeros((side, side), bool)
    square = _square(mask, box)
    resized = Image.fromarray(square.astype(np.uint8) * 255).resize((side, side), Image.Resampling.BOX)
    return np.asarray(resized) > cut


def _square(a: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``a`` cropped to ``box`` and padded with zeros to a centred square."""
    top, bottom, left, right = box
    crop = a[top:bottom, left:right]
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side, side), a.dtype)
    oy, ox = (side - h) // 2, (side - w) // 2
    square[oy : oy + h, ox : ox + w] = crop
    return square


def _box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Square dilation by ``r`` pixels (no wrap-around at the borders)."""
    h, w = mask.shape
    padded = np.pad(mask, r)
    out = np.zeros_like(mask)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out |= padded[dy : dy + h, dx : dx + w]
    return out


def _erode(mask: np.ndarray, r: int) -> np.ndarray:
    return ~_dilate(~mask, r)
