"""Fixtures of the training tests: one sandbox pool and a small shard folder with drawn images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from training_helpers import write_drawn_shards

from core.sandbox import SandboxConfig, SandboxPool


@pytest.fixture(scope="session")
def synth_pool() -> Iterator[SandboxPool]:
    with SandboxPool(SandboxConfig(workers=2)) as pool:
        assert pool.wait_ready(180), "sandbox workers did not start"
        yield pool


@pytest.fixture(scope="session")
def drawn_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drawn")
    write_drawn_shards(out, 8)
    return out
