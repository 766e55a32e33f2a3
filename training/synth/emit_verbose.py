"""A program in GenCAD-Code's own verbose style (``--style verbose``).

One workplane per sketch built from ``cq.Plane(cq.Vector(origin), cq.Vector(xDir), cq.Vector(normal))``,
every loop a ``moveTo``/``lineTo``/``threePointArc`` chain ended by ``close()`` (circles as
``moveTo(centre).circle(r)``), loops numbered across the whole program, each sketch extruded into
``solidN`` and folded into ``solid`` with ``union``/``cut``/``intersect``; full float precision.
Training on this style lets a model's output be compared line by line with the dataset's.
"""

from __future__ import annotations

from core.program.part_ir import Arc, Circle, Curve, Program, Vec2, Vec3
from training.synth.numbers import fmt


def emit_verbose(program: Program) -> str:
    lines = ["import cadquery as cq"]
    loop_no = 0
    for k, ext in enumerate(program.extrudes):
        p = ext.sketch.plane
        lines.append(f"# Generating a workplane for sketch {k}")
        lines.append(
            f"wp_sketch{k} = cq.Workplane(cq.Plane({_vector(p.origin)}, {_vector(p.x_dir)}, {_vector(p.normal)}))"
        )
        names = []
        for curve in ext.sketch.loops:
            lines.append(f"loop{loop_no}=wp_sketch{k}{_chain(curve)}")
            names.append(f"loop{loop_no}")
            loop_no += 1
        adds = "".join(f".add({n})" for n in names)
        lines.append(f"solid{k}=wp_sketch{k}{adds}.extrude({fmt(ext.distance)})")
        if ext.operation == "new":
            lines.append(f"solid=solid{k}")
        else:
            lines.append(f"solid=solid.{ext.operation}(solid{k})")
    return "\n".join(lines) + "\n"


def _chain(curve: Curve) -> str:
    if isinstance(curve, Circle):
        return f".moveTo({_pt(curve.center)}).circle({fmt(curve.radius)})"
    parts = [f".moveTo({_pt(curve.start)})"]
    segs = list(curve.segments)
    last = segs[-1]
    if not isinstance(last, Arc) and last.end == curve.start:
        segs.pop()  # close() draws the last side
    for seg in segs:
        if isinstance(seg, Arc):
            parts.append(f".threePointArc(({_pt(seg.mid)}), ({_pt(seg.end)}))")
        else:
            parts.append(f".lineTo({_pt(seg.end)})")
    parts.append(".close()")
    return "".join(parts)


def _pt(p: Vec2) -> str:
    return f"{fmt(p[0])}, {fmt(p[1])}"


def _vector(v: Vec3) -> str:
    return f"cq.Vector({fmt(v[0])}, {fmt(v[1])}, {fmt(v[2])})"
