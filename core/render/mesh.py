"""The mesh dict (as the sandbox sends it) as numpy arrays, and the normals shading needs.

The benchmark renders shade curved faces smoothly and keep creases sharp. The tessellation gives
every BREP face its own vertices, so averaging the normals of the triangles that share a vertex
index smooths inside a face and never across an edge; a crease angle guards meshes from elsewhere
(an STL welds vertices across sharp edges).
"""

from __future__ import annotations

import math

import numpy as np

CREASE_DEGREES = 40.0


def mesh_arrays(mesh: dict) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(V float (n, 3), F int64 (m, 3), edges: polylines as (k, 3) arrays with k >= 2)."""
    vertices = np.asarray(mesh.get("vertices") or np.zeros((0, 3)), dtype=float).reshape(-1, 3)
    triangles = np.asarray(mesh.get("triangles") or np.zeros((0, 3)), dtype=np.int64).reshape(-1, 3)
    edges = [np.asarray(e, dtype=float).reshape(-1, 3) for e in mesh.get("edges") or [] if len(e) >= 2]
    return vertices, triangles, edges


def face_normals(vertices: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals (right-hand winding) and twice the triangles' areas."""
    a, b, c = (vertices[triangles[:, i]] for i in range(3))
    cross = np.cross(b - a, c - a)
    doubled_area = np.linalg.norm(cross, axis=1)
    return cross / np.where(doubled_area > 0, doubled_area, 1.0)[:, None], doubled_area


def corner_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(m, 3, 3): a unit normal per triangle corner, area-weighted over the triangles sharing the
    vertex, or the triangle's own normal where that average bends more than CREASE_DEGREES."""
    normals, doubled_area = face_normals(vertices, triangles)
    summed = np.zeros_like(vertices)
    weighted = normals * doubled_area[:, None]
    for i in range(3):
        np.add.at(summed, triangles[:, i], weighted)
    lengths = np.linalg.norm(summed, axis=1)
    smooth = summed / np.where(lengths > 0, lengths, 1.0)[:, None]
    corners = smooth[triangles]
    agree = np.einsum("mkj,mj->mk", corners, normals) >= math.cos(math.radians(CREASE_DEGREES))
    return np.where(agree[:, :, None], corners, normals[:, None, :])
