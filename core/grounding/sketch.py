"""The recovered sketch as plain data: loops of lines and three-point arcs, and circles.

Kept apart from ``training.synth.ir`` (``core`` never imports ``training``) and in plane units of
one image pixel, the only scale the picture fixes.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Arc:
    """``threePointArc(mid, end)`` from the previous point."""

    mid: Point
    end: Point


@dataclass(frozen=True)
class Loop:
    """A closed wire: ``start``, then segments (a point: a line to it; an Arc), back to ``start``."""

    start: Point
    segments: tuple[Point | Arc, ...]

    def points(self) -> list[Point]:
        out = [self.start]
        for s in self.segments:
            if isinstance(s, Arc):
                out += [s.mid, s.end]
            else:
                out.append(s)
        return out

    @property
    def n_arcs(self) -> int:
        return sum(isinstance(s, Arc) for s in self.segments)


@dataclass(frozen=True)
class Circle:
    center: Point
    radius: float

    def points(self) -> list[Point]:
        (cx, cy), r = self.center, self.radius
        return [(cx - r, cy - r), (cx + r, cy + r)]


Curve = Loop | Circle


@dataclass(frozen=True)
class Prism:
    """One extrusion: ``outline`` (with ``holes`` through it) on the plane normal to ``axis`` whose
    normal faces the eye, extruded ``depth`` away from the eye. ``fit`` is the silhouette IoU of the
    hypothesis in the picture: how much of the part this prism alone explains (for a later prism:
    the part so far with it). Outline points (u, v) sit at world ``u x_dir + v y_dir + height
    normal``, in units where one world unit is one image pixel."""

    axis: str
    outline: Curve
    holes: tuple[Curve, ...]
    depth: float
    fit: float
    height: float = 0.0  # where the near plane lies along the normal (world, pixel units)
    operation: str = "new"  # "new" for the body, then "union" or "cut"

    def bounds(self) -> tuple[Point, Point]:
        pts = self.outline.points()
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return (min(xs), min(ys)), (max(xs), max(ys))
