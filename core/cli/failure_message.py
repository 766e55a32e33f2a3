"""The user's sentence for a failed run in the CLI, measuring the part in the sandbox when needed.

:func:`core.program.failure_text.explain_result` takes the sandbox as a function (the workbench
passes its pool); here it is :func:`core.sandbox.run_code`, with the command's seconds limit, and
the extra run happens only on failure and only when the sentence needs the part's size ("the part
is only 0.06 mm thick"). Commands keep the sandbox's own message too: ``message`` carries the
sentence and ``detail`` the raw OCCT text, for developers and bug reports.
"""

from __future__ import annotations

from core.program.failure_text import Failure, explain_measured, explain_result
from core.sandbox import ExecutionResult, run_code


def explain_run(result: ExecutionResult, code: str, timeout: float = 30.0) -> str | None:
    """The user's sentence for ``result`` (a run of ``code``); None when it ran or when the
    sandbox's message is as good as any."""
    return explain_result(result, code, lambda probe: run_code(probe, timeout=timeout, outputs=()))


def explain_reported(status: str, message: str, code: str, timeout: float = 30.0) -> str | None:
    """The same for a failure known only by its status and message (a model edit's chosen candidate)."""
    failure = Failure.reported(status, message)
    return explain_measured(failure, code, lambda probe: run_code(probe, timeout=timeout, outputs=()))
