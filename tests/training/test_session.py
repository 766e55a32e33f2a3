"""Training across sessions (issue 13, point 3): a session resumes from the committed weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from training.session import SessionSettings, read_curve, run_session
from training.synth.engine import DatagenConfig, generate_dataset

pytestmark = pytest.mark.timeout(600)

TINY = Path(__file__).resolve().parents[2] / "training" / "configs" / "tiny_cpu.yaml"


def _settings(tmp: Path, *extra: str) -> SessionSettings:
    return SessionSettings(
        config=TINY,
        committed=tmp / "committed",
        minutes=30,
        overrides=(
            f"data.sources.0.path={tmp / 'data'}",
            f"model.tokenizer.path={tmp / 'tok'}",
            f"output.dir={tmp / 'run'}",
            "output.save_steps=2",
            "output.progress=false",
            "output.tensorboard=false",
            "optim.max_steps=3",
            *extra,
        ),
    )


def test_second_session_starts_from_the_committed_weights(tmp_path: Path) -> None:
    generate_dataset(
        tmp_path / "data",
        DatagenConfig(
            n=16, seed=3, workers=1, shard_size=16, image_size=64, builder="inprocess", verify_fraction=0
        ),
    )
    first = run_session(_settings(tmp_path), log=lambda _: None)
    assert first.sessions[0]["start"] == "scratch" and first.steps == 3 and first.samples_seen == 24
    weights = tmp_path / "committed" / "model" / "model.safetensors"
    after_first = load_file(str(weights))
    assert not (tmp_path / "committed" / "model" / "state").exists()  # no optimizer state committed

    # A learning rate of ~0 keeps the weights where the session started: the committed ones.
    second = run_session(_settings(tmp_path, "optim.learning_rate=1e-12"), log=lambda _: None)
    assert [s["start"] for s in second.sessions] == ["scratch", "pretrained"]
    assert second.steps == 6 and second.samples_seen == 48
    after_second = load_file(str(weights))
    assert after_second.keys() == after_first.keys()
    for name, tensor in after_first.items():
        assert torch.allclose(after_second[name], tensor, atol=1e-6), name
    rows = read_curve(tmp_path / "committed")
    assert [(r["session"], r["step"]) for r in rows] == [(1, 2), (1, 3), (2, 5), (2, 6)]
    card = (tmp_path / "committed" / "README.md").read_text()
    assert "| 2 |" in card and "| 48 |" in card
