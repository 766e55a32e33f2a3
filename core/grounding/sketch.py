"""The recovered sketch in the project's one program IR (``core.program.part_ir``).

A ``Prism`` *is* an ``Extrude``: its ``sketch`` (the outline and its holes on the axis view's
plane) and ``distance`` (``depth`` away from the eye) are filled in from the picture-side fields
the search works with (``axis``, ``outline``, ``holes``, ``depth``, ``fit``, ``height``), so a
grounded part can go wherever the IR goes (``Program.from_extrudes``, native conversion) while
``recover``/``emit``/``core.search`` keep their own fields. Circles are the IR's ``Circle``, arc
steps its ``ArcTo``; a ``Loop`` here is an outline in drawing order (``start``, then a point per
``lineTo`` or an ``Arc`` per ``threePointArc``), which ``to_loop`` turns into the IR's ``Loop``.
Everything is in plane units of one image pixel, the only scale the picture fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from core.program.part_ir import ArcTo, Circle, Extrude, Plane, Sketch, Vec3, loop_through
from core.program.part_ir import Loop as IRLoop

Point = tuple[float, float]
Arc = ArcTo  # ``threePointArc(mid, end)`` from the previous point


@dataclass(frozen=True)
class Loop:
    """A closed wire in drawing order: ``start``, then segments (a point: a line to it; an Arc),
    back to ``start``."""

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

    def to_loop(self) -> IRLoop:
        """The same outline as the IR's ``Loop`` of lines and arcs."""
        return loop_through(self.start, self.segments)


Curve = Loop | Circle


@lru_cache(maxsize=8)
def _axis_frame(axis: str) -> tuple[Vec3, Vec3]:
    """(x_dir, normal) of the plane normal to ``axis`` whose normal faces the eye: the benchmark
    camera's ``axis_view``, where ``emit`` puts the prism too."""
    from core.grounding.views import axis_view

    view = axis_view(axis)
    return tuple(float(c) for c in view.x_dir), tuple(float(c) for c in view.normal)  # type: ignore[return-value]


@dataclass(frozen=True, init=False)
class Prism(Extrude):
    """One extrusion: ``outline`` (with ``holes`` through it) on the plane normal to ``axis`` whose
    normal faces the eye, extruded ``depth`` away from the eye. ``fit`` is the silhouette IoU of the
    hypothesis in the picture: how much of the part this prism alone explains (for a later prism:
    the part so far with it). Outline points (u, v) sit at world ``u x_dir + v y_dir + height
    normal``, in units where one world unit is one image pixel. As an ``Extrude``: that sketch on
    that plane, ``distance = -depth``, combined by ``operation``."""

    sketch: Sketch = field(init=False, repr=False, compare=False)
    distance: float | None = field(init=False, repr=False, compare=False)
    both: bool = field(default=False, init=False, repr=False, compare=False)
    distance_name: str | None = field(default=None, init=False, repr=False, compare=False)
    line: int = field(default=0, init=False, repr=False, compare=False)
    axis: str
    outline: Curve
    holes: tuple[Curve, ...]
    depth: float
    fit: float
    height: float = 0.0  # where the near plane lies along the normal (world, pixel units)
    operation: str = "new"  # "new" for the body, then "union" or "cut"

    def __init__(
        self,
        axis: str,
        outline: Curve,
        holes: tuple[Curve, ...],
        depth: float,
        fit: float,
        height: float = 0.0,
        operation: str = "new",
    ) -> None:
        put = object.__setattr__
        for name, value in (
            ("axis", axis),
            ("outline", outline),
            ("holes", holes),
            ("depth", depth),
            ("fit", fit),
            ("height", height),
            ("operation", operation),
        ):
            put(self, name, value)
        put(self, "distance", -depth)
        put(self, "both", False)
        put(self, "distance_name", None)
        put(self, "line", 0)
        self.__post_init__()

    def bounds(self) -> tuple[Point, Point]:
        pts = self.outline.points()
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return (min(xs), min(ys)), (max(xs), max(ys))


def _prism_sketch(prism: Prism) -> Sketch:
    """The prism's outline and holes as the IR's sketch on its axis plane. Built on first use: the
    structure search makes thousands of edited prisms and reads few of them as IR."""
    x_dir, normal = _axis_frame(prism.axis)
    h = prism.height
    plane = Plane((h * normal[0], h * normal[1], h * normal[2]), x_dir, normal)
    return Sketch(
        plane, tuple(c.to_loop() if isinstance(c, Loop) else c for c in (prism.outline, *prism.holes))
    )


# A field of ``Extrude``, computed lazily here (``dataclass`` removed the class attribute).
Prism.sketch = cached_property(_prism_sketch)  # type: ignore[assignment,misc]
Prism.sketch.__set_name__(Prism, "sketch")  # type: ignore[attr-defined]
