"""Pipeline settings: the paper's defaults, overridable from the CLI and the FreeCAD preferences."""

from __future__ import annotations

from dataclasses import dataclass

from core.models.prompt import CADCODER_QUESTION


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
