"""Run untrusted CadQuery code and describe the solid it makes.

Client side (this package's public API, standard library only, importable by FreeCAD's Python)::

    from core.sandbox import SandboxConfig, SandboxPool, run_code, check_code, ExecutionResult, Status

Defence in depth, outermost first (details in ``core/sandbox/README.md``):

1. Static policy (:mod:`.policy`): AST check for imports outside the allow-list, string-evaluating
   and reflective builtins, dunder access, format-string dunders, modules reached through
   CadQuery's attributes, and file I/O through importers/exporters. Runs in the client.
2. Warm zygote workers (:mod:`.zygote`) fork one child per job; the child (:mod:`.job`), before
   any user code: own process group, parent-death signal, fds closed, fresh job directory,
   scrubbed environment, new network namespace (:mod:`.namespaces`), resource limits
   (:mod:`.limits`), Landlock write/exec/TCP confinement (:mod:`.landlock`), audit hook
   (:mod:`.audit`); user code then runs with restricted builtins (:mod:`.safe_builtins`).
3. The zygote enforces the wall-clock deadline (kills the child's process group), classifies
   exit status and rusage, caps and validates the JSON answer; the client replaces dead or hung
   workers.
"""

from __future__ import annotations

from core.sandbox.config import SandboxConfig
from core.sandbox.policy import Violation, check_code
from core.sandbox.pool import SandboxClosed, SandboxPool
from core.sandbox.result import OUTPUT_FORMATS, ExecutionResult, Status
from core.sandbox.shared_pool import close_default_pool, default_pool, run_code

__all__ = [
    "OUTPUT_FORMATS",
    "ExecutionResult",
    "SandboxClosed",
    "SandboxConfig",
    "SandboxPool",
    "Status",
    "Violation",
    "check_code",
    "close_default_pool",
    "default_pool",
    "run_code",
]
