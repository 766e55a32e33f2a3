"""Which FreeCAD property shows which parameter of the code (standard library only).

A parameter keeps the name the code uses (``thickness = 6.0`` -> ``thickness``). Its property type
follows what the number means (issue 15): lengths are ``App::PropertyLength`` (sizes) or
``App::PropertyDistance`` (coordinates, offsets, anything that may be negative), angles
``App::PropertyAngle``, counts ``App::PropertyInteger``, and other numbers a unit-less
``App::PropertyQuantity``. Never ``App::PropertyFloat``: its editor is a spin box with the user's
"Decimals" (2 by default), which rounds 0.0223 to 0.02 the moment the field is clicked. Quantity
editors keep the exact value until the user types, show units (0.0223 mm reads "22.30 µm"), and
are written back at full precision; FreeCAD stores lengths in mm and angles in degrees, the units
CadQuery code uses, so the round trip to the code is exact.

Where the parameter finder says what a number is (``Parameter.quantity``: length, angle, count,
number) that decides; an older finder without it is covered by a conservative reading of the name.
A name FreeCAD already uses on the object (``Label``, ``Shape``, a method such as ``touch``) gets
trailing underscores; the mapping is recomputed from the code each time, so nothing extra is stored.
"""

from __future__ import annotations

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
# Types written by older versions of the workbench; restore converts them (``migrate``).
LEGACY_TYPES = ("App::PropertyFloat",)
QUANTITY_TYPES = (LENGTH, DISTANCE, ANGLE, NUMBER)
ANGLE_LIMIT = 360.0  # PropertyAngle clamps to [-360, 360]; larger turns stay plain numbers

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


def property_type(param: Parameter) -> str:
    """The property type for ``param`` (see the module docstring)."""
    quantity = quantity_of(param)
    if quantity == "count" or (isinstance(param.value, int) and quantity == "number"):
        return INTEGER if isinstance(param.value, int) else NUMBER
    if quantity == "angle":
        return ANGLE if abs(param.value) <= ANGLE_LIMIT else NUMBER
    if quantity == "length":
        sized = param.value > 0 and not _COORDINATE.search(param.name)
        return LENGTH if sized else DISTANCE
    return NUMBER


def code_value(type_id: str, stored, like: float | int) -> float | int:
    """The number to write into the code for a property's value (a Quantity's ``Value`` is in mm
    or degrees already); integers stay integers."""
    raw = getattr(stored, "Value", stored)
    if type_id == INTEGER or (isinstance(like, int) and type_id not in QUANTITY_TYPES):
        return int(raw)
    return float(raw)


def parameter_properties(params: Iterable[Parameter], reserved: Iterable[str]) -> list[ParameterProperty]:
    """One property per parameter, in source order; ``reserved`` are the object's other names."""
    taken = set(reserved)
    out = []
    for param in params:
        name = param.name
        while name in taken:
            name += "_"
        taken.add(name)
        where = f"line {param.line}" + (f", argument of {param.call}()" if param.call else "")
        out.append(
            ParameterProperty(param, name, property_type(param), f"{param.text} in the code ({where})")
        )
    return out
