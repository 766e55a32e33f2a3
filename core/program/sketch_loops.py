"""Plane geometry of sketch loops: tidying outlines, and grouping the loops of one extrusion into
faces the way CadQuery does.

CadQuery hands all pending wires of an extrusion to OCCT (first wire outer, the rest inner) and
ShapeFix_Face sorts them by nesting: a loop inside another is a hole of it, loops side by side are
separate faces; an island inside a hole comes out as an invalid solid. FreeCAD's Pad nests the same
way, so the native translation agrees when the loops do not cross and nest at most one level deep;
``sketch_of`` checks that, refuses everything else, and lists loops that touch at single points
(FreeCAD cannot make a face of those in one sketch). Exact arithmetic on
lines and arcs (no polygon approximation), so a hole close to an arc is not misjudged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from core.program.part_ir import (
    Arc,
    Circle,
    Curve,
    Line,
    Loop,
    Plane,
    Point,
    Region,
    Segment,
    Sketch,
    arc_center,
)
from core.program.sketch_ir import NotNative

# Relative to the sketch's size: closer than this counts as touching.
TOUCH_TOLERANCE = 1e-9
# Largest sliver trimmed off an outline, as a fraction of the outline's size.
LOBE_LIMIT = 1e-3


@dataclass(frozen=True)
class _Piece:
    """A line (``center`` None) or a circular arc as centre, radius, start angle and signed sweep."""

    a: tuple[float, float]
    b: tuple[float, float]
    center: tuple[float, float] | None = None
    radius: float = 0.0
    start: float = 0.0
    sweep: float = 0.0


def tidy_loop(loop: Curve) -> Curve:
    """``loop`` without zero-length lines and without spikes (a line straight back over the previous
    one, as in GenCAD outlines that retrace an edge): they enclose no area, so the solid is the same,
    but a sketch with them would not make a face."""
    if isinstance(loop, Circle):
        return loop
    segs = [s for s in loop.segments if not (isinstance(s, Line) and s.start.same_place(s.end, 1e-12))]
    changed = True
    while changed and len(segs) >= 2:
        changed = False
        for i in range(len(segs)):
            j = (i + 1) % len(segs)
            first, second = segs[i], segs[j]
            if not _retraces(first, second):
                continue
            merged = Line(first.start, second.end)
            keep = [] if merged.start.same_place(merged.end, 1e-12) else [merged]
            segs = segs[:i] + keep + segs[j + 1 :] if j > i else segs[1:-1] + keep
            changed = True
            break
    if len(segs) < 2 and not (len(segs) == 1 and isinstance(segs[0], Arc)):
        raise NotNative("an outline encloses no area", loop.line)
    return Loop(tuple(_trim_lobes(segs, loop.line)), loop.line)


def _trim_lobes(segs: list[Segment], line: int) -> list[Segment]:
    """Cut off slivers where two neighbouring segments cross again just after their shared corner
    (GenCAD: a closing line nearly tangent to an arc). CadQuery's solid of such an outline is
    invalid; trimming both segments at the crossing gives the valid solid, whose volume differs by
    the sliver's area (bounded here to a 1e-3 stretch of the outline's size)."""
    if len(segs) < 3:
        return segs
    pieces = [_pieces(Loop((seg,), line))[0] for seg in segs]
    tol = TOUCH_TOLERANCE * max(_extent([pieces]), 1e-300)
    out = list(segs)
    for i in range(len(segs)):
        j = (i + 1) % len(segs)
        corner = pieces[i].b
        hits = _intersections(pieces[i], pieces[j], tol) or []
        far = [h for h in hits if math.dist(h, corner) > 1e3 * tol]
        if len(far) != 1 or math.dist(far[0], corner) > LOBE_LIMIT * _extent([pieces]):
            continue
        cross = Point(*far[0])
        out[i] = _with_end(out[i], pieces[i], cross)
        out[j] = _with_start(out[j], pieces[j], cross)
    return out


def _with_end(seg: Segment, piece: _Piece, end: Point) -> Segment:
    if isinstance(seg, Line):
        return Line(seg.start, end, seg.length_name)
    return Arc(seg.start, _arc_between(piece, (seg.start.x, seg.start.y), (end.x, end.y)), end)


def _with_start(seg: Segment, piece: _Piece, start: Point) -> Segment:
    if isinstance(seg, Line):
        return Line(start, seg.end, seg.length_name)
    return Arc(start, _arc_between(piece, (start.x, start.y), (seg.end.x, seg.end.y)), seg.end)


def _arc_between(arc: _Piece, a: tuple[float, float], b: tuple[float, float]) -> Point:
    """The point halfway along ``arc``'s direction of travel from ``a`` to ``b``."""
    cx, cy = arc.center  # type: ignore[misc]
    ta, tb = math.atan2(a[1] - cy, a[0] - cx), math.atan2(b[1] - cy, b[0] - cx)
    along = (tb - ta) % (2 * math.pi) if arc.sweep > 0 else -((ta - tb) % (2 * math.pi))
    angle = ta + along / 2
    return Point(cx + arc.radius * math.cos(angle), cy + arc.radius * math.sin(angle))


def sketch_of(plane: Plane, loops: tuple[Curve, ...], line: int) -> Sketch:
    """The sketch CadQuery extrudes from the pending wires ``loops``: its faces, and which loops
    touch (at single points: a hole meeting its outline at a corner, tangent circles)."""
    if not loops:
        raise NotNative("nothing to extrude", line)
    pieces = [_pieces(loop) for loop in loops]
    tol = TOUCH_TOLERANCE * max(_extent(pieces), 1e-300)
    for i, own in enumerate(pieces):
        if _self_touches(own, tol):
            raise NotNative("an outline crosses or touches itself", loops[i].line)
    inside: dict[tuple[int, int], bool] = {}
    touching: set[tuple[int, int]] = set()
    for i in range(len(loops)):
        for j in range(len(loops)):
            if i != j:
                inside[i, j], touches = _relation(pieces[i], pieces[j], tol, loops[j].line, loops[i].line)
                if touches:
                    touching.add((min(i, j), max(i, j)))
    containers = [[j for j in range(len(loops)) if j != i and inside[i, j]] for i in range(len(loops))]
    for i, found in enumerate(containers):
        if len(found) > 1:
            raise NotNative("an outline inside a hole (CadQuery makes an invalid solid)", loops[i].line)
    regions = tuple(
        Region(loops[i], tuple(loops[k] for k in range(len(loops)) if containers[k] == [i]))
        for i in range(len(loops))
        if not containers[i]
    )
    return Sketch(plane, loops, regions, line, tuple(sorted(touching)))


def _retraces(first: Segment, second: Segment) -> bool:
    """Two lines on one line through their shared point, the second turning back."""
    if not (isinstance(first, Line) and isinstance(second, Line)):
        return False
    ux, uy = first.end.x - first.start.x, first.end.y - first.start.y
    vx, vy = second.end.x - second.start.x, second.end.y - second.start.y
    lu, lv = math.hypot(ux, uy), math.hypot(vx, vy)
    return abs(ux * vy - uy * vx) <= 1e-12 * lu * lv and ux * vx + uy * vy < 0


def _pieces(loop: Curve) -> list[_Piece]:
    if isinstance(loop, Circle):
        c = loop
        start = (c.center.x + c.radius, c.center.y)
        return [_Piece(start, start, (c.center.x, c.center.y), c.radius, 0.0, 2 * math.pi)]
    out = []
    for seg in loop.segments:
        if isinstance(seg, Line):
            out.append(_Piece((seg.start.x, seg.start.y), (seg.end.x, seg.end.y)))
            continue
        center = arc_center(seg.start, seg.mid, seg.end)
        if center is None:
            raise NotNative("an arc through three points on a line", loop.line)
        radius = math.hypot(seg.start.x - center[0], seg.start.y - center[1])
        t0 = math.atan2(seg.start.y - center[1], seg.start.x - center[0])
        t1 = math.atan2(seg.end.y - center[1], seg.end.x - center[0])
        ccw = _cross(seg.start, seg.mid, seg.end) > 0
        sweep = (t1 - t0) % (2 * math.pi) if ccw else -((t0 - t1) % (2 * math.pi))
        out.append(_Piece((seg.start.x, seg.start.y), (seg.end.x, seg.end.y), center, radius, t0, sweep))
    return out


def _cross(a: Point, m: Point, b: Point) -> float:
    return (m.x - a.x) * (b.y - m.y) - (m.y - a.y) * (b.x - m.x)


def _extent(pieces: list[list[_Piece]]) -> float:
    xs = [c for loop in pieces for p in loop for c in (p.a[0], p.b[0], (p.center or p.a)[0] + p.radius)]
    ys = [c for loop in pieces for p in loop for c in (p.a[1], p.b[1], (p.center or p.a)[1] + p.radius)]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _self_touches(pieces: list[_Piece], tol: float) -> bool:
    n = len(pieces)
    for i in range(n):
        for j in range(i + 1, n):
            shared = []
            if j == i + 1:
                shared.append(pieces[i].b)
            if i == 0 and j == n - 1:
                shared.append(pieces[0].a)
            hits = _intersections(pieces[i], pieces[j], tol)
            if hits is None or any(all(math.dist(h, s) > 1e3 * tol for s in shared) for h in hits):
                return True
    return False


def _intersections(p: _Piece, q: _Piece, tol: float) -> list[tuple[float, float]] | None:
    """Points where two pieces meet (within ``tol``); None when they overlap along a stretch."""
    if p.center is None and q.center is None:
        return _line_line(p, q, tol)
    if p.center is None:
        return _line_arc(p, q, tol)
    if q.center is None:
        return _line_arc(q, p, tol)
    return _arc_arc(p, q, tol)


def _line_line(p: _Piece, q: _Piece, tol: float) -> list[tuple[float, float]] | None:
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = p.a, p.b, q.a, q.b
    dx1, dy1, dx2, dy2 = x2 - x1, y2 - y1, x4 - x3, y4 - y3
    den = dx1 * dy2 - dy1 * dx2
    l1, l2 = math.hypot(dx1, dy1), math.hypot(dx2, dy2)
    if abs(den) <= 1e-12 * l1 * l2:  # parallel
        if _point_line_distance(p.a, q) > tol and _point_line_distance(p.b, q) > tol:
            return []
        t = sorted(((x - x1) * dx1 + (y - y1) * dy1) / (l1 * l1) for x, y in (q.a, q.b))
        lo, hi = max(t[0], 0.0), min(t[1], 1.0)
        if hi - lo > tol / l1:
            return None
        if hi - lo >= -tol / l1:
            return [(x1 + lo * dx1, y1 + lo * dy1)]
        return []
    t = ((x3 - x1) * dy2 - (y3 - y1) * dx2) / den
    u = ((x3 - x1) * dy1 - (y3 - y1) * dx1) / den
    if -tol / l1 <= t <= 1 + tol / l1 and -tol / l2 <= u <= 1 + tol / l2:
        return [(x1 + t * dx1, y1 + t * dy1)]
    ends = [e for e in (p.a, p.b) if _point_segment_distance(e, q) <= tol]
    ends += [e for e in (q.a, q.b) if _point_segment_distance(e, p) <= tol]
    return ends[:1]


def _line_arc(line: _Piece, arc: _Piece, tol: float) -> list[tuple[float, float]]:
    (x1, y1), (x2, y2) = line.a, line.b
    cx, cy = arc.center  # type: ignore[misc]
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t0 = ((cx - x1) * dx + (cy - y1) * dy) / length2
    fx, fy = x1 + t0 * dx - cx, y1 + t0 * dy - cy
    dist = math.hypot(fx, fy)
    if dist > arc.radius + tol:
        return []
    half = math.sqrt(max(arc.radius * arc.radius - dist * dist, 0.0)) / math.sqrt(length2)
    slack = tol / math.sqrt(length2)
    hits = []
    for t in {t0 - half, t0 + half}:
        point = (x1 + t * dx, y1 + t * dy)
        if -slack <= t <= 1 + slack and _on_arc(point, arc, tol):
            hits.append(point)
    return hits


def _arc_arc(p: _Piece, q: _Piece, tol: float) -> list[tuple[float, float]] | None:
    (x1, y1), (x2, y2) = p.center, q.center  # type: ignore[misc]
    d = math.hypot(x2 - x1, y2 - y1)
    if d <= tol and abs(p.radius - q.radius) <= tol:  # the same circle
        samples = [_arc_point(q, k / 8) for k in range(9)]
        return (
            None
            if any(_on_arc(s, p, tol) for s in samples[1:-1])
            else [s for s in samples if _on_arc(s, p, tol)]
        )
    if d > p.radius + q.radius + tol or d < abs(p.radius - q.radius) - tol or d <= tol:
        return []
    a = (p.radius * p.radius - q.radius * q.radius + d * d) / (2 * d)
    h = math.sqrt(max(p.radius * p.radius - a * a, 0.0))
    mx, my = x1 + a * (x2 - x1) / d, y1 + a * (y2 - y1) / d
    points = {
        (mx + h * (y2 - y1) / d, my - h * (x2 - x1) / d),
        (mx - h * (y2 - y1) / d, my + h * (x2 - x1) / d),
    }
    return [pt for pt in points if _on_arc(pt, p, tol) and _on_arc(pt, q, tol)]


def _arc_point(arc: _Piece, fraction: float) -> tuple[float, float]:
    angle = arc.start + fraction * arc.sweep
    return (arc.center[0] + arc.radius * math.cos(angle), arc.center[1] + arc.radius * math.sin(angle))  # type: ignore[index]


def _on_arc(point: tuple[float, float], arc: _Piece, tol: float) -> bool:
    if abs(arc.sweep) >= 2 * math.pi - 1e-15:
        return True
    if math.dist(point, arc.a) <= tol or math.dist(point, arc.b) <= tol:
        return True
    angle = math.atan2(point[1] - arc.center[1], point[0] - arc.center[0])  # type: ignore[index]
    along = (angle - arc.start) % (2 * math.pi) if arc.sweep > 0 else (arc.start - angle) % (2 * math.pi)
    return along <= abs(arc.sweep)


def _point_line_distance(point: tuple[float, float], line: _Piece) -> float:
    (x1, y1), (x2, y2) = line.a, line.b
    return abs((x2 - x1) * (y1 - point[1]) - (x1 - point[0]) * (y2 - y1)) / math.hypot(x2 - x1, y2 - y1)


def _point_segment_distance(point: tuple[float, float], line: _Piece) -> float:
    (x1, y1), (x2, y2) = line.a, line.b
    dx, dy = x2 - x1, y2 - y1
    t = min(max(((point[0] - x1) * dx + (point[1] - y1) * dy) / (dx * dx + dy * dy), 0.0), 1.0)
    return math.hypot(x1 + t * dx - point[0], y1 + t * dy - point[1])


def _relation(
    inner: list[_Piece], outer: list[_Piece], tol: float, outer_line: int, inner_line: int
) -> tuple[bool, bool]:
    """(whether loop ``inner`` lies inside loop ``outer``, whether they touch). They may touch at
    single points but not cross or share a stretch: between two touching points a piece of
    ``inner`` stays on one side, so the middle of every such stretch is tested."""
    hits: list[tuple[float, float]] = []
    samples: list[tuple[float, float]] = []
    for p in inner:
        own = []
        for q in outer:
            found = _intersections(p, q, tol)
            if found is None:
                raise NotNative(f"outlines of lines {outer_line} and {inner_line} overlap", inner_line)
            own.extend(found)
        hits.extend(own)
        cuts = sorted({0.0, 1.0, *(_fraction_along(p, h) for h in own)})
        samples.extend(_piece_point(p, (a + b) / 2) for a, b in pairwise(cuts))
    if not hits:
        return _contains(outer, inner[0].a), False
    sides = {_contains(outer, pt) for pt in samples if all(math.dist(pt, h) > 1e3 * tol for h in hits)}
    if len(sides) != 1:
        raise NotNative(f"outlines of lines {outer_line} and {inner_line} cross", inner_line)
    return sides.pop(), True


def _fraction_along(piece: _Piece, point: tuple[float, float]) -> float:
    """Where ``point`` (on the piece) lies along it, 0 at the start and 1 at the end."""
    if piece.center is None:
        dx, dy = piece.b[0] - piece.a[0], piece.b[1] - piece.a[1]
        t = ((point[0] - piece.a[0]) * dx + (point[1] - piece.a[1]) * dy) / (dx * dx + dy * dy)
        return min(max(t, 0.0), 1.0)
    angle = math.atan2(point[1] - piece.center[1], point[0] - piece.center[0])
    along = (
        (angle - piece.start) % (2 * math.pi) if piece.sweep > 0 else (piece.start - angle) % (2 * math.pi)
    )
    return min(along / abs(piece.sweep), 1.0)


def _piece_point(piece: _Piece, fraction: float) -> tuple[float, float]:
    if piece.center is not None:
        return _arc_point(piece, fraction)
    return (
        piece.a[0] + fraction * (piece.b[0] - piece.a[0]),
        piece.a[1] + fraction * (piece.b[1] - piece.a[1]),
    )


def _contains(pieces: list[_Piece], point: tuple[float, float]) -> bool:
    """Even-odd test against the loop of chords, corrected by each arc's circular segment."""
    px, py = point
    inside = False
    for piece in pieces:
        if piece.center is not None and abs(piece.sweep) >= 2 * math.pi - 1e-15:
            return math.dist(point, piece.center) < piece.radius
        (x1, y1), (x2, y2) = piece.a, piece.b
        if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        if piece.center is not None and _in_circular_segment(piece, point):
            inside = not inside
    return inside


def _in_circular_segment(arc: _Piece, point: tuple[float, float]) -> bool:
    """Between an arc and its chord (the side of the chord where the arc bulges, within the circle)."""
    if math.dist(point, arc.center) >= arc.radius:  # type: ignore[arg-type]
        return False
    mid = _arc_point(arc, 0.5)
    (x1, y1), (x2, y2) = arc.a, arc.b
    side_point = (x2 - x1) * (point[1] - y1) - (y2 - y1) * (point[0] - x1)
    side_mid = (x2 - x1) * (mid[1] - y1) - (y2 - y1) * (mid[0] - x1)
    return side_point * side_mid > 0


def loop_area(loop: Curve) -> float:
    """The area a loop encloses: shoelace over the chords plus each arc's circular segment (signed by
    its turn, so a bulge out adds and a bulge in takes away)."""
    if isinstance(loop, Circle):
        return math.pi * loop.radius**2
    total = 0.0
    for piece in _pieces(loop):
        (x1, y1), (x2, y2) = piece.a, piece.b
        total += (x1 * y2 - x2 * y1) / 2
        if piece.center is not None:
            total += piece.radius**2 / 2 * (piece.sweep - math.sin(piece.sweep))
    return abs(total)
