"""Sketch plane orientations: the dataset's axis-aligned frames and, less often, tilted ones.

GenCAD-Code stores each sketch plane as origin, x direction and normal computed from Euler angles,
which is why its code carries values such as ``6.123233995736766e-17``; computing our frames the same
way (cos/sin of the angles) gives the verbose style the same look without copying any sample.
"""

from __future__ import annotations

import math

import numpy as np

from core.program.part_ir import Plane, Vec3

# (theta, phi, gamma) in degrees giving the six axis-aligned normals with a right-handed frame.
AXIS_EULER = {
    "+z": (0.0, 0.0, 0.0),
    "-z": (180.0, 0.0, 0.0),
    "-y": (90.0, 0.0, 0.0),
    "+y": (-90.0, 0.0, 0.0),
    "+x": (0.0, 90.0, 0.0),
    "-x": (0.0, -90.0, 0.0),
}
_AXIS_WEIGHTS = {"+z": 0.5, "-z": 0.06, "-y": 0.16, "+y": 0.08, "+x": 0.1, "-x": 0.1}


def euler_frame(theta: float, phi: float, gamma: float) -> tuple[Vec3, Vec3]:
    """(x_dir, normal) of the rotation Rx(theta) Ry(phi) Rz(gamma), angles in degrees."""
    t, p, g = (math.radians(a) for a in (theta, phi, gamma))
    ct, st, cp, sp, cg, sg = math.cos(t), math.sin(t), math.cos(p), math.sin(p), math.cos(g), math.sin(g)
    rx = np.array([[1, 0, 0], [0, ct, -st], [0, st, ct]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rz = np.array([[cg, -sg, 0], [sg, cg, 0], [0, 0, 1]])
    r = rx @ ry @ rz
    return _vec(r[:, 0]), _vec(r[:, 2])


def axis_frame(name: str) -> tuple[Vec3, Vec3]:
    return euler_frame(*AXIS_EULER[name])


def random_frame(rng: np.random.Generator, tilt_p: float) -> tuple[Vec3, Vec3]:
    """Mostly an axis-aligned frame; with probability ``tilt_p`` angles in steps of 15 degrees."""
    if rng.random() < tilt_p:
        theta, phi, gamma = (float(rng.integers(-12, 13)) * 15.0 for _ in range(3))
        return euler_frame(theta, phi, gamma)
    names = list(_AXIS_WEIGHTS)
    name = str(rng.choice(names, p=[_AXIS_WEIGHTS[n] for n in names]))
    return axis_frame(name)


def face_frame(rng: np.random.Generator, axis: int, side: int) -> tuple[Vec3, Vec3]:
    """A frame whose normal is ``side`` times the unit vector of ``axis``, x along another axis."""
    normal = [0.0, 0.0, 0.0]
    normal[axis] = float(side)
    others = [i for i in range(3) if i != axis]
    x_axis = others[int(rng.integers(0, 2))]
    x_dir = [0.0, 0.0, 0.0]
    x_dir[x_axis] = float(rng.choice([-1.0, 1.0]))
    return (x_dir[0], x_dir[1], x_dir[2]), (normal[0], normal[1], normal[2])


def plane(origin: Vec3, frame: tuple[Vec3, Vec3]) -> Plane:
    return Plane(origin, frame[0], frame[1])


def _vec(v: np.ndarray) -> Vec3:
    return (float(v[0]), float(v[1]), float(v[2]))
