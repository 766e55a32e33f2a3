"""A CadQuery program of the sketch-and-extrude family as data: planes, loops, sketches, extrusions,
primitives and booleans, read from the source without running it.

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
from dataclasses import dataclass, field, replace
from typing import Literal

Vec3 = tuple[float, float, float]


class NotNative(Exception):
    """The program (or part of it) is outside what the native translation models faithfully."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Plane:
    """A CadQuery plane: ``x_dir`` orthogonalised against ``normal`` (as OCCT's gp_Ax3 does), unit length."""

    origin: Vec3
    x_dir: Vec3
    normal: Vec3

    @property
    def y_dir(self) -> Vec3:
        return _cross(self.normal, self.x_dir)

    def to_world(self, x: float, y: float, z: float = 0.0) -> Vec3:
        o, ex, ey, ez = self.origin, self.x_dir, self.y_dir, self.normal
        return tuple(o[i] + x * ex[i] + y * ey[i] + z * ez[i] for i in range(3))  # type: ignore[return-value]

    def moved_to(self, x: float, y: float, z: float = 0.0) -> Plane:
        """The same axes with the origin at local ``(x, y, z)``."""
        return Plane(self.to_world(x, y, z), self.x_dir, self.normal)


def make_plane(origin: Vec3, x_dir: Vec3, normal: Vec3) -> Plane:
    """A ``Plane`` the way CadQuery builds one; ValueError for a null or parallel direction."""
    z = _unit(normal, "normal")
    x = _unit(x_dir, "xDir")
    dot = sum(a * b for a, b in zip(x, z, strict=True))
    x = _unit(tuple(a - dot * b for a, b in zip(x, z, strict=True)), "xDir (parallel to the normal)")
    return Plane(tuple(float(c) for c in origin), x, z)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    """A sketch point in plane coordinates; ``x_name``/``y_name`` are the parameters it was written
    with; ``x_step``/``y_step``: the neighbour it was placed from and the spacing parameter
    (``rarray``), which becomes a pitch dimension between the two."""

    x: float
    y: float
    x_name: str | None = None
    y_name: str | None = None
    x_step: tuple[Point, str] | None = None
    y_step: tuple[Point, str] | None = None

    def same_place(self, other: Point, tol: float = 1e-9) -> bool:
        return abs(self.x - other.x) <= tol and abs(self.y - other.y) <= tol


@dataclass(frozen=True)
class Line:
    """A straight segment; ``length_name`` is the parameter its length was written as (``rect``)."""

    start: Point
    end: Point
    length_name: str | None = None


@dataclass(frozen=True)
class Arc:
    """A circular arc from ``start`` through ``mid`` to ``end`` (CadQuery's threePointArc);
    ``chord_name``: the parameter the distance from start to end was written as (a slot's width)."""

    start: Point
    mid: Point
    end: Point
    chord_name: str | None = None


@dataclass(frozen=True)
class Circle:
    """``radius_name`` or ``diameter_name``: the parameter the size was written as (``hole`` takes a diameter)."""

    center: Point
    radius: float
    radius_name: str | None = None
    diameter_name: str | None = None


Segment = Line | Arc


@dataclass(frozen=True)
class Loop:
    """One closed outline: connected segments in drawing order, or a single circle."""

    segments: tuple[Segment, ...] = ()
    circle: Circle | None = None
    line: int = 0


@dataclass(frozen=True)
class Region:
    """One face of a sketch: an outer loop and the loops that are holes in it."""

    outer: Loop
    holes: tuple[Loop, ...] = ()


@dataclass(frozen=True)
class Sketch:
    """The loops of one extrusion on ``plane``, grouped into faces; ``touching``: pairs of indices
    into ``loops`` that meet at single points (allowed in CadQuery, not in one FreeCAD sketch)."""

    plane: Plane
    loops: tuple[Loop, ...]
    regions: tuple[Region, ...]
    line: int = 0
    touching: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Extrude:
    """``distance`` along the normal (negative: against it); ``both``: that far to each side;
    ``None``: through everything against the normal (``hole`` without a depth)."""

    sketch: Sketch
    distance: float | None
    both: bool = False
    distance_name: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Primitive:
    """A ``box`` (size = length, width, height) or ``cylinder`` (size = radius, height) whose local
    frame is ``plane`` moved to the feature's base corner / base centre."""

    kind: Literal["box", "cylinder"]
    plane: Plane
    size: tuple[float, ...]
    size_names: tuple[str | None, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Boolean:
    op: Literal["union", "cut", "intersect"]
    base: Node
    tool: Node
    line: int = 0


Node = Extrude | Primitive | Boolean


@dataclass(frozen=True)
class Program:
    """The final solid of a program and the sketches of its extrusions (tree order, left to right)."""

    solid: Node
    sketches: tuple[Sketch, ...] = field(default=())


def parse_program(code: str) -> Program:
    """The IR of ``code``; raises ``NotNative`` for anything outside the modelled subset."""
    from core.program.sketch_parse import evaluate_program

    return evaluate_program(code)


def leaves(node: Node) -> list[Extrude | Primitive]:
    """The extrusions and primitives of a solid tree, left to right."""
    if isinstance(node, Boolean):
        return leaves(node.base) + leaves(node.tool)
    return [node]


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
    k = _unit(axis, "axis")
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    kv = sum(a * b for a, b in zip(k, v, strict=True))
    cross = _cross(k, v)
    out = [v[i] * c + cross[i] * s + k[i] * kv * (1 - c) for i in range(3)]
    return tuple(0.0 if abs(x) < 1e-15 else x for x in out)  # type: ignore[return-value]


def _unit(v: tuple[float, ...], what: str) -> Vec3:
    length = math.sqrt(sum(c * c for c in v))
    if length < 1e-12:
        raise ValueError(f"{what} should be non null")
    return tuple(float(c) / length for c in v)  # type: ignore[return-value]


def _cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
