"""Real size: one known dimension of the part, in mm, turns a proportion-only program into a sized one.

A picture shows proportions, never size, so the model's parts come out around one unit (a 60 mm
bracket arrives as 0.7 x 0.5 x 0.4). The user knows one number -- the overall length along an axis,
or the longest side -- and every *length* of the program scales with it, while counts, angles and
ratios stay (``core.program.scaling`` uses the quantity of each number, ``core.program.quantities``).
Names and layout of the code are kept: only the characters of the numbers change.

Grammar of a size spec (``image2cad --size SPEC``, the workbench's "known dimension")::

    SPEC   := [AXIS "="] NUMBER ["mm"]
    AXIS   := "x" | "y" | "z" | "longest"        (case-insensitive; no axis: "longest")
    NUMBER := a positive decimal, e.g. 60, 12.5, 1e2

``60`` and ``longest=60`` set the bounding box's longest side to 60 mm; ``x=60`` its extent along X.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.program.parameters import apply_parameters, find_parameters
from core.program.scaling import scale_lengths

AXES = ("x", "y", "z", "longest")
_SPEC = re.compile(r"^\s*(?:(?P<axis>[a-z]+)\s*[=:]\s*)?(?P<number>[0-9.eE+-]+)\s*(?:mm)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SizeSpec:
    """The one dimension the user knows: ``axis`` ("x", "y", "z" or "longest") measures ``mm``."""

    axis: str
    mm: float

    def __str__(self) -> str:
        return f"{self.axis}={self.mm:g}"


def parse_size(text: str) -> SizeSpec:
    """``"60"``, ``"longest=60"``, ``"x=60"``, ``"Z = 12.5 mm"`` -> SizeSpec; ValueError naming the grammar."""
    match = _SPEC.match(text or "")
    axis = (match.group("axis") or "longest").lower() if match else ""
    try:
        mm = float(match.group("number")) if match else math.nan
    except ValueError:
        mm = math.nan
    if not match or axis not in AXES or not math.isfinite(mm) or mm <= 0:
        raise ValueError(
            f"size {text!r} is not understood: write a length in mm, optionally after an axis, "
            "e.g. 60, longest=60, x=60, z=12.5"
        )
    return SizeSpec(axis, mm)


def measured(spec: SizeSpec, bbox: tuple[float, float, float, float, float, float]) -> float:
    """The extent the spec talks about, in the program's own units (xmin ymin zmin xmax ymax zmax)."""
    extents = [bbox[3] - bbox[0], bbox[4] - bbox[1], bbox[5] - bbox[2]]
    return max(extents) if spec.axis == "longest" else extents["xyz".index(spec.axis)]


def scale_factor(spec: SizeSpec, bbox: tuple[float, float, float, float, float, float]) -> float:
    """The factor that makes the measured extent ``spec.mm``; ValueError for a flat extent."""
    extent = measured(spec, bbox)
    if not extent > 1e-12:
        raise ValueError(f"the part has no extent along {spec.axis}: cannot size it by that axis")
    return spec.mm / extent


@dataclass(frozen=True)
class Scaled:
    code: str
    factor: float
    method: str  # "lengths": every length number; "parameters": the named length parameters only


def scale_program(code: str, factor: float) -> Scaled | None:
    """``code`` with its lengths multiplied by ``factor``, keeping names and layout; None when it
    cannot be done by rewriting numbers. Every number whose quantity is known is the first choice;
    a program with numbers nothing places falls back to its named length parameters (the caller
    checks the result's bounding box, since unnamed lengths would then stay put)."""
    scaled = scale_lengths(code, factor)
    if scaled is not None:
        return Scaled(scaled, factor, "lengths")
    lengths = {
        p.name: _scaled_number(p.value * factor)
        for p in find_parameters(code)
        if p.quantity == "length" and p.value != 0
    }
    if not lengths:
        return None
    return Scaled(apply_parameters(code, lengths), factor, "parameters")


def _scaled_number(value: float) -> float:
    return float(f"{value:.12g}")


def bbox_scaled_by(
    before: tuple[float, ...], after: tuple[float, ...], factor: float, tolerance: float = 0.01
) -> bool:
    """Did the solid grow by ``factor`` in every direction (relative ``tolerance``)?"""
    for axis in range(3):
        expected = (before[axis + 3] - before[axis]) * factor
        got = after[axis + 3] - after[axis]
        if abs(got - expected) > tolerance * max(abs(expected), 1e-9):
            return False
    return True
