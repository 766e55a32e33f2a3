"""CadQuery's ``Workplane`` as the sketch reader sees it: the stack, the shared context of pending
edges and wires, and what each supported method does to them, with arguments already evaluated.

Mirrors ``cadquery/cq.py`` (2.8) call by call so that the IR holds what CadQuery would build;
anything the mirror does not follow exactly raises ``NotNative``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

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
    Segment,
    Vec3,
    make_plane,
)
from core.program.part_ir import polygon as polygon_loop
from core.program.sketch_ir import NotNative, turn_node
from core.program.sketch_loops import loop_area, sketch_of, tidy_loop

CLOSE_TOLERANCE = 1e-6  # cq.Workplane.close adds no closing line below this distance
AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}


@dataclass(frozen=True)
class Num:
    """A number and the parameter it was written as (None when computed); ``derived`` keeps a
    parameter through scaling (``diameter / 2`` is ``("diameter", 0.5)``), so a circle drawn with
    half a diameter can still carry a Diameter constraint named ``diameter``."""

    value: float
    name: str | None = None
    derived: tuple[str, float] | None = None

    def root(self) -> tuple[str, float] | None:
        """(parameter, factor) with ``value == factor * parameter``, if known."""
        return (self.name, 1.0) if self.name else self.derived


@dataclass(eq=False)
class Context:
    """State shared by every workplane derived from one ``cq.Workplane(...)`` call."""

    edges: list[Segment] = field(default_factory=list)
    wires: list[tuple[Plane, Curve]] = field(default_factory=list)
    first: Point | None = None


@dataclass(frozen=True)
class Wire:
    """A wire on the stack; ``center`` is its centre of mass where it is known exactly (circles,
    rectangles, regular polygons), which is where CadQuery repeats the next operation."""

    loop: Curve
    construction: bool = False
    center: Point | None = None


@dataclass(frozen=True)
class SolidRef:
    node: Node


@dataclass(frozen=True)
class FaceRef:
    """The faces picked by ``faces(selector)``: where their plane lies along ``axis`` and which way it faces."""

    axis: tuple[float, float, float]
    level: float
    outward: float


@dataclass(frozen=True)
class Spot:
    """A location of ``polarArray``: a point and the turn (degrees) CadQuery gives what is drawn there."""

    point: Point
    angle: float


@dataclass(eq=False)
class Workplane:
    plane: Plane
    ctx: Context
    objects: list = field(default_factory=list)
    parent: Workplane | None = None

    def new(self, objects: list, plane: Plane | None = None) -> Workplane:
        return Workplane(plane or self.plane, self.ctx, list(objects), self)


def start_point(wp: Workplane, line: int) -> Point:
    """Where a drawing operation starts: the last point or edge end on the stack, else the origin."""
    if not wp.objects:
        return Point(0.0, 0.0)
    last = wp.objects[-1]
    if isinstance(last, Point):
        return last
    if isinstance(last, (Line, Arc)):
        return last.end
    raise NotNative("drawing continues from something that is not a point or an edge", line)


def stack_spots(wp: Workplane, line: int) -> list[Spot]:
    """The locations an operation repeats at (CadQuery's eachpoint): plain points, ``polarArray``
    locations, and the centres of circles, rectangles and polygons; anything else stands for a
    centre of mass not known here."""
    if not wp.objects:
        return [Spot(Point(0.0, 0.0), 0.0)]
    spots = [
        o
        if isinstance(o, Spot)
        else Spot(o, 0.0)
        if isinstance(o, Point)
        else Spot(o.center, 0.0)
        if isinstance(o, Wire) and o.center is not None
        else None
        for o in wp.objects
    ]
    if any(s is None for s in spots):
        raise NotNative("an operation repeated at the centre of a shape on the stack", line)
    return spots  # type: ignore[return-value]


def stack_points(wp: Workplane, line: int, turn_free: bool = False) -> list[Point]:
    """The points of ``stack_spots``; a turned location (``polarArray``) only where the shape drawn
    there looks the same turned (``turn_free``: circles, holes)."""
    spots = stack_spots(wp, line)
    if not turn_free and any(abs(math.remainder(s.angle, 360.0)) > 1e-12 for s in spots):
        raise NotNative("a shape turned by polarArray(rotate=True)", line)
    return [s.point for s in spots]


def find_solid(wp: Workplane | None, line: int) -> Node | None:
    """The context solid: the solid on the nearest stack up the parent chain."""
    while wp is not None:
        solids = [o.node for o in wp.objects if isinstance(o, SolidRef)]
        if len(solids) > 1:
            raise NotNative("several separate solids on one stack", line)
        if solids:
            return solids[0]
        wp = wp.parent
    return None


def add_edge(wp: Workplane, edge: Segment) -> Workplane:
    wp.ctx.edges.append(edge)
    if wp.ctx.first is None:
        wp.ctx.first = edge.start
    return wp.new([edge])


def move_to(wp: Workplane, x: Num, y: Num, line: int) -> Workplane:
    if wp.ctx.edges:
        raise NotNative("a new outline starts before the previous one was closed", line)
    return wp.new([Point(x.value, y.value, x.name, y.name)])


def line_to(wp: Workplane, x: Num, y: Num, line: int) -> Workplane:
    return add_edge(wp, Line(start_point(wp, line), Point(x.value, y.value, x.name, y.name)))


def line_by(wp: Workplane, dx: float, dy: float, line: int) -> Workplane:
    """``line``/``hLine``/``vLine``: relative moves; a coordinate that does not change keeps its name."""
    s = start_point(wp, line)
    end = Point(s.x + dx, s.y + dy, s.x_name if dx == 0 else None, s.y_name if dy == 0 else None)
    return add_edge(wp, Line(s, end))


def three_point_arc(wp: Workplane, mid: Point, end: Point, line: int) -> Workplane:
    return add_edge(wp, Arc(start_point(wp, line), mid, end))


def close(wp: Workplane, line: int) -> Workplane:
    end = start_point(wp, line)
    first = wp.ctx.first
    if first is None:
        raise NotNative("close() without an outline", line)
    if math.hypot(end.x - first.x, end.y - first.y) > CLOSE_TOLERANCE:
        wp = add_edge(wp, Line(end, first))
    loop = Loop(tuple(wp.ctx.edges), line)
    wp.ctx.edges = []
    wp.ctx.first = None
    wp.ctx.wires.append((wp.plane, loop))
    return wp.new([Wire(loop)])


def add_wires(wp: Workplane, loops: list[Curve], centers: list[Point], construction: bool) -> Workplane:
    if not construction:
        wp.ctx.wires.extend((wp.plane, loop) for loop in loops)
    return wp.new([Wire(loop, construction, Point(c.x, c.y)) for loop, c in zip(loops, centers, strict=True)])


def circle(wp: Workplane, radius: Num, construction: bool, line: int) -> Workplane:
    if radius.value <= 0:
        raise NotNative("a circle without a positive radius", line)
    centers = stack_points(wp, line, turn_free=True)
    root = radius.root()
    diameter = root[0] if root and root[1] == 0.5 else None
    loops: list[Curve] = [Circle(p, radius.value, radius.name, diameter, line) for p in centers]
    return add_wires(wp, loops, centers, construction)


def rect(
    wp: Workplane, x_len: Num, y_len: Num, centered: tuple[bool, bool], construction: bool, line: int
) -> Workplane:
    loops, centers = [], []
    for p in stack_points(wp, line):
        x0 = p.x - (x_len.value / 2 if centered[0] else 0.0)
        y0 = p.y - (y_len.value / 2 if centered[1] else 0.0)
        x1, y1 = x0 + x_len.value, y0 + y_len.value
        corners = [Point(x0, y0), Point(x1, y0), Point(x1, y1), Point(x0, y1)]
        loops.append(polygon_loop(corners, line, {0: x_len.name, 1: y_len.name}))
        centers.append(Point((x0 + x1) / 2, (y0 + y1) / 2))
    return add_wires(wp, loops, centers, construction)


def polygon(
    wp: Workplane, sides: int, diameter: float, construction: bool, circumscribed: bool, line: int
) -> Workplane:
    if sides < 3:
        raise NotNative("a polygon needs at least 3 sides", line)
    angle = 2.0 * math.pi / sides
    radius = diameter / 2.0 / (math.cos(angle / 2.0) if circumscribed else 1.0)
    turn = angle / 2.0 if circumscribed else 0.0
    loops, centers = [], stack_points(wp, line)
    for p in centers:
        corners = [
            Point(p.x + radius * math.cos(angle * i + turn), p.y + radius * math.sin(angle * i + turn))
            for i in range(sides)
        ]
        loops.append(polygon_loop(corners, line))
    return add_wires(wp, loops, centers, construction)


def vertices(wp: Workplane, line: int) -> Workplane:
    """Corners of the outlines on the stack (the idiom ``rect(..., forConstruction=True).vertices()``)."""
    points: list[Point] = []
    for obj in wp.objects:
        if not isinstance(obj, Wire) or isinstance(obj.loop, Circle):
            raise NotNative("vertices() of something other than a straight outline", line)
        for seg in obj.loop.segments:
            if not any(seg.start.same_place(q) for q in points):
                points.append(seg.start)
    return wp.new(points)


def push_points(wp: Workplane, points: list[Point]) -> Workplane:
    return wp.new(points)


def center(wp: Workplane, x: float, y: float) -> Workplane:
    return wp.new([Point(0.0, 0.0)], wp.plane.moved_to(x, y))


def extrude(wp: Workplane, distance: Num, both: bool, combine: str, line: int) -> Workplane:
    if wp.ctx.edges:
        raise NotNative("an outline was not closed before extrude", line)
    if not wp.ctx.wires:
        raise NotNative("extrude without a closed outline", line)
    if distance.value == 0:
        raise NotNative("extrude by zero", line)
    planes = {plane for plane, _ in wp.ctx.wires}
    if planes != {wp.plane}:
        raise NotNative("outlines drawn on another plane than the one extruded", line)
    loops = tuple(tidy_loop(loop) for _, loop in wp.ctx.wires)
    wp.ctx.wires = []
    sketch = sketch_of(wp.plane, loops, line)
    solid: Node = Extrude(sketch, distance.value, both, distance.name, line)
    return wp.new([SolidRef(_combine(wp, solid, combine, line))])


def box(
    wp: Workplane, size: tuple[Num, Num, Num], centered: tuple[bool, bool, bool], combine: str, line: int
) -> Workplane:
    length, width, height = (n.value for n in size)
    if min(length, width, height) <= 0:
        raise NotNative("a box needs positive sizes", line)
    parts = []
    for p in stack_points(wp, line):
        corner = (
            p.x - (length / 2 if centered[0] else 0.0),
            p.y - (width / 2 if centered[1] else 0.0),
            -height / 2 if centered[2] else 0.0,
        )
        plane = wp.plane.moved_to(*corner)
        parts.append(Primitive("box", plane, (length, width, height), tuple(n.name for n in size), line))
    return wp.new([SolidRef(_combine(wp, _union_all(parts, line), combine, line))])


def cylinder(
    wp: Workplane, height: Num, radius: Num, centered: tuple[bool, bool, bool], combine: str, line: int
) -> Workplane:
    if height.value <= 0 or radius.value <= 0:
        raise NotNative("a cylinder needs a positive height and radius", line)
    parts = []
    for p in stack_points(wp, line):
        base = (
            p.x + (0.0 if centered[0] else radius.value),
            p.y + (0.0 if centered[1] else radius.value),
            -height.value / 2 if centered[2] else 0.0,
        )
        plane = wp.plane.moved_to(*base)
        parts.append(
            Primitive("cylinder", plane, (radius.value, height.value), (radius.name, height.name), line)
        )
    return wp.new([SolidRef(_combine(wp, _union_all(parts, line), combine, line))])


def hole(wp: Workplane, diameter: Num, depth: Num | None, line: int) -> Workplane:
    base = find_solid(wp, line)
    if base is None:
        raise NotNative("hole() without a solid to drill", line)
    if diameter.value <= 0 or (depth is not None and depth.value <= 0):
        raise NotNative("a hole needs a positive diameter and depth", line)
    loops = tuple(
        Circle(p, diameter.value / 2, None, diameter.name, line)
        for p in stack_points(wp, line, turn_free=True)
    )
    depth_value = None if depth is None else -depth.value
    depth_name = None if depth is None else depth.name
    try:
        tools = [Extrude(sketch_of(wp.plane, loops, line), depth_value, False, depth_name, line)]
    except NotNative:
        # Holes that overlap cannot share a sketch; CadQuery bores them one by one (cutEach).
        tools = [
            Extrude(sketch_of(wp.plane, (loop,), line), depth_value, False, depth_name, line)
            for loop in loops
        ]
    for tool in tools:
        base = Boolean("cut", base, tool, line)
    return wp.new([SolidRef(base)])


def boolean(wp: Workplane, op: str, other: object, line: int) -> Workplane:
    if not isinstance(other, Workplane):
        raise NotNative(f"{op}() of something other than a workplane", line)
    tools = [o.node for o in other.objects if isinstance(o, SolidRef)]
    if len(tools) != 1:
        raise NotNative(f"{op}() needs exactly one solid on the other workplane's stack", line)
    base = find_solid(wp, line)
    if base is None:
        if op != "union":
            raise NotNative(f"{op}() without a solid to work on", line)
        return wp.new([SolidRef(tools[0])])
    return wp.new([SolidRef(Boolean(op, base, tools[0], line))])  # type: ignore[arg-type]


def polyline(wp: Workplane, points: list[Point], construction: bool, line: int) -> Workplane:
    """Lines through ``points`` (not closed: ``close()`` adds the last one), as pending edges."""
    if len(points) < 2:
        raise NotNative("polyline() needs at least two points", line)
    if construction:
        raise NotNative("polyline(forConstruction=True)", line)
    if wp.ctx.edges:
        raise NotNative("a new outline starts before the previous one was closed", line)
    edges = [Line(a, b) for a, b in pairwise(points)]
    for edge in edges:
        add_edge(wp, edge)
    return wp.new(edges)


def rarray(
    wp: Workplane, spacing: tuple[Num, Num], counts: tuple[int, int], centered: tuple[bool, bool], line: int
) -> Workplane:
    """CadQuery's rectangular array of points (x outer, y inner), centred on the origin by default.
    Each point remembers its neighbour and the spacing parameter, for pitch dimensions."""
    (sx, sy), (nx, ny) = spacing, counts
    if (sx.value <= 0 and sy.value <= 0) or nx < 1 or ny < 1:
        raise NotNative("rarray() needs a positive spacing and count", line)
    ox = -sx.value * (nx - 1) * 0.5 if centered[0] else 0.0
    oy = -sy.value * (ny - 1) * 0.5 if centered[1] else 0.0
    grid: dict[tuple[int, int], Point] = {}
    for i in range(nx):
        for j in range(ny):
            x, y = sx.value * i + ox, sy.value * j + oy
            left, below = grid.get((i - 1, j)), grid.get((i, j - 1))
            grid[i, j] = Point(
                x,
                y,
                x_step=(left, sx.name) if left is not None and sx.name else None,
                y_step=(below, sy.name) if below is not None and sy.name else None,
            )
    return wp.new(list(grid.values()))


def polar_array(
    wp: Workplane, radius: float, start: float, angle: float, count: int, fill: bool, rotate: bool, line: int
) -> Workplane:
    """CadQuery's polar array of locations (turned with the array when ``rotate``)."""
    if count < 1:
        raise NotNative("polarArray() needs at least one element", line)
    if fill:
        if abs(math.remainder(angle, 360)) < 1e-6:  # cadquery's TOL
            angle = angle / count
        else:
            angle = angle / (count - 1) if count > 1 else start
    spots = []
    for i in range(count):
        phi = start + angle * i
        x, y = radius * math.cos(math.radians(phi)), radius * math.sin(math.radians(phi))
        spots.append(Spot(Point(x, y), phi if rotate else 0.0))
    return wp.new(spots)


def slot2d(wp: Workplane, length: Num, diameter: Num, angle: float, line: int) -> Workplane:
    """CadQuery's ``slot2D``: two lines and two half circles, turned by ``angle`` about each point."""
    r, d, ln = diameter.value / 2, diameter.value, length.value
    if d <= 0 or ln <= d:
        raise NotNative("slot2D() needs a length above its diameter", line)
    loops, centers = [], []
    firsts: dict[Point, Point] = {}  # each pattern point -> its slot's first corner
    for spot in stack_spots(wp, line):
        turn = math.radians(angle + spot.angle)
        c, s = math.cos(turn), math.sin(turn)

        def at(x: float, y: float, spot: Spot = spot, c: float = c, s: float = s) -> Point:
            return Point(spot.point.x + c * x - s * y, spot.point.y + s * x + c * y)

        x1 = -ln / 2 + r
        p1, p2, p3, p4 = at(x1, r), at(x1 + ln - d, r), at(x1 + ln - d, -r), at(x1, -r)
        if spot.angle == 0.0:  # an rarray's pitch, carried from slot to slot by the first corners
            p1 = Point(
                p1.x, p1.y, x_step=_step(spot.point.x_step, firsts), y_step=_step(spot.point.y_step, firsts)
            )
            firsts[spot.point] = p1
        arc1, arc2 = at(x1 + ln - d + r, 0.0), at(x1 - r, 0.0)
        segments = (
            Line(p1, p2),
            Arc(p2, arc1, p3, chord_name=diameter.name),
            Line(p3, p4),
            Arc(p4, arc2, p1, chord_name=diameter.name),
        )
        loops.append(Loop(segments, line))
        centers.append(spot.point)
    return add_wires(wp, loops, centers, False)


def _step(step: tuple[Point, str] | None, firsts: dict[Point, Point]) -> tuple[Point, str] | None:
    """A pattern point's step, moved onto the neighbouring slot's first corner."""
    if step is None or step[0] not in firsts:
        return None
    return (firsts[step[0]], step[1])


def cut_thru_all(wp: Workplane, line: int) -> Workplane:
    """``cutThruAll``: the pending wires cut through everything, both ways along the normal."""
    base = find_solid(wp, line)
    if base is None:
        raise NotNative("cutThruAll() without a solid to cut", line)
    if wp.ctx.edges:
        raise NotNative("an outline was not closed before cutThruAll", line)
    if not wp.ctx.wires:
        raise NotNative("cutThruAll() without a closed outline", line)
    if {plane for plane, _ in wp.ctx.wires} != {wp.plane}:
        raise NotNative("outlines drawn on another plane than the one cut", line)
    loops = tuple(tidy_loop(loop) for _, loop in wp.ctx.wires)
    wp.ctx.wires = []
    tool = Extrude(sketch_of(wp.plane, loops, line), None, True, None, line)
    return wp.new([SolidRef(Boolean("cut", base, tool, line))])


def rotate(wp: Workplane, start: Vec3, end: Vec3, degrees: float, line: int) -> Workplane:
    """``rotate`` of the solids on the stack: every plane of their features turns about the axis."""
    axis = tuple(b - a for a, b in zip(start, end, strict=True))
    if math.hypot(*axis) < 1e-12:
        raise NotNative("rotate() about a null axis", line)
    out = []
    for obj in wp.objects:
        if not isinstance(obj, SolidRef):
            raise NotNative("rotate() of something other than a solid", line)
        out.append(SolidRef(turn_node(obj.node, start, axis, degrees)))  # type: ignore[arg-type]
    return wp.new(out)


def faces(wp: Workplane, selector: str, line: int) -> Workplane:
    """``faces(">Z")`` and friends, for a context solid whose extreme face along the axis is known:
    one box, cylinder or extrusion lying along the axis."""
    if len(selector) != 2 or selector[0] not in "<>" or selector[1].upper() not in AXES:
        raise NotNative(f"face selector {selector!r}", line)
    axis = AXES[selector[1].upper()]
    solid = find_solid(wp, line)
    extent = _extent_along(solid, axis)
    if extent is None:
        raise NotNative(f"faces({selector!r}) of a solid whose extreme face is not known here", line)
    outward = 1.0 if selector[0] == ">" else -1.0
    level = extent[1] if outward > 0 else extent[0]
    return wp.new([FaceRef(axis, level, outward)])


def workplane(wp: Workplane, offset: float, invert: bool, line: int) -> Workplane:
    """A new plane: on the selected face (origin projected onto it, CadQuery's default), or the
    current plane moved along its normal."""
    if wp.objects and all(isinstance(o, FaceRef) for o in wp.objects) and len(wp.objects) == 1:
        face: FaceRef = wp.objects[0]
        normal = tuple(face.outward * a for a in face.axis)
        x_dir = _cross((0.0, 0.0, 1.0), normal)
        if math.hypot(*x_dir) < 1e-4:
            x_dir = (1.0, 0.0, 0.0)
        origin = list(wp.plane.origin)
        index = face.axis.index(1.0)
        origin[index] = face.level
    elif all(isinstance(o, Point) for o in wp.objects) and not _parent_is_face(wp):
        normal, x_dir, origin = wp.plane.normal, wp.plane.x_dir, list(wp.plane.origin)
    else:
        raise NotNative("workplane() on something other than one selected face or the current plane", line)
    if invert:
        normal = tuple(-a for a in normal)
    origin = [o + offset * n for o, n in zip(origin, normal, strict=True)]
    return Workplane(make_plane(tuple(origin), x_dir, normal), wp.ctx, [], wp)  # type: ignore[arg-type]


def _parent_is_face(wp: Workplane) -> bool:
    return wp.parent is not None and any(isinstance(o, FaceRef) for o in wp.parent.objects)


def _extent_along(solid: Node | None, axis: tuple[float, float, float]) -> tuple[float, float] | None:
    """(min, max) of a single box, cylinder or extrusion along a world axis where its caps (or, for a
    box, its sides) are perpendicular to that axis."""
    if isinstance(solid, Primitive):
        dirs = (
            [solid.plane.normal]
            if solid.kind == "cylinder"
            else [solid.plane.x_dir, solid.plane.y_dir, solid.plane.normal]
        )
        sizes = [solid.size[1]] if solid.kind == "cylinder" else list(solid.size)
        for direction, size in zip(dirs, sizes, strict=True):
            along = _dot(direction, axis)
            if abs(abs(along) - 1.0) < 1e-12:
                start = _dot(solid.plane.origin, axis)
                return (min(start, start + along * size), max(start, start + along * size))
        return None
    if isinstance(solid, Boolean):
        return _boolean_extent(solid, axis)
    if isinstance(solid, Extrude) and solid.distance is not None:
        along = _dot(solid.sketch.plane.normal, axis)
        if abs(abs(along) - 1.0) >= 1e-12:
            return None
        start = _dot(solid.sketch.plane.origin, axis)
        ends = (
            (start - along * solid.distance, start + along * solid.distance)
            if solid.both
            else (start, start + along * solid.distance)
        )
        return (min(ends), max(ends))
    return None


def _boolean_extent(solid: Boolean, axis: tuple[float, float, float]) -> tuple[float, float] | None:
    caps = _caps(solid, axis)
    return None if caps is None else (caps[0], caps[1])


def _caps(solid: Node, axis: tuple[float, float, float]) -> tuple[float, float, float, float] | None:
    """(lowest level, highest level, and lower bounds of the areas of the caps there) of a solid
    whose extreme faces along ``axis`` are planar caps of its parts, else None.

    A union reaches as far as its furthest part, and its cap there covers at least that part's cap.
    A cut keeps its base's extent when some of each extreme cap is left: the tool stays strictly
    between the caps, or it is a prism along the axis whose cross-section is smaller than the cap."""
    if not isinstance(solid, Boolean):
        extent = _extent_along(solid, axis)
        area = _leaf_cap_area(solid, axis)
        return None if extent is None or area is None else (extent[0], extent[1], area, area)
    base = _caps(solid.base, axis)
    if base is None:
        return None
    if solid.op == "union":
        tool = _caps(solid.tool, axis)
        if tool is None:
            return None
        tol = 1e-9 * max(1.0, *(abs(v) for v in (*base[:2], *tool[:2])))
        lo, hi = min(base[0], tool[0]), max(base[1], tool[1])
        lo_area = max(c[2] for c in (base, tool) if abs(c[0] - lo) <= tol)
        hi_area = max(c[3] for c in (base, tool) if abs(c[1] - hi) <= tol)
        return (lo, hi, lo_area, hi_area)
    if solid.op != "cut":
        return None
    tool_extent = _extent_along(solid.tool, axis)
    if tool_extent is not None and base[0] < tool_extent[0] and tool_extent[1] < base[1]:
        return base
    tool = solid.tool
    if not isinstance(tool, Extrude) or abs(abs(_dot(tool.sketch.plane.normal, axis)) - 1.0) >= 1e-12:
        return None
    section = _sketch_area(tool.sketch)
    if section >= min(base[2], base[3]):
        return None
    return (base[0], base[1], base[2] - section, base[3] - section)


def _leaf_cap_area(solid: Node, axis: tuple[float, float, float]) -> float | None:
    """Area of the caps of one extrusion, box or cylinder along ``axis``."""
    if isinstance(solid, Extrude):
        return _sketch_area(solid.sketch)
    if isinstance(solid, Primitive) and solid.kind == "cylinder":
        return math.pi * solid.size[0] ** 2
    if isinstance(solid, Primitive):
        dirs = (solid.plane.x_dir, solid.plane.y_dir, solid.plane.normal)
        for k, direction in enumerate(dirs):
            if abs(abs(_dot(direction, axis)) - 1.0) < 1e-12:
                return solid.size[(k + 1) % 3] * solid.size[(k + 2) % 3]
    return None


def _sketch_area(sketch) -> float:
    """Area of a sketch's faces (outer loops minus their holes)."""
    return sum(loop_area(region.outer) - sum(loop_area(h) for h in region.holes) for region in sketch.regions)


def _combine(wp: Workplane, solid: Node, combine: str, line: int) -> Node:
    """What an operation's ``combine`` does: fuse with ("a") or cut from ("s") the context solid."""
    if combine == "none":
        return solid
    base = find_solid(wp, line)
    if base is None:
        if combine == "s":
            raise NotNative("a cut without a solid to cut from", line)
        return solid
    return Boolean("union" if combine == "a" else "cut", base, solid, line)


def _union_all(parts: list[Node], line: int) -> Node:
    result = parts[0]
    for part in parts[1:]:
        result = Boolean("union", result, part, line)
    return result


def _dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _cross(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
