"""``cadcoder to-freecad SCRIPT -o OUT.FCStd [--native]``: a CadQuery script as a FreeCAD document.

The script runs in the sandbox first (its solid is the reference, and a failing script never
reaches FreeCAD); then ``freecadcmd`` -- FreeCAD's own Python, without CadQuery -- builds and saves
the document through ``CADCoderWorkbench.native.job``: with ``--native`` a PartDesign Body of
sketches and Pad/Pocket features (falling back, with the reason, to a CadQuery feature when the
translation refuses or its volume differs from the sandbox's by more than 1e-6 relative); without,
a CadQuery feature. ``--json`` prints one object: ``status``, ``native``, ``volume`` (sandbox),
``native_volume``, ``message``, ``output``, and ``feature`` (the object holding the solid),
``freecad_volume``, ``parameters`` (the feature's parameter properties, or the native sketches'
dimension names). Exit status 0 only when the document was written; 2 for bad arguments.

``run_freecad_job`` is the one way this project drives ``freecadcmd`` with a batch of documents
(the tests use it too): one FreeCAD start for many scripts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import typer

from core.cli.inputs import read_script
from core.version import REPO_ROOT

# Relative volume difference above which a native solid is not kept.
VOLUME_TOLERANCE = 1e-6
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, {repo!r}); from CADCoderWorkbench.native.job import main; main({job!r})"
)


class FreeCADError(RuntimeError):
    """freecadcmd is missing, failed, or gave no answer."""


def to_freecad(
    script: Path = typer.Argument(
        ..., help="CadQuery script; its solid is `solid`, `result` or show_object()."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="The FreeCAD document to write (.FCStd)."),
    native: bool = typer.Option(
        False, "--native", help="Rebuild as a PartDesign Body (sketches, Pad/Pocket) where possible."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a summary."),
    timeout: float = typer.Option(
        120.0, "--timeout", min=1.0, help="Limit in seconds, for the script and for FreeCAD each."
    ),
) -> None:
    """Turn a CadQuery script into a FreeCAD document (natively editable with --native)."""
    from core.sandbox import run_code

    code = read_script(script)
    if output.suffix.lower() != ".fcstd":
        raise typer.BadParameter(f"{output}: a FreeCAD document ends in .FCStd", param_hint="--output")
    if not output.parent.is_dir():
        raise typer.BadParameter(f"{output}: folder {output.parent} does not exist", param_hint="--output")
    summary: dict[str, Any] = {"status": "ok", "native": False, "volume": None, "native_volume": None}
    try:
        freecad_command()
    except FreeCADError as exc:
        summary.update(status="error", message=str(exc))
        _fail(summary, as_json, exit_code=2)
    result = run_code(code, timeout=timeout, outputs=("brep",))
    summary["volume"] = result.volume
    if not result.ok or result.brep is None:
        summary.update(status=result.status.value, message=f"{result.status.value}: {result.message}")
        _fail(summary, as_json)
    with tempfile.TemporaryDirectory(prefix="cadcoder-to-freecad-") as tmp:
        brep = Path(tmp) / "solid.brep"
        brep.write_bytes(result.brep)
        item = {
            "code": code,
            "native": native,
            "output": str(output.resolve()),
            "brep": str(brep),
            "volume": result.volume,
            "tolerance": VOLUME_TOLERANCE,
            "name": "CadQueryPart",
        }
        try:
            (built,) = run_freecad_job([item], timeout=timeout)
        except FreeCADError as exc:
            summary.update(status="error", message=str(exc))
            _fail(summary, as_json)
    summary.update(
        {key: built.get(key) for key in ("status", "native", "native_volume", "message", "output")}
    )
    summary.update({key: built[key] for key in ("feature", "freecad_volume", "parameters") if key in built})
    _finish(summary, as_json)


def run_freecad_job(items: list[dict], timeout: float = 600.0) -> list[dict]:
    """Build one FreeCAD document per item (keys in ``CADCoderWorkbench/native/job.py``) in a single
    ``freecadcmd`` process; one result dict per item, in order."""
    freecadcmd = freecad_command()
    with tempfile.TemporaryDirectory(prefix="cadcoder-freecad-job-") as tmp:
        job, answer = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job.write_text(json.dumps({"items": items, "result": str(answer)}), encoding="utf-8")
        command = [freecadcmd, "-c", _BOOTSTRAP.format(repo=str(REPO_ROOT), job=str(job))]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired as exc:
            raise FreeCADError(f"freecadcmd did not finish within {timeout:g} s") from exc
        if not answer.is_file():
            tail = (done.stdout[-1500:] + done.stderr[-1500:]).strip()
            raise FreeCADError(f"freecadcmd exited with status {done.returncode} and no result:\n{tail}")
        results = json.loads(answer.read_text(encoding="utf-8"))["items"]
    if len(results) != len(items):
        raise FreeCADError(f"freecadcmd answered {len(results)} of {len(items)} items")
    return results


def freecad_command() -> str:
    """The path of ``freecadcmd`` (FreeCAD's command-line Python)."""
    found = shutil.which("freecadcmd")
    if found is None:
        raise FreeCADError("freecadcmd not found: run scripts/setup.sh (it installs Debian's freecad)")
    return found


def _finish(summary: dict[str, Any], as_json: bool) -> None:
    if summary["status"] != "ok":
        _fail(summary, as_json)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    kind = "native PartDesign Body" if summary["native"] else "CadQuery feature"
    typer.echo(f"wrote {summary['output']} ({kind}), volume {summary['freecad_volume']:.9g}")
    if summary.get("message"):
        typer.echo(summary["message"])
    if summary.get("parameters"):
        typer.echo(f"parameters: {', '.join(summary['parameters'])}")


def _fail(summary: dict[str, Any], as_json: bool, exit_code: int = 1) -> NoReturn:
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(f"error: {summary['message']}", err=True)
    raise typer.Exit(exit_code)
