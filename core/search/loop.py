"""The search: best-first over edited parts, every trial run in the sandbox and scored by
render-and-compare against the picture.

Only trials whose solid is valid and whole (status ``ok``, one solid) score; a trial is kept when
it beats the part it was made from by ``min_gain``. The best kept part not yet expanded is edited
next, so a budget spent on a good line of edits goes deep, and one spent on a dead end moves to the
next best start. Proposals are run in small batches so the time limit is checked often.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image

from core.grounding.emit import emit_part
from core.pipeline.refine import score_of
from core.render.compare import Outline, outline
from core.sandbox import ExecutionResult
from core.search.budget import Budget
from core.search.proposals import Part, propose
from core.search.scene import Scene

Executor = Callable[[Sequence[str]], list[ExecutionResult]]
BATCH = 8  # trials per sandbox batch (two workers run them in parallel)


@dataclass
class Found:
    """A part, its program and its match with the picture; ``edits`` says how it was reached."""

    part: Part
    code: str
    score: float
    edits: tuple[str, ...] = ()
    expanded: bool = field(default=False, compare=False)


def search(
    starts: list[tuple[Part, float]],
    picture: Image.Image | Outline,
    scene: Scene,
    execute: Executor,
    budget: Budget,
    min_gain: float = 1e-3,
) -> list[Found]:
    """Parts better than the start they came from, best first (empty when nothing helped).
    ``starts``: parts with their scores (as best-of-N measured them)."""
    target = picture if isinstance(picture, Outline) else outline(picture)
    pool = [Found(p, emit_part(list(p)), s) for p, s in starts]
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
        for first in range(0, len(trials), BATCH):
            batch = trials[first : first + BATCH][: budget.left()]
            if not batch:
                break
            results = execute([code for _, _, code in batch])
            budget.spend(len(batch))
            for (name, part, code), run in zip(batch, results, strict=True):
                score = score_of(target, run) if run.n_solids <= 1 else None
                if score is not None and score > state.score + min_gain:
                    pool.append(Found(part, code, score, (*state.edits, name)))
    improved = [f for f in pool if f.edits]
    return sorted(improved, key=lambda f: -f.score)


def _code(part: Part) -> str | None:
    try:
        return emit_part(list(part))
    except (ValueError, ZeroDivisionError, IndexError):
        return None
