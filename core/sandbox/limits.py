"""Resource limits of one job child (``setrlimit``), set after fork and before user code.

The address-space limit is relative: the warm worker already maps CadQuery and OCCT (about a
gigabyte of virtual memory), so a job gets the worker's current size plus ``memory_mb``.
"""

from __future__ import annotations

import math
import os
import resource
import signal
from typing import Any

MIB = 1024 * 1024


def address_space_bytes() -> int:
    """This process's current virtual size (first field of ``/proc/self/statm``, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def apply_limits(
    settings: dict[str, Any], timeout: float, own_user_namespace: bool, address_space: int | None = None
) -> dict[str, int]:
    """Lower this process's limits for good; returns the values set (for the result's ``extra``).

    ``address_space`` is the process size measured earlier (before reads were confined).
    """
    cpu = max(1, math.ceil(timeout)) + 1
    size = address_space_bytes() if address_space is None else address_space
    limits = {
        "RLIMIT_AS": size + int(settings["memory_mb"]) * MIB,
        "RLIMIT_FSIZE": int(settings["file_size_mb"]) * MIB,
        "RLIMIT_NOFILE": int(settings["max_open_files"]),
        "RLIMIT_CORE": 0,
    }
    # Root ignores RLIMIT_NPROC, and an ordinary user outside a user namespace shares the count with
    # all their processes (threads included): only a namespace of our own gives it meaning.
    if own_user_namespace or os.geteuid() == 0:
        limits["RLIMIT_NPROC"] = int(settings["max_processes"])
    for name, value in limits.items():
        _lower(getattr(resource, name), value, value)
    # Soft CPU limit sends SIGXCPU (reported as a timeout); the hard one a second later kills.
    _lower(resource.RLIMIT_CPU, cpu, cpu + 1)
    limits["RLIMIT_CPU"] = cpu
    # Over-long files fail with EFBIG (a Python error) instead of killing the job with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return limits


def _lower(which: int, soft: int, hard: int) -> None:
    """Never raise a limit the worker was started with: only tighten."""
    _, cur_hard = resource.getrlimit(which)
    if cur_hard != resource.RLIM_INFINITY:
        hard = min(hard, cur_hard)
    soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))
