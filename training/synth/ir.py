"""A sketch-and-extrude program as data, the one description every emitter and check works from.

GenCAD-Code's scripts are a sequence of sketches (closed loops of lines, arcs and circles on a plane
placed anywhere in space) each extruded and combined with the solid so far. Holding that sequence as
plain frozen dataclasses keeps generation (random choices) apart from emission (code text), so the
same program can be written in the dataset's verbose style or our concise one, and tests can check
geometry facts (bounding boxes, loop closure) without running CadQuery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]
Operation = Literal["new", "union", "cut", "intersect"]


@dataclass(frozen=True)
class Plane:
    """A sketch plane: world origin, local x direction and normal (local y = normal x xDir)."""

    origin: Vec3
    x_dir: Vec3
    normal: Vec3

    @property
    def y_dir(self) -> Vec3:
        return cross(self.normal, self.x_dir)

    def to_world(self, point: Vec2, height: float = 0.0) -> Vec3:
        x, y = point
        xd, yd, n = self.x_dir, self.y_dir, self.normal
        return (
            self.origin[0] + x * xd[0] + y * yd[0] + height * n[0],
            self.origin[1] + x * xd[1] + y * yd[1] + height * n[1],
            self.origin[2] + x * xd[2] + y * yd[2] + height * n[2],
        )


@dataclass(frozen=True)
class Line:
    end: Vec2


@dataclass(frozen=True)
class Arc:
    """CadQuery's ``threePointArc(mid, end)`` from the previous point."""

    mid: Vec2
    end: Vec2


Segment = Line | Arc


@dataclass(frozen=True)
class Loop:
    """A closed wire: ``moveTo(start)`` then segments; the last segment ends at ``start``."""

    start: Vec2
    segments: tuple[Segment, ...]

    def points(self) -> list[Vec2]:
        pts = [self.start]
        for seg in self.segments:
            if isinstance(seg, Arc):
                pts.append(seg.mid)
            pts.append(seg.end)
        return pts

    @property
    def is_closed(self) -> bool:
        end = self.segments[-1].end if self.segments else None
        return end is not None and _close(end, self.start)


@dataclass(frozen=True)
class Circle:
    center: Vec2
    radius: float

    def points(self) -> list[Vec2]:
        cx, cy = self.center
        r = self.radius
        return [(cx - r, cy - r), (cx + r, cy + r)]


Curve = Loop | Circle


@dataclass(frozen=True)
class Sketch:
    """An outer boundary first, then the holes inside it."""

    plane: Plane
    loops: tuple[Curve, ...]

    def bounds(self) -> tuple[Vec2, Vec2]:
        pts = [p for loop in self.loops for p in loop.points()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return (min(xs), min(ys)), (max(xs), max(ys))


@dataclass(frozen=True)
class Extrude:
    """Extrude ``sketch`` by ``distance`` along its normal (negative: the other way), then combine."""

    sketch: Sketch
    distance: float
    operation: Operation

    def world_bbox(self) -> tuple[Vec3, Vec3]:
        """Axis-aligned box around the prism (exact for lines, conservative for arcs' bulges)."""
        (x0, y0), (x1, y1) = self.sketch.bounds()
        corners = [
            self.sketch.plane.to_world((x, y), h)
            for x in (x0, x1)
            for y in (y0, y1)
            for h in (0.0, self.distance)
        ]
        lo = tuple(min(c[i] for c in corners) for i in range(3))
        hi = tuple(max(c[i] for c in corners) for i in range(3))
        return lo, hi  # type: ignore[return-value]


@dataclass(frozen=True)
class Program:
    """A whole part: the first extrude is ``new``; ``family`` names the generator that made it."""

    family: str
    extrudes: tuple[Extrude, ...]
    params: dict[str, float] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.extrudes:
            raise ValueError("a program needs at least one extrude")
        if self.extrudes[0].operation != "new":
            raise ValueError("the first extrude must create the body ('new')")
        if any(e.operation == "new" for e in self.extrudes[1:]):
            raise ValueError("only the first extrude may be 'new'")


def cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _close(a: Vec2, b: Vec2, tol: float = 1e-9) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol
