"""Inner loops (holes) inside a sketch's outer boundary: single, grid, bolt-circle or scattered.

Candidates are proposed by pattern and kept only with clearance from the boundary and from each
other, so every sketch stays a valid face (outer wire plus non-touching inner wires).
"""

from __future__ import annotations

import math

import numpy as np

from core.program.part_ir import Arc, ArcTo, Circle, Curve, Vec2, loop_through
from training.synth.geometry2d import clearance, curve_radius, polyline
from training.synth.numbers import snap, snap_min
from training.synth.profiles import obround, rectangle, regular_polygon

HOLE_KINDS = ("circle", "rect", "slot", "polygon")
_KIND_WEIGHTS = (0.72, 0.14, 0.1, 0.04)
PATTERNS = ("single", "grid", "polar", "scatter")
_PATTERN_WEIGHTS = (0.4, 0.2, 0.15, 0.25)


def translate(curve: Curve, dx: float, dy: float, q: float) -> Curve:
    def mv(p: Vec2) -> Vec2:
        return (snap(p[0] + dx, q / 4), snap(p[1] + dy, q / 4))

    if isinstance(curve, Circle):
        return Circle(mv(curve.center), curve.radius)
    steps = [ArcTo(mv(s.mid), mv(s.end)) if isinstance(s, Arc) else mv(s.end) for s in curve.segments]
    return loop_through(mv(curve.start), steps)


def hole_shape(rng: np.random.Generator, kind: str, center: Vec2, size: float, q: float) -> Curve:
    """A hole of overall size ``size`` (diameter or longer side) centred on ``center``."""
    if kind == "circle":
        return Circle(center, snap_min(size / 2, q))
    if kind == "rect":
        w, h = snap_min(size, q), snap_min(size * rng.uniform(0.3, 1.0), q)
        return translate(rectangle(w, h), center[0] - w / 2, center[1] - h / 2, q)
    if kind == "slot":
        w, h = snap_min(size, q), snap_min(size * rng.uniform(0.25, 0.5), q)
        return translate(obround(w, h), center[0] - w / 2, center[1] - h / 2, q)
    if kind == "polygon":
        w = snap_min(size, q)
        return translate(
            regular_polygon(int(rng.integers(3, 7)), w, q), center[0] - w / 2, center[1] - w / 2, q
        )
    raise ValueError(f"unknown hole kind {kind!r}")


def place_holes(rng: np.random.Generator, outer: Curve, q: float, max_holes: int = 8) -> list[Curve]:
    """Holes that fit inside ``outer``; may return fewer than the pattern wanted, or none."""
    poly = polyline(outer)
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    extent = min(x1 - x0, y1 - y0)
    margin = max(q, 0.05 * extent)
    kind = str(rng.choice(HOLE_KINDS, p=_KIND_WEIGHTS))
    pattern = str(rng.choice(PATTERNS, p=_PATTERN_WEIGHTS))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if pattern == "single":
        size = extent * rng.uniform(0.1, 0.6)
        centers = [(cx, cy)] if rng.random() < 0.6 else [(rng.uniform(x0, x1), rng.uniform(y0, y1))]
    elif pattern == "grid":
        nx, ny = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        fx, fy = rng.uniform(0.4, 0.8), rng.uniform(0.4, 0.8)
        gx = [cx + (x1 - x0) * fx * (i / (nx - 1) - 0.5) for i in range(nx)] if nx > 1 else [cx]
        gy = [cy + (y1 - y0) * fy * (j / (ny - 1) - 0.5) for j in range(ny)] if ny > 1 else [cy]
        centers = [(x, y) for x in gx for y in gy]
        size = extent * rng.uniform(0.05, 0.25)
    elif pattern == "polar":
        n = int(rng.integers(3, 9))
        r = extent * rng.uniform(0.25, 0.4)
        phase = float(rng.choice([0.0, math.pi / n]))
        centers = [
            (cx + r * math.cos(phase + 2 * math.pi * k / n), cy + r * math.sin(phase + 2 * math.pi * k / n))
            for k in range(n)
        ]
        size = 2 * r * math.sin(math.pi / n) * rng.uniform(0.2, 0.6)
        if rng.random() < 0.5:
            centers.insert(0, (cx, cy))
    else:
        centers = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(int(rng.integers(2, 9)))]
        size = extent * rng.uniform(0.05, 0.3)
    holes: list[tuple[Curve, Vec2, float]] = []
    for c in centers[:max_holes]:
        hole = hole_shape(rng, kind, (snap(c[0], q), snap(c[1], q)), size, q)
        hc, hr = curve_radius(hole)
        if clearance(poly, hc) < hr + margin:
            continue
        if any(math.dist(hc, oc) < hr + orad + margin for _, oc, orad in holes):
            continue
        holes.append((hole, hc, hr))
    return [h for h, _, _ in holes]
