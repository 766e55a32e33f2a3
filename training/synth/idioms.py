"""Common mechanical parts with named parameters: boxes, cylinders, plates with hole patterns,
L and U brackets, flanges with bolt circles, stepped shafts, washers and slotted plates.

Each idiom returns its parameters, concise CadQuery that uses them by name (``box``, ``rarray``,
``polarArray``, ``hole``, ``slot2D``...), and the same part as a sketch-and-extrude program for the
dataset's verbose style. Tests check that both texts give the same volume.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.program.part_ir import (
    ArcTo,
    Circle,
    Curve,
    Extrude,
    Loop,
    Plane,
    Program,
    Sketch,
    loop_through,
    polygon,
)
from training.synth.emit_concise import n as num
from training.synth.numbers import snap_min
from training.synth.transform import rotate_program

XY = ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
XZ = ((1.0, 0.0, 0.0), (0.0, -1.0, 0.0))
YZ = ((0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
_TURNS = (((1.0, 0.0, 0.0), 90.0), ((1.0, 0.0, 0.0), -90.0), ((0.0, 1.0, 0.0), 90.0))


@dataclass(frozen=True)
class Idiom:
    family: str
    params: dict[str, float]
    concise: str
    program: Program


def _sketch(frame: tuple, origin: tuple[float, float, float], loops: list[Curve]) -> Sketch:
    return Sketch(Plane(origin, frame[0], frame[1]), tuple(loops))


def _code(params: dict[str, float], body: str) -> str:
    header = "\n".join(f"{k} = {v if isinstance(v, int) else num(v)}" for k, v in params.items())
    return f"import cadquery as cq\n\n{header}\n\n{body.strip()}\n"


def _size(rng: np.random.Generator, q: float, lo: float, hi: float) -> float:
    return snap_min(1.5 * rng.uniform(lo, hi), q)


def _centred_rect(w: float, h: float) -> Loop:
    pts = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return polygon(pts)


def _slot(cx: float, cy: float, length: float, width: float) -> Loop:
    """A slot along local y (``slot2D(length, width, 90)``) centred on (cx, cy)."""
    r = width / 2
    a = length / 2 - r
    return loop_through(
        (cx + r, cy - a),
        (
            (cx + r, cy + a),
            ArcTo((cx, cy + a + r), (cx - r, cy + a)),
            (cx - r, cy - a),
            ArcTo((cx, cy - a - r), (cx + r, cy - a)),
        ),
    )


def box(rng: np.random.Generator, q: float) -> Idiom:
    p = {
        "length": _size(rng, q, 0.3, 1.0),
        "width": _size(rng, q, 0.2, 1.0),
        "height": _size(rng, q, 0.05, 1.0),
    }
    body = 'solid = cq.Workplane("XY").box(length, width, height)'
    loop = _centred_rect(p["length"], p["width"])
    prog = Program.from_extrudes(
        "box", (Extrude(_sketch(XY, (0.0, 0.0, -p["height"] / 2), [loop]), p["height"], operation="new"),), p
    )
    return Idiom("box", p, _code(p, body), prog)


def cylinder(rng: np.random.Generator, q: float) -> Idiom:
    p = {"diameter": _size(rng, q, 0.2, 1.0), "height": _size(rng, q, 0.05, 1.0)}
    body = 'solid = cq.Workplane("XY").circle(diameter / 2).extrude(height)'
    prog = Program.from_extrudes(
        "cylinder",
        (
            Extrude(
                _sketch(XY, (0.0, 0.0, 0.0), [Circle((0.0, 0.0), p["diameter"] / 2)]),
                p["height"],
                operation="new",
            ),
        ),
        p,
    )
    return Idiom("cylinder", p, _code(p, body), prog)


def hole_plate(rng: np.random.Generator, q: float) -> Idiom:
    length, width = _size(rng, q, 0.5, 1.0), _size(rng, q, 0.3, 0.9)
    nx, ny = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    pitch_x = snap_min(length * rng.uniform(0.5, 0.8) / max(nx - 1, 1), q)
    pitch_y = snap_min(width * rng.uniform(0.4, 0.75) / max(ny - 1, 1), q)
    limit = min(pitch_x if nx > 1 else length / 2, pitch_y if ny > 1 else width / 2, length / 4, width / 4)
    p: dict[str, float] = {
        "length": length,
        "width": width,
        "thickness": _size(rng, q, 0.02, 0.15),
        "hole_diameter": snap_min(limit * rng.uniform(0.3, 0.7), q),
        "nx": nx,
        "ny": ny,
        "pitch_x": pitch_x,
        "pitch_y": pitch_y,
    }
    body = """
solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .rarray(pitch_x, pitch_y, nx, ny)
    .hole(hole_diameter)
)"""
    holes = [
        Circle(((i - (nx - 1) / 2) * pitch_x, (j - (ny - 1) / 2) * pitch_y), p["hole_diameter"] / 2)
        for i in range(nx)
        for j in range(ny)
    ]
    sketch = _sketch(XY, (0.0, 0.0, -p["thickness"] / 2), [_centred_rect(length, width), *holes])
    prog = Program.from_extrudes("hole_plate", (Extrude(sketch, p["thickness"], operation="new"),), p)
    return Idiom("hole_plate", p, _code(p, body), prog)


def l_bracket(rng: np.random.Generator, q: float) -> Idiom:
    length, height, width = _size(rng, q, 0.4, 1.0), _size(rng, q, 0.3, 1.0), _size(rng, q, 0.2, 0.8)
    thickness = snap_min(min(length, height) * rng.uniform(0.08, 0.3), q)
    hole_d = snap_min(min(length - thickness, width) * rng.uniform(0.15, 0.4), q)
    p = {"length": length, "height": height, "width": width, "thickness": thickness, "hole_diameter": hole_d}
    hole_x = (length + thickness) / 2
    body = """
solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-width)
)
hole = cq.Workplane("XY").moveTo((length + thickness) / 2, width / 2).circle(hole_diameter / 2).extrude(thickness)
solid = solid.cut(hole)"""
    profile = polygon(
        [
            (0.0, 0.0),
            (length, 0.0),
            (length, thickness),
            (thickness, thickness),
            (thickness, height),
            (0.0, height),
        ]
    )
    prog = Program.from_extrudes(
        "l_bracket",
        (
            Extrude(_sketch(XZ, (0.0, 0.0, 0.0), [profile]), -width, operation="new"),
            Extrude(
                _sketch(XY, (0.0, 0.0, 0.0), [Circle((hole_x, width / 2), hole_d / 2)]),
                thickness,
                operation="cut",
            ),
        ),
        p,
    )
    return Idiom("l_bracket", p, _code(p, body), prog)


def u_bracket(rng: np.random.Generator, q: float) -> Idiom:
    span, height, depth = _size(rng, q, 0.4, 1.0), _size(rng, q, 0.2, 0.8), _size(rng, q, 0.2, 1.0)
    thickness = snap_min(min(span / 2, height) * rng.uniform(0.1, 0.4), q)
    p = {"span": span, "height": height, "depth": depth, "thickness": thickness}
    body = """
solid = (
    cq.Workplane("XZ")
    .polyline(
        [
            (0, 0),
            (span, 0),
            (span, height),
            (span - thickness, height),
            (span - thickness, thickness),
            (thickness, thickness),
            (thickness, height),
            (0, height),
        ]
    )
    .close()
    .extrude(-depth)
)"""
    t = thickness
    profile = polygon(
        [
            (0.0, 0.0),
            (span, 0.0),
            (span, height),
            (span - t, height),
            (span - t, t),
            (t, t),
            (t, height),
            (0.0, height),
        ]
    )
    prog = Program.from_extrudes(
        "u_bracket", (Extrude(_sketch(XZ, (0.0, 0.0, 0.0), [profile]), -depth, operation="new"),), p
    )
    return Idiom("u_bracket", p, _code(p, body), prog)


def flange(rng: np.random.Generator, q: float) -> Idiom:
    od = _size(rng, q, 0.6, 1.0)
    hub = snap_min(od * rng.uniform(0.3, 0.5), q)
    bore = snap_min(hub * rng.uniform(0.3, 0.7), q)
    bolt_circle = snap_min((hub + od) / 2 + (od - hub) * rng.uniform(-0.05, 0.05), q)
    count = int(rng.integers(3, 9))
    gap = min((od - hub) / 2, bolt_circle * math.sin(math.pi / count))
    bolt = snap_min(gap * rng.uniform(0.3, 0.6), q)
    p: dict[str, float] = {
        "outer_diameter": od,
        "thickness": _size(rng, q, 0.04, 0.15),
        "hub_diameter": hub,
        "hub_height": _size(rng, q, 0.05, 0.4),
        "bore_diameter": bore,
        "bolt_circle_diameter": bolt_circle,
        "bolt_diameter": bolt,
        "bolt_count": count,
    }
    body = """
solid = (
    cq.Workplane("XY")
    .circle(outer_diameter / 2)
    .extrude(thickness)
    .faces(">Z")
    .workplane()
    .circle(hub_diameter / 2)
    .extrude(hub_height)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
    .faces(">Z")
    .workplane()
    .polarArray(bolt_circle_diameter / 2, 0, 360, bolt_count)
    .hole(bolt_diameter)
)"""
    r = bolt_circle / 2
    bolts = [
        Circle((r * math.cos(2 * math.pi * k / count), r * math.sin(2 * math.pi * k / count)), bolt / 2)
        for k in range(count)
    ]
    disk = _sketch(XY, (0.0, 0.0, 0.0), [Circle((0.0, 0.0), od / 2), Circle((0.0, 0.0), bore / 2), *bolts])
    hub_sketch = _sketch(
        XY, (0.0, 0.0, p["thickness"]), [Circle((0.0, 0.0), hub / 2), Circle((0.0, 0.0), bore / 2)]
    )
    prog = Program.from_extrudes(
        "flange",
        (
            Extrude(disk, p["thickness"], operation="new"),
            Extrude(hub_sketch, p["hub_height"], operation="union"),
        ),
        p,
    )
    return Idiom("flange", p, _code(p, body), prog)


def stepped_shaft(rng: np.random.Generator, q: float) -> Idiom:
    steps = int(rng.integers(2, 5))
    d0 = _size(rng, q, 0.2, 0.6)
    diameters = [d0]
    for _ in range(steps - 1):
        diameters.append(snap_min(diameters[-1] * rng.uniform(0.5, 0.9), q))
    if rng.random() < 0.3:
        diameters.reverse()
    lengths = [_size(rng, q, 0.08, 0.4) for _ in range(steps)]
    p: dict[str, float] = {}
    for i in range(steps):
        p[f"diameter_{i}"] = diameters[i]
        p[f"length_{i}"] = lengths[i]
    parts = ['cq.Workplane("XY")']
    for i in range(steps):
        if i:
            parts += ['.faces(">Z")', ".workplane()"]
        parts += [f".circle(diameter_{i} / 2)", f".extrude(length_{i})"]
    body = "solid = (\n" + "\n".join(f"    {x}" for x in parts) + "\n)"
    extrudes = []
    z = 0.0
    for i in range(steps):
        sketch = _sketch(XY, (0.0, 0.0, z), [Circle((0.0, 0.0), diameters[i] / 2)])
        extrudes.append(Extrude(sketch, lengths[i], operation="new" if i == 0 else "union"))
        z += lengths[i]
    prog = Program.from_extrudes("stepped_shaft", tuple(extrudes), p)
    return Idiom("stepped_shaft", p, _code(p, body), prog)


def washer(rng: np.random.Generator, q: float) -> Idiom:
    od = _size(rng, q, 0.3, 1.0)
    p = {
        "outer_diameter": od,
        "inner_diameter": snap_min(od * rng.uniform(0.2, 0.8), q),
        "thickness": _size(rng, q, 0.02, 0.4),
    }
    body = (
        'solid = cq.Workplane("XY").circle(outer_diameter / 2).circle(inner_diameter / 2).extrude(thickness)'
    )
    loops: list[Curve] = [Circle((0.0, 0.0), od / 2), Circle((0.0, 0.0), p["inner_diameter"] / 2)]
    prog = Program.from_extrudes(
        "washer", (Extrude(_sketch(XY, (0.0, 0.0, 0.0), loops), p["thickness"], operation="new"),), p
    )
    return Idiom("washer", p, _code(p, body), prog)


def slotted_plate(rng: np.random.Generator, q: float) -> Idiom:
    length, width = _size(rng, q, 0.5, 1.0), _size(rng, q, 0.3, 0.9)
    count = int(rng.integers(1, 6))
    pitch = snap_min(length * rng.uniform(0.5, 0.8) / max(count - 1, 1), q)
    slot_width = snap_min(min(pitch if count > 1 else length / 2, length / 3) * rng.uniform(0.2, 0.5), q)
    slot_length = snap_min(max(width * rng.uniform(0.3, 0.75), slot_width + 2 * q), q)
    p: dict[str, float] = {
        "length": length,
        "width": width,
        "thickness": _size(rng, q, 0.02, 0.15),
        "slot_length": slot_length,
        "slot_width": slot_width,
        "slot_count": count,
        "slot_pitch": pitch,
    }
    body = """
solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .rarray(slot_pitch, 1, slot_count, 1)
    .slot2D(slot_length, slot_width, 90)
    .cutThruAll()
)"""
    slots = [_slot((i - (count - 1) / 2) * pitch, 0.0, slot_length, slot_width) for i in range(count)]
    sketch = _sketch(XY, (0.0, 0.0, -p["thickness"] / 2), [_centred_rect(length, width), *slots])
    prog = Program.from_extrudes("slotted_plate", (Extrude(sketch, p["thickness"], operation="new"),), p)
    return Idiom("slotted_plate", p, _code(p, body), prog)


IDIOMS: dict[str, Callable[[np.random.Generator, float], Idiom]] = {
    "box": box,
    "cylinder": cylinder,
    "hole_plate": hole_plate,
    "l_bracket": l_bracket,
    "u_bracket": u_bracket,
    "flange": flange,
    "stepped_shaft": stepped_shaft,
    "washer": washer,
    "slotted_plate": slotted_plate,
}


def generate_idiom(rng: np.random.Generator, family: str, q: float, turn_p: float = 0.35) -> Idiom:
    """An idiom, lying on its side (a quarter turn about x or y) with probability ``turn_p``."""
    idiom = IDIOMS[family](rng, q)
    if rng.random() >= turn_p:
        return idiom
    axis, angle = _TURNS[int(rng.integers(0, len(_TURNS)))]
    ax = ", ".join(num(a) for a in axis)
    concise = idiom.concise + f"solid = solid.rotate((0, 0, 0), ({ax}), {num(angle)})\n"
    return Idiom(family, idiom.params, concise, rotate_program(idiom.program, axis, angle))
