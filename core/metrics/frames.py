"""Principal frames of solids: the normalisation both IoU protocols start from.

A solid's frame is its volume, centre of mass, the eigen-decomposition of its inertia matrix about
that centre (OCCT's ``MatrixOfInertia`` at unit density, decomposed with ``numpy.linalg.eigh``
exactly as the paper's evaluation code does) and the scale
``s = sqrt(sum |principal moments| / volume)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.BRepGProp import BRepGProp
from OCP.gp import gp_Trsf
from OCP.GProp import GProp_GProps
from OCP.TopoDS import TopoDS_Shape


class DegenerateSolidError(ValueError):
    """The shape has no positive volume, so it has no principal frame."""


@dataclass(frozen=True)
class PrincipalFrame:
    volume: float
    centre: np.ndarray  # (3,)
    moments: np.ndarray  # (3,) ascending, as eigh returns them
    axes: np.ndarray  # (3, 3), column i is the axis of moments[i]
    scale: float


def volume_of(shape: TopoDS_Shape) -> float:
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    return props.Mass()


def principal_frame(shape: TopoDS_Shape) -> PrincipalFrame:
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    volume = props.Mass()
    if not volume > 0:
        raise DegenerateSolidError(f"shape volume is {volume:g}; a solid with positive volume is required")
    c = props.CentreOfMass()
    m = props.MatrixOfInertia()
    inertia = np.array([[m.Value(i, j) for j in (1, 2, 3)] for i in (1, 2, 3)])
    moments, axes = np.linalg.eigh(inertia)
    scale = float(np.sqrt(np.abs(moments).sum() / volume))
    if not np.isfinite(scale) or scale <= 0:
        raise DegenerateSolidError("the inertia of the shape gives no finite scale")
    return PrincipalFrame(volume, np.array([c.X(), c.Y(), c.Z()]), moments, axes, scale)


def affine_trsf(linear: np.ndarray, translation: np.ndarray) -> gp_Trsf:
    """A gp_Trsf for x -> linear @ x + translation; linear is a (possibly reflected) scaled rotation."""
    t = gp_Trsf()
    L, b = linear, translation
    t.SetValues(
        *(L[0, 0], L[0, 1], L[0, 2], b[0]),
        *(L[1, 0], L[1, 1], L[1, 2], b[1]),
        *(L[2, 0], L[2, 1], L[2, 2], b[2]),
    )
    return t


def normalise(shape: TopoDS_Shape, frame: PrincipalFrame) -> TopoDS_Shape:
    """Centre at the origin and scale to unit principal size: x -> (x - c) / s (geometry copied)."""
    linear = np.eye(3) / frame.scale
    return BRepBuilderAPI_Transform(shape, affine_trsf(linear, -linear @ frame.centre), True).Shape()


def rotate(shape: TopoDS_Shape, rotation: np.ndarray) -> TopoDS_Shape:
    """Rotate (or reflect) about the origin.

    A proper rotation only sets a location on the shape (``copy=False``): booleans and mass
    properties honour locations, and it is much cheaper than rebuilding the geometry. OCCT copies
    the geometry anyway for a reflection, whose determinant is negative.
    """
    return BRepBuilderAPI_Transform(shape, affine_trsf(rotation, np.zeros(3)), False).Shape()
