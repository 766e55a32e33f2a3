"""The best few answers of a run, for the user to choose from: code, match and a small picture.

The pipeline picks one answer, but a small model's second or third candidate is often the right
part, and only the user knows. So the result carries the best ``k`` distinct candidates that made a
valid solid (the chosen one first, then by match), each with a thumbnail drawn in the benchmark's
style. The candidates' solids are not kept by the pipeline, so they are run again here through the
caller's executor (a warm sandbox run costs tens of milliseconds). With a size spec, each
alternative is scaled to it too (no snapping), so picking one keeps the size the user asked for.

Thumbnails are PNG bytes; the CLI puts them in ``image2cad --json`` as base64 (``thumbnail_png``)
or, with ``--out-dir``, writes them as files and gives the path (``thumbnail``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from core.pipeline.result import CadResult
from core.program.real_size import SizeSpec, bbox_scaled_by, scale_factor, scale_program
from core.sandbox import ExecutionResult

Executor = Callable[[Sequence[str], tuple[str, ...]], list[ExecutionResult]]
THUMBNAIL_SIDE = 128
DEFAULT_CHOICES = 4


@dataclass
class Choice:
    index: int  # the candidate's index in ``CadResult.candidates``
    code: str  # the program as the user would get it (sized when a size was given)
    match: float | None  # render-and-compare score against the picture, 0..1
    chosen: bool
    refined: bool
    grounded: bool
    volume: float | None
    thumbnail_png: bytes | None = None


def top_choices(
    result: CadResult,
    execute: Executor,
    *,
    k: int = DEFAULT_CHOICES,
    size: SizeSpec | None = None,
    thumbnail_side: int = THUMBNAIL_SIDE,
) -> list[Choice]:
    """The chosen answer and the next best distinct candidates that run, at most ``k``, best first."""
    if not result.ok or k <= 0:
        return []
    ok = [c for c in result.candidates if c.status == "ok" and c.code.strip()]
    ranked = sorted(ok, key=lambda c: (c.index != result.chosen, -(c.score or 0.0), c.index))
    picked, seen = [], set()
    for candidate in ranked:
        if candidate.code not in seen:
            seen.add(candidate.code)
            picked.append(candidate)
        if len(picked) == k:
            break
    codes = [result.code if c.index == result.chosen else c.code for c in picked]
    if size is not None:  # the chosen code is already sized (and snapped) by the size stage
        codes = [
            code if c.index == result.chosen else _sized(code, size, execute)
            for c, code in zip(picked, codes, strict=True)
        ]
    runs = execute(codes, ("mesh",))
    choices = []
    for candidate, code, run in zip(picked, codes, runs, strict=True):
        chosen = candidate.index == result.chosen
        choices.append(
            Choice(
                candidate.index,
                code,
                result.match if chosen and result.match is not None else candidate.score,
                chosen,
                candidate.refined,
                candidate.grounded,
                run.volume,
                thumbnail(run, thumbnail_side),
            )
        )
    return choices


def thumbnail(run: ExecutionResult, side: int = THUMBNAIL_SIDE) -> bytes | None:
    """A ``side`` px PNG of the run's solid in the benchmark's style; None without a mesh."""
    if not run.ok or not run.mesh:
        return None
    from core.render import STYLE_BENCHMARK, render_mesh

    image = render_mesh(run.mesh, style=replace(STYLE_BENCHMARK, size=side * 2, supersample=1))
    image = image.resize((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _sized(code: str, size: SizeSpec, execute: Executor) -> str:
    """``code`` scaled to ``size``; unchanged when it cannot be scaled evenly."""
    (before,) = execute([code], ("mesh",))
    if not before.ok or before.bbox is None:
        return code
    try:
        factor = scale_factor(size, before.bbox)
    except ValueError:
        return code
    scaled = scale_program(code, factor)
    if scaled is None:
        return code
    (after,) = execute([scaled.code], ("mesh",))
    if after.ok and after.bbox is not None and bbox_scaled_by(before.bbox, after.bbox, factor):
        return scaled.code
    return code
