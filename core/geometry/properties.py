"""What the sandbox reports about a solid: volume, tight bounding box, topology counts, validity, and
the solid as BREP/STEP/STL bytes.

One place computes these so the sandbox, the metrics and the tests agree on, e.g., which bounding
box (the optimal one, not OCCT's tolerance-inflated default) and what "valid" means.

Validity has two levels. ``valid`` is OCCT's strict ``BRepCheck_Analyzer`` verdict; ``usable`` asks
only what volume-based consumers (IoU, rendering, FreeCAD) need: every shell closed and a positive
enclosed volume. The gap is real: 4 of the 100 ground-truth scripts of the paper's benchmark build
solids with face-level findings (intersecting wires, an unorientable face) that are watertight,
have the right volume and work in booleans. Such solids are usable; their findings are listed in
``defects``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepCheck import BRepCheck_Analyzer, BRepCheck_NoError, BRepCheck_Shell
from OCP.BRepGProp import BRepGProp
from OCP.GProp import GProp_GProps
from OCP.TopAbs import (
    TopAbs_EDGE,
    TopAbs_FACE,
    TopAbs_ShapeEnum,
    TopAbs_SHELL,
    TopAbs_SOLID,
    TopAbs_VERTEX,
    TopAbs_WIRE,
)
from OCP.TopExp import TopExp
from OCP.TopoDS import TopoDS, TopoDS_Shape
from OCP.TopTools import TopTools_IndexedMapOfShape

from core.geometry.io import shape_to_brep_bytes, shape_to_step_bytes, shape_to_stl_bytes

BBox = tuple[float, float, float, float, float, float]

EXPORTERS: dict[str, Callable[[TopoDS_Shape], bytes]] = {
    "brep": shape_to_brep_bytes,
    "step": shape_to_step_bytes,
    "stl": shape_to_stl_bytes,
}


@dataclass(frozen=True)
class SolidProperties:
    volume: float
    bbox: BBox | None
    n_solids: int
    n_faces: int
    n_edges: int
    valid: bool
    closed: bool
    defects: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Watertight (every shell closed) with positive volume: what IoU, rendering and FreeCAD need."""
        return self.closed and self.n_solids > 0 and self.volume > 0


def volume(shape: TopoDS_Shape) -> float:
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    return float(props.Mass())


def bounding_box(shape: TopoDS_Shape) -> BBox | None:
    """Tight box from the exact geometry (no triangulation, no tolerance padding); ``None`` if empty."""
    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(shape, box, False, False)
    if box.IsVoid():
        return None
    xmin, ymin, zmin, xmax, ymax, zmax = box.Get()
    return (xmin, ymin, zmin, xmax, ymax, zmax)


def count(shape: TopoDS_Shape, kind: TopAbs_ShapeEnum) -> int:
    """Distinct sub-shapes (an edge shared by two faces counts once)."""
    found = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, kind, found)
    return found.Extent()


def is_valid(shape: TopoDS_Shape) -> bool:
    return bool(BRepCheck_Analyzer(shape).IsValid())


def shells_closed(shape: TopoDS_Shape) -> bool:
    """Every shell is closed (no free edges); ``False`` for a shape without shells."""
    shells = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, TopAbs_SHELL, shells)
    if shells.Extent() == 0:
        return False
    return all(
        BRepCheck_Shell(TopoDS.Shell_s(shells.FindKey(i))).Closed() == BRepCheck_NoError
        for i in range(1, shells.Extent() + 1)
    )


def check_defects(shape: TopoDS_Shape) -> tuple[str, ...]:
    """Names of BRepCheck's findings on the shape and its sub-shapes (empty when valid)."""
    analyzer = BRepCheck_Analyzer(shape)
    if analyzer.IsValid():
        return ()
    found: set[str] = set()
    for kind in (TopAbs_SOLID, TopAbs_SHELL, TopAbs_FACE, TopAbs_WIRE, TopAbs_EDGE, TopAbs_VERTEX):
        subs = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(shape, kind, subs)
        for i in range(1, subs.Extent() + 1):
            result = analyzer.Result(subs.FindKey(i))
            if result is not None:
                found.update(
                    st.name.removeprefix("BRepCheck_") for st in result.Status() if st != BRepCheck_NoError
                )
    return tuple(sorted(found)) or ("Invalid",)


def solid_properties(shape: TopoDS_Shape) -> SolidProperties:
    defects = check_defects(shape)
    return SolidProperties(
        volume=volume(shape),
        bbox=bounding_box(shape),
        n_solids=count(shape, TopAbs_SOLID),
        n_faces=count(shape, TopAbs_FACE),
        n_edges=count(shape, TopAbs_EDGE),
        valid=not defects,
        closed=shells_closed(shape),
        defects=defects,
    )


def export_bytes(shape: TopoDS_Shape, fmt: str) -> bytes:
    """``fmt`` is ``"brep"``, ``"step"`` or ``"stl"``."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (expected one of {sorted(EXPORTERS)})") from None
    return exporter(shape)
