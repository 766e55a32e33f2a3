"""Where a program's dimensions are written, and what to call them.

Two sources. Named numbers: every way people bind a name to a number -- ``w = 40``, ``w: float =
40``, ``length, width = 80.0, 50.0``, ``a = b = 5``, ``r = 12 / 2`` (a constant expression: its
value, rewritten whole when changed), ``pts = [(0, 0), (10, 5)]`` (``pts_2_x``), a function's
default ``def plate(width=40)``, at any depth, a name bound twice numbered (``w``, ``w_2``). Literal
numbers in calls: named after the call and the argument in CadQuery's signature (``extrude_distance``,
``Vector_y``), else by position (``pushPoints_2_x``).

Not dimensions, so not parameters (issue 15): zeros in calls and point lists, which are origins and
placeholders; directions and axes (``rotate``'s axis, a plane's normal, ``(0, 0, 1)``); construction
values (tolerances, colours, display options); the spacing of an ``rarray`` row of one; and numbers
inside formulas (the 2 of ``thickness / 2``), which are design intent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from core.program.cadquery_signatures import LENGTH, NOT_DIMENSIONS, NUMBER, argument
from core.program.constant_expressions import constant_value, literal_number
from core.program.quantities import Quantities

_XYZ = ("x", "y", "z")


@dataclass(frozen=True)
class Site:
    """One number (or constant expression) that is a parameter, before its name is made unique."""

    name: str
    node: ast.expr
    value: float | int
    kind: str  # "variable" (bound to a name) or "literal" (in a call or a named list of points)
    quantity: str
    call: str | None = None
    # False for a number that only looks like a dimension (a zero, an axis): it is no parameter, but
    # it keeps its place in the numbering, so a value typed into one parameter (a zero, say) never
    # renames the others -- the FreeCAD properties are matched to the code by name.
    dimension: bool = True


def variable_sites(tree: ast.Module, quantities: Quantities) -> list[Site]:
    """Named numbers in source order; a name bound again gets ``_2``, ``_3``..."""
    bindings = sorted(_bindings(tree), key=lambda b: (b[1].lineno, b[1].col_offset))
    sites: list[Site] = []
    for target, value in bindings:
        sites.extend(_bind(target, value, quantities))
    return sites


def literal_sites(tree: ast.Module, quantities: Quantities) -> Iterator[Site]:
    """Numbers written directly as call arguments (also in point tuples and lists), with base names;
    ``dimension`` False for those that are not parameters."""
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = _call_name(call.func)
        skip = _construction_arguments(name, call, quantities)
        for index, arg in enumerate(call.args):
            arg_name, _ = argument(name, index, None)
            if arg_name and not (len(call.args) == 1 and isinstance(arg, (ast.Tuple, ast.List))):
                hint: tuple[str, ...] = (arg_name,)
            else:
                hint = () if len(call.args) == 1 else (f"arg{index + 1}",)
            parts = (name or "p", *hint)
            yield from _numbers_in(arg, parts, quantities, "literal", name, dimension=index not in skip)
        for kw in call.keywords:
            if kw.arg is not None:
                parts = (name or "p", kw.arg)
                yield from _numbers_in(
                    kw.value, parts, quantities, "literal", name, dimension=kw.arg not in skip
                )


def _bindings(tree: ast.Module) -> Iterator[tuple[ast.expr, ast.expr]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            yield node.targets[0], node.value  # ``a = b = 5``: one number, named by the first
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield node.target, node.value
        elif isinstance(node, ast.arguments):
            positional = node.posonlyargs + node.args
            for arg, default in zip(
                positional[len(positional) - len(node.defaults) :], node.defaults, strict=False
            ):
                yield ast.Name(id=arg.arg, lineno=arg.lineno, col_offset=arg.col_offset), default
            for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=False):
                if default is not None:
                    yield ast.Name(id=arg.arg, lineno=arg.lineno, col_offset=arg.col_offset), default


def _bind(target: ast.expr, value: ast.expr, quantities: Quantities) -> Iterator[Site]:
    if isinstance(target, (ast.Tuple, ast.List)):
        if (
            isinstance(value, (ast.Tuple, ast.List))
            and len(value.elts) == len(target.elts)
            and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
        ):
            for t, v in zip(target.elts, value.elts, strict=True):
                yield from _bind(t, v, quantities)
        return
    if not isinstance(target, ast.Name):
        return
    number = constant_value(value)
    if number is not None:
        quantity = quantities.name(target.id)
        if literal_number(value) is None and _uses_radians(value):
            quantity = NUMBER  # math.radians(30) is in radians, not the degrees an angle shows
        yield Site(target.id, value, number, "variable", quantity)
    elif isinstance(value, (ast.Tuple, ast.List, ast.Dict)):
        yield from _numbers_in(value, (target.id,), quantities, "literal", None, named=True)


def _numbers_in(
    node: ast.expr,
    parts: tuple[str, ...],
    quantities: Quantities,
    kind: str,
    call: str | None,
    named: bool = False,
    dimension: bool = True,
) -> Iterator[Site]:
    """Literal numbers in ``node`` (a number, or tuples, lists and dicts of them), not formulas."""
    value = literal_number(node)
    if value is not None:
        quantity = quantities.literal(node) or (quantities.name(parts[0]) if named else NUMBER)
        dimension = dimension and value != 0 and quantity not in NOT_DIMENSIONS
        yield Site("_".join(parts), node, value, kind, quantity, call, dimension)
    elif isinstance(node, (ast.Tuple, ast.List)):
        dimension = dimension and not _is_direction(node.elts, quantities)
        is_point = 2 <= len(node.elts) <= 3 and not any(
            isinstance(e, (ast.Tuple, ast.List)) for e in node.elts
        )
        for i, element in enumerate(node.elts):
            suffix = _XYZ[i] if is_point else str(i + 1)
            yield from _numbers_in(element, (*parts, suffix), quantities, kind, call, named, dimension)
    elif isinstance(node, ast.Dict):
        for key, element in zip(node.keys, node.values, strict=False):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield from _numbers_in(element, (*parts, key.value), quantities, kind, call, named, dimension)


def _construction_arguments(name: str | None, call: ast.Call, quantities: Quantities) -> set[int | str]:
    """Arguments of ``call`` that only look like dimensions: direction vectors, lone-row spacings."""
    skip: set[int | str] = set()
    if name == "Vector" and _is_direction(call.args, quantities):
        skip |= set(range(len(call.args)))
    if name == "rarray":
        counts = dict(enumerate(call.args)) | {kw.arg: kw.value for kw in call.keywords if kw.arg}
        for spacing, count in ((0, 2), (1, 3)):
            value = literal_number(counts.get(count) or counts.get(("xCount", "yCount")[spacing]))
            if value == 1:
                skip |= {spacing, ("xSpacing", "ySpacing")[spacing]}
    return skip


def _is_direction(elements: list[ast.expr], quantities: Quantities) -> bool:
    """Three components, each -1, 0 or 1, not all zero, that no CadQuery argument says is a length
    (``translate((0, 0, 1))`` is a move): an axis, not a place."""
    values = [literal_number(e) for e in elements]
    if len(values) != 3 or not all(v in (-1, 0, 1) for v in values) or not any(values):
        return False
    return not any(
        quantities.literal(e) == LENGTH and id(_operand(e)) not in quantities.assumed
        for e, v in zip(elements, values, strict=True)
        if v
    )


def _operand(node: ast.expr) -> ast.expr:
    return node.operand if isinstance(node, ast.UnaryOp) else node


def _uses_radians(node: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "radians"
        for n in ast.walk(node)
    )


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
