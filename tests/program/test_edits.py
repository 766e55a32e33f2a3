"""Rule-based follow-up edits: what they understand, and that the code they write does the edit."""

from __future__ import annotations

import math

import pytest

from core.paths import EXAMPLES_DIR
from core.program import parameter_values
from core.program.edits import SUPPORTED, Edit, EditNotUnderstood, apply_edit, final_variable, parse_edit
from core.sandbox import run_code

BOX = "import cadquery as cq\nsolid = cq.Workplane('XY').box(20, 20, 10)\n"
BRACKET = (EXAMPLES_DIR / "flanged_bracket.py").read_text()


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("add 1 mm fillets to all edges", Edit("fillet", 1.0, None)),
        ("Fillet the vertical edges 2mm", Edit("fillet", 2.0, "|Z")),
        ("round the top edges by 0.5", Edit("fillet", 0.5, ">Z")),
        ("chamfer the top edges 0.5", Edit("chamfer", 0.5, ">Z")),
        ("bevel bottom edges 0.1 in", Edit("chamfer", 2.54, "<Z")),
        ("shell it 2 mm from the top", Edit("shell", 2.0, ">Z")),
        ("hollow it out, 1.5 mm walls, open at the bottom", Edit("shell", 1.5, "<Z")),
        ("add a 5 mm hole through the centre", Edit("hole", 5.0, "|Z")),
        ("drill a 0.5 cm hole in the front", Edit("hole", 5.0, "-Y")),
        ("scale by 2", Edit("scale", 2.0)),
        ("scale it up by 150 %", Edit("scale", 1.5)),
        ("mirror about the XZ plane", Edit("mirror", None, "XZ")),
        ("mirror it in yz and keep both", Edit("mirror", None, "YZ", union=True)),
    ],
)
def test_instructions_are_understood(instruction: str, expected: Edit) -> None:
    edit = parse_edit(instruction)
    assert edit.kind == expected.kind and edit.selector == expected.selector and edit.union == expected.union
    if expected.value is not None:
        assert edit.value == pytest.approx(expected.value)


@pytest.mark.parametrize("instruction", ["make it prettier", "add fillets", "", "scale"])
def test_unclear_instructions_say_what_works(instruction: str) -> None:
    with pytest.raises(EditNotUnderstood, match="fillet"):
        parse_edit(instruction)


def test_final_variable_follows_the_sandbox_rule() -> None:
    assert final_variable(BOX) == "solid"
    assert final_variable("import cadquery as cq\nresult = cq.Workplane().box(1, 1, 1)") == "result"
    assert (
        final_variable("import cadquery as cq\npart = cq.Workplane().box(1, 1, 1)\nshow_object(part)")
        == "part"
    )
    assert final_variable("x = 1") is None


def test_edit_dimension_becomes_a_named_parameter() -> None:
    code, _ = apply_edit(BRACKET, "add 1 mm fillets to all edges")
    assert code.startswith(BRACKET.rstrip("\n"))
    assert parameter_values(code)["fillet_radius"] == 1.0
    twice, _ = apply_edit(code, "fillet the top edges 0.5")
    assert parameter_values(twice)["fillet_radius_2"] == 0.5


def volume(code: str) -> float:
    result = run_code(code, timeout=60)
    assert result.ok, result.message
    return result.volume


@pytest.fixture(scope="module")
def box_volume() -> float:
    return volume(BOX)


def test_every_supported_example_runs_on_the_bracket() -> None:
    base = volume(BRACKET)
    for instruction in SUPPORTED:
        code, edit = apply_edit(BRACKET, instruction)
        new = volume(code)
        if edit.kind == "mirror":
            assert new == pytest.approx(base, rel=1e-6), instruction
        elif edit.kind == "scale":
            assert new == pytest.approx(base * 8, rel=1e-6), instruction
        elif edit.kind == "stretch":  # the bracket's own ``length`` is doubled (test_named_resize)
            assert edit.via == "length 60 -> 120" and new > base, instruction
        elif edit.kind == "resize":
            assert edit.via == "width 40 -> 80" and new > base, instruction
        else:
            assert new < base, instruction


def test_edits_change_the_volume_as_geometry_says(box_volume: float) -> None:
    assert box_volume == pytest.approx(4000.0)
    hole, _ = apply_edit(BOX, "add a 5 mm hole through the centre")
    assert volume(hole) == pytest.approx(4000 - math.pi * 2.5**2 * 10, rel=1e-6)
    shell, _ = apply_edit(BOX, "shell it 2 mm from the top")
    assert volume(shell) == pytest.approx(4000 - 16 * 16 * 8, rel=1e-6)
    chamfer, _ = apply_edit(BOX, "chamfer the top edges 1")
    # four 45-degree prisms of cross-section 1/2 along the 80 mm rim, each corner counted twice (d³/3 of overlap)
    assert volume(chamfer) == pytest.approx(4000 - 0.5 * 80 + 4 / 3, rel=1e-6)
    mirrored, _ = apply_edit(
        BOX.replace("box(20, 20, 10)", "box(20, 20, 10).translate((15, 0, 0))"), "mirror in yz and keep both"
    )
    assert volume(mirrored) == pytest.approx(8000.0, rel=1e-6)
