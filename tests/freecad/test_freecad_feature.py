"""The CadQuery feature inside real FreeCAD 0.20 (``freecadcmd``), one pytest test per check."""

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
    "creates_a_box_with_named_parameters",
    "editing_a_parameter_rebuilds",
    "a_failing_edit_keeps_the_last_good_shape",
    "undo_restores_value_and_shape",
    "bad_code_leaves_the_document_unchanged",
    "reopening_does_not_run_code_until_a_parameter_changes",
    "freecad_process_stays_light",
]
pytestmark = [
    pytest.mark.freecad,
    pytest.mark.skipif(shutil.which("freecadcmd") is None, reason="Debian's freecad is not installed"),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    home = tmp_path_factory.mktemp("freecad-home")  # never the user's FreeCAD settings
    env = {**os.environ, "CADCODER_REPO": str(REPO), "HOME": str(home), "FREECAD_USER_HOME": str(home)}
    out = subprocess.run(
        ["freecadcmd", str(Path(__file__).with_name("feature_checks.py"))],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    found = {}
    for line in out.stdout.splitlines():
        start = line.find('{"check"')
        if start >= 0:
            record = json.loads(line[start:])
            found[record["check"]] = record
    assert found, f"freecadcmd printed no results:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return found


@pytest.mark.parametrize("name", CHECKS)
def test_freecad_check(results: dict[str, dict], name: str) -> None:
    assert name in results, f"{name} did not run"
    assert results[name]["ok"], results[name].get("detail")
