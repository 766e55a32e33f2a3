"""Parameters: named top-level numbers and call literals, with an exact textual round trip."""

from __future__ import annotations

import ast

import pytest

from core.paths import EXAMPLES_DIR
from core.program import apply_parameters, find_parameters, format_number, parameter_values

BRACKET = (EXAMPLES_DIR / "flanged_bracket.py").read_text()


def test_top_level_assignments_are_named_parameters() -> None:
    values = parameter_values(BRACKET)
    assert values["thickness"] == 6.0
    assert values["hole_diameter"] == 6.5
    assert {p.kind for p in find_parameters(BRACKET) if p.name == "width"} == {"variable"}


def test_call_literals_get_names_from_the_cadquery_signature() -> None:
    code = "import cadquery as cq\nsolid = cq.Workplane().box(10, 20, 5).faces('>Z').hole(3).edges().fillet(radius=0.5)"
    assert parameter_values(code) == {
        "box_length": 10,
        "box_width": 20,
        "box_height": 5,
        "hole_diameter": 3,
        "fillet_radius": 0.5,
    }


def test_repeated_calls_are_numbered_in_source_order() -> None:
    code = "s = cq.Workplane().moveTo(1, 2).lineTo(3, 4).lineTo(5, -6.5).close()"
    names = [(p.name, p.text) for p in find_parameters(code)]
    assert names == [
        ("moveTo_x", "1"),
        ("moveTo_y", "2"),
        ("lineTo_x", "3"),
        ("lineTo_y", "4"),
        ("lineTo_x_2", "5"),
        ("lineTo_y_2", "-6.5"),
    ]


def test_points_in_tuples_and_unknown_calls_fall_back_to_positions() -> None:
    code = "s = w.pushPoints([(1, 2), (3, 4)]).translate((0, 0, 7)).frobnicate(9, 8)"
    values = parameter_values(code)
    assert values["pushPoints_1_x"] == 1 and values["pushPoints_2_y"] == 4
    assert values["translate_z"] == 7
    assert values["frobnicate_arg1"] == 9 and values["frobnicate_arg2"] == 8


def test_formula_constants_and_bools_are_not_parameters() -> None:
    code = "t = 4.0\ns = w.box(t / 2, t * 3, 1, centered=True)"
    assert parameter_values(code) == {"t": 4.0, "box_height": 1}


def test_generated_names_avoid_existing_variables() -> None:
    code = "box_length = 2\ns = w.box(10, 20, 30)"
    names = [p.name for p in find_parameters(code)]
    assert names[0] == "box_length" and "box_length_2" in names


def test_changing_one_value_changes_only_its_characters() -> None:
    new = apply_parameters(BRACKET, {"thickness": 8.0})
    assert new == BRACKET.replace("thickness = 6.0", "thickness = 8.0")
    code = "s = w.moveTo(1, 2).lineTo(-3.25, 4)"
    assert apply_parameters(code, {"lineTo_x": -1.5, "moveTo_y": 7}) == "s = w.moveTo(1, 7).lineTo(-1.5, 4)"


def test_ints_stay_ints_and_floats_stay_floats() -> None:
    assert format_number(7.0, like=3) == "7"
    assert format_number(7, like=3.0) == "7.0"
    assert format_number(0.1 + 0.2, like=1.0) == repr(0.1 + 0.2)
    assert apply_parameters("s = w.polygon(6, 10)", {"polygon_nSides": 8.0}) == "s = w.polygon(8, 10)"


def test_unknown_names_are_refused() -> None:
    with pytest.raises(KeyError, match="nope"):
        apply_parameters(BRACKET, {"nope": 1.0})


def test_unparseable_code_has_no_parameters() -> None:
    assert find_parameters("solid = cq.Workplane(.box(1") == []


def test_non_ascii_text_before_a_number_keeps_spans_right() -> None:
    code = "s = w.text('Ø größe', 5, 2)\nt = w.box(1, 2, 3)  # Maße"
    for p in find_parameters(code):
        assert code[p.start : p.end] == p.text
    assert apply_parameters(code, {"box_width": 9}) == code.replace("box(1, 2, 3)", "box(1, 9, 3)")


def test_round_trip_on_every_ground_truth_script(benchmark_samples) -> None:
    assert len(benchmark_samples) == 100
    for sample in benchmark_samples:
        code = sample["ground_truth"]
        params = find_parameters(code)
        assert params, sample["question_id"]
        assert apply_parameters(code, {p.name: p.value for p in params}) == code
        assert len({p.name for p in params}) == len(params)
        assert all(p.name.isidentifier() for p in params)
        # a changed value lands exactly where it was and the program still parses
        first = params[0]
        changed = apply_parameters(code, {first.name: first.value + 1})
        ast.parse(changed)
        assert changed[: first.start] == code[: first.start]
