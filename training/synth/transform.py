"""Rigid rotations of whole programs, so an idiom drawn upright can also lie on its side.

Only the sketch planes move (origin, x direction, normal), exactly what CadQuery's
``solid.rotate((0, 0, 0), axis, angle)`` does to the finished solid, so the verbose emission of the
rotated program and the concise code with a trailing ``rotate`` describe the same part.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from core.program.part_ir import Plane, Program, Vec3


def rotation_matrix(axis: Vec3, degrees: float) -> np.ndarray:
    """Right-hand rotation about ``axis`` through the origin (Rodrigues)."""
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    t = math.radians(degrees)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k)


def rotate_program(program: Program, axis: Vec3, degrees: float) -> Program:
    r = rotation_matrix(axis, degrees)

    def rot(v: Vec3) -> Vec3:
        w = r @ np.asarray(v, dtype=float)
        return (_clean(w[0]), _clean(w[1]), _clean(w[2]))

    extrudes = tuple(
        replace(
            e,
            sketch=replace(
                e.sketch,
                plane=Plane(
                    rot(e.sketch.plane.origin), rot(e.sketch.plane.x_dir), rot(e.sketch.plane.normal)
                ),
            ),
        )
        for e in program.extrudes
    )
    return Program.from_extrudes(program.family, extrudes, program.params)


def _clean(x: float) -> float:
    """Round away float noise, so a quarter turn of an axis-aligned frame prints 0 and 1."""
    return round(float(x), 12) + 0.0
