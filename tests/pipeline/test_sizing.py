"""The size stage on real programs in the sandbox, judged against a real picture."""

from __future__ import annotations

import pytest

from core.pipeline.result import CadResult
from core.pipeline.sizing import apply_real_size
from core.program.real_size import parse_size
from core.render import render_mesh
from core.sandbox import run_code

# The bundled bracket at 1/75 scale, as a model that sees only proportions writes it.
SMALL = """import cadquery as cq

length = 0.8
width = 0.5333
thickness = 0.08
height = 0.4667
hole_diameter = 0.0867
corner_radius = 0.0667

base = cq.Workplane("XY").box(length, width, thickness).translate((0, 0, thickness / 2))
base = base.edges("|Z and >X").fillet(corner_radius)
base = base.faces(">Z").workplane().pushPoints([(length / 6, -width / 4), (length / 6, width / 4)])
base = base.hole(hole_diameter)
upright = (
    cq.Workplane("XY").box(thickness, width, height).translate((-length / 2 + thickness / 2, 0, height / 2))
)
solid = base.union(upright)
"""


def _execute(codes, outputs):
    return [run_code(c, outputs=outputs) for c in codes]


@pytest.fixture(scope="module")
def picture():
    return render_mesh(run_code(SMALL, outputs=("mesh",)).mesh)


def _result() -> CadResult:
    run = run_code(SMALL)
    return CadResult("ok", code=SMALL, volume=run.volume, match=0.9)


def test_sized_to_60_mm_with_standard_values_where_the_picture_agrees(picture) -> None:
    result, events = _result(), []
    before = result.volume
    report = apply_real_size(result, parse_size("60"), picture, _execute, on_event=events.append)
    assert report.status == "ok" and report.factor == pytest.approx(75)
    assert report.bbox_mm[0] == pytest.approx(60)
    snapped = {s["name"]: (s["after"], s["rule"]) for s in report.snapped}
    assert snapped["hole_diameter"] == (6.6, "iso_clearance")  # 6.5025 -> M6 clearance
    assert snapped["width"] == (40.0, "grid_0.5")  # 39.9975
    assert "thickness = 6.0" in result.code  # 0.08 x 75: a stock plate already, not tried
    assert "thickness" not in snapped
    assert "hole_diameter = 6.6" in result.code and "length = 60.0" in result.code
    assert all(abs(s["score_change"]) < report.snap_tolerance for s in report.snapped)
    assert report.match_before_snap - report.match_after_snap < report.snap_tolerance
    assert result.match == report.match_after_snap and result.step.startswith(b"ISO-10303-21")
    assert {p["name"] for p in result.parameters} >= {"length", "hole_diameter", "corner_radius"}
    # lengths only changed by snapping after the x75: the volume is within a few % of s^3
    assert result.volume == pytest.approx(before * 75**3, rel=0.05)
    assert {
        "event": "snap",
        "name": "hole_diameter",
        "from": pytest.approx(6.5025),
        "to": 6.6,
        "rule": "iso_clearance",
    } in events


def test_without_snapping_the_volume_grows_exactly_by_the_cube(picture) -> None:
    result = _result()
    before = result.volume
    report = apply_real_size(result, parse_size("x=30"), picture, _execute, snap=False)
    assert report.status == "ok" and report.snapped == [] and report.factor == pytest.approx(37.5)
    assert result.volume == pytest.approx(before * 37.5**3, rel=1e-6)


def test_a_failed_result_is_left_alone(picture) -> None:
    result = CadResult("runtime_error", code="solid = 1")
    report = apply_real_size(result, parse_size("60"), picture, _execute)
    assert report.status == "failed" and result.code == "solid = 1"


# An L whose overall length is the base plus the wall: snapping either one to the grid would move
# the length the user typed.
L_SUM = """import cadquery as cq

base = 0.7386
wall = 0.0613
height = 0.4421
depth = 0.3917

solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (base + wall, 0), (base + wall, wall), (wall, wall), (wall, height), (0, height)])
    .close()
    .extrude(-depth)
)
"""


def test_the_size_the_user_gave_is_exact_after_snapping() -> None:
    run = run_code(L_SUM, outputs=("mesh",))
    picture = render_mesh(run.mesh)
    result = CadResult("ok", code=L_SUM, volume=run.volume, match=0.9)
    report = apply_real_size(result, parse_size("x=60"), picture, _execute)
    assert report.status == "ok"
    assert report.bbox_mm[0] == pytest.approx(60.0, rel=1e-9, abs=1e-6)
    names = {s["name"] for s in report.snapped}
    refused = {s["name"] for s in report.rejected if s["reason"] == "refused"}
    # base and wall alone cannot move to the grid without moving x; height and depth can
    assert {"base", "wall"} <= refused and not ({"base", "wall"} & names)
    assert {"height", "depth"} <= names
    assert all(s["score_change"] is None for s in report.rejected if s["reason"] == "refused")
