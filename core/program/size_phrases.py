"""How people ask for another size: "make it twice as long", "half as wide", "make it 80 mm long".

``core.program.edits`` understood only "scale by 2"; a first-hour user says the sentences above and
was told they needed a model. This module reads them (standard library only) into a
:class:`SizeRequest` -- a factor or a target length, along one axis or all of them -- and writes the
lines that stretch the final solid along one axis. Axis words follow CadQuery's ``box(length,
width, height)``: long/length is X, wide/width is Y, tall/high/thick/height is Z; ``Edit.describe``
says which axis was understood, so a user who meant another one sees it before applying.

A request that names a feature ("make the hole twice as wide") is not a request about the part and
is left to other rules (or a model).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

AXIS_WORDS = {
    "long": "X",
    "longer": "X",
    "length": "X",
    "wide": "Y",
    "wider": "Y",
    "width": "Y",
    "broad": "Y",
    "tall": "Z",
    "taller": "Z",
    "high": "Z",
    "higher": "Z",
    "height": "Z",
    "thick": "Z",
    "thicker": "Z",
    "thickness": "Z",
}
AXIS_NAMES = {"X": "length", "Y": "width", "Z": "height"}
SIZE_WORDS = ("big", "bigger", "large", "larger", "size", "small", "smaller")
FACTOR_WORDS = {
    "twice": 2.0,
    "double": 2.0,
    "triple": 3.0,
    "thrice": 3.0,
    "half": 0.5,
    "halve": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
}
UNIT_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "in": 25.4, "inch": 25.4, "inches": 25.4}
# Parts of a part: a request about one of these is not about the whole part's size.
_FEATURES = re.compile(
    r"\b(hole|bore|fillet|chamfer|slot|pocket|boss|flange|rib|wall|edge|face|radius|diameter|cut|groove)s?\b"
)
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_AXIS = "|".join(sorted(AXIS_WORDS, key=len, reverse=True))
_FACTOR = "|".join(sorted(FACTOR_WORDS, key=len, reverse=True))
_SIZE = "|".join(SIZE_WORDS)
_BASE = "|".join(w for w in AXIS_WORDS if not w.endswith("er"))
# Comparatives with a length: "10 mm longer" adds, "5 mm narrower" takes away.
COMPARATIVES = {
    "longer": ("X", 1),
    "shorter": ("X", -1),
    "wider": ("Y", 1),
    "narrower": ("Y", -1),
    "taller": ("Z", 1),
    "higher": ("Z", 1),
    "thicker": ("Z", 1),
    "lower": ("Z", -1),
    "thinner": ("Z", -1),
}


@dataclass(frozen=True)
class SizeRequest:
    axis: str | None  # "X", "Y", "Z"; None = every direction alike
    factor: float | None = None  # multiply the size by this...
    target: float | None = None  # ...or make the extent along ``axis`` this many mm...
    delta: float | None = None  # ...or add this many mm to it (negative: take away)


def parse_size_request(text: str) -> SizeRequest | None:
    """The size change ``text`` (lower case, single spaces) asks for, or None."""
    if _FEATURES.search(text):
        return None
    for reader in (_target_length, _length_change, _factor_along_axis, _factor_overall):
        request = reader(text)
        if request is not None:
            return request
    return None


def stretch_lines(final: str, request: SizeRequest, fresh: Callable[[str], str], has_cq: bool) -> list[str]:
    """Code that stretches ``final`` along ``request.axis`` (a factor, or the factor that gives the
    target extent, measured when the program runs); its number is a named top-level parameter."""
    assert request.axis is not None
    axis_name = AXIS_NAMES[request.axis]
    lines = [] if has_cq else ["import cadquery as cq"]
    factor = fresh(f"{axis_name}_factor")
    extent = f"{final}.findSolid().BoundingBox().{request.axis.lower()}len"
    if request.target is not None:
        target = fresh(f"target_{axis_name}")
        lines += [f"{target} = {request.target!r}", f"{factor} = {target} / {extent}"]
    elif request.delta is not None:
        extra = fresh(f"extra_{axis_name}")
        lines += [f"{extra} = {request.delta!r}", f"{factor} = ({extent} + {extra}) / {extent}"]
    else:
        lines.append(f"{factor} = {request.factor!r}")
    diagonal = [factor if axis == request.axis else "1" for axis in "XYZ"]
    matrix = f"[[{diagonal[0]}, 0, 0, 0], [0, {diagonal[1]}, 0, 0], [0, 0, {diagonal[2]}, 0]]"
    lines.append(
        f"{final} = {final}.newObject([s.transformGeometry(cq.Matrix({matrix})) for s in {final}.solids().vals()])"
    )
    return lines


def _target_length(text: str) -> SizeRequest | None:
    """ "make it 80 mm long", "set the length to 80 mm", "80mm wide", "change the height to 2 cm"."""
    unit = r"\s*(mm|cm|m|inches|inch|in)?\b"
    match = re.search(rf"\b{_NUMBER}{unit}\s*(?:in\s+)?({_BASE})\b", text)
    if match:
        value, unit_word, axis_word = match.groups()
    else:
        match = re.search(rf"\b({_AXIS})\b(?:\s+\w+)?\s+(?:to|=|of)\s+{_NUMBER}{unit}", text)
        if not match:
            return None
        axis_word, value, unit_word = match.groups()
    if re.search(rf"\b{_NUMBER}\s*(?:times|x)\b", text):  # "3 times as long" is a factor
        return None
    target = float(value) * UNIT_MM.get(unit_word or "mm", 1.0)
    return SizeRequest(AXIS_WORDS[axis_word], target=target) if target > 0 else None


def _length_change(text: str) -> SizeRequest | None:
    """ "make it 10 mm longer", "2 cm wider", "5 mm shorter"."""
    words = "|".join(COMPARATIVES)
    match = re.search(rf"\b{_NUMBER}\s*(mm|cm|m|inches|inch|in)?\s+({words})\b", text)
    if not match:
        return None
    value, unit_word, word = match.groups()
    axis, sign = COMPARATIVES[word]
    delta = sign * float(value) * UNIT_MM.get(unit_word or "mm", 1.0)
    return SizeRequest(axis, delta=delta) if delta else None


def _factor_along_axis(text: str) -> SizeRequest | None:
    """ "twice as long", "3 times as wide", "half as tall", "double the length", "halve the width",
    "50% longer", "make it 1.5x longer"."""
    patterns = (
        rf"\b(?P<f>{_FACTOR}|{_NUMBER}\s*(?:times|x))\s+(?:as\s+|the\s+)?(?P<a>{_AXIS})\b",
        rf"\b(?P<f>{_FACTOR})\s+(?:its\s+|the\s+)?(?P<a>{_AXIS})\b",
        rf"\b(?P<a>{_AXIS})\s+(?:by\s+)?(?:a\s+factor\s+of\s+)?(?P<f>{_NUMBER}\s*(?:times|x)?)\b",
    )
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            factor = _factor(match.group("f"))
            if factor is not None:
                return SizeRequest(AXIS_WORDS[match.group("a")], factor=factor)
    percent = re.search(
        rf"\b{_NUMBER}\s*(?:%|percent)\s+(longer|wider|taller|higher|thicker|shorter|narrower)\b", text
    )
    if percent:
        amount, word = float(percent.group(1)) / 100, percent.group(2)
        axis = AXIS_WORDS.get(word) or {"shorter": "X", "narrower": "Y"}[word]
        factor = 1 - amount if word in ("shorter", "narrower") else 1 + amount
        return SizeRequest(axis, factor=factor) if factor > 0 else None
    return None


def _factor_overall(text: str) -> SizeRequest | None:
    """ "twice as big", "half the size", "double the size", "3 times larger", "make it 2x bigger"."""
    match = re.search(rf"\b({_FACTOR}|{_NUMBER}\s*(?:times|x))\s+(?:as\s+|the\s+|its\s+)?({_SIZE})\b", text)
    if not match:
        return None
    factor = _factor(match.group(1))
    return SizeRequest(None, factor=factor) if factor is not None else None


def _factor(word: str) -> float | None:
    word = word.strip()
    if word in FACTOR_WORDS:
        return FACTOR_WORDS[word]
    number = re.match(_NUMBER, word)
    value = float(number.group(1)) if number else None
    return value if value is not None and value > 0 else None


# Edit kinds for a size change along one axis (``Edit.value``; ``Edit.selector`` holds the axis).
SIZE_KINDS = ("stretch", "resize", "extend")  # factor | target mm | added mm


def size_edit(request: SizeRequest) -> tuple[str, float]:
    """(Edit kind, value) for a one-axis request."""
    if request.target is not None:
        return "resize", request.target
    if request.delta is not None:
        return "extend", request.delta
    return "stretch", float(request.factor or 1.0)


def size_request(kind: str, value: float | None, axis: str | None) -> SizeRequest:
    """The inverse of :func:`size_edit`."""
    value = float(value or 0.0)
    if kind == "resize":
        return SizeRequest(axis, target=value)
    if kind == "extend":
        return SizeRequest(axis, delta=value)
    return SizeRequest(axis, factor=value)


def describe_size_edit(kind: str, value: float | None, axis: str | None) -> str:
    """What the user sees before applying: which axis the words were taken to mean."""
    name = f"{AXIS_NAMES.get(axis or '', 'size')} ({axis})"
    value = float(value or 0.0)
    if kind == "resize":
        return f"make the {name} {value:g} mm"
    if kind == "extend":
        return (
            f"{'add' if value > 0 else 'take'} {abs(value):g} mm {'to' if value > 0 else 'from'} the {name}"
        )
    return f"multiply the {name} by {value:g}"
