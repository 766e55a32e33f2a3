"""`image2cad --size/--overlay/--json` (issue 14): sized code, the overlay file, the choices."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import cadquery as cq
import pytest
from PIL import Image

from core.render import render_shape

CLI = [sys.executable, "-m", "core.cli.main", "image2cad", "--no-grounded"]  # sizing of the model's answers
PLATE = (
    "import cadquery as cq\n\nlength = 1.0\nwidth = 0.6\nthickness = 0.1\nhole_diameter = 0.108\n\n"
    "solid = cq.Workplane('XY').box(length, width, thickness).faces('>Z').workplane().hole(hole_diameter)\n"
)
CUBE = "import cadquery as cq\nsolid = cq.Workplane('XY').box(1, 1, 1)\n"


@pytest.fixture(scope="module")
def plate_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pic") / "plate.png"
    shape = cq.Workplane("XY").box(60, 36, 6).faces(">Z").workplane().hole(6.6)
    render_shape(shape).save(path)
    return path


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_size_overlay_and_choices(stub, plate_png: Path, tmp_path: Path) -> None:
    state, url = stub
    state.reply(PLATE, CUBE)
    overlay = tmp_path / "overlay.png"
    out = _run([str(plate_png), "--endpoint", url, "--n", "2", "--no-refine", "--size", "x=60",
                "--overlay", str(overlay), "--json"])  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    size = payload["size"]
    assert (
        size["status"] == "ok"
        and size["factor"] == pytest.approx(60)
        and size["bbox_mm"][0] == pytest.approx(60)
    )
    snapped = {s["name"]: s["after"] for s in size["snapped"]}
    assert snapped["hole_diameter"] == 6.6  # 6.48 -> M6 clearance, the picture agrees
    assert "length = 60.0" in payload["code"] and "hole_diameter = 6.6" in payload["code"]
    assert payload["volume"] == pytest.approx(60 * 36 * 6 - 3.14159 * 3.3**2 * 6, rel=1e-3)
    assert payload["files"]["overlay"] == str(overlay)
    assert Image.open(overlay).size == Image.open(plate_png).size
    choices = payload["choices"]
    assert [c["chosen"] for c in choices] == [True, False]
    assert choices[0]["code"] == payload["code"] and choices[0]["match"] == payload["match"]
    assert choices[1]["match"] < choices[0]["match"]
    assert "60" in choices[1]["code"]  # the alternative is sized too (a 60 mm cube)
    thumb = Image.open(io.BytesIO(base64.b64decode(choices[1]["thumbnail_png"])))
    assert thumb.size == (128, 128)
    for key in ("status", "code", "volume", "parameters", "candidates", "match", "low_match"):
        assert key in payload  # the existing contract is kept


def test_thumbnails_as_files_and_a_bad_size(stub, plate_png: Path, tmp_path: Path) -> None:
    state, url = stub
    state.reply(PLATE)
    out = _run([str(plate_png), "--endpoint", url, "--no-refine", "--json", "--out-dir", str(tmp_path / "t")])
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["size"] is None
    (choice,) = payload["choices"]
    assert Path(choice["thumbnail"]).is_file() and "thumbnail_png" not in choice
    bad = _run([str(plate_png), "--endpoint", url, "--size", "w=60"])
    assert bad.returncode == 2 and "longest=60" in bad.stderr


def test_an_overlay_that_cannot_be_written_loses_nothing(stub, plate_png: Path, tmp_path: Path) -> None:
    state, url = stub
    state.reply(PLATE)
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    step = tmp_path / "part.step"
    out = _run([str(plate_png), "--endpoint", url, "--no-refine", "--json", "-o", str(step),
                "--overlay", str(blocked / "overlay.png")])  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["status"] == "ok" and "overlay" not in payload["files"]
    assert "overlay_error" in payload and "no overlay written" in out.stderr
    assert step.read_bytes().startswith(b"ISO-10303-21")
