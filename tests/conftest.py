"""Fixtures shared by every test layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.paths import benchmark_dir


@pytest.fixture(scope="session")
def benchmark() -> Path:
    """The paper's benchmark folder; CI keeps ``shared/`` beside the clone, so it must exist."""
    path = benchmark_dir()
    assert (path / "test100.jsonl").is_file(), f"benchmark not found at {path} (set CADCODER_BENCHMARK_DIR)"
    return path


@pytest.fixture(scope="session")
def benchmark_samples(benchmark: Path) -> list[dict]:
    with open(benchmark / "test100.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
