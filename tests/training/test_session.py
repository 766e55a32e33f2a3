"""Training across sessions (issue 13, point 3): a session resumes from the committed weights."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from training.session import SessionSettings, read_curve, run_session
from training.synth.engine import DatagenConfig, generate_dataset

pytestmark = pytest.mark.timeout(600)

TINY = Path(__file__).resolve().parents[2] / "training" / "configs" / "tiny_cpu.yaml"


def _settings(tmp: Path, *extra: str) -> SessionSettings:
    return SessionSettings(
        config=TINY,
        committed=tmp / "committed",
        minutes=30,
        overrides=(
            f"data.sources.0.path={tmp / 'data'}",
            f"model.tokenizer.path={tmp / 'tok'}",
            f"output.dir={tmp / 'run'}",
            "output.save_steps=2",
            "output.progress=false",
            "output.tensorboard=false",
            "optim.max_steps=3",
            *extra,
        ),
    )


def _write_data(tmp: Path) -> None:
    generate_dataset(
        tmp / "data",
        DatagenConfig(
            n=16, seed=3, workers=1, shard_size=16, image_size=64, builder="inprocess", verify_fraction=0
        ),
    )


def test_second_session_starts_from_the_committed_weights(tmp_path: Path) -> None:
    _write_data(tmp_path)
    first = run_session(_settings(tmp_path), log=lambda _: None)
    assert first.sessions[0]["start"] == "scratch" and first.steps == 3 and first.samples_seen == 24
    weights = tmp_path / "committed" / "model" / "model.safetensors"
    after_first = load_file(str(weights))
    assert not (tmp_path / "committed" / "model" / "state").exists()  # no optimizer state committed

    # An earlier attempt at session 2, stopped before it committed anything, left a checkpoint with a
    # higher step number in the scratch run folder; pruning must not rank it above this run's own.
    stale = tmp_path / "run" / "session-002" / "checkpoints" / "step-00000140"
    stale.mkdir(parents=True)
    (stale / "config.json").write_text("{}")
    # A learning rate of ~0 keeps the weights where the session started: the committed ones.
    second = run_session(
        _settings(tmp_path, "optim.learning_rate=1e-12", "output.save_total_limit=1"), log=lambda _: None
    )
    assert not stale.exists()
    assert [s["start"] for s in second.sessions] == ["scratch", "pretrained"]
    assert second.steps == 6 and second.samples_seen == 48
    after_second = load_file(str(weights))
    assert after_second.keys() == after_first.keys()
    for name, tensor in after_first.items():
        assert torch.allclose(after_second[name], tensor, atol=1e-6), name
    rows = read_curve(tmp_path / "committed")
    assert [(r["session"], r["step"]) for r in rows] == [(1, 2), (1, 3), (2, 5), (2, 6)]
    card = (tmp_path / "committed" / "README.md").read_text()
    assert "| 2 |" in card and "| 48 |" in card


def _scripted_scores(monkeypatch: pytest.MonkeyPatch, ious: list[float]) -> dict[int, dict]:
    """Replace the (slow, benchmark-backed) synthetic evaluation by a scripted IoU sequence, and
    remember the weights each evaluated checkpoint had, to check what best/ holds."""
    seen: dict[int, dict] = {}
    queue = list(ious)

    def fake(model_dir: Path, valset: Path, out: Path, limit: int, max_new_tokens: int) -> dict:
        step = int(model_dir.name.split("-")[-1])
        seen[step] = load_file(str(model_dir / "model.safetensors"))
        iou = queue.pop(0)
        return {"vsr": 1.0, "iou_best": iou, "iou_all": iou}

    monkeypatch.setattr("training.session.synthetic_iou", fake)
    return seen


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_best_keeps_the_highest_synthetic_iou_and_the_next_session_resumes_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_data(tmp_path)
    committed = tmp_path / "committed"
    # Session 1: a checkpoint every step, each evaluated; the IoU peaks at step 2 and then collapses.
    seen = _scripted_scores(monkeypatch, [0.2, 0.5, 0.3, 0.1])
    s1 = _settings(tmp_path, "output.save_steps=1", "optim.max_steps=4")
    s1.valset, s1.eval_every = tmp_path / "valbench", 1
    first = run_session(s1, log=lambda _: None)
    assert sorted(seen) == [1, 2, 3, 4]
    assert first.best is not None and (first.best["step"], first.best["iou_all"]) == (2, 0.5)
    assert _same(load_file(str(committed / "best" / "model.safetensors")), seen[2])
    assert _same(load_file(str(committed / "model" / "model.safetensors")), seen[4])
    assert not _same(seen[2], seen[4])
    card = (committed / "README.md").read_text()
    assert "`best/` holds session 1's step 2 (16 samples seen" in card
    # Rewritten at every checkpoint, the card keeps one table and one best/ line between its markers.
    assert card.count("<!-- learning-curve:begin -->") == card.count("<!-- learning-curve:end -->") == 1
    assert card.count("<!-- best:begin -->") == card.count("`best/` holds") == 1
    assert sum(line.startswith("| 1 | ") for line in card.splitlines()) == 4  # one row per checkpoint

    # model/ (step 4, IoU 0.1) is worse than best/ (step 2, 0.5): session 2 starts from best/ and
    # counts its steps from best/'s. With a learning rate of ~0 its weights stay best/'s. Its
    # evaluations are scheduled every third checkpoint, but the last one (max_steps) is always scored.
    seen = _scripted_scores(monkeypatch, [0.4])
    s2 = _settings(tmp_path, "output.save_steps=2", "optim.max_steps=4", "optim.learning_rate=1e-12")
    s2.valset, s2.eval_every = tmp_path / "valbench", 3
    second = run_session(s2, log=lambda _: None)
    assert (second.sessions[1]["from"], second.sessions[1]["from_step"]) == ("best", 2)
    assert "optim.learning_rate=1e-12" in second.sessions[1]["overrides"]
    assert sorted(seen) == [4]  # the step-2 checkpoint was not due; the last one is evaluated
    rows = [r for r in read_curve(committed) if r["session"] == 2]
    assert [(r["step"], r["samples_seen"], r["iou_all"]) for r in rows] == [(4, 32, None), (6, 48, 0.4)]
    best_weights = load_file(str(committed / "best" / "model.safetensors"))
    assert _same(best_weights, load_file(str(committed / "model" / "model.safetensors")))
    assert second.best is not None and second.best["step"] == 2  # 0.4 < 0.5: best/ is unchanged
    assert second.steps == 6 and second.samples_seen == 48


def test_a_session_resumes_from_model_when_it_scored_at_least_as_well(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.session import SessionState, append_curve, start_point

    committed = tmp_path / "c"
    for name in ("model", "best"):
        (committed / name).mkdir(parents=True)
        (committed / name / "config.json").write_text("{}")
        (committed / name / "model.safetensors").write_bytes(b"")
    best = {"session": 1, "step": 200, "samples_seen": 3200, "iou_all": 0.3}
    state = SessionState(samples_seen=5376, steps=336, best=best)
    append_curve(committed, best)
    append_curve(committed, {"session": 1, "step": 336, "samples_seen": 5376, "iou_all": 0.3})
    assert start_point(committed, state).path == committed / "model"  # a tie: the newer weights
    append_curve(committed, {"session": 2, "step": 436, "samples_seen": 6976, "iou_all": None})
    state.steps, state.samples_seen = 436, 6976
    start = start_point(committed, state)  # model/ unevaluated: the validated best/ wins
    assert (start.path, start.steps, start.samples_seen) == (committed / "best", 200, 3200)


def test_a_gate_of_real_pictures_chooses_best_and_the_old_best_is_scored_on_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_data(tmp_path)
    synthetic, hand = tmp_path / "valbench", tmp_path / "freecad_parts" / "white"
    for folder, n in ((synthetic, 2), (hand, 6)):
        folder.mkdir(parents=True)
        (folder / "test100.jsonl").write_text("{}\n" * n)
    scripted = {synthetic: [0.5, 0.5, 0.2, 0.6], hand: [0.1, 0.3, 0.1]}
    calls: list[tuple[str, str]] = []

    def fake(model_dir: Path, valset: Path, out: Path, limit: int, max_new_tokens: int) -> dict:
        calls.append((model_dir.name, valset.name))
        iou = scripted[valset].pop(0)
        return {"vsr": 1.0, "iou_best": iou, "iou_all": iou}

    monkeypatch.setattr("training.session.synthetic_iou", fake)
    committed = tmp_path / "committed"
    # Session 1 has no gate: best/ is its only checkpoint (synthetic 0.5).
    s1 = _settings(tmp_path, "output.save_steps=1", "optim.max_steps=1")
    s1.valset, s1.eval_every = synthetic, 1
    first = run_session(s1, log=lambda _: None)
    assert first.best is not None and "gate" not in first.best

    # Session 2 pools 2 synthetic + 6 hand-modelled pictures. best/ is scored on that gate before
    # training (0.5 and 0.1: 0.2); step 2 pools 0.2 and 0.3 (0.275) and wins; step 3 has the highest
    # synthetic IoU (0.6) but pools to 0.225, so best/ stays at step 2.
    s2 = _settings(tmp_path, "output.save_steps=1", "optim.max_steps=2", "optim.learning_rate=1e-12")
    s2.valset, s2.eval_every, s2.gate = synthetic, 1, (hand,)
    second = run_session(s2, log=lambda _: None)
    assert calls[1:3] == [("best", "valbench"), ("best", "white")]
    rows = [r for r in read_curve(committed) if r["session"] == 2]
    assert [(r["step"], r["iou_all"], r["gate"]) for r in rows] == [(2, 0.2, 0.275), (3, 0.6, 0.225)]
    assert second.best is not None and (second.best["step"], second.best["gate"]) == (2, 0.275)
    assert all(not v for v in scripted.values())
    card = (committed / "README.md").read_text()
    assert "gate (pooled)" in card and "| 0.275 |" in card and "pooled gate 0.275" in card


def test_start_from_trains_given_weights_and_keeps_the_lineage(tmp_path: Path) -> None:
    """--start-from (e.g. best/ with a re-pretrained tower) trains those weights as a committed
    session; steps continue the committed lineage, and a missing folder fails before any work."""
    _write_data(tmp_path)
    run_session(_settings(tmp_path), log=lambda _: None)
    given = tmp_path / "given"
    shutil.copytree(tmp_path / "committed" / "model", given)
    weights = load_file(str(given / "model.safetensors"))
    name = next(k for k in weights if "vision_tower" in k and weights[k].dtype.is_floating_point)
    weights[name] = weights[name] + 1.0  # a different tower than the committed one
    save_file(weights, str(given / "model.safetensors"), metadata={"format": "pt"})

    with pytest.raises(FileNotFoundError, match="--start-from"):
        run_session(replace(_settings(tmp_path), start_from=tmp_path / "absent"), log=lambda _: None)
    state = run_session(
        replace(_settings(tmp_path, "optim.learning_rate=1e-12"), start_from=given), log=lambda _: None
    )
    assert state.sessions[-1]["from"] == str(given) and state.sessions[-1]["from_step"] == 3
    assert state.steps == 6
    after = load_file(str(tmp_path / "committed" / "model" / "model.safetensors"))
    assert torch.allclose(after[name], weights[name], atol=1e-6)  # trained from the given weights
