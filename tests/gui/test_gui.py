"""The workbench in the real FreeCAD 0.20 GUI on a virtual screen: one pytest test per case of
``fc_gui_cases.py``, all run in one FreeCAD session, with screenshots.

Screenshots land in pytest's temporary folder; set ``CADCODER_SCREENSHOT_COPY=DIR`` to get a copy.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest
from model_stub import model_stub

HERE = Path(__file__).resolve().parent
CASES = HERE / "fc_gui_cases.py"


def _harness():
    """tests/freecad/freecad_harness.py, which this folder shares (tests/ has no packages)."""
    if "freecad_harness" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "freecad_harness", HERE.parent / "freecad" / "freecad_harness.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["freecad_harness"] = module  # before running it: dataclasses look it up
        spec.loader.exec_module(module)
    return sys.modules["freecad_harness"]


harness = _harness()
pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(500),
    pytest.mark.skipif(
        not (shutil.which("freecad") and shutil.which("xvfb-run")), reason="freecad/xvfb missing"
    ),
]


def run_gui_cases(cases: Path, tmp_path_factory: pytest.TempPathFactory):
    """Run ``cases`` in one FreeCAD GUI session against a fresh model stub; returns the run, the
    screenshot folder and the requests the stub saw (shared by every GUI test module)."""
    import cadquery as cq

    from core.render import render_shape

    shots = tmp_path_factory.mktemp("screenshots")
    render_shape(cq.Workplane().circle(12).extrude(10)).save(shots / "cylinder_input.png")
    with model_stub() as (endpoint, requests):
        run = harness.run_cases(
            cases,
            tmp_path_factory.mktemp("freecad-gui-home"),
            gui=True,
            extra_env={"CADCODER_SHOTS": str(shots), "CADCODER_TEST_ENDPOINT": endpoint},
            timeout=420,
        )
    copy = os.environ.get("CADCODER_SCREENSHOT_COPY")
    if copy:
        shutil.copytree(shots, copy, dirs_exist_ok=True)
    return run, shots, requests


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory):
    return run_gui_cases(CASES, tmp_path_factory)


@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_in_freecad_gui(gui_run, name: str) -> None:
    harness.report(gui_run[0], name)


def test_screenshots_show_the_panels(gui_run) -> None:
    _, shots, _ = gui_run
    for name in ("code_panel", "feature_and_parameters", "image_to_cad", "image_to_cad_error", "snapshot"):
        assert (shots / f"{name}.png").stat().st_size > 3000, name


def test_the_api_key_is_sent_exactly_when_the_preferences_hold_one(gui_run) -> None:
    """Image to CAD sets ``ApiKey``, Snapshot to CAD does not; both ask the "cylinder" model."""
    _, _, requests = gui_run
    posts = [r for r in requests if r["model"] == "cylinder"]
    assert sorted(str(r["auth"]) for r in posts) == ["Bearer sk-gui-test", "None"], requests
    assert all(r["stream"] for r in posts)
