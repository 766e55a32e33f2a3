"""Image to CAD by clipboard and drag-and-drop, and Edit with prompt's model edits, in the real
FreeCAD 0.20 GUI on a virtual screen: one pytest test per case of ``fc_gui_paste_edit_cases.py``,
all in one FreeCAD session with its own model stub (test_gui.py counts its stub's requests).

Screenshots land in pytest's temporary folder; set ``CADCODER_SCREENSHOT_COPY=DIR`` to get a copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_gui import harness, run_gui_cases

HERE = Path(__file__).resolve().parent
CASES = HERE / "fc_gui_paste_edit_cases.py"
pytestmark = [
    pytest.mark.gui,
    pytest.mark.timeout(500),
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
    for name in ("image_to_cad_paste", "image_to_cad_paste_done", "edit_with_model", "edit_with_model_error"):
        assert (shots / f"{name}.png").stat().st_size > 3000, name


def test_the_model_edits_went_to_the_stub_by_name(gui_run) -> None:
    _, _, requests = gui_run
    models = [r["model"] for r in requests]
    assert models.count("edit-hole") == 1  # the reply runs: no self-repair turn
    assert models.count("broken") == 2  # the edit and its one self-repair turn
