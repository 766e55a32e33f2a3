"""Pipeline settings: the paper's defaults, overridable from the CLI and the FreeCAD preferences."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.models.prompt import CADCODER_QUESTION

EFFORTS = ("low", "default", "high")


@dataclass(frozen=True)
class PipelineConfig:
    n: int = 1  # candidates; 1 = greedy, as in the paper
    temperature: float = 0.0  # 0: greedy first candidate, the backend samples the others
    max_new_tokens: int = 3450
    timeout: float = 30.0  # seconds per candidate in the sandbox
    repair_rounds: int = 1  # self-repair turns for chat-capable backends
    question: str = CADCODER_QUESTION
    select_by_render: bool = True  # best-of-N by render-and-compare (else: first that runs)
    # Fit the chosen program's named dimensions to the picture (core/pipeline/refine.py); only
    # programs with top-level dimension variables have anything to fit (our concise style).
    refine: bool = True
    refine_budget: int = 36  # sandbox runs at most, per fitted candidate
    refine_top: int = 1  # how many distinct candidates (best match first) get fitted
    # Add programs read off the picture itself (core/grounding: the dominant extrusion's sketch)
    # to the model's candidates; all are ranked together by render-and-compare.
    grounded: bool = True
    grounded_top: int = 3  # grounded programs per picture (best silhouette explanations)
    # Structure search (core/search): edits of the grounded candidates (holes on other faces,
    # further extrusions, union/cut, axis, edges, holes) scored by render-and-compare; 0 runs: off.
    search_runs: int = 24  # sandbox runs at most
    search_seconds: float = 4.0  # wall-clock limit of the search
    search_starts: int = 2  # best distinct grounded candidates the search starts from
    # How much match an edit must buy to be kept: an Occam margin, since one isometric picture
    # rewards small distortions (an edge moved, a depth stretched) that lower the part's IoU.
    search_min_gain: float = 1e-3
    # Cells per side of render-and-compare's grid. On 128 cells the match is flat within ~0.005
    # over parts 10 % apart in IoU (a plate 4 % too thin outscores the true one), and a search
    # climbs that noise; 256 cells cost ~25 ms more per trial (rendered at 1.5 px per cell).
    compare_side: int = 256
    effort: str = "default"  # the preset these values came from (``with_effort``)


# What each ``--effort`` changes; everything else keeps the dataclass default. ``default`` is what
# the workbench and ``image2cad`` use (p50 <= 5 s per picture on 2 cores); ``high`` is for
# evaluation (p50 <= 30 s).
EFFORT_PRESETS: dict[str, dict[str, Any]] = {
    "low": {"grounded_top": 2, "refine_budget": 18, "search_runs": 0, "compare_side": 128},
    "default": {},
    # High effort spends its time on breadth (more picture reads, more search starts, longer
    # fitting of the model's candidates), not on a deeper search: on our validation sets 48 or
    # 160 search runs scored below 24 (multi-extrusion parts 0.575 and 0.578 against 0.583), since
    # past a point a better match of one isometric picture is not a better solid.
    "high": {
        "grounded_top": 5,
        "refine_budget": 60,
        "refine_top": 2,
        "search_seconds": 20.0,
        "search_starts": 3,
    },
}


def with_effort(effort: str = "default", **overrides: Any) -> PipelineConfig:
    """A config for ``effort`` (low, default, high) with ``overrides`` on top; None values in
    ``overrides`` mean "the preset's" so CLI options left unset do not mask the preset."""
    if effort not in EFFORT_PRESETS:
        raise ValueError(f"effort must be one of {', '.join(EFFORTS)}, not {effort!r}")
    known = {f.name for f in fields(PipelineConfig)}
    unknown = set(overrides) - known
    if unknown:
        raise TypeError(f"unknown pipeline settings: {', '.join(sorted(unknown))}")
    given = {k: v for k, v in overrides.items() if v is not None}
    return PipelineConfig(**{**EFFORT_PRESETS[effort], **given, "effort": effort})
