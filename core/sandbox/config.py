"""Settings of a sandbox pool: how many warm workers, which interpreter, and every limit a job runs under.

Light (standard library only): FreeCAD's Python builds a config before starting ``.venv`` workers.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from core.paths import venv_python
from core.sandbox.policy import DEFAULT_ALLOWED_IMPORTS


def default_python() -> str:
    """The project ``.venv`` interpreter (it has CadQuery) when present, else this interpreter."""
    venv = venv_python()
    return str(venv) if venv is not None else sys.executable


@dataclass(frozen=True)
class SandboxConfig:
    workers: int = 1
    # Interpreter of the workers; ``None`` means :func:`default_python`.
    python: str | None = None
    # Default wall-clock limit of one job, seconds (``submit(timeout=...)`` overrides it).
    timeout: float = 30.0
    # Address space a job may add on top of the warm worker's own (RLIMIT_AS = worker size + this).
    memory_mb: int = 2048
    # Largest file a job may write, including the sandbox's own BREP/STEP/STL exports (RLIMIT_FSIZE).
    file_size_mb: int = 256
    max_open_files: int = 256
    # Tasks (processes and threads) a job may own; applied where the job has its own user namespace
    # (otherwise the kernel counts every process of the user, and threads would be refused).
    max_processes: int = 64
    # Captured ``print`` output kept per job, characters.
    stdout_limit: int = 65536
    # Largest result frame accepted from a worker (geometry is base64 inside it).
    max_result_mb: int = 512
    # The AST policy; turning it off is for tests that prove the runtime layers on their own.
    static_check: bool = True
    allowed_imports: tuple[str, ...] = DEFAULT_ALLOWED_IMPORTS
    # New network namespace per job (falls back to audit hook + policy where the kernel refuses).
    isolate_network: bool = True
    # Landlock: kernel-enforced "write only inside the job directory, execute nothing, no TCP".
    landlock: bool = True
    # Reads only beneath the interpreter, site-packages, system libraries and the job directory
    # (Landlock and the audit hook); off only for tests that compare with and without.
    confine_reads: bool = True
    # Extra seconds the client waits past a job's timeout before it declares the worker hung.
    grace_s: float = 15.0
    # Seconds a fresh worker may take to import CadQuery and report ready.
    startup_timeout: float = 180.0
    # Environment variables added to the workers' scrubbed environment.
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.timeout <= 0:
            raise ValueError("timeout must be > 0")
        for name in ("memory_mb", "file_size_mb", "max_open_files", "max_processes", "max_result_mb"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.stdout_limit < 0:
            raise ValueError("stdout_limit must be >= 0")
        object.__setattr__(self, "allowed_imports", tuple(self.allowed_imports))

    @property
    def interpreter(self) -> str:
        return self.python or default_python()

    def worker_settings(self) -> dict[str, Any]:
        """What a worker needs to know, sent as its first frame (JSON-safe)."""
        keys = (
            "memory_mb",
            "file_size_mb",
            "max_open_files",
            "max_processes",
            "stdout_limit",
            "max_result_mb",
            "static_check",
            "allowed_imports",
            "isolate_network",
            "landlock",
            "confine_reads",
        )
        d = asdict(self)
        return {k: (list(d[k]) if isinstance(d[k], tuple) else d[k]) for k in keys}
