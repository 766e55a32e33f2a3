"""The on-disk cache of normalised targets gives the same scores as recomputing them."""

from __future__ import annotations

import json
from pathlib import Path

import cadquery as cq
import pytest

from core.geometry.io import read_shape
from core.metrics import iou_scores
from core.metrics.target_cache import cached_target


@pytest.fixture
def step_file(benchmark: Path, benchmark_samples) -> Path:
    return benchmark / "steps" / (benchmark_samples[3]["image"].removesuffix("_0.png") + ".step")


def test_cached_target_scores_like_a_fresh_one(step_file: Path, tmp_path: Path) -> None:
    candidate = cq.Workplane().box(1.0, 0.6, 0.2).val().wrapped
    fresh = iou_scores(candidate, read_shape(step_file))
    stored = iou_scores(candidate, cached_target(step_file, tmp_path))
    loaded = iou_scores(candidate, cached_target(step_file, tmp_path))
    assert len(list((tmp_path / "targets").iterdir())) == 1
    for scores in (stored, loaded):
        assert scores.iou_best == pytest.approx(fresh.iou_best, abs=1e-9)
        assert scores.iou_robust == pytest.approx(fresh.iou_robust, abs=1e-9)


def test_a_damaged_entry_is_recomputed(step_file: Path, tmp_path: Path) -> None:
    first = cached_target(step_file, tmp_path)
    (entry,) = (tmp_path / "targets").iterdir()
    (entry / "frame.json").write_text("{not json")
    again = cached_target(step_file, tmp_path)
    assert again.volume == pytest.approx(first.volume, rel=1e-12)
    assert json.loads((entry / "frame.json").read_text())["volume"] == pytest.approx(first.volume, rel=1e-12)
