"""Parameters for the ways people write CadQuery (issue 11): every form, with an exact round trip."""

from __future__ import annotations

import ast

import pytest

from core.program import apply_parameters, find_parameters, parameter_values

HUMAN = """import cadquery as cq

length, width, thickness = 80.0, 50.0, 6.0
(hole_x, hole_y) = (20, -12.5)
rim = lip = 1.5
wall: float = 2.0
offset = -3
hole_count = 4
r = 12 / 2
inch = 2 * 25.4
pts = [(0, 0), (10, 0), (10, 5.5)]
size = {"depth": 7.5}
clearance = 0.2
clearance = 0.4


def boss(height=8.0, *, diameter=5):
    return cq.Workplane().circle(diameter / 2).extrude(height)


result = cq.Workplane("XY").box(length, width, thickness).edges("|Z").fillet(radius=wall)
"""


def test_every_form_gives_named_parameters() -> None:
    values = parameter_values(HUMAN)
    expected = {
        "length": 80.0,
        "width": 50.0,
        "thickness": 6.0,
        "hole_x": 20,
        "hole_y": -12.5,
        "rim": 1.5,  # chained: the one number is named by the first name
        "wall": 2.0,
        "offset": -3,
        "hole_count": 4,
        "r": 6.0,  # constant expression: its value
        "inch": 50.8,
        "pts_2_x": 10,
        "pts_3_x": 10,
        "pts_3_y": 5.5,
        "size_depth": 7.5,
        "clearance": 0.2,
        "clearance_2": 0.4,  # a name bound again
        "height": 8.0,  # function defaults
        "diameter": 5,
    }
    assert {k: values[k] for k in expected} == expected
    assert "lip" not in values and "pts_1_x" not in values  # one number, one parameter; zeros are not


def test_round_trip_is_exact_and_edits_touch_only_their_number() -> None:
    params = find_parameters(HUMAN)
    assert apply_parameters(HUMAN, {p.name: p.value for p in params}) == HUMAN
    assert all(HUMAN[p.start : p.end] == p.text for p in params)
    changed = apply_parameters(HUMAN, {"width": 55.0, "hole_y": -10.0, "clearance_2": 0.5, "height": 9.0})
    assert "length, width, thickness = 80.0, 55.0, 6.0" in changed
    assert "(hole_x, hole_y) = (20, -10.0)" in changed
    assert "clearance = 0.2\nclearance = 0.5" in changed
    assert "def boss(height=9.0, *, diameter=5)" in changed
    ast.parse(changed)


def test_a_changed_constant_expression_becomes_the_new_number() -> None:
    assert "r = 12 / 2" in apply_parameters(HUMAN, {"r": 6.0})
    assert "\nr = 7.0\n" in apply_parameters(HUMAN, {"r": 7.0})


def test_a_tuple_assigned_program_is_all_parameters() -> None:
    code = "import cadquery as cq\nlength, width, thickness = 80.0, 50.0, 6.0\nresult = cq.Workplane().box(length, width, thickness)\n"
    assert parameter_values(code) == {"length": 80.0, "width": 50.0, "thickness": 6.0}


def test_literals_in_keyword_arguments_and_point_lists() -> None:
    code = "s = cq.Workplane().polyline([(0, 0), (4, 0), (4, 3)]).close().extrude(distance=2, taper=5)"
    values = parameter_values(code)
    assert values == {
        "polyline_2_x": 4,
        "polyline_3_x": 4,
        "polyline_3_y": 3,
        "extrude_distance": 2,
        "extrude_taper": 5,
    }


@pytest.mark.parametrize(
    ("code", "name", "quantity"),
    [
        ("w = 4.0\ns = cq.Workplane().box(w, 2, 1)", "w", "length"),
        ("a = 30\ns = cq.Workplane().box(1, 2, 3).rotate((0, 0, 0), (0, 0, 1), a)", "a", "angle"),
        ("n = 6\ns = cq.Workplane().polarArray(10, 0, 360, n)", "n", "count"),
        ("k = 3\ns = cq.Workplane().rect(5, 5).extrude(k * 2)", "k", "length"),
        ("d = 12.0\nr = d / 2\ns = cq.Workplane().circle(r)", "d", "length"),
        ("s = cq.Workplane().polygon(6, 10)", "polygon_nSides", "count"),
        ("s = cq.Workplane().polygon(6, 10)", "polygon_diameter", "length"),
        ("s = cq.Workplane().circle(5).revolve(270, (0, 0, 0), (0, 1, 0))", "revolve_angle", "angle"),
        ("s = cq.Workplane().rect(5, 5).extrude(4, taper=3)", "extrude_taper", "angle"),
        ("for i in range(4):\n    pass", "range_stop", "count"),
        ("tilt_angle = 12.5", "tilt_angle", "angle"),
        ("num_ribs = 5", "num_ribs", "count"),
        ("scale_factor = 1.5", "scale_factor", "number"),
    ],
)
def test_each_parameter_has_a_quantity(code: str, name: str, quantity: str) -> None:
    found = {p.name: p.quantity for p in find_parameters(code)}
    assert found[name] == quantity, found
