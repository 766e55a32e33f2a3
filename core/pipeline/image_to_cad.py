"""image -> prompt -> candidates -> sandbox -> choice -> result.

Every stage can fail on bad input (a broken image, an unreachable endpoint, code that does not run);
the run still returns a :class:`CadResult` that says which stage and why, so the CLI and the workbench
show the message and change nothing. Among candidates that execute, the one whose rendering (same
camera as the training images) best matches the input picture wins; a chat-capable backend gets one
self-repair turn with the sandbox's error when none executes.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from PIL import Image, UnidentifiedImageError

from core.models.base import (
    Backend,
    BackendError,
    GenerationCancelled,
    GenerationConfig,
    GenerationRequest,
    ImageInput,
    Message,
)
from core.models.prompt import follow_up, image_question
from core.pipeline.config import PipelineConfig
from core.pipeline.quality import Quality, assess
from core.pipeline.refine import dimensions
from core.pipeline.result import CadResult, Candidate
from core.program import extract_code, find_parameters
from core.render.compare import Outline
from core.sandbox import ExecutionResult, SandboxPool, run_code

EventCallback = Callable[[dict[str, Any]], None]
MAX_IMAGE_SIDE = 4096  # larger pictures are shrunk to this, not refused (issue 15)

REPAIR_REQUEST = (
    "That code fails in CadQuery: {message}\n"
    "Reply with the complete corrected program only; keep the final solid in `solid`."
)
EDIT_REQUEST = (
    "Here is a CadQuery program:\n```python\n{code}\n```\n{instruction}\n"
    "Reply with the complete modified program only; keep the final solid in `solid`."
)


def load_image(data: bytes) -> tuple[ImageInput, Image.Image]:
    """The image as PNG bytes for the model and as RGB for render-and-compare; ValueError when
    it is not an image (or a decompression bomb). Large pictures are shrunk (``read_picture``)."""
    image_input, rgb, _original = read_picture(data)
    return image_input, rgb


def read_picture(data: bytes) -> tuple[ImageInput, Image.Image, tuple[int, int]]:
    """``load_image`` plus the picture's original size. A picture larger than ``MAX_IMAGE_SIDE``
    on its longer side is shrunk to it, keeping the aspect ratio (the model sees a few hundred
    pixels anyway); only unreadable data and decompression bombs are refused."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            original = opened.size
            if max(original) > MAX_IMAGE_SIDE:
                opened.draft("RGB", (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))  # JPEG: decode at a fraction
            rgb = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable image ({exc})") from exc
    if max(rgb.size) > MAX_IMAGE_SIDE:
        rgb.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    return ImageInput(buffer.getvalue(), "image/png"), rgb, original


def picture_event(original: tuple[int, int], used: tuple[int, int]) -> dict[str, Any]:
    """The ``image`` event: the picture's size, and whether (and to what) it was shrunk."""
    event: dict[str, Any] = {"event": "image", "width": used[0], "height": used[1]}
    if used != original:
        event.update(
            resized_from=list(original),
            message=f"the picture ({original[0]} x {original[1]}) was shrunk to {used[0]} x {used[1]}",
        )
    return event


class ImageToCad:
    def __init__(
        self, backend: Backend, *, config: PipelineConfig | None = None, sandbox: SandboxPool | None = None
    ) -> None:
        self.backend = backend
        self.config = config or PipelineConfig()
        self._sandbox = sandbox

    def run(
        self, image: bytes, *, on_event: EventCallback | None = None, cancel: threading.Event | None = None
    ) -> CadResult:
        emit = on_event or (lambda _event: None)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            image_input, picture, original = read_picture(image)
        except ValueError as exc:
            return CadResult("bad_image", message=str(exc))
        emit(picture_event(original, picture.size))
        messages = image_question(image_input, self.config.question)
        timings["prompt"] = time.perf_counter() - t0
        return self._generate_and_choose(messages, picture, timings, emit, cancel)

    def edit(
        self,
        code: str,
        instruction: str,
        *,
        image: bytes | None = None,
        on_event: EventCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> CadResult:
        """A follow-up edit by the model (chat-capable backends), verified by execution."""
        if not self.backend.supports_chat:
            return CadResult(
                "backend_error",
                message=f"{self.backend.name} does not follow edit instructions; use a rule-based edit or a chat model",
            )
        picture, images = None, ()
        if image is not None:
            try:
                image_input, picture = load_image(image)
            except ValueError as exc:
                return CadResult("bad_image", message=str(exc))
            images = (image_input,)
        text = EDIT_REQUEST.format(code=code.strip(), instruction=instruction.strip())
        messages = (Message("user", text, images),)
        return self._generate_and_choose(messages, picture, {}, on_event or (lambda _e: None), cancel)

    # -- stages -----------------------------------------------------------------------------

    def _generate_and_choose(self, messages, picture, timings, emit, cancel) -> CadResult:
        cfg = self.config
        request = GenerationRequest(
            messages,
            GenerationConfig(n=cfg.n, temperature=cfg.temperature, max_new_tokens=cfg.max_new_tokens),
        )
        try:
            replies = self._generate(request, timings, emit, cancel)
            _check(cancel)
            candidates, runs = self._execute(replies, timings, emit)
            if self.backend.supports_chat:
                self._repair(messages, candidates, runs, timings, emit, cancel)
            parts: dict[int, tuple] = {}
            if self.config.grounded and picture is not None:
                parts = self._add_grounded(candidates, runs, picture, timings, emit)
        except GenerationCancelled:
            return CadResult("cancelled", message="cancelled", timings=timings)
        except BackendError as exc:
            return CadResult("backend_error", message=str(exc), timings=timings)

        t0 = time.perf_counter()
        target = self._target(picture)
        chosen = self._choose(candidates, runs, target, emit)
        timings["select"] = time.perf_counter() - t0
        if parts and self.config.search_runs > 0:
            t0 = time.perf_counter()
            chosen = self._search(candidates, runs, chosen, parts, picture, target, emit)
            timings["search"] = time.perf_counter() - t0
        # A grounded winner's dimensions were read off the picture; fitting them trades thin
        # dimensions away (one validation part 0.99 -> 0.81 IoU on the old 128-cell grid; the
        # multi-extrusion set 0.583 -> 0.577 on the 256-cell grid).
        refinable = not candidates[chosen].grounded
        if runs[chosen].ok and picture is not None and self.config.refine and refinable:
            t0 = time.perf_counter()
            chosen = self._refine(candidates, runs, chosen, picture, target, emit)
            timings["refine"] = time.perf_counter() - t0
        best = candidates[chosen]
        run = runs[chosen]
        quality = self._quality(best, run, picture, target)
        return CadResult(
            status=best.status,
            code=best.code,
            message=best.message,
            volume=best.volume,
            parameters=[asdict(p) for p in find_parameters(best.code)],
            brep=run.brep,
            step=run.step,
            chosen=chosen,
            candidates=candidates,
            timings=timings,
            match=quality.match,
            low_match=quality.low_match,
            match_note=quality.note,
        )

    def _target(self, picture: Image.Image | None) -> Outline | None:
        """The picture reduced once for every comparison of the run, on the configured grid."""
        if picture is None:
            return None
        from core.render.compare import outline

        return outline(picture, side=self.config.compare_side)

    def _quality(self, best: Candidate, run: ExecutionResult, picture, target) -> Quality:
        """How well the answer matches the picture (scored here when ranking did not). The match
        reported is always on the default grid, the one ``LOW_MATCH`` was set on: a finer grid
        scores the same part a little lower."""
        if picture is None or not run.ok:
            return Quality(best.score, False, "")
        from core.pipeline.refine import score_of
        from core.render.compare import SIDE

        if best.score is None:
            best.score = score_of(target, run)
        match = best.score if target.side == SIDE else score_of(picture, run)
        return assess(picture, match)

    def _repair(self, messages, candidates, runs, timings, emit, cancel) -> None:
        """While nothing runs, send the latest failure's error back and ask for corrected code; the
        conversation keeps every round, so the model sees what it already tried."""
        conversation = tuple(messages)
        for _round in range(self.config.repair_rounds):
            if any(r.ok for r in runs):
                return
            _check(cancel)
            failing = candidates[-1]
            conversation = follow_up(
                conversation, failing.code, REPAIR_REQUEST.format(message=failing.message)
            )
            emit({"event": "stage", "stage": "repair"})
            first = len(candidates)
            t0 = time.perf_counter()
            try:
                fixed = self.backend.generate(
                    GenerationRequest(
                        conversation, GenerationConfig(n=1, max_new_tokens=self.config.max_new_tokens)
                    ),
                    on_token=lambda i, piece, first=first: emit(
                        {"event": "token", "candidate": first + i, "text": piece}
                    ),
                    cancel=cancel,
                )
            except GenerationCancelled:
                raise
            except BackendError as exc:
                failing.message += f" (self-repair failed: {exc})"
                return
            finally:
                timings["repair"] = timings.get("repair", 0.0) + time.perf_counter() - t0
            more, more_runs = self._execute(fixed, timings, emit, start=len(candidates), repaired=True)
            candidates += more
            runs += more_runs

    def _add_grounded(self, candidates, runs, picture, timings, emit) -> dict[int, tuple]:
        """Programs read off the picture (core.grounding) join the pool; the ranking treats them
        like the model's, and only those that run can win. Returns each added candidate's prisms
        by its index: what the structure search edits."""
        from core.grounding import grounded_programs

        emit({"event": "stage", "stage": "ground"})
        t0 = time.perf_counter()
        programs = grounded_programs(picture, top=self.config.grounded_top)
        codes = [g.code for g in programs]
        results = self._run_all(codes, ("brep", "step", "mesh")) if codes else []
        parts: dict[int, tuple] = {}
        for program, code, run in zip(programs, codes, results, strict=True):
            if run.ok and run.n_solids > 1:
                continue  # a second extrusion placed off the body: not the one part in the picture
            if run.ok:
                parts[len(candidates)] = program.prisms
            candidate = Candidate(
                len(candidates),
                "",
                code,
                run.status.value,
                run.message,
                run.volume,
                grounded=True,
                prior=program.prior,
            )
            candidates.append(candidate)
            runs.append(run)
            emit(
                {
                    "event": "candidate",
                    "index": candidate.index,
                    "status": candidate.status,
                    "message": run.message,
                }
            )
        timings["ground"] = time.perf_counter() - t0
        return parts

    def _search(self, candidates, runs, chosen, parts, picture, target, emit) -> int:
        """Structure search (core.search) from the best grounded candidates: kept edits join the
        pool as candidates (run again for BREP and STEP), and the best match of all is the answer,
        so the model's candidates and the edited ones compete in one ranking."""
        from core.search import Budget, scene_of, search

        cfg = self.config
        ranked = sorted(parts, key=lambda i: -(candidates[i].score or 0.0))
        picked = [i for i in ranked[: cfg.search_starts] if candidates[i].score is not None]
        starts = [(parts[i], candidates[i].score) for i in picked]
        if not starts:
            return chosen
        emit({"event": "stage", "stage": "search"})
        budget = Budget(cfg.search_runs, cfg.search_seconds)
        try:
            scene = scene_of(picture)
            if scene is None:
                return chosen  # a photo's own camera: the edits assume the benchmark's view
            found = search(
                starts,
                target,
                scene,
                lambda codes: self._run_all(codes, ("mesh",)),
                budget,
                min_gain=cfg.search_min_gain,
                priors=[candidates[i].prior for i in picked],
            )
        except (ValueError, IndexError, FloatingPointError, ZeroDivisionError):
            return chosen  # an odd picture: the candidates so far stand
        best = chosen
        for f in found[:1]:
            run = self._run_all([f.code], ("brep", "step", "mesh"))[0]
            if not run.ok or run.n_solids > 1:
                continue
            note = "structure search: " + "; ".join(f.edits)
            candidate = Candidate(
                len(candidates),
                "",
                f.code,
                run.status.value,
                note,
                run.volume,
                score=f.score,
                grounded=True,
                searched=True,
                prior=f.prior,
            )
            candidates.append(candidate)
            runs.append(run)
            emit(
                {"event": "candidate", "index": candidate.index, "status": candidate.status, "message": note}
            )
            if f.score > (candidates[best].score or 0.0):
                best = candidate.index
        return best

    def _generate(self, request, timings, emit, cancel) -> list[str]:
        emit({"event": "stage", "stage": "generate", "backend": self.backend.name})
        t0 = time.perf_counter()
        replies = self.backend.generate(
            request,
            on_token=lambda i, piece: emit({"event": "token", "candidate": i, "text": piece}),
            cancel=cancel,
        )
        timings["generate"] = time.perf_counter() - t0
        return replies

    def _execute(self, replies, timings, emit, *, start: int = 0, repaired: bool = False):
        emit({"event": "stage", "stage": "execute"})
        t0 = time.perf_counter()
        codes = [extract_code(r) for r in replies]
        runs = self._run_all(codes, ("brep", "step", "mesh"))
        candidates = []
        for i, (reply, code, run) in enumerate(zip(replies, codes, runs, strict=True)):
            candidate = Candidate(
                start + i, reply, code, run.status.value, run.message, run.volume, repaired=repaired
            )
            candidates.append(candidate)
            emit(
                {
                    "event": "candidate",
                    "index": candidate.index,
                    "status": candidate.status,
                    "message": run.message,
                }
            )
        timings["execute"] = timings.get("execute", 0.0) + time.perf_counter() - t0
        return candidates, runs

    def _run_all(self, codes, outputs) -> list[ExecutionResult]:
        if self._sandbox is not None:
            futures = [self._sandbox.submit(c, timeout=self.config.timeout, outputs=outputs) for c in codes]
            return [f.result() for f in futures]
        return [run_code(c, timeout=self.config.timeout, outputs=outputs) for c in codes]

    def _refine(self, candidates, runs, chosen, picture, target, emit) -> int:
        """Fit the dimensions of the chosen program (and of the next best distinct ones, up to
        ``refine_top``) to the picture. A fitted program becomes a new candidate when it runs; the
        answer is the best-matching of all, so fitting can only raise the match score.

        The fitting climbs on the default 128-cell grid whatever the ranking uses: it starts far
        from the part (a cube for a thin plate) and a coarse grid keeps the climb smooth (on 256
        cells the cube stopped at 0.07 IoU, on 128 it reaches the plate); the fitted program is
        then ranked on the ranking's grid like every other candidate."""
        from core.pipeline.refine import RefineConfig, refine, score_of
        from core.render.compare import SIDE, outline

        coarse = target if target.side == SIDE else outline(picture)

        ok = [i for i, r in enumerate(runs) if r.ok and dimensions(candidates[i].code)]
        ranked = sorted(ok, key=lambda i: (i != chosen, -(candidates[i].score or 0.0), i))
        bases: list[int] = []
        for i in ranked:
            if candidates[i].code not in {candidates[b].code for b in bases}:
                bases.append(i)
        if not bases:
            return chosen
        emit({"event": "stage", "stage": "refine"})
        best = chosen
        for base_index in bases[: self.config.refine_top]:
            base = candidates[base_index]
            fitted = refine(
                base.code,
                coarse,
                lambda codes: self._run_all(codes, ("mesh",)),
                RefineConfig(budget=self.config.refine_budget),
                start_score=base.score if coarse is target else None,
            )
            if fitted is None:
                continue
            if base.score is None:
                base.score = score_of(target, runs[base_index])
            if fitted.code == base.code:
                continue
            run = self._run_all([fitted.code], ("brep", "step", "mesh"))[0]
            if not run.ok:
                continue
            candidate = Candidate(
                len(candidates),
                base.reply,
                fitted.code,
                run.status.value,
                run.message,
                run.volume,
                score=fitted.score if coarse is target else score_of(target, run),
                refined=True,
                grounded=base.grounded,
            )
            candidates.append(candidate)
            runs.append(run)
            emit({"event": "candidate", "index": candidate.index, "status": candidate.status, "message": ""})
        scored = [i for i, r in enumerate(runs) if r.ok and candidates[i].score is not None]
        if scored:
            best = max(scored, key=lambda i: (candidates[i].score or 0.0, -i))
        return best

    def _choose(self, candidates, runs, target, emit) -> int:
        """Among candidates that run, the best render-and-compare score (ties: the earlier one);
        with none running, the first, whose error is the most useful to show."""
        ok = [i for i, r in enumerate(runs) if r.ok]
        if not ok:
            return 0
        if len(ok) == 1 or target is None or not self.config.select_by_render:
            return ok[0]
        from core.pipeline.refine import score_of

        for i in ok:
            candidates[i].score = score_of(target, runs[i]) - candidates[i].prior
        emit({"event": "stage", "stage": "select"})
        return max(ok, key=lambda i: (candidates[i].score or 0.0, -i))


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("cancelled")
