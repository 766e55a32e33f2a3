"""Which Sketcher geometry and constraints a sketch of the IR becomes: a plan, free of FreeCAD, that
``CADCoderWorkbench.native`` carries out and plain pytest can check.

Rules, chosen so the sketch always solves without moving anything: consecutive segments are
Coincident; exactly axis-aligned lines are Horizontal/Vertical; then dimensions only where a number
the author wrote maps onto one sketch quantity: a circle's radius or diameter, a ``rect`` side's
length, a point's x or y coordinate. Each dimension gets the parameter's name. A dimension is left
out when the coordinates it fixes are already fixed or tied together by earlier constraints
(tracked per axis with a union-find), so nothing is redundant or conflicting; what is left free
(arc bulges, unnamed coordinates) stays where the program put it.

Sketcher stores every arc counter-clockwise: a clockwise arc of the IR has its start and end swapped
there, so its vertex numbers (1 start, 2 end, 3 centre) are swapped here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.program.sketch_ir import Arc, Line, Loop, Point, Segment

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


def plan_sketch(loops: tuple[Loop, ...]) -> SketchPlan:
    geometry: list[Geometry] = []
    constraints: list[Constraint] = []
    links: list[_Link] = []
    locks: list[tuple[str, tuple[int, int], float, str]] = []
    sizes: list[Constraint] = []

    for loop in loops:
        if loop.circle is not None:
            c = loop.circle
            index = len(geometry)
            geometry.append(Geometry("circle", ((c.center.x, c.center.y), (c.radius, 0.0))))
            _add_locks(locks, c.center, (index, CENTER))
            if c.diameter_name:
                sizes.append(Constraint("Diameter", (index,), 2 * c.radius, c.diameter_name))
            elif c.radius_name:
                sizes.append(Constraint("Radius", (index,), c.radius, c.radius_name))
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
            _add_locks(locks, seg.start, start_ref)
            if isinstance(seg, Line):
                end_ref = (nxt, _start(geometry[nxt])) if count > 1 else (index, END)
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

    return SketchPlan(tuple(geometry), _unique_names([*constraints, *_dimensions(links, locks), *sizes]))


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


def _dimensions(links: list[_Link], locks: list[tuple[str, tuple[int, int], float, str]]) -> list[Constraint]:
    """Named DistanceX/DistanceY constraints that fix nothing twice; geometric ties go first."""
    groups = {"x": _Groups(), "y": _Groups()}
    out: list[Constraint] = []
    for link in sorted(links, key=lambda link: link.name is not None):
        if groups[link.axis].join(link.a, link.b) and link.name:
            out.append(Constraint(f"Distance{link.axis.upper()}", link.refs, link.delta, link.name))
    for axis, ref, value, name in locks:
        if groups[axis].fix(ref):
            out.append(Constraint(f"Distance{axis.upper()}", ref, value, name))
    return out


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
