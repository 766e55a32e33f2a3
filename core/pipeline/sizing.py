"""The real-size stage: scale the chosen program to the user's known dimension, then snap.

Runs after the choice and the fitting (``image_to_cad``), on the winner only: measure its bounding
box in the sandbox, scale every length (``core.program.real_size``), check the solid grew by the
factor in every direction, snap dimensions to preferred values while the picture agrees
(``core.program.snapping``), and run the final program once more for its solid. The result's code,
volume, parameters, solid and match are replaced; what happened is returned as ``SizeReport``
(the ``size`` key of ``image2cad --json``). Programs run through the executor the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from PIL import Image

from core.pipeline.result import CadResult
from core.program.parameters import find_parameters
from core.program.real_size import SizeSpec, bbox_scaled_by, measured, scale_factor, scale_program
from core.program.snapping import snap_dimensions
from core.sandbox import ExecutionResult

Executor = Callable[[Sequence[str], tuple[str, ...]], list[ExecutionResult]]
SNAP_TOLERANCE = 0.005  # largest drop of the match score a snap may cause (0..1 scale)
EXTENT_TOLERANCE = 1e-6  # relative: the dimension the user gave stays what they typed


@dataclass
class SizeReport:
    status: str  # "ok" | "failed"
    spec: str  # e.g. "longest=60"
    factor: float | None = None
    method: str = ""  # how the lengths were scaled (core.program.real_size.Scaled.method)
    bbox_mm: list[float] = field(default_factory=list)  # extents x, y, z of the final solid
    snap_tolerance: float = SNAP_TOLERANCE
    match_before_snap: float | None = None
    match_after_snap: float | None = None
    snapped: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def apply_real_size(
    result: CadResult,
    spec: SizeSpec,
    picture: Image.Image,
    execute: Executor,
    *,
    snap: bool = True,
    tolerance: float = SNAP_TOLERANCE,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> SizeReport:
    """Size ``result`` (in place) to ``spec``; a failure leaves the result as it was and says why."""
    emit = on_event or (lambda _event: None)
    report = SizeReport("failed", str(spec), snap_tolerance=tolerance)
    emit({"event": "stage", "stage": "size", "spec": str(spec)})
    if not result.ok or not result.code:
        report.message = "no part to size"
        return report
    (before,) = execute([result.code], ("mesh",))
    if not before.ok or before.bbox is None:
        report.message = f"the program did not run again: {before.message}"
        return report
    try:
        factor = scale_factor(spec, before.bbox)
    except ValueError as exc:
        report.message = str(exc)
        return report
    scaled = scale_program(result.code, factor)
    if scaled is None:
        report.message = "the program has no numbers known to be lengths"
        return report
    (after,) = execute([scaled.code], ("mesh",))
    if not after.ok or after.bbox is None or not bbox_scaled_by(before.bbox, after.bbox, factor):
        report.message = "scaling the numbers did not scale the part evenly (a length in an unknown role?)"
        return report
    report.factor, report.method = factor, scaled.method
    code = scaled.code
    if snap:
        from core.pipeline.refine import score_of
        from core.render.compare import outline

        target = outline(picture)
        reference = score_of(target, after)

        def score(codes: Sequence[str]) -> list[float | None]:
            # The user's dimension is a fact, not a proportion to trade: a snap that moves it (a
            # width snapped up while the length is the sum of width and wall) is no snap.
            return [
                score_of(target, run) if _keeps_extent(spec, run) else None
                for run in execute(codes, ("mesh",))
            ]

        snaps = snap_dimensions(code, score, tolerance=tolerance, reference=reference)
        code = snaps.code
        report.match_before_snap, report.match_after_snap = snaps.reference, snaps.score
        report.snapped = [asdict(s) for s in snaps.snapped]
        report.rejected = [asdict(s) for s in snaps.rejected]
        for s in snaps.snapped:
            emit({"event": "snap", "name": s.name, "from": s.before, "to": s.after, "rule": s.rule})
    (final,) = execute([code], ("brep", "step", "mesh"))
    if not final.ok:  # cannot happen for a snap that was scored, but never hand out a broken part
        report.message = f"the sized program did not run: {final.message}"
        return report
    result.code, result.volume, result.brep, result.step = code, final.volume, final.brep, final.step
    result.parameters = [asdict(p) for p in find_parameters(code)]
    if report.match_after_snap is not None:
        result.match = report.match_after_snap
    b = final.bbox or (0.0,) * 6
    report.bbox_mm = [round(b[i + 3] - b[i], 6) for i in range(3)]
    report.status = "ok"
    return report


def _keeps_extent(spec: SizeSpec, run: ExecutionResult) -> bool:
    if not run.ok or run.bbox is None:
        return False
    return abs(measured(spec, run.bbox) - spec.mm) <= EXTENT_TOLERANCE * spec.mm
