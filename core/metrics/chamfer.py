"""Chamfer distance, for comparison with papers that report it instead of IoU.

Both solids are normalised as for IoU (centre of mass at the origin, unit principal size), the
candidate optionally rotated by the alignment ``iou_robust`` found; points are sampled uniformly
by area on each tessellated surface; the distance is the mean nearest-neighbour distance from A to
B plus that from B to A (the symmetric L1 form; CAD-Recode and Text2CAD report variants of it).
"""

from __future__ import annotations

import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED
from OCP.TopExp import TopExp_Explorer
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS, TopoDS_Shape
from scipy.spatial import cKDTree

from core.metrics.frames import normalise, principal_frame

DEFAULT_POINTS = 4096


def chamfer_distance(
    candidate: TopoDS_Shape,
    target: TopoDS_Shape,
    *,
    rotation: np.ndarray | None = None,
    n_points: int = DEFAULT_POINTS,
    seed: int = 0,
) -> float:
    a = _normalised_points(candidate, n_points, seed, rotation)
    b = _normalised_points(target, n_points, seed, None)
    d_ab, _ = cKDTree(b).query(a)
    d_ba, _ = cKDTree(a).query(b)
    return float(d_ab.mean() + d_ba.mean())


def _normalised_points(shape: TopoDS_Shape, n: int, seed: int, rotation: np.ndarray | None) -> np.ndarray:
    frame = principal_frame(shape)
    points = sample_surface(normalise(shape, frame), n, seed)
    return points @ rotation.T if rotation is not None else points


def sample_surface(shape: TopoDS_Shape, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points uniformly distributed by area on the shape's faces (seeded, deterministic)."""
    triangles = _triangles(shape)
    if len(triangles) == 0:
        raise ValueError("the shape has no faces to sample")
    e1, e2 = triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]
    areas = 0.5 * np.linalg.norm(np.cross(e1, e2), axis=1)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(triangles), size=n, p=areas / areas.sum())
    u, v = rng.random(n), rng.random(n)
    flip = u + v > 1
    u[flip], v[flip] = 1 - u[flip], 1 - v[flip]
    return triangles[pick, 0] + u[:, None] * e1[pick] + v[:, None] * e2[pick]


def _triangles(shape: TopoDS_Shape, deflection: float = 0.01) -> np.ndarray:
    BRepMesh_IncrementalMesh(shape, deflection, False, 0.3, True)
    tris: list[np.ndarray] = []
    explorer = TopExp_Explorer(shape, TopAbs_FACE)
    while explorer.More():
        face = TopoDS.Face_s(explorer.Current())
        explorer.Next()
        location = TopLoc_Location()
        mesh = BRep_Tool.Triangulation_s(face, location)
        if mesh is None:
            continue
        trsf = location.Transformation()
        nodes = []
        for i in range(1, mesh.NbNodes() + 1):
            p = mesh.Node(i).Transformed(trsf)
            nodes.append((p.X(), p.Y(), p.Z()))
        nodes_arr = np.array(nodes)
        idx = np.array([mesh.Triangle(i).Get() for i in range(1, mesh.NbTriangles() + 1)]) - 1
        if face.Orientation() == TopAbs_REVERSED:
            idx = idx[:, ::-1]
        tris.append(nodes_arr[idx])
    return np.concatenate(tris) if tris else np.zeros((0, 3, 3))
