"""``cadcoder train CONFIG.yaml [--override key=value ...]``: run a training recipe.

The recipe files are ``training/configs/*.yaml`` (paper stages 1 and 2, cadcoder-mini, a tiny CPU
run); multi-GPU runs use the same command under ``accelerate launch`` (see the header of each file
in ``training/configs/accelerate/``). Prints the folder of the final Hugging Face model.
"""

from __future__ import annotations

from pathlib import Path

import typer


def train(
    config: Path = typer.Argument(..., help="Training recipe (YAML)."),
    override: list[str] = typer.Option(
        [], "--override", "-o", help="section.field=value, e.g. optim.learning_rate=1e-4 (repeatable)."
    ),
) -> None:
    """Train or fine-tune a CAD-Coder model (LLaVA layout) with transformers + accelerate."""
    from training.config import ConfigError, load_config

    if not config.is_file():
        raise typer.BadParameter(f"{config}: no such file", param_hint="CONFIG")
    try:
        recipe = load_config(config, override)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    from training.trainer import train as run_training

    outcome = run_training(recipe, log=lambda line: typer.echo(line, err=True))
    typer.echo(str(outcome.final_dir))
