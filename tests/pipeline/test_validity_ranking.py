"""Issue 16: best-of-N, self-repair and fitting never hand back a solid OCCT's checker rejects,
even when its rendering matches the picture best."""

from __future__ import annotations

import io

import pytest

from core.models.base import GenerationRequest
from core.pipeline import ImageToCad, PipelineConfig
from core.render import render_shape

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
CROSSED = U_PROFILE.format(span=0.0392, thickness=0.0546)  # span < 2 * thickness: crosses itself
FEASIBLE = U_PROFILE.format(span=0.2, thickness=0.05)


class Scripted:
    """A backend that answers the scripted replies, in order, one request at a time."""

    name = "scripted"

    def __init__(self, *replies: list[str], chat: bool = False) -> None:
        self.replies = list(replies)
        self.supports_chat = chat
        self.requests: list[GenerationRequest] = []

    def generate(self, request: GenerationRequest, *, on_token=None, cancel=None) -> list[str]:
        self.requests.append(request)
        return self.replies.pop(0)


@pytest.fixture(scope="module")
def crossed_png() -> bytes:
    """The picture is the self-intersecting part itself, so it is the best match by rendering."""
    namespace: dict = {}
    exec(CROSSED, namespace)
    buffer = io.BytesIO()
    render_shape(namespace["solid"]).save(buffer, format="PNG")
    return buffer.getvalue()


def test_best_of_n_skips_an_invalid_solid_that_renders_best(crossed_png: bytes) -> None:
    backend = Scripted([CROSSED, FEASIBLE])
    result = ImageToCad(backend, config=PipelineConfig(grounded=False, n=2, refine=False)).run(crossed_png)
    assert result.ok and result.chosen == 1 and result.code == FEASIBLE
    assert result.candidates[0].status == "invalid_solid"
    assert result.candidates[0].score is None  # never ranked


def test_only_invalid_candidates_give_no_answer(crossed_png: bytes) -> None:
    result = ImageToCad(Scripted([CROSSED]), config=PipelineConfig(grounded=False, n=1)).run(crossed_png)
    assert not result.ok and result.status == "invalid_solid"
    assert "OCCT's checker rejects" in result.message and "SelfIntersectingWire" in result.message


def test_self_repair_is_told_why_the_solid_is_invalid(crossed_png: bytes) -> None:
    backend = Scripted([CROSSED], [FEASIBLE], chat=True)
    result = ImageToCad(backend, config=PipelineConfig(grounded=False, refine=False)).run(crossed_png)
    assert result.ok and result.chosen == 1 and result.candidates[1].repaired
    assert "OCCT's checker rejects" in backend.requests[1].messages[-1].text
