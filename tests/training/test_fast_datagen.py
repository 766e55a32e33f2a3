"""The in-process data path (issue 13): geometry built in the datagen workers equals the sandbox's,
integer-grid code is exact, the real-part mix holds, and the fast engine writes valid shards."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.synth.emit_concise import emit_concise
from training.synth.engine import DatagenConfig, generate_dataset, verify_selected
from training.synth.generic import SCALE, GenericSettings, generate_generic
from training.synth.idioms import IDIOMS
from training.synth.quantise import off_grid_values, quantise_program, scale_program, to_grid_units
from training.synth.sampler import GENERIC, SamplerConfig, sample_candidate
from training.synth.shards import completed_shards, iter_shard, read_manifest, shard_path
from training.synth.trusted_build import build_trusted, verify_agrees

pytestmark = pytest.mark.timeout(300)


def _one_of_each_family(sampler: SamplerConfig, seed: int = 11) -> dict[str, str]:
    """The first candidate of every family (idioms and generic) for ``sampler``."""
    codes: dict[str, str] = {}
    i = 0
    while len(codes) < len(IDIOMS) + 1 and i < 2000:
        cand = sample_candidate(seed, i, sampler)
        codes.setdefault(cand.family, cand.code)
        i += 1
    assert set(codes) == {GENERIC, *IDIOMS}
    return codes


@pytest.mark.parametrize("grid", [0, 64])
def test_in_process_build_equals_the_sandbox_for_every_family(synth_pool, grid: int) -> None:
    codes = _one_of_each_family(SamplerConfig(grid=grid))
    futures = {family: synth_pool.submit(code, timeout=60) for family, code in codes.items()}
    for family, code in codes.items():
        trusted = build_trusted(code).result
        sandboxed = futures[family].result()
        assert sandboxed.ok, (family, sandboxed.message)
        assert trusted.ok, (family, trusted.message)
        assert trusted.volume == pytest.approx(sandboxed.volume, rel=1e-9), family
        assert trusted.n_faces == sandboxed.n_faces, family
        assert verify_agrees(trusted, sandboxed), family


def test_verify_agrees_catches_a_different_solid(synth_pool) -> None:
    code = _one_of_each_family(SamplerConfig())["box"]
    other = code + "solid = solid.union(cq.Workplane().box(5, 5, 5))\n"
    assert not verify_agrees(build_trusted(code).result, synth_pool.submit(other, timeout=60).result())


def test_grid_code_writes_integer_coordinates_of_the_same_part() -> None:
    rng = np.random.default_rng([3, 1])
    q = SCALE / 64
    program = generate_generic(rng, q)
    units = to_grid_units(program, q)
    assert off_grid_values(units) == 0
    assert off_grid_values(program) > 0  # the normalised part is not in grid units
    # Round trip: back to the normalised scale is the same (already snapped) program.
    assert scale_program(units, q) == quantise_program(program, q)
    snapped = quantise_program(program, q)
    assert quantise_program(snapped, q) == snapped  # idempotent
    # The integer code builds the snapped part, 1/q times larger (a 0.01 grid prints exactly in decimals).
    decimal = quantise_program(generate_generic(np.random.default_rng([3, 2]), 0.01), 0.01)
    a = build_trusted(emit_concise(decimal)).result
    b = build_trusted(emit_concise(to_grid_units(decimal, 0.01))).result
    assert a.ok and b.ok
    assert b.volume == pytest.approx(a.volume * 100**3, rel=1e-6)


def test_quantising_a_fine_part_moves_it_by_at_most_half_a_cell() -> None:
    rng = np.random.default_rng([4, 2])
    fine = generate_generic(rng, 1e-4)
    q = SCALE / 32
    coarse = quantise_program(fine, q)
    moved = []
    for a, b in zip(fine.extrudes, coarse.extrudes, strict=True):
        moved += [abs(x - y) for x, y in zip(a.sketch.plane.origin, b.sketch.plane.origin, strict=True)]
    assert max(moved) <= q / 2 + 1e-9
    assert off_grid_values(scale_program(coarse, 1 / q)) == 0


def test_generic_mix_follows_real_parts() -> None:
    lengths: Counter = Counter()
    ops: Counter = Counter()
    for i in range(1500):
        program = generate_generic(np.random.default_rng([9, i]), 0.01, GenericSettings())
        lengths[len(program.extrudes)] += 1
        ops.update(e.operation for e in program.extrudes[1:])
    n = sum(lengths.values())
    assert lengths[1] / n == pytest.approx(0.57, abs=0.04)
    assert (lengths[1] + lengths[2]) / n == pytest.approx(0.75, abs=0.04)
    assert 2.4 <= ops["union"] / ops["cut"] <= 3.6


def test_verification_sample_is_a_stable_share() -> None:
    picked = [verify_selected(0, i, 0.02) for i in range(5000)]
    assert 0.012 <= sum(picked) / len(picked) <= 0.03
    assert picked == [verify_selected(0, i, 0.02) for i in range(5000)]
    assert not any(verify_selected(0, i, 0.0) for i in range(100))


def _members(out: Path) -> list[tuple[str, dict[str, bytes]]]:
    return [
        (s.key, s.files)
        for summary in completed_shards(out)
        for s in iter_shard(shard_path(out, summary.shard))
    ]


def test_fast_engine_writes_valid_deterministic_shards(tmp_path: Path) -> None:
    sampler = SamplerConfig(grid=64)
    config = DatagenConfig(
        n=10,
        seed=4,
        workers=2,
        shard_size=4,
        augment=0.3,
        image_size=96,
        sampler=sampler,
        builder="inprocess",
        verify_fraction=1.0,  # every candidate also in the sandbox: the two must agree
    )
    report = generate_dataset(tmp_path / "a", config)
    assert (report.samples, report.shards, report.new_samples) == (10, 3, 10)
    assert report.verified == report.candidates and report.disagreements == 0
    assert "sandbox_disagrees" not in report.rejected
    manifest = read_manifest(tmp_path / "a")
    assert manifest is not None and manifest["builder"] == "inprocess" and manifest["sampler"]["grid"] == 64
    samples = _members(tmp_path / "a")
    assert len(samples) == 10
    families = set()
    for key, files in samples:
        assert {"py", "png", "json"} <= set(files)
        assert Image.open(io.BytesIO(files["png"])).size == (96, 96)
        meta = json.loads(files["json"])
        families.add(meta["family"])
        assert meta["volume"] > 0 and int(key) == meta["index"]
        assert "cq.Workplane" in files["py"].decode()
    assert len(families) >= 2
    # The same bytes with one worker.
    one = DatagenConfig(**{**config.__dict__, "workers": 1})
    generate_dataset(tmp_path / "b", one)
    assert _members(tmp_path / "b") == samples


def test_job_array_folders_merge_deterministically(tmp_path: Path) -> None:
    from training.synth.merge import MergeError, merge_datasets

    def job(i: int) -> Path:
        out = tmp_path / f"job-{i}"
        config = DatagenConfig(
            n=3,
            seed=8,
            workers=1,
            shard_size=2,
            image_size=64,
            builder="inprocess",
            verify_fraction=0,
            job_index=i,
            num_jobs=2,
        )
        generate_dataset(out, config)
        return out

    jobs = [job(0), job(1)]
    keys = [[int(k) for k, _ in _members(j)] for j in jobs]
    assert all(k % 2 == 0 for k in keys[0]) and all(k % 2 == 1 for k in keys[1])  # disjoint candidates
    counts = merge_datasets(list(reversed(jobs)), tmp_path / "m1")  # order given does not matter
    assert counts["samples"] + counts["duplicates_dropped"] == 6 and counts["shards"] == 3
    merged = _members(tmp_path / "m1")
    assert [int(k) for k, _ in merged] == keys[0] + keys[1][: counts["samples"] - 3]
    merge_datasets(jobs, tmp_path / "m2")
    assert _members(tmp_path / "m2") == merged
    assert read_manifest(tmp_path / "m1")["merged_jobs"] == 2
    with pytest.raises(MergeError):
        merge_datasets(jobs[:1], tmp_path / "m3")  # half an array
