"""``cadcoder score ANSWERS.jsonl --benchmark DIR``: VSR and IoUs of a model's answers.

The ``--json`` keys (``n``, ``vsr``, ``vsr_valid_solid``, ``iou_best``, ``iou_robust``, ``samples``
with ``question_id``, ``valid``, ``valid_solid``, ``status``, ``iou_best``, ``iou_robust``) are a
contract: ``cadcoder eval`` and other tools read them. ``vsr``/``valid`` is the paper's count (ran and
made a solid); ``vsr_valid_solid``/``valid_solid`` also requires OCCT's checker to accept the solid.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from core.paths import benchmark_dir, cache_dir


def score(
    answers: Path = typer.Argument(..., help="Answers JSONL: one {question_id, text} object per line."),
    benchmark: Path = typer.Option(
        None, "--benchmark", help="Benchmark folder (default: ../shared/benchmarks/gencad-code-test100)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel sandbox and scoring processes."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Per-script wall-clock limit, seconds."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Recompute the targets' normalisation instead of reusing the cached one."
    ),
) -> None:
    """Run each answer's code in the sandbox and score it against the benchmark's STEP files."""
    from rich.console import Console

    from core.metrics.benchmark import BenchmarkError, load_benchmark, read_answers
    from core.metrics.scoring import answers_to_codes, score_codes

    err = Console(stderr=True, soft_wrap=True)
    try:
        samples = load_benchmark(benchmark or benchmark_dir())
        codes = answers_to_codes(read_answers(answers))
    except BenchmarkError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    report = _with_progress(
        err,
        lambda on_done: score_codes(
            codes,
            samples,
            workers=workers,
            timeout=timeout,
            cache=None if no_cache else cache_dir(),
            on_done=on_done,
        ),
        len([q for q in codes if q in {s.question_id for s in samples}]),
    )
    if report.missing:
        err.print(f"[yellow]warning:[/yellow] {len(report.missing)} benchmark questions have no answer")
    if report.unknown:
        err.print(f"[yellow]warning:[/yellow] answers to unknown question_ids ignored: {report.unknown[:10]}")
    if as_json:
        typer.echo(json.dumps(report.to_json()))
    else:
        _print_table(Console(), report)


def _with_progress(err, job, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("scoring", total=total)
        return job(lambda _sample: progress.advance(task))


def _print_table(console, report) -> None:
    from rich.table import Table

    def fmt(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "-"
        return f"{100 * v:.1f} %" if pct else f"{v:.3f}"

    table = Table(title="CAD-Coder benchmark score")
    for column in ("samples", "VSR (ran to a solid)", "VSR (valid solid)", "IOU_best", "IOU_robust"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.n),
        fmt(report.vsr, pct=True),
        fmt(report.vsr_valid_solid, pct=True),
        fmt(report.iou_best),
        fmt(report.iou_robust),
    )
    console.print(table)
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(report.status_counts.items()))
    console.print(f"statuses: {counts}")
