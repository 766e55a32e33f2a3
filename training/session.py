"""Training that spans sessions: resume from the last *committed* weights, train for a time budget,
and leave weights, a learning curve and a model card in a folder that is committed to the repository.

Why not the trainer's own resume: a session's ``runs/`` folder is gone when the session ends; only
what is committed survives. The committed folder therefore holds the model (HF LLaVA folder, a few
MB; at most 50 MB is enforced) but not the optimizer state: each session starts a fresh AdamW with
the recipe's schedule (steps counted from 0 in every session).

Why a ``best/`` copy: session 1 showed that the validation loss can keep falling while the greedy
answers collapse (synthetic IoU 0.286 at step 200, 0.038 at step 336), and the newest weights
overwrote the better ones. Every evaluated checkpoint whose synthetic IoU (failures counted 0,
``iou_all``) beats the best so far is copied to ``best/``. A session resumes from whichever of
``model/`` and ``best/`` scored higher on that validation (``start_point``): continuing from weights
known to be worse would only make the next session repair them first; on a tie, or when ``best/``
is the newest checkpoint anyway, ``model/`` (more samples seen) is used. Steps and samples seen in
the curve count the *lineage* of the weights trained, so a session that resumes from ``best/``
continues from ``best/``'s step.

    python -m training.session training/configs/cadcoder_mini_v3_cpu.yaml \\
        --committed training/checkpoints/cadcoder-mini-v3 --minutes 40 --valset runs/v3/valbench

Layout of the committed folder::

    model/                 the newest weights (config.json, model.safetensors, tokenizer, processor)
    best/                  the weights with the highest synthetic IoU (failures 0) so far
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
BEST_DIR = "best"
CURVE = "learning_curve.jsonl"
STATE = "session_state.json"
CARD = "README.md"
MAX_WEIGHTS_BYTES = 50 * 1024 * 1024
CURVE_BEGIN = "<!-- learning-curve:begin -->"
CURVE_END = "<!-- learning-curve:end -->"
BEST_BEGIN = "<!-- best:begin -->"
BEST_END = "<!-- best:end -->"
# What is copied from a trainer checkpoint into the committed folder (no optimizer, no RNG state).
_SKIP = {"state", "trainer_state.json"}


@dataclass
class SessionState:
    """What the committed folder remembers between sessions.

    ``samples_seen``/``steps`` belong to the weights in ``model/``; ``best`` is the curve row (step,
    samples seen, scores) of the weights in ``best/``, None until a checkpoint has been evaluated.
    """

    samples_seen: int = 0
    steps: int = 0
    sessions: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, Any] | None = None

    @classmethod
    def read(cls, committed: Path) -> SessionState:
        path = committed / STATE
        return cls(**json.loads(path.read_text())) if path.is_file() else cls()

    def write(self, committed: Path) -> None:
        _atomic_text(committed / STATE, json.dumps(self.__dict__, indent=2) + "\n")


def committed_model(committed: Path, name: str = MODEL_DIR) -> Path | None:
    """The committed weights ``committed/name`` (``model`` or ``best``), or None when absent."""
    path = committed / name
    return path if (path / "config.json").is_file() and (path / "model.safetensors").is_file() else None


@dataclass(frozen=True)
class StartPoint:
    """Where a session starts: the weights (None: scratch) and the step/samples they have seen."""

    path: Path | None
    steps: int
    samples_seen: int
    why: str


def latest_row(committed: Path) -> dict[str, Any] | None:
    """The curve row of the weights in ``model/``: the last one (every export appends a row; the
    last checkpoint of a session is always evaluated)."""
    rows = read_curve(committed)
    return rows[-1] if rows else None


def start_point(committed: Path, state: SessionState, key: str = "iou_all") -> StartPoint:
    """Resume from ``best/`` when validation says it is better than ``model/``, else from ``model/``.

    An unevaluated ``model/`` (a session killed between evaluations) loses to an evaluated ``best/``:
    selection goes by the validation we have, not by recency. ``key`` ranks the two when both rows
    have it (the pooled ``gate``), else the synthetic IoU does.
    """
    latest = committed_model(committed, MODEL_DIR)
    best = committed_model(committed, BEST_DIR)
    if latest is None:
        return StartPoint(None, 0, 0, "no committed weights: from scratch")
    row = latest_row(committed)
    if row is not None and state.best is not None and (row.get(key) is None or key not in state.best):
        key = "iou_all"
    score = None if row is None else row.get(key)
    same = row is not None and state.best is not None and _key(row) == _key(state.best)
    label = "synthetic IoU" if key == "iou_all" else key
    if (
        best is not None
        and state.best is not None
        and not same
        and (score is None or state.best[key] > score)
    ):
        return StartPoint(
            best,
            state.best["step"],
            state.best["samples_seen"],
            f"best/ (step {state.best['step']}, {label} {state.best[key]}) rather than "
            f"model/ (step {state.steps}, {label} {score})",
        )
    return StartPoint(
        latest, state.steps, state.samples_seen, f"model/ (step {state.steps}, {label} {score})"
    )


def _key(row: dict[str, Any]) -> tuple[Any, Any]:
    return row.get("session"), row.get("step")


def session_config(config: Any, start: StartPoint, session_index: int) -> Any:
    """The recipe for this session: start from the chosen committed weights when there are any, a
    data order of its own (seed + session index), and no trainer resume (the run folder is scratch)."""
    if start.path is not None:
        config.model.init = "pretrained"
        config.model.path = str(start.path)
    config.seed = config.seed + session_index
    config.resume = ""
    return config


def export_weights(checkpoint: Path, committed: Path, name: str = MODEL_DIR) -> Path:
    """Copy a checkpoint's model folder (without optimizer state) to ``committed/name``, atomically."""
    size = sum(p.stat().st_size for p in checkpoint.iterdir() if p.is_file() and p.name not in _SKIP)
    others = sum(
        p.stat().st_size
        for d in (MODEL_DIR, BEST_DIR)
        if d != name and (committed / d).is_dir()
        for p in (committed / d).iterdir()
        if p.is_file()
    )
    if size + others > MAX_WEIGHTS_BYTES:  # model/ and best/ together: the committed folder's limit
        raise ValueError(
            f"{checkpoint}: {size / 2**20:.1f} MB of weights (+ {others / 2**20:.1f} MB already committed)"
            " exceed the 50 MB the repository allows"
        )
    tmp = committed / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for item in checkpoint.iterdir():
        if item.name not in _SKIP and item.is_file():
            shutil.copy2(item, tmp / item.name)
    final = committed / name
    old = committed / f".{name}.old"
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


def gate_iou(model_dir: Path, sets: list[tuple[Path, int]], out: Path, max_new_tokens: int) -> dict[str, Any]:
    """Model-alone IoU (failures 0) on several validation sets (folder, first K pictures; 0: all),
    pooled by picture: ``{"gate": pooled, "sets": {name: {"vsr", "iou_best", "iou_all", "n"}}}``,
    the sets in the order given.

    Why pooled: 24 synthetic parts swing by 0.04 between neighbouring checkpoints, and in v3's
    session 7 they rose while real parts fell; more pictures, and real ones, choose better."""
    per_set: dict[str, dict[str, float]] = {}
    pooled, pictures = 0.0, 0
    for folder, limit in sets:
        name = set_name(folder)
        result = synthetic_iou(model_dir, folder, out / name, limit, max_new_tokens)
        n = picture_count(folder, limit) if len(sets) > 1 else 1  # one set needs no weights
        per_set[name] = {**{k: round(v, 4) for k, v in result.items()}, "n": n}
        pooled += result["iou_all"] * n
        pictures += n
    return {"gate": pooled / max(pictures, 1), "sets": per_set}


def set_name(folder: Path) -> str:
    """A validation set's short name (``freecad_parts-white`` for the hand-modelled sets)."""
    return folder.name if folder.parent.name != "freecad_parts" else f"freecad_parts-{folder.name}"


def picture_count(folder: Path, limit: int) -> int:
    lines = (folder / "test100.jsonl").read_text(encoding="utf-8").splitlines()
    n = sum(1 for line in lines if line.strip())
    return min(n, limit) if limit else n


def selection_key(gated: bool) -> str:
    """The curve-row field that ranks checkpoints: the pooled ``gate`` when the session has one."""
    return "gate" if gated else "iou_all"


def curve_table(rows: list[dict[str, Any]]) -> str:
    gated = any(r.get("gate") is not None for r in rows)
    lines = [
        "| session | date (UTC) | step | samples seen | val loss | synthetic VSR | synthetic IOU_best"
        " | synthetic IoU (failures 0) |" + (" gate (pooled) |" if gated else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|" if gated else ""),
    ]
    for r in rows:
        vsr = "" if r.get("vsr") is None else f"{100 * r['vsr']:.0f} %"
        iou = "" if r.get("iou_best") is None else f"{r['iou_best']:.3f}"
        loss = "" if r.get("val_loss") is None else f"{r['val_loss']:.4f}"
        iou_all = "" if r.get("iou_all") is None else f"{r['iou_all']:.3f}"
        gate = "" if r.get("gate") is None else f"{r['gate']:.3f}"
        lines.append(
            f"| {r['session']} | {r['date']} | {r['step']} | {r['samples_seen']} | {loss} | {vsr} | {iou}"
            f" | {iou_all} |" + (f" {gate} |" if gated else "")
        )
    return "\n".join(lines)


def update_card(committed: Path) -> None:
    """Rewrite the card's learning-curve table (between the markers) from ``learning_curve.jsonl``."""
    card = committed / CARD
    rows = read_curve(committed)
    table = curve_table(rows)
    text = (
        card.read_text()
        if card.is_file()
        else f"# cadcoder-mini v3\n\n## Learning curve\n\n{CURVE_BEGIN}\n{CURVE_END}\n"
    )
    text = _replace_between(text, CURVE_BEGIN, CURVE_END, table, "## Learning curve")
    best = SessionState.read(committed).best
    if best is not None:
        text = _replace_between(text, BEST_BEGIN, BEST_END, best_line(best), "## best/")
    _atomic_text(card, text)


def best_line(best: dict[str, Any]) -> str:
    """The card's statement of which checkpoint ``best/`` holds (rewritten by every session)."""
    return (
        f"`best/` holds session {best['session']}'s step {best['step']} ({best['samples_seen']} samples seen,"
        f" {best['date']} UTC): synthetic VSR {100 * best['vsr']:.0f} %, IOU_best {best['iou_best']:.3f},"
        f" IoU with failures 0 {best['iou_all']:.3f}"
        + ("" if best.get("val_loss") is None else f", val loss {best['val_loss']:.4f}")
        + ("" if best.get("gate") is None else f", pooled gate {best['gate']:.3f}")
        + "."
    )


def _replace_between(text: str, begin: str, end: str, body: str, heading: str) -> str:
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        return head + block + tail
    return text.rstrip() + f"\n\n{heading}\n\n" + block + "\n"


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
    # More validation sets (all their pictures, e.g. benchmarks/freecad_parts/white and gradient),
    # pooled by picture with the synthetic set's into ``gate``: best/ then goes by the pooled score.
    gate: tuple[Path, ...] = ()
    # Weights to start from instead of model/ or best/, e.g. best/ with a re-pretrained vision tower
    # (`cadcoder pretrain-vision --from ... --into DIR`): a change made outside the session runner
    # still trains as a committed, logged session. Steps and samples seen continue the lineage the
    # session would have resumed, which the given weights are assumed to derive from.
    start_from: Path | None = None


def run_session(s: SessionSettings, log: Any = print) -> SessionState:
    """One session: train until the budget, the stop file or ``optim.max_steps``, exporting every
    checkpoint to ``model/``, evaluating every ``eval_every``-th one and the last, and copying an
    evaluated checkpoint to ``best/`` when its synthetic IoU (failures 0) is the highest so far."""
    import torch

    from training.config import load_config
    from training.trainer import TrainHooks, train

    if s.start_from is not None and committed_model(s.start_from.parent, s.start_from.name) is None:
        raise FileNotFoundError(f"--start-from {s.start_from}: no config.json and model.safetensors there")
    torch.set_num_threads(1)
    s.committed.mkdir(parents=True, exist_ok=True)
    state = SessionState.read(s.committed)
    index = len(state.sessions) + 1
    key = selection_key(bool(s.gate))
    sets = [] if s.valset is None else [(s.valset, s.val_limit), *((g, 0) for g in s.gate)]
    recipe = load_config(s.config, s.overrides)
    run_dir = Path(recipe.output.dir) / f"session-{index:03d}"
    if run_dir.exists():
        # The run folder is scratch: a stopped earlier attempt at this session index left checkpoints
        # there, which the trainer's pruning would rank above this run's own.
        shutil.rmtree(run_dir)
        log(f"removed {run_dir} (left by an earlier, uncommitted attempt at session {index})")
    best_dir = committed_model(s.committed, BEST_DIR)
    if s.gate and sets and state.best is not None and best_dir is not None and key not in state.best:
        # best/ was chosen without this gate: score it on the gate first, so that it competes fairly.
        scored = gate_iou(best_dir, sets, run_dir / "gate-best", s.max_new_tokens)
        state.best[key] = round(scored["gate"], 4)
        state.write(s.committed)
        log(f"best/ (step {state.best['step']}) on the gate: {state.best[key]} {scored['sets']}")
    start = start_point(s.committed, state, key)
    if s.start_from is not None:
        start = StartPoint(
            s.start_from,
            start.steps,
            start.samples_seen,
            f"{s.start_from} (--start-from), continuing the lineage of {start.why}",
        )
    log(f"session {index} starts from {start.why}")
    config = session_config(recipe, start, index)
    batch = config.optim.per_device_batch_size * config.optim.gradient_accumulation_steps
    started = time.time()
    deadline = started + 60 * s.minutes
    stop_file = s.stop_file or s.committed.parent / f"STOP-{s.committed.name}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    base_samples, base_steps = start.samples_seen, start.steps
    state.sessions.append(
        {
            "session": index,
            "started": date,
            "start": config.model.init,
            "from": None if start.path is None else (str(start.path) if s.start_from else start.path.name),
            "from_step": start.steps,
            "steps": 0,
            "minutes": s.minutes,
            "overrides": list(s.overrides),  # what this session changed in the recipe
        }
    )
    planned = config.optim.max_steps  # 0: the recipe's epochs decide (the last step is then unknown)
    checkpoints = 0
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
        last = should_stop(step) or (planned > 0 and step >= planned)
        if s.valset is not None and (checkpoints % s.eval_every == 0 or last):
            scored = gate_iou(path, sets, run_dir / f"val-step-{step:08d}", s.max_new_tokens)
            synthetic = next(iter(scored["sets"].values()))
            row.update({k: synthetic[k] for k in ("vsr", "iou_best", "iou_all")})
            if s.gate:
                row["gate"] = round(scored["gate"], 4)
        if row.get(key) is not None and (state.best is None or row[key] > state.best.get(key, -1.0)):
            export_weights(path, s.committed, BEST_DIR)
            state.best = dict(row)
            log(f"session {index}: best/ <- step {row['step']} ({key} {row[key]})")
        append_curve(s.committed, row)
        state.samples_seen, state.steps = row["samples_seen"], row["step"]
        state.sessions[-1]["steps"] = step
        state.write(s.committed)
        update_card(s.committed)
        log(f"session {index}: step {row['step']}, samples {row['samples_seen']}, {row}")

    train(config, log=log, hooks=TrainHooks(should_stop=should_stop, on_checkpoint=on_checkpoint))
    state.sessions[-1]["ended"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    state.write(s.committed)
    update_card(s.committed)
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
    parser.add_argument(
        "--gate",
        action="append",
        type=Path,
        default=[],
        help="another validation set pooled with --valset to choose best/ (repeatable), e.g. benchmarks/freecad_parts/white",
    )
    parser.add_argument(
        "--start-from",
        type=Path,
        default=None,
        help="a LLaVA folder to start from instead of model/ or best/ (e.g. a pretrain-vision --into transplant)",
    )
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
        tuple(args.gate),
        args.start_from,
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
