"""BREP -> triangle mesh plus feature-edge polylines, in the plain ``mesh`` dict that crosses processes.

The renderer (previews, best-of-N render-and-compare, training images) only needs triangles and
the edges a CAD viewer draws. Seam edges (where a cylinder's surface closes on itself) and
degenerate edges (a cone's apex) are left out: the benchmark renders draw no line there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from OCP.Bnd import Bnd_Box
from OCP.BRep import BRep_Tool
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_REVERSED
from OCP.TopExp import TopExp_Explorer
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS, TopoDS_Shape

if TYPE_CHECKING:
    import cadquery as cq

RELATIVE_DEFLECTION = 0.002  # of the bounding-box diagonal: smooth at 448 px, a few thousand triangles


def tessellate(
    shape: TopoDS_Shape | cq.Shape | cq.Workplane,
    *,
    linear_deflection: float | None = None,
    angular_deflection: float = 0.3,
) -> dict[str, Any]:
    """``{"vertices": [[x, y, z]...], "triangles": [[i, j, k]...], "edges": [[[x, y, z], ...], ...]}``,
    triangles wound outward (faces' orientation respected), plain floats and ints (JSON-safe).
    ``linear_deflection`` defaults to RELATIVE_DEFLECTION of the bounding-box diagonal, so a part
    gets the same number of triangles at any scale."""
    shape = _topods(shape)
    if linear_deflection is None:
        linear_deflection = max(_diagonal(shape) * RELATIVE_DEFLECTION, 1e-6)
    BRepMesh_IncrementalMesh(shape, linear_deflection, False, angular_deflection, True)

    vertices: list[list[float]] = []
    triangles: list[list[int]] = []
    edges: list[list[list[float]]] = []
    faces = TopExp_Explorer(shape, TopAbs_FACE)
    while faces.More():
        face = TopoDS.Face_s(faces.Current())
        location = TopLoc_Location()
        triangulation = BRep_Tool.Triangulation_s(face, location)
        if triangulation is not None:
            trsf = location.Transformation()
            base = len(vertices)
            for i in range(1, triangulation.NbNodes() + 1):
                p = triangulation.Node(i).Transformed(trsf)
                vertices.append([p.X(), p.Y(), p.Z()])
            reversed_ = face.Orientation() == TopAbs_REVERSED
            for i in range(1, triangulation.NbTriangles() + 1):
                a, b, c = triangulation.Triangle(i).Get()
                tri = (
                    [base + a - 1, base + c - 1, base + b - 1]
                    if reversed_
                    else [base + a - 1, base + b - 1, base + c - 1]
                )
                triangles.append(tri)
            edges.extend(_face_edges(face, triangulation, location))
        faces.Next()
    return {"vertices": vertices, "triangles": triangles, "edges": _unique(edges)}


def _face_edges(face: Any, triangulation: Any, location: TopLoc_Location) -> list[list[list[float]]]:
    out = []
    explorer = TopExp_Explorer(face, TopAbs_EDGE)
    trsf = location.Transformation()
    while explorer.More():
        edge = TopoDS.Edge_s(explorer.Current())
        explorer.Next()
        if BRep_Tool.Degenerated_s(edge) or BRep_Tool.IsClosed_s(edge, face):
            continue  # a cone's apex, or a seam where a periodic surface closes on itself
        polygon = BRep_Tool.PolygonOnTriangulation_s(edge, triangulation, location)
        if polygon is None:
            continue
        nodes = polygon.Nodes()
        line = []
        for i in range(nodes.Lower(), nodes.Upper() + 1):
            p = triangulation.Node(nodes.Value(i)).Transformed(trsf)
            line.append([p.X(), p.Y(), p.Z()])
        out.append(line)
    return out


def _unique(edges: list[list[list[float]]]) -> list[list[list[float]]]:
    """An edge shared by two faces appears once per face; keep one (either direction)."""
    seen, out = set(), []
    for line in edges:
        key = tuple(round(c, 9) for p in (line[0], line[len(line) // 2], line[-1]) for c in p)
        rev = tuple(round(c, 9) for p in (line[-1], line[(len(line) - 1) // 2], line[0]) for c in p)
        if key in seen or rev in seen:
            continue
        seen.add(key)
        out.append(line)
    return out


def _diagonal(shape: TopoDS_Shape) -> float:
    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    if box.IsVoid():
        return 1.0
    x0, y0, z0, x1, y1, z1 = box.Get()
    return ((x1 - x0) ** 2 + (y1 - y0) ** 2 + (z1 - z0) ** 2) ** 0.5


def _topods(shape: TopoDS_Shape | cq.Shape | cq.Workplane) -> TopoDS_Shape:
    if isinstance(shape, TopoDS_Shape):
        return shape
    if hasattr(shape, "vals"):  # a CadQuery Workplane: its solids as one compound
        import cadquery as cq

        return cq.Compound.makeCompound([v for v in shape.vals() if isinstance(v, cq.Shape)]).wrapped
    return shape.wrapped
