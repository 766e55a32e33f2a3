"""Snapping: preferred values per kind of dimension, kept only while the picture agrees."""

from __future__ import annotations

from core.program.parameters import find_parameters
from core.program.snapping import preferred, snap_dimensions

PLATE = """import cadquery as cq

length = 61.3
thickness = 4.9
hole_diameter = 6.45
hole_radius = 2.23
n_holes = 3
solid = cq.Workplane("XY").box(length, 30, thickness).faces(">Z").workplane().hole(hole_diameter)
"""


def _param(name: str):
    return next(p for p in find_parameters(PLATE) if p.name == name)


def test_preferred_values_by_kind() -> None:
    assert preferred(_param("hole_diameter"))[0] == (6.6, "iso_clearance")  # M6 clearance first
    assert (6.8, "iso_tap_drill") in preferred(_param("hole_diameter"))
    assert preferred(_param("hole_radius"))[0] == (2.25, "iso_clearance")  # M4 clearance 4.5 / 2
    assert preferred(_param("thickness"))[0] == (5.0, "plate_thickness")
    assert preferred(_param("length")) == [(61.5, "grid_0.5")]


def test_values_already_standard_are_left_alone() -> None:
    code = "import cadquery as cq\nhole_diameter = 6.6\nthickness = 3.0\nsolid = cq.Workplane().box(10, 10, thickness)\n"
    assert all(preferred(p) == [] for p in find_parameters(code) if p.name in ("hole_diameter", "thickness"))


def test_a_snap_is_kept_only_while_the_score_holds() -> None:
    """The scorer says a 6.6 hole looks wrong and everything else is fine: the hole takes the next
    candidate (the tap drill), the rest snap, and counts are never touched."""

    def score(codes):
        return [0.5 if "hole_diameter = 6.6" in c else 0.9 for c in codes]

    report = snap_dimensions(PLATE, score, tolerance=0.01)
    snapped = {s.name: (s.after, s.rule) for s in report.snapped}
    assert snapped["hole_diameter"] == (6.8, "iso_tap_drill")
    assert snapped["thickness"] == (5.0, "plate_thickness") and snapped["length"] == (61.5, "grid_0.5")
    assert [(r.name, r.after) for r in report.rejected] == [("hole_diameter", 6.6)]
    assert "n_holes = 3" in report.code and "hole_diameter = 6.8" in report.code
    assert report.reference == 0.9 and report.score == 0.9


def test_nothing_snaps_when_every_change_costs_match() -> None:
    report = snap_dimensions(PLATE, lambda codes: [0.9 if c == PLATE else 0.8 for c in codes], tolerance=0.05)
    assert report.code == PLATE and report.snapped == [] and report.rejected


def test_a_hole_depth_or_position_is_no_clearance_hole() -> None:
    code = (
        "import cadquery as cq\nhole_diameter = 6.48\nhole_2_depth = 6.24\nbolt_spacing = 20.2\n"
        'solid = cq.Workplane("XY").box(60, 40, 5).faces(">Z").workplane().hole(6.4, 3.1)'
        '.faces("<Z").workplane().cboreHole(5.2, 9.9, 2.2)\n'
    )
    rules = {p.name: {rule for _, rule in preferred(p)} for p in find_parameters(code)}
    assert "iso_clearance" in rules["hole_diameter"] and "iso_clearance" in rules["hole_diameter_2"]
    assert "iso_clearance" in rules["cboreHole_diameter"]
    for name in (
        "hole_2_depth",
        "bolt_spacing",
        "hole_depth",
        "cboreHole_cboreDepth",
        "cboreHole_cboreDiameter",
    ):
        assert rules[name] <= {"grid_0.5"}, name
