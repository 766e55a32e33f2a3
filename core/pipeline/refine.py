"""Fitting a program's dimensions to the picture: render, compare, nudge, repeat.

A small model gets the kind of part and its rough proportions right far more often than the exact
ratios; the picture holds those ratios. So the chosen program's named dimensions (top-level
``width = 0.84`` style parameters) are searched, one at a time, with multiplicative steps that
shrink when no step helps, keeping a change only when the rendering matches the picture better.
Each trial runs the edited code in the sandbox, so whatever comes out is verified like any other
candidate. The picture fixes proportions, never absolute size (renderings are zoom-free), so the
search cannot drift in a way that matters: scaling every dimension together changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

from core.program.parameters import Parameter, apply_parameters, find_parameters
from core.sandbox import ExecutionResult

# Runs programs (in the sandbox, in parallel where it can) and returns their results in order.
Executor = Callable[[Sequence[str]], list[ExecutionResult]]


@dataclass(frozen=True)
class RefineConfig:
    budget: int = 36  # sandbox runs at most
    steps: tuple[float, ...] = (0.3, 0.12, 0.05)  # log-scale step sizes, coarse to fine
    render_size: int = 192  # the comparison works at 128 px; rendering larger buys nothing
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


def score_of(picture: Image.Image, run: ExecutionResult, size: int) -> float | None:
    if not run.ok or not run.mesh:
        return None
    from dataclasses import replace

    from core.render import STYLE_BENCHMARK, render_mesh
    from core.render.compare import render_match_score

    return render_match_score(picture, render_mesh(run.mesh, style=replace(STYLE_BENCHMARK, size=size)))


def refine(
    code: str, picture: Image.Image, execute: Executor, config: RefineConfig | None = None
) -> Refinement | None:
    """The best-matching variant of ``code`` found within the budget; None when ``code`` has no
    dimensions to fit or does not run."""
    from core.render.compare import outline

    cfg = config or RefineConfig()
    params = dimensions(code)
    if not params:
        return None
    target = outline(picture)
    values = {p.name: float(p.value) for p in params}
    first = execute([code])[0]
    start = score_of(target, first, cfg.render_size)  # type: ignore[arg-type]
    if start is None:
        return None
    best, best_code, runs = start, code, 1
    for step in cfg.steps:
        improved = True
        while improved and runs < cfg.budget:
            improved = False
            for name in list(values):
                if runs >= cfg.budget:
                    break
                trials = []
                for factor in (math.exp(step), math.exp(-step)):
                    value = rounded(values[name] * factor, cfg.significant_digits)
                    if value > 0 and value != values[name]:
                        trials.append({**values, name: value})
                trials = trials[: cfg.budget - runs]
                codes = [apply_parameters(code, t) for t in trials]
                results = execute(codes)
                runs += len(codes)
                for trial, trial_code, run in zip(trials, codes, results, strict=True):
                    s = score_of(target, run, cfg.render_size)  # type: ignore[arg-type]
                    if s is not None and s > best + cfg.min_gain:
                        best, best_code, values, improved = s, trial_code, trial, True
    changed = {p.name: values[p.name] for p in params if values[p.name] != p.value}
    return Refinement(best_code, best, start, runs, changed)
