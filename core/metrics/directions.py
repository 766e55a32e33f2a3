"""Dominant planar-face normals: pose cues for ``iou_robust`` where principal axes are ambiguous.

CAD parts are mostly bounded by planes. Summing face area per outward normal direction and keeping
the largest few gives directions that move rigidly with the part, so matching them between two
parts recovers the in-plane rotation that inertia alone cannot.
"""

from __future__ import annotations

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepGProp import BRepGProp
from OCP.GeomAbs import GeomAbs_Plane
from OCP.GProp import GProp_GProps
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED
from OCP.TopExp import TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Shape

MAX_DIRECTIONS = 3


def dominant_directions(shape: TopoDS_Shape, limit: int = MAX_DIRECTIONS) -> np.ndarray:
    """Up to ``limit`` unit normals of planar faces, largest total area first; shape (n, 3)."""
    totals: dict[tuple[float, float, float], tuple[np.ndarray, float]] = {}
    explorer = TopExp_Explorer(shape, TopAbs_FACE)
    while explorer.More():
        face = TopoDS.Face_s(explorer.Current())
        explorer.Next()
        surface = BRepAdaptor_Surface(face)
        if surface.GetType() != GeomAbs_Plane:
            continue
        d = surface.Plane().Axis().Direction()
        normal = np.array([d.X(), d.Y(), d.Z()])
        if face.Orientation() == TopAbs_REVERSED:
            normal = -normal
        props = GProp_GProps()
        BRepGProp.SurfaceProperties_s(face, props)
        key = tuple(np.round(normal, 6))
        prev = totals.get(key, (normal, 0.0))
        totals[key] = (prev[0], prev[1] + props.Mass())
    ranked = sorted(totals.values(), key=lambda item: -item[1])[:limit]
    return np.array([n for n, _ in ranked]).reshape(-1, 3)
