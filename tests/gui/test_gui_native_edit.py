"""Convert to native (issue 15 point 3) and Edit with prompt's 3D preview and hole placement
(point 4) in the real FreeCAD 0.20 GUI at its default window and dock sizes: one pytest test per
case of ``fc_gui_native_edit_cases.py``, all in one FreeCAD session.

Screenshots land in pytest's temporary folder; set ``CADCODER_SCREENSHOT_COPY=DIR`` to get a copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_gui import harness, run_gui_cases

HERE = Path(__file__).resolve().parent
CASES = HERE / "fc_gui_native_edit_cases.py"
SHOTS = (
    "convert_l_bracket_plan",
    "convert_l_bracket_sketch",
    "convert_hole_plate_body",
    "convert_refused_ok_disabled",
    "edit_hole_preview",
    "edit_hole_applied",
    "edit_hole_selected_face",
)
pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        not (shutil.which("freecad") and shutil.which("xvfb-run")), reason="freecad/xvfb missing"
    ),
]


@pytest.fixture(scope="module")
def gui_run(tmp_path_factory: pytest.TempPathFactory):
    return run_gui_cases(CASES, tmp_path_factory)


@pytest.mark.parametrize("name", harness.case_names(CASES))
def test_in_freecad_gui(gui_run, name: str) -> None:
    harness.report(gui_run[0], name)


def test_screenshots_show_the_panels(gui_run) -> None:
    _, shots, _ = gui_run
    for name in SHOTS:
        assert (shots / f"{name}.png").stat().st_size > 3000, name
