"""The generic family: GenCAD-like parts of 1 to ~12 sketches, each extruded and unioned, cut or
intersected with the part so far.

Later sketches sit on a face of the part's running bounding box (bosses grow outwards from it, cuts
and intersections go inwards), which is how most multi-sketch DeepCAD parts are built and keeps
the share of disconnected or no-op results low. The part is centred on the origin with a largest
size near 1.5 units, the dataset's normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.program.part_ir import Extrude, Operation, Program, Sketch, Vec3, cross
from training.synth.holes import place_holes
from training.synth.numbers import snap, snap_min
from training.synth.planes import face_frame, plane, random_frame
from training.synth.profiles import random_profile

SCALE = 1.5


@dataclass(frozen=True)
class GenericSettings:
    """Defaults follow the counts of real (DeepCAD-style) parts: 57 % one extrusion, 75 % at most two
    (P(second) = 0.43, then 0.58 per further sketch), unions about three times as common as cuts,
    sketches mostly on axis planes (``tilt_p``)."""

    max_sketches: int = 12
    # Probability of a second sketch; after that ``continue_p`` per further sketch.
    first_continue_p: float = 0.43
    continue_p: float = 0.58
    union_p: float = 0.72
    cut_p: float = 0.24  # the rest intersects
    hole_p: float = 0.35
    tilt_p: float = 0.08


def generate_generic(rng: np.random.Generator, q: float, settings: GenericSettings | None = None) -> Program:
    s = settings or GenericSettings()
    n = 1
    while n < s.max_sketches and rng.random() < (s.first_continue_p if n == 1 else s.continue_p):
        n += 1
    first = _first_extrude(rng, q, s)
    extrudes = [first]
    lo, hi = first.world_bbox()
    for _ in range(n - 1):
        u = rng.random()
        op: Operation = "union" if u < s.union_p else "cut" if u < s.union_p + s.cut_p else "intersect"
        ext = _face_extrude(rng, q, s, op, lo, hi)
        extrudes.append(ext)
        if op == "union":
            elo, ehi = ext.world_bbox()
            lo = _vmin(lo, elo)
            hi = _vmax(hi, ehi)
    return Program.from_extrudes("generic", extrudes)


def _first_extrude(rng: np.random.Generator, q: float, s: GenericSettings) -> Extrude:
    long_side = SCALE * rng.uniform(0.5, 1.0)
    short_side = long_side * rng.uniform(0.15, 1.0)
    w, h = (long_side, short_side) if rng.random() < 0.5 else (short_side, long_side)
    w, h = snap_min(w, q), snap_min(h, q)
    band = rng.random()
    depth = SCALE * (
        rng.uniform(0.02, 0.15)
        if band < 0.4
        else rng.uniform(0.15, 0.6)
        if band < 0.8
        else rng.uniform(0.6, 1.0)
    )
    depth = snap_min(depth, q) * (1.0 if rng.random() < 0.85 else -1.0)
    _, outer = random_profile(rng, w, h, q)
    loops = [outer]
    if rng.random() < s.hole_p:
        loops += place_holes(rng, outer, q)
    frame = random_frame(rng, s.tilt_p)
    x_dir, normal = frame
    y_dir = cross(normal, x_dir)
    (bx0, by0), (bx1, by1) = Sketch(plane((0.0, 0.0, 0.0), frame), tuple(loops)).bounds()
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    origin = tuple(snap(-(cx * x_dir[i] + cy * y_dir[i] + depth / 2 * normal[i]), q) for i in range(3))
    return Extrude(Sketch(plane(origin, frame), tuple(loops)), depth, operation="new")


def _face_extrude(
    rng: np.random.Generator, q: float, s: GenericSettings, op: Operation, lo: Vec3, hi: Vec3
) -> Extrude:
    axis = int(rng.integers(0, 3))
    side = 1 if rng.random() < 0.5 else -1
    x_dir, normal = face_frame(rng, axis, side)
    y_dir = cross(normal, x_dir)
    ix = next(i for i in range(3) if x_dir[i] != 0)
    iy = next(i for i in range(3) if y_dir[i] != 0)
    extent = hi[axis] - lo[axis]
    span_x, span_y = hi[ix] - lo[ix], hi[iy] - lo[iy]
    if op == "intersect":
        fx0, fx1, fy0, fy1 = lo[ix], hi[ix], lo[iy], hi[iy]
    else:
        lo_frac, hi_frac = (0.25, 1.0) if op == "union" else (0.15, 0.8)
        wx, wy = span_x * rng.uniform(lo_frac, hi_frac), span_y * rng.uniform(lo_frac, hi_frac)
        fx0 = lo[ix] + rng.uniform(0.0, span_x - wx)
        fy0 = lo[iy] + rng.uniform(0.0, span_y - wy)
        fx1, fy1 = fx0 + wx, fy0 + wy
    w, h = snap_min(fx1 - fx0, q), snap_min(fy1 - fy0, q)
    kind = (
        str(rng.choice(["rounded", "arch", "obround", "polygon", "notched"])) if op == "intersect" else None
    )
    _, outer = random_profile(rng, w, h, q, kind)
    loops = [outer]
    if op != "intersect" and rng.random() < s.hole_p * (1.0 if op == "union" else 0.3):
        loops += place_holes(rng, outer, q)
    # Local (0, 0) is the sub-rectangle's corner with the smallest local x and y.
    origin = [0.0, 0.0, 0.0]
    origin[ix] = fx0 if x_dir[ix] > 0 else fx0 + w
    origin[iy] = fy0 if y_dir[iy] > 0 else fy0 + h
    face = hi[axis] if side > 0 else lo[axis]
    if op == "union":
        overlap = extent * rng.uniform(0.0, 0.3)
        room = max(0.0, SCALE / 2 - side * face)  # stay inside the dataset's [-0.75, 0.75] cube
        origin[axis] = face - side * overlap
        distance = max(overlap + min(SCALE * rng.uniform(0.05, 0.5), room), q)
    elif op == "cut":
        origin[axis] = face
        through = rng.random() < 0.35
        distance = -(extent + q) if through else -extent * rng.uniform(0.15, 0.85)
    else:
        origin[axis] = face
        distance = -(extent + q)
    snapped = tuple(snap(v, q) for v in origin)
    distance = snap(distance, q) or (q if distance > 0 else -q)
    return Extrude(Sketch(plane(snapped, (x_dir, normal)), tuple(loops)), distance, operation=op)


def _vmin(a: Vec3, b: Vec3) -> Vec3:
    return (min(a[0], b[0]), min(a[1], b[1]), min(a[2], b[2]))


def _vmax(a: Vec3, b: Vec3) -> Vec3:
    return (max(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]))
