"""Edits of a candidate's structure, each a new tuple of prisms with a short name saying what
changed. Residual-driven edits come first (they are the likely ones, and a small budget runs only
the head of the list): holes the picture shows on faces the candidate leaves whole, material the
candidate misses (a further extrusion), a later feature dropped or absorbed into the body, small
arcs made corners, union and cut switched, the body read along another axis; then small moves (an outline edge, a hole's
size, a depth) that named-dimension fitting cannot make."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from core.grounding.completion import coaxial, completions, outline_points
from core.grounding.compose import absorb, slid, world_points
from core.grounding.contour import curve_from_boundary, fit_circle, sharpened, trace
from core.grounding.recover import (
    DEPTH_FRACTIONS,
    face_masks,
    iou,
    outline_of,
    prism_of,
    sweep,
    unoccluded,
)
from core.grounding.sketch import Arc, Circle, Curve, Loop, Point, Prism
from core.grounding.views import AXES, axis_view
from core.search.scene import Scene, curve_mask, image_points, silhouette

Part = tuple[Prism, ...]
Proposal = tuple[str, Part]

EDGE_STEPS = (0.04, -0.04)  # share of the body's size an outline edge moves by
HOLE_STEPS = (1.15, 0.87)
HOLE_MOVE = 0.03  # share of the outline's size a hole moves by
DEPTH_STEPS = (1.12, 0.89)
MAX_LEVELS = 3  # planes a hole on another face may start from (highest first)
ROUND_RMS = 0.12  # RMS radial deviation (share of the radius) still read as a circle
SAME_HOLE_PX = 3.0  # a picture hole this close to a candidate's hole is already explained
# How deep a hole on another face is cut, in its own widths (never past the part): the picture
# shows only its mouth, and a boss's end read as a hole costs far less cut blind than through.
SIDE_HOLE_DEPTH = 1.5
POCKET_SHARE = 0.15  # a hole this large a share of its outline's area may be a pocket
POCKET_DEPTHS = (0.25, 0.5, 0.8)  # shares of the feature's depth a pocket is tried at
MAX_POCKETS = 1  # the largest such holes of a feature tried
SEE_THROUGH = 0.02  # share of a hole's pixels showing background from which it is a hole through
SMALL_ARC = 0.1  # arcs with a chord below this share of their outline's size may be corners
UNCOVERED_SHARE = 0.02  # share of a face a new feature must hide for the face to be continued under it


def propose(part: Part, scene: Scene) -> list[Proposal]:
    """Every edit of ``part``, likely ones first; parts that repeat are left to the caller."""
    out: list[Proposal] = []
    for make in (
        side_holes,
        round_features,
        pockets,
        more_extrusions,
        drop_features,
        sharp_corners,
        switch_operations,
        other_axes,
        slides,
        nudges,
    ):
        out += make(part, scene)
    return out


# -- residual-driven ----------------------------------------------------------------------------


def side_holes(part: Part, scene: Scene) -> list[Proposal]:
    """Holes the picture shows in a face that the candidate does not have: cut into the part
    from one of its planes along the axis whose plane makes the hole a circle (all three axes
    when none does, e.g. a slot), ``SIDE_HOLE_DEPTH`` widths deep or through, whichever is less.
    Which plane and axis are right, render-and-compare decides."""
    known = _hole_centres(part)
    out: list[Proposal] = []
    for label in scene.seg.faces:
        _face, holes = face_masks(scene.seg, label)
        holes = [h for h in holes if not _explained(h, known)]
        if not holes:
            continue
        for axis in _hole_axes(holes[0]):
            view = axis_view(axis)
            levels = _levels(part, view.normal)
            for level in levels[:MAX_LEVELS]:
                cuts = _cuts(holes, axis, level, level - levels[-1])
                if cuts:
                    out.append((f"hole in the {axis} face at {level:.0f}", part + tuple(cuts)))
    return out


def _hole_axes(hole: np.ndarray) -> list[str]:
    traced = trace(hole)
    if not traced:
        return []
    round_in = []
    for axis in AXES:
        inverse = axis_view(axis).image_to_plane
        if isinstance(curve_from_boundary(traced[0] @ inverse.T, 1.0), Circle):
            round_in.append(axis)
    return round_in or list(AXES)


def _cuts(holes: list[np.ndarray], axis: str, level: float, depth: float) -> list[Prism]:
    if depth <= 1:
        return []
    view = axis_view(axis)
    out = []
    for hole in holes:
        traced = trace(hole)
        if not traced:
            continue
        curve = _round_hole((traced[0] + level * view.depth_shift) @ view.image_to_plane.T)
        if isinstance(curve, Loop) and len(curve.segments) < 3:
            continue
        points = np.asarray(curve.points(), float)
        width = float((points.max(axis=0) - points.min(axis=0)).max())
        out.append(Prism(axis, curve, (), min(depth, SIDE_HOLE_DEPTH * width), 0.0, level, "cut"))
    return out


def _round_hole(points: np.ndarray) -> Curve:
    """A hole that is nearly round is a drilled hole (a circle) even where an edge line touching
    it bent its traced boundary; anything else keeps its lines and arcs."""
    centre, radius, rms = fit_circle(points)
    if rms < ROUND_RMS * radius:
        return Circle(centre, radius)
    return curve_from_boundary(points, 1.0)


def _levels(part: Part, normal: np.ndarray) -> list[float]:
    """Distinct heights of the solid's corners along ``normal``, highest first."""
    values = sorted({round(float(v)) for p in part if p.operation != "cut" for v in world_points(p) @ normal})
    out: list[float] = []
    for v in reversed(values):
        if not out or out[-1] - v > 2:
            out.append(float(v))
    return out


def _hole_centres(part: Part) -> list[np.ndarray]:
    centres = []
    for prism in part:
        curves: list[Curve] = list(prism.holes) + ([prism.outline] if prism.operation == "cut" else [])
        view = axis_view(prism.axis)
        for c in curves:
            pts = np.asarray(c.points(), float)
            centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
            centres.append(centre @ view.plane_to_image.T - prism.height * view.depth_shift)
    return centres


def _explained(hole: np.ndarray, known: list[np.ndarray]) -> bool:
    ys, xs = np.nonzero(hole)
    centre = np.array([xs.mean(), ys.mean()])
    return any(np.linalg.norm(centre - k) < SAME_HOLE_PX + 0.3 * np.sqrt(hole.sum()) for k in known)


def unguarded(name: str) -> bool:
    """Whether the edit ``name`` restores a shape the picture shows only in part: a crescent made
    the full circle coaxial with its round neighbour (one completed round its own arc is only a
    guess and stays guarded). Such an edit may cover less of the picture's silhouette where the
    part has more steps than were read, yet be the better solid (a stepped shaft: 0.37 -> 0.70
    IoU with 0.008 less silhouette), so the search's guard against distorting edits that buy the
    match's edge term (the silhouette must not fall) does not apply to it."""
    return ": outline completed to a circle (coaxial" in name


def supersedes(name: str) -> bool:
    """Whether the edit ``name``, once kept, replaces the part it was made from: a crescent
    completed coaxially, a hole the picture shows a floor in made a pocket. Both correct a reading the
    picture itself contradicts, so the parent's other kept edits (an edge nudged, a depth
    changed: the wrong reading fitted closer) stop competing with it. Render-and-compare
    barely separates them (a tray read as a frame: its pocket 0.979, the frame made 4 % thinner
    0.980; IoU 0.70 against 0.05)."""
    return unguarded(name) or " a pocket " in name


def round_features(part: Part, scene: Scene) -> list[Proposal]:
    """A feature read as a crescent made the full circle its rim is part of
    (``core.grounding.completion``): the lower disk of a stack shows only the ring the disk above
    leaves visible."""
    return list(completions(part))


def more_extrusions(part: Part, scene: Scene, keep: int = 2) -> list[Proposal]:
    """A further extrusion standing on the part where its silhouette misses the picture's: the
    face regions lying mostly in the residual, each swept just far enough to explain it best."""
    seg = scene.seg
    predicted = silhouette(part, seg.part.shape)
    residual = seg.part & ~predicted
    if residual.sum() < 0.02 * seg.part.sum():
        return []
    base = iou(predicted, seg.part)
    found: list[tuple[float, Proposal]] = []
    for h in scene.hyps:
        if (h.face & residual).sum() < 0.5 * h.face.sum():
            continue
        best_t, best_fit = None, base + 0.01
        for frac in DEPTH_FRACTIONS:
            t = h.depth * frac
            f = iou(predicted | sweep(h.face, h.view.depth_shift, t), seg.part)
            if f > best_fit + 0.003:
                best_t, best_fit = t, f
        if best_t is None:
            continue
        top = max(_levels(part, h.view.normal))
        prism = prism_of(h, height=top + best_t, depth=best_t, fit=best_fit, operation="union")
        if prism is not None:
            stacked = _stacked(part, prism)
            if stacked is None:
                stacked = (
                    f"extrusion along {h.view.axis}",
                    (*_uncovered(part, prism, seg.part.shape), prism),
                )
            found.append((best_fit, stacked))
    found.sort(key=lambda f: -f[0])
    return [p for _, p in found[:keep]]


def _uncovered(part: Part, prism: Prism, shape: tuple[int, int]) -> Part:
    """``part`` with each feature's outline continued under ``prism`` where the new feature hides
    a notch of its near face (``recover.unoccluded``): the face was read as the picture shows it,
    and the notch is the new feature standing in front of it."""
    occluder = silhouette((prism,), shape)
    out = list(part)
    for i, p in enumerate(part):
        if p.operation == "cut":
            continue
        face = curve_mask(p.outline, p.axis, p.height, shape)
        whole = unoccluded(face, occluder)
        if (whole & ~face).sum() < UNCOVERED_SHARE * face.sum():
            continue
        read = outline_of(whole, axis_view(p.axis), p.height)
        if read is not None and not (isinstance(read[0], Loop) and len(read[0].segments) < 3):
            out[i] = replace(p, outline=read[0])
    return tuple(out)


def _stacked(part: Part, prism: Prism) -> Proposal | None:
    """``prism`` added as a coaxial stack with the first round feature whose axis its rim is
    centred on (``completion.coaxial``, as the grounding reads a second extrusion): a shaft's
    third step is the ring its second leaves visible."""
    for j, other in enumerate(part):
        stacked = coaxial(other, prism)
        if stacked is not None:
            grown, moved = stacked
            name = f"extrusion along {prism.axis}, coaxial with feature {j}"
            return name, (*_replaced(part, j, grown), moved)
    return None


# -- structural -----------------------------------------------------------------------------------


def pockets(part: Part, scene: Scene) -> list[Proposal]:
    """Each large hole through which the picture shows no background made a pocket of a few
    depths: a floor seen through the mouth (a tray's, a wheel's web) is read as another face, and
    the pocket was read as a hole through the part (a tray came back as a frame, 0.05 IoU).
    Render-and-compare cannot tell the two apart by the outline (the background seen through a
    hole counts as part of the silhouette), so the picture's own pixels decide which holes may
    be pockets, and a kept pocket supersedes its siblings (``supersedes``)."""
    out: list[Proposal] = []
    for i, prism in enumerate(part):
        if prism.operation == "cut":
            continue
        area = _area(prism.outline)
        large = [
            j
            for j, h in enumerate(prism.holes)
            if _area(h) >= POCKET_SHARE * area and not sees_through(scene, prism, h)
        ]
        for j in sorted(large, key=lambda j: -_area(prism.holes[j]))[:MAX_POCKETS]:
            holes = prism.holes[:j] + prism.holes[j + 1 :]
            for share in POCKET_DEPTHS:
                cut = Prism(
                    prism.axis, prism.holes[j], (), share * prism.depth, prism.fit, prism.height, "cut"
                )
                name = f"hole {j} of feature {i} a pocket {share:.0%} deep"
                out.append((name, (*_replaced(part, i, replace(prism, holes=holes)), cut)))
    return out


def sees_through(scene: Scene, prism: Prism, hole: Curve) -> bool:
    """Whether the picture shows background inside ``hole`` (at ``prism``'s near plane): a hole
    through the part. A pocket shows its floor and walls there instead."""
    see_through = scene.seg.see_through
    if see_through is None:
        return True  # nothing known: leave it a hole
    inside = curve_mask(hole, prism.axis, prism.height, see_through.shape)
    return bool(inside.any()) and see_through[inside].mean() >= SEE_THROUGH


def _area(curve: Curve) -> float:
    if isinstance(curve, Circle):
        return float(np.pi * curve.radius**2)
    pts = outline_points(curve)
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def drop_features(part: Part, scene: Scene) -> list[Proposal]:
    """Each later feature left out, and left out with the body grown to cover where it stood (a
    rounded corner read as a boss: the body only stopped short of it); each hole left out."""
    out: list[Proposal] = []
    for i in range(1, len(part)):
        rest = part[:i] + part[i + 1 :]
        out.append((f"drop feature {i}", rest))
        if part[i].operation != "cut":
            grown = absorb(part[0], part[i])
            if grown is not None:
                out.append((f"absorb feature {i} into the body", (grown, *rest[1:])))
    for i, prism in enumerate(part):
        for j in range(len(prism.holes)):
            holes = prism.holes[:j] + prism.holes[j + 1 :]
            out.append((f"drop hole {j} of feature {i}", _replaced(part, i, replace(prism, holes=holes))))
    return out


def sharp_corners(part: Part, scene: Scene) -> list[Proposal]:
    """Each feature with its small arcs made corners, all at once (``contour.sharpened``): a
    ribbed plate's outline came back with a half circle on every rib and rounded plate corners
    (0.59 IoU; the sketch's own corners 0.90), and straightening one arc at a time rarely buys
    enough match to be kept, nor does the budget reach them all."""
    out: list[Proposal] = []
    for i, prism in enumerate(part):
        if not isinstance(prism.outline, Loop):
            continue
        (x0, y0), (x1, y1) = prism.bounds()
        outline = sharpened(prism.outline, SMALL_ARC * max(x1 - x0, y1 - y0))
        if outline is not None and len(outline.segments) >= 3:
            out.append(
                (f"feature {i}: small arcs made corners", _replaced(part, i, replace(prism, outline=outline)))
            )
    return out


def switch_operations(part: Part, scene: Scene) -> list[Proposal]:
    """A boss made a cut of the same prism sunk into the part from where it stood, and back: the
    cut's near plane is the boss's far plane."""
    out: list[Proposal] = []
    for i in range(1, len(part)):
        p = part[i]
        if p.operation == "union":
            flipped = replace(p, operation="cut", height=p.height - p.depth)
        else:
            flipped = replace(p, operation="union", height=p.height + p.depth)
        out.append((f"feature {i} {p.operation} -> {flipped.operation}", _replaced(part, i, flipped)))
    return out


def other_axes(part: Part, scene: Scene) -> list[Proposal]:
    """The body read along each other axis (its best face for that axis), later features kept
    where they still stand on it."""
    out: list[Proposal] = []
    for axis in AXES:
        if axis == part[0].axis:
            continue
        for h in scene.hyps:
            if h.view.axis != axis:
                continue
            body = prism_of(h)
            if body is not None:
                out.append((f"body along {axis}", (body,)))
                break
    return out


def slides(part: Part, scene: Scene) -> list[Proposal]:
    """A later feature moved along the line of sight onto another plane of the part: the
    picture shows where a feature's face is, not how far from the eye, so a boss read as standing
    on the top of the body may stand on a lower face (an upright on a base plate), and a cut may
    start from a lower face. The feature's picture stays where it is."""
    out: list[Proposal] = []
    for i in range(1, len(part)):
        p = part[i]
        view = axis_view(p.axis)
        others = part[:i] + part[i + 1 :]
        far = p.height - p.depth if p.operation == "union" else p.height  # the end on the part
        for level in _levels(others, view.normal)[:MAX_LEVELS]:
            if abs(level - far) <= 2:
                continue
            moved = slid(p, level - far)
            out.append((f"feature {i} onto the plane at {level:.0f}", _replaced(part, i, moved)))
    return out


# -- small moves ------------------------------------------------------------------------------


def nudges(part: Part, scene: Scene) -> list[Proposal]:
    out: list[Proposal] = []
    for i, prism in enumerate(part):
        out += [(f"feature {i}: {name}", _replaced(part, i, p)) for name, p in _edge_moves(prism)]
        for j, hole in enumerate(prism.holes):
            if isinstance(hole, Circle):
                for k in HOLE_STEPS:
                    holes = (*prism.holes[:j], replace(hole, radius=hole.radius * k), *prism.holes[j + 1 :])
                    out.append(
                        (f"feature {i}: hole {j} x{k}", _replaced(part, i, replace(prism, holes=holes)))
                    )
        if isinstance(prism.outline, Circle) and prism.operation == "cut":
            for k in HOLE_STEPS:
                o = replace(prism.outline, radius=prism.outline.radius * k)
                out.append((f"feature {i}: diameter x{k}", _replaced(part, i, replace(prism, outline=o))))
        out += [(f"feature {i}: {name}", _replaced(part, i, p)) for name, p in _straightened(prism)]
        out += [(f"feature {i}: {name}", _replaced(part, i, p)) for name, p in _hole_moves(prism)]
        for k in DEPTH_STEPS:
            grown = replace(prism, depth=prism.depth * k)
            if prism.operation == "union" and i > 0:
                grown = replace(grown, height=prism.height - prism.depth + grown.depth)  # stays on the body
            out.append((f"feature {i}: depth x{k}", _replaced(part, i, grown)))
    return out


def _straightened(prism: Prism) -> Iterator[tuple[str, Prism]]:
    """Each arc of the outline made a straight line (a rounded edge of another face can bend
    the traced outline where the sketch has a corner)."""
    loop = prism.outline
    if not isinstance(loop, Loop):
        return
    for k, seg in enumerate(loop.segments):
        if isinstance(seg, Arc):
            segments = (*loop.segments[:k], seg.end, *loop.segments[k + 1 :])
            yield f"arc {k} straightened", replace(prism, outline=Loop(loop.start, segments))


def _hole_moves(prism: Prism) -> Iterator[tuple[str, Prism]]:
    """Each round hole (or a round cut) moved a little along the plane's two directions."""
    (x0, y0), (x1, y1) = prism.bounds()
    step = HOLE_MOVE * max(x1 - x0, y1 - y0)
    shifts = ((step, 0.0), (-step, 0.0), (0.0, step), (0.0, -step))
    for j, hole in enumerate(prism.holes):
        if isinstance(hole, Circle):
            for du, dv in shifts:
                moved = replace(hole, center=(hole.center[0] + du, hole.center[1] + dv))
                holes = (*prism.holes[:j], moved, *prism.holes[j + 1 :])
                yield f"hole {j} moved ({du:+.0f}, {dv:+.0f})", replace(prism, holes=holes)


def _edge_moves(prism: Prism) -> Iterator[tuple[str, Prism]]:
    """Each straight outline edge moved along its normal (both ends), out and in; an arc that
    shares a moved end keeps its shape roughly (its middle point moves half as far)."""
    loop = prism.outline
    if not isinstance(loop, Loop) or len(loop.segments) > 16:
        return
    nodes = [loop.start] + [s.end if isinstance(s, Arc) else s for s in loop.segments]
    closed = np.allclose(nodes[-1], nodes[0])
    (x0, y0), (x1, y1) = prism.bounds()
    size = max(x1 - x0, y1 - y0)
    for k, seg in enumerate(loop.segments):
        if isinstance(seg, Arc):
            continue
        a, b = np.asarray(nodes[k], float), np.asarray(nodes[k + 1], float)
        length = float(np.linalg.norm(b - a))
        if length < 1e-6:
            continue
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / length
        ends = {k, k + 1}
        if closed and ends & {0, len(nodes) - 1}:
            ends |= {0, len(nodes) - 1}
        for step in EDGE_STEPS:
            yield (
                f"edge {k} moved {step:+.0%}",
                replace(prism, outline=_moved_nodes(loop, ends, normal * step * size)),
            )


def _moved_nodes(loop: Loop, ends: set[int], offset: np.ndarray) -> Loop:
    def at(p: Point, share: float = 1.0) -> Point:
        return (float(p[0] + share * offset[0]), float(p[1] + share * offset[1]))

    start = at(loop.start) if 0 in ends else loop.start
    segments: list[Point | Arc] = []
    for i, s in enumerate(loop.segments, start=1):
        moved_end = i in ends
        if isinstance(s, Arc):
            touches = moved_end or (i - 1) in ends
            mid = at(s.mid, 0.5) if touches else s.mid
            segments.append(Arc(mid, at(s.end) if moved_end else s.end))
        else:
            segments.append(at(s) if moved_end else s)
    return Loop(start, tuple(segments))


def _replaced(part: Part, i: int, prism: Prism) -> Part:
    return (*part[:i], prism, *part[i + 1 :])


def image_centre(prism: Prism) -> np.ndarray:
    """Where the outline's centre falls in the picture (for tests and logs)."""
    return image_points(prism).mean(axis=0)
