"""Outlines from masks: trace, simplify to lines (Douglas-Peucker), recognise arcs and circles.

The sketches of GenCAD-like parts are lines, circles and three-point arcs, so a traced boundary is
explained with as few of those as stay within a tolerance of it; fewer, longer segments are both
closer to the designer's sketch and easier to edit.
"""

from __future__ import annotations

import math

import numpy as np

from core.grounding.sketch import Arc, Circle, Curve, Loop, Point

SNAP_DEGREES = 4.0  # lines this close to a plane axis are made exactly parallel to it


def trace(mask: np.ndarray) -> list[np.ndarray]:
    """Closed boundaries of ``mask`` as (n, 2) arrays of image (x, y), longest first."""
    import contourpy

    padded = np.pad(mask.astype(float), 1)
    lines = contourpy.contour_generator(z=padded).lines(0.5)
    loops = [np.asarray(line, float)[:-1] - 1.0 for line in lines if len(line) > 4]
    return sorted(loops, key=len, reverse=True)


def fit_circle(points: np.ndarray) -> tuple[Point, float, float]:
    """Algebraic (Kasa) least-squares circle: centre, radius, RMS radial residual."""
    x, y = points[:, 0], points[:, 1]
    a = np.column_stack([x, y, np.ones_like(x)])
    b = x**2 + y**2
    (c0, c1, c2), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = c0 / 2, c1 / 2
    r = math.sqrt(max(c2 + cx**2 + cy**2, 1e-12))
    rms = float(np.sqrt(np.mean((np.hypot(x - cx, y - cy) - r) ** 2)))
    return (float(cx), float(cy)), r, rms


def douglas_peucker(points: np.ndarray, tol: float) -> list[int]:
    """Indices of the kept vertices of a closed polyline, in order."""
    n = len(points)
    if n < 4:
        return list(range(n))
    first = 0
    far = int(np.argmax(np.linalg.norm(points - points[first], axis=1)))
    keep = {first, far}
    stack = [(first, far), (far, n)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        idx = np.arange(i + 1, j)
        a, b = points[i], points[j % n]
        d = _distance_to_segment(points[idx], a, b)
        k = int(np.argmax(d))
        if d[k] > tol:
            m = int(idx[k])
            keep.add(m)
            stack += [(i, m), (m, j)]
    return sorted(keep)


def _distance_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    length2 = float(ab @ ab)
    if length2 < 1e-12:
        return np.linalg.norm(p - a, axis=1)
    t = np.clip((p - a) @ ab / length2, 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


def curve_from_boundary(points: np.ndarray, tol: float) -> Curve:
    """A boundary (plane coordinates) as a circle when it is one, else a loop of lines and arcs."""
    centre, r, rms = fit_circle(points)
    if rms < 0.25 * tol + 0.01 * r and _covers_turn(points, centre):
        return Circle(centre, r)
    return loop_from_boundary(points, tol)


def _covers_turn(points: np.ndarray, centre: Point) -> bool:
    """Whether the points go all the way round ``centre`` (no angular gap over 60 degrees)."""
    angles = np.sort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * math.pi]))
    return float(gaps.max()) < math.radians(60)


def loop_from_boundary(points: np.ndarray, tol: float) -> Loop:
    n = len(points)
    keep = douglas_peucker(points, tol)
    m = len(keep)
    # Start at the sharpest corner, so no arc straddles the loop's start; indices then increase
    # monotonically (past n they wrap), ending with the start again.
    turn = [abs(_turn(points[keep[k - 1]], points[keep[k]], points[keep[(k + 1) % m]])) for k in range(m)]
    roll = int(np.argmax(turn))
    idx = keep[roll:] + [x + n for x in keep[:roll]]
    idx.append(idx[0] + n)
    segments: list[Point | Arc] = []
    k = 0
    while k < m:
        best = None
        # Grow a run of DP segments that one circle explains (at least two segments).
        for end in range(k + 2, m + 1):
            chain = _chain(points, idx[k], idx[end])
            centre, r, rms = fit_circle(chain)
            if rms > 0.3 * tol or r > 4 * _span(chain) or not _monotone(chain, centre):
                break
            best = end
        if best is None:
            segments.append(_pt(points[idx[k + 1] % n]))
            k += 1
            continue
        mid = points[((idx[k] + idx[best]) // 2) % n]
        segments.append(Arc(_pt(mid), _pt(points[idx[best] % n])))
        k = best
    start = _pt(points[idx[0] % n])
    start, segments = _clean_corners(start, segments, 2.5 * tol)
    return Loop(start, tuple(_snap_lines(start, segments)))


def _clean_corners(
    start: Point, segments: list[Point | Arc], short: float
) -> tuple[Point, list[Point | Arc]]:
    """Undo the traced outline's rounded corners: a line shorter than ``short`` between two lines
    becomes the corner where those lines meet, and a vertex between two nearly collinear lines
    goes. The designer's sketch has sharp corners; the drawn edge line and pixels round them."""
    verts = [start] + [s.end if isinstance(s, Arc) else s for s in segments[:-1]]
    arcs: list[Arc | None] = [
        s if isinstance(s, Arc) else None for s in segments
    ]  # segment i: verts[i] -> i+1
    changed = True
    while changed and len(verts) > 3:
        changed = False
        m = len(verts)
        for i in range(m):
            a, b, c, d = verts[i - 1], verts[i], verts[(i + 1) % m], verts[(i + 2) % m]
            if arcs[i - 1] or arcs[i] or arcs[(i + 1) % m]:
                continue
            if _turn_deg(a, b, c) < 3.0:  # b is on the line a-c
                del verts[i], arcs[i]
                changed = True
                break
            if math.dist(b, c) < short:
                p = _intersect(a, b, c, d)
                mid = ((b[0] + c[0]) / 2, (b[1] + c[1]) / 2)
                if p is not None and math.dist(p, mid) < 2 * short:
                    j = (i + 1) % m
                    verts[i] = p
                    del verts[j], arcs[j]
                    changed = True
                    break
    out: list[Point | Arc] = []
    for i, arc in enumerate(arcs):
        end = verts[(i + 1) % len(verts)]
        out.append(Arc(arc.mid, end) if arc else end)
    return verts[0], out


def _turn_deg(a: Point, b: Point, c: Point) -> float:
    return abs(math.degrees(_turn(np.asarray(a), np.asarray(b), np.asarray(c))))


def _intersect(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """Where line a-b meets line c-d; None when (nearly) parallel."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9 * (math.hypot(*r) * math.hypot(*s) + 1e-12) or abs(den) < 0.05 * math.hypot(
        *r
    ) * math.hypot(*s):
        return None
    t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den
    return (a[0] + t * r[0], a[1] + t * r[1])


def _chain(points: np.ndarray, a: int, b: int) -> np.ndarray:
    n = len(points)
    return points[np.arange(a, b + 1) % n]


def _span(chain: np.ndarray) -> float:
    return float(np.linalg.norm(chain.max(axis=0) - chain.min(axis=0)))


def _monotone(chain: np.ndarray, centre: Point) -> bool:
    """The chain turns one way round the centre (an arc, not a zig-zag), by less than 340 degrees."""
    ang = np.unwrap(np.arctan2(chain[:, 1] - centre[1], chain[:, 0] - centre[0]))
    d = np.diff(ang)
    total = abs(float(ang[-1] - ang[0]))
    return (np.all(d >= -1e-3) or np.all(d <= 1e-3)) and math.radians(20) < total < math.radians(340)


def _turn(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = b - a, c - b
    return math.atan2(u[0] * v[1] - u[1] * v[0], u @ v)


def _pt(p: np.ndarray) -> Point:
    return (float(p[0]), float(p[1]))


def _snap_lines(start: Point, segments: list[Point | Arc]) -> list[Point | Arc]:
    """Make lines within SNAP_DEGREES of a plane axis exactly axis-parallel by sharing a coordinate
    with the previous vertex (the loop's closing line is left as it falls)."""
    out: list[Point | Arc] = []
    prev = start
    limit = math.tan(math.radians(SNAP_DEGREES))
    for k, s in enumerate(segments):
        if isinstance(s, Arc) or k == len(segments) - 1:
            out.append(s)
            prev = s.end if isinstance(s, Arc) else s
            continue
        dx, dy = s[0] - prev[0], s[1] - prev[1]
        if abs(dy) <= limit * abs(dx):
            s = (s[0], prev[1])
        elif abs(dx) <= limit * abs(dy):
            s = (prev[0], s[1])
        out.append(s)
        prev = s
    return out


def sharpened(loop: Loop, chord: float) -> Loop | None:
    """``loop`` with every arc shorter than ``chord`` between two lines made corners: one where
    the lines meet (a rounded corner), or two on the line square to them through the arc's
    middle where they run side by side (a thin rib's or a plate's half-round end made square). A
    picture rounds a sketch's corners (the drawn edge line, the pixels, a FreeCAD snapshot's
    shading), and a thin rib's end traces as a half circle; None when there is no such arc."""
    verts = [loop.start] + [s.end if isinstance(s, Arc) else s for s in loop.segments[:-1]]
    mids: list[Point | None] = [s.mid if isinstance(s, Arc) else None for s in loop.segments]
    changed = False
    while len(verts) >= 4:
        n = len(verts)
        k = next(
            (
                k
                for k in range(n)
                if mids[k] is not None
                and mids[k - 1] is None
                and mids[(k + 1) % n] is None
                and math.dist(verts[k], verts[(k + 1) % n]) < chord
            ),
            None,
        )
        if k is None:
            break
        # Turn the lists so that the arc runs from verts[1] to verts[2].
        shift = (k - 1) % n
        verts, mids = verts[shift:] + verts[:shift], mids[shift:] + mids[:shift]
        before, a, e, after, m = verts[0], verts[1], verts[2], verts[3], mids[1]
        corner = _intersect(before, a, e, after)
        if corner is not None and math.dist(corner, m) < 2 * math.dist(a, e):
            new = [corner]
        else:
            # square to the line before, through the arc's middle
            tangent = (m[0] - (a[1] - before[1]), m[1] + (a[0] - before[0]))
            c1, c2 = _intersect(before, a, m, tangent), _intersect(m, tangent, e, after)
            new = [c1, c2] if c1 is not None and c2 is not None else [a, e]
        verts = [before, *new, *verts[3:]]
        mids = [None] * (len(new) + 1) + mids[3:]
        changed = True
    if not changed:
        return None
    segments = [
        Arc(m, verts[(i + 1) % len(verts)]) if m else verts[(i + 1) % len(verts)] for i, m in enumerate(mids)
    ]
    start, segments = _clean_corners(verts[0], segments, 1e-9)
    return Loop(start, tuple(segments))
