"""Plane geometry for placing holes inside profiles: polylines, containment, clearance.

Holes are placed by sampling and testing rather than by per-shape rules, so any outer loop the
profile generators invent (notched, rounded, arched) gets holes without special cases.
"""

from __future__ import annotations

import math

from core.program.part_ir import Arc, Circle, Curve, Vec2, arc_center


def arc_points(start: Vec2, mid: Vec2, end: Vec2, n: int = 8) -> list[Vec2]:
    """Points along the circle through start, mid, end (start excluded, end included)."""
    center = arc_center(start, mid, end)
    if center is None:
        return [mid, end]
    ux, uy = center
    r = math.hypot(start[0] - ux, start[1] - uy)
    a0, am, a1 = (math.atan2(p[1] - uy, p[0] - ux) for p in (start, mid, end))
    sweep = (a1 - a0) % (2 * math.pi)
    if (am - a0) % (2 * math.pi) > sweep:  # the mid point lies on the other way round
        sweep -= 2 * math.pi
    return [
        (ux + r * math.cos(a0 + sweep * k / n), uy + r * math.sin(a0 + sweep * k / n))
        for k in range(1, n + 1)
    ]


def polyline(curve: Curve, n_per_arc: int = 8) -> list[Vec2]:
    """A closed curve as a polygon (last point not repeated)."""
    if isinstance(curve, Circle):
        (cx, cy), r = curve.center, curve.radius
        k = 4 * n_per_arc
        return [
            (cx + r * math.cos(2 * math.pi * i / k), cy + r * math.sin(2 * math.pi * i / k)) for i in range(k)
        ]
    pts = [curve.start]
    for seg in curve.segments:
        if isinstance(seg, Arc):
            pts.extend(arc_points(pts[-1], seg.mid, seg.end, n_per_arc))
        else:
            pts.append(seg.end)
    if math.dist(pts[0], pts[-1]) < 1e-9:
        pts.pop()
    return pts


def contains(polygon: list[Vec2], point: Vec2) -> bool:
    """Even-odd rule."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def distance_to_boundary(polygon: list[Vec2], point: Vec2) -> float:
    return min(
        _segment_distance(point, a, b) for a, b in zip(polygon, polygon[1:] + polygon[:1], strict=True)
    )


def clearance(polygon: list[Vec2], point: Vec2) -> float:
    """Distance from ``point`` to the boundary, negative when outside."""
    d = distance_to_boundary(polygon, point)
    return d if contains(polygon, point) else -d


def curve_radius(curve: Curve) -> tuple[Vec2, float]:
    """Centre and radius of a circle around the curve (for keeping holes apart)."""
    pts = polyline(curve)
    cx = sum(p[0] for p in pts) / len(pts)
    cy = sum(p[1] for p in pts) / len(pts)
    return (cx, cy), max(math.dist((cx, cy), p) for p in pts)


def signed_area(polygon: list[Vec2]) -> float:
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True)
    )


def _segment_distance(p: Vec2, a: Vec2, b: Vec2) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))
