"""One-axis size edits through the program's named dimensions (issue 15, point 6), run for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.program import find_parameters, parameter_values
from core.program.edits import apply_edit
from core.program.named_resize import axis_parameters, name_words, resize_by_names
from core.program.size_phrases import SizeRequest
from core.sandbox import run_code

BOX = (
    "import cadquery as cq\n\n"
    "length = 20\nwidth = 10.0\nheight = 4.0\n"
    "solid = cq.Workplane('XY').box(length, width, height)\n"
)
L_BRACKET = """import cadquery as cq

length = 50.0
height = 30.0
thickness = 5.0
width = 20.0

profile = [(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)]
solid = cq.Workplane("XZ").polyline(profile).close().extrude(width)
"""
UNNAMED = "import cadquery as cq\nsolid = cq.Workplane('XY').box(20, 10, 4)\n"


def extents(code: str) -> tuple[float, float, float]:
    result = run_code(code, timeout=60, outputs=())
    assert result.ok, result.message
    x0, y0, z0, x1, y1, z1 = result.bbox
    return (x1 - x0, y1 - y0, z1 - z0)


def test_twice_as_long_doubles_length_itself() -> None:
    code, edit = apply_edit(BOX, "make it twice as long")
    assert code.startswith(BOX.replace("length = 20\n", "length = 40\n").rstrip("\n"))  # nothing else moves
    assert parameter_values(code)["length"] == 40
    assert extents(code) == pytest.approx((40.0, 10.0, 4.0), rel=1e-6)
    assert edit.via == "length 20 -> 40"
    assert edit.describe() == "multiply the length (X) by 2, by setting length 20 -> 40"


def test_the_cli_json_keeps_its_keys_and_lists_the_new_length(tmp_path: Path) -> None:
    script = tmp_path / "box.py"
    script.write_text(BOX)
    done = subprocess.run(
        [sys.executable, "-m", "core.cli.main", "edit", str(script), "-p", "make it twice as long", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"status", "engine", "code", "diff", "volume", "parameters", "message"} <= set(payload)
    assert (payload["status"], payload["engine"]) == ("ok", "rules")
    assert {p["name"]: p["value"] for p in payload["parameters"]}["length"] == 40
    assert "-length = 20\n+length = 40\n" in payload["diff"]
    assert payload["volume"] == pytest.approx(40 * 10 * 4, rel=1e-6)
    assert "by setting length 20 -> 40" in payload["message"]


def test_an_l_bracket_polyline_length_is_rewritten() -> None:
    code, edit = apply_edit(L_BRACKET, "make it twice as long")
    assert edit.via == "length 50 -> 100"
    assert "length = 100.0\n" in code and "thickness = 5.0\n" in code
    assert extents(code) == pytest.approx((100.0, 20.0, 30.0), rel=1e-6)


def test_eighty_mm_wide_is_exact() -> None:
    code, edit = apply_edit(L_BRACKET, "make it 80 mm wide")
    assert edit.via == "width 20 -> 80"
    assert extents(code)[1] == pytest.approx(80.0, rel=1e-6)
    assert extents(code)[0] == pytest.approx(50.0, rel=1e-6)


def test_a_program_without_names_falls_back_to_the_stretch_and_says_so() -> None:
    code, edit = apply_edit(UNNAMED, "make it twice as long")
    assert edit.via == "transform" and "transformGeometry" in code
    assert "appended as a stretch" in edit.describe() and "keep their old values" in edit.describe()
    assert extents(code) == pytest.approx((40.0, 10.0, 4.0), rel=1e-6)


def test_a_name_that_does_not_drive_the_extent_falls_back() -> None:
    code = (
        "import cadquery as cq\nlength = 5.0\n"
        "solid = cq.Workplane('XY').box(20, 10, 4).faces('>Z').workplane().center(length, 0).hole(2)\n"
    )
    edited, edit = apply_edit(code, "make it twice as long")
    assert edit.via == "transform" and "length = 5.0\n" in edited
    assert extents(edited)[0] == pytest.approx(40.0, rel=1e-6)


def test_a_dimension_plus_flanges_is_solved_for_the_target() -> None:
    code = (
        "import cadquery as cq\nlength = 40.0\nflange = 5.0\n"
        "solid = cq.Workplane('XY').box(length + 2 * flange, 10, 4)\n"
    )
    edited, edit = apply_edit(code, "make it 80 mm long")
    assert edit.via == "length 40 -> 70"
    assert extents(edited) == pytest.approx((80.0, 10.0, 4.0), rel=1e-6)


def test_a_derived_axis_follows_and_is_reported() -> None:
    code = "import cadquery as cq\nlength = 20.0\nwidth = length / 2\nsolid = cq.Workplane().box(length, width, 4)\n"
    edited, edit = apply_edit(code, "make it twice as long")
    assert edit.via is not None and edit.via.startswith("length 20 -> 40 (Y follows")
    assert extents(edited) == pytest.approx((40.0, 20.0, 4.0), rel=1e-6)


def test_an_undeclared_coupling_is_not_accepted() -> None:
    """``length`` drives every axis: setting it would make the part wider and taller too."""
    code = "import cadquery as cq\nlength = 20.0\nsolid = cq.Workplane().box(length, length, length)\n"
    edited, edit = apply_edit(code, "make it twice as long")
    assert edit.via == "transform"
    assert extents(edited) == pytest.approx((40.0, 20.0, 20.0), rel=1e-6)


def test_a_point_list_is_not_a_declared_coupling() -> None:
    code = (
        "import cadquery as cq\nlength = 20.0\npts = [(0, 0), (length, 0), (length, length), (0, length)]\n"
        "solid = cq.Workplane().polyline(pts).close().extrude(5)\n"
    )
    edited, edit = apply_edit(code, "make it twice as long")
    assert edit.via == "transform" and "length = 20.0\n" in edited
    assert extents(edited) == pytest.approx((40.0, 20.0, 5.0), rel=1e-6)


def test_names_choose_candidates_and_skip_features() -> None:
    code = (
        "import cadquery as cq\nslot_length = 8.0\nplateLength = 60.0\nlength = 50.0\nhole_depth = 3.0\n"
        "depth = 12.0\nangle = 30\n"
        "solid = cq.Workplane().box(length, depth, plateLength)\n"
    )
    params = find_parameters(code)
    assert [p.name for p in axis_parameters(params, "X")] == ["length", "plateLength"]
    assert [p.name for p in axis_parameters(params, "Y")] == ["depth"]
    assert [p.name for p in axis_parameters(params, "Z")] == ["depth"]
    assert name_words("overallHeight_2") == ["overall", "height"]


def test_nothing_is_claimed_when_the_program_does_not_run() -> None:
    assert resize_by_names(BOX, SizeRequest("X", factor=2.0), lambda code: None) is None
    assert resize_by_names(BOX, SizeRequest(None, factor=2.0), lambda code: None) is None
