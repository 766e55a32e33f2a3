"""``cadcoder edit SCRIPT.py --prompt "add 1 mm fillets to all edges"``: a follow-up edit, verified.

Two engines change the code: the deterministic rules of ``core.program.edits`` (every backend, no
model, the common requests) and a chat-capable model through ``ImageToCad.edit`` (anything the user
can say). ``auto`` tries the rules first and asks the model only when they do not understand the
request, because the rules are instant and exact where they apply. Either way the new code is run
in the sandbox and only code that makes a valid solid counts as a success; the input script is never
written to (``-o`` names where the result goes).

``--json`` prints ``status``, ``engine``, ``code``, ``diff``, ``volume``, ``parameters``,
``message`` and ``detail`` (the workbench and scripts read these): on failure ``message`` says what
the user can do ("the fillet of 1 mm could not be built: the part is only 0.06 mm thick ...",
``core.program.failure_text``) and ``detail`` keeps the sandbox's own text (OCCT's) for developers;
``--events`` streams progress as JSON lines and
ends with ``{"event": "result", ...}`` holding the same keys. Exit status as ``image2cad``: 0 when
the edited code runs, 1 when the edit failed (not understood, the model's code does not run, the
backend failed), 2 for unusable arguments (a missing file, no model configured).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from core.cli.inputs import read_script
from core.cli.options import ModelDir, ModelName, Quantization

Emit = Callable[[dict[str, Any]], None]


class Engine(str, Enum):
    auto = "auto"
    rules = "rules"
    model = "model"


@dataclass
class EditOutcome:
    """What ``--json`` prints (``diff`` is added from the original code)."""

    status: str  # a sandbox status ("ok", "runtime_error", ...), "not_understood" or "backend_error"
    engine: str  # the engine that produced ``code``: "rules" or "model"
    code: str = ""
    volume: float | None = None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""  # for the user
    detail: str = ""  # the sandbox's or backend's own words, when the run failed

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def edit_with_rules(code: str, prompt: str, timeout: float, emit: Emit) -> EditOutcome:
    """The rule-based edit and its sandbox run; ``not_understood`` when no rule matches."""
    from core.program import find_parameters
    from core.program.edits import EditNotUnderstood, apply_edit
    from core.sandbox import run_code

    emit({"event": "stage", "stage": "rules"})
    try:
        new_code, edit = apply_edit(code, prompt)
    except EditNotUnderstood as exc:
        return EditOutcome("not_understood", "rules", message=str(exc))
    emit({"event": "stage", "stage": "execute"})
    run = run_code(new_code, timeout=timeout, outputs=())
    emit({"event": "candidate", "index": 0, "status": run.status.value, "message": run.message})
    if run.ok:
        parameters = [asdict(p) for p in find_parameters(new_code)]
        return EditOutcome(run.status.value, "rules", new_code, run.volume, parameters, edit.describe())
    from core.cli.failure_message import explain_run

    # the sentence names the operation and its size itself; the raw text needs the edit's name
    message = explain_run(run, new_code, timeout) or f"{edit.describe()}: {run.message}"
    return EditOutcome(run.status.value, "rules", new_code, run.volume, [], message, run.message)


def edit_with_model(backend, code: str, prompt: str, image: bytes | None, config, emit: Emit) -> EditOutcome:
    """``ImageToCad.edit`` (generation, sandbox, self-repair for chat backends)."""
    from core.pipeline import ImageToCad

    result = ImageToCad(backend, config=config).edit(code, prompt, image=image, on_event=emit)
    message = result.message if not result.ok else f"edited by {backend.name}"
    detail = "" if result.ok else result.message
    if not result.ok and result.code:  # the model's code ran and failed: say it as for the rules
        from core.cli.failure_message import explain_reported

        message = explain_reported(result.status, result.message, result.code, config.timeout) or message
    return EditOutcome(result.status, "model", result.code, result.volume, result.parameters, message, detail)


def unified_diff(before: str, after: str, name: str) -> str:
    if not after:
        return ""
    return "".join(
        difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{name}", f"b/{name}")
    )


def edit(
    script: Path = typer.Argument(..., help="The CadQuery script to change; only -o is written."),
    prompt: str = typer.Option(
        ..., "--prompt", "-p", help='What to change, e.g. "add 1 mm fillets to all edges".'
    ),
    engine: Engine = typer.Option(
        Engine.auto,
        "--engine",
        help="rules: no model; model: a chat model; auto: rules, else the model.",
        case_sensitive=False,
    ),
    image: Path | None = typer.Option(
        None, "--image", help="The part's picture, sent to the model with the request."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the edited program here (.py) instead of printing it."
    ),
    model: ModelDir = None,
    endpoint: str | None = typer.Option(
        None, "--endpoint", help="OpenAI-compatible base URL of a chat model, e.g. http://host:8000/v1."
    ),
    model_name: ModelName = None,
    quantization: Quantization = None,
    max_new_tokens: int = typer.Option(3450, "--max-new-tokens", min=1),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Sandbox seconds per program."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    events: bool = typer.Option(False, "--events", help="Stream progress as JSON lines on stdout."),
) -> None:
    """Change SCRIPT as PROMPT says and check that the new code still makes a solid."""
    code = read_script(script)
    if output is not None and output.suffix.lower() != ".py":
        typer.echo(f"error: {output}: the output is a Python program (use a .py name)", err=True)
        raise typer.Exit(2)
    picture = _read_image(image)

    def emit(event: dict[str, Any]) -> None:
        if events:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()

    outcome = None
    if engine is not Engine.model:
        outcome = edit_with_rules(code, prompt, timeout, emit)
    if outcome is None or (engine is Engine.auto and outcome.status == "not_understood"):
        if engine is Engine.model or model is not None or endpoint is not None:
            backend = _backend(model, endpoint, model_name, quantization)
        else:  # auto with no flags: the embedded model, when it is installed
            backend = _default_backend()
        if engine is Engine.model or (backend is not None and backend.supports_chat):
            from core.pipeline import PipelineConfig

            # Edits keep the program's dimensions: no fitting them to the picture.
            config = PipelineConfig(max_new_tokens=max_new_tokens, timeout=timeout, refine=False)
            outcome = edit_with_model(backend, code, prompt, picture, config, emit)
        else:
            outcome.message += "; " + no_chat_model(backend, embedded=model is None and endpoint is None)
    _finish(outcome, code, script, output, as_json, events)


def _finish(
    outcome: EditOutcome, code: str, script: Path, output: Path | None, as_json: bool, events: bool
) -> None:
    written = None
    if outcome.ok and output is not None:
        try:
            output.write_text(outcome.code if outcome.code.endswith("\n") else outcome.code + "\n", "utf-8")
        except OSError as exc:
            typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
            raise typer.Exit(1) from exc
        written = str(output)
    if as_json or events:
        payload = asdict(outcome) | {"diff": unified_diff(code, outcome.code, script.name), "output": written}
        sys.stdout.write(json.dumps({"event": "result", **payload} if events else payload) + "\n")
    elif outcome.ok:
        if written is None:
            typer.echo(outcome.code.rstrip("\n"))
        where = f", written to {written}" if written else ""
        typer.echo(
            f"# ok ({outcome.engine}): {outcome.message}; volume {outcome.volume:.6g}{where}", err=True
        )
    else:
        typer.echo(f"{outcome.status} ({outcome.engine}): {outcome.message}", err=True)
    raise typer.Exit(0 if outcome.ok else 1)


def _read_image(image: Path | None) -> bytes | None:
    if image is None:
        return None
    try:
        return image.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {image}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc


def no_chat_model(backend, embedded: bool) -> str:
    """Why no model took over from the rules, truthfully: none is configured, or the configured
    one (the embedded cadcoder-mini, a CAD-Coder checkpoint) turns pictures into code but follows
    no edit instructions."""
    ask = "for other requests pass --endpoint URL of a chat model (any OpenAI-compatible server)"
    if backend is None:
        return f"no model is configured to ask instead; {ask}"
    if embedded:
        return (
            f"the embedded model ({backend.name.removeprefix('local:')}) turns pictures into CAD code "
            f"but does not follow edit instructions; {ask}"
        )
    return f"{backend.name} does not follow free-form edit instructions; {ask}"


def _default_backend():
    """The embedded model's backend, or None (``auto`` without flags never exits for its lack)."""
    from core.cli.image2cad_cmd import make_backend
    from core.models.base import BackendError

    try:
        return make_backend(None, None, None, None)
    except BackendError:
        return None


def _backend(model: Path | None, endpoint: str | None, model_name: str | None, quantization: str | None):
    """The backend the flags name, exactly as ``image2cad`` builds it (exit 2 when there is none)."""
    from core.cli.image2cad_cmd import backend_or_exit

    return backend_or_exit(model, endpoint, model_name, quantization)
