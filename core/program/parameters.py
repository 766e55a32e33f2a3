"""Numbers in a CadQuery program as named, editable parameters.

The workbench shows these as FreeCAD properties and rewrites the code when one changes, so the
round trip must be exact: substituting the values a program already has gives back the very same
text, and changing one value changes only that number's characters. That is why parameters are
source spans found with ``ast`` (not regex, not ``ast.unparse``, which would reformat the code).

Which numbers are parameters and what they are called: ``parameter_sites`` (named numbers in every
form people write them, then literal numbers in calls; zeros, axes and construction values are
not dimensions). What each measures (``Parameter.quantity``: length, angle, count or number):
``quantities``. A constant expression (``r = 12 / 2``) is one parameter with the expression's value;
left unchanged it stays as written, changed it is replaced by the new number.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.program.cadquery_signatures import SIGNATURES
from core.program.parameter_sites import Site, literal_sites, variable_sites
from core.program.quantities import Quantities
from core.program.source_spans import char_span as _char_span
from core.program.source_spans import line_offsets as _line_offsets

# Positional argument names of common CadQuery calls (kept for callers of the old table).
ARGUMENT_NAMES: dict[str, tuple[str, ...]] = {
    call: tuple(name for name, _ in arguments) for call, arguments in SIGNATURES.items()
}


@dataclass(frozen=True)
class Parameter:
    """One editable number: its name, value and where its characters are in the source."""

    name: str
    value: float | int
    kind: str  # "variable" (bound to a name) or "literal" (a number inside a call or a point list)
    line: int  # 1-based
    start: int  # character offsets into the source, end exclusive
    end: int
    text: str  # the source characters, e.g. "-0.75" (or "12 / 2" for a constant expression)
    call: str | None = None  # the call a literal belongs to, e.g. "extrude"
    quantity: str = "length"  # "length" (mm) | "angle" (degrees) | "count" | "number" (ratio, unknown)


def find_parameters(code: str) -> list[Parameter]:
    """All parameters of ``code`` in source order; [] when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    offsets = _line_offsets(code)
    quantities = Quantities(tree)
    taken = _top_level_names(tree)
    params: list[Parameter] = []
    claimed: list[tuple[int, int]] = []

    seen: set[str] = set()
    for site in variable_sites(tree, quantities):
        span = _char_span(code, offsets, site.node)
        if not site.dimension or _overlaps(span, claimed):
            continue
        name = site.name if site.name not in seen else _fresh(site.name, taken | seen)
        seen.add(name)
        taken.add(name)
        claimed.append(span)
        params.append(_parameter(code, span, site, name))

    # Every number in a call is numbered, parameter or not, so the names do not depend on values.
    counts: dict[str, int] = {}
    literals = [(site, _char_span(code, offsets, site.node)) for site in literal_sites(tree, quantities)]
    for site, span in sorted(literals, key=lambda item: item[1]):
        if _overlaps(span, claimed):
            continue
        base = _identifier(site.name)
        counts[base] = counts.get(base, 0) + 1
        name = base if counts[base] == 1 else f"{base}_{counts[base]}"
        while name in taken:
            counts[base] += 1
            name = f"{base}_{counts[base]}"
        taken.add(name)
        if site.dimension:
            claimed.append(span)
            params.append(_parameter(code, span, site, name))

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


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text).strip("_") or "p"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"p_{name}"
    return name


def _top_level_names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {"cq", "math"}


def _parameter(code: str, span: tuple[int, int], site: Site, name: str) -> Parameter:
    start, end = span
    return Parameter(
        name, site.value, site.kind, site.node.lineno, start, end, code[start:end], site.call, site.quantity
    )


def _overlaps(span: tuple[int, int], claimed: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in claimed)


def _fresh(base: str, taken: set[str]) -> str:
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
