"""Checks that a program's parameters round-trip exactly: the promise the FreeCAD feature relies on.

The feature rewrites its code from the property values and matches properties to numbers by name,
so for every parameter: unchanged values give back the very same text; a new value changes only
that number's characters and the code still parses; and no other parameter changes name or place
(a new one may appear, as an ``rarray`` spacing does once its count is no longer 1). Used by the
tests and by ``scripts/cq_corpus.py`` on programs written outside this project.
"""

from __future__ import annotations

import ast

from core.program.parameters import Parameter, apply_parameters, find_parameters


def round_trip_problems(code: str) -> list[str]:
    """What breaks the round trip of ``code``'s parameters ([] when nothing does)."""
    params = find_parameters(code)
    problems = []
    if apply_parameters(code, {p.name: p.value for p in params}) != code:
        problems.append("unchanged values changed the text")
    if len({p.name for p in params}) != len(params) or not all(p.name.isidentifier() for p in params):
        problems.append("names are not unique identifiers")
    for p in params:
        if code[p.start : p.end] != p.text:
            problems.append(f"{p.name}: span does not hold its text")
            continue
        new = changed_value(p.value)
        changed = apply_parameters(code, {p.name: new})
        if changed[: p.start] != code[: p.start] or not changed.endswith(code[p.end :]):
            problems.append(f"{p.name}: a change touched other characters")
        elif not _parses(changed):
            problems.append(f"{p.name}: a change broke the syntax")
        elif not _same_places(params, find_parameters(changed), p, len(changed) - len(code)):
            problems.append(f"{p.name}: a change moved another parameter's name")
    return problems


def changed_value(value: float | int) -> float | int:
    """A different value of the same sign (a zero would stop being a parameter)."""
    step = 1 if value >= 0 else -1
    return value + step if isinstance(value, int) else round(value * 1.1 + 0.1 * step, 6)


def _same_places(before: list[Parameter], after: list[Parameter], changed: Parameter, shift: int) -> bool:
    """Every parameter but ``changed`` keeps its name on the same number (new ones may appear, as an
    ``rarray`` spacing does once its count is no longer 1): FreeCAD matches properties by name."""
    where = {q.name: q.start for q in after}
    return all(
        where.get(q.name) == (q.start + shift if q.start > changed.start else q.start)
        for q in before
        if q.name != changed.name
    )


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True
