"""Edit with prompt's job without FreeCAD: the engine choice, the ``cadcoder edit`` command line it
builds, and a model edit through the real engine process against the scripted endpoint of
tests/conftest.py (the GUI test drives the same through the panel)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from CADCoderWorkbench import engine
from CADCoderWorkbench.edit_job import ENGINES, edit_args, preview_edit
from CADCoderWorkbench.image_job import ImageJobError
from CADCoderWorkbench.settings import Settings
from core.program.edits import EditNotUnderstood

REPO = Path(engine.__file__).resolve().parents[1]
BOX = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
TALL = BOX.replace("30)", "60)")


def test_the_model_is_offered_only_for_remote_backends_and_gets_the_backend_flags() -> None:
    remote = Settings(backend="remote", endpoint="http://h:8/v1", model_name="m", api_key="sk-secret")
    assert engine.follows_instructions(remote)
    assert not engine.follows_instructions(Settings()) and not engine.follows_instructions(
        Settings(backend="local", model_dir="/m")
    )
    args = edit_args("/tmp/f.py", "make it taller", remote, image="/tmp/p.png")
    assert args[:6] == ["edit", "/tmp/f.py", "--prompt", "make it taller", "--engine", "model"]
    assert "--events" in args and args[args.index("--image") + 1] == "/tmp/p.png"
    assert args[-4:] == ["--endpoint", "http://h:8/v1", "--model-name", "m"]
    assert "sk-secret" not in " ".join(engine.cli_command(remote, args))
    assert ENGINES == ("rules", "model", "auto")


def test_rules_only_never_asks_the_model(stub) -> None:
    state, url = stub
    settings = Settings(backend="remote", endpoint=url)
    with pytest.raises(EditNotUnderstood):
        preview_edit(BOX, "turn it into an L shape", settings, "rules")  # no rule knows this
    filleted = preview_edit(BOX, "add 1 mm fillets to all edges", settings, "auto")
    assert filleted.engine == "rules" and filleted.result.ok and filleted.result.volume < 6000
    assert state.requests == []


def test_auto_falls_back_to_the_model_through_the_engine_process(stub) -> None:
    state, url = stub
    state.reply("```python\n" + TALL + "```")
    preview = preview_edit(BOX, "turn it into an L shape", Settings(backend="remote", endpoint=url), "auto")
    assert (preview.engine, preview.code) == ("model", TALL)
    assert preview.result.ok and preview.result.volume == pytest.approx(12000.0) and preview.result.brep
    assert "turn it into an L shape" in json.dumps(state.requests[0]["body"])


def test_a_failing_backend_is_an_error_with_its_reason(stub) -> None:
    state, url = stub
    state.replies.append((400, {}, {"error": {"message": "no such thing", "type": "invalid_request_error"}}))
    with pytest.raises(ImageJobError, match=r"The model made no edit\. backend_error"):
        preview_edit(BOX, "make it taller", Settings(backend="remote", endpoint=url), "model")


@pytest.mark.skipif(shutil.which("python3", path="/usr/bin") is None, reason="no Debian python3")
def test_the_edit_job_imports_only_the_standard_library() -> None:
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); before = set(sys.modules);"
        "import CADCoderWorkbench.edit_job;"
        "new = {m.split('.')[0] for m in set(sys.modules) - before};"
        "print(sorted(new - set(sys.stdlib_module_names) - {'core', 'CADCoderWorkbench'}))"
    )
    out = subprocess.run(
        ["/usr/bin/python3", "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
