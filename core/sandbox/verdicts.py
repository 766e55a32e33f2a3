"""Results decided from the source alone (syntax errors, policy violations), for client and worker alike."""

from __future__ import annotations

from collections.abc import Iterable

from core.sandbox.policy import SyntaxProblem, Violation, check_code, parse
from core.sandbox.result import ExecutionResult, Status

_SHOWN_VIOLATIONS = 10


def forbidden_result(violations: list[Violation]) -> ExecutionResult:
    """``message`` lists the first violations as "line 3: forbidden: call of eval"; all are in ``extra``."""
    shown = violations[:_SHOWN_VIOLATIONS]
    more = f" (and {len(violations) - len(shown)} more)" if len(violations) > len(shown) else ""
    return ExecutionResult(
        Status.FORBIDDEN,
        message="; ".join(str(v) for v in shown) + more,
        line=violations[0].line,
        extra={
            "violations": [
                {"line": v.line, "col": v.col, "rule": v.rule, "detail": v.detail} for v in violations
            ]
        },
    )


def static_verdict(
    code: str, allowed_imports: Iterable[str], static_check: bool = True
) -> ExecutionResult | None:
    """The result for code that does not parse or that the policy refuses; ``None`` when it may run.

    With ``static_check`` off only syntax is checked (tests of the runtime layers).
    """
    try:
        if not static_check:
            parse(code)
            return None
        violations = check_code(code, allowed_imports)
    except SyntaxProblem as exc:
        return ExecutionResult(Status.SYNTAX_ERROR, message=exc.message, line=exc.line)
    return forbidden_result(violations) if violations else None
