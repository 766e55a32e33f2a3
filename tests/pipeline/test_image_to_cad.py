"""The image -> CAD pipeline end to end over HTTP, with a scripted OpenAI-compatible endpoint
that answers real CadQuery code (the tiny random models of tests/models cannot write any)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import cadquery as cq
import pytest
from PIL import Image

from core.models.remote import RemoteBackend
from core.pipeline import ImageToCad, PipelineConfig
from core.render import render_shape

BOX = "import cadquery as cq\nsolid = cq.Workplane('XY').box(30, 30, 10)\n"
CYLINDER = "import cadquery as cq\nradius = 12.0\nsolid = cq.Workplane('XY').circle(radius).extrude(10)\n"


@pytest.fixture(scope="module")
def cylinder_png() -> bytes:
    buffer = io.BytesIO()
    render_shape(cq.Workplane().circle(12).extrude(10)).save(buffer, format="PNG")
    return buffer.getvalue()


# These tests are about the model path (candidates, repair, fitting): the programs read off the
# picture (core.grounding) would win most of them, so they are left out.
MODEL_ONLY = PipelineConfig(grounded=False)


def test_best_of_n_picks_the_candidate_that_looks_like_the_picture(stub, cylinder_png: bytes) -> None:
    state, url = stub
    state.reply(BOX, "```python\n" + CYLINDER + "```")
    events: list[dict] = []
    result = ImageToCad(RemoteBackend(base_url=url), config=PipelineConfig(grounded=False, n=2)).run(
        cylinder_png, on_event=events.append
    )
    assert result.ok and result.chosen == 1
    assert result.code == CYLINDER
    assert result.volume == pytest.approx(3.14159265 * 144 * 10, rel=1e-6)
    assert result.candidates[1].score > result.candidates[0].score
    assert {"name": "radius", "value": 12.0} in [
        {k: p[k] for k in ("name", "value")} for p in result.parameters
    ]
    assert result.brep and result.step.startswith(b"ISO-10303-21")
    assert {e["stage"] for e in events if e["event"] == "stage"} >= {"generate", "execute", "select"}
    assert set(result.timings) >= {"prompt", "generate", "execute", "select"}
    sent = state.requests[0]["body"]
    assert sent["n"] == 2 and sent["messages"][0]["content"][0]["image_url"]["url"].startswith(
        "data:image/png"
    )


def test_self_repair_sends_the_error_back(stub, cylinder_png: bytes) -> None:
    state, url = stub
    state.reply("import cadquery as cq\nsolid = cq.Workplane().circle(radius).extrude(10)\n")
    state.reply(CYLINDER)
    result = ImageToCad(RemoteBackend(base_url=url), config=MODEL_ONLY).run(cylinder_png)
    assert result.ok and result.chosen == 1 and result.candidates[1].repaired
    assert result.candidates[0].status == "runtime_error"
    repair = state.requests[1]["body"]["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    assert "radius" in repair[2]["content"] and "NameError" in repair[2]["content"]


def test_every_repair_round_keeps_the_whole_conversation(stub, cylinder_png: bytes) -> None:
    state, url = stub
    for missing in ("radius", "height", "width"):
        state.reply(f"import cadquery as cq\nsolid = cq.Workplane().circle({missing}).extrude(1)\n")
    result = ImageToCad(
        RemoteBackend(base_url=url), config=PipelineConfig(grounded=False, repair_rounds=2)
    ).run(cylinder_png)
    assert [c.repaired for c in result.candidates] == [False, True, True] and not result.ok
    last = state.requests[2]["body"]["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant", "user"]
    assert "height" in last[3]["content"] and "'height' is not defined" in last[4]["content"]


def test_failure_after_repair_keeps_the_error(stub, cylinder_png: bytes) -> None:
    state, url = stub
    state.reply("import os\nsolid = os.system('ls')")
    state.reply("still no code")
    result = ImageToCad(RemoteBackend(base_url=url), config=MODEL_ONLY).run(cylinder_png)
    assert not result.ok and result.status == "forbidden" and "import" in result.message
    assert result.brep is None


def test_broken_image_and_unreachable_endpoint(stub, cylinder_png: bytes) -> None:
    _, url = stub
    bad = ImageToCad(RemoteBackend(base_url=url)).run(b"definitely not a PNG")
    assert bad.status == "bad_image" and "not a readable image" in bad.message
    down = ImageToCad(RemoteBackend(base_url="http://127.0.0.1:9", model="m", max_retries=0)).run(
        cylinder_png
    )
    assert down.status == "backend_error" and "cannot reach" in down.message


def test_model_edit_is_verified(stub) -> None:
    state, url = stub
    state.reply(CYLINDER.replace("extrude(10)", "extrude(10).edges().fillet(1)"))
    result = ImageToCad(RemoteBackend(base_url=url)).edit(CYLINDER, "add 1 mm fillets to all edges")
    assert result.ok and "fillet(1)" in result.code
    assert result.volume < 3.14159265 * 144 * 10
    assert CYLINDER.strip() in state.requests[0]["body"]["messages"][0]["content"]


CLI = [sys.executable, "-m", "core.cli.main", "image2cad", "--no-grounded"]  # the model path alone


def test_cli_json_and_step_output(stub, cylinder_png: bytes, tmp_path: Path) -> None:
    state, url = stub
    state.reply(CYLINDER)
    image = tmp_path / "part.png"
    image.write_bytes(cylinder_png)
    out = subprocess.run(
        [*CLI, str(image), "--endpoint", url, "-o", str(tmp_path / "part.step"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["status"] == "ok" and payload["code"] == CYLINDER and payload["volume"] > 4000
    assert (tmp_path / "part.step").read_bytes().startswith(b"ISO-10303-21")


def test_cli_events_stream(stub, cylinder_png: bytes, tmp_path: Path) -> None:
    state, url = stub
    state.reply(BOX)
    image = tmp_path / "part.png"
    image.write_bytes(cylinder_png)
    out = subprocess.run(
        [*CLI, str(image), "--endpoint", url, "--events"], capture_output=True, text=True, timeout=120
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    width, height = Image.open(io.BytesIO(cylinder_png)).size
    assert lines[0] == {"event": "image", "width": width, "height": height}  # not shrunk: no message
    assert lines[1] == {"event": "stage", "stage": "generate", "backend": f"remote:{url}"}
    assert lines[-1]["event"] == "result" and lines[-1]["status"] == "ok"


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    missing = subprocess.run([*CLI, str(tmp_path / "nope.png")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    image = tmp_path / "x.png"
    image.write_bytes(b"not an image")
    no_model = subprocess.run(
        [*CLI, str(image)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin", "HOME": str(tmp_path), "CADCODER_EMBEDDED_MODEL": str(tmp_path / "none")},
    )
    assert (
        no_model.returncode == 2
        and "no model configured" in no_model.stderr
        and "Traceback" not in no_model.stderr
    )


def test_dimensions_are_fitted_to_the_picture_and_the_fit_is_a_new_candidate(stub) -> None:
    state, url = stub
    cube = "import cadquery as cq\n\nlength = 1.0\nwidth = 1.0\nheight = 1.0\n\nsolid = cq.Workplane('XY').box(length, width, height)\n"
    buffer = io.BytesIO()
    render_shape(cq.Workplane("XY").box(3.0, 1.0, 0.4)).save(buffer, format="PNG")
    state.reply(cube)
    state.reply(cube)
    events: list[dict] = []
    fitted = ImageToCad(RemoteBackend(base_url=url), config=MODEL_ONLY).run(
        buffer.getvalue(), on_event=events.append
    )
    assert fitted.ok and fitted.chosen == 1 and fitted.candidates[1].refined
    assert fitted.candidates[1].score > fitted.candidates[0].score
    assert fitted.code != cube and fitted.volume != pytest.approx(1.0)
    assert "refine" in fitted.timings and {"event": "stage", "stage": "refine"} in events
    plain = ImageToCad(RemoteBackend(base_url=url), config=PipelineConfig(grounded=False, refine=False)).run(
        buffer.getvalue()
    )
    assert plain.ok and plain.code == cube and len(plain.candidates) == 1


def test_ranking_uses_the_configured_grid_and_the_reported_match_the_default_one(
    stub, cylinder_png: bytes
) -> None:
    """Candidates rank on ``compare_side`` cells; the match the user sees (and the low-match
    warning) is measured on the 128-cell grid its threshold was set on, whatever the ranking used."""
    from core.pipeline.refine import score_of
    from core.render.compare import outline
    from core.sandbox import run_code

    state, url = stub
    wider = CYLINDER.replace("radius = 12.0", "radius = 13.0")
    picture = Image.open(io.BytesIO(cylinder_png)).convert("RGB")
    run = run_code(wider, timeout=30, outputs=("mesh",))
    results = {}
    for side in (128, 256):
        state.reply(BOX, wider)
        config = PipelineConfig(grounded=False, n=2, refine=False, compare_side=side)
        results[side] = ImageToCad(RemoteBackend(base_url=url), config=config).run(cylinder_png)
        assert results[side].chosen == 1
        ranked = results[side].candidates[1].score
        assert ranked == pytest.approx(score_of(outline(picture, side=side), run), abs=1e-9)
    assert results[128].candidates[1].score != results[256].candidates[1].score
    assert results[256].match == pytest.approx(results[128].match, abs=1e-9)
