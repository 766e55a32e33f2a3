"""The user's sentence for a failed sandbox run, with the part measured where that helps.

:mod:`core.program.failure_text` says what to do about a failure but cannot run code; this is the
CLI's half: when the sentence needs the size of the part the failing operation was applied to
("the part is only 0.06 mm thick"), the program without that operation runs once more in the
sandbox (the same seconds limit; only on failure) and its bounding box is that size.

Commands keep the sandbox's own message too: ``message`` carries the sentence and ``detail`` the
raw OCCT text, for developers and bug reports.
"""

from __future__ import annotations

from core.program.failure_text import Failure, PartSize, explain_failure, probe_program
from core.sandbox import ExecutionResult, run_code


def measure_before_failure(failure: Failure, code: str, timeout: float) -> PartSize | None:
    """The size of the last good shape before the failing operation; None when not needed or
    not measurable (the probe program fails too)."""
    probe = probe_program(failure, code)
    if probe is None:
        return None
    measured = run_code(probe, timeout=timeout, outputs=())
    return PartSize(measured.bbox) if measured.ok and measured.bbox else None


def explain_run(result: ExecutionResult, code: str, timeout: float = 30.0) -> str | None:
    """The user's sentence for ``result`` (a run of ``code``); None when it ran or when the
    sandbox's message is as good as any."""
    if result.ok:
        return None
    failure = Failure.of(result)
    return explain_failure(failure, code, measure_before_failure(failure, code, timeout))
