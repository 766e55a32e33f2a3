"""Issue 15 in the real FreeCAD 0.20 GUI at FreeCAD's default window and dock sizes: one pytest
test per case of ``fc_gui_first_hour_cases.py``, all in one FreeCAD session with its own model stub.

Screenshots (``first_hour_*.png``) and figures (``first_hour.json``) land in pytest's temporary
folder; set ``CADCODER_SCREENSHOT_COPY=DIR`` to get a copy.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from model_stub import model_stub
from test_gui import harness

HERE = Path(__file__).resolve().parent
CASES = HERE / "fc_gui_first_hour_cases.py"
pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(1500),
    pytest.mark.skipif(
        not (shutil.which("freecad") and shutil.which("xvfb-run")), reason="freecad/xvfb missing"
    ),
]


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory):
    """Like test_gui.run_gui_cases, with room for an embedded-model run on a busy machine."""
    import cadquery as cq

    from core.render import render_shape

    shots = tmp_path_factory.mktemp("screenshots")
    render_shape(cq.Workplane().circle(12).extrude(10)).save(shots / "cylinder_input.png")
    with model_stub() as (endpoint, _requests):
        run = harness.run_cases(
            CASES,
            tmp_path_factory.mktemp("freecad-gui-home"),
            gui=True,
            extra_env={"CADCODER_SHOTS": str(shots), "CADCODER_TEST_ENDPOINT": endpoint},
            timeout=1400,
        )
    copy = os.environ.get("CADCODER_SCREENSHOT_COPY")
    if copy:
        shutil.copytree(shots, copy, dirs_exist_ok=True)
    return run, shots


@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_in_freecad_gui(gui_run, name: str) -> None:
    harness.report(gui_run[0], name)


def test_it_ran_at_freecads_default_layout_and_left_screenshots(gui_run) -> None:
    _, shots = gui_run
    figures = json.loads((shots / "first_hour.json").read_text())
    assert figures["combo_view_width"] <= 300, figures
    for name in ("default_layout_panel", "default_layout_done", "property_view_units", "low_match_question"):
        assert (shots / f"first_hour_{name}.png").stat().st_size > 3000, name
