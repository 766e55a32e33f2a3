"""Native conversion's view of ``core.program.part_ir``: the reader's failure (``NotNative``), its
entry point (``parse_program``) and the tree operations it needs, with the IR types re-exported.

FreeCAD rebuilds a part natively (a PartDesign Body of Sketcher sketches and Pad/Pocket features)
from this IR, so it must hold exactly what CadQuery would build and nothing that FreeCAD's Python
cannot import: standard library only. Anything the reader cannot prove it models faithfully raises
``NotNative`` with the reason and source line; the caller then keeps the program as a CadQuery
feature. Coordinates inside a sketch are the plane's local 2D coordinates; numbers that came from
named parameters (``core.program.find_parameters``) keep those names, so dimensional constraints can
carry them.

CadQuery semantics modelled here (each checked against CadQuery 2.8 by running small scripts):
- Every workplane derived from one ``cq.Workplane(...)`` shares one context: closed outlines and
  circles become *pending wires* there, and ``extrude`` consumes all of them, whatever ``add`` put
  on the stack.
- ``moveTo`` only moves the current point; ``close`` adds the closing line when the end is more than
  1e-6 from the outline's first point; an outline without ``moveTo`` starts at the plane origin.
- The wires of one extrusion become faces by nesting: a wire inside another is a hole of it, the
  others are separate faces (CadQuery's ShapeFix_Face on "first wire outer, the rest inner").
- ``extrude(d)`` goes ``d`` along the plane normal (negative: the other way); ``both=True`` goes
  ``d`` to each side; the result is fused with a solid found on the stack or its parents.
- ``box``/``cylinder`` sit on the current point, centred by default; ``hole`` bores from each point
  against the normal, through everything when no depth is given (overlapping holes one by one, as
  ``cutEach`` does); ``cutThruAll`` cuts the pending wires through everything both ways.
- ``polyline`` adds open edges (``close`` adds the last one); ``rarray`` pushes points x-major,
  centred by default; ``polarArray`` pushes turned locations (a circle or hole does not care, a slot
  turns with them); ``slot2D`` is two lines and two half circles about each point.
- ``rotate`` of a finished solid turns the planes of all its features; sketches keep their local
  coordinates.
"""

from __future__ import annotations

import math
from dataclasses import replace

from core.program.part_ir import (
    Arc,
    Boolean,
    Circle,
    Curve,
    Extrude,
    Line,
    Loop,
    Node,
    Plane,
    Point,
    Primitive,
    Program,
    Region,
    Segment,
    Sketch,
    Vec3,
    cross,
    leaves,
    make_plane,
    unit,
)

__all__ = [
    "Arc",
    "Boolean",
    "Circle",
    "Curve",
    "Extrude",
    "Line",
    "Loop",
    "Node",
    "NotNative",
    "Plane",
    "Point",
    "Primitive",
    "Program",
    "Region",
    "Segment",
    "Sketch",
    "leaves",
    "make_plane",
    "parse_program",
    "turn_node",
]


class NotNative(Exception):
    """The program (or part of it) is outside what the native translation models faithfully."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


def parse_program(code: str) -> Program:
    """The IR of ``code``; raises ``NotNative`` for anything outside the modelled subset."""
    from core.program.sketch_parse import evaluate_program

    return evaluate_program(code)


def turn_node(node: Node, origin: Vec3, axis: Vec3, degrees: float) -> Node:
    """``node`` turned by ``degrees`` about the axis through ``origin`` (CadQuery's ``rotate``): only
    the planes move, sketches keep their local coordinates."""

    def plane(p: Plane) -> Plane:
        moved = tuple(a - b for a, b in zip(p.origin, origin, strict=True))
        new_origin = tuple(a + b for a, b in zip(_turn(moved, axis, degrees), origin, strict=True))
        return Plane(new_origin, _turn(p.x_dir, axis, degrees), _turn(p.normal, axis, degrees))  # type: ignore[arg-type]

    if isinstance(node, Boolean):
        return replace(
            node,
            base=turn_node(node.base, origin, axis, degrees),
            tool=turn_node(node.tool, origin, axis, degrees),
        )
    if isinstance(node, Primitive):
        return replace(node, plane=plane(node.plane))
    return replace(node, sketch=replace(node.sketch, plane=plane(node.sketch.plane)))


def _turn(v: Vec3, axis: Vec3, degrees: float) -> Vec3:
    """Rodrigues' rotation, with float noise below 1e-15 rounded away (a quarter turn of an axis
    gives exact 0 and 1, as CadQuery's gp_Trsf nearly does)."""
    k = unit(axis, "axis")
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    kv = sum(a * b for a, b in zip(k, v, strict=True))
    turned = cross(k, v)
    out = [v[i] * c + turned[i] * s + k[i] * kv * (1 - c) for i in range(3)]
    return tuple(0.0 if abs(x) < 1e-15 else x for x in out)  # type: ignore[return-value]
