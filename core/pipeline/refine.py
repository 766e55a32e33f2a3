"""Fitting a program's dimensions to the picture: render, compare, nudge, repeat.

A small model gets the kind of part and its rough proportions right far more often than the exact
ratios; the picture holds those ratios. So the chosen program's named dimensions (top-level
``width = 0.84`` style parameters) are searched, one at a time, with multiplicative steps that
shrink when no step helps, keeping a change only when the rendering matches the picture better.
Each trial runs the edited code in the sandbox, so whatever comes out is verified like any other
candidate: a trial whose solid OCCT's checker rejects (status ``invalid_solid``) scores nothing, so
the constraints a program's own geometry implies (a wall no thicker than half its span, a hole
inside its plate) hold without being written down. Without that, a self-intersecting U-profile can
render closer to the picture than any valid one (issue 16). The picture fixes proportions, never absolute size (renderings are zoom-free), so the
search cannot drift in a way that matters: scaling every dimension together changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PIL import Image

from core.program.name_order import order_violations
from core.program.parameters import Parameter, apply_parameters, find_parameters
from core.render.compare import Outline, render_size
from core.sandbox import ExecutionResult

# Runs programs (in the sandbox, in parallel where it can) and returns their results in order.
Executor = Callable[[Sequence[str]], list[ExecutionResult]]


@dataclass(frozen=True)
class RefineConfig:
    budget: int = 36  # sandbox runs at most
    steps: tuple[float, ...] = (0.5, 0.2, 0.08)  # log-scale step sizes, coarse to fine
    render_size: int | None = None  # pixels; None: what the target outline's grid needs
    min_gain: float = 1e-3  # a change must improve the match by this much to be kept
    significant_digits: int = 3  # refined numbers stay short: 1.08, not 1.0786400000000001


@dataclass(frozen=True)
class Refinement:
    code: str
    score: float
    start_score: float
    runs: int
    changed: dict[str, float]


def dimensions(code: str) -> list[Parameter]:
    """The parameters worth fitting: named top-level positive floats (lengths, diameters).
    Integers are counts and negative or zero values are offsets: the picture says little about them."""
    return [
        p
        for p in find_parameters(code)
        if p.kind == "variable" and isinstance(p.value, float) and p.value > 0
    ]


def rounded(value: float, digits: int) -> float:
    if value <= 0:
        return value
    decimals = max(0, digits - 1 - math.floor(math.log10(value)))
    return round(value, decimals)


def score_of(picture: Image.Image | Outline, run: ExecutionResult, size: int | None = None) -> float | None:
    """How well the run's solid, drawn in the training images' style, matches the picture; None
    when it made no valid solid (only status ``ok`` counts: an ``invalid_solid`` may render well
    and still be unusable). Best-of-N and fitting both rank by this, so their scores compare.
    ``size``: render size in pixels, by default what the outline's grid needs (``render_size``)."""
    if not run.ok or not run.mesh:
        return None
    from core.render import STYLE_BENCHMARK, render_mesh
    from core.render.compare import outline, render_match_score

    # A photo's outline carries the camera it was estimated to be taken from: render from there.
    target = picture if isinstance(picture, Outline) else outline(picture)
    style = replace(STYLE_BENCHMARK, size=size or render_size(target.side))
    return render_match_score(target, render_mesh(run.mesh, camera=target.camera, style=style))


def refine(
    code: str,
    picture: Image.Image | Outline,
    execute: Executor,
    config: RefineConfig | None = None,
    start_score: float | None = None,
) -> Refinement | None:
    """The best-matching variant of ``code`` found within the budget; None when ``code`` has no
    dimensions to fit or does not run. ``start_score`` is ``score_of`` for ``code`` when the caller
    already has it (best-of-N scored it), which saves running it again."""
    from core.render.compare import outline

    cfg = config or RefineConfig()
    params = dimensions(code)
    if not params:
        return None
    target = picture if isinstance(picture, Outline) else outline(picture)
    values = {p.name: float(p.value) for p in params}
    runs = 0
    start = start_score
    if start is None:
        start, runs = score_of(target, execute([code])[0], cfg.render_size), 1
        if start is None:
            return None
    state = _Search(code, values, start, runs, cfg, target, execute)
    for step in cfg.steps:
        improved = True
        while improved and state.runs < cfg.budget:
            improved = False
            for name in list(state.values):
                improved |= state.line_search(name, step)
    changed = {p.name: state.values[p.name] for p in params if state.values[p.name] != p.value}
    return Refinement(state.code, state.score, start, state.runs, changed)


class _Search:
    """Coordinate search with expanding steps: once a direction helps, keep going and double the
    step while it still helps, so a cube reaches a 10:1 plate in a handful of runs."""

    def __init__(self, code, values, score, runs, cfg: RefineConfig, target, execute: Executor) -> None:
        self.base, self.code, self.values, self.score, self.runs = code, code, values, score, runs
        self.cfg, self.target, self.execute = cfg, target, execute

    def _try(self, trials: list[dict[str, float]]) -> int | None:
        """Run the trials; keep the best if it beats the current score; its index, else None."""
        trials = trials[: max(0, self.cfg.budget - self.runs)]
        if not trials:
            return None
        codes = [apply_parameters(self.base, t) for t in trials]
        results = self.execute(codes)
        self.runs += len(codes)
        best = None
        for i, run in enumerate(results):
            s = score_of(self.target, run, self.cfg.render_size)
            if s is not None and s > self.score + self.cfg.min_gain:
                self.score, self.code, best = s, codes[i], i
        if best is not None:
            self.values = trials[best]
        return best

    def _moved(self, name: str, log_step: float) -> dict[str, float] | None:
        value = rounded(self.values[name] * math.exp(log_step), self.cfg.significant_digits)
        if value <= 0 or value == self.values[name]:
            return None
        trial = {**self.values, name: value}
        # an outer_diameter may not shrink below the inner one: the names would then lie (issue 15)
        broken = set(order_violations(trial)) - set(order_violations(self.values))
        return None if broken else trial

    def line_search(self, name: str, step: float) -> bool:
        trials = [t for t in (self._moved(name, step), self._moved(name, -step)) if t is not None]
        signs = [1.0 if t[name] > self.values[name] else -1.0 for t in trials]
        chosen = self._try(trials)
        if chosen is None:
            return False
        direction, grow = signs[chosen], step
        while self.runs < self.cfg.budget:
            grow *= 2
            trial = self._moved(name, direction * grow)
            if trial is None or self._try([trial]) is None:
                break
        return True
