"""Merging the folders of a datagen job array into one dataset, deterministically.

Job ``j`` of ``K`` (``cadcoder datagen --job-index j --num-jobs K``) draws candidates j, j + K, ...,
so the jobs never draw the same program; each deduplicates only its own samples. The merge takes
the jobs in index order, their shards in order, drops a sample whose dedup keys an earlier sample
already has (two jobs can still draw the same shape), and re-cuts the rest into shards of the
jobs' shard size. The result depends only on the job folders, not on when or where they ran.

    python -m training.synth.merge runs/data/job-* --out runs/data/merged
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.synth.dedup import Deduplicator
from training.synth.shards import (
    ShardSummary,
    ShardWriter,
    completed_shards,
    iter_shard,
    read_manifest,
    shard_path,
    write_manifest,
)

_KEYS_PER_SAMPLE = 2  # code key and shape key, in that order (engine.py)


class MergeError(ValueError):
    """The folders are not jobs of one datagen array."""


def merge_datasets(jobs: list[Path], out: Path) -> dict[str, int]:
    """Write the merged dataset to ``out`` (which must be empty or absent); returns counts."""
    manifests = [read_manifest(j) for j in jobs]
    if any(m is None for m in manifests):
        raise MergeError("every job folder needs its manifest.json")
    common = [{k: v for k, v in m.items() if k not in ("job_index",)} for m in manifests]  # type: ignore[union-attr]
    if any(c != common[0] for c in common[1:]):
        raise MergeError("the job folders were made with different settings")
    indices = sorted(m["job_index"] for m in manifests)  # type: ignore[index]
    if indices != list(range(common[0].get("num_jobs", 1))):
        raise MergeError(f"jobs {indices} do not make up the array of {common[0].get('num_jobs', 1)}")
    order = sorted(jobs, key=lambda j: read_manifest(j)["job_index"])  # type: ignore[index]
    if out.exists() and any(out.iterdir()):
        raise MergeError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    merged = dict(common[0])
    merged.pop("num_jobs", None)
    merged["merged_jobs"] = len(order)
    write_manifest(out, merged)
    shard_size = int(merged["shard_size"])
    dedup = Deduplicator()
    written = dropped = shard = 0
    writer: ShardWriter | None = None
    summary = ShardSummary(0, 0, -1, -1)
    for job in order:
        for s in completed_shards(job):
            keys = s.keys
            for i, sample in enumerate(iter_shard(shard_path(job, s.shard))):
                pair = tuple(keys[_KEYS_PER_SAMPLE * i : _KEYS_PER_SAMPLE * (i + 1)])
                if dedup.seen(pair):
                    dropped += 1
                    continue
                dedup.add(pair)
                if writer is None:
                    writer = ShardWriter(out, shard)
                    summary = ShardSummary(shard, 0, int(sample.key), -1)
                writer.add(sample)
                summary.samples += 1
                summary.keys.extend(pair)
                summary.augmented += int("aug.png" in sample.files)
                summary.next_candidate = int(sample.key) + 1
                written += 1
                if summary.samples == shard_size:
                    writer.close()
                    summary.write(out)
                    writer, shard = None, shard + 1
    if writer is not None:
        writer.close()
        summary.write(out)
        shard += 1
    return {"samples": written, "shards": shard, "duplicates_dropped": dropped, "jobs": len(order)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("jobs", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(merge_datasets(args.jobs, args.out)))


if __name__ == "__main__":
    main()
