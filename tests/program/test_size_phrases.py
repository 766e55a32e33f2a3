"""Size requests in everyday words ("make it twice as long", "80 mm wide") as rule-based edits."""

from __future__ import annotations

import pytest

from core.program import parameter_values
from core.program.edits import EditNotUnderstood, apply_edit, parse_edit
from core.program.size_phrases import SizeRequest, parse_size_request
from core.sandbox import run_code

BOX = "import cadquery as cq\nsolid = cq.Workplane('XY').box(20, 10, 4)\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it twice as long", SizeRequest("X", factor=2.0)),
        ("half as wide", SizeRequest("Y", factor=0.5)),
        ("make it 3 times as tall", SizeRequest("Z", factor=3.0)),
        ("double the width", SizeRequest("Y", factor=2.0)),
        ("halve the height", SizeRequest("Z", factor=0.5)),
        ("make it 50% longer", SizeRequest("X", factor=1.5)),
        ("make it 1.5 times longer", SizeRequest("X", factor=1.5)),
        ("make it 80 mm long", SizeRequest("X", target=80.0)),
        ("set the length to 80 mm", SizeRequest("X", target=80.0)),
        ("make it 2 cm thick", SizeRequest("Z", target=20.0)),
        ("make it 10 mm thicker", SizeRequest("Z", delta=10.0)),
        ("5mm shorter", SizeRequest("X", delta=-5.0)),
        ("twice as big", SizeRequest(None, factor=2.0)),
        ("half the size", SizeRequest(None, factor=0.5)),
        ("make the hole twice as wide", None),  # a feature, not the part
        ("make it blue", None),
    ],
)
def test_phrases(text: str, expected: SizeRequest | None) -> None:
    request = parse_size_request(text)
    if expected is None or request is None:
        assert request == expected
    else:
        assert request.axis == expected.axis
        for name in ("factor", "target", "delta"):
            assert getattr(request, name) == pytest.approx(getattr(expected, name)), name


def test_scale_by_and_overall_factors_are_uniform_scales() -> None:
    assert (parse_edit("scale by 2").kind, parse_edit("scale by 2").value) == ("scale", 2.0)
    edit = parse_edit("Make it twice as big")
    assert (edit.kind, edit.value) == ("scale", 2.0)


def extents(code: str) -> tuple[float, float, float]:
    result = run_code(code, timeout=60)
    assert result.ok, result.message
    x0, y0, z0, x1, y1, z1 = result.bbox
    return (round(x1 - x0, 4), round(y1 - y0, 4), round(z1 - z0, 4))


@pytest.mark.parametrize(
    ("instruction", "size", "described"),
    [
        ("make it twice as long", (40.0, 10.0, 4.0), "multiply the length (X) by 2"),
        ("half as wide", (20.0, 5.0, 4.0), "multiply the width (Y) by 0.5"),
        ("make it 80 mm long", (80.0, 10.0, 4.0), "make the length (X) 80 mm"),
        ("make it 10 mm thicker", (20.0, 10.0, 14.0), "add 10 mm to the height (Z)"),
        ("scale by 2", (40.0, 20.0, 8.0), "scale by 2"),
    ],
)
def test_size_edits_give_the_asked_size(instruction: str, size: tuple[float, ...], described: str) -> None:
    code, edit = apply_edit(BOX, instruction)
    assert edit.describe().startswith(described)
    if edit.kind != "scale":  # BOX names no dimension: the stretch is appended, and says so
        assert "appended as a stretch" in edit.describe()
    assert extents(code) == pytest.approx(size, abs=1e-3)


def test_the_target_is_a_named_parameter_and_cq_is_imported_when_missing() -> None:
    code, _ = apply_edit(BOX, "make it 80 mm long")
    assert parameter_values(code)["target_length"] == 80.0
    bare = "import cadquery\nsolid = cadquery.Workplane('XY').box(20, 10, 4)\n"
    code, _ = apply_edit(bare, "make it twice as long")
    assert "import cadquery as cq" in code and extents(code) == pytest.approx((40.0, 10.0, 4.0), abs=1e-3)


def test_the_refusal_no_longer_claims_a_model_is_missing() -> None:
    with pytest.raises(EditNotUnderstood) as caught:
        parse_edit("make it blue")
    assert "without a model" not in str(caught.value)
    assert "with the built-in rules" in str(caught.value) and "make it twice as long" in str(caught.value)
