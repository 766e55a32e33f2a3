"""Round features completed: a crescent read off the picture made the full circle it is part of.

A flange under a sleeve, the lower step of a stepped shaft, a pulley's rim: the picture shows
only the ring of the lower disk's end face that the part above leaves visible, and from the eye
that ring is cut by the upper cylinder into a crescent. Read as drawn, the feature becomes a
crescent-shaped prism (a flange with a slit, a shaft with a groove). Its outer rim is still an
arc of the true circle, and in a part of stacked round features the circle is coaxial with the
round feature above it, which also fixes how far from the eye the disk stands. The grounding reads
a round body with such a boss as that coaxial stack (``recover.placed_boss``); the structure
search offers both completions, coaxial and round the feature's own arc, to render-and-compare.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from core.grounding.compose import slid
from core.grounding.sketch import Arc, Circle, Loop, Point, Prism
from core.grounding.views import axis_view
from core.program.part_ir import arc_center

RIM = 1.06  # the outline stays within this share of the completed circle's radius
COAXIAL = 0.3  # an arc whose centre lies this close (share of the radius) to a round neighbour's
MIN_TURN = math.radians(60)  # arcs turning less than this say little about their centre
SAMPLES = 12  # points per arc when measuring how far an outline reaches

Part = tuple[Prism, ...]


def completions(part: Part) -> Iterator[tuple[str, Part]]:
    """``(name, part)`` for each feature of ``part`` whose outline is part of a circle, made that
    circle: coaxial with each round neighbour on its axis (``coaxial``), and round its own arcs."""
    for i, prism in enumerate(part):
        if not isinstance(prism.outline, Loop) or prism.outline.n_arcs == 0:
            continue
        seen: list[Circle] = []
        for j, other in enumerate(part):
            done = coaxial(other, prism) if j != i else None
            if done is not None and _new(done[1].outline, seen):
                grown, feature = done
                edited = tuple(grown if k == j else feature if k == i else p for k, p in enumerate(part))
                yield f"feature {i}: outline completed to a circle (coaxial with feature {j})", edited
        points = outline_points(prism.outline)
        for centre, r in _arcs(prism.outline):
            circle = Circle(_pt(centre), r)
            if float(np.linalg.norm(points - centre, axis=1).max()) <= RIM * r and _new(circle, seen):
                edited = tuple(replace(p, outline=circle) if k == i else p for k, p in enumerate(part))
                yield f"feature {i}: outline completed to a circle (its arc's)", edited


def coaxial(round_: Prism, feature: Prism) -> tuple[Prism, Prism] | None:
    """``(round_, feature)`` made a coaxial stack, or None when ``feature`` has no arc centred
    near ``round_``'s axis (wherever along the line of sight it stands). The feature is slid
    along its normal (its picture kept, ``compose.slid``) until that arc is centred on the axis,
    and becomes the circle of that arc (the largest such: the rim; a smaller one is where the
    round neighbour hides the ring, and the outline's horns run up its sides). ``round_`` stops
    at the feature's far plane when it ran on past it (a sleeve read as deep as the whole part,
    flange included, would stick out under the flange where the picture cannot show it). Holes read in the ring
    stay (a flange's bolt holes), slivers of fewer than three sides go, and ``round_``'s holes
    run on through the feature: a bushing's bore goes through its flange (stopped at the
    flange, the bore of our test bushing left it at 0.77 IoU instead of 0.98)."""
    if (
        not isinstance(round_.outline, Circle)
        or not isinstance(feature.outline, Loop)
        or round_.axis != feature.axis
    ):
        return None
    view = axis_view(feature.axis)
    along = view.image_to_plane @ view.depth_shift  # plane shift per unit of slide
    axis = np.asarray(round_.outline.center, float)
    for centre, r in sorted(_arcs(feature.outline), key=lambda a: -a[1]):
        slide = float((axis - centre) @ along / (along @ along))
        if np.linalg.norm(centre + slide * along - axis) >= COAXIAL * r:
            continue
        moved = slid(feature, slide)
        holes = tuple(h for h in moved.holes if isinstance(h, Circle) or len(h.segments) >= 3)
        holes += round_.holes
        moved = replace(moved, outline=Circle(_pt(axis), r), holes=holes)
        far = moved.height - moved.depth
        if round_.height - round_.depth < far < round_.height:
            round_ = replace(round_, depth=round_.height - far)
        return round_, moved
    return None


def _new(circle: Circle, seen: list[Circle]) -> bool:
    """Whether ``circle`` differs from those ``seen`` (and remember it)."""
    for other in seen:
        if math.dist(other.center, circle.center) < 0.05 * circle.radius and (
            abs(other.radius - circle.radius) < 0.05 * circle.radius
        ):
            return False
    seen.append(circle)
    return True


def _arcs(loop: Loop) -> Iterator[tuple[np.ndarray, float]]:
    """(centre, radius) of each arc of the loop that turns enough to place its centre."""
    prev = loop.start
    for s in loop.segments:
        if isinstance(s, Arc):
            c = arc_center(prev, s.mid, s.end)
            if c is not None:
                centre = np.asarray(c, float)
                r = math.dist(prev, c)
                if r > 0 and abs(_sweep(prev, s.mid, s.end, c)[1]) >= MIN_TURN:
                    yield centre, r
            prev = s.end
        else:
            prev = s


def _sweep(a: Point, m: Point, b: Point, centre: Point) -> tuple[float, float]:
    """(start angle, signed sweep) of the arc from a through m to b round ``centre``."""
    cx, cy = centre
    t0, tm, t1 = (math.atan2(p[1] - cy, p[0] - cx) for p in (a, m, b))
    sweep = (t1 - t0) % (2 * math.pi)
    if (tm - t0) % (2 * math.pi) > sweep:  # through m the other way round
        sweep -= 2 * math.pi
    return t0, sweep


def outline_points(loop: Loop) -> np.ndarray:
    """The loop's vertices with each arc sampled: how far the outline really reaches."""
    out: list[Point] = [loop.start]
    prev = loop.start
    for s in loop.segments:
        if isinstance(s, Arc):
            out += _arc_points(prev, s.mid, s.end)
            prev = s.end
        else:
            out.append(s)
            prev = s
    return np.asarray(out, float)


def _arc_points(a: Point, m: Point, b: Point) -> list[Point]:
    centre = arc_center(a, m, b)
    if centre is None:
        return [m, b]
    t0, sweep = _sweep(a, m, b, centre)
    r = math.dist(a, centre)
    ts = (t0 + sweep * k / SAMPLES for k in range(1, SAMPLES + 1))
    return [(centre[0] + r * math.cos(t), centre[1] + r * math.sin(t)) for t in ts]


def _pt(p: np.ndarray) -> Point:
    return (float(p[0]), float(p[1]))
