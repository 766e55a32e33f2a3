"""Ordinary CadQuery of every kind users write runs, and the solid it reports is the right one."""

from __future__ import annotations

import math
import struct

import pytest

from core.sandbox import SandboxPool, Status

HEAD = "import cadquery as cq\nimport math\n"

# (id, body, expected volume); volumes are analytic.
SCRIPTS = [
    ("box", "solid = cq.Workplane('XY').box(10, 20, 30)", 6000.0),
    ("cylinder", "solid = cq.Workplane().circle(5).extrude(10)", math.pi * 25 * 10),
    ("sphere", "solid = cq.Workplane().sphere(3)", 4 / 3 * math.pi * 27),
    ("rect", "solid = cq.Workplane().rect(4, 6).extrude(2)", 48.0),
    ("polygon", "solid = cq.Workplane().polygon(6, 10).extrude(1)", 3 * math.sqrt(3) / 2 * 25),
    ("polyline", "solid = cq.Workplane().polyline([(0, 0), (4, 0), (0, 3)]).close().extrude(2)", 12.0),
    (
        "threePointArc",
        "solid = cq.Workplane().moveTo(-5, 0).threePointArc((0, 5), (5, 0)).close().extrude(2)",
        math.pi * 25,
    ),
    ("slot2D", "solid = cq.Workplane().slot2D(10, 4).extrude(1)", 6 * 4 + math.pi * 4),
    (
        "hole",
        "solid = cq.Workplane().box(20, 20, 10).faces('>Z').workplane().hole(4)",
        4000 - math.pi * 4 * 10,
    ),
    (
        "cboreHole",
        "solid = cq.Workplane().box(20, 20, 10).faces('>Z').workplane().cboreHole(4, 8, 2)",
        4000 - math.pi * 4 * 8 - math.pi * 16 * 2,
    ),
    (
        "cskHole",
        "solid = cq.Workplane().box(20, 20, 10).faces('>Z').workplane().cskHole(4, 8, 90)",
        4000 - math.pi * 4 * 10 - (math.pi * 2 / 3 * (16 + 8 + 4) - math.pi * 4 * 2),
    ),
    (
        "cutBlind",
        "solid = cq.Workplane().box(10, 10, 10).faces('>Z').workplane().rect(4, 4).cutBlind(-3)",
        1000 - 48,
    ),
    (
        "cutThruAll",
        "solid = cq.Workplane().box(10, 10, 10).faces('>Z').workplane().circle(2).cutThruAll()",
        1000 - math.pi * 4 * 10,
    ),
    (
        "revolve",
        "solid = cq.Workplane('XY').moveTo(3, 0).rect(2, 4).revolve(360, (0, 0, 0), (0, 1, 0))",
        math.pi * (16 - 4) * 4,
    ),
    ("loft", "solid = cq.Workplane().rect(4, 4).workplane(offset=3).rect(2, 2).loft()", 28.0),
    (
        "sweep",
        "path = cq.Workplane('XZ').polyline([(0, 0), (0, 5)])\nsolid = cq.Workplane('XY').circle(1).sweep(path)",
        math.pi * 5,
    ),
    ("shell", "solid = cq.Workplane().box(10, 10, 10).faces('>Z').shell(-1)", 1000 - 8 * 8 * 9),
    (
        "fillet",
        "solid = cq.Workplane().box(10, 10, 10).edges('|Z').fillet(1)",
        1000 - 4 * (1 - math.pi / 4) * 10,
    ),
    ("chamfer", "solid = cq.Workplane().box(10, 10, 10).edges('|Z').chamfer(1)", 1000 - 4 * 0.5 * 10),
    ("union", "a = cq.Workplane().box(2, 2, 2)\nsolid = a.union(a.translate((1, 0, 0)))", 12.0),
    ("cut", "a = cq.Workplane().box(2, 2, 2)\nsolid = a.cut(a.translate((1, 0, 0)))", 4.0),
    ("intersect", "a = cq.Workplane().box(2, 2, 2)\nsolid = a.intersect(a.translate((1, 0, 0)))", 4.0),
    (
        "operators",
        "a = cq.Workplane().box(2, 2, 2)\nsolid = (a + a.translate((1, 0, 0))) - a.translate((0, 5, 0))",
        12.0,
    ),
    (
        "transforms",
        "solid = cq.Workplane().box(1, 2, 3).rotate((0, 0, 0), (0, 0, 1), 90).translate((5, 0, 0))",
        6.0,
    ),
    ("mirror", "solid = cq.Workplane().box(1, 1, 1).translate((2, 0, 0)).mirror('YZ', union=True)", 2.0),
    (
        "pushPoints",
        "solid = cq.Workplane().box(10, 10, 1).faces('>Z').workplane().pushPoints([(2, 2), (-2, -2)]).hole(1)",
        100 - 2 * math.pi * 0.25,
    ),
    ("polarArray", "solid = cq.Workplane().polarArray(5, 0, 360, 6).circle(1).extrude(1)", 6 * math.pi),
    ("rarray", "solid = cq.Workplane().rarray(3, 3, 2, 2).rect(1, 1).extrude(1)", 4.0),
    ("selectors", "solid = cq.Workplane().box(4, 4, 4).edges('|Z and >X').chamfer(1)", 64 - 2 * 0.5 * 4),
    (
        "sketch_fillet",
        "s = cq.Sketch().rect(4, 6).vertices().fillet(1)\nsolid = cq.Workplane().placeSketch(s).extrude(2)",
        2 * (24 - 4 * (1 - math.pi / 4)),
    ),
    (
        "sketch_modes",
        "s = cq.Sketch().circle(3).circle(1, mode='s')\nsolid = cq.Workplane().placeSketch(s).extrude(1)",
        8 * math.pi,
    ),
    (
        "loop_function_math",
        "def step(i):\n    return cq.Workplane().box(1, 1, 1).translate((0, 0, i))\n"
        "solid = step(0)\nfor i in range(1, 4):\n    solid = solid.union(step(i))\nangle = math.radians(30)",
        4.0,
    ),
    (
        "comprehension",
        "pts = [(3 * math.cos(a), 3 * math.sin(a)) for a in [k * math.pi / 2 for k in range(4)]]\n"
        "solid = cq.Workplane().pushPoints(pts).rect(1, 1).extrude(2)",
        8.0,
    ),
    (
        "class",
        "class Plate:\n    def __init__(self, w, h):\n        self._w, self._h = w, h\n"
        "    def build(self):\n        return cq.Workplane().rect(self._w, self._h).extrude(1)\n"
        "solid = Plate(3, 5).build()",
        15.0,
    ),
    ("shape", "solid = cq.Solid.makeBox(1, 2, 3)", 6.0),
    ("result_variable", "result = cq.Workplane().box(2, 2, 2)", 8.0),
    (
        "show_object",
        "show_object(cq.Workplane().box(1, 1, 1), name='a')\nshow_object(cq.Workplane().box(3, 1, 1))",
        3.0,
    ),
    ("solid_beats_result", "result = cq.Workplane().box(2, 2, 2)\nsolid = cq.Workplane().box(1, 1, 1)", 1.0),
    (
        "assembly",
        "solid = cq.Assembly().add(cq.Workplane().box(1, 1, 1)).add(cq.Workplane().box(1, 1, 1), loc=cq.Location((3, 0, 0)))",
        2.0,
    ),
    ("list", "solid = [cq.Workplane().box(1, 1, 1), cq.Workplane().box(1, 1, 1).translate((3, 0, 0))]", 2.0),
]


@pytest.fixture(scope="module")
def results(pool: SandboxPool) -> dict[str, object]:
    futures = {name: pool.submit(HEAD + body) for name, body, _ in SCRIPTS}
    return {name: f.result() for name, f in futures.items()}


@pytest.mark.parametrize(("name", "expected"), [(n, v) for n, _, v in SCRIPTS])
def test_volume_matches_the_analytic_value(results: dict, name: str, expected: float) -> None:
    result = results[name]
    assert result.status is Status.OK, result.message
    assert result.volume == pytest.approx(expected, rel=1e-6)
    assert result.brep and result.brep.lstrip().startswith((b"DBRep_DrawableShape", b"CASCADE Topology"))
    assert result.n_solids >= 1 and result.n_faces >= 1 and result.n_edges >= 1


def test_bbox_is_tight_and_transformed(results: dict) -> None:
    xmin, ymin, zmin, xmax, ymax, zmax = results["transforms"].bbox
    assert (xmax - xmin, ymax - ymin, zmax - zmin) == pytest.approx((2, 1, 3), abs=1e-7)
    assert (xmin + xmax) / 2 == pytest.approx(5, abs=1e-7)
    assert results["cylinder"].bbox == pytest.approx((-5, -5, 0, 5, 5, 10), abs=1e-7)


def test_topology_counts(results: dict) -> None:
    box = results["box"]
    assert (box.n_solids, box.n_faces, box.n_edges) == (1, 6, 12)
    assert results["polarArray"].n_solids == 6
    assert results["assembly"].n_solids == 2
    assert results["mirror"].n_solids == 2


def test_which_object_is_the_solid(results: dict) -> None:
    assert results["solid_beats_result"].extra["source"] == "solid"
    assert results["result_variable"].extra["source"] == "result"
    assert results["show_object"].extra["source"] == "show_object"


def test_spline_profile(pool: SandboxPool) -> None:
    code = (
        HEAD
        + "solid = cq.Workplane().spline([(0, 0), (5, 3), (10, 0)], includeCurrent=False).close().extrude(1)"
    )
    result = pool.run(code)
    assert result.status is Status.OK, result.message
    assert 0 < result.volume < 10 * 3 * 1
    assert result.bbox[4] > 2.5  # the curve rises above its chord


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ("x = cq.Workplane().box(1, 1, 1)", Status.NO_SOLID, "defines no `solid`"),
        ("solid = cq.Sketch().rect(1, 2)", Status.NO_SOLID, "Sketch is 2-D"),
        ("solid = 42", Status.NO_SOLID, "holds no solid: int"),
        ("solid = cq.Workplane().rect(1, 1)", Status.NO_SOLID, "holds no solid"),
        (
            "b = cq.Workplane().box(1, 1, 1).val()\nsolid = cq.Solid(b.wrapped.Reversed())",
            Status.INVALID_SOLID,
            "encloses no volume",
        ),
        (
            "faces = cq.Workplane().box(1, 1, 1).val().Faces()[:5]\nsolid = cq.Solid.makeSolid(cq.Shell.makeShell(faces))",
            Status.INVALID_SOLID,
            "not watertight",
        ),
    ],
)
def test_scripts_without_a_usable_solid(pool: SandboxPool, body: str, status: Status, text: str) -> None:
    result = pool.run(HEAD + body)
    assert result.status is status
    assert text in result.message


def test_runtime_error_names_the_users_line(pool: SandboxPool) -> None:
    code = (
        HEAD
        + "a = 1\nb = cq.Workplane().box(1, 1, 1)\nsolid = b.faces('>Z').workplane().hole(0.1, depth=-5).fillet(9)\n"
    )
    result = pool.run(code)
    assert result.status is Status.RUNTIME_ERROR
    assert result.line == 5
    assert result.message.startswith("line 5: ")
    assert "core/sandbox" not in result.message and "Traceback" not in result.message


def test_runtime_error_inside_a_function_points_into_it(pool: SandboxPool) -> None:
    result = pool.run("def f(x):\n    return 1 / x\n\nsolid = f(0)\n")
    assert result.status is Status.RUNTIME_ERROR
    assert (result.line, result.message) == (2, "line 2: ZeroDivisionError: division by zero")


def test_syntax_error(pool: SandboxPool) -> None:
    result = pool.run(HEAD + "solid = cq.Workplane(.box(1, 1, 1)\n")
    assert result.status is Status.SYNTAX_ERROR
    assert result.line == 3


def test_stdout_is_captured_and_capped(pool: SandboxPool) -> None:
    result = pool.run(HEAD + "print('hello', 42)\nlog('logged')\nsolid = cq.Workplane().box(1, 1, 1)")
    assert result.ok and result.stdout == "hello 42\nlogged\n"
    flood = pool.run("for i in range(20000):\n    print('0123456789')\n")
    assert flood.status is Status.NO_SOLID
    assert len(flood.stdout) < 65536 + 100
    assert flood.stdout.endswith("more characters not kept]")


def test_requested_outputs(pool: SandboxPool) -> None:
    result = pool.run(HEAD + "solid = cq.Workplane().box(10, 20, 30)", outputs=("step", "stl", "mesh"))
    assert result.ok, result.message
    assert result.step.startswith(b"ISO-10303-21;")
    (triangles,) = struct.unpack_from("<I", result.stl, 80)
    assert triangles >= 12 and len(result.stl) == 84 + 50 * triangles
    try:
        import core.geometry.tessellate  # noqa: F401
    except ModuleNotFoundError:
        assert result.mesh is None
        assert "core.geometry.tessellate" in result.extra["output_errors"]["mesh"]
    else:
        assert result.mesh is not None and len(result.mesh["triangles"]) >= 12


def test_outputs_are_not_produced_unless_asked(pool: SandboxPool) -> None:
    result = pool.run(HEAD + "solid = cq.Workplane().box(1, 1, 1)")
    assert result.ok and result.brep and result.step is None and result.stl is None and result.mesh is None


def test_json_round_trip_keeps_geometry(pool: SandboxPool) -> None:
    from core.sandbox import ExecutionResult

    result = pool.run(HEAD + "solid = cq.Workplane().box(1, 2, 3)", outputs=("step",))
    again = ExecutionResult.from_json(result.to_json(include_geometry=True))
    assert again.brep == result.brep and again.step == result.step and again.bbox == result.bbox
