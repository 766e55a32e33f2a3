"""Scale a program by rewriting its lengths, so its parameters keep meaning what they say.

"Scale by 50" used to append ``solid.scale(50)``: the part grew but ``height`` still read 0.41 and
editing it was silently multiplied (issue 15). Instead every number that measures a length -- named
dimensions, call literals, points, and lengths inside formulas (the 2 of ``w - 2``) -- is multiplied,
and angles, counts, ratios and directions stay. This is only right when every number's quantity is
known, so a program with a number nothing places (an argument of an unknown call, a comparison)
gets None and the caller falls back to a transform.
"""

from __future__ import annotations

import ast

from core.program.cadquery_signatures import ANGLE, CONSTRUCTION, COUNT, DIRECTION, LENGTH, NUMBER
from core.program.parameters import format_number
from core.program.quantities import Quantities
from core.program.source_spans import char_span, line_offsets

_UNSCALED = (ANGLE, COUNT, NUMBER, DIRECTION, CONSTRUCTION)


def scale_lengths(code: str, factor: float) -> str | None:
    """``code`` with every length multiplied by ``factor``; None when some number's quantity is unknown."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    quantities = Quantities(tree)
    indices = _subscript_indices(tree)
    offsets = line_offsets(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
            continue
        quantity = quantities.literal(node)
        if node.value == 0 or id(node) in indices or quantity in _UNSCALED:
            continue
        if quantity != LENGTH:
            return None
        scaled = float(f"{node.value * factor:.12g}")
        start, end = char_span(code, offsets, node)
        edits.append((start, end, format_number(scaled, node.value)))
    for start, end, text in sorted(edits, reverse=True):
        code = code[:start] + text + code[end:]
    return code


def _subscript_indices(tree: ast.AST) -> set[int]:
    """Literals used as indices (``pts[1]``), which are positions in a list, not sizes."""
    return {
        id(n)
        for sub in ast.walk(tree)
        if isinstance(sub, ast.Subscript)
        for n in ast.walk(sub.slice)
        if isinstance(n, ast.Constant)
    }
