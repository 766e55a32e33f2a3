"""The CadQuery feature inside real FreeCAD 0.20 (``freecadcmd``): one pytest test per case of
``fc_feature_cases.py``, all run in one FreeCAD process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from freecad_harness import CaseRun, case_names, report, run_cases

CASES = Path(__file__).with_name("fc_feature_cases.py")
FOREIGN_ADDON = {"AnotherAddon": {"core/__init__.py": "FOREIGN = True\n"}}
pytestmark = [
    pytest.mark.freecad,
    pytest.mark.timeout(400),
    pytest.mark.skipif(shutil.which("freecadcmd") is None, reason="Debian's freecad is not installed"),
]


@pytest.fixture(scope="module")
def freecad_run(tmp_path_factory: pytest.TempPathFactory) -> CaseRun:
    return run_cases(CASES, tmp_path_factory.mktemp("freecad-home"), extra_addons=FOREIGN_ADDON)


@pytest.mark.parametrize("name", case_names(CASES))
def test_in_freecad(freecad_run: CaseRun, name: str) -> None:
    report(freecad_run, name)
