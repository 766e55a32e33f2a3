"""``cadcoder eval``: answer the paper's benchmark with a model, score it, and report like the paper.

``--model DIR`` (a local HF LLaVA folder, e.g. a training checkpoint) or ``--endpoint URL
--model-name M`` (any OpenAI-compatible server). Paper settings by default: greedy decoding, 3450
new tokens, the paper's question (``--baseline-prompt`` adds the sentences it gave general models).
``--json`` prints the same object as ``cadcoder score --json``. Rerunning with the same ``--out``
skips every question already answered.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

from core.cli.options import Effort, EffortLevel
from core.paths import benchmark_dir


def eval_(
    model: Path | None = typer.Option(None, "--model", help="Local model folder (HF LLaVA format)."),
    endpoint: str | None = typer.Option(
        None, "--endpoint", help="OpenAI-compatible base URL, e.g. http://host:8000/v1."
    ),
    model_name: str | None = typer.Option(None, "--model-name", help="Model name at --endpoint."),
    benchmark: Path | None = typer.Option(
        None, "--benchmark", help="Benchmark folder (default: ../shared/benchmarks/gencad-code-test100)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: runs/eval/<model>)."),
    n: int = typer.Option(
        1, "--n", min=1, help="Candidates per question; the first that runs is the answer."
    ),
    temperature: float = typer.Option(
        0.0, "--temperature", min=0.0, help="0 = greedy (the paper's setting)."
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="Only the first K questions (0: all 100)."),
    baseline_prompt: bool = typer.Option(
        False, "--baseline-prompt", help="Add the paper's extra sentences for general-purpose models."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the score object (same keys as `cadcoder score`)."
    ),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel sandbox and scoring processes."),
    concurrency: int = typer.Option(
        0, "--concurrency", min=0, help="Questions in flight (0: 1 local, 4 remote)."
    ),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Per-script wall-clock limit, seconds."),
    max_new_tokens: int = typer.Option(3450, "--max-new-tokens", min=1, help="Generation budget per answer."),
    gallery: bool = typer.Option(True, "--gallery/--no-gallery", help="Write gallery.html with renders."),
    system: bool = typer.Option(
        False,
        "--system",
        help="Answer as `cadcoder image2cad` does: best-of-N by render-and-compare, then dimension fitting.",
    ),
    refine: bool = typer.Option(
        True, "--refine/--no-refine", help="With --system: fit dimensions to the image."
    ),
    refine_top: int | None = typer.Option(
        None,
        "--refine-top",
        min=1,
        help="With --system: fit the K best distinct candidates (default: the effort's).",
    ),
    effort: Effort = EffortLevel.default,
    grounded: bool = typer.Option(
        True,
        "--grounded/--no-grounded",
        help="With --system: add programs read off the picture itself to the model's candidates.",
    ),
    quantization: str | None = typer.Option(
        None, "--quantization", help="Local model: 8bit or 4bit (bitsandbytes)."
    ),
    redraw: bool = typer.Option(
        True,
        "--redraw/--no-redraw",
        help="Local model: show pictures in another style (FreeCAD snapshots, photos) redrawn in the "
        "training pictures' look; --no-redraw hands them over as given.",
    ),
    shard_index: int = typer.Option(
        0, "--shard-index", min=0, help="Answer only shard I of --num-shards (merge with `eval-merge`)."
    ),
    num_shards: int = typer.Option(1, "--num-shards", min=1, help="Split the questions round robin."),
) -> None:
    """Evaluate a model on the CAD-Coder benchmark (VSR, IOU_best, IOU_robust) with reports."""
    from rich.console import Console

    from core.metrics.benchmark import BenchmarkError
    from training.evaluation.run import EvalSettings, evaluate

    err = Console(stderr=True, soft_wrap=True)
    if (model is None) == (endpoint is None):
        raise typer.BadParameter("give exactly one of --model DIR or --endpoint URL")
    if endpoint is not None and not model_name:
        raise typer.BadParameter("--endpoint needs --model-name", param_hint="--model-name")
    if model is not None and not model.is_dir():
        raise typer.BadParameter(f"{model}: no such model folder", param_hint="--model")
    model_id = _model_id(model, model_name)
    settings = EvalSettings(
        benchmark=benchmark or benchmark_dir(),
        out=out or Path("runs") / "eval" / re.sub(r"[^\w.-]+", "_", model_id),
        model_id=model_id,
        limit=limit,
        n=n,
        temperature=temperature,
        baseline_prompt=baseline_prompt,
        workers=workers,
        timeout=timeout,
        concurrency=concurrency or (1 if model is not None else 4),
        gallery=gallery,
        max_new_tokens=max_new_tokens,
        system=system,
        refine=refine,
        refine_top=refine_top,
        grounded=grounded,
        effort=effort.value,
        shard_index=shard_index,
        num_shards=num_shards,
    )
    if shard_index >= num_shards:
        raise typer.BadParameter(f"--shard-index must be below --num-shards ({num_shards})")
    backend = _backend(model, endpoint, model_name, quantization, redraw=redraw)
    try:
        report = evaluate(
            backend, settings, on_answer=lambda qid: err.print(f"answered {qid}", highlight=False)
        )
    except BenchmarkError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    typer.echo((settings.out / "results.md").read_text(encoding="utf-8"))
    typer.echo(f"answers, scores, CSV, plots and gallery in {settings.out}")


def eval_merge(
    shards: list[Path] = typer.Argument(..., help="The shard output folders of one evaluation."),
    out: Path = typer.Option(..., "--out", help="Folder for the merged report."),
    benchmark: Path | None = typer.Option(
        None, "--benchmark", help="Benchmark folder (default: ../shared/benchmarks/gencad-code-test100)."
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="The --limit the shards ran with."),
    model_id: str = typer.Option("", "--model-id", help="Name in results.md (default: the first shard's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the merged score object."),
) -> None:
    """Merge `cadcoder eval --shard-index I --num-shards K` folders into the report of one run."""
    from training.evaluation.run import benchmark_subset
    from training.evaluation.shards import ShardMergeError, merge_shards

    samples = benchmark_subset(benchmark or benchmark_dir(), limit)
    name = model_id or _answers_model_id(shards[0]) or shards[0].name
    try:
        report = merge_shards(shards, samples, out, name)
    except (ShardMergeError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    typer.echo((out / "results.md").read_text(encoding="utf-8"))


def _answers_model_id(folder: Path) -> str:
    path = folder / "answers.jsonl"
    if not path.is_file():
        return ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            return str(json.loads(line).get("model_id", ""))
    return ""


def _model_id(model: Path | None, model_name: str | None) -> str:
    """The answers' ``model_id``: the folder name, with the run's name for ``final``/``step-N`` checkpoints."""
    if model is None:
        return str(model_name)
    path = model.resolve()
    if path.name == "final" or re.fullmatch(r"step-\d+", path.name):
        run = path.parent.parent if path.parent.name == "checkpoints" else path.parent
        return f"{run.name}-{path.name}"
    return path.name


def _backend(
    model: Path | None,
    endpoint: str | None,
    model_name: str | None,
    quantization: str | None = None,
    *,
    redraw: bool = True,
):
    """The local backend for a folder; the remote one reads its key from $CADCODER_API_KEY or $OPENAI_API_KEY."""
    if model is not None:
        from core.models.local import LocalLlavaBackend

        return LocalLlavaBackend(model, quantization=quantization, redraw=redraw)
    from core.models.remote import RemoteBackend, RemoteConfig

    return RemoteBackend(RemoteConfig(base_url=str(endpoint), model=model_name))
