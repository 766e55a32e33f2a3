"""Issue 15: zeros, axes and construction values are not dimensions; names keep meaning what they say."""

from __future__ import annotations

from core.program import parameter_values
from core.program.edits import apply_edit
from core.program.name_order import order_violations
from core.program.scaling import scale_lengths


def test_zeros_axes_and_construction_values_are_not_parameters() -> None:
    code = (
        "import cadquery as cq\n"
        "s = (cq.Workplane('XY').polyline([(0, 0), (12, 0), (12, 4)]).close().extrude(3)\n"
        "     .rotate((0, 0, 0), (0, 0, 1), 30)\n"
        "     .faces('>Z').workplane().slot2D(8, 2, 0).cutBlind(-1)\n"
        "     .faces('<Z').workplane().rarray(6, 4, 3, 1).hole(1.5)\n"
        "     .translate(cq.Vector(0, 0, 1)))\n"
        "s = s.revolve(180, (0, 0, 0), (0, 1, 0))\n"
        "plane = cq.Plane(origin=(5, 0, 0), xDir=(1, 0, 0), normal=(0, 0, 1))\n"
        "show_object(s, options={'alpha': 0.5, 'color': (1, 0, 0)})\n"
    )
    names = set(parameter_values(code))
    assert names == {
        "polyline_2_x",
        "polyline_3_x",
        "polyline_3_y",
        "extrude_distance",
        "rotate_angle",
        "slot2D_length",
        "slot2D_diameter",
        "cutBlind_depth",
        "rarray_xSpacing",
        "rarray_xCount",
        "rarray_yCount",
        "hole_diameter",
        "revolve_angle",
        "Vector_z",  # a move by 1 along z: a length, though it looks like an axis
        "Plane_origin_x",
    }, names
    axis = "up = cq.Vector(0, 0, 1)\nplane = cq.Plane((0, 0, 5), normal=up)\ns = w.rotate((0, 0, 0), up, 15)"
    assert parameter_values(axis) == {"Plane_z": 5, "rotate_angle": 15}


def test_named_zeros_stay_parameters() -> None:
    # the user gave the zero a name: it is theirs to change
    assert parameter_values("x_offset = 0\ns = cq.Workplane().box(1, 1, 1).translate((x_offset, 0, 0))") == {
        "x_offset": 0,
        "box_length": 1,
        "box_width": 1,
        "box_height": 1,
    }


def test_scale_rewrites_lengths_and_leaves_angles_and_counts() -> None:
    code = (
        "import cadquery as cq\n"
        "height = 0.41\n"
        "width, depth = 0.2, 0.3\n"
        "n = 4\n"
        "solid = (cq.Workplane().box(width, depth, height).faces('>Z').workplane()\n"
        "         .polarArray(width / 4, 0, 360, n).hole(0.02).rotate((0, 0, 0), (0, 0, 1), 15)\n"
        "         .edges('|Z').fillet(width / 2 - 0.05))\n"
    )
    scaled = scale_lengths(code, 50)
    assert scaled is not None
    assert parameter_values(scaled) | {} == {
        "height": 20.5,
        "width": 10.0,
        "depth": 15.0,
        "n": 4,
        "hole_diameter": 1,
        "rotate_angle": 15,
        "polarArray_angle": 360,
    }
    assert "width / 4" in scaled and "width / 2 - 2.5" in scaled  # ratios stay, lengths in formulas scale


def test_scale_refuses_a_program_with_numbers_it_cannot_place() -> None:
    assert scale_lengths("s = cq.Workplane().box(1, 1, 1)\nt = frobnicate(3)", 2) is None


def test_scale_edit_leaves_parameters_meaning_what_they_say() -> None:
    code = "import cadquery as cq\nheight = 0.41\nsolid = cq.Workplane('XY').box(1, 1, height)\n"
    edited, edit = apply_edit(code, "scale by 50")
    assert edit.kind == "scale"
    assert parameter_values(edited) == {"height": 20.5, "box_length": 50, "box_width": 50}
    assert "scale(" not in edited and "scale_factor" not in edited


def test_scale_edit_falls_back_to_a_transform_when_unsure() -> None:
    code = "import cadquery as cq\nsolid = cq.Workplane('XY').box(1, 1, 1).union(frobnicate(3))\n"
    edited, _ = apply_edit(code, "scale by 2")
    assert parameter_values(edited)["scale_factor"] == 2.0


def test_order_words_must_agree_with_values() -> None:
    assert order_violations({"outer_diameter": 5.0, "inner_diameter": 6.0, "thickness": 1.0}) == [
        ("outer_diameter", "inner_diameter")
    ]
    assert order_violations({"outer_diameter": 10.0, "inner_radius": 4.0}) == []
    assert order_violations({"outer_radius": 4.0, "inner_diameter": 9.0}) == [
        ("outer_radius", "inner_diameter")
    ]
    assert order_violations({"max_width": 3, "min_width": 2, "major_radius": 1, "minor_radius": 2}) == [
        ("major_radius", "minor_radius")
    ]


def test_fitting_never_makes_the_outer_diameter_the_inner_one() -> None:
    from core.pipeline.refine import RefineConfig, _Search

    values = {"outer_diameter": 10.0, "inner_diameter": 8.0}
    search = _Search("", values, 0.0, 0, RefineConfig(), None, lambda codes: [])
    assert search._moved("outer_diameter", -0.5) is None  # 10 -> 6.07 < 8: refused
    assert search._moved("outer_diameter", 0.5) == {"outer_diameter": 16.5, "inner_diameter": 8.0}
    assert search._moved("inner_diameter", -0.5) is not None
