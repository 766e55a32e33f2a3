"""The one program representation (``core.program.part_ir``): a generated part survives the trip
IR -> concise code -> native reader -> IR unchanged, for every family of the data engine, so the
data engine and native conversion really speak the same IR."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.program.part_ir import (
    Arc,
    ArcTo,
    Boolean,
    Circle,
    Curve,
    Extrude,
    Line,
    Loop,
    Plane,
    Point,
    Program,
    Sketch,
    loop_through,
    polygon,
)
from core.program.sketch_ir import parse_program
from training.synth.emit_concise import emit_concise
from training.synth.emit_verbose import emit_verbose
from training.synth.generic import generate_generic
from training.synth.idioms import IDIOMS, generate_idiom
from training.synth.numbers import CONCISE_QUANTUM, VERBOSE_QUANTUM

# emit_concise writes 4 decimals; plane axes are re-normalised by the reader.
TOL = 2e-4
XY = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0))


def _close(a, b) -> bool:
    return all(math.isclose(x, y, abs_tol=TOL) for x, y in zip(a, b, strict=True))


def _curve_points(curve: Curve) -> list[tuple[str, tuple[float, ...]]]:
    if isinstance(curve, Circle):
        return [("circle", (*curve.center, curve.radius))]
    return [
        ("arc", (*s.start, *s.mid, *s.end)) if isinstance(s, Arc) else ("line", (*s.start, *s.end))
        for s in curve.segments
    ]


def _same_curve(a: Curve, b: Curve) -> bool:
    """Equal within ``TOL``, allowing the loop to start at another of its corners (same direction)."""
    pa, pb = _curve_points(a), _curve_points(b)
    if len(pa) != len(pb):
        return False
    for k in range(len(pb)):
        turned = pb[k:] + pb[:k]
        if all(ka == kb and _close(va, vb) for (ka, va), (kb, vb) in zip(pa, turned, strict=True)):
            return True
    return False


def _assert_same_extrude(made: Extrude, read: Extrude) -> None:
    assert read.operation == made.operation
    assert math.isclose(read.distance, made.distance, abs_tol=TOL)  # type: ignore[arg-type]
    pm, pr = made.sketch.plane, read.sketch.plane
    assert _close(pm.origin, pr.origin) and _close(pm.x_dir, pr.x_dir) and _close(pm.normal, pr.normal)
    assert len(read.sketch.loops) == len(made.sketch.loops)
    for m, r in zip(made.sketch.loops, read.sketch.loops, strict=True):
        assert _same_curve(m, r), (m, r)
    # The reader groups outlines into faces by nesting; the generator drew one face, outer first.
    index = {id(c): i for i, c in enumerate(read.sketch.loops)}
    faces = [(index[id(g.outer)], sorted(index[id(h)] for h in g.holes)) for g in read.sketch.regions]
    assert faces == [(0, list(range(1, len(made.sketch.loops))))]


def _round_trip(program: Program, emit=emit_concise) -> Program:
    read = parse_program(emit(program))
    assert len(read.extrudes) == len(program.extrudes)
    for made, got in zip(program.extrudes, read.extrudes, strict=True):
        _assert_same_extrude(made, got)
    return read


@pytest.mark.parametrize("family", sorted(IDIOMS))
def test_idiom_program_round_trips_through_concise_code_and_the_native_reader(family: str) -> None:
    for seed in range(4):
        idiom = generate_idiom(np.random.default_rng([13, seed]), family, CONCISE_QUANTUM)
        _round_trip(idiom.program)


def test_generic_programs_round_trip_through_concise_code_and_the_native_reader() -> None:
    operations = set()
    for seed in range(40):
        program = generate_generic(np.random.default_rng([13, seed]), CONCISE_QUANTUM)
        _round_trip(program)
        operations |= {e.operation for e in program.extrudes}
        assert isinstance(program.solid, (Extrude, Boolean)) and program.sketches == tuple(
            e.sketch for e in program.extrudes
        )
    assert operations == {"new", "union", "cut", "intersect"}


def test_drawing_order_builds_connected_segments_with_names_kept_apart() -> None:
    loop = loop_through((0, 0), [(4, 0), ArcTo((5, 1), (4, 2)), (0, 2)])
    assert isinstance(loop, Loop) and not loop.is_closed
    assert [type(s) for s in loop.segments] == [Line, Arc, Line]
    assert all(a.end == b.start for a, b in zip(loop.segments, loop.segments[1:], strict=False))
    square = polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    assert square.is_closed and len(square.segments) == 4 and square.n_arcs == 0
    # A Point reads as a pair, but only the coordinates: names do not change where it is.
    p = Point(3.0, 4.0, "w", None)
    assert tuple(p) == (3.0, 4.0) and p[1] == 4.0 and p.same_place((3.0, 4.0)) and p != Point(3.0, 4.0)
    assert Circle((1, 2), 3).center == Point(1.0, 2.0)


def test_sequence_and_tree_are_two_views_of_one_program() -> None:
    box = Extrude(Sketch(XY, (polygon([(0, 0), (2, 0), (2, 2), (0, 2)]),)), 1.0)
    hole = Extrude(Sketch(XY, (Circle((1, 1), 0.5),)), 1.0, operation="cut")
    program = Program.from_extrudes("plate", [box, hole], {"w": 2.0})
    assert program.solid == Boolean("cut", box, hole)
    assert program.extrudes == (box, hole) and program.family == "plate"
    with pytest.raises(ValueError):
        Program.from_extrudes("bad", [hole])
    with pytest.raises(ValueError):
        Extrude(box.sketch, 1.0, "cut")  # type: ignore[arg-type]  # the third field is ``both``
    lo, hi = hole.world_bbox()
    assert lo == pytest.approx((0.5, 0.5, 0.0)) and hi == pytest.approx((1.5, 1.5, 1.0))


def test_parts_round_trip_through_the_verbose_style_too() -> None:
    """The dataset's own layout (one workplane per sketch, ``add``-ed loops, full floats)."""
    for seed in range(10):
        _round_trip(generate_generic(np.random.default_rng([17, seed]), VERBOSE_QUANTUM), emit_verbose)
    for family in sorted(IDIOMS):
        _round_trip(
            generate_idiom(np.random.default_rng([17, 0]), family, VERBOSE_QUANTUM).program, emit_verbose
        )
