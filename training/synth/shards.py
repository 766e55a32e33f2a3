"""The synthetic dataset on disk: WebDataset-style tar shards plus a JSON summary per shard.

Layout of an output folder::

    manifest.json          the run's settings (seed, style, augment, sampler); a resume must match it
    shard-00000.tar        samples 0..S-1: KEY.py (code), KEY.png (benchmark-style render),
                           KEY.aug.png (augmented render, some samples), KEY.json (metadata)
    shard-00000.json       its summary: sample count, candidate range, dedup keys, rejection counts

A shard is written as ``shard-NNNNN.tar.partial`` and renamed when complete, and its summary is
written after the rename, so a folder only ever holds whole shards: an interrupted run resumes
after the last summary. Plain tar keeps the data readable by ``tarfile``, WebDataset and ``tar x``.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def shard_path(out: Path, index: int) -> Path:
    return out / f"shard-{index:05d}.tar"


def summary_path(out: Path, index: int) -> Path:
    return out / f"shard-{index:05d}.json"


@dataclass
class ShardSummary:
    shard: int
    samples: int
    first_candidate: int
    next_candidate: int  # where the next shard's candidates start
    keys: list[str] = field(default_factory=list)  # dedup keys of the accepted samples
    rejected: dict[str, int] = field(default_factory=dict)
    augmented: int = 0

    def write(self, out: Path) -> None:
        _atomic_write(summary_path(out, self.shard), json.dumps(asdict(self)).encode())

    @classmethod
    def read(cls, path: Path) -> ShardSummary:
        return cls(**json.loads(path.read_text()))


@dataclass(frozen=True)
class SampleFiles:
    """One sample's members: ``{"py": b"...", "png": b"...", "aug.png": b"...", "json": b"..."}``."""

    key: str
    files: dict[str, bytes]


class ShardWriter:
    """Writes one shard; :meth:`close` makes it visible under its final name."""

    def __init__(self, out: Path, index: int) -> None:
        self.final = shard_path(out, index)
        self.partial = self.final.with_name(self.final.name + ".partial")
        self._tar = tarfile.open(self.partial, "w")  # noqa: SIM115 - released by close() or abort()
        self.count = 0

    def add(self, sample: SampleFiles) -> None:
        for ext, data in sample.files.items():
            info = tarfile.TarInfo(f"{sample.key}.{ext}")
            info.size = len(data)
            info.mtime = 0  # reproducible bytes for the same seed
            self._tar.addfile(info, io.BytesIO(data))
        self.count += 1

    def close(self) -> None:
        self._tar.close()
        os.replace(self.partial, self.final)

    def abort(self) -> None:
        self._tar.close()
        self.partial.unlink(missing_ok=True)


def completed_shards(out: Path) -> list[ShardSummary]:
    """Summaries of the whole shards, in order; stops at the first gap (later ones are redone)."""
    summaries = []
    index = 0
    while summary_path(out, index).is_file() and shard_path(out, index).is_file():
        summaries.append(ShardSummary.read(summary_path(out, index)))
        index += 1
    return summaries


def read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    _atomic_write(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())


def iter_shard(path: Path) -> Iterator[SampleFiles]:
    """Samples of one shard in order, grouping members by key (the part of the name before the first dot)."""
    with tarfile.open(path, "r") as tar:
        key, files = None, {}
        for member in tar:
            if not member.isfile():
                continue
            k, _, ext = member.name.partition(".")
            if key is not None and k != key:
                yield SampleFiles(key, files)
                files = {}
            key = k
            fh = tar.extractfile(member)
            files[ext] = fh.read() if fh is not None else b""
        if key is not None:
            yield SampleFiles(key, files)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
