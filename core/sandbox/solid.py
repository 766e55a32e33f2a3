"""Which object of a finished script is "the part", and how it becomes one OCCT shape.

The dataset's convention is a variable ``solid``; CQ-editor scripts use ``result`` or
``show_object(...)``. A Workplane contributes every solid on its stack, a Shape its solids, an
Assembly its parts, a list or tuple the solids of its items. Several solids are kept side by side
in a compound (not fused: fusing is the script's job, and may be slow or fail).

Runs only in job children (CadQuery is imported lazily, already loaded by the warm worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CANDIDATE_NAMES = ("solid", "result")
_MAX_NESTING = 8


class NoSolid(ValueError):
    """The script finished but left nothing that holds a solid."""


def pick_candidate(namespace: dict[str, Any], shown: list[Any]) -> tuple[str, Any]:
    """(where it came from, the object) by precedence ``solid`` > ``result`` > last ``show_object``."""
    for name in CANDIDATE_NAMES:
        if name in namespace:
            return name, namespace[name]
    if shown:
        return "show_object", shown[-1]
    raise NoSolid("the script defines no `solid` (nor `result`) and calls no show_object()")


def to_shape(origin: str, obj: Any) -> Any:
    """One ``cadquery.Shape`` holding every solid of ``obj``; :class:`NoSolid` if it has none."""
    import cadquery as cq

    solids = list(_solids(obj, 0))
    if not solids:
        kind = type(obj).__name__
        hint = " (a Sketch is 2-D: extrude it)" if isinstance(obj, cq.Sketch) else ""
        raise NoSolid(f"`{origin}` holds no solid: {kind}{hint}")
    if len(solids) == 1:
        return solids[0]
    return cq.Compound.makeCompound(solids)


def _solids(obj: Any, depth: int) -> Iterator[Any]:
    import cadquery as cq
    from OCP.TopoDS import TopoDS_Shape

    if depth > _MAX_NESTING:
        return
    if isinstance(obj, cq.Workplane):
        for item in obj.vals():
            yield from _solids(item, depth + 1)
    elif isinstance(obj, cq.Shape):
        yield from obj.Solids()
    elif isinstance(obj, cq.Assembly):
        yield from obj.toCompound().Solids()
    elif isinstance(obj, TopoDS_Shape):
        if not obj.IsNull():
            yield from cq.Shape.cast(obj).Solids()
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _solids(item, depth + 1)
