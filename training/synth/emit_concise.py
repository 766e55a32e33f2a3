"""A sketch-and-extrude program in our concise style (the default ``--style concise``).

Each extrude depth is a named parameter at the top (the workbench turns those into properties);
rectangles become ``rect``, same-size circles one ``pushPoints(...).circle``, polygons ``polyline``,
and only curved outlines keep ``moveTo``/``lineTo``/``threePointArc``. Numbers are short (the
concise grid is decimal), which roughly halves the tokens of the dataset's style.
"""

from __future__ import annotations

from itertools import takewhile

from core.program.part_ir import Arc, Circle, Curve, Extrude, Line, Loop, Program, Vec2, Vec3
from training.synth.numbers import fmt

DECIMALS = 4
_ROLE = {"new": "body", "union": "boss", "cut": "cut", "intersect": "keep"}


def emit_concise(program: Program) -> str:
    params = [f"depth_{k} = {n(ext.distance)}" for k, ext in enumerate(program.extrudes)]
    out = ["import cadquery as cq", "", *params, ""]
    for k, ext in enumerate(program.extrudes):
        name = "solid" if ext.operation == "new" else f"{_ROLE[ext.operation]}_{k}"
        out.append(f"{name} = (")
        out.extend(f"    {line}" for line in _body(ext, k))
        out.append(")")
        if ext.operation != "new":
            out.append(f"solid = solid.{ext.operation}({name})")
    return "\n".join(out) + "\n"


def _body(ext: Extrude, k: int) -> list[str]:
    p = ext.sketch.plane
    lines = [f"cq.Workplane(cq.Plane(origin={_v3(p.origin)}, xDir={_v3(p.x_dir)}, normal={_v3(p.normal)}))"]
    loops = list(ext.sketch.loops)
    i = 0
    while i < len(loops):
        curve = loops[i]
        if isinstance(curve, Circle):
            same = _run_of_circles(loops[i:], curve.radius)
            lines.extend(_circles(same))
            i += len(same)
            continue
        lines.extend(_loop(curve))
        i += 1
    lines.append(f".extrude(depth_{k})")
    return lines


def _run_of_circles(loops: list[Curve], radius: float) -> list[Circle]:
    """The circles of ``radius`` at the head of ``loops`` (one ``pushPoints`` call draws them)."""
    return [
        c
        for c in takewhile(lambda c: isinstance(c, Circle) and c.radius == radius, loops)
        if isinstance(c, Circle)
    ]


def _circles(circles: list[Circle]) -> list[str]:
    r = n(circles[0].radius)
    if len(circles) == 1:
        return [f".moveTo({_p(circles[0].center)}).circle({r})"]
    pts = ", ".join(f"({_p(c.center)})" for c in circles)
    return [f".pushPoints([{pts}]).circle({r})"]


def _loop(loop: Loop) -> list[str]:
    rect = _as_rectangle(loop)
    if rect is not None:
        (cx, cy), (w, h) = rect
        return [f".moveTo({n(cx)}, {n(cy)}).rect({n(w)}, {n(h)})"]
    if all(isinstance(s, Line) for s in loop.segments):
        pts = [loop.start] + [s.end for s in loop.segments]
        if pts[-1] == pts[0]:
            pts.pop()
        return [f".polyline([{', '.join(f'({_p(q)})' for q in pts)}])", ".close()"]
    lines = [f".moveTo({_p(loop.start)})"]
    segs = list(loop.segments)
    if isinstance(segs[-1], Line) and segs[-1].end == loop.start:
        segs.pop()
    for s in segs:
        lines.append(
            f".threePointArc(({_p(s.mid)}), ({_p(s.end)}))" if isinstance(s, Arc) else f".lineTo({_p(s.end)})"
        )
    lines.append(".close()")
    return lines


def _as_rectangle(loop: Loop) -> tuple[Vec2, Vec2] | None:
    """Centre and size when the loop is an axis-aligned rectangle of four lines."""
    if len(loop.segments) != 4 or not all(isinstance(s, Line) for s in loop.segments):
        return None
    pts = [loop.start] + [s.end for s in loop.segments[:3]]
    xs, ys = sorted({p[0] for p in pts}), sorted({p[1] for p in pts})
    if len(xs) != 2 or len(ys) != 2 or loop.segments[3].end != loop.start:
        return None
    if any(a[0] != b[0] and a[1] != b[1] for a, b in zip(pts, pts[1:] + pts[:1], strict=True)):
        return None  # a side that is not axis-aligned
    return ((xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2), (xs[1] - xs[0], ys[1] - ys[0])


def n(value: float) -> str:
    return fmt(value, DECIMALS)


def _p(p: Vec2) -> str:
    return f"{n(p[0])}, {n(p[1])}"


def _v3(v: Vec3) -> str:
    return f"({n(v[0])}, {n(v[1])}, {n(v[2])})"
