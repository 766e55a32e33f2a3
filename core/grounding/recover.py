"""Prism hypotheses from a picture: which visible face is the end face of which extrusion.

In the benchmark's isometric view the end face of a prism whose axis is a world axis is seen
whole, bounded by drawn edges, and the prism's silhouette is that face swept away from the eye
along the axis's image direction. So each sizeable face region (the part's pixels between edge
lines), taken as the end face for each axis, gives a hypothesis whose depth is read off the
silhouette's extent and whose quality is how well the swept face reproduces the silhouette.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from core.grounding.completion import coaxial
from core.grounding.compose import absorb, contact_slides, slid
from core.grounding.contour import curve_from_boundary, trace
from core.grounding.sketch import Arc, Circle, Curve, Loop, Prism
from core.grounding.views import AxisView, all_views
from core.render.camera import Camera
from core.render.compare import background_like, edge_mask, foreground_mask
from core.render.normalise import is_benchmark_style

MIN_FACE_SHARE = 0.02  # faces smaller than this share of the part are not end-face candidates
MIN_HOLE_PIXELS = 20
MAX_FACES = 8
# A face the part reaches less than this far beyond (plane units: pixels) is no prism's end face:
# an isometric picture shows a thin plate's side as a strip at least two pixels wide, and a
# region swept one pixel is a curved face read flat (a shaft's side as a sheet 0.2 % thick
# outscored the shaft itself in a FreeCAD screenshot: 0.005 IoU).
MIN_DEPTH = 2.0
# A body that explains less of the silhouette alone can be the better body of two: an L-bracket's
# base plate, read from its top face with its holes, leaves the upright to a second extrusion and
# together they explain more than the upright's side face swept across the whole part. So the
# body of a two-extrusion explanation is sought among this many single hypotheses, and the best
# MAX_COMPOUNDS pairs (by their joint silhouette fit) join the single prisms. One, not more: every
# extra candidate is one more chance for a wrong part to win render-and-compare (validation sets:
# two pairs cost single-extrusion parts 0.01 IoU for nothing on parts of two or more).
COMPOUND_BODIES = 6
MAX_COMPOUNDS = 1
# ...and only where it explains clearly more than the best single prism: a part one prism
# explains gains nothing from a second reading but one more candidate that can outscore it.
COMPOUND_MARGIN = 0.01
# A boss face whose outline is more than this share arcs is round: its hidden part is not its
# bounding rectangle's (``squared_under``).
ROUND_SHARE = 0.5
FLAT_TOLERANCE = 2  # grey levels: a face on an axis plane, in the benchmark's flat lighting
# Only shaded regions this large are cut off the flat faces: a fillet's strip or a hole's wall is
# too narrow to carry a wrong reading, and cutting it off makes the face beside it lose its
# rounded corners (validation set: a rounded bar lost 0.08 IoU).
SHADED_SHARE = 0.05


@dataclass(frozen=True)
class Segmentation:
    """The part's pixels, the drawn edge lines, and the face regions between them (labels > 0)."""

    part: np.ndarray
    edges: np.ndarray
    labels: np.ndarray
    faces: list[int]  # labels of the sizeable faces, largest first
    # Background-coloured pixels inside the part's outline: what is seen through a hole. A large
    # hole with none is a pocket whose floor shows (``core.search.proposals.pockets``).
    see_through: np.ndarray | None = None


def segment(picture: Image.Image) -> Segmentation:
    part = foreground_mask(picture)
    # Work on the part's box (plus a margin for sweeps and dilations): a third of the pixels, and
    # nothing here depends on where the part sits in the picture.
    rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
    if len(rows) == 0:
        return Segmentation(part, np.zeros_like(part), np.zeros(part.shape, int), [])
    top, left = max(int(rows[0]) - 4, 0), max(int(cols[0]) - 4, 0)
    bottom, right = int(rows[-1]) + 5, int(cols[-1]) + 5
    part = part[top:bottom, left:right]
    see_through = part & background_like(picture)[top:bottom, left:right]
    crop = picture.crop((left, top, left + part.shape[1], top + part.shape[0]))
    edges = line_mask(crop)
    edges &= ndimage.binary_dilation(part, iterations=2)
    if is_benchmark_style(picture):
        edges |= shade_steps(crop, part & ~edges)
    labels, count = ndimage.label(part & ~edges)  # 4-connected: a 1-pixel diagonal line separates
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    areas[0] = 0
    order = np.argsort(-areas)
    total = max(int(part.sum()), 1)
    faces = [int(k) for k in order if areas[k] >= MIN_FACE_SHARE * total][:MAX_FACES]
    return Segmentation(part, edges, labels, faces, see_through)


def line_mask(picture: Image.Image) -> np.ndarray:
    """Where faces meet: drawn lines (black in the benchmark; thin, anti-aliased, dark grey in
    FreeCAD snapshots, so also anything clearly darker than its surroundings) and, away from
    lines, steps in brightness between faces lit differently."""
    grey = np.asarray(picture.convert("L"), dtype=float)
    dark = edge_mask(picture) | (ndimage.grey_closing(grey, size=(5, 5)) - grey > 40)
    steps = np.hypot(ndimage.sobel(grey, 0), ndimage.sobel(grey, 1)) > 80
    return dark | (steps & ~ndimage.binary_dilation(dark, iterations=2))


def shade_steps(picture: Image.Image, faces: np.ndarray) -> np.ndarray:
    """Where a face in the benchmark's flat grey meets a face shaded otherwise, with no line
    between them: the benchmark draws a cylinder's outline only where it is an edge of the solid,
    so a boss's curved side runs into the face it stands on, and read together the two make one
    region whose outline copies the boss's silhouette (read as a thin plate of that outline). In the benchmark's lighting every face on an axis plane has the same grey (the
    commonest one), curved and slanted faces another; the boundary pixels on the flat side
    separate them."""
    grey = np.asarray(picture.convert("L"), dtype=np.int16)
    values = grey[faces]
    if values.size == 0:
        return np.zeros_like(faces)
    flat_grey = int(np.bincount(values.ravel(), minlength=256).argmax())
    flat = faces & (np.abs(grey - flat_grey) <= FLAT_TOLERANCE)
    other, count = ndimage.label(faces & ~flat)
    areas = np.bincount(other.ravel(), minlength=count + 1)
    areas[0] = 0
    large = (areas >= SHADED_SHARE * faces.sum())[other]
    return flat & ndimage.binary_dilation(large, structure=np.ones((3, 3), bool))


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
    predicted: np.ndarray  # the swept face: this prism's silhouette


def hypotheses(seg: Segmentation, views: list[AxisView] | None = None) -> list[Hypothesis]:
    """Every (face, axis) pair, best silhouette fit first."""
    out = []
    for label in seg.faces:
        face, holes = face_masks(seg, label)
        for view in views or all_views():
            depth = depth_of(face, seg.part, view)
            if depth < MIN_DEPTH:
                continue
            predicted = sweep(face, view.depth_shift, depth)
            out.append(Hypothesis(view, label, face, holes, depth, iou(predicted, seg.part), predicted))
    return sorted(out, key=lambda h: -h.fit)


def prism_of(
    h: Hypothesis,
    *,
    height: float = 0.0,
    depth: float | None = None,
    fit: float | None = None,
    operation: str = "new",
    drop_holes: np.ndarray | None = None,
) -> Prism | None:
    """The hypothesis as a sketch on its plane: outline and holes in plane units (pixels), the near
    plane at ``height`` along the normal. Holes mostly inside ``drop_holes`` are left out (what
    looked like a hole is another feature standing there)."""
    inverse = h.view.image_to_plane
    shift = height * h.view.depth_shift
    read = outline_of(h.face, h.view, height)
    if read is None:
        return None
    outline, tol = read
    holes: list[Curve] = []
    for hole in h.holes:
        if drop_holes is not None and (hole & drop_holes).sum() > 0.3 * hole.sum():
            continue
        traced = trace(hole)
        if traced:
            holes.append(curve_from_boundary((traced[0] + shift) @ inverse.T, max(1.0, 0.5 * tol)))
    if isinstance(outline, Loop) and len(outline.segments) < 3:
        return None
    return Prism(
        h.view.axis,
        outline,
        tuple(holes),
        h.depth if depth is None else depth,
        h.fit if fit is None else fit,
        height,
        operation,
    )


def outline_of(face: np.ndarray, view: AxisView, height: float) -> tuple[Curve, float] | None:
    """The outline of the face region ``face`` as a sketch curve on ``view``'s plane at
    ``height`` (plane units), and the fitting tolerance used (holes are fitted at half of it)."""
    boundaries = trace(face)
    if not boundaries:
        return None
    outer = (boundaries[0] + height * view.depth_shift) @ view.image_to_plane.T
    size = float(np.linalg.norm(outer.max(axis=0) - outer.min(axis=0)))
    tol = max(1.2, 0.012 * size)
    return curve_from_boundary(outer, tol), tol


DEPTH_FRACTIONS = (0.06, 0.12, 0.2, 0.3, 0.42, 0.56, 0.72, 0.86, 1.0)
REFINED = 2  # best second features per body whose depth is refined to the pixel
REFINE_SLACK = 0.0005  # silhouette IoU a refined depth may give up (a few pixel rows of a thin face)


def second_features(
    seg: Segmentation, hyps: list[Hypothesis], first: Hypothesis
) -> list[tuple[Hypothesis, float, float]]:
    """Prisms that explain what ``first`` leaves unexplained: (hypothesis, depth, combined fit),
    best first. A boss's depth is the shortest sweep that reaches the best combined silhouette
    (beyond it the sweep only runs inside the body)."""
    residual = seg.part & ~first.predicted
    if residual.sum() < 0.02 * seg.part.sum():
        return []
    out = []
    for h in hyps:
        if h.label == first.label or (h.face & residual).sum() < 0.5 * h.face.sum():
            continue
        found = boss_depth(first.predicted, h, seg.part, first.fit + 0.01)
        if found is not None:
            out.append((h, *found))
    out.sort(key=lambda x: -x[2])
    refined = [(h, *refined_depth(first.predicted, h, seg.part, t, f)) for h, t, f in out[:REFINED]]
    return refined + out[REFINED:]


def boss_depth(
    predicted: np.ndarray, h: Hypothesis, part: np.ndarray, floor: float
) -> tuple[float, float] | None:
    """(depth, combined fit) of ``h``'s face swept onto ``predicted``: the shortest of
    ``DEPTH_FRACTIONS`` of its full depth that reaches the best fit above ``floor``; None when no
    sweep beats ``floor``."""
    best_t, best_fit = None, floor
    for frac in DEPTH_FRACTIONS:
        t = h.depth * frac
        f = iou(predicted | sweep(h.face, h.view.depth_shift, t), part)
        if f > best_fit + 0.003:
            best_t, best_fit = t, f
    return None if best_t is None else (best_t, best_fit)


def refined_depth(
    predicted: np.ndarray, h: Hypothesis, part: np.ndarray, depth: float, fit: float
) -> tuple[float, float]:
    """The boss's depth to within a pixel: the coarse fractions overshoot by up to a step (the
    sweep runs on inside the body's silhouette at no cost), which lifts a boss that stands on
    the body (an upright on its base plate) by the plate's thickness. The shortest sweep between
    the fraction below ``depth`` and ``depth`` whose fit is within ``REFINE_SLACK`` of ``fit``."""
    frac = depth / h.depth
    lower = max((f for f in DEPTH_FRACTIONS if f < frac - 1e-9), default=0.0) * h.depth
    per_px = float(np.abs(h.view.depth_shift).max())
    steps = max(1, min(24, round((depth - lower) * per_px)))
    for t in np.linspace(lower, depth, steps + 1)[1:]:
        f = iou(predicted | sweep(h.face, h.view.depth_shift, float(t)), part)
        if f >= fit - REFINE_SLACK:
            return float(t), f
    return depth, fit


def _top_along(prism: Prism, normal: np.ndarray) -> float:
    """The prism's furthest reach along ``normal`` (world, pixel units)."""
    from core.grounding.views import axis_view

    view = axis_view(prism.axis)
    pts = np.asarray(prism.outline.points())
    base = pts[:, :1] * (view.x_dir @ normal) + pts[:, 1:2] * (view.y_dir @ normal)
    along = view.normal @ normal
    return float(
        max((base + prism.height * along).max(), (base + (prism.height - prism.depth) * along).max())
    )


def recover_parts(
    picture: Image.Image, top: int = 3, camera: Camera | None = None
) -> list[tuple[Prism, ...]]:
    """The parts of ``recover_readings``."""
    return [part for part, _ in recover_readings(picture, top, camera)]


def recover_readings(
    picture: Image.Image, top: int = 3, camera: Camera | None = None
) -> list[tuple[tuple[Prism, ...], bool]]:
    """Explanations of the picture, best first: the ``top`` single prisms, and the best body with
    a second extrusion (a boss on the body, or an upright flush with it; both placements) where a
    single prism leaves part of the silhouette unexplained, its body one of the best
    ``COMPOUND_BODIES`` single prisms, each with whether it rests on a contact the picture does
    not show (``contact_placements``). ``camera``: the view the picture was taken from when not
    the benchmark's (a photo's, estimated)."""
    seg = segment(picture)
    hyps = hypotheses(seg, all_views(camera))
    parts: list[tuple[Prism, ...]] = []
    firsts: list[Hypothesis] = []
    for h in hyps:
        p = prism_of(h)
        if p is not None:
            parts.append((p,))
            firsts.append(h)
        if len(parts) >= max(top, COMPOUND_BODIES):
            break
    compounds: list[tuple[float, list[tuple[tuple[Prism, ...], bool]]]] = []
    for first_h in firsts:
        for h2, depth2, fit in second_features(seg, hyps, first_h)[:1]:
            occluder = sweep(h2.face, h2.view.depth_shift, depth2)
            whole = replace(first_h, face=unoccluded(first_h.face, occluder))
            body = prism_of(whole, drop_holes=occluder)
            if body is not None and fit > firsts[0].fit + COMPOUND_MARGIN:
                boss_h = replace(h2, face=squared_under(h2.face, h2.view, first_h.predicted))
                placed = [(pair, False) for pair in placed_boss(body, boss_h, depth2, fit)]
                placed += [(pair, True) for pair in contact_placements(body, boss_h, depth2, fit)]
                compounds.append((fit, placed))
    compounds.sort(key=lambda c: -c[0])
    merged = [reading for _, placed in compounds[:MAX_COMPOUNDS] for reading in placed]
    merged += [(part, False) for part in parts[:top]]
    merged.sort(key=lambda c: -c[0][-1].fit)
    return merged


def unoccluded(face: np.ndarray, occluder: np.ndarray) -> np.ndarray:
    """``face`` with what ``occluder`` (a second feature's silhouette) hides of it given back: the
    pixels of the face's convex hull that the feature covers. A boss standing at the edge of the
    body's face, or a bar across it, cuts a notch into the face the picture shows, and the body
    read from that face came back notched (a slab with a bar along its front: 0.30 IoU; read
    whole, 0.72), though the sketch under the boss is simply the face's outline continued. A
    true notch the feature does not cover stays."""
    ys, xs = np.nonzero(face)
    if len(xs) < 3:
        return face
    points = np.column_stack([xs, ys]).astype(float)
    try:
        corners = points[ConvexHull(points).vertices]
    except QhullError:  # a face one pixel thin: nothing to give back
        return face
    hull = Image.new("1", (face.shape[1], face.shape[0]), 0)
    ImageDraw.Draw(hull).polygon([tuple(p) for p in corners], fill=1, outline=1)
    return face | (np.asarray(hull, bool) & occluder)


def squared_under(face: np.ndarray, view: AxisView, occluder: np.ndarray) -> np.ndarray:
    """``face`` with the part of its bounding rectangle (on its sketch plane) that ``occluder``
    (the body's silhouette) covers given back. A pedestal under a table top shows its side face
    cut off by the top's edge, a slanted line across its upper corners; read as drawn, its top
    came back slanted, meeting the top at one corner, and wherever it was slid along the line
    of sight it stood off the top or leaned (0.38 IoU). The side of a boss hidden by the body
    is most often the rectangle's side continued; a face whose outline is mostly arcs keeps its
    own (a flange's rim hidden by its sleeve is no rectangle's)."""
    ys, xs = np.nonzero(face)
    read = outline_of(face, view, 0.0) if len(xs) >= 3 else None
    if read is None or not isinstance(read[0], Loop) or arc_share(read[0]) > ROUND_SHARE:
        return face
    uv = np.column_stack([xs, ys]).astype(float) @ view.image_to_plane.T
    (u0, v0), (u1, v1) = uv.min(axis=0), uv.max(axis=0)
    corners = np.array([(u0, v0), (u1, v0), (u1, v1), (u0, v1)]) @ view.plane_to_image.T
    box = Image.new("1", (face.shape[1], face.shape[0]), 0)
    ImageDraw.Draw(box).polygon([tuple(p) for p in corners], fill=1, outline=1)
    return face | (np.asarray(box, bool) & occluder)


def arc_share(loop: Loop) -> float:
    """The share of ``loop``'s length (arcs measured along their two chords) that is arcs."""
    arcs = total = 0.0
    here = np.asarray(loop.start, float)
    for s in (*loop.segments, loop.start):
        if isinstance(s, Arc):
            mid, end = np.asarray(s.mid, float), np.asarray(s.end, float)
            length = float(np.linalg.norm(mid - here) + np.linalg.norm(end - mid))
            arcs += length
        else:
            end = np.asarray(s, float)
            length = float(np.linalg.norm(end - here))
        total += length
        here = end
    return arcs / total if total > 0 else 0.0


def placed_boss(body: Prism, h: Hypothesis, depth: float, fit: float) -> list[tuple[Prism, Prism]]:
    """The second extrusion ``h`` standing on ``body``, as (body, boss) pairs. The picture fixes
    where the boss's end face is drawn, not how far it lies from the eye: one image, many
    placements along the line of sight, drawn alike except where they meet the body. So both
    readings are offered, for render-and-compare to choose: its far end on the body's top plane
    (a boss on the body), and on the body's bottom plane (an upright flush with its base plate's
    underside), where the body is grown to reach under the boss: the picture could not show the
    body's end hidden behind it, and without it the two would only touch. A round body with a
    boss whose rim is an arc round the body's axis is a coaxial stack (a flange under a sleeve,
    a shaft's step), and coaxiality fixes the placement: that reading alone is offered
    (``completion.coaxial``); so is a round boss on a body read as a crescent (a sleeve on its
    flange, the flange the larger face)."""
    normal = axis_of(h)
    top, bottom = _top_along(body, normal), -_top_along(body, -normal)
    on_top = _on_top(body, h, depth, fit)
    if on_top is not None:
        stacked = coaxial(body, on_top)
        if stacked is not None:
            return [stacked]
        flipped = coaxial(on_top, body)  # a round boss on a body read as a crescent (the flange)
        if flipped is not None:
            boss_, body_ = flipped
            back = body.height - body_.height  # the body stays where it was read; the boss follows
            return [(slid(body_, back), slid(boss_, back))]
    out = []
    for level in (top, bottom) if top - bottom > 1 else (top,):
        boss = (
            on_top
            if level == top
            else prism_of(h, height=level + depth, depth=depth, fit=fit, operation="union")
        )
        if boss is None:
            continue
        grown = body if level == top else absorb(body, boss) or body
        out.append((grown, boss))
    return out


def contact_placements(body: Prism, h: Hypothesis, depth: float, fit: float) -> list[tuple[Prism, Prism]]:
    """The boss of ``placed_boss`` slid along the line of sight until it meets the body face to
    face across a world axis (``compose.contact_slides``): a block on a tube's side only touched
    the tube's tangent plane, a pedestal under a table top stood off it (two solids, rejected).
    None for a coaxial stack, whose placement coaxiality fixes."""
    on_top = _on_top(body, h, depth, fit)
    if on_top is None or coaxial(body, on_top) is not None or coaxial(on_top, body) is not None:
        return []
    return [(body, slid(on_top, t)) for t in contact_slides(body, on_top)]


def _on_top(body: Prism, h: Hypothesis, depth: float, fit: float) -> Prism | None:
    """``h`` swept ``depth`` with its far end on ``body``'s furthest reach along its normal."""
    top = _top_along(body, axis_of(h))
    return prism_of(h, height=top + depth, depth=depth, fit=fit, operation="union")


def axis_of(h: Hypothesis) -> np.ndarray:
    return h.view.normal


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


__all__ = [
    "Circle",
    "Hypothesis",
    "Prism",
    "Segmentation",
    "hypotheses",
    "prism_of",
    "recover",
    "recover_parts",
    "recover_readings",
    "segment",
]
