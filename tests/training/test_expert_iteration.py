"""Expert iteration (issue 13, point 4): best-of-N programs by IoU against the sample's own geometry,
written as shards that the training data sources read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.data.synthetic import ShardSource
from training.expert_iteration import (
    ExpertSettings,
    run_expert_iteration,
    sandbox_runner,
    source_pictures,
)
from training.synth.engine import DatagenConfig, generate_dataset
from training.synth.shards import completed_shards, iter_shard, shard_path

pytestmark = pytest.mark.timeout(600)

TINY = Path(__file__).resolve().parents[2] / "training" / "configs" / "tiny_cpu.yaml"
# A part unlike any generated one: a long thin rod (its IoU with a generated part is low).
ROD = 'import cadquery as cq\n\nsolid = cq.Workplane("XY").box(100, 2, 2)\n'


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("src")
    generate_dataset(
        out,
        DatagenConfig(
            n=4,
            seed=5,
            workers=1,
            shard_size=4,
            image_size=64,
            builder="inprocess",
            verify_fraction=0,
            augment=1.0,
        ),
    )
    return out


class ScriptedBackend:
    """Stands in for the model: per picture, the replies a test scripts (keyed by the picture bytes)."""

    name = "scripted"
    supports_chat = False

    def __init__(self, replies: dict[bytes, list[str]]) -> None:
        self.replies = replies
        self.configs: list = []

    def generate(self, request, *, on_token=None, cancel=None) -> list[str]:
        self.configs.append(request.config)
        return self.replies[request.messages[-1].images[0].data]


def test_the_best_program_by_iou_is_kept_when_above_the_threshold(source: Path, tmp_path: Path) -> None:
    samples = list(source_pictures(source))
    truths = [s.files["py"].decode() for s in samples]
    # Picture 0: broken code, the rod and the true program -> the true one (IoU ~1), not the first.
    # Picture 1: only the rod -> below the threshold, nothing kept. Pictures 2, 3: the truth.
    script = {
        samples[0].files["png"]: ["solid = (", ROD, truths[0]],
        samples[1].files["png"]: [ROD, ROD],
        samples[2].files["png"]: [truths[2]],
        samples[3].files["png"]: [truths[3], "x = 1"],
    }
    settings = ExpertSettings(
        model=tmp_path / "unused", shards=source, out=tmp_path / "expert", n=3, shard_size=2
    )
    backend = ScriptedBackend(script)
    lines: list[str] = []
    report = run_expert_iteration(settings, backend, sandbox_runner(30), lines.append)
    assert (report.pictures, report.kept, report.replies) == (4, 3, 8)
    assert all(c.n == 3 and c.temperature == 0.7 for c in backend.configs)
    assert "picture 1: best IoU" in lines[1] and "(1/2 solids)" in lines[1]  # the rod, run once
    kept = [
        s
        for summary in completed_shards(settings.out)
        for s in iter_shard(shard_path(settings.out, summary.shard))
    ]
    assert [s.key for s in kept] == [samples[i].key for i in (0, 2, 3)]
    for sample, i in zip(kept, (0, 2, 3), strict=True):
        meta = json.loads(sample.files["json"])
        assert sample.files["py"].decode().strip() == truths[i].strip()
        assert meta["same_as_truth"] and meta["iou"] > 0.99 and meta["source_key"] == samples[i].key
        assert sample.files["png"] == samples[i].files["png"]
        assert sample.files["aug.png"] == samples[i].files["aug.png"]
    # Two whole shards (2 + 1 kept), summaries counting source positions for the resume.
    summaries = completed_shards(settings.out)
    assert [(x.samples, x.first_candidate, x.next_candidate) for x in summaries] == [(2, 0, 3), (1, 3, 4)]
    # The training data sources read them: each kept picture and its augmented view.
    assert len(ShardSource(settings.out, "q", use_augmented=True)) == 6

    # A rerun resumes after the last whole shard: nothing left to visit.
    again = run_expert_iteration(settings, backend, sandbox_runner(30), lambda _: None)
    assert again.pictures == 0 and len(completed_shards(settings.out)) == 2
    with pytest.raises(ValueError, match="other settings"):
        run_expert_iteration(
            ExpertSettings(tmp_path / "unused", source, settings.out, n=4), backend, sandbox_runner(30)
        )


def test_a_tiny_model_samples_n_programs_per_picture(source: Path, tmp_path: Path) -> None:
    from training.config import load_config
    from training.trainer import train

    config = load_config(
        TINY,
        (
            f"data.sources.0.path={source}",
            f"model.tokenizer.path={tmp_path / 'tok'}",
            f"output.dir={tmp_path / 'run'}",
            "optim.max_steps=1",
            "output.progress=false",
            "output.tensorboard=false",
        ),
    )
    model = train(config, log=lambda _: None).final_dir
    settings = ExpertSettings(
        model=model, shards=source, out=tmp_path / "expert", n=2, limit=2, max_new_tokens=48, threshold=0.0
    )
    report = run_expert_iteration(settings, log=lambda _: None)
    # One training step writes no solid; the point is the real path: model sampling, sandbox, scoring.
    assert (report.pictures, report.replies) == (2, 4)
    assert report.kept == sum(s.samples for s in completed_shards(settings.out))
    assert json.loads((settings.out / "manifest.json").read_text())["n"] == 2
