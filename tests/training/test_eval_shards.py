"""Evaluation shards (issue 13, point 6): shards merged give the files of a single run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.metrics.benchmark import load_benchmark
from training.evaluation.run import EvalSettings, score_and_report
from training.evaluation.shards import ShardMergeError, merge_shards, shard_of
from training.synth.engine import DatagenConfig, generate_dataset
from training.synth.valset import write_valset

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evalshards")
    generate_dataset(
        root / "data",
        DatagenConfig(
            n=5, seed=21, workers=1, shard_size=5, image_size=64, builder="inprocess", verify_fraction=0
        ),
    )
    assert write_valset(root / "data", root / "bench") == 5
    return root / "bench"


def _answers(bench: Path) -> dict[int, str]:
    """Ground truth for most, a wrong part, a broken script, and one question left unanswered."""
    samples = load_benchmark(bench)
    texts = {s.question_id: s.ground_truth for s in samples}
    ids = [s.question_id for s in samples]
    texts[ids[1]] = "import cadquery as cq\nsolid = cq.Workplane().box(1, 0.5, 0.25)\n"
    texts[ids[2]] = "import cadquery as cq\nsolid = cq.Workplane().box(1, 0.5\n"
    del texts[ids[3]]
    return texts


def _write_answers(out: Path, answers: dict[int, str], ids: list[int]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {"question_id": q, "prompt": "p", "text": answers[q], "answer_id": str(q), "model_id": "m"}
        )
        for q in ids
        if q in answers
    ]
    (out / "answers.jsonl").write_text("".join(line + "\n" for line in lines))


def _settings(bench: Path, out: Path) -> EvalSettings:
    return EvalSettings(benchmark=bench, out=out, model_id="m", workers=1, gallery=False)


def test_two_shards_merge_to_the_single_run(bench: Path, tmp_path: Path) -> None:
    samples = load_benchmark(bench)
    answers = _answers(bench)
    ids = [s.question_id for s in samples]
    _write_answers(tmp_path / "single", answers, ids)
    single = score_and_report(samples, _settings(bench, tmp_path / "single"))
    assert single.n == 4 and single.missing == [ids[3]]
    assert single.vsr == pytest.approx(3 / 4)  # the broken script does not run
    shard_dirs = []
    for i in range(2):
        part = shard_of(samples, i, 2)
        assert [s.question_id for s in part] == ids[i::2]
        out = tmp_path / f"shard-{i}"
        _write_answers(out, answers, [s.question_id for s in part])
        score_and_report(part, _settings(bench, out))
        shard_dirs.append(out)
    merged = merge_shards(shard_dirs, samples, tmp_path / "merged", "m")
    assert merged.to_json() == single.to_json()
    for name in ("scores.json", "results.md", "samples.csv", "answers.jsonl"):
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / "single" / name).read_text(), name
    with pytest.raises(ShardMergeError, match="in no shard"):
        merge_shards(shard_dirs[:1], samples, tmp_path / "half", "m")
    with pytest.raises(ShardMergeError, match="two shards"):
        merge_shards([shard_dirs[0], shard_dirs[0], shard_dirs[1]], samples, tmp_path / "twice", "m")


def test_shard_index_must_be_in_range() -> None:
    with pytest.raises(ValueError):
        shard_of([], 2, 2)
