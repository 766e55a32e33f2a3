"""``cadcoder run SCRIPT``: run a CadQuery script in the sandbox, report its solid, optionally save it.

Other tools call this command and read its ``--json`` object (``status``, ``message``, ``volume``,
... from ``ExecutionResult.to_json()``), so its names and keys are a contract. On failure ``message``
says what the user can do (``core.program.failure_text``) and ``detail`` keeps the sandbox's own
text (OCCT's). Exit status is 0 only when the script produced a usable solid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from core.cli.inputs import read_script
from core.sandbox.result import ExecutionResult

OUTPUT_SUFFIXES = {".step": "step", ".stp": "step", ".brep": "brep", ".brp": "brep", ".stl": "stl"}


def run(
    script: Path = typer.Argument(
        ..., help="CadQuery script; its solid is `solid`, `result` or show_object()."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Save the solid as .step, .brep or .stl."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a summary."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Wall-clock limit in seconds."),
    preview: Path | None = typer.Option(None, "--preview", help="Render the solid to this PNG file."),
) -> None:
    """Run a CadQuery script in the sandbox and describe the solid it makes."""
    from core.sandbox import run_code

    code = read_script(script)
    fmt = _output_format(output)
    if preview is not None and preview.suffix.lower() != ".png":
        raise typer.BadParameter(
            f"{preview}: the preview is a PNG image (use a .png name)", param_hint="--preview"
        )
    outputs = [f for f in (fmt, "mesh" if preview is not None else None) if f]
    result = run_code(code, timeout=timeout, outputs=outputs)
    detail = result.message  # the sandbox's own words; ``message`` becomes the user's sentence
    if not result.ok:
        from core.cli.failure_message import explain_run

        result.message = explain_run(result, code, timeout) or result.message
    written: dict[str, str] = {}
    problems: list[str] = []
    if result.ok and output is not None and fmt is not None:
        data = getattr(result, fmt)
        if data is None:
            problems.append(
                f"no {fmt.upper()} output: {result.extra.get('output_errors', {}).get(fmt, 'unknown error')}"
            )
        else:
            output.write_bytes(data)
            written["output"] = str(output)
    if result.ok and preview is not None:
        problem = _write_preview(result.mesh, preview, result.extra.get("output_errors", {}).get("mesh"))
        if problem:
            problems.append(problem)
        else:
            written["preview"] = str(preview)
    if as_json:
        payload = result.to_json()
        payload["detail"] = detail if not result.ok else ""
        payload.update(written)
        if problems:
            payload["errors"] = problems
        typer.echo(json.dumps(payload))
    else:
        _print_summary(script, result, written, problems, detail)
    if not result.ok or problems:
        raise typer.Exit(1)


def _output_format(output: Path | None) -> str | None:
    if output is None:
        return None
    fmt = OUTPUT_SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(OUTPUT_SUFFIXES))
        raise typer.BadParameter(
            f"{output}: unknown output type {output.suffix!r} (use {known})", param_hint="--output"
        )
    if not output.parent.is_dir():
        raise typer.BadParameter(f"{output}: folder {output.parent} does not exist", param_hint="--output")
    return fmt


def _write_preview(mesh: dict[str, Any] | None, path: Path, mesh_error: str | None) -> str | None:
    """Render with the numpy rasteriser; returns a problem description, or None when written."""
    if mesh is None:
        return f"no preview: the sandbox produced no mesh ({mesh_error or 'unknown error'})"
    try:
        from core.render import render_mesh
    except ImportError as exc:
        return f"no preview: the renderer is not available ({exc})"
    render_mesh(mesh).save(path)
    return None


def _print_summary(
    script: Path, result: ExecutionResult, written: dict[str, str], problems: list[str], detail: str = ""
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    colour = "green" if result.ok else "red"
    console.print(f"[bold {colour}]{result.status.value}[/]  {script}  ({result.elapsed:.2f} s)")
    if result.message:
        console.print(result.message, style=None if result.ok else "red", markup=False, highlight=False)
    if detail and detail != result.message:
        console.print(f"({detail})", style="dim", markup=False, highlight=False)
    if result.volume is not None:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_row("volume", f"{result.volume:.6g}")
        if result.bbox is not None:
            x0, y0, z0, x1, y1, z1 = result.bbox
            table.add_row("size", f"{x1 - x0:.6g} x {y1 - y0:.6g} x {z1 - z0:.6g}")
        table.add_row("solids / faces / edges", f"{result.n_solids} / {result.n_faces} / {result.n_edges}")
        console.print(table)
    for label, path in written.items():
        console.print(f"{label}: {path}", markup=False, highlight=False)
    for problem in problems:
        console.print(problem, style="red", markup=False, highlight=False)
    if result.stdout:
        console.print("script output:", style="dim")
        console.print(result.stdout.rstrip(), style="dim", markup=False, highlight=False)
