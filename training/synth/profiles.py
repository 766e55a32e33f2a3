"""Outer boundaries of sketches: the closed shapes GenCAD-Code's sketches are made of.

Every profile lies in the rectangle [0, w] x [0, h] of its sketch plane (the dataset also draws
from the plane's origin), is a simple closed curve and is built from lines, three-point arcs and
circles only. Sizes and points are snapped to the caller's grid.
"""

from __future__ import annotations

import math

import numpy as np

from core.program.part_ir import ArcTo, Circle, Curve, Loop, Vec2, loop_through, polygon
from training.synth.numbers import snap, snap_min

_SQRT_HALF = math.sqrt(0.5)


def rectangle(w: float, h: float) -> Loop:
    return polygon([(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)])


def notched_rectangle(rng: np.random.Generator, w: float, h: float, q: float) -> Loop:
    """L, T, U, Z and stepped outlines: a rectangle with corner and edge notches cut away."""
    corners = {"br": (w, 0.0), "tr": (w, h), "tl": (0.0, h), "bl": (0.0, 0.0)}
    order = ["bl", "br", "tr", "tl"]  # counter-clockwise
    n_notches = int(rng.choice([1, 1, 1, 2, 2, 3]))
    notched = set(rng.choice(order, size=n_notches, replace=False).tolist())
    a_max, b_max = 0.45 if n_notches > 1 else 0.7, 0.45 if n_notches > 1 else 0.7
    pts: list[Vec2] = []
    for name in order:
        x, y = corners[name]
        if name not in notched:
            pts.append((x, y))
            continue
        a = snap_min(w * rng.uniform(0.15, a_max), q)
        b = snap_min(h * rng.uniform(0.15, b_max), q)
        sx = -1.0 if x > 0 else 1.0  # step towards the inside
        sy = -1.0 if y > 0 else 1.0
        inner = (x + sx * a, y + sy * b)
        if name in ("br", "tl"):  # arriving along x, leaving along y
            pts += [(inner[0], y), inner, (x, inner[1])]
        else:  # arriving along y, leaving along x
            pts += [(x, inner[1]), inner, (inner[0], y)]
    if not notched & {"tr", "tl"} and rng.random() < 0.5:
        pts = _top_edge_notch(rng, pts, w, h, q)
    return polygon(_dedupe(pts))


def _top_edge_notch(rng: np.random.Generator, pts: list[Vec2], w: float, h: float, q: float) -> list[Vec2]:
    """A U: a slot cut into the middle of the top edge (between the tr and tl corners)."""
    x1 = snap(w * rng.uniform(0.55, 0.8), q)
    x0 = snap(w * rng.uniform(0.2, 0.45), q)
    floor = max(y for _, y in pts if y < h)  # the highest bottom notch: the slot must stay above it
    depth = snap_min((h - floor) * rng.uniform(0.2, 0.75), q)
    i = pts.index((w, h)) + 1
    return [*pts[:i], (x1, h), (x1, h - depth), (x0, h - depth), (x0, h), *pts[i:]]


def rounded_rectangle(w: float, h: float, r: float) -> Loop:
    """Lines along the sides and a quarter ``threePointArc`` at each corner."""
    k = r * (1 - _SQRT_HALF)
    steps = (
        (w - r, 0.0),
        ArcTo((w - k, k), (w, r)),
        (w, h - r),
        ArcTo((w - k, h - k), (w - r, h)),
        (r, h),
        ArcTo((k, h - k), (0.0, h - r)),
        (0.0, r),
        ArcTo((k, k), (r, 0.0)),
    )
    return loop_through((r, 0.0), steps)


def obround(w: float, h: float) -> Loop:
    """A slot outline: two half circles joined by straight sides (w >= h)."""
    r = h / 2
    return loop_through(
        (r, 0.0), ((w - r, 0.0), ArcTo((w, r), (w - r, h)), (r, h), ArcTo((0.0, r), (r, 0.0)))
    )


def arch(w: float, h: float, bulge: float) -> Loop:
    """A rectangle whose top side is an arc rising ``bulge`` above the straight sides."""
    side = h - bulge
    return loop_through((0.0, 0.0), ((w, 0.0), (w, side), ArcTo((w / 2, h), (0.0, side)), (0.0, 0.0)))


def regular_polygon(sides: int, w: float, q: float) -> Loop:
    r = w / 2
    pts = [
        (
            snap(r + r * math.cos(2 * math.pi * k / sides), q / 4),
            snap(r + r * math.sin(2 * math.pi * k / sides), q / 4),
        )
        for k in range(sides)
    ]
    return polygon(pts)


def circle(w: float) -> Circle:
    return Circle((w / 2, w / 2), w / 2)


PROFILE_KINDS = ("rectangle", "notched", "rounded", "obround", "arch", "polygon", "circle")
_WEIGHTS = (0.34, 0.2, 0.1, 0.06, 0.06, 0.04, 0.2)


def random_profile(
    rng: np.random.Generator, w: float, h: float, q: float, kind: str | None = None
) -> tuple[str, Curve]:
    """A profile of the given kind (or a random one) fitting in [0, w] x [0, h]."""
    kind = kind or str(rng.choice(PROFILE_KINDS, p=_WEIGHTS))
    if kind == "rectangle":
        return kind, rectangle(w, h)
    if kind == "notched":
        return kind, notched_rectangle(rng, w, h, q)
    if kind == "rounded":
        r = snap(min(w, h) * rng.uniform(0.08, 0.45), q)
        return kind, rounded_rectangle(w, h, max(r, q))
    if kind == "obround":
        w, h = max(w, h), min(w, h)
        return kind, obround(w, h) if w > h else circle(w)
    if kind == "arch":
        bulge = snap(min(h * 0.8, w / 2) * rng.uniform(0.3, 1.0), q)
        return kind, arch(w, h, max(bulge, q))
    if kind == "polygon":
        return kind, regular_polygon(int(rng.integers(3, 9)), min(w, h), q)
    if kind == "circle":
        return kind, circle(min(w, h))
    raise ValueError(f"unknown profile kind {kind!r}")


def _dedupe(pts: list[Vec2]) -> list[Vec2]:
    out: list[Vec2] = []
    for p in pts:
        if not out or math.dist(out[-1], p) > 1e-9:
            out.append(p)
    if len(out) > 1 and math.dist(out[0], out[-1]) <= 1e-9:
        out.pop()
    return out
