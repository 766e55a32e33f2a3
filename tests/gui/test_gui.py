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
    "image_to_cad_adds_a_feature",
    "image_to_cad_failure_changes_nothing",
]
CYLINDER = "import cadquery as cq\nradius = 12.0\nsolid = cq.Workplane('XY').circle(radius).extrude(10)\n"
pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(
        not (shutil.which("freecad") and shutil.which("xvfb-run")), reason="freecad/xvfb missing"
    ),
]


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory, stub_server_factory) -> tuple[dict[str, dict], Path]:
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
    import cadquery as cq

    from core.render import render_shape

    render_shape(cq.Workplane().circle(12).extrude(10)).save(shots / "cylinder_input.png")
    script = Path(__file__).with_name("gui_checks.py")
    with stub_server_factory() as (endpoint, url):
        endpoint.reply(CYLINDER)  # Image to CAD: the model answers a cylinder
        endpoint.reply(
            "import cadquery as cq\nsolid = cq.Workplane().circle(r).extrude(1)\n"
        )  # then a NameError,
        endpoint.reply("no code at all")  # and a useless self-repair
        env["CADCODER_TEST_ENDPOINT"] = url
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
    for name in ("code_panel", "feature_and_parameters", "snapshot", "image_to_cad", "image_to_cad_error"):
        assert (shots / f"{name}.png").stat().st_size > 3000, name
