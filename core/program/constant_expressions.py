"""The value of a constant expression (``12 / 2``, ``2 * 25.4``, ``math.sqrt(2) * 10``), safely.

People write dimensions as arithmetic on literals; such a variable is still one number the user may
want to change, so it becomes a parameter whose value is the expression's. Only literals, arithmetic
and ``math``'s constants and pure functions are evaluated -- never a name, never an arbitrary call.
"""

from __future__ import annotations

import ast
import math
import operator

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_MATH_CONSTANTS = {"pi": math.pi, "tau": math.tau, "e": math.e}
_MATH_FUNCTIONS = {
    name: getattr(math, name)
    for name in ("sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "radians", "degrees", "hypot")
}


def literal_number(node: ast.AST) -> float | int | None:
    """A numeric literal, with an optional sign; None for anything else (bools too)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_number(node.operand)
        if inner is not None:
            return -inner if isinstance(node.op, ast.USub) else inner
    return None


def constant_value(node: ast.AST) -> float | int | None:
    """The value of ``node`` if it is arithmetic on literals and ``math``; else None."""
    try:
        value = _evaluate(node)
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return None
    if type(value) not in (int, float) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, int) and abs(value) > 2**31 - 1:
        return None  # FreeCAD's integer properties are 32-bit
    return value


def _evaluate(node: ast.AST) -> object:
    number = literal_number(node)
    if number is not None:
        return number
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _evaluate(node.operand)
        return -inner if isinstance(node.op, ast.USub) else inner  # type: ignore[operator]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:  # type: ignore[arg-type]
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if _is_math(node, ast.Attribute) and node.attr in _MATH_CONSTANTS:  # type: ignore[attr-defined]
        return _MATH_CONSTANTS[node.attr]  # type: ignore[attr-defined]
    if (
        isinstance(node, ast.Call)
        and _is_math(node.func, ast.Attribute)
        and node.func.attr in _MATH_FUNCTIONS  # type: ignore[attr-defined]
        and not node.keywords
    ):
        return _MATH_FUNCTIONS[node.func.attr](*(_evaluate(a) for a in node.args))  # type: ignore[attr-defined]
    raise ValueError("not a constant expression")


def _is_math(node: ast.AST, kind: type) -> bool:
    return isinstance(node, kind) and isinstance(node.value, ast.Name) and node.value.id == "math"  # type: ignore[attr-defined]
