"""``python -m training {datagen,train,eval,eval-merge}``: the same commands as ``cadcoder``, for machines
(and ``accelerate launch -m training ...``) where only the package, not the entry point, is set up."""

from __future__ import annotations

import typer

from core.cli.datagen_cmd import datagen
from core.cli.eval_cmd import eval_, eval_merge
from core.cli.pretrain_vision_cmd import pretrain_vision
from core.cli.train_cmd import train

app = typer.Typer(name="training", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.command("datagen")(datagen)
app.command("train")(train)
app.command("pretrain-vision")(pretrain_vision)
app.command("eval")(eval_)
app.command("eval-merge")(eval_merge)

if __name__ == "__main__":
    app()
