"""``cadcoder iou A B``: how alike two solids are, each given as STEP, BREP or a CadQuery script."""

from __future__ import annotations

import json
from pathlib import Path

import typer

SCRIPT_SUFFIXES = {".py"}


def iou(
    candidate: Path = typer.Argument(..., help="Candidate: .step/.stp, .brep or a CadQuery .py script."),
    target: Path = typer.Argument(..., help="Target (ground truth), same formats."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Wall-clock limit for a script."),
) -> None:
    """IOU_best (the paper's protocol), IOU_robust and Chamfer distance of CANDIDATE against TARGET."""
    from core.metrics import chamfer_distance, iou_scores, prepare_target, prepare_target_file
    from core.metrics.frames import DegenerateSolidError

    shapes = [_load(path, timeout) for path in (candidate, target)]
    try:
        # A target STEP file is imported as the authors import theirs; a script's solid makes the
        # STEP round trip their generator gives every answer.
        is_script = target.suffix.lower() in SCRIPT_SUFFIXES
        prepared = prepare_target(shapes[1]) if is_script else prepare_target_file(target)
        scores = iou_scores(shapes[0], prepared)
        chamfer = chamfer_distance(*shapes, rotation=scores.robust_rotation)
    except DegenerateSolidError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    out = {"iou_best": scores.iou_best, "iou_robust": scores.iou_robust, "chamfer": chamfer}
    if as_json:
        typer.echo(json.dumps(out))
    else:
        best = "-" if scores.iou_best is None else f"{scores.iou_best:.6f}"  # None: no IoU in their pipeline
        typer.echo(f"IOU_best   {best}\nIOU_robust {scores.iou_robust:.6f}\nChamfer    {chamfer:.6f}")


def _load(path: Path, timeout: float):
    from core.geometry.io import SHAPE_SUFFIXES, ShapeReadError, read_shape, shape_from_bytes

    suffix = path.suffix.lower()
    if not path.is_file():
        typer.echo(f"error: {path}: no such file", err=True)
        raise typer.Exit(2)
    if suffix in SCRIPT_SUFFIXES:
        from core.sandbox import run_code

        result = run_code(path.read_text(encoding="utf-8"), timeout=timeout, outputs=("brep",))
        if not result.ok or result.brep is None:
            typer.echo(f"error: {path}: {result.status.value}: {result.message}", err=True)
            raise typer.Exit(1)
        return shape_from_bytes(result.brep)
    if suffix not in SHAPE_SUFFIXES:
        typer.echo(f"error: {path}: expected .step, .stp, .brep or .py", err=True)
        raise typer.Exit(2)
    try:
        return read_shape(path)
    except ShapeReadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
