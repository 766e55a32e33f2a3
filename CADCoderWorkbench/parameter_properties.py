"""Which FreeCAD property shows which parameter of the code (standard library only).

A parameter keeps the name the code uses (``thickness = 6.0`` -> ``thickness``). Floats become
``App::PropertyFloat`` and integers ``App::PropertyInteger``, deliberately not ``PropertyLength``:
a unit-less float stores the code's value bit for bit (a quantity would go through the user's unit
schema), accepts negative offsets and angles, which are parameters too, and writes back as the same
text, so saving, undo and the code round-trip exactly. A name FreeCAD already uses on the object
(``Label``, ``Shape``, ``Placement``, a method such as ``touch``) gets trailing underscores; the
mapping is recomputed from the code each time, so nothing extra is stored in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.program import Parameter

PARAMETER_GROUP = "Parameters"


@dataclass(frozen=True)
class ParameterProperty:
    parameter: Parameter
    name: str  # the property's name on the object
    type_id: str  # App::PropertyFloat or App::PropertyInteger
    tooltip: str


def property_type(value: float | int) -> str:
    return "App::PropertyInteger" if isinstance(value, int) else "App::PropertyFloat"


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
            ParameterProperty(param, name, property_type(param.value), f"{param.text} in the code ({where})")
        )
    return out
