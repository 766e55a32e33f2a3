"""What a first-hour user reads when a program fails (``run``/``edit``), and when the rules do not
understand a request: a sentence in ``message``, the kernel's text in ``detail``, refusals that are true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "core.cli.main"]
PLATE = (
    "import cadquery as cq\n\n"
    "length = 20.0\nwidth = 10.0\nthickness = 0.06\n"
    "solid = cq.Workplane('XY').box(length, width, thickness)\n"
)
BOX = "import cadquery as cq\nsolid = cq.Workplane('XY').box(20, 10, 4)\n"


def cadcoder(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def plate(tmp_path: Path) -> Path:
    path = tmp_path / "plate.py"
    path.write_text(PLATE)
    return path


def test_run_tells_the_thin_plate_fillet_and_keeps_the_kernel_text(tmp_path: Path) -> None:
    script = tmp_path / "filleted.py"
    script.write_text(PLATE + "solid = solid.edges().fillet(1.0)\n")
    done = cadcoder("run", str(script), "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["status"] == "runtime_error"
    assert payload["message"].startswith("line 7: the fillet of 1 mm could not be built")
    assert "only 0.06 mm thick (20 × 10 × 0.06 mm)" in payload["message"]
    assert "below 0.03 mm" in payload["message"]
    assert payload["detail"] == "line 7: StdFail_NotDone: BRep_API: command not done"
    summary = cadcoder("run", str(script))
    assert "only 0.06 mm thick" in summary.stdout and "StdFail_NotDone" in summary.stdout


def test_run_tells_a_sketch_that_was_never_extruded(tmp_path: Path) -> None:
    script = tmp_path / "flat.py"
    script.write_text("import cadquery as cq\nsolid = cq.Workplane('XY').rect(10, 5)\n")
    payload = json.loads(cadcoder("run", str(script), "--json").stdout)
    assert payload["status"] == "no_solid" and payload["detail"] == "`solid` holds no solid: Workplane"
    assert payload["message"].startswith("line 2: `solid` is a 2-D outline, not a solid: extrude it")


def test_edit_fillet_on_a_thin_plate(plate: Path) -> None:
    done = cadcoder("edit", str(plate), "-p", "add 1 mm fillets to all edges", "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert (payload["status"], payload["engine"]) == ("runtime_error", "rules")
    assert "the fillet of 1 mm could not be built: the part is only 0.06 mm thick" in payload["message"]
    assert "StdFail_NotDone" in payload["detail"] and "StdFail" not in payload["message"]


def test_edit_understands_twice_as_long(plate: Path) -> None:
    done = cadcoder("edit", str(plate), "-p", "make it twice as long", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["status"], payload["engine"]) == ("ok", "rules")
    assert payload["volume"] == pytest.approx(2 * 20 * 10 * 0.06, rel=1e-6)
    assert payload["message"] == "multiply the length (X) by 2, by setting length 20 -> 40"
    assert payload["detail"] == ""


def test_auto_with_the_embedded_model_says_what_it_can_do(plate: Path, tmp_path: Path) -> None:
    """The embedded model is configured (a folder with a config; never loaded): the refusal must not
    claim there is no model, and must say why that model is not asked."""
    embedded = tmp_path / "cadcoder-mini"
    embedded.mkdir()
    (embedded / "config.json").write_text("{}")
    done = cadcoder(
        "edit", str(plate), "-p", "make it blue", "--json", env={"CADCODER_EMBEDDED_MODEL": str(embedded)}
    )
    assert done.returncode == 1
    message = json.loads(done.stdout)["message"]
    assert "without a model" not in message
    assert (
        "the embedded model (cadcoder-mini) turns pictures into CAD code but does not follow edit instructions"
        in message
    )
    assert "--endpoint" in message
    none = cadcoder(
        "edit",
        str(plate),
        "-p",
        "make it blue",
        "--json",
        env={"CADCODER_EMBEDDED_MODEL": str(tmp_path / "none")},
    )
    assert "no model is configured to ask instead" in json.loads(none.stdout)["message"]


def test_the_workbench_shows_the_sentence_and_keeps_the_detail() -> None:
    """The feature's Status, the code panel and Edit with prompt all show ``engine.run``'s message."""
    from CADCoderWorkbench import engine
    from CADCoderWorkbench.settings import Settings

    try:
        result = engine.run(PLATE + "solid = solid.edges().fillet(1.0)\n", Settings())
    finally:
        engine.close()
    assert result.status.value == "runtime_error" and result.line == 7
    assert "only 0.06 mm thick" in engine.describe(result)
    assert result.extra["detail"] == "line 7: StdFail_NotDone: BRep_API: command not done"


def test_a_model_edit_that_fails_is_told_the_same_way(stub, plate: Path) -> None:
    state, url = stub
    broken = "import cadquery as cq\nsolid = cq.Workplane().box(length, 20, 2)\n"
    state.reply(broken)
    state.reply(broken)  # the self-repair round gets the same
    done = cadcoder(
        "edit", str(plate), "-p", "make it look nicer", "--engine", "model", "--endpoint", url, "--json"
    )
    payload = json.loads(done.stdout)
    assert (payload["status"], payload["engine"]) == ("runtime_error", "model")
    assert payload["message"].startswith("line 2: `length` is used but never defined (NameError)")
    assert payload["detail"] == "line 2: NameError: name 'length' is not defined"
