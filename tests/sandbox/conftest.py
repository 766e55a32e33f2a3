"""Pools shared by the sandbox tests: starting a worker costs a CadQuery import (~2-3 s of CPU)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.sandbox import SandboxConfig, SandboxPool


@pytest.fixture(scope="session")
def pool() -> Iterator[SandboxPool]:
    """The production configuration, two workers."""
    with SandboxPool(SandboxConfig(workers=2)) as p:
        assert p.wait_ready(180), "sandbox workers did not start"
        yield p


@pytest.fixture(scope="session")
def open_pool() -> Iterator[SandboxPool]:
    """Static policy off, so the runtime layers are proven on their own.

    ``faulthandler`` is importable only here, as a real way to crash the job process; the memory and
    file-size limits are small so that bombs hit them fast.
    """
    config = SandboxConfig(
        workers=1,
        static_check=False,
        allowed_imports=("cadquery", "math", "faulthandler"),
        memory_mb=512,
        file_size_mb=4,
    )
    with SandboxPool(config) as p:
        assert p.wait_ready(180), "sandbox workers did not start"
        yield p
