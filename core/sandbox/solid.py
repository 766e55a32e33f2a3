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


_OVERLAP_PAIRS = 200  # pairs of solids with overlapping boxes checked at most (bounds the cost)
_OVERLAP_SHARE = 1e-4  # common volume, as a share of the smaller solid, that counts as overlap


def solid_verdict(origin: str, shape: Any, props: Any) -> str:
    """Why the measured solid is not valid, or ``""`` when it is (``props``: SolidProperties).

    The rule is OCCT's own checker (``BRepCheck_Analyzer.IsValid``), with no healing first. A
    self-intersecting profile is watertight with a plausible volume, yet that volume is a signed sum
    over loops that cross, every cut or fuse with it is rejected by the checker too (measured with a
    box), and the issue's case scored IoU 0 against the real part: "watertight with volume" is not
    enough.
    ``ShapeFix_Shape`` repairs none of the 4 benchmark ground-truth solids with findings and turns
    two of them from one finding into two, so healing would hide defects, not fix them.
    A compound of separate solids (an assembly, a list of parts) is valid when each solid is and
    no two overlap: touching parts are fine (the benchmark's ground truth has 9 such compounds,
    all disjoint), overlapping ones count their common volume twice, which no part has.
    """
    if not props.usable:
        if not props.closed:
            found = f"; BRepCheck: {', '.join(props.defects)}" if props.defects else ""
            return f"`{origin}` is not watertight (a shell is open){found}"
        return f"`{origin}` encloses no volume (volume {props.volume:g})"
    if props.defects:
        return f"OCCT's checker rejects `{origin}` ({', '.join(props.defects)}): not a valid solid"
    if props.n_solids > 1:
        pair = overlapping_solids(shape)
        if pair is not None:
            return f"`{origin}` holds solids {pair[0]} and {pair[1]} that overlap without being fused"
    return ""


def overlapping_solids(shape: Any) -> tuple[int, int] | None:
    """The first pair (1-based) of the TopoDS shape's solids whose interiors overlap, else None.
    Boxes filter the pairs first, so disjoint patterns cost no boolean."""
    import cadquery as cq
    from OCP.Bnd import Bnd_Box
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Common
    from OCP.BRepBndLib import BRepBndLib

    from core.geometry.properties import volume

    solids = [s.wrapped for s in cq.Shape.cast(shape).Solids()]
    boxes = []
    for solid in solids:
        box = Bnd_Box()
        BRepBndLib.Add_s(solid, box)
        boxes.append(box)
    checked = 0
    for i in range(len(solids)):
        for j in range(i + 1, len(solids)):
            if boxes[i].IsOut(boxes[j]):
                continue
            checked += 1
            if checked > _OVERLAP_PAIRS:
                return None
            common = BRepAlgoAPI_Common(solids[i], solids[j])
            if not common.IsDone():
                continue
            smaller = min(volume(solids[i]), volume(solids[j]))
            if volume(common.Shape()) > _OVERLAP_SHARE * smaller:
                return i + 1, j + 1
    return None
