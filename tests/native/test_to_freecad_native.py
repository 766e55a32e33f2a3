"""``cadcoder to-freecad --native`` end to end: the .FCStd reopens in FreeCAD with a Body of solved,
named sketches whose solid is the sandbox's, and a dimension edit rebuilds it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from native_cases import CASES
from typer.testing import CliRunner

from core.cli.to_freecad_cmd import to_freecad
from core.paths import EXAMPLES_DIR

CLI = [sys.executable, "-m", "core.cli.main", "to-freecad"]
pytestmark = [
    pytest.mark.freecad,
    pytest.mark.skipif(shutil.which("freecadcmd") is None, reason="Debian's freecad is not installed"),
]
REOPEN = """
import json, FreeCAD as App
doc = App.openDocument({path!r})
result = doc.getObject({result!r})
report = {{"types": sorted({{o.TypeId for o in doc.Objects}}), "volume": result.Shape.Volume}}
sketches = [o for o in doc.Objects if o.TypeId == "Sketcher::SketchObject"]
report["constraints"] = sorted(c.Name for s in sketches for c in s.Constraints if c.Name)
doc.recompute()
report["recomputed_volume"] = result.Shape.Volume
report["solved"] = [s.solve() for s in sketches]
sketch = next(s for s in sketches if "width" in [c.Name for c in s.Constraints])
sketch.setDatum("width", App.Units.Quantity("50 mm"))
doc.recompute()
report["widened_volume"] = result.Shape.Volume
open({answer!r}, "w").write(json.dumps(report))
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }


def convert(script: Path, out: Path, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [*CLI, str(script), "-o", str(out), "--native", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)


@pytest.mark.timeout(400)
def test_native_document_reopens_solves_and_edits(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "plate.py"
    script.write_text(CASES["plate_with_holes"], encoding="utf-8")
    out = tmp_path / "plate.FCStd"
    answer = convert(script, out, env)
    assert answer["status"] == "ok" and answer["native"], answer["message"]
    assert abs(answer["native_volume"] - answer["volume"]) <= 1e-6 * answer["volume"]
    assert {"width", "depth", "hole_radius"} <= set(answer["parameters"]) and out.is_file()

    report_path = tmp_path / "report.json"
    code = REOPEN.format(path=str(out), result=answer["feature"], answer=str(report_path))
    subprocess.run(["freecadcmd", "-c", code], capture_output=True, text=True, timeout=120, env=env)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert {"PartDesign::Body", "PartDesign::Pad", "Sketcher::SketchObject"} <= set(report["types"])
    assert report["volume"] == pytest.approx(answer["volume"], rel=1e-6)
    assert report["recomputed_volume"] == pytest.approx(answer["volume"], rel=1e-6)
    assert report["solved"] == [0] and "width" in report["constraints"]
    assert report["widened_volume"] == pytest.approx(answer["volume"] + 10 * 30 * 5, rel=1e-6)


@pytest.mark.timeout(400)
def test_refused_program_falls_back_to_a_cadquery_feature(tmp_path: Path, env: dict[str, str]) -> None:
    answer = convert(EXAMPLES_DIR / "flanged_bracket.py", tmp_path / "bracket.FCStd", env)
    assert answer["status"] == "ok" and not answer["native"] and answer["native_volume"] is None
    assert (
        answer["message"].startswith("not converted natively: line 12")
        and "CadQuery feature" in answer["message"]
    )
    assert answer["freecad_volume"] == pytest.approx(answer["volume"], rel=1e-9)
    assert "hole_diameter" in answer["parameters"]


def test_missing_freecadcmd_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no freecadcmd there
    app = typer.Typer()
    app.command()(to_freecad)
    script = tmp_path / "box.py"
    script.write_text(CASES["box"], encoding="utf-8")
    result = CliRunner().invoke(app, [str(script), "-o", str(tmp_path / "box.FCStd"), "--json"])
    assert result.exit_code == 2
    answer = json.loads(result.output)
    assert answer["status"] == "error" and "scripts/setup.sh" in answer["message"]
    assert not (tmp_path / "box.FCStd").exists()
