"""Which Sketcher geometry and constraints a sketch of the IR becomes: a plan, free of FreeCAD, that
``CADCoderWorkbench.native`` carries out and plain pytest can check.

Rules, chosen so the sketch always solves without moving anything and ends fully constrained
(0 degrees of freedom, nothing redundant): consecutive segments are Coincident; exactly
axis-aligned lines are Horizontal/Vertical; then dimensions where a number the author wrote maps
onto one sketch quantity -- a circle's radius or diameter (also through ``diameter / 2``), a
``rect`` side, a slot's width, an ``rarray`` pitch, a point's x or y -- each named after its
parameter; circles of one parameter are Equal to the first. Coordinates are tracked per axis with
a union-find, so a dimension is left out when earlier constraints already fix or tie what it
would fix; every group of coordinates still free then gets one unnamed DistanceX/DistanceY, each
arc one coordinate of its centre (its bulge), each unnamed circle its Radius.

Sketcher stores every arc counter-clockwise: a clockwise arc of the IR has its start and end swapped
there, so its vertex numbers (1 start, 2 end, 3 centre) are swapped here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.program.part_ir import Arc, Circle, Curve, Line, Point, Segment
from core.program.sketch_loops import arc_center

START, END, CENTER = 1, 2, 3
AXIS_TOLERANCE = 1e-12  # relative: a line this close to an axis is constrained to it


@dataclass(frozen=True)
class Geometry:
    """One Sketcher geometry: ``kind`` "line", "arc" or "circle"; ``points`` (x, y) pairs: line start,
    end; arc start, through-point, end (IR order); circle centre and (radius, 0)."""

    kind: str
    points: tuple[tuple[float, float], ...]
    reversed: bool = False  # a clockwise arc: Sketcher's start is the IR's end


@dataclass(frozen=True)
class Constraint:
    """``Sketcher.Constraint(kind, *refs[, value])``, renamed to ``name`` when it has one."""

    kind: str
    refs: tuple[int, ...]
    value: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class SketchPlan:
    geometry: tuple[Geometry, ...]
    constraints: tuple[Constraint, ...]


def plan_sketch(loops: tuple[Curve, ...]) -> SketchPlan:
    """Geometry and constraints that fix every degree of freedom exactly once (0 DoF): named
    dimensions where the program's parameters say what a quantity is, unnamed ones for the rest."""
    geometry: list[Geometry] = []
    constraints: list[Constraint] = []
    links: list[_Link] = []
    locks: list[tuple[str, tuple[int, int], float, str | None]] = []
    sizes: list[Constraint] = []
    vertices: list[tuple[tuple[int, int], Point]] = []  # each outline corner once
    arcs: list[int] = []

    for loop in loops:
        if isinstance(loop, Circle):
            c = loop
            index = len(geometry)
            geometry.append(Geometry("circle", ((c.center.x, c.center.y), (c.radius, 0.0))))
            _add_locks(locks, c.center, (index, CENTER))
            vertices.append(((index, CENTER), c.center))
            sizes.append(_size(c, index, sizes))
            continue
        first = len(geometry)
        for seg in loop.segments:
            geometry.append(_geometry(seg))
        count = len(loop.segments)
        for k, seg in enumerate(loop.segments):
            index, nxt = first + k, first + (k + 1) % count
            if count > 1:
                constraints.append(
                    Constraint("Coincident", (index, _end(geometry[index]), nxt, _start(geometry[nxt])))
                )
            start_ref = (index, _start(geometry[index]))
            end_ref = (nxt, _start(geometry[nxt])) if count > 1 else (index, _end(geometry[index]))
            _add_locks(locks, seg.start, start_ref)
            vertices.append((start_ref, seg.start))
            if isinstance(seg, Arc):
                arcs.append(index)
                if seg.chord_name:
                    links.extend(_chord_link(seg, geometry[index], index, start_ref, end_ref))
                continue
            axis = _axis_of(seg)
            if axis == "y":  # horizontal: same y at both ends
                constraints.append(Constraint("Horizontal", (index,)))
                links.append(_Link("y", start_ref, end_ref))
            elif axis == "x":
                constraints.append(Constraint("Vertical", (index,)))
                links.append(_Link("x", start_ref, end_ref))
            if seg.length_name and axis:
                other = "x" if axis == "y" else "y"
                delta = (seg.end.x - seg.start.x) if other == "x" else (seg.end.y - seg.start.y)
                links.append(
                    _Link(other, start_ref, end_ref, delta, seg.length_name, (index, START, index, END))
                )
    links.extend(_pitch_links({point: ref for ref, point in reversed(vertices)}))
    dimensions = _dimensions(links, locks, vertices)
    arc_fixes = [_arc_fix(geometry[i], i) for i in arcs]
    return SketchPlan(tuple(geometry), _unique_names([*constraints, *dimensions, *sizes, *arc_fixes]))


def _size(c, index: int, earlier: list[Constraint]) -> Constraint:
    """A circle's named Diameter or Radius; Equal to the first circle of the same parameter (a
    pattern's holes share one dimension); an unnamed Radius when the size follows no parameter."""
    name = c.diameter_name or c.radius_name
    if name:
        same = next((k for k in earlier if k.name == name and k.kind in ("Diameter", "Radius")), None)
        if same is not None:
            return Constraint("Equal", (same.refs[0], index))
        if c.diameter_name:
            return Constraint("Diameter", (index,), 2 * c.radius, name)
        return Constraint("Radius", (index,), c.radius, name)
    return Constraint("Radius", (index,), c.radius)


def _chord_link(arc: Arc, g: Geometry, index: int, start_ref, end_ref) -> list[_Link]:
    """A named distance between an arc's ends along the axis its chord lies on (a slot's width)."""
    dx, dy = arc.end.x - arc.start.x, arc.end.y - arc.start.y
    scale = max(abs(dx), abs(dy))
    if abs(dy) <= AXIS_TOLERANCE * scale:
        axis, delta = "x", dx
    elif abs(dx) <= AXIS_TOLERANCE * scale:
        axis, delta = "y", dy
    else:
        return []
    refs = (index, _start(g), index, _end(g))
    return [_Link(axis, start_ref, end_ref, delta, arc.chord_name, refs)]


def _pitch_links(centers: dict[Point, tuple[int, int]]) -> list[_Link]:
    """Named spacings between neighbouring points of a pattern (``rarray``): circle centres, and
    the first corners of slots."""
    out = []
    for point, ref in centers.items():
        for axis, step in (("x", point.x_step), ("y", point.y_step)):
            if step is None or step[0] not in centers:
                continue
            other = centers[step[0]]
            delta = (point.x - step[0].x) if axis == "x" else (point.y - step[0].y)
            out.append(_Link(axis, other, ref, delta, step[1], (*other, *ref)))
    return out


def _arc_fix(g: Geometry, index: int) -> Constraint:
    """The one freedom an arc keeps between fixed ends is its bulge: its centre slides along the
    chord's perpendicular bisector, so the centre coordinate along which it slides most is fixed
    (never degenerate, unlike a radius at a half circle)."""
    (sx, sy), _, (ex, ey) = g.points
    center = arc_center(*(Point(x, y) for x, y in g.points))
    assert center is not None  # the IR refuses arcs through three points on a line
    if abs(ey - sy) >= abs(ex - sx):  # chord mostly along y: the bisector runs along x
        return Constraint("DistanceX", (index, CENTER), center[0])
    return Constraint("DistanceY", (index, CENTER), center[1])


@dataclass(frozen=True)
class _Link:
    """Two points tied along one axis: by a Horizontal/Vertical line, or by a named length
    (``delta`` = b - a, constrained on ``refs``)."""

    axis: str
    a: tuple[int, int]
    b: tuple[int, int]
    delta: float = 0.0
    name: str | None = None
    refs: tuple[int, ...] = ()


def _dimensions(
    links: list[_Link],
    locks: list[tuple[str, tuple[int, int], float, str | None]],
    vertices: list[tuple[tuple[int, int], Point]],
) -> list[Constraint]:
    """DistanceX/DistanceY constraints that fix every coordinate group exactly once: geometric ties
    first, then named lengths and named coordinates, then an unnamed coordinate for each group
    still free (so the sketch is fully constrained without anything redundant)."""
    groups = {"x": _Groups(), "y": _Groups()}
    out: list[Constraint] = []
    for link in sorted(links, key=lambda link: link.name is not None):
        if groups[link.axis].join(link.a, link.b) and link.name:
            out.append(_distance(link.axis, link.refs, link.delta, link.name))
    for axis, ref, value, name in locks:
        if groups[axis].fix(ref):
            out.append(Constraint(f"Distance{axis.upper()}", ref, value, name))
    for ref, point in vertices:
        for axis, value in (("x", point.x), ("y", point.y)):
            if groups[axis].fix(ref):
                out.append(Constraint(f"Distance{axis.upper()}", ref, value))
    return out


def _distance(axis: str, refs: tuple[int, ...], delta: float, name: str | None) -> Constraint:
    """A two-point distance along an axis, written with a positive value (points swapped if needed)."""
    if delta < 0:
        refs, delta = (*refs[2:], *refs[:2]), -delta
    return Constraint(f"Distance{axis.upper()}", refs, delta, name)


class _Groups:
    """Union-find over point references; a group is fixed once one of its coordinates is dimensioned."""

    def __init__(self) -> None:
        self.parent: dict[tuple[int, int], tuple[int, int]] = {}
        self.fixed: set[tuple[int, int]] = set()

    def root(self, ref: tuple[int, int]) -> tuple[int, int]:
        self.parent.setdefault(ref, ref)
        while self.parent[ref] != ref:
            self.parent[ref] = self.parent[self.parent[ref]]
            ref = self.parent[ref]
        return ref

    def join(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        ra, rb = self.root(a), self.root(b)
        if ra == rb or (ra in self.fixed and rb in self.fixed):
            return False
        self.parent[rb] = ra
        if rb in self.fixed:
            self.fixed.add(ra)
        return True

    def fix(self, ref: tuple[int, int]) -> bool:
        r = self.root(ref)
        if r in self.fixed:
            return False
        self.fixed.add(r)
        return True


def _unique_names(constraints: list[Constraint]) -> tuple[Constraint, ...]:
    """A parameter used in several places names each of them (``width``, ``width_2``, ...)."""
    seen: dict[str, int] = {}
    out = []
    for c in constraints:
        name = c.name
        if name:
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}_{seen[name]}"
        out.append(Constraint(c.kind, c.refs, c.value, name))
    return tuple(out)


def _add_locks(locks: list, point: Point, ref: tuple[int, int]) -> None:
    if point.x_name:
        locks.append(("x", ref, point.x, point.x_name))
    if point.y_name:
        locks.append(("y", ref, point.y, point.y_name))


def _geometry(seg: Segment) -> Geometry:
    if isinstance(seg, Line):
        return Geometry("line", ((seg.start.x, seg.start.y), (seg.end.x, seg.end.y)))
    clockwise = _turn(seg) < 0
    return Geometry(
        "arc", ((seg.start.x, seg.start.y), (seg.mid.x, seg.mid.y), (seg.end.x, seg.end.y)), clockwise
    )


def _turn(arc: Arc) -> float:
    a, m, b = arc.start, arc.mid, arc.end
    return (m.x - a.x) * (b.y - m.y) - (m.y - a.y) * (b.x - m.x)


def _start(g: Geometry) -> int:
    return END if g.reversed else START


def _end(g: Geometry) -> int:
    return START if g.reversed else END


def _axis_of(line: Line) -> str | None:
    """ "y" for a horizontal line (its y is shared), "x" for a vertical one, None otherwise."""
    dx, dy = abs(line.end.x - line.start.x), abs(line.end.y - line.start.y)
    scale = max(dx, dy)
    if dy <= AXIS_TOLERANCE * scale:
        return "y"
    if dx <= AXIS_TOLERANCE * scale:
        return "x"
    return None
