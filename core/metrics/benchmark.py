"""The benchmark folder and the authors' answers file: reading them with errors that say where.

Layout (the CAD-Coder repository's ``inference/`` folder): ``test100.jsonl`` (``question_id``,
``image``, ``ground_truth``...), ``images/NNNNNNNN_0.png``, ``steps/NNNNNNNN.step``. Answers are
JSON lines with ``question_id`` and ``text`` (the raw model reply).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class BenchmarkError(ValueError):
    """The benchmark folder or an answers file is missing or malformed."""


@dataclass(frozen=True)
class BenchmarkSample:
    question_id: int
    image: Path
    step: Path
    ground_truth: str
    prompt: str


def load_benchmark(directory: str | Path) -> list[BenchmarkSample]:
    directory = Path(directory)
    index = directory / "test100.jsonl"
    if not index.is_file():
        raise BenchmarkError(f"{directory}: not a benchmark folder (no test100.jsonl)")
    samples = []
    for lineno, record in _json_lines(index):
        try:
            image = directory / "images" / record["image"]
            step = directory / "steps" / (Path(record["image"]).stem.removesuffix("_0") + ".step")
            samples.append(
                BenchmarkSample(
                    int(record["question_id"]), image, step, record["ground_truth"], record.get("text", "")
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BenchmarkError(f"{index}:{lineno}: malformed sample ({exc})") from exc
    missing = [s.step.name for s in samples if not s.step.is_file()]
    if missing:
        raise BenchmarkError(f"{directory}/steps: missing ground-truth STEP files: {', '.join(missing[:5])}")
    return samples


def read_answers(path: str | Path) -> dict[int, str]:
    """question_id -> raw reply. A repeated question_id is an error: which answer would count?"""
    path = Path(path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such answers file")
    answers: dict[int, str] = {}
    for lineno, record in _json_lines(path):
        if "question_id" not in record or "text" not in record:
            raise BenchmarkError(f"{path}:{lineno}: an answer needs 'question_id' and 'text'")
        if not isinstance(record["text"], str):
            raise BenchmarkError(f"{path}:{lineno}: 'text' must be a string")
        try:
            qid = int(record["question_id"])
        except (TypeError, ValueError) as exc:
            raise BenchmarkError(
                f"{path}:{lineno}: question_id {record['question_id']!r} is not an integer"
            ) from exc
        if qid in answers:
            raise BenchmarkError(f"{path}:{lineno}: question_id {qid} answered twice")
        answers[qid] = record["text"]
    return answers


def _json_lines(path: Path):
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BenchmarkError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise BenchmarkError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, record
