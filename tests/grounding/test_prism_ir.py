"""The grounded search speaks the project's one program IR: a ``Prism`` is an ``Extrude`` of
``core.program.part_ir`` whose sketch and distance put the outline where the prism says it lies, so
a grounded part goes through the IR's emitter and native reader like any generated part."""

from __future__ import annotations

import math
from dataclasses import replace

import cadquery as cq
import numpy as np
import pytest

from core.grounding import recover
from core.grounding.sketch import Arc, Circle, Loop, Prism
from core.grounding.views import axis_view
from core.program import part_ir
from core.program.sketch_ir import parse_program
from core.program.sketch_loops import loop_area
from core.render import render_shape
from core.sandbox import run_code
from training.synth.emit_concise import emit_concise

OUTLINE = Loop((0.0, 0.0), ((40.0, 0.0), Arc((50.0, 10.0), (40.0, 20.0)), (0.0, 20.0), (0.0, 0.0)))
HOLE = Circle((12.0, 10.0), 4.0)


def _prism(**changes) -> Prism:
    return replace(Prism("y", OUTLINE, (HOLE,), 30.0, 0.9, 5.0, "new"), **changes)


def test_a_prism_is_an_extrusion_of_the_program_ir_on_its_axis_plane() -> None:
    prism = _prism()
    assert isinstance(prism, part_ir.Extrude) and isinstance(prism.sketch, part_ir.Sketch)
    assert Circle is part_ir.Circle and Arc is part_ir.ArcTo
    outer, hole = prism.sketch.loops
    assert isinstance(outer, part_ir.Loop) and outer.is_closed and outer.n_arcs == 1
    assert hole == HOLE and prism.sketch.regions == (part_ir.Region(outer, (hole,)),)
    assert prism.distance == -30.0 and prism.operation == "new" and not prism.both
    # The IR's plane puts the outline where the prism says: u x_dir + v y_dir + height normal.
    view = axis_view("y")
    plane = prism.sketch.plane
    assert np.allclose(plane.x_dir, view.x_dir) and np.allclose(plane.y_dir, view.y_dir)
    assert np.allclose(plane.normal, view.normal)
    for u, v in OUTLINE.points():
        expected = u * view.x_dir + v * view.y_dir + 5.0 * view.normal
        assert np.allclose(plane.to_world((u, v)), expected)


def test_edited_prisms_keep_their_ir_in_step() -> None:
    prism = _prism()
    cut = replace(prism, holes=(), operation="cut", depth=10.0, height=-2.0)
    assert cut == _prism(holes=(), operation="cut", depth=10.0, height=-2.0) and cut != prism
    assert cut.sketch.loops == (OUTLINE.to_loop(),) and cut.distance == -10.0
    assert np.allclose(cut.sketch.plane.origin, -2.0 * axis_view("y").normal)
    with pytest.raises(ValueError):
        _prism(operation="subtract")


@pytest.mark.timeout(120)
def test_a_grounded_part_through_the_ir_builds_the_prisms_volume() -> None:
    prism = _prism()
    program = part_ir.Program.from_extrudes("grounded", [prism])
    code = emit_concise(program)
    read = parse_program(code).extrudes[0]
    assert read.distance == pytest.approx(-30.0) and read.sketch.plane == prism.sketch.plane
    run = run_code(code, timeout=60, outputs=())
    assert run.ok, run.message
    area = loop_area(prism.sketch.loops[0]) - math.pi * HOLE.radius**2
    assert run.volume == pytest.approx(area * 30.0, rel=1e-4)


@pytest.mark.timeout(120)
def test_recovered_prisms_are_ir_extrusions() -> None:
    prisms = recover(render_shape(cq.Workplane("XY").rect(3.0, 1.2).extrude(0.4)))
    assert prisms and all(isinstance(p, part_ir.Extrude) for p in prisms)
    program = part_ir.Program.from_extrudes("grounded", [prisms[0]])
    assert program.extrudes == (prisms[0],)
