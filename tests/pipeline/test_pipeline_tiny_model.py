"""The pipeline over the real local LLaVA backend with a tiny random checkpoint: its replies are
random tokens, so no candidate runs; what is tested is the failure path, the shape of the result,
the token events, self-repair turns through the Vicuna template, and cancellation."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from PIL import Image

from core.models.local import LocalLlavaBackend
from core.pipeline import ImageToCad, PipelineConfig
from core.sandbox import Status

SANDBOX_STATUSES = {s.value for s in Status}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Hidden size 32: OpenMP threads only wait for each other on the shared 2-core machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.models.tiny import build_tiny_llava

    return build_tiny_llava(tmp_path_factory.mktemp("pipeline-model") / "tiny")


@pytest.fixture(scope="module")
def picture() -> bytes:
    image = Image.new("RGB", (64, 48), (255, 255, 255))
    image.paste((120, 120, 120), (16, 12, 48, 36))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_random_replies_fail_cleanly_with_a_complete_result(tiny_model: Path, picture: bytes) -> None:
    events: list[dict] = []
    config = PipelineConfig(grounded=False, n=2, max_new_tokens=10, timeout=10)
    result = ImageToCad(LocalLlavaBackend(tiny_model), config=config).run(picture, on_event=events.append)

    assert not result.ok and result.status in SANDBOX_STATUSES - {"ok"}
    assert result.chosen == 0 and result.code == result.candidates[0].code
    assert result.brep is None and result.step is None and result.volume is None
    assert [c.index for c in result.candidates] == [0, 1]
    assert all(c.status in SANDBOX_STATUSES and not c.repaired for c in result.candidates)
    assert set(result.timings) == {"prompt", "generate", "execute", "select"}  # no chat: no repair
    for candidate in result.candidates:
        streamed = "".join(
            e["text"] for e in events if e["event"] == "token" and e["candidate"] == candidate.index
        )
        assert streamed == candidate.reply
    payload = json.loads(json.dumps(result.to_json()))
    assert {"status", "code", "volume", "candidates", "timings"} <= set(payload)


def test_self_repair_through_the_vicuna_template(tiny_model: Path, picture: bytes) -> None:
    backend = LocalLlavaBackend(tiny_model, supports_chat=True)
    config = PipelineConfig(grounded=False, n=1, max_new_tokens=6, timeout=10, repair_rounds=1)
    result = ImageToCad(backend, config=config).run(picture)
    assert [c.repaired for c in result.candidates] == [False, True]
    assert "self-repair failed" not in result.candidates[0].message
    assert result.timings["repair"] > 0 and not result.ok


def test_cancel_during_generation(tiny_model: Path, picture: bytes) -> None:
    cancel = threading.Event()

    def on_event(event: dict) -> None:
        if event["event"] == "token":
            cancel.set()

    config = PipelineConfig(grounded=False, n=1, max_new_tokens=40, timeout=10)
    result = ImageToCad(LocalLlavaBackend(tiny_model), config=config).run(
        picture, on_event=on_event, cancel=cancel
    )
    assert result.status == "cancelled" and result.candidates == []


def test_cli_json_with_a_local_model(tiny_model: Path, picture: bytes, tmp_path: Path) -> None:
    image = tmp_path / "part.png"
    image.write_bytes(picture)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli.main",
            "image2cad",
            "--no-grounded",
            str(image),
            "--model",
            str(tiny_model),
            "--max-new-tokens",
            "8",
            "-o",
            str(tmp_path / "part.step"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 1, out.stderr
    payload = json.loads(out.stdout)
    assert payload["status"] in SANDBOX_STATUSES - {"ok"} and payload["volume"] is None
    assert isinstance(payload["code"], str) and payload["output"] is None
    assert not (tmp_path / "part.step").exists() and "Traceback" not in out.stderr
