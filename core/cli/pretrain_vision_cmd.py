"""``cadcoder pretrain-vision RECIPE --out DIR``: stage 0 for from-scratch models (see
``training/vision_pretrain.py``): the recipe's vision tower learns part families and proportions
from the synthetic shards, then ``model.vision_init: DIR`` starts LLaVA training from it."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def pretrain_vision(
    config: Path = typer.Argument(..., help="Training recipe (YAML) whose model.vision tower is trained."),
    out: Path = typer.Option(..., "--out", help="Folder for the tower (CLIPVisionModel format)."),
    data: Path | None = typer.Option(
        None, "--data", help="Shard folder (default: the recipe's first source)."
    ),
    steps: int = typer.Option(1500, "--steps", min=1),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    learning_rate: float = typer.Option(2e-3, "--learning-rate", min=0.0),
    seed: int = typer.Option(0, "--seed"),
    start_from: Path | None = typer.Option(
        None,
        "--from",
        help="Continue this tower (a LLaVA folder or a tower folder) instead of a scratch one.",
    ),
    into: Path | None = typer.Option(
        None, "--into", help="Also write a copy of the --from LLaVA folder with the new tower here."
    ),
) -> None:
    """Pretrain a vision tower on the synthetic data's labels (from scratch, or continuing --from)."""
    from training.config import ConfigError, load_config
    from training.vision_pretrain import VisionPretrainSettings, load_tower, transplant_tower
    from training.vision_pretrain import pretrain_vision as run

    try:
        recipe = load_config(config)
    except (ConfigError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="config") from exc
    folder = data or Path(recipe.data.sources[0].path)
    settings = VisionPretrainSettings(
        steps=steps, batch_size=batch_size, learning_rate=learning_rate, seed=seed
    )
    try:
        metrics = run(
            recipe, folder, out, settings, log=lambda m: typer.echo(m, err=True), start_from=start_from
        )
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if into is not None:
        if start_from is None or not (start_from / "processor_config.json").is_file():
            typer.echo("error: --into needs --from a LLaVA folder", err=True)
            raise typer.Exit(2)
        transplant_tower(start_from, load_tower(out), into)
        metrics |= {"into": str(into)}
    typer.echo(json.dumps(metrics | {"out": str(out)}))
