"""The sketch IR against CadQuery itself: each program runs in the sandbox, and the solid the IR
describes (areas x extrusion, corners on the plane) must have the sandbox's volume and box."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from native_cases import ENGINE_NAMES, engine_programs, model_programs

from core.program.part_ir import Boolean, Circle, Extrude, Point, Primitive, leaves
from core.program.sketch_constraints import plan_sketch
from core.program.sketch_ir import NotNative, parse_program
from core.program.sketch_loops import arc_center
from core.sandbox import SandboxConfig, SandboxPool

H = "import cadquery as cq\n"
TILTED = "cq.Plane(cq.Vector(1, 2, 3), cq.Vector(1, -1, 0.5), cq.Vector(1, 1, 1))"

# Single extrusions whose volume and bounding box follow from the IR alone.
SEMANTICS = {
    "add_does_not_choose_wires": H
    + "wp = cq.Workplane('XY')\n"
    + "a = wp.moveTo(0, 0).lineTo(4, 0).lineTo(4, 4).lineTo(0, 4).close()\n"
    + "b = wp.moveTo(10, 0).lineTo(12, 0).lineTo(12, 2).close()\n"
    + "solid = wp.add(a).extrude(1)\n",
    "close_adds_the_missing_line": H
    + "solid = cq.Workplane('XY').moveTo(1, 1).lineTo(5, 1).lineTo(5, 3).close().extrude(2)\n",
    "outline_without_moveTo_starts_at_origin": H
    + "solid = cq.Workplane('XZ').lineTo(3, 0).lineTo(3, 2).lineTo(0, 2).close().extrude(1.5)\n",
    "negative_extrude": H + "solid = cq.Workplane('YZ').rect(2, 3, centered=False).extrude(-4)\n",
    "both_directions_on_a_tilted_plane": H
    + f"wp = cq.Workplane({TILTED})\n"
    + "solid = wp.add(wp.moveTo(0, 0).lineTo(5, 0).lineTo(5, 2).lineTo(0, 2).close()).extrude(0.5, both=True)\n",
    "hole_listed_before_its_outline": H
    + "wp = cq.Workplane('XY')\n"
    + "h = wp.moveTo(5, 5).circle(1.5)\n"
    + "o = wp.moveTo(0, 0).lineTo(10, 0).lineTo(10, 10).lineTo(0, 10).close()\n"
    + "solid = wp.add(h).add(o).extrude(2)\n",
    "separate_faces_and_arcs": H
    + "wp = cq.Workplane('XY')\n"
    + "d = wp.moveTo(0, 0).lineTo(4, 0).threePointArc((6, 2), (4, 4)).lineTo(0, 4).close()\n"
    + "c = wp.moveTo(20, 2).circle(2)\n"
    + "solid = wp.add(d).add(c).extrude(3)\n",
    "retraced_edge_is_dropped": H
    + "solid = cq.Workplane('XY').moveTo(0, 0).lineTo(4, 0).lineTo(4, 2).lineTo(4, 0).lineTo(4, 3)"
    + ".lineTo(0, 3).close().extrude(1)\n",
    "polygon_rect_circle_idioms": H
    + "solid = cq.Workplane('XY').rect(20, 10).polygon(6, 4).moveTo(6, 0).circle(1).extrude(2)\n",
}


@pytest.fixture(scope="module")
def sandbox_runs() -> dict[str, object]:
    with SandboxPool(SandboxConfig(workers=2)) as pool:
        futures = {name: pool.submit(code, timeout=60.0) for name, code in SEMANTICS.items()}
        return {name: f.result() for name, f in futures.items()}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SEMANTICS))
def test_ir_solid_matches_cadquery(name: str, sandbox_runs: dict) -> None:
    run = sandbox_runs[name]
    assert run.ok, run.message
    program = parse_program(SEMANTICS[name])
    (leaf,) = leaves(program.solid)
    assert isinstance(leaf, Extrude)
    assert math.isclose(_volume(leaf), run.volume, rel_tol=1e-9), (_volume(leaf), run.volume)
    if not any(isinstance(loop, Circle) for loop in leaf.sketch.loops) and not _has_arcs(leaf):
        assert _bbox(leaf) == pytest.approx(run.bbox, abs=1e-6)


def test_parameter_names_reach_points_sizes_and_distances() -> None:
    code = (
        H
        + "w = 40.0\nwp = cq.Workplane('XY')\nsolid = wp.moveTo(1, 2).lineTo(w, 2).lineTo(w, 9).lineTo(1, 9).close().extrude(6)\n"
    )
    (leaf,) = leaves(parse_program(code).solid)
    first, second = leaf.sketch.loops[0].segments[:2]
    assert (first.start.x_name, first.start.y_name) == ("moveTo_x", "moveTo_y")
    assert first.end.x_name == "w" and second.end.y_name == "lineTo_y_2"
    assert leaf.distance == 6 and leaf.distance_name == "extrude_distance"


def test_booleans_workplanes_and_planes() -> None:
    code = (
        H
        + f"a = cq.Workplane({TILTED}).rect(4, 4).extrude(2)\n"
        + "b = cq.Workplane('XY').box(1, 2, 3)\n"
        + "c = cq.Workplane('XY').circle(1).extrude(5)\n"
        + "solid = a.union(b).cut(c).intersect(b)\n"
    )
    program = parse_program(code)
    node = program.solid
    assert isinstance(node, Boolean) and node.op == "intersect"
    assert node.base.op == "cut" and node.base.base.op == "union"
    plane = program.sketches[0].plane
    assert sum(a * b for a, b in zip(plane.x_dir, plane.normal, strict=True)) == pytest.approx(0, abs=1e-15)
    assert plane.normal == pytest.approx((3**-0.5,) * 3)
    box = node.tool
    assert isinstance(box, Primitive) and box.plane.origin == pytest.approx((-0.5, -1.0, -1.5))


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (H + "import os\nsolid = cq.Workplane().box(1, 1, 1)\n", "import of os"),
        (H + "solid = cq.Workplane().box(2, 2, 2).edges('|Z').fillet(0.2)\n", "Workplane.edges()"),
        (H + "for i in range(2):\n    pass\nsolid = cq.Workplane().box(1, 1, 1)\n", "For statement"),
        (H + "solid = cq.Workplane().moveTo(0, 0).lineTo(1, 0).lineTo(1, 1).extrude(1)\n", "not closed"),
        (
            H + "wp = cq.Workplane()\nsolid = wp.rect(10, 10).rect(6, 6).rect(2, 2).extrude(1)\n",
            "inside a hole",
        ),
        (H + "solid = cq.Workplane().rect(4, 4).center(2, 0).rect(4, 4).extrude(1)\n", "another plane"),
        (H + "wp = cq.Workplane()\nsolid = wp.rect(4, 4).moveTo(2, 1).rect(4, 4).extrude(1)\n", "cross"),
        (
            H
            + "solid = cq.Workplane().moveTo(0, 0).lineTo(4, 4).lineTo(4, 0).lineTo(0, 4).close().extrude(1)\n",
            "crosses or touches itself",
        ),
        (H + "x = 1\n", "no workplane"),
    ],
)
def test_refusals_name_the_reason_and_line(code: str, reason: str) -> None:
    with pytest.raises(NotNative) as caught:
        parse_program(code)
    assert reason in str(caught.value)
    if "import" not in reason and "no workplane" not in reason:
        assert caught.value.line is not None and caught.value.line >= 2


def test_touching_loops_are_reported_not_refused() -> None:
    code = (
        H
        + "wp = cq.Workplane()\nsolid = wp.circle(3).moveTo(1, 0).circle(2).moveTo(-2, 0).circle(1).extrude(1)\n"
    )
    sketch = parse_program(code).sketches[0]
    assert len(sketch.regions) == 1 and len(sketch.regions[0].holes) == 2
    assert sketch.touching == ((0, 1), (0, 2), (1, 2))


def test_sliver_lobe_is_trimmed_at_the_crossing() -> None:
    # GenCAD artefact: a closing line nearly tangent to the last arc crosses it again 1e-3 away.
    code = (
        H
        + "wp = cq.Workplane()\n"
        + "l = wp.moveTo(0.9245, 0.0127).threePointArc((1.1997, 0.2913), (0.9245, 0.5699)).lineTo(0.0, 0.5699)"
        + ".threePointArc((0.28148, 0.28495), (0.0, 0.0)).close()\n"
        + "solid = wp.add(l).extrude(1)\n"
    )
    loop = parse_program(code).sketches[0].loops[0]
    arc, closing = loop.segments[-2], loop.segments[-1]
    assert arc.end == closing.start and 0 < arc.end.x < 1e-2
    written = arc_center(Point(0.0, 0.5699), Point(0.28148, 0.28495), Point(0.0, 0.0))
    assert arc_center(arc.start, arc.mid, arc.end) == pytest.approx(written, abs=1e-9)


def test_constraint_plan_of_a_rectangle_and_a_clockwise_arc() -> None:
    code = H + "solid = cq.Workplane().rect(6, 4).extrude(1)\n"
    plan = plan_sketch(parse_program(code).sketches[0].loops)
    kinds = sorted(c.kind for c in plan.constraints)
    # The two named sides, then the rectangle's place (unnamed: centred on the origin).
    assert (
        kinds
        == ["Coincident"] * 4 + ["DistanceX"] * 2 + ["DistanceY"] * 2 + ["Horizontal"] * 2 + ["Vertical"] * 2
    )
    assert {c.name for c in plan.constraints if c.name} == {"rect_xLen", "rect_yLen"}
    code = H + "solid = cq.Workplane().moveTo(0, 0).threePointArc((1, 1), (2, 0)).close().extrude(1)\n"
    plan = plan_sketch(parse_program(code).sketches[0].loops)
    arc, closing = plan.geometry
    assert arc.kind == "arc" and arc.reversed and closing.kind == "line"  # Sketcher: from (2, 0) to (0, 0)
    coincident = [c.refs for c in plan.constraints if c.kind == "Coincident"]
    assert coincident == [(0, 1, 1, 1), (1, 2, 0, 2)]


def test_a_dimension_never_fixes_a_coordinate_twice() -> None:
    code = (
        H
        + "wp = cq.Workplane()\nsolid = wp.moveTo(1, 2).lineTo(5, 2).lineTo(5, 7).lineTo(1, 7).close().extrude(1)\n"
    )
    plan = plan_sketch(parse_program(code).sketches[0].loops)
    dims = [c for c in plan.constraints if c.kind.startswith("Distance")]
    # Two x levels and two y levels: one dimension each, although every corner was written out.
    assert sorted(c.kind for c in dims) == ["DistanceX", "DistanceX", "DistanceY", "DistanceY"]
    assert sorted(c.value for c in dims) == [1, 2, 5, 7]


def test_every_benchmark_ground_truth_is_read(benchmark_samples: list[dict]) -> None:
    refused = {}
    for sample in benchmark_samples:
        try:
            parse_program(sample["ground_truth"])
        except NotNative as exc:
            refused[sample["question_id"]] = str(exc)
    assert refused == {}


def _volume(leaf: Extrude) -> float:
    area = sum(abs(_area(r.outer)) - sum(abs(_area(h)) for h in r.holes) for r in leaf.sketch.regions)
    return area * abs(leaf.distance) * (2 if leaf.both else 1)


def _area(loop) -> float:
    """Signed area: the polygon of chords plus, per arc, the circular segment it bulges by."""
    if isinstance(loop, Circle):
        return math.pi * loop.radius**2
    total = 0.0
    for seg in loop.segments:
        total += (seg.start.x * seg.end.y - seg.end.x * seg.start.y) / 2
        if hasattr(seg, "mid"):
            cx, cy = arc_center(seg.start, seg.mid, seg.end)
            r = math.hypot(seg.start.x - cx, seg.start.y - cy)
            t0, t1 = (
                math.atan2(seg.start.y - cy, seg.start.x - cx),
                math.atan2(seg.end.y - cy, seg.end.x - cx),
            )
            ccw = (seg.mid.x - seg.start.x) * (seg.end.y - seg.mid.y) > (seg.mid.y - seg.start.y) * (
                seg.end.x - seg.mid.x
            )
            sweep = (t1 - t0) % (2 * math.pi) if ccw else (t0 - t1) % (2 * math.pi)
            total += math.copysign(r * r * (sweep - math.sin(sweep)) / 2, 1.0 if ccw else -1.0)
    return total


def _has_arcs(leaf: Extrude) -> bool:
    return any(hasattr(s, "mid") for loop in leaf.sketch.loops for s in loop.segments)


def _bbox(leaf: Extrude) -> tuple[float, ...]:
    heights = (-leaf.distance, leaf.distance) if leaf.both else (0.0, leaf.distance)
    corners = [
        leaf.sketch.plane.to_world((s.start.x, s.start.y), z)
        for loop in leaf.sketch.loops
        for s in loop.segments
        for z in heights
    ]
    return tuple(min(c[i] for c in corners) for i in range(3)) + tuple(
        max(c[i] for c in corners) for i in range(3)
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_damaged_programs_are_refused_never_crash(benchmark_samples: list[dict], data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(benchmark_samples))["ground_truth"]
    start = data.draw(st.integers(0, len(code) - 1))
    damaged = (
        code[:start]
        + data.draw(st.sampled_from(["", "-", "0", ")", "(", "*2", ",", ".", "e9"]))
        + code[start + 1 :]
    )
    try:
        program = parse_program(damaged)
    except NotNative as exc:
        assert exc.reason
    else:
        assert leaves(program.solid)


DOF = {"line": 4, "arc": 5, "circle": 3}
EQUATIONS = {"Coincident": 2}


def test_every_data_engine_family_is_read_with_fully_constrained_sketches() -> None:
    """polyline, rarray, polarArray, slot2D, cutThruAll, rotate and faces('>Z') on unions and cuts
    are all read (and so is everything the embedded model wrote in tests/native/model_outputs); each sketch's plan leaves 0 degrees of freedom (FreeCAD confirms it in
    test_native_freecad) and the concise idioms' parameters name its dimensions."""
    for name, code in (engine_programs(2) | model_programs()).items():
        program = parse_program(code)
        names = set()
        for sketch in program.sketches:
            plan = plan_sketch(sketch.loops)
            freedom = sum(DOF[g.kind] for g in plan.geometry)
            freedom -= sum(EQUATIONS.get(c.kind, 1) for c in plan.constraints)
            assert freedom == 0, name
            names |= {c.name.rstrip("_0123456789") for c in plan.constraints if c.name}
        assert ENGINE_NAMES.get(name, set()) <= names, (name, names)


def test_rarray_pitch_and_polar_array_positions() -> None:
    code = H + (
        "p = 7.0\nsolid = cq.Workplane().box(40, 30, 4).faces('>Z').workplane().rarray(p, 5, 3, 2).hole(2)\n"
    )
    (sketch,) = parse_program(code).sketches
    xs = sorted({round(loop.center.x, 9) for loop in sketch.loops})
    assert xs == [-7.0, 0.0, 7.0]
    plan = plan_sketch(sketch.loops)
    assert sorted(c.name for c in plan.constraints if c.name and c.name.startswith("p")) == [
        "p",
        "p_2",
        "p_3",
        "p_4",
    ]
    code = (
        H
        + "solid = cq.Workplane().circle(10).extrude(2).faces('>Z').workplane().polarArray(6, 0, 360, 4).hole(1)\n"
    )
    centers = {
        (round(c.x, 9), round(c.y, 9))
        for c in (loop.center for loop in parse_program(code).sketches[1].loops)
    }
    assert centers == {(6.0, 0.0), (0.0, 6.0), (-6.0, 0.0), (0.0, -6.0)}


def test_faces_of_a_union_and_of_a_cut_with_a_cap_left() -> None:
    code = H + (
        "solid = cq.Workplane().circle(10).extrude(2).faces('>Z').workplane().circle(4).extrude(3)"
        ".faces('>Z').workplane().hole(2).faces('>Z').workplane().rect(1, 1).extrude(1)\n"
    )
    last = parse_program(code).sketches[-1]
    assert last.plane.origin == pytest.approx((0.0, 0.0, 5.0))
    code = (
        H
        + "solid = cq.Workplane().circle(3).extrude(2).faces('>Z').workplane().hole(6).faces('>Z').workplane()\n"
    )
    with pytest.raises(NotNative, match="extreme face"):
        parse_program(code + "solid = solid.rect(1, 1).extrude(1)\n")
