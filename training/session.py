"""Training that spans sessions: resume from the last *committed* weights, train for a time budget,
and leave weights, a learning curve and a model card in a folder that is committed to the repository.

Why not the trainer's own resume: a session's ``runs/`` folder is gone when the session ends; only
what is committed survives. The committed folder therefore holds the model (HF LLaVA folder, a few
MB; at most 50 MB is enforced) but not the optimizer state: each session starts a fresh AdamW with a
short warm-up on a constant learning rate, so stopping at any step costs nothing but that warm-up.

    python -m training.session training/configs/cadcoder_mini_v3_cpu.yaml \\
        --committed training/checkpoints/cadcoder-mini-v3 --minutes 40 --valset runs/v3/valbench

Layout of the committed folder::

    model/                 the newest weights (config.json, model.safetensors, tokenizer, processor)
    learning_curve.jsonl   one row per checkpoint: session, date, step, samples seen, val loss,
                           model-alone VSR and IOU_best on the synthetic validation set
    session_state.json     samples seen so far, sessions run
    README.md              the model card; its learning-curve table is rewritten from the rows

A stop file (``--stop-file``, default ``<committed>/../STOP-<name>``) ends a session cleanly at the
next step, as does the time budget: a checkpoint is saved and exported there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MODEL_DIR = "model"
CURVE = "learning_curve.jsonl"
STATE = "session_state.json"
CARD = "README.md"
MAX_WEIGHTS_BYTES = 50 * 1024 * 1024
CURVE_BEGIN = "<!-- learning-curve:begin -->"
CURVE_END = "<!-- learning-curve:end -->"
# What is copied from a trainer checkpoint into the committed folder (no optimizer, no RNG state).
_SKIP = {"state", "trainer_state.json"}


@dataclass
class SessionState:
    samples_seen: int = 0
    steps: int = 0
    sessions: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, committed: Path) -> SessionState:
        path = committed / STATE
        return cls(**json.loads(path.read_text())) if path.is_file() else cls()

    def write(self, committed: Path) -> None:
        _atomic_text(committed / STATE, json.dumps(self.__dict__, indent=2) + "\n")


def committed_model(committed: Path) -> Path | None:
    """The committed weights to resume from, or None on the first session."""
    path = committed / MODEL_DIR
    return path if (path / "config.json").is_file() and (path / "model.safetensors").is_file() else None


def session_config(config: Any, committed: Path, session_index: int) -> Any:
    """The recipe for this session: start from the committed weights when there are any, a data
    order of its own (seed + session index), and no trainer resume (the run folder is scratch)."""
    start = committed_model(committed)
    if start is not None:
        config.model.init = "pretrained"
        config.model.path = str(start)
    config.seed = config.seed + session_index
    config.resume = ""
    return config


def export_weights(checkpoint: Path, committed: Path) -> Path:
    """Copy a checkpoint's model folder (without optimizer state) to ``committed/model``, atomically."""
    size = sum(p.stat().st_size for p in checkpoint.iterdir() if p.is_file() and p.name not in _SKIP)
    if size > MAX_WEIGHTS_BYTES:
        raise ValueError(
            f"{checkpoint}: {size / 2**20:.1f} MB of weights exceed the 50 MB the repository allows"
        )
    tmp = committed / f".{MODEL_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for item in checkpoint.iterdir():
        if item.name not in _SKIP and item.is_file():
            shutil.copy2(item, tmp / item.name)
    final = committed / MODEL_DIR
    old = committed / f".{MODEL_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def synthetic_iou(
    model_dir: Path, valset: Path, out: Path, limit: int, max_new_tokens: int
) -> dict[str, float]:
    """Model-alone greedy VSR and IOU_best on the synthetic validation set (the benchmark's scorer)."""
    from core.models.local import LocalLlavaBackend
    from training.evaluation.run import EvalSettings, evaluate

    settings = EvalSettings(
        benchmark=valset,
        out=out,
        model_id=model_dir.name,
        limit=limit,
        workers=1,
        gallery=False,
        max_new_tokens=max_new_tokens,
    )
    backend = LocalLlavaBackend(str(model_dir), device="cpu", dtype="float32")
    try:
        report = evaluate(backend, settings)
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    n = max(report.n, 1)
    return {
        "vsr": report.vsr or 0.0,
        "iou_best": report.iou_best or 0.0,  # the paper's mean (over answers that made a solid)
        "iou_all": sum(x.iou_best or 0.0 for x in report.samples) / n,  # a failed answer counts 0
    }


def curve_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| session | date (UTC) | step | samples seen | val loss | synthetic VSR | synthetic IOU_best"
        " | synthetic IoU (failures 0) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        vsr = "" if r.get("vsr") is None else f"{100 * r['vsr']:.0f} %"
        iou = "" if r.get("iou_best") is None else f"{r['iou_best']:.3f}"
        loss = "" if r.get("val_loss") is None else f"{r['val_loss']:.4f}"
        iou_all = "" if r.get("iou_all") is None else f"{r['iou_all']:.3f}"
        lines.append(
            f"| {r['session']} | {r['date']} | {r['step']} | {r['samples_seen']} | {loss} | {vsr} | {iou}"
            f" | {iou_all} |"
        )
    return "\n".join(lines)


def update_card(committed: Path) -> None:
    """Rewrite the card's learning-curve table (between the markers) from ``learning_curve.jsonl``."""
    card = committed / CARD
    rows = read_curve(committed)
    table = f"{CURVE_BEGIN}\n{curve_table(rows)}\n{CURVE_END}"
    text = (
        card.read_text()
        if card.is_file()
        else f"# cadcoder-mini v3\n\n## Learning curve\n\n{CURVE_BEGIN}\n{CURVE_END}\n"
    )
    if CURVE_BEGIN in text and CURVE_END in text:
        head, rest = text.split(CURVE_BEGIN, 1)
        _, tail = rest.split(CURVE_END, 1)
        text = head + table + tail
    else:
        text = text.rstrip() + "\n\n## Learning curve\n\n" + table + "\n"
    _atomic_text(card, text)


def read_curve(committed: Path) -> list[dict[str, Any]]:
    path = committed / CURVE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_curve(committed: Path, row: dict[str, Any]) -> None:
    with open(committed / CURVE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


@dataclass
class SessionSettings:
    config: Path
    committed: Path
    minutes: float
    valset: Path | None = None
    val_limit: int = 24
    eval_every: int = 2  # checkpoints between synthetic-IoU evaluations (the last one always)
    max_new_tokens: int = 512
    stop_file: Path | None = None
    overrides: tuple[str, ...] = ()


def run_session(s: SessionSettings, log: Any = print) -> SessionState:
    """One session: train until the budget or the stop file, exporting every checkpoint."""
    import torch

    from training.config import load_config
    from training.trainer import TrainHooks, train

    torch.set_num_threads(1)
    s.committed.mkdir(parents=True, exist_ok=True)
    state = SessionState.read(s.committed)
    index = len(state.sessions) + 1
    config = session_config(load_config(s.config, s.overrides), s.committed, index)
    batch = config.optim.per_device_batch_size * config.optim.gradient_accumulation_steps
    started = time.time()
    deadline = started + 60 * s.minutes
    stop_file = s.stop_file or s.committed.parent / f"STOP-{s.committed.name}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    base_samples, base_steps = state.samples_seen, state.steps
    state.sessions.append(
        {"session": index, "started": date, "start": config.model.init, "steps": 0, "minutes": s.minutes}
    )
    checkpoints = 0
    run_dir = Path(config.output.dir) / f"session-{index:03d}"
    config.output.dir = str(run_dir)

    def should_stop(step: int) -> bool:
        return time.time() >= deadline or stop_file.exists()

    def on_checkpoint(path: Path, step: int, val_loss: float | None) -> None:
        nonlocal checkpoints
        checkpoints += 1
        export_weights(path, s.committed)
        row: dict[str, Any] = {
            "session": index,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            "step": base_steps + step,
            "samples_seen": base_samples + step * batch,
            "val_loss": None if val_loss is None else round(val_loss, 4),
            "vsr": None,
            "iou_best": None,
            "iou_all": None,
        }
        last = should_stop(step)
        if s.valset is not None and (checkpoints % s.eval_every == 0 or last):
            scores = synthetic_iou(
                path, s.valset, run_dir / f"val-step-{step:08d}", s.val_limit, s.max_new_tokens
            )
            row.update({k: round(v, 4) for k, v in scores.items()})
        append_curve(s.committed, row)
        state.samples_seen, state.steps = row["samples_seen"], row["step"]
        state.sessions[-1]["steps"] = step
        state.write(s.committed)
        update_card(s.committed)
        log(f"session {index}: step {row['step']}, samples {row['samples_seen']}, {row}")

    train(config, log=log, hooks=TrainHooks(should_stop=should_stop, on_checkpoint=on_checkpoint))
    state.sessions[-1]["ended"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    state.write(s.committed)
    return state


def seed_vision_tower(llava_dir: Path, out: Path) -> Path:
    """The vision tower of an existing LLaVA folder as a ``CLIPVisionModel`` folder (``vision_init``)."""
    import torch
    from transformers import LlavaForConditionalGeneration

    model = LlavaForConditionalGeneration.from_pretrained(str(llava_dir), dtype=torch.float32)
    model.model.vision_tower.save_pretrained(str(out))
    return out


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config", type=Path)
    parser.add_argument("--committed", type=Path, required=True)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--valset", type=Path, default=None)
    parser.add_argument("--val-limit", type=int, default=24)
    parser.add_argument("--eval-every", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--stop-file", type=Path, default=None)
    parser.add_argument(
        "--seed-vision-from", type=Path, default=None, help="LLaVA folder whose tower starts a first session"
    )
    parser.add_argument("--override", "-o", action="append", default=[])
    args = parser.parse_args()
    settings = SessionSettings(
        args.config,
        args.committed,
        args.minutes,
        args.valset,
        args.val_limit,
        args.eval_every,
        args.max_new_tokens,
        args.stop_file,
        tuple(args.override),
    )
    if args.seed_vision_from is not None and committed_model(args.committed) is None:
        from training.config import load_config

        target = Path(load_config(args.config, settings.overrides).model.vision_init)
        if target and not (target / "config.json").is_file():
            seed_vision_tower(args.seed_vision_from, target)
            print(f"vision tower from {args.seed_vision_from} -> {target}")
    state = run_session(settings)
    print(
        json.dumps({"samples_seen": state.samples_seen, "steps": state.steps, "session": state.sessions[-1]})
    )


if __name__ == "__main__":
    main()
