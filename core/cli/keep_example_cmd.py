"""``cadcoder keep-example IMAGE CODE [--dataset DIR] [--json]``: keep a picture and its final code
as a training example for fine-tuning (``training/configs/finetune_user.yaml``).

The code is run in the sandbox first: only a program that makes a valid solid is a lesson worth
learning. The dataset defaults to the user's folder (``core.user_paths.user_examples_dir``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer


def keep_example(
    image: Path = typer.Argument(..., help="The picture of the part (PNG, JPEG, ...)."),
    code: Path = typer.Argument(..., help="The final CadQuery program (.py), after your edits."),
    dataset: Path | None = typer.Option(
        None, "--dataset", help="The user dataset folder (default: ~/.local/share/cadcoder/examples)."
    ),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Sandbox seconds for the check run."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Store IMAGE and CODE in the user dataset, in the format `cadcoder train` reads."""
    from core.program import extract_code
    from core.sandbox import run_code
    from core.user_paths import user_examples_dir
    from training.data.user_dataset import keep_example as keep

    folder = dataset or user_examples_dir()
    try:
        picture, program = image.read_bytes(), extract_code(code.read_text(encoding="utf-8"))
    except OSError as exc:
        typer.echo(f"error: cannot read {exc.filename}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    run = run_code(program, timeout=timeout)
    if not run.ok:
        typer.echo(
            f"error: the code does not make a valid solid ({run.status.value}: {run.message})", err=True
        )
        raise typer.Exit(1)
    try:
        kept = keep(folder, picture, program, {"image": image.name, "volume": run.volume})
    except (ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    payload = {
        "status": "ok",
        "dataset": str(kept.dataset),
        "key": kept.key,
        "shard": str(kept.shard),
        "new": kept.new,
        "count": kept.count,
    }
    if as_json:
        typer.echo(json.dumps(payload))
    else:
        word = "kept" if kept.new else "already kept"
        typer.echo(f"{word}: example {kept.key} in {kept.dataset} ({kept.count} examples)")
