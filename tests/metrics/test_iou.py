"""IOU_best and IOU_robust on solids whose answer is known analytically (agreement of IOU_best with
the authors' procedure on benchmark answers: test_paper_iou.py)."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest

from core.metrics import chamfer_distance, iou_best, iou_robust, iou_scores
from core.metrics.frames import DegenerateSolidError, principal_frame, volume_of
from core.metrics.iou import prepare_target
from core.metrics.vsr import valid_syntax_rate


def shape(wp: cq.Workplane):
    return wp.val().wrapped


def box(x: float, y: float, z: float):
    return shape(cq.Workplane().box(x, y, z))


def l_bracket():
    return shape(
        cq.Workplane().polyline([(0, 0), (40, 0), (40, 6), (6, 6), (6, 25), (0, 25)]).close().extrude(15)
    )


def moved(s, angle: float = 37.0, axis=(1, 2, 3), offset=(5, -7, 11), scale: float = 1.0):
    solid = cq.Shape.cast(s).rotate((0, 0, 0), axis, angle).translate(cq.Vector(*offset))
    if scale != 1.0:
        solid = solid.scale(scale)
    return solid.wrapped


def test_identical_solids_score_one() -> None:
    b = box(10, 20, 30)
    assert iou_best(b, b) == pytest.approx(1.0, abs=1e-9)
    assert iou_robust(b, b) == pytest.approx(1.0, abs=1e-9)


def test_pose_and_size_do_not_matter() -> None:
    b = box(10, 20, 30)
    scores = iou_scores(moved(b, scale=2.5), b)
    assert scores.iou_best == pytest.approx(1.0, abs=1e-6)
    assert scores.iou_robust == pytest.approx(1.0, abs=1e-6)


def test_chiral_part_in_another_pose() -> None:
    bracket = l_bracket()
    assert iou_robust(moved(bracket, angle=121, axis=(0, 1, 1)), bracket) == pytest.approx(1.0, abs=1e-6)


def test_cube_rotated_inside_its_degenerate_subspace() -> None:
    # All three moments of a cube agree, so eigh's axes are arbitrary: the paper's protocol can miss
    # a perfect match, the robust search must not.
    cube = box(10, 10, 10)
    turned = moved(cube, angle=30, axis=(0, 0, 1), offset=(0, 0, 0))
    scores = iou_scores(turned, cube)
    assert scores.iou_robust == pytest.approx(1.0, abs=1e-6)
    assert scores.iou_best <= scores.iou_robust + 1e-12


def test_known_overlap_value() -> None:
    # A 10x10x10 cube against a 10x10x20 box: after normalising for size the paper's IoU is that of
    # two boxes with the same proportions as the originals' principal sizes, computed here by hand.
    a, b = box(10, 10, 10), box(10, 10, 20)
    fa, fb = principal_frame(a), principal_frame(b)
    ea = np.array([10, 10, 10]) / fa.scale
    eb = np.sort(np.array([10, 10, 20]) / fb.scale)
    inter = np.prod(np.minimum(ea, eb))
    expected = inter / (np.prod(ea) + np.prod(eb) - inter)
    assert iou_best(a, b) == pytest.approx(expected, rel=1e-6)


def test_different_shapes_score_below_one() -> None:
    cylinder = shape(cq.Workplane().circle(5).extrude(10))
    value = iou_best(cylinder, box(10, 10, 10))
    assert 0.7 < value < 0.99


def test_prepared_target_gives_the_same_numbers() -> None:
    target, candidate = l_bracket(), moved(box(40, 25, 15), angle=10)
    prepared = prepare_target(target)
    assert iou_best(candidate, prepared) == iou_best(candidate, target)


def test_empty_shape_is_refused_clearly_by_the_robust_score() -> None:
    empty = cq.Workplane().box(1, 1, 1).faces(">Z").val().wrapped  # a face: no volume
    with pytest.raises(DegenerateSolidError):
        iou_robust(empty, box(1, 1, 1))


def test_volume_of_a_cylinder() -> None:
    assert volume_of(shape(cq.Workplane().circle(2).extrude(5))) == pytest.approx(math.pi * 4 * 5, rel=1e-9)


def test_chamfer_distance_is_zero_for_the_same_solid_and_grows_with_difference() -> None:
    b = box(10, 20, 30)
    assert chamfer_distance(b, b) == pytest.approx(0.0, abs=1e-12)
    near = chamfer_distance(box(10, 20, 31), b)
    far = chamfer_distance(box(10, 20, 60), b)
    assert 0 < near < far


@pytest.mark.parametrize(("valid", "expected"), [([True, True, False, True], 0.75), ([False], 0.0)])
def test_valid_syntax_rate(valid: list[bool], expected: float) -> None:
    assert valid_syntax_rate(valid) == expected
