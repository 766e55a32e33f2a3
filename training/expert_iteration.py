"""Expert iteration (issue 13, point 4): the model's own best programs as new training shards.

The CPU analogue of cadrille's RL with an IoU reward: for each synthetic training picture, sample N
programs from the current model, run them in the sandbox (model output is untrusted code), score
each against the geometry of that sample's own program (our generator's, trusted: built in-process)
with the benchmark's IOU_best, and keep the best one when it reaches ``threshold``. The kept pairs
(picture, program the model can already almost write) are written in the data engine's shard layout,
so a recipe trains on them by adding one more source::

    data:
      sources:
        - {kind: shards, path: runs/v3/data, use_augmented: true}
        - {kind: shards, path: runs/v3/expert, use_augmented: true}

    python -m training.expert_iteration --model training/checkpoints/cadcoder-mini-v3/best \\
        --shards runs/v3/data --out runs/v3/expert --n 8 --limit 500

Why the sample's own program and not a benchmark: the pictures are training pictures; nothing of
test100 (or the synthetic validation set) is touched, so selection stays honest. Why a threshold:
a best-of-N that is still a poor match would teach the model its own mistakes.

Output: ``shard-NNNNN.tar`` (KEY.py: the kept program, KEY.png / KEY.aug.png: the source sample's
pictures, KEY.json: source key, IoU, how many replies ran) and ``shard-NNNNN.json`` summaries whose
``first_candidate``/``next_candidate`` are positions in the source pictures, so an interrupted run
resumes after its last whole shard. ``manifest.json`` records the settings; a resume must match it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from training.synth.shards import (
    SampleFiles,
    ShardSummary,
    ShardWriter,
    completed_shards,
    iter_shard,
    read_manifest,
    shard_path,
    write_manifest,
)

FORMAT = "cadcoder-expert-iteration-v1"


@dataclass(frozen=True)
class ExpertSettings:
    model: Path
    shards: Path  # the data engine's training shards (pictures + their programs)
    out: Path
    n: int = 8  # programs sampled per picture
    temperature: float = 0.7
    threshold: float = 0.9  # the best program's IOU_best must reach this to be kept
    limit: int = 0  # source pictures to visit (0: all)
    max_new_tokens: int = 512
    timeout: float = 30.0
    shard_size: int = 200
    seed: int = 0

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "model": str(self.model),
            "shards": str(self.shards),
            "n": self.n,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "max_new_tokens": self.max_new_tokens,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Choice:
    """The best of one picture's replies: its program and IOU_best, and how many replies made a solid."""

    code: str
    iou: float
    solids: int


@dataclass
class ExpertReport:
    pictures: int = 0  # visited in this call
    kept: int = 0
    replies: int = 0
    solids: int = 0
    iou_sum: float = 0.0  # sum over pictures of the best reply's IoU (0 when none made a solid)
    seconds: float = 0.0

    @property
    def mean_best_iou(self) -> float:
        return self.iou_sum / self.pictures if self.pictures else 0.0


Runner = Callable[[str], bytes | None]  # code -> BREP bytes of its one valid solid, or None


def sandbox_runner(timeout: float) -> Runner:
    """Run untrusted model code in the shared sandbox pool; a valid single solid's BREP, else None."""
    from core.sandbox import run_code

    def run(code: str) -> bytes | None:
        result = run_code(code, timeout=timeout, outputs=("brep",))
        return result.brep if result.ok and result.n_solids == 1 and result.brep else None

    return run


def choose_best(replies: list[str], truth_code: str, run: Runner) -> Choice | None:
    """The reply whose solid has the highest IOU_best against ``truth_code``'s geometry.

    Identical replies are run once. None when no reply made a valid solid.
    """
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_best, prepare_target
    from training.synth.trusted_build import build_shape

    target = prepare_target(build_shape(truth_code))
    best: Choice | None = None
    solids = 0
    for code in dict.fromkeys(r.strip() for r in replies if r.strip()):
        brep = run(code)
        if brep is None:
            continue
        solids += 1
        try:
            iou = iou_best(shape_from_bytes(brep), target) or 0.0
        except Exception:  # a degenerate solid scores nothing, as in the benchmark
            iou = 0.0
        if best is None or iou > best.iou:
            best = Choice(code, float(iou), 0)
    return None if best is None else Choice(best.code, best.iou, solids)


def source_pictures(shards: Path) -> Iterator[SampleFiles]:
    """The source samples in order (the position in this sequence is what summaries record)."""
    for summary in completed_shards(shards):
        yield from iter_shard(shard_path(shards, summary.shard))


def sample_replies(backend: Any, png: bytes, s: ExpertSettings, position: int) -> list[str]:
    """N sampled programs for one picture (seeded by position: a rerun samples the same)."""
    from core.models.base import GenerationConfig, GenerationRequest, ImageInput, Message
    from core.models.prompt import CADCODER_QUESTION

    config = GenerationConfig(
        n=s.n, temperature=s.temperature, max_new_tokens=s.max_new_tokens, seed=s.seed + 1000 * position
    )
    request = GenerationRequest(
        (Message("user", CADCODER_QUESTION, (ImageInput(png, "image/png"),)),), config
    )
    return backend.generate(request)


def run_expert_iteration(
    s: ExpertSettings,
    backend: Any | None = None,
    run: Runner | None = None,
    log: Callable[[str], None] = print,
) -> ExpertReport:
    """Visit the source pictures after those already done and write the kept programs as shards."""
    started = time.perf_counter()
    s.out.mkdir(parents=True, exist_ok=True)
    existing = read_manifest(s.out)
    if existing is not None and existing != s.manifest():
        raise ValueError(f"{s.out} holds expert-iteration shards made with other settings; use a new folder")
    write_manifest(s.out, s.manifest())
    for stale in s.out.glob("*.partial"):
        stale.unlink()
    done = completed_shards(s.out)
    start = done[-1].next_candidate if done else 0
    if backend is None:
        from core.models.local import LocalLlavaBackend

        # Training pictures are in the training look by construction (at 96 px, anti-aliased, too
        # small for model_view to recognise): sampled as the trainer shows them.
        backend = LocalLlavaBackend(str(s.model), device="cpu", dtype="float32", redraw=False)
    run = run or sandbox_runner(s.timeout)
    report = ExpertReport()
    index = len(done)
    writer: ShardWriter | None = None
    first = start
    kept_in_shard = 0

    def close(next_position: int) -> None:
        nonlocal writer, index, kept_in_shard
        if writer is None:
            return
        writer.close()
        ShardSummary(index, kept_in_shard, first, next_position).write(s.out)
        writer, index, kept_in_shard = None, index + 1, 0

    position = 0
    try:
        for position, sample in enumerate(source_pictures(s.shards)):
            if position < start:
                continue
            if s.limit and position >= s.limit:
                break
            truth = sample.files["py"].decode()
            replies = sample_replies(backend, sample.files["png"], s, position)
            choice = choose_best(replies, truth, run)
            report.pictures += 1
            report.replies += len(replies)
            report.solids += 0 if choice is None else choice.solids
            report.iou_sum += 0.0 if choice is None else choice.iou
            if choice is not None and choice.iou >= s.threshold:
                if writer is None:
                    writer, first = ShardWriter(s.out, index), position
                writer.add(_kept(sample, choice, len(replies)))
                kept_in_shard += 1
                report.kept += 1
                if kept_in_shard == s.shard_size:
                    close(position + 1)
            log(
                f"picture {position}: best IoU {0.0 if choice is None else choice.iou:.3f}"
                f" ({0 if choice is None else choice.solids}/{len(replies)} solids), kept {report.kept}"
            )
        else:
            position += 1
        close(position)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    report.seconds = time.perf_counter() - started
    return report


def _kept(sample: SampleFiles, choice: Choice, replies: int) -> SampleFiles:
    truth = sample.files["py"].decode()
    meta = {
        "source_key": sample.key,
        "iou": round(choice.iou, 4),
        "replies": replies,
        "solids": choice.solids,
        "same_as_truth": choice.code.strip() == truth.strip(),
    }
    files = {"py": choice.code.encode(), "png": sample.files["png"], "json": json.dumps(meta).encode()}
    if "aug.png" in sample.files:  # another view of the same part: the kept program fits it as well
        files["aug.png"] = sample.files["aug.png"]
    return SampleFiles(sample.key, files)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--shards", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--shard-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    settings = ExpertSettings(
        a.model,
        a.shards,
        a.out,
        a.n,
        a.temperature,
        a.threshold,
        a.limit,
        a.max_new_tokens,
        a.timeout,
        a.shard_size,
        a.seed,
    )
    report = run_expert_iteration(settings)
    print(json.dumps({**asdict(report), "mean_best_iou": round(report.mean_best_iou, 4)}))


if __name__ == "__main__":
    main()
