"""Bounds on what leaves the sandbox in words: a result's ``message`` and ``stdout``.

The message is what the self-repair turn sends back to the model endpoint, which may be remote.
Applied in the zygote (trusted, unconfined) to every answer, including one a job forged by writing
its own frame: whatever a job managed to put in a message, at most :data:`MESSAGE_CAP` characters
of it leave, and no more than the configured ``stdout_limit`` of its output.
"""

from __future__ import annotations

from core.sandbox.result import ExecutionResult

# "line 12: ValueError: <a few hundred characters>"; forbidden results list several violations.
MESSAGE_CAP = 500
_ELLIPSIS = " [...]"


def clip(text: str, cap: int) -> str:
    """``text`` cut to ``cap`` characters, marked when cut."""
    if len(text) <= cap:
        return text
    return text[: max(0, cap - len(_ELLIPSIS))] + _ELLIPSIS


def bound_result(result: ExecutionResult, stdout_limit: int) -> ExecutionResult:
    """Cap ``message`` and ``stdout`` in place; returns ``result`` for chaining."""
    result.message = clip(str(result.message), MESSAGE_CAP)
    result.stdout = clip(str(result.stdout), stdout_limit + 100)  # room for the "not kept" note
    return result
