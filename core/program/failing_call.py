"""Which CadQuery operation a failure points at, and the program without it (standard library only).

The sandbox reports a failure as the line it happened on ("line 6: StdFail_NotDone: ..."); a user
needs the operation ("the 1 mm fillet") and the size of the part it was applied to. This module
reads both out of the source: the call on that line most likely to have failed (OCCT's fragile
operations first), its size argument through the program's named parameters, and the program with
that one call taken out of its chain, whose solid is "the last good shape" a caller can measure.

Source text is edited by the AST's character offsets rather than regenerated with ``ast.unparse``:
this also runs in FreeCAD's Python, and the probe program is never shown to anyone.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass

# Operations OCCT most often refuses, the likeliest culprit first when a line has several.
FRAGILE = (
    "fillet",
    "chamfer",
    "shell",
    "hole",
    "cboreHole",
    "cskHole",
    "cutBlind",
    "cutThruAll",
    "cut",
    "union",
    "intersect",
    "combine",
    "loft",
    "sweep",
    "revolve",
    "extrude",
    "twistExtrude",
    "offset2D",
    "fillet2D",
    "chamfer2D",
    "split",
)
# Statements that hold other statements: the failing one is inside.
_COMPOUND = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With, ast.Try)
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass(frozen=True)
class Operation:
    """One method call of the program: ``.fillet(radius)`` on line 6."""

    method: str
    value: float | None  # the first argument as a number (via named parameters), when it is one
    line: int
    values: tuple[float | None, ...] = ()  # every positional argument, the same way
    statement_line: int = 0  # first line of the statement holding the call
    # character span of ``.method(...)`` in the source (start line/col, end line/col; 1-based lines)
    span: tuple[int, int, int, int] = (0, 0, 0, 0)
    target: str | None = None  # the variable the statement assigns, if one


def failing_operation(code: str, line: int | None, prefer: tuple[str, ...] = FRAGILE) -> Operation | None:
    """The call on ``line`` most likely to have failed: the first of ``prefer`` found among the
    statement's calls, else its last (outermost) method call; None when the code does not parse."""
    calls, statement = _calls_on_line(code, line)
    if not calls or statement is None:
        return None
    ranked = sorted(calls, key=lambda c: prefer.index(c.func.attr) if c.func.attr in prefer else len(prefer))
    best = ranked[0]
    if best.func.attr not in prefer:  # nothing known: the last call applied is the outermost one
        best = max(calls, key=lambda c: (c.end_lineno or 0, c.end_col_offset or 0))
    params = numeric_parameters(code)
    values = tuple(_number(arg, params) for arg in best.args)
    return Operation(
        method=best.func.attr,
        value=values[0] if values else None,
        line=best.func.end_lineno or best.lineno,
        values=values,
        statement_line=statement.lineno,
        span=(
            best.func.value.end_lineno,
            best.func.value.end_col_offset,
            best.end_lineno,
            best.end_col_offset,
        ),
        target=_target(statement),
    )


def method_calls(code: str, line: int | None) -> list[str]:
    """Names of the methods called by the statement on ``line``, in the order they are applied."""
    calls, _ = _calls_on_line(code, line)
    return [c.func.attr for c in sorted(calls, key=lambda c: (c.end_lineno or 0, c.end_col_offset or 0))]


def numeric_parameters(code: str) -> dict[str, float]:
    """Top-level ``name = number`` assignments (the program's named dimensions)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, float] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _number(node.value, found)
            if value is not None:
                found[node.targets[0].id] = value
    return found


def without_operation(code: str, op: Operation, final: str = "solid") -> str:
    """The program up to the failing statement, that statement minus ``op``'s call, and ``final``
    bound to what it assigns: running it gives the shape ``op`` was applied to."""
    lines = code.splitlines(keepends=True)
    start_line, start_col, end_line, end_col = op.span
    head = "".join(lines[: start_line - 1]) + _cut(lines[start_line - 1], start_col)
    tail = lines[end_line - 1][_char_index(lines[end_line - 1], end_col) :]
    last_statement_line = max(end_line, _statement_end(code, op.statement_line))
    rest = "".join(lines[end_line:last_statement_line])
    probe = head + tail + rest
    if op.target and op.target != final:
        probe = probe.rstrip("\n") + f"\n{final} = {op.target}\n"
    return probe


def _calls_on_line(code: str, line: int | None) -> tuple[list[ast.Call], ast.stmt | None]:
    if line is None:
        return [], None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return [], None
    statement = _innermost_statement(tree, line)
    if statement is None:
        return [], None
    calls = [
        node
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        # the method name sits on ``line`` (chains spread over lines report the line of the call)
        and (node.func.end_lineno == line or statement.lineno == statement.end_lineno)
    ]
    if not calls:  # a multi-line statement whose reported line holds no method name
        calls = [
            n for n in ast.walk(statement) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        ]
    return calls, statement


def _innermost_statement(tree: ast.AST, line: int) -> ast.stmt | None:
    best: ast.stmt | None = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.stmt)
            and not isinstance(node, _COMPOUND)
            and node.lineno <= line <= (node.end_lineno or node.lineno)
            and (best is None or node.lineno >= best.lineno)
        ):
            best = node
    return best


def _statement_end(code: str, statement_line: int) -> int:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return statement_line
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno == statement_line:
            return node.end_lineno or statement_line
    return statement_line


def _target(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(statement, ast.AugAssign | ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


def _number(node: ast.AST, params: dict[str, float]) -> float | None:
    """A constant expression of numbers and named parameters (+ - * /), else None."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.Name):
        return params.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _number(node.operand, params)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _number(node.left, params), _number(node.right, params)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return float(_ARITHMETIC[type(node.op)](left, right))
    return None


def _char_index(line: str, utf8_col: int) -> int:
    """AST columns count UTF-8 bytes; string slicing counts characters."""
    return len(line.encode("utf-8")[:utf8_col].decode("utf-8", errors="ignore"))


def _cut(line: str, utf8_col: int) -> str:
    return line[: _char_index(line, utf8_col)]
