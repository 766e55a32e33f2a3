"""The structure search on pictures of known programs: each kind of edit is found by rendering,
comparing with the picture and running in the sandbox (only valid single solids count)."""

from __future__ import annotations

from dataclasses import replace

import cadquery as cq
import numpy as np
import pytest

from core.grounding import grounded_programs
from core.grounding.emit import emit_part
from core.grounding.recover import prism_of
from core.grounding.sketch import Arc, Loop, Prism
from core.pipeline.refine import score_of
from core.render import render_shape
from core.render.compare import outline
from core.sandbox import run_code
from core.search import Budget, scene_of, search


def _execute(codes):
    return [run_code(c, timeout=30, outputs=("mesh",)) for c in codes]


def _score(picture, part) -> float:
    score = score_of(outline(picture), run_code(emit_part(list(part)), timeout=30, outputs=("mesh",)))
    assert score is not None
    return score


def _bracket() -> cq.Workplane:
    """An L profile along Y with a hole through its base along Z: the hole is on a face that is
    not the extrusion's end face, so reading the end face alone cannot find it."""
    profile = [(0, 0), (3.0, 0), (3.0, 0.4), (0.4, 0.4), (0.4, 2.0), (0, 2.0)]
    body = cq.Workplane("XZ").polyline(profile).close().extrude(-2.0)
    return body.cut(cq.Workplane("XY").center(2.0, 1.0).circle(0.35).extrude(1.0))


def test_search_from_the_holeless_candidate_finds_the_hole_through_another_face() -> None:
    picture = render_shape(_bracket())
    start = next(g.prisms for g in grounded_programs(picture) if g.prism.axis == "y")
    assert all(p.operation != "cut" for p in start) and not start[0].holes
    found = search([(start, _score(picture, start))], picture, scene_of(picture), _execute, Budget(12, 120))
    assert found, "no edit matched the picture better"
    best = found[0]
    cuts = [p for p in best.part if p.operation == "cut"]
    assert best.edits[0].startswith("hole in the z face") and [c.axis for c in cuts] == ["z"]
    run = run_code(best.code, timeout=30, outputs=("mesh",))
    start_run = run_code(emit_part(list(start)), timeout=30, outputs=("mesh",))
    assert run.ok and run.n_solids == 1
    # The cut removes the hole's share of the volume: pi 0.35^2 0.4 of the L's (3 x 0.4 + 1.6 x 0.4) x 2.
    share = 1 - run.volume / start_run.volume
    assert share == pytest.approx(3.14159 * 0.35**2 * 0.4 / (2 * (1.2 + 0.64)), rel=0.3)
    assert (
        "hole_diameter" in best.code and "hole_depth" in best.code
    )  # the hole stays a named, editable dimension


def _rect(w: float, h: float) -> Loop:
    return Loop((-w / 2, -h / 2), ((w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2), (-w / 2, -h / 2)))


def test_a_boss_is_switched_to_the_pocket_the_picture_shows() -> None:
    body = Prism("z", _rect(120, 80), (), 40, 1.0, 0.0, "new")
    boss = Prism("z", _rect(50, 30), (), 20, 1.0, 20.0, "union")  # standing 20 on the top face
    pocket = replace(boss, operation="cut", height=0.0)
    truth = run_code(emit_part([body, pocket]), timeout=30, outputs=("mesh",))
    assert truth.ok
    from core.render import render_mesh

    picture = render_mesh(truth.mesh)
    start = (body, boss)
    found = search([(start, _score(picture, start))], picture, scene_of(picture), _execute, Budget(30, 120))
    assert found
    best = found[0]
    assert any("union -> cut" in e for e in best.edits)
    assert [p.operation for p in best.part] == ["new", "cut"] and best.score > 0.97


def test_the_body_is_read_along_the_axis_the_picture_shows() -> None:
    pts = [(0, 0), (2.0, 0), (2.0, 0.5), (0.6, 0.5), (0.6, 1.4), (0, 1.4)]
    picture = render_shape(cq.Workplane("YZ").polyline(pts).close().extrude(2.5))
    scene = scene_of(picture)
    wrong = next(h for h in scene.hyps if h.view.axis == "z")
    start = (prism_of(wrong),)
    found = search([(start, _score(picture, start))], picture, scene, _execute, Budget(6, 120))
    assert found and found[0].part[0].axis == "x" and "body along x" in found[0].edits
    assert found[0].score > 0.95


def test_the_budget_bounds_the_sandbox_runs() -> None:
    picture = render_shape(_bracket())
    start = next(g.prisms for g in grounded_programs(picture) if g.prism.axis == "y")
    runs: list[int] = []

    def counting(codes):
        runs.append(len(codes))
        return _execute(codes)

    budget = Budget(3, 120)
    search([(start, _score(picture, start))], picture, scene_of(picture), counting, budget)
    assert sum(runs) == budget.used <= 3


def test_a_hole_on_another_face_is_cut_blind_not_through_a_deep_part() -> None:
    """The picture shows a side hole's mouth, not its depth: a hole on the top of a tall block is
    proposed as deep as SIDE_HOLE_DEPTH of its widths, not through the whole block, so a boss's
    end read as a hole costs little."""
    from core.grounding.views import axis_view
    from core.search.proposals import SIDE_HOLE_DEPTH, side_holes

    block = cq.Workplane("XZ").rect(1.0, 3.0).extrude(-2.0)  # tall along Z, read along Y
    part = block.cut(cq.Workplane("XY").workplane(offset=1.5).center(0, 1.0).circle(0.2).extrude(-0.5))
    picture = render_shape(part)
    start = next(g.prisms for g in grounded_programs(picture) if g.prism.axis == "y")
    cuts = [p[-1] for name, p in side_holes(start, scene_of(picture)) if p[-1].axis == "z"]
    assert cuts, "the hole on the top face was not proposed"
    top = max(cuts, key=lambda c: c.height)
    points = np.asarray(top.outline.points(), float)
    width = float((points.max(axis=0) - points.min(axis=0)).max())
    from core.grounding.compose import world_points

    body_height = float(np.ptp(world_points(start[0]) @ axis_view("z").normal))
    assert top.depth == pytest.approx(SIDE_HOLE_DEPTH * width, rel=1e-6)
    assert top.depth < 0.5 * body_height


def test_a_tray_read_as_a_frame_becomes_a_pocket_and_a_frame_stays_a_frame() -> None:
    """A tray's floor, seen through its opening, is read as another face, so the reading is a
    frame (a hole through the part). The picture shows no background inside that hole, so the
    search may make it a pocket, and the pocket replaces the frame; a real frame shows the
    background through its opening and is left alone."""
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_best
    from core.search.proposals import pockets, sees_through

    tray = cq.Workplane("XY").box(3.0, 2.0, 0.5).faces(">Z").shell(-0.15)
    frame = cq.Workplane("XY").box(3.0, 2.0, 0.5).cut(cq.Workplane("XY").box(2.6, 1.6, 1.0))
    results = {}
    for name, shape in (("tray", tray), ("frame", frame)):
        picture = render_shape(shape)
        scene = scene_of(picture)
        start = grounded_programs(picture)[0].prisms
        assert start[0].axis == "z" and len(start[0].holes) == 1  # both read as a frame
        through = sees_through(scene, start[0], start[0].holes[0])
        proposed = [n for n, _ in pockets(start, scene)]
        found = search([(start, _score(picture, start))], picture, scene, _execute, Budget(24, 120))
        code = found[0].code if found else emit_part(list(start))
        run = run_code(code, timeout=30, outputs=("brep",))
        results[name] = (
            through,
            proposed,
            found[0].edits if found else (),
            iou_best(shape_from_bytes(run.brep), shape.val().wrapped),
        )
    through, proposed, edits, iou = results["tray"]
    assert not through and len(proposed) == 3
    assert edits and "a pocket" in edits[-1] and iou > 0.55, results["tray"]
    through, proposed, edits, iou = results["frame"]
    assert through and not proposed and iou > 0.9, results["frame"]


def test_a_ribbed_plate_gets_its_corners_back() -> None:
    """A FreeCAD snapshot of a ribbed plate (our hand-modelled set): the profile read along the ribs
    has a half circle on each rib and rounded plate ends. The ``sharp_corners`` edit makes them all
    corners at once, and the picture agrees with it clearly better."""
    from pathlib import Path

    from PIL import Image

    from core.geometry.io import read_shape, shape_from_bytes
    from core.metrics.iou import iou_best
    from core.pipeline.config import PipelineConfig
    from core.search.proposals import sharp_corners

    parts = Path(__file__).resolve().parents[2] / "benchmarks" / "freecad_parts"
    picture = Image.open(parts / "white" / "images" / "00900017_0.png").convert("RGB")
    profile = next(g.prisms for g in grounded_programs(picture) if len(g.prisms) == 1 and g.prism.axis == "x")
    assert any(isinstance(s, Arc) for s in profile[0].outline.segments)  # arcs were read
    [(name, sharp)] = sharp_corners(profile, scene_of(picture))
    assert not any(isinstance(s, Arc) for s in sharp[0].outline.segments), name
    target = outline(picture, side=PipelineConfig().compare_side)
    runs = [run_code(emit_part(list(p)), timeout=60, outputs=("brep", "mesh")) for p in (profile, sharp)]
    before, after = (score_of(target, r) for r in runs)
    assert after > before + 0.02, (before, after)
    truth = read_shape(parts / "steps" / "00900017.step")
    assert iou_best(shape_from_bytes(runs[1].brep), truth) > 0.85
