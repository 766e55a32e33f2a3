"""A whole benchmark evaluation: answer (resumably), score with ``core.metrics``, write the reports.

Outputs in ``out``: ``answers.jsonl`` (authors' format), ``scores.json`` (the ``cadcoder score --json``
object), ``samples.csv``, ``results.md`` (beside the paper's Table 2), ``iou_hist.png``,
``iou_vs_length.png`` and ``gallery.html`` with ``gallery/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.metrics.benchmark import BenchmarkSample, load_benchmark, read_answers
from core.metrics.scoring import SampleScore, ScoreReport, answers_to_codes, score_codes
from core.models.base import Backend
from core.sandbox import SandboxConfig, SandboxPool
from training.evaluation import paper
from training.evaluation.answers import AnswerSettings, generate_answers
from training.evaluation.gallery import build_gallery
from training.evaluation.report import markdown_table, plot_histogram, plot_iou_vs_length, write_csv


@dataclass(frozen=True)
class EvalSettings:
    benchmark: Path
    out: Path
    model_id: str
    limit: int = 0  # first K questions (0: all)
    n: int = 1
    # 0 (greedy) is the paper's setting; candidates beyond the first need sampling to differ.
    temperature: float = paper.TEMPERATURE
    baseline_prompt: bool = False
    workers: int = 2
    timeout: float = 60.0
    concurrency: int = 1
    gallery: bool = True
    max_new_tokens: int = paper.MAX_NEW_TOKENS
    system: bool = False  # answer with core.pipeline (best-of-N by render-and-compare, fitting)
    refine: bool = True
    refine_top: int | None = None  # None: the effort preset's
    search_runs: int | None = None  # structure-search sandbox runs; None: the effort preset's, 0: off
    grounded: bool = True  # with system: add programs read off the picture; as PipelineConfig
    effort: str = "default"  # with system: the pipeline's effort preset
    # Shard ``shard_index`` of ``num_shards`` (round robin after ``limit``; training.evaluation.shards).
    shard_index: int = 0
    num_shards: int = 1


def benchmark_subset(benchmark: Path, limit: int) -> list[BenchmarkSample]:
    samples = load_benchmark(benchmark)
    return samples[:limit] if limit else samples


def evaluate(
    backend: Backend,
    settings: EvalSettings,
    *,
    on_answer: Callable[[int], None] | None = None,
    on_scored: Callable[[SampleScore], None] | None = None,
) -> ScoreReport:
    out = settings.out
    out.mkdir(parents=True, exist_ok=True)
    samples = benchmark_subset(settings.benchmark, settings.limit)
    if settings.num_shards > 1:
        from training.evaluation.shards import shard_of

        samples = shard_of(samples, settings.shard_index, settings.num_shards)
    answers_path = out / "answers.jsonl"
    answer_settings = AnswerSettings(
        question=paper.question(settings.baseline_prompt),
        model_id=settings.model_id,
        n=settings.n,
        temperature=settings.temperature,
        max_new_tokens=settings.max_new_tokens,
        concurrency=settings.concurrency,
        system=settings.system,
        refine=settings.refine,
        refine_top=settings.refine_top,
        search_runs=settings.search_runs,
        grounded=settings.grounded,
        effort=settings.effort,
    )
    if settings.n > 1 or settings.system:
        with SandboxPool(SandboxConfig(workers=settings.workers, timeout=settings.timeout)) as sandbox:
            generate_answers(
                backend,
                samples,
                answers_path,
                answer_settings,
                sandbox=sandbox,
                timeout=settings.timeout,
                on_answer=on_answer,
            )
    else:
        generate_answers(backend, samples, answers_path, answer_settings, on_answer=on_answer)
    return score_and_report(samples, settings, on_scored=on_scored)


def score_and_report(
    samples: list[BenchmarkSample],
    settings: EvalSettings,
    *,
    on_scored: Callable[[SampleScore], None] | None = None,
) -> ScoreReport:
    """Score ``answers.jsonl`` in ``settings.out`` and write every report file."""
    out = settings.out
    wanted = {s.question_id for s in samples}
    answers = {q: a for q, a in read_answers(out / "answers.jsonl").items() if q in wanted}
    codes = answers_to_codes(answers)
    report = score_codes(
        codes, samples, workers=settings.workers, timeout=settings.timeout, on_done=on_scored
    )
    (out / "scores.json").write_text(json.dumps(report.to_json(), indent=1))
    write_csv(out / "samples.csv", report, samples, answers)
    (out / "results.md").write_text(markdown_table(report, settings.model_id), encoding="utf-8")
    plot_histogram(out / "iou_hist.png", report)
    plot_iou_vs_length(out / "iou_vs_length.png", report, samples)
    if settings.gallery:
        build_gallery(out, report, samples, codes, workers=settings.workers, timeout=settings.timeout)
    return report
