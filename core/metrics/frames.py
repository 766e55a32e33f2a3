"""Principal frames of solids: the normalisation the robust IoU search starts from.

A solid's frame is its volume, centre of mass, the eigen-decomposition of its inertia matrix about
that centre (OCCT's ``MatrixOfInertia`` at unit density, decomposed with ``numpy.linalg.eigh``) and
the scale ``s = sqrt(sum |principal moments| / volume)``. The paper's IOU_best does not use this
module: it follows the authors' own calls step by step (:mod:`core.metrics.paper_iou`).

The frame uses OCCT's default fixed-order integration, like the authors' code, so that IOU_robust
starts from the same axes on well-conditioned parts. Volumes of solids and of their intersections
(:func:`volume_of`) are integrated adaptively to ``VOLUME_EPS``: the default rule errs by up to
~5e-5 on trimmed faces, enough for ``vol(A) + vol(B) - vol(A ∩ B)`` and the volume of an actual
Fuse to disagree in the fifth digit; adaptively they agree to ~1e-7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from OCP.BRepAlgoAPI import BRepAlgoAPI_Common
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.BRepGProp import BRepGProp
from OCP.gp import gp_Trsf
from OCP.GProp import GProp_GProps
from OCP.TopoDS import TopoDS_Shape
from OCP.TopTools import TopTools_ListOfShape

VOLUME_EPS = 1e-6


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
    """Volume integrated adaptively (``VOLUME_EPS``): used for every IoU numerator and denominator."""
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props, VOLUME_EPS)
    return props.Mass()


def principal_frame(shape: TopoDS_Shape) -> PrincipalFrame:
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)  # OCCT's default integration, as the paper's code
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
    """Rotate (or reflect) about the origin, copying the geometry.

    A location-only rotation (``copy=False``) looks cheaper but is not: the boolean then transforms
    every surface it touches on the fly. Measured over the benchmark's 400 paper orientations:
    copy 0.15 s + Common 10.4 s against Common 11.0 s on located shapes.
    """
    return BRepBuilderAPI_Transform(shape, affine_trsf(rotation, np.zeros(3)), True).Shape()


def common_volume(a: TopoDS_Shape, b: TopoDS_Shape) -> float | None:
    """vol(a ∩ b), or None when OCCT's boolean fails.

    No history (nobody asks which face came from where) and no inverted-solid check (both
    arguments are closed solids we measured): 4 % faster, bit-identical results.
    """
    op = BRepAlgoAPI_Common()
    args, tools = TopTools_ListOfShape(), TopTools_ListOfShape()
    args.Append(a)
    tools.Append(b)
    op.SetArguments(args)
    op.SetTools(tools)
    op.SetToFillHistory(False)
    op.SetCheckInverted(False)
    op.Build()
    return volume_of(op.Shape()) if op.IsDone() else None
