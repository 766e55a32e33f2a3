"""``core.geometry.properties``: measurements and exports of OCCT shapes (in-process, heavy)."""

from __future__ import annotations

import math

import pytest

cq = pytest.importorskip("cadquery")

from core.geometry.io import shape_from_bytes  # noqa: E402
from core.geometry.properties import export_bytes, solid_properties, volume  # noqa: E402


def test_box() -> None:
    props = solid_properties(cq.Workplane().box(2, 3, 4).val().wrapped)
    assert props.volume == pytest.approx(24)
    assert props.bbox == pytest.approx((-1, -1.5, -2, 1, 1.5, 2))
    assert (props.n_solids, props.n_faces, props.n_edges) == (1, 6, 12)
    assert props.valid and props.closed and props.usable and props.defects == ()


def test_bbox_is_tight_for_curved_faces() -> None:
    props = solid_properties(cq.Workplane().sphere(2).val().wrapped)
    assert props.bbox == pytest.approx((-2, -2, -2, 2, 2, 2), abs=1e-9)
    assert props.volume == pytest.approx(4 / 3 * math.pi * 8)


def test_open_shell_is_not_usable() -> None:
    faces = cq.Workplane().box(1, 1, 1).val().Faces()[:5]
    props = solid_properties(cq.Solid.makeSolid(cq.Shell.makeShell(faces)).wrapped)
    assert not props.closed and not props.usable


def test_reversed_solid_has_negative_volume() -> None:
    props = solid_properties(cq.Workplane().box(1, 1, 1).val().wrapped.Reversed())
    assert props.volume == pytest.approx(-1) and not props.usable


@pytest.mark.parametrize("fmt", ["brep", "step"])
def test_exports_read_back_to_the_same_volume(fmt: str) -> None:
    shape = cq.Workplane().cylinder(3, 1).val().wrapped
    again = shape_from_bytes(export_bytes(shape, fmt), fmt)
    assert volume(again) == pytest.approx(volume(shape), rel=1e-6)


def test_stl_and_unknown_format() -> None:
    data = export_bytes(cq.Workplane().box(1, 1, 1).val().wrapped, "stl")
    assert len(data) == 84 + 50 * int.from_bytes(data[80:84], "little")
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(cq.Workplane().box(1, 1, 1).val().wrapped, "obj")
