"""The search: best-first over edited parts, every trial run in the sandbox and scored by
render-and-compare against the picture.

Only trials whose solid is valid and whole (status ``ok``, one solid) score; a trial is kept when
it beats the part it was made from by ``min_gain`` without losing silhouette agreement: the
match's edge term alone can be bought by distorting the shape (an outline edge moved off an arc's
tangent lines its seam up with the picture's), and the silhouette is what the part's volume
follows (an edit that completes a round feature is exempt: ``proposals.unguarded``). An edit
that corrects what the picture contradicts (``proposals.supersedes``) replaces the part it was
made from: the parent's other kept edits are dropped. The best kept part not yet expanded is edited
next, so a budget spent on a good line of edits goes deep, and one spent on a dead end moves to the
next best start. Proposals are run in small batches so the time limit is checked often.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from PIL import Image

from core.grounding.emit import emit_part
from core.render.compare import Outline, outline, render_match_score, render_size, silhouette_iou
from core.sandbox import ExecutionResult
from core.search.budget import Budget
from core.search.proposals import Part, propose, supersedes, unguarded
from core.search.scene import Scene

Executor = Callable[[Sequence[str]], list[ExecutionResult]]
BATCH = 8  # trials per sandbox batch (two workers run them in parallel)
SILHOUETTE_SLACK = 0.003  # how much silhouette IoU a kept edit may give up


@dataclass
class Found:
    """A part, its program and its match with the picture; ``edits`` says how it was reached."""

    part: Part
    code: str
    score: float  # less ``prior``
    silhouette: float = 0.0
    edits: tuple[str, ...] = ()
    expanded: bool = field(default=False, compare=False)
    prior: float = 0.0  # the margin held against the start it came from (its edits inherit it)


def search(
    starts: list[tuple[Part, float]],
    picture: Image.Image | Outline,
    scene: Scene,
    execute: Executor,
    budget: Budget,
    min_gain: float = 1e-3,
    priors: Sequence[float] | None = None,
) -> list[Found]:
    """Parts better than the start they came from, best first (empty when nothing helped).
    ``starts``: parts with their scores (as best-of-N measured them); ``priors``: the margin the
    ranking holds against each start, already off its score, and taken off its edits' scores."""
    target = picture if isinstance(picture, Outline) else outline(picture)
    pool = []
    codes = [emit_part(list(p)) for p, _ in starts]
    margins = list(priors) if priors is not None else [0.0] * len(starts)
    for (part, score), prior, code, run in zip(starts, margins, codes, execute(codes), strict=True):
        measured = measure(target, run)
        budget.spend(1)
        if measured is not None:
            pool.append(Found(part, code, score, measured[1], prior=prior))
    seen = {f.code for f in pool}
    while not budget.exhausted:
        open_ = [f for f in pool if not f.expanded]
        if not open_:
            break
        state = max(open_, key=lambda f: f.score)
        state.expanded = True
        trials: list[tuple[str, Part, str]] = []
        for name, part in propose(state.part, scene):
            code = _code(part)
            if code is not None and code not in seen:
                seen.add(code)
                trials.append((name, part, code))
        children: list[Found] = []
        for first in range(0, len(trials), BATCH):
            batch = trials[first : first + BATCH][: budget.left()]
            if not batch:
                break
            results = execute([code for _, _, code in batch])
            budget.spend(len(batch))
            for (name, part, code), run in zip(batch, results, strict=True):
                measured = measure(target, run)
                if measured is None:
                    continue
                score, sil = measured[0] - state.prior, measured[1]
                if score > state.score + min_gain and (
                    sil >= state.silhouette - SILHOUETTE_SLACK or unguarded(name)
                ):
                    children.append(Found(part, code, score, sil, (*state.edits, name), prior=state.prior))
        if any(supersedes(c.edits[-1]) for c in children):
            children = [c for c in children if supersedes(c.edits[-1])]
        pool += children
    improved = [f for f in pool if f.edits]
    return sorted(improved, key=lambda f: -f.score)


def measure(target: Outline, run: ExecutionResult) -> tuple[float, float] | None:
    """(match score, silhouette IoU) of a valid single solid, as ``score_of`` draws it; None
    for anything else."""
    if not run.ok or not run.mesh or run.n_solids > 1:
        return None
    from core.render import STYLE_BENCHMARK, render_mesh

    style = replace(STYLE_BENCHMARK, size=render_size(target.side))
    drawn = outline(render_mesh(run.mesh, camera=target.camera, style=style), side=target.side)
    return render_match_score(target, drawn), silhouette_iou(target, drawn)


def _code(part: Part) -> str | None:
    try:
        return emit_part(list(part))
    except (ValueError, ZeroDivisionError, IndexError):
        return None
