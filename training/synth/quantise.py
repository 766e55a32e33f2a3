"""Programs on an integer grid: snap every coordinate to a quantum, and scale to grid units.

Why: a small model pays for every digit it writes (the tokenizer splits digits), and CAD-Recode's
move to integer coordinates was one of its largest gains. A part of size ~1.5 snapped to 1/G of
its size and scaled by G/1.5 prints every coordinate as a short integer (``rect(64, 40)``), and
IOU_best is scale-free (both solids are normalised by their inertia), so the scale costs nothing.
``benchmarks/quantisation_iou.py`` measures what the snapping costs in IoU for each G.

Plane directions are left alone (unit vectors, exact for axis planes); everything that is a
position or a length is snapped or scaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any

from core.program.part_ir import Program
from training.synth.numbers import snap, snap_min

Map = Callable[[float], float]
_DIRECTIONS = {"x_dir", "normal"}  # unit vectors: never snapped or scaled
_LENGTHS = {"radius", "distance", "size"}
_COORDINATES = {"x", "y", "origin", "start", "mid", "end", "center"}


def map_program(program: Program, point: Map, length: Map) -> Program:
    """``program`` with ``point`` applied to every coordinate and ``length`` to radii and depths.

    Walks the IR's dataclasses by field name, so it holds for the data engine's and the shared
    IR's node types alike (a point is a pair of floats or a ``Point`` with ``x``/``y``).
    """
    extrudes = [_walk(e, "", point, length) for e in program.extrudes]
    from_extrudes = getattr(type(program), "from_extrudes", None)
    if from_extrudes is not None:
        return from_extrudes(program.family, extrudes, dict(program.params))
    return type(program)(program.family, tuple(extrudes), dict(program.params))


def _walk(obj: Any, name: str, point: Map, length: Map) -> Any:
    if name in _DIRECTIONS or obj is None or isinstance(obj, bool | int | str | dict):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        changed = {f.name: _walk(getattr(obj, f.name), f.name, point, length) for f in fields(obj) if f.init}
        return replace(obj, **changed)
    if isinstance(obj, float):
        if name in _LENGTHS:
            return (1.0 if obj >= 0 else -1.0) * length(abs(obj))
        return point(obj) if name in _COORDINATES else obj
    if isinstance(obj, tuple | list):
        if name in _COORDINATES and all(isinstance(v, int | float) for v in obj):
            return type(obj)(point(float(v)) for v in obj)
        return type(obj)(_walk(v, name, point, length) for v in obj)
    return obj


def quantise_program(program: Program, quantum: float) -> Program:
    """Every coordinate on the ``quantum`` grid; radii and depths at least one quantum."""
    return map_program(program, lambda v: snap(v, quantum), lambda v: snap_min(v, quantum))


def scale_program(program: Program, factor: float) -> Program:
    """The same part ``factor`` times larger (about the world origin); on-grid values stay exact
    to 10 decimals so the emitter prints them as integers."""
    return map_program(program, lambda v: round(v * factor, 10) + 0.0, lambda v: round(v * factor, 10) + 0.0)


def to_grid_units(program: Program, quantum: float) -> Program:
    """Snap to ``quantum`` and express in grid units: every coordinate becomes an integer."""
    return scale_program(quantise_program(program, quantum), 1.0 / quantum)


def off_grid_values(program: Program) -> int:
    """How many positions and lengths are not integers (0 for a program in grid units)."""
    values: list[float] = []

    def keep(v: float) -> float:
        values.append(v)
        return v

    map_program(program, keep, keep)
    return sum(1 for v in values if abs(v - round(v)) > 1e-9)
