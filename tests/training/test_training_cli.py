"""The datagen/train/eval command functions (as ``python -m training`` registers them)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from training.__main__ import app

RECIPE = Path(__file__).resolve().parents[2] / "training" / "configs" / "tiny_cpu.yaml"


def test_datagen_writes_shards_and_reports_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["datagen", "--out", str(tmp_path), "--n", "2", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["samples"], report["shards"], report["new_samples"]) == (2, 1, 2)
    assert (tmp_path / "shard-00000.tar").is_file() and (tmp_path / "manifest.json").is_file()


def test_bad_arguments_fail_with_a_message(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})
    bad_style = runner.invoke(app, ["datagen", "--out", str(tmp_path), "--n", "2", "--style", "fancy"])
    assert bad_style.exit_code != 0 and "style" in bad_style.output
    bad_override = runner.invoke(app, ["train", str(RECIPE), "--override", "optim.learnin_rate=1"])
    assert bad_override.exit_code == 2 and "learnin_rate" in bad_override.output
    missing = runner.invoke(app, ["train", str(tmp_path / "nope.yaml")])
    assert missing.exit_code != 0 and "no such file" in missing.output
    both = runner.invoke(
        app, ["eval", "--model", str(tmp_path), "--endpoint", "http://x/v1", "--model-name", "m"]
    )
    assert both.exit_code != 0 and "exactly one" in both.output


def test_eval_redraws_pictures_for_a_local_model_unless_told_not_to(tmp_path: Path, monkeypatch) -> None:
    """``--no-redraw`` reaches the backend: a model trained on photos must see the photo itself."""
    import training.evaluation.run as run
    from core.metrics.benchmark import BenchmarkError

    seen: list[bool] = []

    def fake_evaluate(backend, settings, on_answer=None):
        seen.append(backend.redraw)
        raise BenchmarkError("stop here")

    monkeypatch.setattr(run, "evaluate", fake_evaluate)
    (tmp_path / "model").mkdir()
    for flags in ([], ["--no-redraw"]):
        args = ["eval", "--model", str(tmp_path / "model"), "--out", str(tmp_path), *flags]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
    assert seen == [True, False]
