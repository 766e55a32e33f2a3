"""``cadcoder edit``: rule-based and model follow-up edits, each verified in the sandbox, against
the scripted OpenAI-compatible endpoint of tests/conftest.py for the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "core.cli.main", "edit"]
BOX = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
TALL = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 60)\n"
BROKEN = "import cadquery as cq\nsolid = cq.Workplane().box(length, 20, height)\n"
KEYS = {"status", "engine", "code", "diff", "volume", "parameters", "message", "detail"}


def edit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=180)


@pytest.fixture
def box(tmp_path: Path) -> Path:
    path = tmp_path / "box.py"
    path.write_text(BOX)
    return path


def test_rules_edit_fillets_every_edge_and_writes_only_the_output(box: Path, tmp_path: Path) -> None:
    out = tmp_path / "filleted.py"
    done = edit(
        str(box), "--prompt", "add 1 mm fillets to all edges", "--engine", "rules", "-o", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) >= KEYS
    assert (payload["status"], payload["engine"]) == ("ok", "rules")
    assert payload["volume"] < 6000.0 - 1  # the box is 10 x 20 x 30; fillets take material off
    assert "fillet_radius" in [p["name"] for p in payload["parameters"]]
    assert "+solid = solid.edges().fillet(fillet_radius)" in payload["diff"]
    assert out.read_text() == payload["code"] and box.read_text() == BOX


def test_model_edit_is_verified_and_the_request_carries_the_code(stub, box: Path) -> None:
    state, url = stub
    state.reply("Here you are:\n```python\n" + TALL + "```")
    done = edit(
        str(box), "--prompt", "make it twice as tall", "--engine", "model", "--endpoint", url, "--json"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["status"], payload["engine"], payload["code"]) == ("ok", "model", TALL)
    assert payload["volume"] == pytest.approx(12000.0)
    assert "-solid = cq.Workplane().box(length, 20, 30)" in payload["diff"]
    sent = state.requests[0]["body"]["messages"][0]["content"]
    assert BOX.strip() in str(sent) and "make it twice as tall" in str(sent)


def test_auto_asks_the_model_only_when_the_rules_do_not_understand(stub, box: Path) -> None:
    state, url = stub
    state.reply(TALL)
    understood = edit(str(box), "--prompt", "scale by 2", "--endpoint", url, "--json")
    assert json.loads(understood.stdout)["engine"] == "rules" and state.requests == []
    done = edit(str(box), "--prompt", "turn it into an L shape", "--endpoint", url, "--events")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0] == {"event": "stage", "stage": "rules"}
    assert {"event": "stage", "stage": "generate", "backend": f"remote:{url}"} in lines
    assert lines[-1]["event"] == "result" and lines[-1]["engine"] == "model" and lines[-1]["status"] == "ok"


def test_broken_model_code_fails_and_leaves_the_script_alone(stub, box: Path, tmp_path: Path) -> None:
    state, url = stub
    state.reply(BROKEN)
    state.reply(BROKEN)  # the self-repair round gets the same
    out = tmp_path / "out.py"
    done = edit(str(box), "-p", "make it taller", "--engine", "model", "--endpoint", url, "-o", str(out))
    assert done.returncode == 1
    assert "runtime_error (model)" in done.stderr and "NameError" in done.stderr
    assert box.read_text() == BOX and not out.exists()


def test_an_unknown_request_without_a_model_is_a_clear_error(box: Path) -> None:
    done = edit(str(box), "--prompt", "make it blue", "--engine", "rules", "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert (payload["status"], payload["code"], payload["diff"]) == ("not_understood", "", "")
    assert "cannot turn 'make it blue' into an edit" in payload["message"]
    assert "add 1 mm fillets to all edges" in payload["message"]
    plain = edit(str(box), "--prompt", "make it blue")  # auto without a chat model: the same, and how
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert "not_understood (rules)" in plain.stderr and "--endpoint" in plain.stderr
    assert box.read_text() == BOX


def test_unusable_arguments_exit_2(box: Path, tmp_path: Path) -> None:
    missing = edit(str(tmp_path / "nope.py"), "--prompt", "scale by 2")
    assert missing.returncode == 2 and "Invalid value for SCRIPT" in missing.stderr  # the path wraps
    bad_url = edit(str(box), "--prompt", "x", "--engine", "model", "--endpoint", "ftp://host")
    assert bad_url.returncode == 2 and "Traceback" not in bad_url.stderr
