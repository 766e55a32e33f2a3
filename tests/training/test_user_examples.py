"""Keeping the user's parts as training examples, and the fine-tuning recipe that reads them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.user_paths import user_examples_dir, user_model_dir
from training.config import ConfigError, DataConfig, SourceConfig, load_config
from training.data.dataset import open_sources
from training.data.user_dataset import keep_example

ROOT = Path(__file__).resolve().parents[2]
PARTS = ROOT / "tests" / "data" / "user_parts"
CODE = "import cadquery as cq\nsolid = cq.Workplane('XY').box(40, 20, 5)\n"


def _png(colour: str = "grey", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")  # any format in, PNG stored
    return buffer.getvalue()


def test_kept_examples_are_shards_the_trainer_reads(tmp_path: Path) -> None:
    first = keep_example(tmp_path, _png(), CODE, {"image": "a.jpg"})
    second = keep_example(tmp_path, _png("red", (3000, 1000)), CODE)
    again = keep_example(tmp_path, _png(), CODE)
    assert (first.new, second.new, again.new) == (True, True, False)
    assert again.key == first.key and again.count == 2
    assert json.loads((tmp_path / "manifest.json").read_text())["kind"] == "user_examples"
    data = DataConfig(sources=[SourceConfig(kind="shards", path=str(tmp_path), repeat=3)])
    source, reports = open_sources(data)
    assert len(source) == 6 and reports[0].kept == 6  # two examples, repeated 3 times
    example = source[1]
    assert example.turns[0].answer == CODE
    assert max(example.image.open().size) == 1024  # large pictures are stored shrunk


def test_a_kept_snapshot_is_trained_on_as_the_model_sees_it_at_inference(tmp_path: Path) -> None:
    """The local backend shows a FreeCAD snapshot redrawn in the training look; a fine-tune on the
    kept snapshot must see that same picture, or it learns a picture the model is never shown."""
    import cadquery as cq
    import numpy as np

    from core.models.base import ImageInput
    from core.models.images import decode_image, prepare_image
    from core.render import STYLE_FREECAD, Camera, render_shape
    from core.render.model_view import model_view

    snapshot = render_shape(cq.Workplane("XY").box(3, 2, 1), camera=Camera(), style=STYLE_FREECAD)
    buffer = io.BytesIO()
    snapshot.save(buffer, format="PNG")
    keep_example(tmp_path, buffer.getvalue(), CODE)
    shown = {}
    for redraw in (False, True):
        source, _ = open_sources(
            DataConfig(sources=[SourceConfig(kind="shards", path=str(tmp_path), redraw=redraw)])
        )
        shown[redraw] = np.asarray(source[0].image.open())
    at_inference = prepare_image(ImageInput(buffer.getvalue()), (0.5, 0.5, 0.5))  # square: no padding
    assert np.array_equal(shown[True], np.asarray(at_inference))
    assert np.array_equal(shown[True], np.asarray(model_view(decode_image(ImageInput(buffer.getvalue())))))
    assert np.array_equal(shown[False], np.asarray(snapshot.convert("RGB")))
    assert not np.array_equal(shown[False], shown[True])


def test_a_folder_of_another_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 0, "style": "concise"}))
    with pytest.raises(ValueError, match="another dataset"):
        keep_example(tmp_path, _png(), CODE)
    with pytest.raises(ValueError, match="not a readable picture"):
        keep_example(tmp_path / "new", b"nope", CODE)


def test_the_fine_tuning_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CADCODER_USER_DATA", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    config = load_config(ROOT / "training/configs/finetune_user.yaml")
    assert config.model.init == "pretrained" and config.model.path == "resources/models/cadcoder-mini"
    assert config.optim.learning_rate <= 2e-4  # well below the shipped run's 1.5e-3
    assert "vision" not in config.optim.trainable
    user, replay = config.data.sources
    assert user.path == str(tmp_path / ".local/share/cadcoder/examples") and user.repeat > 1
    assert user.redraw and not replay.redraw  # the user's snapshots as inference shows them
    assert replay.path == "runs/replay/data"
    assert config.output.dir == str(tmp_path / ".local/share/cadcoder/models/cadcoder-mini-user")
    # A moved user folder moves the recipe's folders with it: the workbench and training meet there.
    monkeypatch.setenv("CADCODER_USER_DATA", str(tmp_path / "elsewhere"))
    followed = load_config(ROOT / "training/configs/finetune_user.yaml")
    assert followed.data.sources[0].path == str(user_examples_dir())
    assert (
        followed.output.dir == str(user_model_dir()) == str(tmp_path / "elsewhere/models/cadcoder-mini-user")
    )
    moved = load_config(
        ROOT / "training/configs/finetune_user.yaml",
        ["data.sources.0.path=/data/mine", "data.sources.1.repeat=2"],
    )
    assert moved.data.sources[0].path == "/data/mine" and moved.data.sources[1].repeat == 2
    with pytest.raises(ConfigError, match="never overwritten"):
        load_config(
            ROOT / "training/configs/finetune_user.yaml", ["output.dir=resources/models/cadcoder-mini"]
        )
    with pytest.raises(ConfigError, match="not an index"):
        load_config(ROOT / "training/configs/finetune_user.yaml", ["data.sources.5.path=x"])


def test_keep_example_cli_runs_the_code_first(tmp_path: Path) -> None:
    picture = tmp_path / "part.png"
    picture.write_bytes(_png())
    good, bad = tmp_path / "part.py", tmp_path / "bad.py"
    good.write_text((PARTS / "u_channel.py").read_text())
    bad.write_text("import cadquery as cq\nsolid = cq.Workplane().box(1, 1, 0)\n")
    cli = [sys.executable, "-m", "core.cli.main", "keep-example"]
    dataset = tmp_path / "examples"
    out = subprocess.run([*cli, str(picture), str(good), "--dataset", str(dataset), "--json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) | {"dataset": ""} == {
        "status": "ok", "dataset": "", "key": "000000000", "shard": str(dataset / "shard-00000.tar"), "new": True, "count": 1,
    }  # fmt: skip
    refused = subprocess.run([*cli, str(picture), str(bad), "--dataset", str(dataset)],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 1 and "valid solid" in refused.stderr
    assert len(list(dataset.glob("shard-*.tar"))) == 1
