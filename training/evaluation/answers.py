"""Answering the benchmark with a model and writing the authors' answers format, resumably.

``answers.jsonl`` holds one object per line: ``question_id``, ``prompt``, ``text`` (the raw reply),
``answer_id``, ``model_id``, ``metadata`` — the format of CAD-Coder's (LLaVA's) ``model_vqa.py`` output,
so ``cadcoder score`` and the authors' own scripts read it. Each answer is appended and flushed as
soon as it exists: an interrupted run loses at most the question in flight, and a rerun skips every
``question_id`` already in the file.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.metrics.benchmark import BenchmarkSample
from core.models.base import Backend, BackendError, GenerationConfig, GenerationRequest, ImageInput, Message
from core.program.extract import extract_code
from core.sandbox import SandboxPool


@dataclass(frozen=True)
class AnswerSettings:
    question: str
    model_id: str
    # Candidates per question; with more than one, the first that runs in the sandbox is the answer.
    n: int = 1
    temperature: float = 0.0
    max_new_tokens: int = 3450
    # Questions answered at once (threads); >1 only helps backends that serve requests concurrently.
    concurrency: int = 1
    # Answer with the whole image -> CAD system (core.pipeline: best-of-N by render-and-compare,
    # dimension fitting) instead of the raw model; what `cadcoder image2cad` would give the user.
    system: bool = False
    refine: bool = True
    refine_top: int | None = None  # None: the effort preset's
    search_runs: int | None = None  # structure-search sandbox runs; None: the effort preset's, 0: off
    grounded: bool = True  # with system: add programs read off the picture; as PipelineConfig
    effort: str = "default"  # with system: the pipeline's effort preset (core.pipeline.config)


def answered_ids(path: Path) -> set[int]:
    """question_ids already in an answers file (a half-written last line is ignored and rewritten)."""
    if not path.is_file():
        return set()
    done = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                done.add(int(json.loads(line)["question_id"]))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
    return done


def _repair_tail(path: Path) -> None:
    """Drop a last line cut off mid-write, so appending starts on a clean line."""
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def answer_record(
    sample: BenchmarkSample, settings: AnswerSettings, text: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "question_id": sample.question_id,
        "prompt": settings.question,
        "text": text,
        "answer_id": uuid.uuid4().hex,
        "model_id": settings.model_id,
        "metadata": metadata,
    }


def choose(replies: list[str], sandbox: SandboxPool | None, timeout: float) -> tuple[int, list[str]]:
    """Index of the answer among candidates (first that runs; 0 when none or only one) and statuses."""
    if len(replies) == 1 or sandbox is None:
        return 0, []
    futures = [sandbox.submit(extract_code(r), timeout=timeout, outputs=()) for r in replies]
    statuses = [f.result().status.value for f in futures]
    return next((i for i, s in enumerate(statuses) if s == "ok"), 0), statuses


def generate_answers(
    backend: Backend,
    samples: Iterable[BenchmarkSample],
    path: Path,
    settings: AnswerSettings,
    *,
    sandbox: SandboxPool | None = None,
    timeout: float = 60.0,
    on_answer: Callable[[int], None] | None = None,
) -> int:
    """Answer every sample not yet in ``path``; returns how many were answered now."""
    _repair_tail(path)
    done = answered_ids(path)
    todo = [s for s in samples if s.question_id not in done]
    lock = threading.Lock()
    config = GenerationConfig(
        n=settings.n, temperature=settings.temperature, max_new_tokens=settings.max_new_tokens
    )

    solve = _system_solver(backend, settings, sandbox, timeout) if settings.system else None

    def one(sample: BenchmarkSample) -> None:
        if solve is not None:
            text, metadata = solve(sample)
            _append(path, lock, answer_record(sample, settings, text, metadata))
            if on_answer is not None:
                on_answer(sample.question_id)
            return
        image = ImageInput(sample.image.read_bytes(), "image/png")
        request = GenerationRequest((Message("user", settings.question, (image,)),), config)
        try:
            replies = backend.generate(request)
            error = ""
        except BackendError as exc:  # recorded as an empty (invalid) answer, never silently skipped
            replies, error = [""], str(exc)
        index, statuses = choose(replies, sandbox, timeout)
        metadata: dict[str, Any] = {
            "temperature": settings.temperature,
            "max_new_tokens": settings.max_new_tokens,
        }
        if error:
            metadata["error"] = error
        if len(replies) > 1:
            metadata.update(candidates=replies, candidate_statuses=statuses, chosen=index)
        _append(path, lock, answer_record(sample, settings, replies[index], metadata))
        if on_answer is not None:
            on_answer(sample.question_id)

    if settings.concurrency <= 1:
        for sample in todo:
            one(sample)
    else:
        with ThreadPoolExecutor(settings.concurrency) as pool:
            list(pool.map(one, todo))
    return len(todo)


def _append(path: Path, lock: threading.Lock, record: dict[str, Any]) -> None:
    with lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
        fh.flush()


def _system_solver(
    backend: Backend, settings: AnswerSettings, sandbox: SandboxPool | None, timeout: float
) -> Callable[[BenchmarkSample], tuple[str, dict[str, Any]]]:
    """Answers made by ``ImageToCad``; the metadata keeps each candidate, the choice, whether the
    dimensions were fitted and the seconds per stage (the latency a user sees)."""
    from core.pipeline import ImageToCad
    from core.pipeline.config import with_effort

    config = with_effort(
        settings.effort,
        n=settings.n,
        temperature=settings.temperature,
        max_new_tokens=settings.max_new_tokens,
        timeout=timeout,
        question=settings.question,
        refine=settings.refine,
        refine_top=settings.refine_top,
        grounded=settings.grounded,
        search_runs=settings.search_runs,
    )
    pipeline = ImageToCad(backend, config=config, sandbox=sandbox)

    def solve(sample: BenchmarkSample) -> tuple[str, dict[str, Any]]:
        started = time.perf_counter()
        result = pipeline.run(sample.image.read_bytes())
        metadata: dict[str, Any] = {
            "system": True,
            "temperature": settings.temperature,
            "max_new_tokens": settings.max_new_tokens,
            "effort": settings.effort,
            "status": result.status,
            "chosen": result.chosen,
            "refined": bool(result.candidates and result.candidates[result.chosen or 0].refined),
            "grounded": bool(result.candidates and result.candidates[result.chosen or 0].grounded),
            "searched": bool(result.candidates and result.candidates[result.chosen or 0].searched),
            "candidates": [
                {
                    "code": c.code,
                    "status": c.status,
                    "score": c.score,
                    "refined": c.refined,
                    "grounded": c.grounded,
                    "searched": c.searched,
                }
                for c in result.candidates
            ],
            "timings": result.timings,
            "seconds": time.perf_counter() - started,
        }
        if result.status in ("backend_error", "bad_image", "cancelled"):
            metadata["error"] = result.message
        return result.code, metadata

    return solve
