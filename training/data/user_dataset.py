"""The user's own examples ("Keep as training example"), stored in the training shard format.

A kept example is a picture and the final code after the user's edits: exactly what the trainer's
``shards`` source reads (``training/synth/shards.py``: ``KEY.py``, ``KEY.png``, ``KEY.json`` in a
tar, and a summary beside it). Each example is one shard of its own, so keeping one more is an
append that never rewrites what is there, an interrupted write leaves no half example (the shard
becomes visible by rename, its summary after it), and ``cadcoder train`` reads the folder with no
conversion. The same picture with the same code is kept once.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from training.synth.shards import (
    SampleFiles,
    ShardSummary,
    ShardWriter,
    completed_shards,
    read_manifest,
    shard_path,
    write_manifest,
)

MANIFEST = {"kind": "user_examples", "version": 1}
MAX_SIDE = 1024  # pictures are stored no larger: the models see a few hundred pixels


@dataclass(frozen=True)
class KeptExample:
    dataset: Path
    key: str
    shard: Path
    new: bool  # False: the same picture and code were already kept
    count: int  # examples in the dataset now


def keep_example(dataset: Path, picture: bytes, code: str, meta: dict | None = None) -> KeptExample:
    """Append ``picture`` (any format Pillow reads) and ``code`` to ``dataset``; ValueError for data
    that is not a picture, empty code, or a folder that holds another kind of dataset."""
    if not code.strip():
        raise ValueError("the code is empty")
    png = _png(picture)
    dataset.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(dataset)
    if manifest is None:
        write_manifest(dataset, MANIFEST)
    elif manifest.get("kind") != MANIFEST["kind"]:
        raise ValueError(f"{dataset} holds another dataset ({manifest}); choose an empty folder")
    code = code if code.endswith("\n") else code + "\n"
    digest = hashlib.sha256(png + b"\0" + code.encode()).hexdigest()
    summaries = completed_shards(dataset)
    for summary in summaries:
        if digest in summary.keys:
            key = f"{summary.first_candidate:09d}"
            return KeptExample(dataset, key, shard_path(dataset, summary.shard), False, len(summaries))
    index = len(summaries)
    key = f"{index:09d}"
    info = {"family": "user", "source": "user", "kept_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    info |= meta or {}
    writer = ShardWriter(dataset, index)
    try:
        writer.add(SampleFiles(key, {"py": code.encode(), "png": png, "json": json.dumps(info).encode()}))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    ShardSummary(index, 1, index, index + 1, keys=[digest]).write(dataset)
    return KeptExample(dataset, key, shard_path(dataset, index), True, index + 1)


def _png(picture: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(picture)) as opened:
            rgb = opened.convert("RGB")
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable picture ({exc})") from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    return buffer.getvalue()
