"""Real size: the spec grammar, the factor, and scaled programs that run (volumes grow by s^3)."""

from __future__ import annotations

import pytest

from core.program.parameters import find_parameters
from core.program.real_size import SizeSpec, parse_size, scale_factor, scale_program
from core.sandbox import run_code

BRACKET = """import cadquery as cq

length = 0.8
width = 0.5
thickness = 0.08
hole_diameter = 0.0867
n_holes = 2
tilt_angle = 30

solid = cq.Workplane("XY").box(length, width, thickness)
solid = solid.faces(">Z").workplane().rarray(length / 3, 1, n_holes, 1).hole(hole_diameter)
"""
UNNAMED = """import cadquery as cq
solid = cq.Workplane("XY").rect(2, 1).extrude(0.25).faces(">Z").workplane().hole(0.2)
"""


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("60", SizeSpec("longest", 60.0)),
        ("longest=60", SizeSpec("longest", 60.0)),
        ("x=60", SizeSpec("x", 60.0)),
        ("Z = 12.5 mm", SizeSpec("z", 12.5)),
        ("y:1e2", SizeSpec("y", 100.0)),
    ],
)
def test_the_size_grammar(text: str, spec: SizeSpec) -> None:
    assert parse_size(text) == spec


@pytest.mark.parametrize("text", ["", "w=60", "x=", "-5", "x=0", "sixty", "x=nan", "60 inch"])
def test_malformed_sizes_say_the_grammar(text: str) -> None:
    with pytest.raises(ValueError, match="longest=60"):
        parse_size(text)


def test_factor_follows_the_axis() -> None:
    box = (-1.0, -0.5, 0.0, 1.0, 0.5, 0.25)  # 2 x 1 x 0.25
    assert scale_factor(parse_size("60"), box) == pytest.approx(30)
    assert scale_factor(parse_size("y=60"), box) == pytest.approx(60)
    assert scale_factor(parse_size("z=5"), box) == pytest.approx(20)
    with pytest.raises(ValueError, match="no extent"):
        scale_factor(parse_size("z=5"), (0, 0, 1, 1, 1, 1))


def test_lengths_scale_counts_and_angles_do_not_and_the_volume_grows_by_the_cube() -> None:
    before = run_code(BRACKET)
    factor = scale_factor(parse_size("60"), before.bbox)
    scaled = scale_program(BRACKET, factor)
    assert scaled is not None and scaled.method == "lengths"
    values = {p.name: p.value for p in find_parameters(scaled.code)}
    assert values["length"] == pytest.approx(60) and values["width"] == pytest.approx(37.5)
    assert values["hole_diameter"] == pytest.approx(6.5025)
    assert values["n_holes"] == 2 and values["tilt_angle"] == 30
    assert [p.name for p in find_parameters(scaled.code)] == [p.name for p in find_parameters(BRACKET)]
    after = run_code(scaled.code)
    assert after.ok
    assert after.volume == pytest.approx(before.volume * factor**3, rel=1e-6)


def test_a_program_without_named_parameters_scales_its_literal_lengths() -> None:
    before = run_code(UNNAMED)
    scaled = scale_program(UNNAMED, 10)
    assert scaled is not None and ".hole(2.0)" in scaled.code and "rect(20, 10)" in scaled.code
    assert run_code(scaled.code).volume == pytest.approx(before.volume * 1000, rel=1e-6)
