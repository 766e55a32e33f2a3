"""The shipped cadcoder-mini: within its size budget, loaded by the CAD-Coder backend, the default of
`cadcoder image2cad`, and its answer to the bundled picture is a running program with named dimensions
that ends up as an editable feature in a FreeCAD document."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.models.base import GenerationConfig, GenerationRequest, ImageInput
from core.models.local import LocalLlavaBackend
from core.models.prompt import image_question
from core.paths import EMBEDDED_MODEL_DIR, EXAMPLES_DIR
from core.program import find_parameters
from core.sandbox import run_code

PICTURE = EXAMPLES_DIR / "flanged_bracket.png"


def test_the_model_folder_is_complete_and_small() -> None:
    files = {p.name for p in EMBEDDED_MODEL_DIR.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "processor_config.json",
        "README.md",
    } <= files
    assert sum(p.stat().st_size for p in EMBEDDED_MODEL_DIR.iterdir()) < 100 * 2**20
    config = json.loads((EMBEDDED_MODEL_DIR / "config.json").read_text())
    assert config["architectures"] == ["LlavaForConditionalGeneration"]
    card = (EMBEDDED_MODEL_DIR / "README.md").read_text()
    for section in ("## Data", "## Recipe", "## Results", "## Limitations", "cadcoder train"):
        assert section in card


def test_greedy_answer_to_the_bundled_picture_runs_and_has_named_dimensions() -> None:
    backend = LocalLlavaBackend(EMBEDDED_MODEL_DIR, device="cpu")
    request = GenerationRequest(
        image_question(ImageInput(PICTURE.read_bytes(), "image/png")), GenerationConfig()
    )
    (reply,) = backend.generate(request)
    from core.program import extract_code

    code = extract_code(reply)
    result = run_code(code)
    assert result.ok, result.message
    named = [p for p in find_parameters(code) if p.kind == "variable"]
    assert len(named) >= 2 and all(p.value > 0 for p in named)


@pytest.mark.skipif(not shutil.which("freecadcmd"), reason="freecadcmd missing")
def test_image2cad_defaults_to_it_and_writes_every_file(tmp_path: Path) -> None:
    out = {k: tmp_path / f"part.{k}" for k in ("py", "step", "png", "FCStd")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli.main",
            "image2cad",
            str(PICTURE),
            "--json",
            "--code",
            str(out["py"]),
            "-o",
            str(out["step"]),
            "--preview",
            str(out["png"]),
            "--fcstd",
            str(out["FCStd"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(done.stdout)
    assert payload["status"] == "ok" and payload["volume"] > 0
    assert set(payload["files"]) == {"code", "preview", "fcstd"}
    assert out["py"].read_text() == payload["code"]
    assert out["step"].read_bytes().startswith(b"ISO-10303-21")
    assert out["png"].read_bytes()[:4] == b"\x89PNG"
    with zipfile.ZipFile(out["FCStd"]) as document:
        xml = document.read("Document.xml").decode()
    assert 'name="CadQueryPart"' in xml and "Parameters" in xml
    # The model's greedy answer competes with the programs read off the picture; the winner is one of
    # those, fitted to the picture when it came from the model.
    candidates = payload["candidates"]
    assert candidates[0]["reply"] and not candidates[0]["grounded"]
    chosen = candidates[payload["chosen"]]
    assert chosen["grounded"] or chosen["refined"] or len(candidates) == 1
