"""Which executed programs the data engine keeps, duplicate detection, and the shard files."""

from __future__ import annotations

import tarfile

from core.sandbox import ExecutionResult, Status
from training.synth.checks import QualityLimits, rejection_reason
from training.synth.dedup import Deduplicator, code_key, normalise_code, shape_key
from training.synth.shards import (
    SampleFiles,
    ShardSummary,
    ShardWriter,
    completed_shards,
    iter_shard,
    shard_path,
)


def _result(bbox, volume, solids=1, status=Status.OK) -> ExecutionResult:
    return ExecutionResult(status=status, volume=volume, bbox=bbox, n_solids=solids, n_faces=6)


def test_rejects_failures_splits_slivers_and_air() -> None:
    cube = (0, 0, 0, 1, 1, 1)
    assert rejection_reason(_result(cube, 1.0)) is None
    assert rejection_reason(_result(cube, 1.0, status=Status.RUNTIME_ERROR)) == "status:runtime_error"
    assert rejection_reason(_result(cube, 1.0, solids=2)) == "solids"
    assert rejection_reason(_result((0, 0, 0, 1, 1, 0.001), 0.001)) == "thin"  # 1/1000 of its size
    assert rejection_reason(_result(cube, 0.001)) == "fill"  # 0.1 % of its box is material
    assert rejection_reason(_result((0, 0, 0, 1, 1, 0.01), 0.01)) is None  # a thin plate is fine
    assert rejection_reason(_result(cube, 0.001), QualityLimits(min_fill=0.0001)) is None


def test_code_key_ignores_formatting_comments_and_float_noise() -> None:
    a = "import cadquery as cq\nsolid = cq.Workplane().box(0.30000000000000004, 1, 2)\n"
    b = "import cadquery as cq\n# a box\nsolid = cq.Workplane().box( 0.3, 1, 2 )\n\n"
    c = "import cadquery as cq\nsolid = cq.Workplane().box(0.31, 1, 2)\n"
    assert normalise_code(a) == normalise_code(b)
    assert code_key(a) == code_key(b) != code_key(c)


def test_deduplicator_matches_either_key() -> None:
    d = Deduplicator()
    r = _result((0, 0, 0, 1, 1, 1), 1.0)
    first = (code_key("x = 1"), shape_key(r))
    d.add(first)
    assert d.seen(first)
    assert d.seen((code_key("x = 2"), shape_key(r)))  # another program, same shape
    assert not d.seen((code_key("x = 2"), shape_key(_result((0, 0, 0, 1, 1, 2), 2.0))))


def test_shards_are_visible_only_when_complete(tmp_path) -> None:
    writer = ShardWriter(tmp_path, 0)
    writer.add(SampleFiles("000000001", {"py": b"code", "png": b"\x89PNG", "json": b"{}"}))
    writer.add(SampleFiles("000000002", {"py": b"code2", "png": b"\x89PNG2", "aug.png": b"A", "json": b"{}"}))
    assert not shard_path(tmp_path, 0).exists()
    writer.close()
    assert completed_shards(tmp_path) == []  # no summary yet: not complete
    ShardSummary(0, 2, 0, 3, keys=["k"]).write(tmp_path)
    ShardSummary(2, 1, 9, 10).write(tmp_path)  # after a gap: ignored
    assert [s.shard for s in completed_shards(tmp_path)] == [0]
    samples = list(iter_shard(shard_path(tmp_path, 0)))
    assert [s.key for s in samples] == ["000000001", "000000002"]
    assert samples[1].files == {"py": b"code2", "png": b"\x89PNG2", "aug.png": b"A", "json": b"{}"}
    with tarfile.open(shard_path(tmp_path, 0)) as tar:  # plain tar: any tool reads it
        assert {m.mtime for m in tar.getmembers()} == {0}


def test_an_aborted_shard_leaves_nothing(tmp_path) -> None:
    writer = ShardWriter(tmp_path, 0)
    writer.add(SampleFiles("1", {"py": b"x"}))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
