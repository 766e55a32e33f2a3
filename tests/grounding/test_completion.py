"""Round features completed: the ring of a lower disk that a cylinder above leaves visible is read
as a crescent; the reading makes it the full circle, coaxial with the cylinder, at the height
coaxiality fixes (one picture cannot say how far from the eye a feature stands)."""

from __future__ import annotations

import cadquery as cq
import pytest

from core.grounding import grounded_programs
from core.grounding.completion import coaxial, completions
from core.grounding.compose import slid
from core.grounding.sketch import Arc, Circle, Loop, Prism
from core.render import render_shape
from core.sandbox import run_code

# Half a ring round the origin: outer radius 100, inner 50 (the side the cylinder above hides).
HALF_RING = Loop(
    (100.0, 0.0),
    (Arc((0.0, 100.0), (-100.0, 0.0)), (-50.0, 0.0), Arc((0.0, 50.0), (50.0, 0.0)), (100.0, 0.0)),
)


def test_a_crescent_off_the_axis_is_slid_onto_it_and_made_a_circle() -> None:
    body = Prism("z", Circle((0.0, 0.0), 50.0), (), depth=200.0, fit=0.8)
    true_feature = Prism("z", HALF_RING, (), depth=30.0, fit=0.9, height=-150.0, operation="union")
    misplaced = slid(true_feature, 40.0)  # drawn the same, read 40 nearer the eye
    assert misplaced.outline.start != HALF_RING.start
    stacked = coaxial(body, misplaced)
    assert stacked is not None
    grown, feature = stacked
    assert isinstance(feature.outline, Circle)
    assert feature.outline.center.x == pytest.approx(0.0, abs=1e-6)
    assert feature.outline.center.y == pytest.approx(0.0, abs=1e-6)
    assert feature.outline.radius == pytest.approx(100.0, rel=1e-6)  # the rim, not the inner arc
    assert feature.height == pytest.approx(-150.0, abs=1e-6) and feature.depth == 30.0
    # The body ran on 20 past the flange's far plane, where the picture cannot show it: it stops there.
    assert grown.depth == pytest.approx(180.0, abs=1e-6)


def test_a_crescent_far_from_the_round_neighbour_is_left_alone() -> None:
    body = Prism("z", Circle((400.0, -300.0), 50.0), (), depth=200.0, fit=0.8)
    feature = Prism("z", HALF_RING, (), depth=30.0, fit=0.9, height=-150.0, operation="union")
    assert coaxial(body, feature) is None
    # Without a round neighbour near its axis, the crescent can still be completed round its own arc.
    names = [(name, part[1].outline) for name, part in completions((body, feature))]
    assert [n for n, _ in names] == ["feature 1: outline completed to a circle (its arc's)"]
    assert names[0][1].radius == pytest.approx(100.0, rel=1e-6)


def test_a_flanged_bushing_is_read_as_a_coaxial_stack() -> None:
    """A flange (radius 1.4, 0.3 thick) under a sleeve (radius 0.8, 1.5 tall) with a bore: read as
    drawn, the flange's visible ring was a crescent prism standing where the picture alone put it
    (a flange with a slit, 0.22 IoU on our hand-modelled bushing); read as a coaxial stack it is
    the part."""
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_best

    flange = cq.Workplane("XY").circle(1.4).extrude(0.3)
    sleeve = cq.Workplane("XY").circle(0.8).extrude(1.5)
    bushing = flange.union(sleeve).cut(cq.Workplane("XY").circle(0.5).extrude(2))
    programs = grounded_programs(render_shape(bushing))
    stacks = [g for g in programs if len(g.prisms) == 2]
    assert len(stacks) == 1, [[type(p.outline).__name__ for p in g.prisms] for g in programs]
    body, flange_read = stacks[0].prisms
    assert isinstance(body.outline, Circle) and isinstance(flange_read.outline, Circle)
    assert flange_read.outline.center.x == pytest.approx(body.outline.center.x, abs=1e-6)
    assert flange_read.outline.radius / body.outline.radius == pytest.approx(1.4 / 0.8, rel=0.06)
    assert flange_read.depth / body.depth == pytest.approx(0.3 / 1.5, rel=0.1)
    assert body.height - body.depth == pytest.approx(flange_read.height - flange_read.depth, abs=1e-6)
    run = run_code(stacks[0].code, timeout=60, outputs=("brep",))
    assert run.ok and run.n_solids == 1
    assert iou_best(shape_from_bytes(run.brep), bushing.val().wrapped) > 0.9
