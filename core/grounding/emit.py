"""A recovered prism as readable CadQuery with named dimensions.

The outline's size is two named dimensions (``width``, ``height``) and its shape fractions of them,
the extrusion is ``depth`` and every hole size a ``hole_d``: the names the workbench shows as
properties and that dimension fitting (core/pipeline/refine.py) adjusts. Sizes are normalised so
the largest is ``SIZE`` (the dataset's scale); the picture fixes proportions only.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from core.grounding.sketch import Arc, Circle, Curve, Loop, Point, Prism
from core.grounding.views import axis_view

SIZE = 1.5
SAME_HOLE = 0.08  # holes whose diameters differ by less than this share get one name


def num(value: float, digits: int = 3) -> str:
    """Short decimal text: three significant digits, no float noise, no ``-0``."""
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _v3(v) -> str:
    return "(" + ", ".join(num(float(c)) if abs(c) > 1e-9 else "0" for c in v) + ")"


def _rectangle(loop: Loop) -> bool:
    if len(loop.segments) != 4 or loop.n_arcs:
        return False
    pts = [loop.start, *loop.segments]
    for a, b in itertools.pairwise(pts):
        dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])  # type: ignore[index]
        if min(dx, dy) > 0.05 * max(dx, dy):
            return False
    return True


def emit_prism(prism: Prism, note: str = "") -> str:
    return emit_part([prism], note)


def emit_part(prisms: list[Prism], note: str = "") -> str:
    """The first prism is the body (centred on the origin); each later one is unioned (``boss``)
    or cut (``cut``) at its place relative to the body, with its own named dimensions."""
    first = prisms[0]
    (x0, y0), (x1, y1) = first.bounds()
    k = SIZE / max(x1 - x0, y1 - y0, first.depth)
    centre = _plane_centre(first)
    view = axis_view(first.axis)
    sign = "+" if view.normal.sum() > 0 else "-"
    lines = ["import cadquery as cq", ""]
    lines.append(
        f"# Grounded in the picture: the face seen along {sign}{first.axis.upper()}, extruded away from the eye"
        + (f", then {len(prisms) - 1} more feature(s)." if len(prisms) > 1 else ".")
    )
    if note:
        lines.append(f"# {note}")
    params: list[str] = []
    blocks: list[str] = []
    for i, prism in enumerate(prisms):
        prefix = "" if i == 0 else _kind(prism) + (f"{i}_" if len(prisms) > 2 else "")
        p, b = _prism_block(prism, prefix, k, centre)
        params += p
        blocks += b
    return "\n".join(lines + params + blocks) + "\n"


def _kind(prism: Prism) -> str:
    """The name prefix of a later feature: a round cut is a hole (through another face), any
    other cut a cut, a union a boss."""
    if prism.operation == "union":
        return "boss_"
    return "hole_" if isinstance(prism.outline, Circle) else "cut_"


def _plane_centre(prism: Prism) -> np.ndarray:
    """World position (pixel units) of the centre of the prism's outline on its near plane."""
    (x0, y0), (x1, y1) = prism.bounds()
    view = axis_view(prism.axis)
    return view.x_dir * (x0 + x1) / 2 + view.y_dir * (y0 + y1) / 2 + view.normal * prism.height


def _prism_block(prism: Prism, prefix: str, k: float, body_centre: np.ndarray) -> tuple[list[str], list[str]]:
    (x0, y0), (x1, y1) = prism.bounds()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    view = axis_view(prism.axis)
    name = {"width": f"{prefix}width", "height": f"{prefix}height", "depth": f"{prefix}depth"}
    params: list[str] = []
    body: list[str] = []
    outline = prism.outline
    if isinstance(outline, Circle):
        sx = sy = f"{prefix}diameter"
        params.append(f"{sx} = {num(2 * outline.radius * k)}")
        body.append(f".circle({sx} / 2)")
        fx = fy = 2 * outline.radius
    else:
        sx, sy = name["width"], name["height"]
        params += [f"{sx} = {num(w * k)}", f"{sy} = {num(h * k)}"]
        fx, fy = w, h
        if _rectangle(outline):
            body.append(f".rect({sx}, {sy})")
        else:
            body += _loop_lines(outline, (cx, cy), fx, fy, sx, sy)
    depth = name["depth"]
    params.append(f"{depth} = {num(prism.depth * k)}")
    plane = f"{prefix}plane"
    hole_lines, hole_params = _holes(prism.holes, (cx, cy), fx, fy, k, sx, sy, prefix, plane, depth)
    params += hole_params
    origin = (_plane_centre(prism) - body_centre) * k
    target = "solid" if not prefix else prefix.rstrip("_")
    out = ["", f"{plane} = cq.Plane(origin={_v3(origin)}, xDir={_v3(view.x_dir)}, normal={_v3(view.normal)})"]
    out += [f"{target} = (", f"    cq.Workplane({plane})"]
    out += [f"    {b}" for b in body]
    out += [f"    .extrude(-{depth})", ")"]
    out += [line.replace("solid = solid.cut(", f"{target} = {target}.cut(") for line in hole_lines]
    if prefix:
        out.append(f"solid = solid.{'union' if prism.operation == 'union' else 'cut'}({target})")
    return params, out


def _frac(p: Point, centre: Point, fx: float, fy: float, sx: str, sy: str) -> str:
    return f"({num((p[0] - centre[0]) / fx)} * {sx}, {num((p[1] - centre[1]) / fy)} * {sy})"


def _loop_lines(loop: Loop, centre: Point, fx: float, fy: float, sx: str, sy: str) -> list[str]:
    """Lines only: one ``polyline``; with arcs: ``moveTo``/``lineTo``/``threePointArc``. Points are
    fractions of ``width`` and ``height`` written out (the sandbox runs no comprehensions)."""

    def at(p: Point) -> str:
        return _frac(p, centre, fx, fy, sx, sy)

    segments = list(loop.segments)
    if segments and not isinstance(segments[-1], Arc):
        segments.pop()  # the closing line: ``close()`` draws it
    if not loop.n_arcs:
        pts = ", ".join(at(p) for p in [loop.start, *segments])  # type: ignore[list-item]
        return [f".polyline([{pts}])", ".close()"]
    out = [f".moveTo{at(loop.start)}"]
    for s in segments:
        out.append(f".threePointArc({at(s.mid)}, {at(s.end)})" if isinstance(s, Arc) else f".lineTo{at(s)}")
    out.append(".close()")
    return out


def _holes(
    holes: tuple[Curve, ...],
    centre: Point,
    fx: float,
    fy: float,
    k: float,
    sx: str,
    sy: str,
    prefix: str = "",
    plane: str = "plane",
    depth: str = "depth",
) -> tuple[list[str], list[str]]:
    """Through holes, cut from the prism: circles grouped by size (one named diameter each), other
    shapes as polylines."""
    circles = [h for h in holes if isinstance(h, Circle)]
    loops = [h for h in holes if isinstance(h, Loop)]
    groups: list[list[Circle]] = []
    for c in sorted(circles, key=lambda c: -c.radius):
        if groups and groups[-1][0].radius - c.radius <= SAME_HOLE * groups[-1][0].radius:
            groups[-1].append(c)
        else:
            groups.append([c])
    params, out = [], []
    for g, group in enumerate(groups):
        name = f"{prefix}hole_d" if len(groups) == 1 else f"{prefix}hole_d_{g}"
        mean_r = sum(c.radius for c in group) / len(group)
        params.append(f"{name} = {num(2 * mean_r * k)}")
        pts = ", ".join(_frac(c.center, centre, fx, fy, sx, sy) for c in group)
        out.append(
            f"solid = solid.cut(cq.Workplane({plane}).pushPoints([{pts}]).circle({name} / 2).extrude(-{depth}))"
        )
    for loop in loops:
        pts = ", ".join(_frac(p, centre, fx, fy, sx, sy) for p in loop.points()[:-1])
        out.append(f"solid = solid.cut(cq.Workplane({plane}).polyline([{pts}]).close().extrude(-{depth}))")
    return out, params
