"""`cadcoder to-freecad`: a script becomes a .FCStd that FreeCAD reopens with the feature intact."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.paths import EXAMPLES_DIR

CLI = [sys.executable, "-m", "core.cli.main", "to-freecad"]
pytestmark = [
    pytest.mark.freecad,
    pytest.mark.skipif(shutil.which("freecadcmd") is None, reason="Debian's freecad is not installed"),
]
REOPEN = """
import json, FreeCAD as App
doc = App.openDocument({path!r})
obj = doc.getObject("CadQueryPart")
print("REOPENED " + json.dumps({{"volume": obj.Shape.Volume, "thickness": obj.thickness, "code": obj.Code}}))
"""


def test_script_to_fcstd_and_back(tmp_path: Path) -> None:
    out = tmp_path / "bracket.FCStd"
    done = subprocess.run(
        [*CLI, str(EXAMPLES_DIR / "flanged_bracket.py"), "-o", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "ok" and abs(answer["freecad_volume"] - 20897.42) < 0.1
    assert {"thickness", "hole_diameter", "length"} <= set(answer["parameters"])
    reopen = tmp_path / "reopen.py"
    reopen.write_text(REOPEN.format(path=str(out)))
    shown = subprocess.run(["freecadcmd", str(reopen)], capture_output=True, text=True, timeout=120)
    line = next(x for x in shown.stdout.splitlines() if "REOPENED " in x)
    state = json.loads(line.split("REOPENED ", 1)[1])
    assert abs(state["volume"] - 20897.42) < 0.1 and state["thickness"] == 6.0
    assert "hole_diameter = 6.5" in state["code"]


def test_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import cadquery as cq\nsolid = cq.Workplane().box(1, 1, missing)\n")
    failed = subprocess.run(
        [*CLI, str(bad), "-o", str(tmp_path / "x.FCStd")], capture_output=True, text=True, timeout=300
    )
    assert failed.returncode == 1 and "runtime_error" in failed.stderr and not (tmp_path / "x.FCStd").exists()
    wrong = subprocess.run(
        [*CLI, str(bad), "-o", str(tmp_path / "x.step")], capture_output=True, text=True, timeout=60
    )
    assert wrong.returncode == 2 and ".FCStd" in wrong.stderr
