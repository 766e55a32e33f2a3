"""``run_code``: one call for callers that do not manage a pool (the CLI, FreeCAD commands).

The shared pool is created on first use (so importing ``core.sandbox`` starts nothing) and closed at
interpreter exit.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable

from core.sandbox.config import SandboxConfig
from core.sandbox.pool import SandboxPool
from core.sandbox.result import ExecutionResult

_lock = threading.Lock()
_pool: SandboxPool | None = None


def default_pool(config: SandboxConfig | None = None) -> SandboxPool:
    """The shared pool; ``config`` applies only when it is created by this call."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = SandboxPool(config or SandboxConfig())
            atexit.register(close_default_pool)
        return _pool


def close_default_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()


def run_code(
    code: str, *, timeout: float | None = None, outputs: Iterable[str] = ("brep",)
) -> ExecutionResult:
    """Run ``code`` in the shared pool and wait for its result (never raises for what the code does)."""
    return default_pool().run(code, timeout=timeout, outputs=outputs)
