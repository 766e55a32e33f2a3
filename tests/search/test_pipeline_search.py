"""The structure search inside ``ImageToCad``: its edited candidates join the same ranking as the
model's and the grounded ones, arrive with BREP and STEP, and are reported as progress events;
``search_runs=0`` (effort low) leaves the pipeline as it was."""

from __future__ import annotations

import io

import cadquery as cq
import pytest

from core.models.base import GenerationRequest
from core.pipeline import ImageToCad, PipelineConfig
from core.render import render_shape

CUBE = "import cadquery as cq\n\nsize = 1.0\n\nsolid = cq.Workplane('XY').box(size, size, size)\n"


class CubeBackend:
    name = "cube"
    supports_chat = False

    def generate(self, request: GenerationRequest, *, on_token=None, cancel=None) -> list[str]:
        return [CUBE] * request.config.n


def _bracket_png() -> bytes:
    profile = [(0, 0), (3.0, 0), (3.0, 0.4), (0.4, 0.4), (0.4, 2.0), (0, 2.0)]
    body = cq.Workplane("XZ").polyline(profile).close().extrude(-2.0)
    part = body.cut(cq.Workplane("XY").center(2.0, 1.0).circle(0.35).extrude(1.0))
    buffer = io.BytesIO()
    render_shape(part).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_searched_candidate_wins_with_its_hole() -> None:
    png = _bracket_png()
    events: list[dict] = []
    config = PipelineConfig(refine=False, search_runs=12, search_seconds=60)
    result = ImageToCad(CubeBackend(), config=config).run(png, on_event=events.append)
    assert result.ok and {"event": "stage", "stage": "search"} in events and "search" in result.timings
    chosen = result.candidates[result.chosen]
    assert chosen.grounded and chosen.searched
    assert chosen.message.startswith("structure search: hole in the z face")
    assert result.brep and result.step and "hole_diameter" in result.code
    others = [c.score for c in result.candidates if c is not chosen and c.score is not None]
    assert chosen.score > max(others)  # one ranking: the cube and the unsearched reads lose

    plain = ImageToCad(CubeBackend(), config=PipelineConfig(refine=False, search_runs=0)).run(png)
    assert plain.ok and "search" not in plain.timings
    assert not any(c.searched for c in plain.candidates)
    assert result.match > plain.match


def test_a_reading_resting_on_a_hidden_contact_must_explain_more() -> None:
    """A block on a tube's side is read as the tube with the block slid along the line of sight
    until it meets the tube (the picture does not show where they meet): such readings carry a
    margin in the ranking (``core.grounding.ASSUMED_MARGIN``, off their score, and off the scores
    of their searched edits), and still win here, where no other reading comes close."""
    from PIL import Image

    from core.geometry.io import shape_from_bytes
    from core.grounding import ASSUMED_MARGIN
    from core.metrics.iou import iou_best
    from core.pipeline.refine import score_of
    from core.render.compare import outline
    from core.sandbox import run_code

    tube = cq.Workplane("XY").circle(15).circle(9).extrude(90)
    part = tube.union(cq.Workplane("XY").box(20, 16, 40).translate((20, 0, 45)))
    buffer = io.BytesIO()
    render_shape(part).save(buffer, format="PNG")
    config = PipelineConfig(refine=False, search_runs=12, search_seconds=60)
    result = ImageToCad(CubeBackend(), config=config).run(buffer.getvalue())
    assert result.ok
    assumed = [c for c in result.candidates if c.prior and not c.searched]
    assert assumed and all(c.grounded and c.prior == ASSUMED_MARGIN for c in assumed)
    target = outline(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), side=config.compare_side)
    c = assumed[0]
    run = run_code(c.code, timeout=60, outputs=("mesh",))
    assert c.score == pytest.approx(score_of(target, run) - ASSUMED_MARGIN, abs=1e-9)
    chosen = result.candidates[result.chosen]
    assert chosen.prior == ASSUMED_MARGIN  # the tube and its block (or an edit of it) won
    assert iou_best(shape_from_bytes(result.brep), part.val().wrapped) > 0.6
