"""Snapping sized dimensions to the values a designer would have typed, when the picture agrees.

After ``real_size`` a hole reads 6.4873 mm and a plate 4.93 mm: right in proportion, but nobody
draws that. A designer uses a 0.5 mm grid, ISO 273 clearance holes (6.6 for M6), ISO tapping drills
(5.0 for M6) and stock sheet and plate thicknesses. Each length parameter gets its preferred
candidates (by what its name and call say it is), nearest first; a snap is kept only when the part
still matches the picture: the render-and-compare score (the pipeline's, zoom-normalised, so the
overall scale does not enter) may change by less than ``tolerance`` against the unsnapped part.
The scorer is passed in, so this module runs nothing itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.program.parameters import Parameter, apply_parameters, find_parameters

# ISO 273 clearance holes, medium series (M1.6 ... M36), mm.
ISO_CLEARANCE = (
    1.8,
    2.4,
    2.9,
    3.4,
    4.5,
    5.5,
    6.6,
    9.0,
    11.0,
    13.5,
    15.5,
    17.5,
    20.0,
    22.0,
    24.0,
    26.0,
    30.0,
    33.0,
    39.0,
)
# Tapping drill diameters for ISO metric coarse threads (M1.6 ... M36), mm.
ISO_TAP_DRILL = (
    1.25,
    1.6,
    2.05,
    2.5,
    3.3,
    4.2,
    5.0,
    6.8,
    8.5,
    10.2,
    12.0,
    14.0,
    15.5,
    17.5,
    19.5,
    21.0,
    26.5,
    32.0,
)
# Common sheet and plate thicknesses, mm.
PLATE_THICKNESS = (
    0.5,
    0.8,
    1.0,
    1.2,
    1.5,
    2.0,
    2.5,
    3.0,
    4.0,
    5.0,
    6.0,
    8.0,
    10.0,
    12.0,
    15.0,
    20.0,
    25.0,
    30.0,
    40.0,
    50.0,
)
GRID = 0.5  # mm: the general grid
RELATIVE_REACH = 0.08  # a table value is a candidate within 8 % of the value

_HOLE = re.compile(r"(^|_)(hole|holes|bore|bolt|drill|screw|clearance|tap|cbore|csk|countersink|counterbore)")
# Where a hole is or how deep it goes, not how wide: ``hole_2_depth``, ``hole_spacing``, ``bolt_x``.
_PLACEMENT = re.compile(
    r"(^|_)(depth|deep|length|len|height|spacing|space|pitch|offset|off|pos|position|distance|dist|"
    r"dx|dy|dz|x|y|z|inset|margin|edge|center|centre|cx|cy|from)(_|$|\d)"
)
_RADIUS = re.compile(r"(^|_)(r|rad|radius)(_|$)")
_THICKNESS = re.compile(r"(^|_)(t|thk|thick|thickness|wall|sheet|plate|gauge)(_|$)")

# Scores of programs, in order; the caller runs and renders them. None: not acceptable (no valid
# solid, or a rule of the caller's, such as keeping the user's known dimension).
Scorer = Callable[[Sequence[str]], list[float | None]]


@dataclass(frozen=True)
class Snap:
    name: str
    before: float
    after: float
    rule: str  # "iso_clearance" | "iso_tap_drill" | "plate_thickness" | "grid_0.5"
    score_change: float | None  # snapped-part score minus unsnapped-part score (all snaps so far applied)
    # "match": kept or refused by the picture; "refused": the scorer would not score the part (no
    # valid solid, or the caller's own rule, e.g. the user's known dimension would move)
    reason: str = "match"


@dataclass
class SnapReport:
    code: str
    reference: float | None  # the unsnapped part's score
    score: float | None  # the final part's score
    tolerance: float
    snapped: list[Snap] = field(default_factory=list)
    rejected: list[Snap] = field(default_factory=list)  # tried, but the picture disagreed
    runs: int = 0


def preferred(param: Parameter) -> list[tuple[float, str]]:
    """Candidate values for ``param`` with the rule behind each, nearest first; [] when it sits on one."""
    value = float(param.value)
    magnitude, sign = abs(value), math.copysign(1.0, value)
    if magnitude == 0:
        return []
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", param.name).lower()  # cboreDepth -> cbore_depth
    radius = bool(_RADIUS.search(name))
    half = 0.5 if radius else 1.0
    tables: list[tuple[tuple[float, ...], str]] = []
    if _is_hole_size(param, name):
        tables += [(ISO_CLEARANCE, "iso_clearance"), (ISO_TAP_DRILL, "iso_tap_drill")]
    if _THICKNESS.search(name):
        tables.append((PLATE_THICKNESS, "plate_thickness"))
    options: dict[float, str] = {}
    for table, rule in tables:
        for entry in table:
            target = entry * half
            if abs(target - magnitude) <= RELATIVE_REACH * magnitude:
                options.setdefault(round(target, 6), rule)
    # A hole or plate near a standard value should take it even when it sits on the grid (6.5 -> 6.6
    # for M6): the grid is the fallback, and "already preferred" means on the table when one is near.
    on_grid = round(magnitude / GRID) * GRID
    if on_grid > 0:
        options.setdefault(round(on_grid, 6), "grid_0.5")
    standard = [v for v, rule in options.items() if rule != "grid_0.5"] or list(options)
    if any(math.isclose(v, magnitude, rel_tol=1e-9, abs_tol=1e-9) for v in standard):
        return []  # already a preferred value
    ranked = sorted(
        ((v, rule) for v, rule in options.items() if not math.isclose(v, magnitude, rel_tol=1e-9)),
        key=lambda item: (item[1] == "grid_0.5", abs(item[0] - magnitude)),
    )
    return [(sign * v, rule) for v, rule in ranked]


def _is_hole_size(param: Parameter, name: str) -> bool:
    """A hole's diameter or radius, not its depth, position or counterbore: only those take the
    clearance and tapping tables (a 6.24 mm hole depth is not an M6 clearance hole)."""
    if param.kind == "literal" and param.call in ("hole", "cboreHole", "cskHole"):
        return bool(re.search(r"(^|_)hole_diameter(_\d+)?$", name))  # not cboreDiameter
    return (
        bool(_HOLE.search(name)) and not _PLACEMENT.search(name) and "cbore" not in name and "csk" not in name
    )


def snap_dimensions(
    code: str,
    score: Scorer,
    *,
    tolerance: float = 0.005,
    budget: int = 60,
    reference: float | None = None,
) -> SnapReport:
    """Snap every length parameter of ``code`` that the picture allows, one at a time, in source order.

    A parameter's candidates are tried nearest first; the first whose part (with every snap kept so
    far) scores within ``tolerance`` of the unsnapped part is kept. Judging against the unsnapped
    part, not the previous step, keeps many small changes from adding up to a large one.
    """
    runs = 0
    if reference is None:
        reference = score([code])[0]
        runs = 1
    report = SnapReport(code, reference, reference, tolerance, runs=runs)
    if reference is None:
        return report
    values: dict[str, float] = {}
    for param in find_parameters(code):
        if param.quantity != "length":
            continue
        for value, rule in preferred(param):
            if report.runs >= budget:
                return report
            trial = apply_parameters(code, {**values, param.name: _as_like(value, param.value)})
            got = score([trial])[0]
            report.runs += 1
            change = round(got - reference, 6) if got is not None else None
            snap = Snap(
                param.name, float(param.value), value, rule, change, "match" if got is not None else "refused"
            )
            if got is not None and reference - got < tolerance:
                values[param.name] = _as_like(value, param.value)
                report.code, report.score = trial, got
                report.snapped.append(snap)
                break
            report.rejected.append(snap)
    return report


def _as_like(value: float, like: float | int) -> float | int:
    """An int parameter stays an int when the snapped value is whole."""
    return int(value) if isinstance(like, int) and float(value).is_integer() else value
