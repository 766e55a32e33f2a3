"""Fixtures shared by every test layer."""

from __future__ import annotations

import json
import os
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


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests (and the CLIs they start) never read or fill the user's ~/.cache/cadcoder."""
    path = tmp_path_factory.mktemp("cadcoder-cache")
    previous = os.environ.get("CADCODER_CACHE_DIR")
    os.environ["CADCODER_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("CADCODER_CACHE_DIR", None)
    else:
        os.environ["CADCODER_CACHE_DIR"] = previous
