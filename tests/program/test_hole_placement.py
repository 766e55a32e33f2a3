"""Where "add a hole through the centre" goes: the largest face normal to the axis, a named face,
or the face the user selected -- checked on the solid the sandbox builds."""

from __future__ import annotations

import math

import pytest

from core.program.edits import apply_edit, parse_edit
from core.program.hole_placement import hole_faces
from core.sandbox import run_code

# An L-bracket in mm: base 60 x 30 x 8, upright wall 8 thick and 40 high at x = 0..8.
L_BRACKET = """import cadquery as cq

length = 60.0
height = 40.0
width = 30.0
thickness = 8.0

solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-width)
)
"""
HOLE = math.pi * 2.5**2


def run(code: str):
    result = run_code(code, timeout=60)
    assert result.ok, result.message
    return result


def test_face_words_choose_the_faces() -> None:
    assert hole_faces({"through", "the", "centre"}) == "|Z"
    assert hole_faces({"in", "the", "top"}) == "+Z"
    assert hole_faces({"front"}) == "-Y"
    assert "largest face normal to Z" in parse_edit("add a 5 mm hole through the centre").describe()


@pytest.mark.timeout(120)
def test_a_centre_hole_goes_through_the_base_of_an_l_bracket_not_its_wall() -> None:
    before = run(L_BRACKET)
    code, _ = apply_edit(L_BRACKET, "add a 5 mm hole through the centre")
    after = run(code)
    # Through the 8 mm base at the centre of its 60 x 30 underside; the wall (a 5 mm hole through
    # its 8 x 30 top, as faces(">Z") did) would lose 40 mm of material height instead.
    assert before.volume - after.volume == pytest.approx(HOLE * 8, rel=1e-6)
    assert after.bbox == pytest.approx(before.bbox)
    assert "hole_diameter = 5.0" in code


@pytest.mark.timeout(120)
def test_a_hole_at_the_selected_face() -> None:
    before = run(L_BRACKET)
    # The centre of the wall's outer face (x = 0), as the 3D view reports a selected face.
    code, edit = apply_edit(L_BRACKET, "add a 5 mm hole", at=(0.0, 15.0, 20.0))
    assert edit.at == (0.0, 15.0, 20.0) and "selected face" in edit.describe()
    after = run(code)
    assert before.volume - after.volume == pytest.approx(HOLE * 8, rel=1e-6)  # through the 8 mm wall
