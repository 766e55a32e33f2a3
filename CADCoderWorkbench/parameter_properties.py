"""Which FreeCAD property shows which parameter of the code (standard library only).

A parameter keeps the name the code uses (``thickness = 6.0`` -> ``thickness``). Its property type
follows what the number means (issue 15): lengths are ``App::PropertyLength`` (sizes) or
``App::PropertyDistance`` (coordinates, offsets, anything that may be negative), angles
``App::PropertyAngle``, counts ``App::PropertyInteger``, and other numbers a unit-less
``App::PropertyQuantity``. Never ``App::PropertyFloat``: its editor is a spin box with the user's
"Decimals" (2 by default) that rounds 0.0223 to 0.02 the moment the field is clicked.

FreeCAD 0.20.2's quantity editors keep a value exactly until the user types, but write what is
typed rounded to the user's "Decimals" in mm or degrees (measured in the GUI: "0.065 mm" is stored
as 0.07 mm, a bare "0.065" under a "22.30 µm" display as 0 mm). So a number whose third significant
digit lies below that resolution (0.0223 at 2 decimals) is an ``App::PropertyPrecision`` instead:
16 decimals, exact both ways, unit-less (the tooltip says mm or degrees), with its lower bound
opened so that negative offsets stay negative (``constraints``). FreeCAD stores lengths in mm and
angles in degrees, the units CadQuery code uses, so the round trip to the code is exact.

Where the parameter finder says what a number is (``Parameter.quantity``: length, angle, count,
number) that decides; an older finder without it is covered by a conservative reading of the name.
A name FreeCAD already uses on the object (``Label``, ``Shape``, a method such as ``touch``) gets
trailing underscores; the mapping is recomputed from the code each time, so nothing extra is stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.program import Parameter

PARAMETER_GROUP = "Parameters"

LENGTH = "App::PropertyLength"
DISTANCE = "App::PropertyDistance"
ANGLE = "App::PropertyAngle"
INTEGER = "App::PropertyInteger"
NUMBER = "App::PropertyQuantity"
PRECISE = "App::PropertyPrecision"
# Types written by older versions of the workbench; restore converts them (``migrate``).
LEGACY_TYPES = ("App::PropertyFloat",)
QUANTITY_TYPES = (LENGTH, DISTANCE, ANGLE, NUMBER)
ANGLE_LIMIT = 360.0  # PropertyAngle clamps to [-360, 360]; larger turns stay plain numbers
DEFAULT_DECIMALS = 2  # FreeCAD's "Decimals" unit preference out of the box
SIGNIFICANT_DIGITS = 3  # a typed value must keep this many digits, or the property is PRECISE
PRECISE_BOUND = 1e12  # PRECISE's bounds: FreeCAD's default ones stop at 0
UNITS = {"length": "mm", "angle": "degrees"}

_ANGLE_WORDS = re.compile(r"(^|_)(angle|startangle|cskangle|degrees?|deg|rotation|twist)(_|\d|$)", re.I)
_COUNT_WORDS = re.compile(r"(^|_)(count|xcount|ycount|nsides|sides|n|num|number)(_\d+)?$", re.I)
_COORDINATE = re.compile(r"(^|_)(x|y|z|dx|dy|dz|xmin|zmin|xmax|zmax|offset|center|centre)(_\d+)?$", re.I)


@dataclass(frozen=True)
class ParameterProperty:
    parameter: Parameter
    name: str  # the property's name on the object
    type_id: str  # one of LENGTH, DISTANCE, ANGLE, INTEGER, NUMBER
    tooltip: str


def quantity_of(param: Parameter) -> str:
    """length | angle | count | number: the finder's word when it has one, else from the name
    (only clear names count as angles or counts; the rest of the floats are lengths, as in
    CadQuery code they nearly always are)."""
    known = getattr(param, "quantity", None)
    if known in ("length", "angle", "count", "number"):
        return known
    if _ANGLE_WORDS.search(param.name):
        return "angle"
    if isinstance(param.value, int) and _COUNT_WORDS.search(param.name):
        return "count"
    return "length"


def decimals_needed(value: float | int) -> int:
    """Decimals an editor needs to keep ``SIGNIFICANT_DIGITS`` of ``value`` when it is typed."""
    if value == 0:
        return 0
    return max(0, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value))))


def property_type(param: Parameter, decimals: int = DEFAULT_DECIMALS) -> str:
    """The property type for ``param`` when the user's "Decimals" preference is ``decimals``."""
    quantity = quantity_of(param)
    if quantity == "count" or (isinstance(param.value, int) and quantity == "number"):
        return INTEGER if isinstance(param.value, int) else PRECISE
    if decimals_needed(param.value) > decimals:
        return PRECISE
    if quantity == "angle":
        return ANGLE if abs(param.value) <= ANGLE_LIMIT else NUMBER
    if quantity == "length":
        sized = param.value > 0 and not _COORDINATE.search(param.name)
        return LENGTH if sized else DISTANCE
    return NUMBER


def constraints(value: float) -> tuple[float, float, float, float]:
    """What to assign to a PRECISE property: (value, lowest, highest, step), so it is not clamped."""
    step = 10.0 ** (math.floor(math.log10(abs(value))) - 1) if value else 0.001
    return (float(value), -PRECISE_BOUND, PRECISE_BOUND, step)


def code_value(type_id: str, stored, like: float | int) -> float | int:
    """The number to write into the code for a property's value (a Quantity's ``Value`` is in mm
    or degrees already); integers stay integers."""
    raw = getattr(stored, "Value", stored)
    if type_id == INTEGER or (isinstance(like, int) and type_id not in QUANTITY_TYPES):
        return int(raw)
    return float(raw)


def parameter_properties(
    params: Iterable[Parameter], reserved: Iterable[str], decimals: int = DEFAULT_DECIMALS
) -> list[ParameterProperty]:
    """One property per parameter, in source order; ``reserved`` are the object's other names,
    ``decimals`` the user's "Decimals" unit preference."""
    taken = set(reserved)
    out = []
    for param in params:
        name = param.name
        while name in taken:
            name += "_"
        taken.add(name)
        where = f"line {param.line}" + (f", argument of {param.call}()" if param.call else "")
        type_id = property_type(param, decimals)
        unit = UNITS.get(quantity_of(param)) if type_id == PRECISE else None
        tooltip = f"{param.text} in the code ({where})" + (f", in {unit}" if unit else "")
        out.append(ParameterProperty(param, name, type_id, tooltip))
    return out
