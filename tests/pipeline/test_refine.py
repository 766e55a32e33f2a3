"""Dimension fitting: a program with the wrong proportions is pulled towards the picture's."""

from __future__ import annotations

import cadquery as cq
import pytest

from core.geometry.tessellate import tessellate
from core.pipeline.refine import RefineConfig, dimensions, refine, rounded
from core.program import parameter_values
from core.render import render_shape
from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool, Status

CUBE = "import cadquery as cq\n\nlength = 1.0\nwidth = 1.0\nheight = 1.0\n\nsolid = cq.Workplane('XY').box(length, width, height)\n"


@pytest.fixture(scope="module")
def execute():
    with SandboxPool(SandboxConfig(workers=2)) as pool:
        yield lambda codes: [f.result() for f in [pool.submit(c, outputs=("mesh",)) for c in codes]]


def test_only_named_positive_floats_are_dimensions() -> None:
    code = "import cadquery as cq\nwidth = 2.0\ncount = 3\noffset = -1.5\nsolid = cq.Workplane().box(width, 1, 1)\n"
    assert [p.name for p in dimensions(code)] == ["width"]
    assert rounded(1.07864, 3) == 1.08 and rounded(0.0123456, 3) == 0.0123


def test_a_cube_becomes_the_plate_in_the_picture(execute) -> None:
    picture = render_shape(cq.Workplane("XY").box(3.0, 1.0, 0.4)).convert("RGB")
    fitted = refine(CUBE, picture, execute, RefineConfig(budget=40))
    assert fitted is not None and fitted.runs <= 40
    assert fitted.score > fitted.start_score + 0.1
    v = parameter_values(fitted.code)
    # Proportions, not size, are what a picture shows: compare ratios (the truth is 3 : 1 : 0.4).
    assert 2.2 < v["length"] / v["width"] < 3.8
    assert 0.25 < v["height"] / v["width"] < 0.6
    compile(fitted.code, "<fitted>", "exec")


def test_nothing_to_fit_or_failing_code_gives_none(execute) -> None:
    picture = render_shape(cq.Workplane("XY").box(1, 1, 1)).convert("RGB")
    assert refine("import cadquery as cq\nsolid = cq.Workplane().box(1, 2, 3)\n", picture, execute) is None
    assert (
        refine("import cadquery as cq\nwidth = 1.0\nsolid = cq.Workplane().nope(width)\n", picture, execute)
        is None
    )


U_PROFILE = """import cadquery as cq

span = {span}
height = 0.3
depth = 0.4
thickness = {thickness}

solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (span, 0), (span, height), (span - thickness, height),
               (span - thickness, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-depth)
)
"""


def unchecked(codes: list[str]) -> list[ExecutionResult]:
    """Runs trusted test code in-process and calls every solid ok: fitting without the validity rule."""
    results = []
    for code in codes:
        namespace: dict = {}
        try:
            exec(code, namespace)
        except Exception as exc:  # OCCT refuses some profiles outright
            results.append(ExecutionResult(Status.RUNTIME_ERROR, message=str(exc)))
            continue
        results.append(ExecutionResult(Status.OK, mesh=tessellate(namespace["solid"])))
    return results


def test_fitting_rejects_trials_that_self_intersect(execute) -> None:
    # Issue 16: the picture is the U-profile whose span (0.0392) is under twice its thickness
    # (0.0546); drawn, it matches a self-intersecting program best. Unchecked fitting walks there;
    # the sandbox calls those trials invalid_solid, so fitting keeps span > 2 * thickness.
    namespace: dict = {}
    exec(U_PROFILE.format(span=0.0392, thickness=0.0546), namespace)
    picture = render_shape(namespace["solid"]).convert("RGB")
    start = U_PROFILE.format(span=0.12, thickness=0.05)
    config = RefineConfig(budget=36)

    free = refine(start, picture, unchecked, config)
    v = parameter_values(free.code)
    assert v["span"] < 2 * v["thickness"]  # the unconstrained optimum crosses itself

    fitted = refine(start, picture, execute, config)
    assert fitted is not None and fitted.score > fitted.start_score + 0.05
    v = parameter_values(fitted.code)
    assert v["span"] > 2 * v["thickness"]
    assert execute([fitted.code])[0].status is Status.OK
