"""Sketcher sketches from IR loops, carried out from the plan of ``core.program.sketch_constraints``."""

from __future__ import annotations

import FreeCAD as App
import Part
import Sketcher

from core.program.sketch_constraints import END, START, Geometry, plan_sketch
from core.program.sketch_ir import Loop, NotNative, Plane

# A solved sketch may not move any point further than this (relative to its size).
MOVE_TOLERANCE = 1e-9


def placement_of(plane: Plane) -> App.Placement:
    x, y, z, o = plane.x_dir, plane.y_dir, plane.normal, plane.origin
    matrix = App.Matrix(x[0], y[0], z[0], o[0], x[1], y[1], z[1], o[1], x[2], y[2], z[2], o[2], 0, 0, 0, 1)
    return App.Placement(matrix)


def attach_to_body(obj, body, plane: Plane) -> None:
    """Attached to the Body's XY plane with the CadQuery plane as offset: recompute keeps it there
    and the user can still move it by editing the attachment."""
    xy = next(f for f in body.Origin.OriginFeatures if f.Role == "XY_Plane")
    obj.Support = [(xy, "")]
    obj.MapMode = "FlatFace"
    obj.AttachmentOffset = placement_of(plane)


def make_sketch(body, plane: Plane, loops: tuple[Loop, ...], label: str):
    """A fully built sketch in ``body``; raises NotNative when Sketcher cannot hold it unchanged."""
    plan = plan_sketch(loops)
    sketch = body.newObject("Sketcher::SketchObject", "Sketch")
    sketch.Label = label
    attach_to_body(sketch, body, plane)
    sketch.addGeometry([_curve(g) for g in plan.geometry], False)
    for index, g in enumerate(plan.geometry):
        _check_orientation(sketch, index, g)
    sketch.addConstraint(
        [
            Sketcher.Constraint(c.kind, *c.refs, *(() if c.value is None else (c.value,)))
            for c in plan.constraints
        ]
    )
    for index, c in enumerate(plan.constraints):
        if c.name:
            sketch.renameConstraint(index, c.name)
    status = sketch.solve()
    if status != 0:
        raise NotNative(f"{label}: Sketcher could not solve it (status {status})")
    _check_unmoved(sketch, plan.geometry, label)
    return sketch


def _curve(g: Geometry):
    vectors = [App.Vector(x, y, 0) for x, y in g.points]
    if g.kind == "line":
        return Part.LineSegment(vectors[0], vectors[1])
    if g.kind == "arc":
        return Part.ArcOfCircle(vectors[0], vectors[1], vectors[2])
    return Part.Circle(vectors[0], App.Vector(0, 0, 1), g.points[1][0])


def _check_orientation(sketch, index: int, g: Geometry) -> None:
    """The plan's vertex numbering must be Sketcher's (it stores arcs counter-clockwise)."""
    if g.kind != "arc":
        return
    start = sketch.getPoint(index, END if g.reversed else START)
    x, y = g.points[0]
    if (start - App.Vector(x, y, 0)).Length > 1e-9 * max(1.0, abs(x), abs(y)):
        raise NotNative(f"arc {index} is not stored the way the plan expects")


def _check_unmoved(sketch, geometry: tuple[Geometry, ...], label: str) -> None:
    scale = max((abs(c) for g in geometry for p in g.points for c in p), default=1.0) or 1.0
    for index, g in enumerate(geometry):
        if g.kind == "circle":
            expected = [(3, g.points[0])]
        elif g.kind == "arc":
            expected = [
                (END if g.reversed else START, g.points[0]),
                (START if g.reversed else END, g.points[2]),
            ]
        else:
            expected = [(START, g.points[0]), (END, g.points[1])]
        for pos, (x, y) in expected:
            moved = (sketch.getPoint(index, pos) - App.Vector(x, y, 0)).Length
            if moved > MOVE_TOLERANCE * scale:
                raise NotNative(f"{label}: solving moved geometry {index} by {moved:.3g}")
