"""Hugging Face model ids where a model folder is expected: ``--model CADCODER/CAD-Coder``.

Users coming from transformers type the paper's model id, not a folder. An id (``owner/name``,
optionally ``@revision``) that is not a folder here is fetched with ``huggingface_hub`` into its
usual cache (``$HF_HUB_CACHE``, progress bars on stderr; already-cached files are not fetched
again, and ``HF_HUB_OFFLINE=1`` uses the cache alone). The CAD-Coder release is in the original
LLaVA layout, which transformers does not load: such a snapshot is converted once
(:mod:`core.models.convert_llava`, its CLIP tower fetched the same way) into
``<cadcoder cache>/converted/<owner>--<name>@<commit>`` and that folder is what gets loaded.

Every failure is a :class:`BackendError` that names the id and says how to get the weights, because
the usual cause is simply being offline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.models.base import BackendError
from core.paths import cache_dir

# owner/name as the Hub spells them, with an optional @revision (branch, tag or commit).
_REPO_ID = re.compile(
    r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})(?:@(?P<revision>[\w./-]+))?$"
)
# Other frameworks' copies of the weights, which a PyTorch checkpoint does not need (CLIP ships three).
IGNORED_FILES = ["*.msgpack", "*.h5", "*.onnx", "*.ot", "*.tflite", "coreml/*", "onnx/*", "openvino/*"]
# The CLIP tower the original LLaVA-1.5 (and CAD-Coder) config names, when it names it by a path of
# the training machine.
DEFAULT_CLIP_OWNER = "openai"

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ModelId:
    repo: str  # owner/name
    revision: str | None = None  # None = the default branch

    def __str__(self) -> str:
        return self.repo + (f"@{self.revision}" if self.revision else "")


_RESOLVED: dict[ModelId, Path] = {}
_RESOLVED_LOCK = threading.Lock()


def parse_model_id(model: str | Path) -> ModelId | None:
    """The Hub id ``model`` names, or None when it is a folder here or cannot be an id (an absolute
    or ./-relative path, more than one slash). A folder that exists always wins over an id."""
    text = str(model).strip()
    if not text or Path(text).expanduser().exists() or text.startswith((".", "/", "~")):
        return None
    match = _REPO_ID.match(text)
    if match is None or ".." in match.group("repo"):
        return None
    return ModelId(match.group("repo"), match.group("revision"))


def resolve_model_dir(model: str | Path, *, log: Log = _stderr) -> Path:
    """The folder to load for ``model``: itself when it is a folder (or not an id), else the Hub
    snapshot, converted once to the Hugging Face layout when it is an original LLaVA checkpoint.
    An id is resolved once per process (backends load on every request; the Hub is asked once)."""
    model_id = parse_model_id(model)
    if model_id is None:
        return Path(model).expanduser()
    with _RESOLVED_LOCK:
        if model_id not in _RESOLVED:
            _RESOLVED[model_id] = _resolve(model_id, log)
        return _RESOLVED[model_id]


def forget_resolved() -> None:
    """Resolve ids again on next use (tests; a process that changed HF_HUB_CACHE)."""
    with _RESOLVED_LOCK:
        _RESOLVED.clear()


def _resolve(model_id: ModelId, log: Log) -> Path:
    snapshot = download(model_id, log=log)
    config_path = snapshot / "config.json"
    if not config_path.is_file():
        raise BackendError(
            f"{model_id} on the Hugging Face Hub has no config.json: it is not a model checkpoint"
        )
    from core.models.convert_llava import is_original_layout

    config = json.loads(config_path.read_text())
    if not is_original_layout(config):
        return snapshot
    return converted(model_id, snapshot, config, log=log)


def download(model_id: ModelId, *, log: Log = _stderr) -> Path:
    """The snapshot folder of ``model_id`` in the Hugging Face cache, fetched when missing."""
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        IncompleteSnapshotError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    offline = bool(constants.HF_HUB_OFFLINE)
    log(
        f"{model_id}: not a folder here, so a Hugging Face model id; "
        + ("looking in the cache" if offline else "fetching it (once)")
        + f" in {constants.HF_HUB_CACHE}"
    )
    try:
        folder = snapshot_download(model_id.repo, revision=model_id.revision, ignore_patterns=IGNORED_FILES)
    except (LocalEntryNotFoundError, IncompleteSnapshotError) as exc:
        raise BackendError(offline_message(model_id, offline, constants.HF_HUB_CACHE)) from exc
    except GatedRepoError as exc:
        raise BackendError(
            f"{model_id} is gated on the Hugging Face Hub: accept its terms on "
            f"https://huggingface.co/{model_id.repo}, then log in with `hf auth login` (or set HF_TOKEN)"
        ) from exc
    except RevisionNotFoundError as exc:
        raise BackendError(f"{model_id}: the Hub has no revision {model_id.revision!r}") from exc
    except RepositoryNotFoundError as exc:
        raise BackendError(
            f"{model_id} is neither a folder here nor a model on the Hugging Face Hub "
            "(a private one needs `hf auth login`); pass --model with a checkpoint folder"
        ) from exc
    except (HfHubHTTPError, OSError) as exc:
        raise BackendError(f"cannot fetch {model_id} from the Hugging Face Hub: {exc}") from exc
    return Path(folder)


def offline_message(model_id: ModelId, offline: bool, hub_cache: str | Path) -> str:
    why = "HF_HUB_OFFLINE is set" if offline else "the Hub cannot be reached"
    return (
        f"{model_id} is not a folder here and not in the Hugging Face cache ({hub_cache}), and {why}. "
        f"On a machine with internet access run `hf download {model_id.repo}"
        + (f" --revision {model_id.revision}" if model_id.revision else "")
        + "` (or this command once), then copy the cache (HF_HUB_CACHE) here; "
        "or pass --model with the folder of a downloaded checkpoint."
    )


def converted_dir(model_id: ModelId, snapshot: Path) -> Path:
    """Where the Hugging Face layout of an original-layout snapshot is kept (one per commit)."""
    return cache_dir() / "converted" / f"{model_id.repo.replace('/', '--')}@{snapshot.name}"


def converted(model_id: ModelId, snapshot: Path, config: dict, *, log: Log = _stderr) -> Path:
    """The converted folder, converting now on first use. Conversion writes into a temporary
    sibling that is renamed at the end, so an interrupted run never leaves a half folder behind."""
    from core.models.convert_llava import ConversionError, convert_llava

    dst = converted_dir(model_id, snapshot)
    if (dst / "config.json").is_file():
        return dst
    tower = vision_tower_dir(str(config.get("mm_vision_tower") or ""), log=log)
    partial = dst.with_name(f"{dst.name}.partial-{os.getpid()}")
    log(f"{model_id} is an original LLaVA checkpoint: converting it once into {dst}")
    try:
        convert_llava(snapshot, partial, tower, overwrite=True, log=log)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            partial.rename(dst)
        except OSError:
            if not (dst / "config.json").is_file():  # another process converted it meanwhile
                raise
    except (ConversionError, OSError) as exc:
        raise BackendError(f"cannot convert {model_id} ({snapshot}) for transformers: {exc}") from exc
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return dst


def vision_tower_dir(name: str, *, log: Log = _stderr) -> Path:
    """The CLIP folder an original checkpoint's ``mm_vision_tower`` names: a folder here, a Hub id,
    or the training machine's path of ``openai/<basename>`` (as LLaVA-1.5's own configs are)."""
    if name and Path(name).expanduser().is_dir():
        return Path(name).expanduser()
    tower_id = parse_model_id(name)
    if tower_id is None and Path(name).name.startswith("clip-vit"):
        tower_id = ModelId(f"{DEFAULT_CLIP_OWNER}/{Path(name).name}")
    if tower_id is None:
        raise BackendError(f"the checkpoint's vision tower {name!r} is neither a folder here nor a Hub id")
    return download(tower_id, log=log)
