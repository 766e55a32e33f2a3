"""``--model owner/name``: Hugging Face ids resolved through the real ``huggingface_hub`` cache code.

Tiny checkpoints are placed in a temporary Hub cache with the layout ``snapshot_download`` writes
(``models--owner--name/{blobs,snapshots/<commit>,refs/main}``, snapshot files linking to blobs), and
``HF_HUB_OFFLINE=1``: the resolution code that runs online runs here too, minus the transfer.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.models import hub
from core.models.base import BackendError
from core.models.hub import ModelId, parse_model_id, resolve_model_dir

pytestmark = pytest.mark.timeout(240)


def place_in_hub_cache(cache: Path, repo: str, folder: Path, commit: str) -> Path:
    """``folder``'s files as ``snapshot_download`` leaves them; returns the snapshot folder."""
    storage = cache / f"models--{repo.replace('/', '--')}"
    snapshot = storage / "snapshots" / commit
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        blob = storage / "blobs" / hashlib.sha256(data).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        link = snapshot / path.relative_to(folder)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (storage / "refs").mkdir(parents=True, exist_ok=True)
    (storage / "refs" / "main").write_text(commit)
    return snapshot


def commit_of(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty, offline Hub cache (environment for subprocesses, constants for this process),
    and our conversion cache beside it."""
    from huggingface_hub import constants

    cache = tmp_path / "hf" / "hub"
    cache.mkdir(parents=True)
    for name, value in {
        "HF_HOME": str(tmp_path / "hf"),
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_OFFLINE": "1",
        "CADCODER_CACHE_DIR": str(tmp_path / "cadcoder-cache"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    hub.forget_resolved()
    yield cache
    hub.forget_resolved()


@pytest.fixture(scope="module")
def original_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(tower, checkpoint): a tiny original-layout LLaVA whose mm_vision_tower is a Hub id."""
    from core.models.tiny import build_tiny_clip_tower, build_tiny_original_llava

    root = tmp_path_factory.mktemp("original")
    tower = build_tiny_clip_tower(root / "tower")
    checkpoint = build_tiny_original_llava(root / "llava", tower, shards=2)
    config = json.loads((checkpoint / "config.json").read_text())
    config["mm_vision_tower"] = "tiny/clip-tower"
    (checkpoint / "config.json").write_text(json.dumps(config, indent=2))
    return tower, checkpoint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CADCODER/CAD-Coder", ModelId("CADCODER/CAD-Coder")),
        ("CADCODER/CAD-Coder@main", ModelId("CADCODER/CAD-Coder", "main")),
        ("openai/clip-vit-large-patch14-336", ModelId("openai/clip-vit-large-patch14-336")),
        ("./models/cadcoder", None),
        ("/opt/models/cadcoder", None),
        ("~/models", None),
        ("runs/train/final/model", None),
        ("cad-coder", None),
        ("a/../b", None),
    ],
)
def test_what_counts_as_a_model_id(text: str, expected: ModelId | None) -> None:
    assert parse_model_id(text) == expected


def test_an_existing_folder_wins_over_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "owner" / "name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert parse_model_id("owner/name") is None
    assert resolve_model_dir("owner/name") == Path("owner/name")


def test_hf_layout_id_resolves_to_the_cached_snapshot_and_loads(hub_cache: Path, tiny_llava: Path) -> None:
    from core.models.loading import load_llava

    snapshot = place_in_hub_cache(hub_cache, "tiny/llava-hf", tiny_llava, commit_of("hf"))
    said: list[str] = []
    assert resolve_model_dir("tiny/llava-hf", log=said.append) == snapshot
    assert "tiny/llava-hf: not a folder here, so a Hugging Face model id" in said[0]
    assert resolve_model_dir("tiny/llava-hf", log=said.append) == snapshot and len(said) == 1  # once
    loaded = load_llava("tiny/llava-hf", device="cpu", dtype="float32")
    assert loaded.model.config.model_type == "llava"


def test_original_layout_is_converted_once_then_loaded(
    hub_cache: Path, original_checkpoint: tuple[Path, Path], tmp_path: Path
) -> None:
    from core.models.local import LocalLlavaBackend

    tower, checkpoint = original_checkpoint
    place_in_hub_cache(hub_cache, "tiny/clip-tower", tower, commit_of("tower"))
    place_in_hub_cache(hub_cache, "tiny/llava-original", checkpoint, commit_of("original"))
    said: list[str] = []
    dst = resolve_model_dir("tiny/llava-original", log=said.append)
    assert dst == tmp_path / "cadcoder-cache" / "converted" / f"tiny--llava-original@{commit_of('original')}"
    assert json.loads((dst / "config.json").read_text())["model_type"] == "llava"
    assert any("converting it once" in line for line in said)
    assert not list(dst.parent.glob("*.partial-*"))

    hub.forget_resolved()  # a new process: the converted folder is reused, not converted again
    again: list[str] = []
    assert resolve_model_dir("tiny/llava-original", log=again.append) == dst
    assert not any("converting" in line for line in again)
    backend = LocalLlavaBackend("tiny/llava-original", device="cpu", dtype="float32")
    assert backend.name == "local:llava-original"
    assert backend.load().model.config.text_config.vocab_size % 64 == 0


def test_offline_without_the_model_is_a_clear_error(hub_cache: Path) -> None:
    with pytest.raises(BackendError) as caught:
        resolve_model_dir("CADCODER/CAD-Coder", log=lambda _line: None)
    message = str(caught.value)
    assert "CADCODER/CAD-Coder is not a folder here and not in the Hugging Face cache" in message
    assert "HF_HUB_OFFLINE is set" in message and "hf download CADCODER/CAD-Coder" in message


def test_a_training_machine_tower_path_means_the_openai_clip(hub_cache: Path) -> None:
    with pytest.raises(BackendError, match="hf download openai/clip-vit-large-patch14-336"):
        hub.vision_tower_dir("/home/someone/clip-vit-large-patch14-336", log=lambda _line: None)


def picture(tmp_path: Path) -> Path:
    path = tmp_path / "part.png"
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 200, 200)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_cli_takes_a_model_id_offline(hub_cache: Path, tiny_llava: Path, tmp_path: Path) -> None:
    """The real process: environment only, as a user's shell (or the workbench) sets it."""
    place_in_hub_cache(hub_cache, "tiny/llava-hf", tiny_llava, commit_of("hf"))
    image = picture(tmp_path)
    base = [sys.executable, "-m", "core.cli.main", "image2cad", str(image), "--json", "--no-refine"]
    base += ["--max-new-tokens", "4", "--timeout", "5"]
    env = dict(os.environ)
    found = subprocess.run([*base, "--model", "tiny/llava-hf"], capture_output=True, text=True, env=env)
    payload = json.loads(found.stdout.splitlines()[-1])
    assert payload["status"] != "backend_error", payload  # random weights write no program; it loaded
    assert "tiny/llava-hf: not a folder here, so a Hugging Face model id" in found.stderr
    missing = subprocess.run(
        [*base, "--model", "CADCODER/CAD-Coder"], capture_output=True, text=True, env=env
    )
    payload = json.loads(missing.stdout.splitlines()[-1])
    assert missing.returncode == 1 and payload["status"] == "backend_error"
    assert "hf download CADCODER/CAD-Coder" in payload["message"] and "Traceback" not in missing.stderr


def test_the_workbench_passes_an_id_from_the_preferences_through() -> None:
    """Preferences > Model folder or id: a typed id reaches ``cadcoder image2cad/edit --model`` as is."""
    from CADCoderWorkbench.engine import backend_args
    from CADCoderWorkbench.settings import settings_from_parameters

    settings = settings_from_parameters({"Backend": 1, "ModelDir": " CADCODER/CAD-Coder "})
    assert settings.problem() is None
    assert backend_args(settings) == ["--model", "CADCODER/CAD-Coder"]
