"""One program representation for sketch-and-extrude parts: planes, points, lines, three-point
arcs, circles, loops, sketches, extrusions, primitives and booleans.

Three parts of the project speak it, so one part can pass through all of them unchanged:
- the data engine (``training.synth``) generates parts as this IR and writes them as code;
- native conversion (``core.program.sketch_parse``) reads CadQuery code into it, and FreeCAD
  rebuilds it as a PartDesign Body of Sketcher sketches;
- the grounded search (``core.grounding``) states what it recovered from a picture in it.

Why these shapes:
- Segments carry both ends (``Line(start, end)``, ``Arc(start, mid, end)``): constraint and
  nesting code looks at one segment at a time, and a loop still reads in drawing order
  (``loop.start``, then each segment's ``end``), the way ``moveTo``/``lineTo``/``threePointArc``
  write it. ``loop_through`` builds one from that drawing order.
- ``Point`` holds plane coordinates plus the names of the parameters they were written with, so
  dimensional constraints can carry those names; it also reads as an ``(x, y)`` pair
  (``x, y = p``, ``p[0]``), so generators can keep working with plain tuples: segment and circle
  constructors turn a pair into a ``Point``.
- A closed outline (``Curve``) is a ``Loop`` of segments or a ``Circle``. A ``Sketch`` holds the
  outlines of one extrusion in order and their grouping into faces (``Region``: an outer outline
  and its holes).
- A ``Program`` is a tree of booleans over extrusions and primitives (what any CadQuery program of
  the family is); a generated part is the common special case of a sequence in which each
  extrusion is combined with the solid so far (``Program.from_extrudes`` / ``Program.extrudes``).

Standard library only: FreeCAD's own Python imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal, NamedTuple

Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]
Operation = Literal["new", "union", "cut", "intersect"]
OPERATIONS = ("new", "union", "cut", "intersect")


@dataclass(frozen=True)
class Plane:
    """A CadQuery plane: world ``origin``, local x direction and normal (local y = normal x xDir);
    ``make_plane`` builds one the way CadQuery does (unit axes, x orthogonal to the normal)."""

    origin: Vec3
    x_dir: Vec3
    normal: Vec3

    @property
    def y_dir(self) -> Vec3:
        return cross(self.normal, self.x_dir)

    def to_world(self, point: Sequence[float], height: float = 0.0) -> Vec3:
        """World coordinates of the plane point ``point`` lifted ``height`` along the normal."""
        x, y = point[0], point[1]
        o, ex, n = self.origin, self.x_dir, self.normal
        ey = self.y_dir
        return (
            o[0] + x * ex[0] + y * ey[0] + height * n[0],
            o[1] + x * ex[1] + y * ey[1] + height * n[1],
            o[2] + x * ex[2] + y * ey[2] + height * n[2],
        )

    def moved_to(self, x: float, y: float, z: float = 0.0) -> Plane:
        """The same axes with the origin at local ``(x, y, z)``."""
        return Plane(self.to_world((x, y), z), self.x_dir, self.normal)


def make_plane(origin: Sequence[float], x_dir: Sequence[float], normal: Sequence[float]) -> Plane:
    """A ``Plane`` the way CadQuery builds one; ValueError for a null or parallel direction."""
    z = unit(normal, "normal")
    x = unit(x_dir, "xDir")
    dot = sum(a * b for a, b in zip(x, z, strict=True))
    x = unit(tuple(a - dot * b for a, b in zip(x, z, strict=True)), "xDir (parallel to the normal)")
    return Plane(tuple(float(c) for c in origin), x, z)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    """A sketch point in plane coordinates. ``x_name``/``y_name``: the parameters it was written
    with; ``x_step``/``y_step``: the neighbour it was placed from and the spacing parameter
    (``rarray``), which becomes a pitch dimension between the two. Reads as an ``(x, y)`` pair."""

    x: float
    y: float
    x_name: str | None = None
    y_name: str | None = None
    x_step: tuple[Point, str] | None = None
    y_step: tuple[Point, str] | None = None

    def __iter__(self) -> Iterator[float]:
        yield self.x
        yield self.y

    def __getitem__(self, index: int) -> float:
        return (self.x, self.y)[index]

    def __len__(self) -> int:
        return 2

    def same_place(self, other: Sequence[float], tol: float = 1e-9) -> bool:
        return abs(self.x - other[0]) <= tol and abs(self.y - other[1]) <= tol


def as_point(p: Point | Sequence[float]) -> Point:
    """``p`` as a ``Point`` (a plain pair gets no parameter names)."""
    return p if isinstance(p, Point) else Point(float(p[0]), float(p[1]))


def _points(obj: object, *names: str) -> None:
    """Turn the pair-valued fields ``names`` of a frozen dataclass into ``Point``s in place."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, Point):
            object.__setattr__(obj, name, as_point(value))


@dataclass(frozen=True)
class Line:
    """A straight segment; ``length_name`` is the parameter its length was written as (``rect``)."""

    start: Point
    end: Point
    length_name: str | None = None

    def __post_init__(self) -> None:
        _points(self, "start", "end")


@dataclass(frozen=True)
class Arc:
    """A circular arc from ``start`` through ``mid`` to ``end`` (CadQuery's threePointArc);
    ``chord_name``: the parameter the distance from start to end was written as (a slot's width)."""

    start: Point
    mid: Point
    end: Point
    chord_name: str | None = None

    def __post_init__(self) -> None:
        _points(self, "start", "mid", "end")


Segment = Line | Arc


@dataclass(frozen=True)
class Circle:
    """A full circle; ``radius_name`` or ``diameter_name``: the parameter its size was written as
    (``hole`` takes a diameter); ``line``: the source line that drew it (0 when generated)."""

    center: Point
    radius: float
    radius_name: str | None = None
    diameter_name: str | None = None
    line: int = 0

    def __post_init__(self) -> None:
        _points(self, "center")

    def points(self) -> list[Point]:
        """Two opposite corners of the square around the circle (for bounding boxes)."""
        (cx, cy), r = self.center, self.radius
        return [Point(cx - r, cy - r), Point(cx + r, cy + r)]


@dataclass(frozen=True)
class Loop:
    """One closed outline of connected segments in drawing order (each starts where the previous
    ended, the last ends at the first's start); ``line``: the source line that closed it."""

    segments: tuple[Segment, ...]
    line: int = 0

    @property
    def start(self) -> Point:
        return self.segments[0].start

    def points(self) -> list[Point]:
        """The start, then each segment's mid point (arcs) and end."""
        pts = [self.start]
        for seg in self.segments:
            if isinstance(seg, Arc):
                pts.append(seg.mid)
            pts.append(seg.end)
        return pts

    @property
    def is_closed(self) -> bool:
        return bool(self.segments) and self.segments[-1].end.same_place(self.start)

    @property
    def n_arcs(self) -> int:
        return sum(isinstance(s, Arc) for s in self.segments)


Curve = Loop | Circle


class ArcTo(NamedTuple):
    """A ``threePointArc(mid, end)`` step for ``loop_through``."""

    mid: Sequence[float]
    end: Sequence[float]


def loop_through(start: Sequence[float], steps: Sequence[Sequence[float] | ArcTo], line: int = 0) -> Loop:
    """The loop drawn as ``moveTo(start)`` then, per step, ``lineTo(point)`` or
    ``threePointArc(mid, end)`` (an ``ArcTo``), in the order code writes it."""
    at = as_point(start)
    segments: list[Segment] = []
    for step in steps:
        if isinstance(step, ArcTo):
            end = as_point(step.end)
            segments.append(Arc(at, as_point(step.mid), end))
        else:
            end = as_point(step)
            segments.append(Line(at, end))
        at = end
    return Loop(tuple(segments), line)


def polygon(
    points: Sequence[Sequence[float]], line: int = 0, length_names: dict[int, str | None] | None = None
) -> Loop:
    """A polygon (``polyline(...).close()``, ``rect``) as a loop of lines back to its first point;
    ``length_names[i]``: the parameter the length of side ``i`` was written as."""
    corners = [as_point(p) for p in points]
    names = length_names or {}
    n = len(corners)
    return Loop(tuple(Line(corners[i], corners[(i + 1) % n], names.get(i)) for i in range(n)), line)


@dataclass(frozen=True)
class Region:
    """One face of a sketch: an outer outline and the outlines that are holes in it."""

    outer: Curve
    holes: tuple[Curve, ...] = ()


@dataclass(frozen=True)
class Sketch:
    """The outlines of one extrusion on ``plane`` in drawing order, grouped into faces
    (``regions``; when not given: one face, the first outline with the others as its holes, the
    way the data engine draws). ``touching``: pairs of indices into ``loops`` that meet at single
    points (allowed in CadQuery, not in one FreeCAD sketch); ``line``: the source line."""

    plane: Plane
    loops: tuple[Curve, ...]
    regions: tuple[Region, ...] = ()
    line: int = 0
    touching: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.regions and self.loops:
            object.__setattr__(self, "regions", (Region(self.loops[0], tuple(self.loops[1:])),))

    def bounds(self) -> tuple[Vec2, Vec2]:
        """Plane-coordinate box around all outlines (conservative for arcs' bulges)."""
        pts = [p for loop in self.loops for p in loop.points()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return (min(xs), min(ys)), (max(xs), max(ys))


@dataclass(frozen=True)
class Extrude:
    """``sketch`` extruded ``distance`` along its normal (negative: against it); ``both``: that
    far to each side; ``None``: through everything against the normal (``hole`` without a depth).
    ``operation``: how the extrusion meets the solid before it in a sequence (``Program.extrudes``);
    in a tree the enclosing ``Boolean`` says it. ``distance_name``: the parameter of the distance."""

    sketch: Sketch
    distance: float | None
    both: bool = False
    distance_name: str | None = None
    line: int = 0
    operation: Operation = "new"

    def __post_init__(self) -> None:
        if not isinstance(self.both, bool) or self.operation not in OPERATIONS:
            raise ValueError(f"bad extrusion flags both={self.both!r}, operation={self.operation!r}")

    def world_bbox(self) -> tuple[Vec3, Vec3]:
        """Axis-aligned box around the prism (exact for lines, conservative for arcs' bulges)."""
        if self.distance is None:
            raise ValueError("a through-all extrusion has no box of its own")
        (x0, y0), (x1, y1) = self.sketch.bounds()
        heights = (-self.distance, self.distance) if self.both else (0.0, self.distance)
        corners = [self.sketch.plane.to_world((x, y), h) for x in (x0, x1) for y in (y0, y1) for h in heights]
        lo = tuple(min(c[i] for c in corners) for i in range(3))
        hi = tuple(max(c[i] for c in corners) for i in range(3))
        return lo, hi  # type: ignore[return-value]


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
    """``base`` combined with ``tool`` (CadQuery's ``union``/``cut``/``intersect``)."""

    op: Literal["union", "cut", "intersect"]
    base: Node
    tool: Node
    line: int = 0


Node = Extrude | Primitive | Boolean


@dataclass(frozen=True)
class Program:
    """A whole part: its final solid as a tree, the sketches of its extrusions (tree order, left to
    right), and for generated parts the generator (``family``) and its chosen values (``params``)."""

    solid: Node
    sketches: tuple[Sketch, ...] = ()
    family: str = ""
    params: dict[str, float] = field(default_factory=dict, compare=False)

    @classmethod
    def from_extrudes(
        cls, family: str, extrudes: Sequence[Extrude], params: dict[str, float] | None = None
    ) -> Program:
        """The part built by extruding in order, each combined with the solid so far by its
        ``operation``: the first (and only the first) is ``new``."""
        if not extrudes:
            raise ValueError("a program needs at least one extrude")
        if extrudes[0].operation != "new":
            raise ValueError("the first extrude must create the body ('new')")
        if any(e.operation == "new" for e in extrudes[1:]):
            raise ValueError("only the first extrude may be 'new'")
        solid: Node = extrudes[0]
        for e in extrudes[1:]:
            solid = Boolean(e.operation, solid, e, e.line)  # type: ignore[arg-type]
        return cls(solid, tuple(e.sketch for e in extrudes), family, dict(params or {}))

    @cached_property
    def extrudes(self) -> tuple[Extrude, ...]:
        """The part as a sequence of extrusions, each with the operation that combined it with the
        solid before it; ValueError for a tree that is not such a sequence (a primitive, or a
        boolean whose tool is itself a combination)."""
        out: list[Extrude] = []
        node = self.solid
        while isinstance(node, Boolean):
            if not isinstance(node.tool, Extrude):
                raise ValueError("not a sequence of extrusions")
            out.append(replace(node.tool, operation=node.op) if node.tool.operation != node.op else node.tool)
            node = node.base
        if not isinstance(node, Extrude):
            raise ValueError("not a sequence of extrusions")
        out.append(node if node.operation == "new" else replace(node, operation="new"))
        return tuple(reversed(out))


def leaves(node: Node) -> list[Extrude | Primitive]:
    """The extrusions and primitives of a solid tree, left to right."""
    if isinstance(node, Boolean):
        return leaves(node.base) + leaves(node.tool)
    return [node]


def arc_center(a: Sequence[float], m: Sequence[float], b: Sequence[float]) -> tuple[float, float] | None:
    """Centre of the circle through three points (an ``Arc``'s start, mid and end); None when they
    are (nearly) collinear."""
    ax, ay, bx, by, cx, cy = a[0], a[1], m[0], m[1], b[0], b[1]
    d = 2.0 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    scale = max(abs(bx - ax), abs(by - ay), abs(cx - ax), abs(cy - ay)) or 1.0
    if abs(d) <= 1e-12 * scale * scale:
        return None
    a2, b2, c2 = ax * ax + ay * ay, bx * bx + by * by, cx * cx + cy * cy
    return (
        (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d,
        (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d,
    )


def cross(a: Sequence[float], b: Sequence[float]) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def unit(v: Sequence[float], what: str) -> Vec3:
    """``v`` scaled to length one; ValueError naming ``what`` when it is null."""
    length = math.sqrt(sum(c * c for c in v))
    if length < 1e-12:
        raise ValueError(f"{what} should be non null")
    return tuple(float(c) / length for c in v)  # type: ignore[return-value]
