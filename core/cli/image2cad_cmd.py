"""``cadcoder image2cad IMAGE``: a picture of a part -> executed CadQuery code (and a STEP file).

``--json`` prints one object with at least ``status``, ``code`` and ``volume`` (a contract other tools
read), and ``match`` / ``low_match`` / ``match_note`` (how well the part matches the picture);
``--events`` prints progress as JSON lines while it works (the workbench reads these), among them
an ``image`` event that says when an oversized picture was shrunk.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from core.cli.options import Endpoint, ModelDir, ModelName, Quantization
from core.models.base import BackendError
from core.paths import EMBEDDED_MODEL_DIR

NO_MODEL = (
    "no model configured: pass --model DIR (a LLaVA checkpoint in Hugging Face format, or a "
    "Hugging Face id such as CADCODER/CAD-Coder) or "
    "--endpoint URL (any OpenAI-compatible server, e.g. `cadcoder serve` or vLLM); "
    f"the embedded default model is not installed at {EMBEDDED_MODEL_DIR}"
)


def make_backend(model: Path | None, endpoint: str | None, model_name: str | None, quantization: str | None):
    """The backend the flags name, else the embedded default; None when there is none."""
    if endpoint:
        from core.models.remote import RemoteBackend

        return RemoteBackend(base_url=endpoint, model=model_name)
    directory = model or (EMBEDDED_MODEL_DIR if (EMBEDDED_MODEL_DIR / "config.json").is_file() else None)
    if directory is None:
        return None
    from core.models.local import LocalLlavaBackend

    return LocalLlavaBackend(directory, quantization=quantization)


def backend_or_exit(
    model: Path | None, endpoint: str | None, model_name: str | None, quantization: str | None
):
    """``make_backend`` for a command: a clear message and exit status 2 when there is none."""
    try:
        backend = make_backend(model, endpoint, model_name, quantization)
    except BackendError as exc:  # a malformed URL or an unknown quantization
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if backend is None:
        typer.echo(f"error: {NO_MODEL}", err=True)
        raise typer.Exit(2)
    return backend


def image2cad(
    image: Path = typer.Argument(
        ..., help="A photo, render or FreeCAD snapshot of the part (PNG, JPEG, ...)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the solid as STEP (.step) or BREP (.brep)."
    ),
    model: ModelDir = None,
    endpoint: Endpoint = None,
    model_name: ModelName = None,
    quantization: Quantization = None,
    n: int = typer.Option(1, "--n", min=1, help="Candidates; the best-rendering one that runs wins."),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, help="0 = greedy first candidate."),
    max_new_tokens: int = typer.Option(3450, "--max-new-tokens", min=1),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Sandbox seconds per candidate."),
    code_out: Path | None = typer.Option(None, "--code", help="Write the program (.py)."),
    preview: Path | None = typer.Option(None, "--preview", help="Write a picture of the result (.png)."),
    fcstd: Path | None = typer.Option(
        None, "--fcstd", help="Write a FreeCAD document with an editable CadQuery feature (.FCStd)."
    ),
    refine: bool = typer.Option(
        True, "--refine/--no-refine", help="Fit the program's named dimensions to the picture."
    ),
    refine_top: int = typer.Option(1, "--refine-top", min=1, help="Fit the K best distinct candidates."),
    grounded: bool | None = typer.Option(
        None,
        "--grounded/--no-grounded",
        help="Add programs read off the picture itself to the model's candidates (default: the pipeline's).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    events: bool = typer.Option(False, "--events", help="Stream progress as JSON lines on stdout."),
) -> None:
    """Turn IMAGE into CadQuery code that runs, and optionally a STEP file."""
    from core.pipeline import ImageToCad, PipelineConfig

    if not image.is_file():
        typer.echo(f"error: {image}: no such file", err=True)
        raise typer.Exit(2)
    if output is not None and output.suffix.lower() not in (".step", ".stp", ".brep"):
        typer.echo(f"error: {output}: the output must be .step or .brep", err=True)
        raise typer.Exit(2)
    backend = backend_or_exit(model, endpoint, model_name, quantization)

    def emit(event: dict) -> None:
        if events:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()

    try:
        picture = image.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {image}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    config = PipelineConfig(
        n=n,
        temperature=temperature,
        max_new_tokens=max_new_tokens,
        timeout=timeout,
        refine=refine,
        refine_top=refine_top,
        **({} if grounded is None else {"grounded": grounded}),
    )
    result = ImageToCad(backend, config=config).run(picture, on_event=emit)
    written = _write_files(result, code_out, preview, fcstd, image, backend.name) if result.ok else {}
    if result.ok and output is not None:
        data = result.step if output.suffix.lower() in (".step", ".stp") else result.brep
        try:
            if not data:
                raise OSError(f"the sandbox returned no {output.suffix} data")
            output.write_bytes(data)
        except OSError as exc:
            typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
            raise typer.Exit(1) from exc
    if as_json or events:
        payload = result.to_json() | {
            "output": str(output) if output and result.ok else None,
            "files": written,
        }
        sys.stdout.write(json.dumps({"event": "result", **payload} if events else payload) + "\n")
    elif result.ok:
        typer.echo(result.code)
        typer.echo(
            f"# ok: volume {result.volume:.6g}" + (f", written to {output}" if output else ""), err=True
        )
        for kind, path in written.items():
            typer.echo(f"# {kind}: {path}", err=True)
        if result.low_match:
            typer.echo(f"# warning: {result.match_note}; check the part before using it", err=True)
    else:
        typer.echo(f"{result.status}: {result.message}", err=True)
        if result.code:
            typer.echo(result.code)
    raise typer.Exit(0 if result.ok else 1)


def _write_files(result, code_out, preview, fcstd, image: Path, backend: str) -> dict[str, str]:
    """The optional result files; a failure to write one is an error (exit 1), never silent."""
    from core.cli import result_files
    from core.cli.to_freecad_cmd import FreeCADError

    written: dict[str, str] = {}
    try:
        if code_out is not None:
            result_files.write_code(result, code_out)
            written["code"] = str(code_out)
        if preview is not None:
            result_files.write_preview(result, preview)
            written["preview"] = str(preview)
        if fcstd is not None:
            built = result_files.write_fcstd(result, fcstd, image=image, backend=backend)
            if built.get("status") != "ok":
                raise OSError(built.get("message") or "FreeCAD did not write the document")
            written["fcstd"] = str(fcstd)
    except (OSError, FreeCADError) as exc:
        typer.echo(f"error: cannot write the result files: {exc}", err=True)
        raise typer.Exit(1) from exc
    return written
