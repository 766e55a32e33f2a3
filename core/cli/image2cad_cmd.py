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

from core.cli.options import Effort, EffortLevel, Endpoint, ModelDir, ModelName, Quantization
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
    refine_top: int | None = typer.Option(
        None, "--refine-top", min=1, help="Fit the K best distinct candidates (default: the effort's)."
    ),
    effort: Effort = EffortLevel.default,
    grounded: bool | None = typer.Option(
        None,
        "--grounded/--no-grounded",
        help="Add programs read off the picture itself to the model's candidates (default: the pipeline's).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    events: bool = typer.Option(False, "--events", help="Stream progress as JSON lines on stdout."),
    size: str | None = typer.Option(
        None,
        "--size",
        help="One known dimension in mm: 60 or longest=60 (the longest side), x=60, y=60 or z=60. "
        "Every length scales with it; counts and angles do not.",
    ),
    snap: bool = typer.Option(
        True, "--snap/--no-snap", help="With --size: snap dimensions to preferred values the picture allows."
    ),
    snap_tolerance: float = typer.Option(
        0.005, "--snap-tolerance", min=0.0, help="Largest drop of the match (0..1) a snap may cause."
    ),
    overlay_out: Path | None = typer.Option(
        None, "--overlay", help="Write the result drawn over the picture, with the match (.png)."
    ),
    choices: int = typer.Option(
        4, "--choices", min=0, max=8, help="Best distinct candidates in --json/--events, with thumbnails."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Write the choices' thumbnails here (paths in the JSON, not base64)."
    ),
) -> None:
    """Turn IMAGE into CadQuery code that runs, and optionally a STEP file."""
    from core.pipeline import ImageToCad
    from core.pipeline.config import with_effort

    if not image.is_file():
        typer.echo(f"error: {image}: no such file", err=True)
        raise typer.Exit(2)
    if output is not None and output.suffix.lower() not in (".step", ".stp", ".brep"):
        typer.echo(f"error: {output}: the output must be .step or .brep", err=True)
        raise typer.Exit(2)
    size_spec = _size_or_exit(size)
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
    config = with_effort(
        effort.value,
        n=n,
        temperature=temperature,
        max_new_tokens=max_new_tokens,
        timeout=timeout,
        refine=refine,
        refine_top=refine_top,
        grounded=grounded,
    )
    result = ImageToCad(backend, config=config).run(picture, on_event=emit)
    extras = _after_choice(
        result,
        picture,
        size_spec,
        snap,
        snap_tolerance,
        timeout,
        emit,
        choices if (as_json or events) else 0,
        out_dir,
    )
    written = _write_files(result, code_out, preview, fcstd, image, backend.name) if result.ok else {}
    if result.ok and overlay_out is not None:
        # The overlay is a view of the result, not the result: failing to draw it loses nothing else.
        try:
            written["overlay"] = _write_overlay(result, picture, overlay_out, timeout)
        except OSError as exc:
            typer.echo(f"warning: no overlay written to {overlay_out}: {exc}", err=True)
            extras["overlay_error"] = str(exc)
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
            **extras,
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


def _size_or_exit(text: str | None):
    """The parsed ``--size``, None without one; exit 2 with the grammar for a malformed spec."""
    if text is None:
        return None
    from core.program.real_size import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _executor(timeout: float):
    from core.sandbox import run_code

    return lambda codes, outputs: [run_code(c, timeout=timeout, outputs=outputs) for c in codes]


def _after_choice(result, picture: bytes, size_spec, snap, tolerance, timeout, emit, k, out_dir) -> dict:
    """Real size (``--size``) and the choices for the JSON: the ``size`` and ``choices`` keys."""
    from core.pipeline.image_to_cad import load_image

    extras: dict = {"size": None, "choices": []} if k else {"size": None}
    if not result.ok:
        return extras
    execute = _executor(timeout)
    if size_spec is not None:
        from core.pipeline.sizing import apply_real_size

        _input, rgb = load_image(picture)
        report = apply_real_size(
            result, size_spec, rgb, execute, snap=snap, tolerance=tolerance, on_event=emit
        )
        extras["size"] = report.to_json()
        if report.status != "ok":
            typer.echo(f"# warning: not sized: {report.message}", err=True)
    if k:
        extras["choices"] = _choices_json(result, execute, k, size_spec, out_dir)
    return extras


def _choices_json(result, execute, k, size_spec, out_dir: Path | None) -> list[dict]:
    import base64
    from dataclasses import asdict

    from core.pipeline.choices import top_choices

    out = []
    for choice in top_choices(result, execute, k=k, size=size_spec):
        item = asdict(choice)
        png = item.pop("thumbnail_png")
        if png is not None and out_dir is not None:
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
                path = out_dir / f"choice-{choice.index}.png"
                path.write_bytes(png)
            except OSError as exc:
                typer.echo(f"error: cannot write the thumbnails: {exc}", err=True)
                raise typer.Exit(1) from exc
            item["thumbnail"] = str(path)
        else:
            item["thumbnail_png"] = base64.b64encode(png).decode("ascii") if png else None
        out.append(item)
    return out


def _write_overlay(result, picture: bytes, path: Path, timeout: float) -> str:
    """``--overlay``: the result drawn over the picture from its camera, with the match."""
    from core.pipeline.image_to_cad import load_image
    from core.render.overlay import overlay

    (run,) = _executor(timeout)([result.code], ("mesh",))
    try:
        if not run.ok or not run.mesh:
            raise OSError(f"the result did not run again: {run.message}")
        _input, rgb = load_image(picture)
        overlay(rgb, run.mesh, result.match).save(path)
    except (OSError, ValueError) as exc:
        raise OSError(str(exc)) from exc
    return str(path)
