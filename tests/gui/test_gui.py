"""The workbench in the real FreeCAD 0.20 GUI under a virtual screen (xvfb-run), with screenshots."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import core

REPO = Path(core.__file__).resolve().parent.parent
CHECKS = [
    "workbench_activates",
    "code_panel_builds_a_feature",
    "snapshot_is_448_white",
    "edit_parameter_in_gui_updates_shape",
]
pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(
        not (shutil.which("freecad") and shutil.which("xvfb-run")), reason="freecad/xvfb missing"
    ),
]


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Path]:
    home = tmp_path_factory.mktemp("freecad-gui-home")
    mods = home / ".local" / "share" / "FreeCAD" / "Mod"
    mods.mkdir(parents=True)
    (mods / "CADCoder").symlink_to(REPO)  # installed as a user would: the clone in FreeCAD's Mod folder
    shots = tmp_path_factory.mktemp("screenshots")
    results = shots / "results.jsonl"
    env = {
        **os.environ,
        "HOME": str(home),
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "CADCODER_RESULTS": str(results),
        "CADCODER_SHOTS": str(shots),
        "CADCODER_REPO": str(REPO),
    }
    script = Path(__file__).with_name("gui_checks.py")
    out = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", "freecad", str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert results.is_file(), f"FreeCAD wrote no results:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    found = {r["check"]: r for r in map(json.loads, results.read_text().splitlines())}
    return found, shots


@pytest.mark.parametrize("name", CHECKS)
def test_gui_check(gui_run, name: str) -> None:
    found, _ = gui_run
    assert name in found, f"{name} did not run"
    assert found[name]["ok"], found[name].get("detail")


def test_screenshots_were_taken(gui_run) -> None:
    _, shots = gui_run
    for name in ("code_panel", "feature_and_parameters", "snapshot"):
        assert (shots / f"{name}.png").stat().st_size > 3000, name
