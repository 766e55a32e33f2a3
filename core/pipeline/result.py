"""What one image -> CAD run produced, in a form the CLI prints and the workbench stores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Candidate:
    index: int
    reply: str  # the model's raw text
    code: str  # what extract_code made of it
    status: str  # the sandbox status, e.g. "ok", "runtime_error"
    message: str = ""
    volume: float | None = None
    score: float | None = None  # render-and-compare agreement with the input image, when computed
    repaired: bool = False  # produced by a self-repair round
    refined: bool = False  # the chosen candidate with its dimensions fitted to the picture
    grounded: bool = False  # read off the picture by core.grounding, not written by the model
    searched: bool = False  # a grounded candidate edited by the structure search (core.search)
    # The score margin the ranking holds against it (already taken off ``score``): a grounded
    # reading that rests on what the picture does not show (``core.grounding.ASSUMED_MARGIN``).
    prior: float = 0.0


@dataclass
class CadResult:
    """``status`` is the chosen candidate's sandbox status, or ``backend_error`` / ``bad_image`` /
    ``cancelled`` when no candidate could be made. ``brep`` is the chosen solid."""

    status: str
    code: str = ""
    message: str = ""
    volume: float | None = None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    brep: bytes | None = None
    step: bytes | None = None
    chosen: int | None = None
    candidates: list[Candidate] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    # Render-and-compare score of the chosen solid against the picture, and whether it is too low
    # to trust (``core.pipeline.quality``): callers ask before using such a part.
    match: float | None = None
    low_match: bool = False
    match_note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("brep")
        out.pop("step")
        return out
