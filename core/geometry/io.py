"""Reading and writing shapes as STEP/BREP, from paths or bytes.

Shapes cross process boundaries as BREP bytes, so every consumer (metrics, renderer, tests) needs
the same small set of conversions; they live here instead of being re-written per module.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from OCP.BRep import BRep_Builder
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.BRepTools import BRepTools
from OCP.IFSelect import IFSelect_RetDone
from OCP.STEPControl import STEPControl_AsIs, STEPControl_Reader, STEPControl_Writer
from OCP.StlAPI import StlAPI_Writer
from OCP.TopoDS import TopoDS_Shape

SHAPE_SUFFIXES = {".step": "step", ".stp": "step", ".brep": "brep", ".brp": "brep"}


class ShapeReadError(ValueError):
    """The file or bytes do not hold a readable STEP/BREP shape."""


def format_of(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SHAPE_SUFFIXES:
        raise ShapeReadError(f"{path}: unknown shape format {suffix!r} (expected .step, .stp or .brep)")
    return SHAPE_SUFFIXES[suffix]


def read_shape(path: str | os.PathLike[str]) -> TopoDS_Shape:
    """Read a STEP or BREP file into one OCCT shape (a STEP with several roots becomes a compound)."""
    path = Path(path)
    if not path.is_file():
        raise ShapeReadError(f"{path}: no such file")
    fmt = format_of(path)
    return _read_step(path) if fmt == "step" else _read_brep(path)


def shape_from_bytes(data: bytes, fmt: str = "brep") -> TopoDS_Shape:
    """OCCT's readers want file names; a private temporary file bridges the bytes."""
    with tempfile.TemporaryDirectory(prefix="cadcoder-shape-") as tmp:
        path = Path(tmp) / f"shape.{fmt}"
        path.write_bytes(data)
        return read_shape(path)


def shape_to_brep_bytes(shape: TopoDS_Shape) -> bytes:
    with tempfile.TemporaryDirectory(prefix="cadcoder-shape-") as tmp:
        path = Path(tmp) / "shape.brep"
        if not BRepTools.Write_s(shape, str(path)):
            raise ShapeReadError("OCCT could not write the shape as BREP")
        return path.read_bytes()


def shape_to_step_bytes(shape: TopoDS_Shape) -> bytes:
    with tempfile.TemporaryDirectory(prefix="cadcoder-shape-") as tmp:
        path = Path(tmp) / "shape.step"
        writer = STEPControl_Writer()
        if writer.Transfer(shape, STEPControl_AsIs) != IFSelect_RetDone:
            raise ShapeReadError("OCCT could not translate the shape to STEP")
        if writer.Write(str(path)) != IFSelect_RetDone:
            raise ShapeReadError("OCCT could not write the shape as STEP")
        return path.read_bytes()


def shape_to_stl_bytes(
    shape: TopoDS_Shape, tolerance: float = 1e-3, angular_tolerance: float = 0.1, relative: bool = True
) -> bytes:
    """Binary STL with CadQuery's default meshing (deflection relative to edge length).

    Meshing stores a triangulation in ``shape``; write BREP before STL if the BREP should stay lean.
    Meshing runs single-threaded: callers include forked sandbox children, where a thread pool
    inherited from the parent would not exist.
    """
    BRepMesh_IncrementalMesh(shape, tolerance, relative, angular_tolerance, False)
    with tempfile.TemporaryDirectory(prefix="cadcoder-shape-") as tmp:
        path = Path(tmp) / "shape.stl"
        writer = StlAPI_Writer()
        writer.ASCIIMode = False
        if not writer.Write(shape, str(path)):
            raise ShapeReadError("OCCT could not write the shape as STL")
        return path.read_bytes()


def _read_brep(path: Path) -> TopoDS_Shape:
    shape = TopoDS_Shape()
    if not BRepTools.Read_s(shape, str(path), BRep_Builder()) or shape.IsNull():
        raise ShapeReadError(f"{path}: not a readable BREP file")
    return shape


def _read_step(path: Path) -> TopoDS_Shape:
    reader = STEPControl_Reader()
    if reader.ReadFile(str(path)) != IFSelect_RetDone:
        raise ShapeReadError(f"{path}: not a readable STEP file")
    reader.TransferRoots()
    shape = reader.OneShape()
    if shape.IsNull():
        raise ShapeReadError(f"{path}: the STEP file holds no shape")
    return shape
