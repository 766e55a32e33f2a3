"""Numbers in a CadQuery program as named, editable parameters.

The workbench shows these as FreeCAD properties and rewrites the code when one changes, so the
round trip must be exact: substituting the values a program already has gives back the very same
text, and changing one value changes only that number's characters. That is why parameters are
source spans found with ``ast`` (not regex, not ``ast.unparse``, which would reformat the code).

Two kinds: a top-level ``width = 40.0`` is the parameter ``width``; a literal number inside a call
(``.extrude(6)``, ``cq.Vector(0, 1.5, 0)``, also inside a point tuple or list) gets a name derived from the call and the argument's
meaning in CadQuery's signature (``extrude_distance``, ``Vector_y``), else by position
(``pushPoints_2_x``). Numbers inside formulas (the 2 of ``thickness / 2``) are design intent, not
dimensions, and stay fixed.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Positional argument names of common CadQuery calls, so generated names read like the API.
ARGUMENT_NAMES: dict[str, tuple[str, ...]] = {
    "box": ("length", "width", "height"),
    "rect": ("xLen", "yLen"),
    "circle": ("radius",),
    "ellipse": ("x_radius", "y_radius"),
    "polygon": ("nSides", "diameter"),
    "slot2D": ("length", "diameter", "angle"),
    "sphere": ("radius",),
    "cylinder": ("height", "radius"),
    "wedge": ("dx", "dy", "dz", "xmin", "zmin", "xmax", "zmax"),
    "extrude": ("distance",),
    "cutBlind": ("depth",),
    "twistExtrude": ("distance", "angle"),
    "revolve": ("angle",),
    "hole": ("diameter", "depth"),
    "cboreHole": ("diameter", "cboreDiameter", "cboreDepth", "depth"),
    "cskHole": ("diameter", "cskDiameter", "cskAngle", "depth"),
    "fillet": ("radius",),
    "fillet2D": ("radius",),
    "chamfer": ("length", "length2"),
    "chamfer2D": ("length",),
    "shell": ("thickness",),
    "offset2D": ("distance",),
    "workplane": ("offset",),
    "moveTo": ("x", "y"),
    "move": ("x", "y"),
    "lineTo": ("x", "y"),
    "line": ("dx", "dy"),
    "hLine": ("distance",),
    "vLine": ("distance",),
    "hLineTo": ("x",),
    "vLineTo": ("y",),
    "polarLine": ("distance", "angle"),
    "radiusArc": ("end", "radius"),
    "tangentArcPoint": ("end",),
    "center": ("x", "y"),
    "rarray": ("xSpacing", "ySpacing", "xCount", "yCount"),
    "polarArray": ("radius", "startAngle", "angle", "count"),
    "Vector": ("x", "y", "z"),
    "translate": ("x", "y", "z"),
    "rotate": ("axisStart", "axisEnd", "angle"),
    "mirror": (),
    "Location": ("x", "y", "z"),
}
_XYZ = ("x", "y", "z")


@dataclass(frozen=True)
class Parameter:
    """One editable number: its name, value and where its characters are in the source."""

    name: str
    value: float | int
    kind: str  # "variable" (top-level assignment) or "literal" (a number inside a call)
    line: int  # 1-based
    start: int  # character offsets into the source, end exclusive
    end: int
    text: str  # the source characters, e.g. "-0.75"
    call: str | None = None  # the call a literal belongs to, e.g. "extrude"


def find_parameters(code: str) -> list[Parameter]:
    """All parameters of ``code`` in source order; [] when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    offsets = _line_offsets(code)
    taken = _top_level_names(tree)
    params: list[Parameter] = []
    claimed: set[tuple[int, int]] = set()

    for stmt in tree.body:
        target, value = _numeric_assignment(stmt)
        if target is not None and value is not None and target not in {p.name for p in params}:
            params.append(_parameter(code, offsets, value, target, "variable", None))
            claimed.add(_char_span(code, offsets, value))

    counts: dict[str, int] = {}
    literals = [
        (call, node, hint, _char_span(code, offsets, node)) for call, node, hint in _call_literals(tree)
    ]
    for call, node, hint, span in sorted(literals, key=lambda item: item[3]):
        if span in claimed:
            continue
        claimed.add(span)
        base = _identifier("_".join(part for part in (call or "p", *hint) if part))
        counts[base] = counts.get(base, 0) + 1
        name = base if counts[base] == 1 else f"{base}_{counts[base]}"
        while name in taken:
            counts[base] += 1
            name = f"{base}_{counts[base]}"
        taken.add(name)
        params.append(_parameter(code, offsets, node, name, "literal", call))

    return sorted(params, key=lambda p: p.start)


def apply_parameters(code: str, values: Mapping[str, float | int]) -> str:
    """``code`` with the named parameters set to ``values``; unnamed numbers stay as written."""
    params = {p.name: p for p in find_parameters(code)}
    unknown = sorted(set(values) - set(params))
    if unknown:
        raise KeyError(f"not parameters of this program: {', '.join(unknown)}")
    out = code
    for param in sorted((params[n] for n in values), key=lambda p: p.start, reverse=True):
        new = values[param.name]
        if _same_number(new, param.value):
            continue
        out = out[: param.start] + format_number(new, param.value) + out[param.end :]
    return out


def parameter_values(code: str) -> dict[str, float | int]:
    return {p.name: p.value for p in find_parameters(code)}


def format_number(value: float | int, like: float | int | None = None) -> str:
    """Source text for ``value``: an int stays an int where the original was one, floats use repr."""
    if isinstance(like, int) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(like, int):
        return repr(float(value))
    return repr(value)


def _same_number(a: float | int, b: float | int) -> bool:
    return type(a) is type(b) and a == b


def _numeric_assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        target, value = stmt.targets[0].id, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        target, value = stmt.target.id, stmt.value
    else:
        return None, None
    return (target, value) if _number(value) is not None else (None, None)


def _number(node: ast.AST) -> float | int | None:
    """The value of a numeric literal, allowing a leading minus; None for anything else (bools too)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        if inner is not None:
            return -inner if isinstance(node.op, ast.USub) else inner
    return None


def _call_literals(tree: ast.Module):
    """(call name, literal node, name hint parts) for every number inside a call's arguments."""
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = _call_name(call.func)
        known = ARGUMENT_NAMES.get(name or "", ())
        for index, arg in enumerate(call.args):
            if index < len(known):
                hint: tuple[str, ...] = (known[index],)
            else:
                hint = () if len(call.args) == 1 else (f"arg{index + 1}",)
            yield from _literals_in(name, arg, hint)
        for kw in call.keywords:
            if kw.arg is not None:
                yield from _literals_in(name, kw.value, (kw.arg,))


def _literals_in(call: str | None, node: ast.expr, hint: tuple[str, ...]):
    if _number(node) is not None:
        yield call, node, hint
    elif isinstance(node, (ast.Tuple, ast.List)):
        is_point = len(node.elts) <= 3 and not any(isinstance(e, (ast.Tuple, ast.List)) for e in node.elts)
        base = hint[:-1] if hint and hint[-1] in _XYZ else hint  # translate((x, y, z)) -> translate_x
        for i, element in enumerate(node.elts):
            yield from _literals_in(call, element, (*base, _XYZ[i] if is_point else str(i + 1)))
    # Numbers inside formulas (the 2 of ``thickness / 2``) are part of the design intent, not
    # dimensions; nested calls yield their own literals when ast.walk reaches them.


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text).strip("_") or "p"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"p_{name}"
    return name


def _top_level_names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {"cq", "math"}


def _line_offsets(code: str) -> list[int]:
    offsets, total = [0], 0
    for line in code.splitlines(keepends=True):
        total += len(line)
        offsets.append(total)
    return offsets


def _parameter(
    code: str, offsets: list[int], node: ast.expr, name: str, kind: str, call: str | None
) -> Parameter:
    start, end = _char_span(code, offsets, node)
    value = _number(node)
    assert value is not None
    return Parameter(name, value, kind, node.lineno, start, end, code[start:end], call)


def _char_span(code: str, offsets: list[int], node: ast.expr) -> tuple[int, int]:
    def char_offset(lineno: int, byte_col: int) -> int:
        line_start = offsets[lineno - 1]
        line = code[line_start : offsets[lineno]] if lineno < len(offsets) else code[line_start:]
        return line_start + len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    return char_offset(node.lineno, node.col_offset), char_offset(node.end_lineno, node.end_col_offset)
