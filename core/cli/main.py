"""Entry point of ``cadcoder``. Command modules keep heavy imports inside their functions so that
``cadcoder --help`` and light commands start fast."""

from __future__ import annotations

import typer

from core.version import __version__

app = typer.Typer(
    name="cadcoder",
    help="CAD-Coder: picture of a part -> editable CadQuery / FreeCAD CAD.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """CAD-Coder command line."""


def _register() -> None:
    from core.cli import (
        convert_cmd,
        datagen_cmd,
        edit_cmd,
        eval_cmd,
        image2cad_cmd,
        iou_cmd,
        keep_example_cmd,
        pretrain_vision_cmd,
        run_cmd,
        score_cmd,
        serve_cmd,
        to_freecad_cmd,
        train_cmd,
    )

    app.command("run")(run_cmd.run)
    app.command("iou")(iou_cmd.iou)
    app.command("score")(score_cmd.score)
    app.command("image2cad")(image2cad_cmd.image2cad)
    app.command("edit")(edit_cmd.edit)
    app.command("serve")(serve_cmd.serve)
    app.command("convert-llava")(convert_cmd.convert_llava)
    app.command("to-freecad")(to_freecad_cmd.to_freecad)
    app.command("datagen")(datagen_cmd.datagen)
    app.command("train")(train_cmd.train)
    app.command("pretrain-vision")(pretrain_vision_cmd.pretrain_vision)
    app.command("eval")(eval_cmd.eval_)
    app.command("eval-merge")(eval_cmd.eval_merge)
    app.command("keep-example")(keep_example_cmd.keep_example)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
