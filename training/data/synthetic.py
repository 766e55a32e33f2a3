"""The data engine's shards as training examples, read in place from the tar files.

Opening indexes member offsets (tar headers only, plus the small code files), so an image is read
with one seek when its example is batched: the shards are never unpacked. Each benchmark-style
render is an example; with ``use_augmented`` each augmented render is one more, with the same code.
"""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from pathlib import Path

from training.data.records import Example, ImageRef, LoadReport, Turn
from training.synth.shards import completed_shards, shard_path


class ShardSource:
    def __init__(self, folder: str | Path, question: str, use_augmented: bool = True) -> None:
        folder = Path(folder)
        summaries = completed_shards(folder)
        if not summaries:
            raise FileNotFoundError(
                f"{folder}: no complete shards (run `cadcoder datagen --out {folder}` first)"
            )
        self.examples: list[Example] = []
        dropped: Counter[str] = Counter()
        for summary in summaries:
            path = shard_path(folder, summary.shard)
            for key, members in _index(path).items():
                code = members.get("py")
                if code is None or "png" not in members:
                    dropped["incomplete"] += 1
                    continue
                turns = (Turn(question, code),)
                extents = members.get("extents")
                self.examples.append(Example(key, members["png"], turns, extents))
                if use_augmented and "aug.png" in members:
                    self.examples.append(Example(f"{key}.aug", members["aug.png"], turns, extents))
        self.report = LoadReport(str(folder), len(self.examples), dict(dropped))

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> Example:
        return self.examples[index]

    def conversation(self, index: int) -> tuple[Turn, ...]:
        return self.examples[index].turns


def _index(path: Path) -> dict[str, dict]:
    """key -> {"py": code text, "png": ImageRef, "aug.png": ImageRef, "extents": (dx, dy, dz)} for one shard."""
    out: dict[str, dict] = {}
    with tarfile.open(path, "r") as tar:
        for member in tar:
            if not member.isfile():
                continue
            key, _, ext = member.name.partition(".")
            entry = out.setdefault(key, {})
            if ext == "py":
                fh = tar.extractfile(member)
                entry["py"] = fh.read().decode("utf-8") if fh is not None else ""
            elif ext in ("png", "aug.png"):
                entry[ext] = ImageRef(str(path), member.offset_data, member.size)
            elif ext == "json":
                fh = tar.extractfile(member)
                extents = _extents(json.loads(fh.read())) if fh is not None else None
                if extents is not None:
                    entry["extents"] = extents
    return out


def _extents(meta: dict) -> tuple[float, float, float] | None:
    """The bounding box's size per axis from a sample's metadata (``bbox``: min xyz, max xyz)."""
    box = meta.get("bbox")
    if not isinstance(box, list) or len(box) != 6:
        return None
    dx, dy, dz = (float(box[i + 3]) - float(box[i]) for i in range(3))
    return (dx, dy, dz)
