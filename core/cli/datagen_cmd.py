"""``cadcoder datagen --out DIR --n N``: synthetic (image, CadQuery) training pairs, sharded and resumable.

Runs ``training.synth``: programs from a seeded generator, executed in the sandbox, kept when they
make one sound solid and are not duplicates, rendered in the benchmark's style (plus augmented
variants with probability ``--augment``), written as ``shard-NNNNN.tar`` files (see
``training/README.md``). Running the same command again continues an interrupted run; a larger
``--n`` extends a finished one.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer


def datagen(
    out: Path = typer.Option(..., "--out", help="Output folder (created; resumed when it holds shards)."),
    n: int = typer.Option(..., "--n", min=0, help="Number of accepted samples wanted in total."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same programs and images."),
    workers: int = typer.Option(2, "--workers", min=1, help="Sandbox workers and render processes (each)."),
    style: str = typer.Option(
        "concise", "--style", help="concise (named parameters) or verbose (GenCAD-Code's style)."
    ),
    augment: float = typer.Option(
        0.0, "--augment", min=0.0, max=1.0, help="Probability of an extra augmented render."
    ),
    shard_size: int = typer.Option(1000, "--shard-size", min=1, help="Samples per shard."),
    families: str = typer.Option(
        "",
        "--families",
        help="Family weights, e.g. 'idioms' or 'box=2,cylinder=1,generic=0.5' (default: 65 % generic, 35 % idioms).",
    ),
    builder: str = typer.Option(
        "sandbox",
        "--builder",
        help="sandbox (every program in the sandbox) or inprocess (trusted generator code built in the "
        "workers, ~10x faster; a share of it is checked in the sandbox too).",
    ),
    verify_fraction: float = typer.Option(
        0.02,
        "--verify-fraction",
        min=0.0,
        max=1.0,
        help="inprocess: share of programs also run in the sandbox.",
    ),
    grid: int = typer.Option(
        0,
        "--grid",
        min=0,
        help="Integer coordinates on a grid of 1/G of the part size (concise style; 0 = decimals).",
    ),
    image_size: int = typer.Option(
        448, "--image-size", min=16, help="Render size in pixels (96 for cadcoder-mini-cpu; 448 = benchmark)."
    ),
    job_index: int = typer.Option(
        0, "--job-index", min=0, help="Job I of a --num-jobs array (merge: python -m training.synth.merge)."
    ),
    num_jobs: int = typer.Option(
        1, "--num-jobs", min=1, help="Jobs of the array (each draws its own candidates)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run's report as one JSON object."),
) -> None:
    """Generate synthetic training data for CAD-Coder models."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    from training.synth.engine import DatagenConfig, DatagenError, generate_dataset
    from training.synth.sampler import SamplerConfig, parse_family_weights

    err = Console(stderr=True, soft_wrap=True)
    try:
        weights = parse_family_weights(families) if families else None
        sampler = (
            SamplerConfig(style=style, family_weights=weights, grid=grid)
            if weights
            else SamplerConfig(style=style, grid=grid)
        )
        config = DatagenConfig(
            n=n,
            seed=seed,
            workers=workers,
            augment=augment,
            shard_size=shard_size,
            image_size=image_size,
            sampler=sampler,  # type: ignore[arg-type]
            builder=builder,  # type: ignore[arg-type]
            verify_fraction=verify_fraction,
            job_index=job_index,
            num_jobs=num_jobs,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        "{task.fields[rejected]}",
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("datagen", total=n, rejected="")

        def on_sample(total: int, rejected: dict[str, int]) -> None:
            shown = " ".join(f"{k}={v}" for k, v in sorted(rejected.items()))
            progress.update(task, completed=total, rejected=f"rejected: {shown}" if shown else "")

        try:
            report = generate_dataset(out, config, on_sample=on_sample)
        except DatagenError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    payload = {
        "out": str(out),
        "samples": report.samples,
        "new_samples": report.new_samples,
        "shards": report.shards,
        "candidates": report.candidates,
        "rejected": report.rejected,
        "augmented": report.augmented,
        "elapsed_s": round(report.elapsed_s, 2),
        "samples_per_s": round(report.samples_per_s, 3),
        "verified_in_sandbox": report.verified,
        "sandbox_disagreements": report.disagreements,
    }
    if as_json:
        typer.echo(json.dumps(payload))
        return
    rejected = ", ".join(f"{k}: {v}" for k, v in sorted(report.rejected.items())) or "none"
    typer.echo(
        f"{out}: {report.samples} samples in {report.shards} shards ({report.new_samples} new, "
        f"{report.samples_per_s:.2f} samples/s); examined {report.candidates} candidates, rejected {rejected}"
        + (
            f"; {report.verified} checked in the sandbox, {report.disagreements} disagreed"
            if report.verified
            else ""
        )
    )
