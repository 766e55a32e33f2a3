"""``--effort low|default|high`` reaches the pipeline's config from ``image2cad`` and ``eval``;
explicit options still win over the preset."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from core.cli.main import app
from core.pipeline import CadResult, PipelineConfig
from core.pipeline.config import EFFORT_PRESETS, with_effort


def test_presets_order_the_work() -> None:
    low, default, high = (with_effort(e) for e in ("low", "default", "high"))
    assert default == PipelineConfig()  # the workbench's settings are the dataclass defaults
    assert low.search_runs == 0 < default.search_runs <= high.search_runs
    assert low.grounded_top < default.grounded_top < high.grounded_top
    assert default.search_starts < high.search_starts and default.refine_budget < high.refine_budget
    assert default.search_seconds < high.search_seconds <= 30
    assert high.effort == "high" and with_effort("high", refine_top=1, grounded=None).refine_top == 1
    assert set(EFFORT_PRESETS) == {"low", "default", "high"}
    with pytest.raises(ValueError, match="effort"):
        with_effort("extreme")


@pytest.fixture
def seen_config(monkeypatch) -> list[PipelineConfig]:
    """Runs image2cad up to the pipeline, recording the config it was given."""
    import core.cli.image2cad_cmd as cmd
    import core.pipeline

    seen: list[PipelineConfig] = []

    class Recording:
        def __init__(self, backend, *, config, sandbox=None) -> None:
            seen.append(config)

        def run(self, image, *, on_event=None, cancel=None) -> CadResult:
            return CadResult("backend_error", message="recorded")

    monkeypatch.setattr(core.pipeline, "ImageToCad", Recording)
    monkeypatch.setattr(cmd, "backend_or_exit", lambda *args: object())
    return seen


def test_image2cad_passes_the_effort(seen_config, tmp_path: Path) -> None:
    png = tmp_path / "part.png"
    Image.new("RGB", (32, 32), "white").save(png)
    runner = CliRunner()
    runner.invoke(app, ["image2cad", str(png), "--effort", "high"])
    runner.invoke(app, ["image2cad", str(png), "--effort", "high", "--refine-top", "1"])
    runner.invoke(app, ["image2cad", str(png)])
    high, high_one, default = seen_config
    assert high == with_effort("high") and high.grounded_top == EFFORT_PRESETS["high"]["grounded_top"]
    assert high_one.refine_top == 1 and high_one.grounded_top == high.grounded_top
    assert default.effort == "default" and default.search_runs == PipelineConfig().search_runs
    bad = runner.invoke(app, ["image2cad", str(png), "--effort", "max"])
    assert bad.exit_code == 2 and len(seen_config) == 3


def test_eval_passes_the_effort(monkeypatch, tmp_path: Path) -> None:
    import core.cli.eval_cmd as cmd
    import training.evaluation.run as run
    from core.metrics.benchmark import BenchmarkError

    seen = []

    def evaluate(backend, settings, on_answer=None):
        seen.append(settings)
        raise BenchmarkError("recorded")

    monkeypatch.setattr(run, "evaluate", evaluate)
    monkeypatch.setattr(cmd, "_backend", lambda *args, **kwargs: object())
    result = CliRunner().invoke(app, ["eval", "--model", str(tmp_path), "--system", "--effort", "high"])
    assert result.exit_code == 2 and seen[0].effort == "high" and seen[0].refine_top is None
