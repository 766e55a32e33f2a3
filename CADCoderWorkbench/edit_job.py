"""Edit with prompt's work, off the GUI thread: a rule-based edit here, a model's edit in the engine.

The rules (``core.program.edits``) are plain text work, so they run in FreeCAD's process. A model
edit needs the model client, the pipeline and its self-repair turn, so it runs in the engine's
interpreter as ``cadcoder edit SCRIPT --engine model --events`` (the same process seam as Image to
CAD, ``image_job.run_engine_command``: Cancel and the generation timeout kill it). Either way the
new code is then run in the workbench's sandbox pool, so the GUI thread only has to put the BREP
into the document, and a result that does not run is shown but never applied. Standard library only.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from CADCoderWorkbench import engine
from CADCoderWorkbench.image_job import ImageJobError, run_engine_command
from CADCoderWorkbench.job_context import JobContext
from CADCoderWorkbench.settings import Settings
from core.program.edits import EditNotUnderstood, apply_edit
from core.sandbox import ExecutionResult

ENGINES = ("rules", "model", "auto")  # the panel's choice, in its order


@dataclass(frozen=True)
class EditPreview:
    instruction: str
    description: str
    code: str
    result: ExecutionResult  # the new code run here, BREP included
    engine: str = "rules"  # which engine wrote ``code``


def edit_args(script: str, instruction: str, settings: Settings, image: str | None = None) -> list[str]:
    """``cadcoder edit`` for a model edit of ``script`` (the API key travels in the environment)."""
    args = ["edit", script, "--prompt", instruction, "--engine", "model", "--events"]
    args += ["--timeout", f"{settings.sandbox_timeout:g}"]
    if image:
        args += ["--image", image]
    return args + engine.backend_args(settings)


def rules_edit(
    code: str, instruction: str, settings: Settings, at: tuple[float, float, float] | None = None
) -> EditPreview:
    """The edited code and its run; EditNotUnderstood (a ValueError) when no rule matches. ``at``:
    the centre of the face selected in the 3D view (where a hole goes)."""
    new_code, edit = apply_edit(code, instruction, at=at, measure=lambda c: _measure(c, settings))
    return EditPreview(instruction, edit.describe(), new_code, engine.run(new_code, settings), "rules")


def _measure(code: str, settings: Settings) -> tuple[float, ...] | None:
    """The bounding box of ``code`` run in the workbench's own warm pool (no second sandbox in
    FreeCAD's process tree just to prove a size edit)."""
    result = engine.sandbox_pool(settings).run(code, timeout=settings.sandbox_timeout, outputs=())
    return result.bbox if result.ok else None


def model_edit(
    code: str, instruction: str, settings: Settings, context: JobContext, image: str | None = None
) -> EditPreview:
    """The model's edit (through the engine's CLI) and its run here; ImageJobError when the model
    gave no code at all (the backend failed), JobCancelled on Cancel."""
    with tempfile.TemporaryDirectory(prefix="cadcoder-edit-") as folder:
        script = Path(folder) / "feature.py"
        script.write_text(code, encoding="utf-8")
        result, _events = run_engine_command(
            edit_args(str(script), instruction, settings, image), settings, context
        )
    new_code = result.get("code") or ""
    if not new_code:
        raise ImageJobError(f"The model made no edit. {result.get('status')}: {result.get('message')}")
    context.progress("Building the edited part...")
    return EditPreview(
        instruction,
        f"Model edit ({settings.model_name or settings.endpoint or settings.backend})",
        new_code,
        engine.run(new_code, settings),
        "model",
    )


def preview_edit(
    code: str,
    instruction: str,
    settings: Settings,
    choice: str = "rules",
    context: JobContext | None = None,
    image: str | None = None,
    at: tuple[float, float, float] | None = None,
) -> EditPreview:
    """The edit by ``choice`` (one of ENGINES): ``auto`` asks the model only when the rules do not
    understand the request and the backend follows instructions; ``at``: a selected face's centre."""
    context = context or JobContext()
    if choice == "model":
        return model_edit(code, instruction, settings, context, image)
    try:
        return rules_edit(code, instruction, settings, at)
    except EditNotUnderstood:
        if choice != "auto" or not engine.follows_instructions(settings):
            raise
    context.progress("The rules do not know this request; asking the model...")
    return model_edit(code, instruction, settings, context, image)
