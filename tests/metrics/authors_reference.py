"""The authors' IOU_best procedure written out plainly, to check ``core.metrics.iou_best`` against.

A transcription, in our own code, of what CAD-Coder's evaluation does per sample (their
``scripts/generate_model_cad.py`` appends ``cq.exporters.export(solid, "<id>.step")`` to the
answer; ``scripts/compute_iou.py`` imports both STEP files and calls ``cq_align_shapes``): plain
CadQuery calls, one after another, no caching, no shared work, two booleans per orientation.
It is deliberately not shared with the production code, so a slip in one shows up as a
difference. ``benchmarks/score_speed.py`` times it as the single-process reference.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cadquery as cq
import numpy as np


class NoIoU(Exception):
    """Where the authors' script has no IoU for the sample (it prints "issue" and moves on)."""


def export_answer(solid: object, path: str | os.PathLike[str]) -> None:
    """What the line their generator appends to every answer does."""
    cq.exporters.export(solid, str(path))


def authors_iou_best(
    generated_step: str | os.PathLike[str], ground_truth_step: str | os.PathLike[str]
) -> float:
    best = 0.0
    for iou in authors_orientation_ious(generated_step, ground_truth_step):
        if iou > best:
            best = iou
    return best


def authors_orientation_ious(
    generated_step: str | os.PathLike[str], ground_truth_step: str | os.PathLike[str]
) -> list[float]:
    """The IoU their loop computes for each of the four orientations, in their order (their
    ``cq_align_shapes`` keeps the largest); empty for NaN geometry."""
    source = cq.importers.importStep(str(generated_step))
    target = cq.importers.importStep(str(ground_truth_step))
    try:
        return _align(source, target)
    except NoIoU:
        raise
    except Exception as exc:  # their try/except around cq_align_shapes
        raise NoIoU(str(exc)) from exc


def authors_iou_best_of_solid(solid: object, ground_truth_step: str | os.PathLike[str]) -> float:
    """The whole path for one answer: export, import, align."""
    with tempfile.TemporaryDirectory(prefix="authors-iou-") as tmp:
        path = Path(tmp) / "answer.step"
        export_answer(solid, path)
        return authors_iou_best(path, ground_truth_step)


def authors_orientation_ious_of_solid(
    solid: object, ground_truth_step: str | os.PathLike[str]
) -> list[float]:
    """Export, import, and the IoU of each orientation their loop tries."""
    with tempfile.TemporaryDirectory(prefix="authors-iou-") as tmp:
        path = Path(tmp) / "answer.step"
        export_answer(solid, path)
        return authors_orientation_ious(path, ground_truth_step)


def _align(source: cq.Workplane, target: cq.Workplane) -> list[float]:
    c_source = cq.Shape.centerOfMass(source.val())
    c_target = cq.Shape.centerOfMass(target.val())
    inertia_source = np.array(cq.Shape.matrixOfInertia(source.val()))
    inertia_target = np.array(cq.Shape.matrixOfInertia(target.val()))
    v_source = cq.Shape.computeMass(source.val())
    v_target = cq.Shape.computeMass(target.val())
    moments_source, axes_source = np.linalg.eigh(inertia_source)
    moments_target, axes_target = np.linalg.eigh(inertia_target)
    with np.errstate(all="ignore"):
        s_source = np.sqrt(np.abs(moments_source).sum() / v_source)
        s_target = np.sqrt(np.abs(moments_target).sum() / v_target)
    if not (np.isfinite(s_source) and np.isfinite(s_target)):
        # Their code would go on with NaN coordinates (minutes of booleans); no comparison with
        # NaN is true, so their best stays 0.0.
        return []
    normalized_source = source.translate(-c_source).val().scale(1 / s_source)
    normalized_target = target.translate(-c_target).val().scale(1 / s_target)

    rotations = [axes_target @ axes_source.T]
    for i in range(3):  # the three sign patterns with two minus signs, in their order
        signs = np.array([-1.0 if i > 0 else 1.0, -1.0 if (i + 1) % 2 else 1.0, -1.0 if i % 3 <= 1 else 1.0])
        rotations.append(axes_target @ (signs[None, :] * axes_source).T)

    values = []
    for rotation in rotations:
        transform = np.zeros((4, 4))
        transform[:3, :3] = rotation
        transform[3, 3] = 1
        aligned = normalized_source.transformGeometry(cq.Matrix(transform.tolist()))
        try:
            iou = aligned.intersect(normalized_target).Volume() / aligned.fuse(normalized_target).Volume()
        except Exception:
            iou = 0.0
        values.append(iou)
    return values
