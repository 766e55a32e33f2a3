"""Scoring a set of generated scripts against ground-truth solids: VSR and mean IoUs, in parallel.

Scripts run in the sandbox pool (they are untrusted); their BREP goes to a process pool that
computes the IoUs (OCCT booleans hold the GIL, so threads would not help). Both pools work at once:
a script's IoU starts as soon as it has run. Means are over valid samples only, as in the paper.

Two VSRs (issue 16): ``vsr`` is the paper's, a script that ran and made a watertight solid
(``ExecutionResult.made_solid``; the IoU means are over these samples); ``vsr_valid_solid`` also
requires OCCT's checker to accept the solid (status ``ok``). A rejected solid is still scored, so
the paper's numbers stay comparable, and ``valid_solid`` marks it per sample.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.metrics.benchmark import BenchmarkSample
from core.metrics.vsr import valid_syntax_rate
from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool


@dataclass
class SampleScore:
    question_id: int
    valid: bool
    status: str
    message: str = ""
    iou_best: float | None = None
    iou_robust: float | None = None
    volume: float | None = None
    valid_solid: bool = False  # OCCT's checker accepts the solid; ``valid`` is the paper's count


@dataclass
class ScoreReport:
    n: int
    vsr: float | None  # the paper's: ran and made a solid
    iou_best: float | None
    iou_robust: float | None
    samples: list[SampleScore]
    status_counts: dict[str, int] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)  # benchmark questions without an answer
    unknown: list[int] = field(default_factory=list)  # answers to questions not in the benchmark
    vsr_valid_solid: float | None = None  # ours: the solid is also valid (status ``ok``)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def metric_process_pool(workers: int) -> ProcessPoolExecutor:
    """Processes for OCCT booleans, started from a fork server that has imported OCP once.

    Plain ``fork`` would copy the sandbox pool's threads' locks; ``spawn`` re-imports OCP in every
    process, which cost 2.4 s of a 9 s benchmark scoring run (``benchmarks/score_speed.py``).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["core.metrics.iou", "core.metrics.target_cache", "core.geometry.io"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def iou_pair(brep: bytes, target: str, cache: str | None = None) -> tuple[float | None, float]:
    """(iou_best, iou_robust) of a BREP against a STEP/BREP file; runs in a scoring process.
    With ``cache``, the target's normalisation is read from (or stored in) that folder.
    iou_best is None where the authors' evaluation has no IoU (their mean leaves it out)."""
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_scores, prepare_target_file
    from core.metrics.target_cache import cached_target

    prepared = cached_target(target, Path(cache)) if cache else prepare_target_file(target)
    scores = iou_scores(shape_from_bytes(brep), prepared)
    return scores.iou_best, scores.iou_robust


def score_codes(
    codes: Mapping[int, str],
    samples: list[BenchmarkSample],
    *,
    workers: int = 2,
    timeout: float = 60.0,
    cache: Path | None = None,
    on_done: Callable[[SampleScore], None] | None = None,
) -> ScoreReport:
    """Run each code (keyed by question_id) and score it against its sample's STEP file.
    ``cache``: a folder for normalised targets (core.metrics.target_cache), None to recompute."""
    by_id = {s.question_id: s for s in samples}
    wanted = [qid for qid in codes if qid in by_id]
    scores: dict[int, SampleScore] = {}
    with (
        SandboxPool(SandboxConfig(workers=workers, timeout=timeout)) as sandbox,
        metric_process_pool(workers) as metric_pool,
    ):
        runs = {qid: sandbox.submit(codes[qid], timeout=timeout, outputs=("brep",)) for qid in wanted}
        metrics: dict[int, Future[tuple[float, float]]] = {}
        for qid in wanted:
            result: ExecutionResult = runs[qid].result()
            if result.made_solid and result.brep is not None:
                metrics[qid] = metric_pool.submit(
                    iou_pair, result.brep, str(by_id[qid].step), str(cache) if cache else None
                )
                scores[qid] = SampleScore(
                    qid,
                    True,
                    result.status.value,
                    result.message,
                    volume=result.volume,
                    valid_solid=result.ok,
                )
            else:
                scores[qid] = SampleScore(qid, False, result.status.value, result.message)
                if on_done:
                    on_done(scores[qid])
        for qid, fut in metrics.items():
            try:
                scores[qid].iou_best, scores[qid].iou_robust = fut.result()
            except Exception as exc:  # an OCCT failure on a valid solid scores 0, as in the paper's code
                scores[qid].iou_best = scores[qid].iou_robust = 0.0
                scores[qid].message = f"IoU computation failed: {exc}"
            if on_done:
                on_done(scores[qid])
    return summarise(
        [scores[qid] for qid in wanted],
        missing=[s.question_id for s in samples if s.question_id not in codes],
        unknown=[q for q in codes if q not in by_id],
    )


def summarise(
    samples: list[SampleScore], *, missing: list[int] | None = None, unknown: list[int] | None = None
) -> ScoreReport:
    valid = [s for s in samples if s.valid]

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    return ScoreReport(
        n=len(samples),
        vsr=valid_syntax_rate(s.valid for s in samples) if samples else None,
        vsr_valid_solid=valid_syntax_rate(s.valid_solid for s in samples) if samples else None,
        iou_best=mean([s.iou_best for s in valid]),
        iou_robust=mean([s.iou_robust for s in valid]),
        samples=samples,
        status_counts=dict(Counter(s.status for s in samples)),
        missing=missing or [],
        unknown=unknown or [],
    )


def answers_to_codes(answers: Mapping[int, str]) -> dict[int, str]:
    """Raw model replies -> runnable code (fences and prose stripped, imports added)."""
    from core.program.extract import extract_code

    return {qid: extract_code(text) for qid, text in answers.items()}
