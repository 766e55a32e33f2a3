"""Grounded candidates in the pipeline: they join the model's, are verified in the sandbox, and
win the render-and-compare ranking when the model's guess is the wrong shape."""

from __future__ import annotations

import io

import cadquery as cq

from core.models.base import GenerationRequest
from core.pipeline import ImageToCad, PipelineConfig
from core.render import render_shape

CUBE = "import cadquery as cq\n\nsize = 1.0\n\nsolid = cq.Workplane('XY').box(size, size, size)\n"


class CubeBackend:
    """A model that always answers a cube, whatever the picture."""

    name = "cube"
    supports_chat = False

    def generate(self, request: GenerationRequest, *, on_token=None, cancel=None) -> list[str]:
        return [CUBE] * request.config.n


def _png(part: cq.Workplane) -> bytes:
    buffer = io.BytesIO()
    render_shape(part).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_grounded_candidate_wins_over_a_wrong_model_guess() -> None:
    part = (
        cq.Workplane("XY").polyline([(0, 0), (3, 0), (3, 0.8), (1, 0.8), (1, 2), (0, 2)]).close().extrude(0.5)
    )
    events: list[dict] = []
    config = PipelineConfig(grounded=True, refine=False)
    result = ImageToCad(CubeBackend(), config=config).run(_png(part), on_event=events.append)
    assert result.ok
    grounded = [c for c in result.candidates if c.grounded]
    assert grounded and all(c.status == "ok" for c in grounded)  # every one ran in the sandbox
    chosen = result.candidates[result.chosen]
    assert chosen.grounded and chosen.score > result.candidates[0].score
    assert {"width", "height", "depth"} <= {p["name"] for p in result.parameters}
    assert "ground" in result.timings and {"event": "stage", "stage": "ground"} in events
    # Volume of the recovered L-prism against the true one, both scaled to the same largest size.
    true_volume = (3 * 0.8 + 1 * 1.2) * 0.5 * (1.5 / 3) ** 3
    assert abs(result.volume - true_volume) < 0.12 * true_volume


def test_grounding_is_on_by_default_and_a_grounded_winner_is_not_refitted() -> None:
    png = _png(cq.Workplane("XY").rect(3, 1).extrude(0.3))
    plain = ImageToCad(CubeBackend(), config=PipelineConfig(grounded=False, refine=False)).run(png)
    assert plain.ok and not any(c.grounded for c in plain.candidates)
    fitted = ImageToCad(CubeBackend(), config=PipelineConfig(refine_budget=6)).run(png)
    assert fitted.ok and fitted.candidates[fitted.chosen].grounded
    assert not any(c.refined for c in fitted.candidates) and "refine" not in fitted.timings
