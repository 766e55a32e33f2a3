"""Issue 16: "ran and made a solid" is not "made a valid solid".

A solid OCCT's checker rejects comes back as ``invalid_solid`` (its findings kept in
``extra["check_defects"]``) while ``made_solid`` still says it ran to a watertight solid, which the
paper's VSR counts. Compounds of separate solids are valid when the solids touch but do not overlap.
"""

from __future__ import annotations

import pytest

from core.sandbox import SandboxPool, Status

HEAD = "import cadquery as cq\n"

# The U-profile of the issue: span 0.0392 < 2 * thickness 0.0546, so the polyline crosses itself.
U_PROFILE = """span = {span}
height = 0.3
depth = 0.4
thickness = {thickness}
solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (span, 0), (span, height), (span - thickness, height),
               (span - thickness, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-depth)
)
"""


def test_self_intersecting_profile_is_an_invalid_solid(pool: SandboxPool) -> None:
    result = pool.run(HEAD + U_PROFILE.format(span=0.0392, thickness=0.0546), outputs=("brep", "mesh"))
    assert result.status is Status.INVALID_SOLID
    assert not result.ok and result.made_solid
    assert "SelfIntersectingWire" in result.extra["check_defects"]
    assert "OCCT's checker rejects `solid`" in result.message
    assert result.volume > 0 and result.brep  # still measured and kept for scoring
    assert result.mesh is None  # nothing to render: no caller may show it as an answer


def test_same_profile_with_a_feasible_wall_is_ok(pool: SandboxPool) -> None:
    result = pool.run(HEAD + U_PROFILE.format(span=0.2, thickness=0.05))
    assert result.status is Status.OK, result.message
    assert result.made_solid and "check_defects" not in result.extra
    assert result.volume == pytest.approx((0.2 * 0.3 - 0.1 * 0.25) * 0.4)


@pytest.mark.parametrize(
    "body",
    [
        U_PROFILE.format(span=0.1, thickness=0.05),  # the two walls meet: zero-width slot
        U_PROFILE.format(span=0.2, thickness=0.0),  # zero-thickness walls
        "solid = cq.Workplane().box(1, 1, 0)",  # zero-thickness plate
    ],
    ids=["walls-meet", "zero-walls", "zero-plate"],
)
def test_zero_thickness_walls_make_no_solid(pool: SandboxPool, body: str) -> None:
    result = pool.run(HEAD + body)
    assert not result.ok and not result.made_solid
    assert result.status is Status.RUNTIME_ERROR


def test_bowtie_profile_is_neither_valid_nor_a_solid(pool: SandboxPool) -> None:
    result = pool.run(
        HEAD + "solid = cq.Workplane().polyline([(0, 0), (1, 1), (1, 0), (0, 1)]).close().extrude(0.3)"
    )
    assert result.status is Status.INVALID_SOLID and not result.made_solid
    assert "encloses no volume" in result.message


@pytest.mark.parametrize(
    "body",
    [
        "solid = [cq.Workplane().box(1, 1, 1), cq.Workplane().box(1, 1, 1).translate((1, 0, 0))]",
        "solid = [cq.Workplane().box(1, 1, 1), cq.Workplane().box(1, 1, 1).translate((1, 1, 1))]",
        "solid = [cq.Workplane().box(1, 1, 1), cq.Workplane().box(1, 1, 1).translate((3, 0, 0))]",
    ],
    ids=["face", "vertex", "apart"],
)
def test_touching_but_not_fused_parts_are_valid(pool: SandboxPool, body: str) -> None:
    result = pool.run(HEAD + body)
    assert result.status is Status.OK, result.message
    assert result.n_solids == 2 and result.volume == pytest.approx(2.0)


def test_overlapping_unfused_parts_are_invalid(pool: SandboxPool) -> None:
    body = "solid = [cq.Workplane().box(1, 1, 1), cq.Workplane().box(1, 1, 1).translate((0.5, 0, 0))]"
    result = pool.run(HEAD + body)
    assert result.status is Status.INVALID_SOLID and result.made_solid
    assert "overlap without being fused" in result.message
    fused = pool.run(HEAD + body.replace("solid = [", "parts = [") + "\nsolid = parts[0].union(parts[1])")
    assert fused.status is Status.OK and fused.volume == pytest.approx(1.5)
