"""``cadcoder to-freecad SCRIPT.py -o OUT.FCStd``: a CadQuery script as a FreeCAD document with an
editable CadQuery feature (batch conversion; how other tools hand results to FreeCAD users)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import typer

from core.version import REPO_ROOT

DRIVER = REPO_ROOT / "CADCoderWorkbench" / "to_freecad_driver.py"


def to_freecad(
    script: Path = typer.Argument(
        ..., help="CadQuery script; its solid is `solid`, `result` or show_object()."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="FreeCAD document to write (.FCStd)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds for FreeCAD to build and save."),
) -> None:
    """Write OUTPUT.FCStd with one CadQuery feature whose parameters are editable properties."""
    if not script.is_file():
        typer.echo(f"error: {script}: no such file", err=True)
        raise typer.Exit(2)
    if output.suffix.lower() != ".fcstd":
        typer.echo(f"error: {output}: the output must be a .FCStd file", err=True)
        raise typer.Exit(2)
    freecadcmd = shutil.which("freecadcmd")
    if freecadcmd is None:
        typer.echo(
            "error: freecadcmd not found; run `bash scripts/setup.sh` (it installs Debian's freecad)",
            err=True,
        )
        raise typer.Exit(2)
    env = {
        **os.environ,
        "CADCODER_REPO": str(REPO_ROOT),
        "CADCODER_CODE_FILE": str(script.resolve()),
        "CADCODER_OUT": str(output.resolve()),
    }
    try:
        done = subprocess.run(
            [freecadcmd, str(DRIVER)], capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        typer.echo(f"error: FreeCAD did not finish within {timeout:g} s", err=True)
        raise typer.Exit(1) from None
    lines = [line for line in done.stdout.splitlines() if "CADCODER_RESULT " in line]
    if not lines:
        typer.echo(f"error: FreeCAD failed:\n{(done.stderr or done.stdout)[-1500:]}", err=True)
        raise typer.Exit(1)
    answer = json.loads(lines[-1].split("CADCODER_RESULT ", 1)[1])
    answer["output"] = str(output) if answer["status"] == "ok" else None
    if as_json:
        typer.echo(json.dumps(answer))
    elif answer["status"] == "ok":
        typer.echo(
            f"wrote {output}: feature {answer['feature']}, volume {answer['freecad_volume']:.6g}, "
            f"parameters: {', '.join(answer['parameters']) or 'none'}"
        )
    else:
        typer.echo(f"error: {answer['message']}", err=True)
    raise typer.Exit(0 if answer["status"] == "ok" else 1)
