"""Scoring generated CAD against ground truth: the paper's IOU_best, our IOU_robust, VSR, Chamfer.

Heavy (OCCT through OCP). ``iou_best`` is the CAD-Coder paper's IOU_best computed step for step as
the authors' evaluation code computes it (``core.metrics.paper_iou``), the number to compare with
its Table 2; ``iou_robust`` fixes that protocol's known blind spots and is reported beside it, never
instead of it.
"""

from __future__ import annotations

from core.metrics.chamfer import chamfer_distance
from core.metrics.iou import (
    IouScores,
    PreparedTarget,
    iou_best,
    iou_robust,
    iou_scores,
    prepare_target,
    prepare_target_file,
)
from core.metrics.vsr import valid_syntax_rate

__all__ = [
    "IouScores",
    "PreparedTarget",
    "chamfer_distance",
    "iou_best",
    "iou_robust",
    "iou_scores",
    "prepare_target",
    "prepare_target_file",
    "valid_syntax_rate",
]
