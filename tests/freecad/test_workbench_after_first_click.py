"""Issue 14's workbench logic that needs no FreeCAD, in plain pytest: the size field and the
fine-tuned preference as engine arguments, the size report as a sentence, and keeping an example
through the engine's real ``keep-example`` (the GUI cases in tests/gui do the same from the panel)."""

from __future__ import annotations

import json

import pytest

from CADCoderWorkbench import engine
from CADCoderWorkbench.image_job import CHOICES, image2cad_args, size_details, size_summary
from CADCoderWorkbench.keep_job import KeepError, keep_example
from CADCoderWorkbench.settings import (
    SIZE_AXES,
    Settings,
    finetuned_model_dir,
    parse_mm,
    settings_from_parameters,
    size_spec,
)
from core.program.real_size import AXES, parse_size
from training.data.user_dataset import completed_shards
from training.synth.shards import iter_shard, shard_path

BOX = "import cadquery as cq\nlength = 24.0\nsolid = cq.Workplane().box(length, 10, 4)\n"


def test_the_size_field_speaks_the_engines_size_grammar() -> None:
    assert set(SIZE_AXES) == set(AXES)
    for axis in SIZE_AXES:
        spec = parse_size(size_spec(axis, 62.5))
        assert (spec.axis, spec.mm) == (axis, 62.5)
    assert size_spec("x", 0.0) == ""
    assert [parse_mm(t) for t in ("", " 60 ", "12,5", "8 mm", "-3", "0", "abc", "inf")] == [
        0.0, 60.0, 12.5, 8.0, None, None, None, None,
    ]  # fmt: skip
    defaults = settings_from_parameters({"SizeAxis": 3, "SizeMm": "40"})
    assert (defaults.size_axis, defaults.size_mm) == ("z", 40.0)
    assert settings_from_parameters({"SizeMm": "wide", "SizeAxis": 9}).size_mm == 0.0
    assert settings_from_parameters({"SizeAxis": 9}).size_axis == "z"


def test_a_run_asks_the_engine_for_size_overlay_and_choices(tmp_path) -> None:
    args = image2cad_args("/p.png", Settings(), size="x=60", out_dir=str(tmp_path))
    assert args[args.index("--size") + 1] == "x=60"
    assert args[args.index("--overlay") + 1] == str(tmp_path / "overlay.png")
    assert args[args.index("--out-dir") + 1] == str(tmp_path)
    assert args[args.index("--choices") + 1] == str(CHOICES) and 3 <= CHOICES <= 4
    assert "--size" not in image2cad_args("/p.png", Settings())


def test_the_fine_tuned_preference_picks_the_users_copy_or_says_it_is_missing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CADCODER_USER_DATA", str(tmp_path))
    final = tmp_path / "models" / "cadcoder-mini-user" / "final"
    assert finetuned_model_dir() == final
    settings = settings_from_parameters({"UseFineTuned": True})
    problem = settings.problem()
    assert (
        problem and str(final) in problem and "cadcoder train training/configs/finetune_user.yaml" in problem
    )
    final.mkdir(parents=True)
    (final / "config.json").write_text("{}")
    assert settings.problem() is None
    assert engine.backend_args(settings) == ["--model", str(final)]
    assert "fine-tuned" in settings.describe()
    assert engine.backend_args(Settings()) == []  # the shipped model: no --model
    remote = Settings(backend="remote", endpoint="http://h/v1", use_finetuned=True)
    assert "--model" not in engine.backend_args(remote) and remote.problem() is None


def test_the_size_report_reads_as_one_sentence() -> None:
    report = {
        "status": "ok",
        "spec": "longest=60",
        "bbox_mm": [60.0, 42.0, 6.0],
        "snap_tolerance": 0.005,
        "match_before_snap": 0.9,
        "snapped": [{"name": "hole_diameter", "before": 6.31, "after": 6.6, "rule": "iso_clearance"}],
        "rejected": [{"name": "width", "before": 41.7, "after": 42.0, "rule": "grid_0.5"}],
    }
    text = size_summary(report)
    assert text.startswith("Sized to longest=60 mm: 60 x 42 x 6 mm. Snapped hole_diameter 6.31 -> 6.6.")
    assert text.endswith(
        "1 value kept: a snap would change the match by more than 0.5 points or move the size you gave."
    )
    assert size_details(report).splitlines() == [
        "snapped hole_diameter 6.31 -> 6.6 (iso_clearance)",
        "kept width 41.7 (not 42)",
    ]
    many = dict(report, snapped=[dict(report["snapped"][0], name=f"d{i}") for i in range(5)])
    assert "Snapped d0 6.31 -> 6.6, d1 6.31 -> 6.6, d2 6.31 -> 6.6 and 2 more." in size_summary(many)
    failed = size_summary({"status": "failed", "spec": "z=5", "message": "the part has no extent along z"})
    assert failed == "Not sized (z=5): the part has no extent along z."
    assert size_summary(None) == ""


def test_keeping_an_example_goes_through_the_engines_keep_example(tmp_path, monkeypatch) -> None:
    """The real ``cadcoder keep-example`` (sandbox check, then the shard) into $CADCODER_USER_DATA."""
    from PIL import Image

    monkeypatch.setenv("CADCODER_USER_DATA", str(tmp_path / "user"))
    picture = tmp_path / "part.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(picture)
    kept = keep_example(str(picture), BOX, Settings())
    dataset = tmp_path / "user" / "examples"
    assert (kept.dataset, kept.new, kept.count) == (str(dataset), True, 1)
    (summary,) = completed_shards(dataset)
    (sample,) = list(iter_shard(shard_path(dataset, summary.shard)))
    assert sample.files["py"].decode() == BOX
    assert json.loads(sample.files["json"])["volume"] == pytest.approx(24 * 10 * 4)
    again = keep_example(str(picture), BOX, Settings())
    assert (again.new, again.count) == (False, 1)
    with pytest.raises(KeepError, match="valid solid"):
        keep_example(str(picture), "import cadquery as cq\nsolid = cq.Workplane().box(1, 1, r)\n", Settings())
    with pytest.raises(KeepError, match="no source picture"):
        keep_example("", BOX, Settings())
