"""The data engine end to end (sandbox + renderer): deterministic, resumable, extendable shards."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from training.synth.engine import DatagenConfig, DatagenError, generate_dataset
from training.synth.sampler import SamplerConfig
from training.synth.shards import completed_shards, iter_shard, shard_path, summary_path

pytestmark = pytest.mark.timeout(300)


def _samples(out: Path) -> list[tuple[str, dict[str, bytes]]]:
    return [
        (s.key, s.files)
        for summary in completed_shards(out)
        for s in iter_shard(shard_path(out, summary.shard))
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("datagen")
    report = generate_dataset(out, DatagenConfig(n=9, seed=5, workers=2, shard_size=4, augment=0.0))
    assert (report.samples, report.shards, report.new_samples) == (9, 3, 9)
    return out


def test_samples_hold_code_benchmark_render_and_metadata(reference: Path) -> None:
    samples = _samples(reference)
    assert len(samples) == 9
    for key, files in samples:
        assert {"py", "png", "json"} <= set(files)
        meta = json.loads(files["json"])
        assert meta["index"] == int(key) and meta["volume"] > 0 and meta["style"] == "concise"
        assert "solid" in files["py"].decode()
        image = Image.open(io.BytesIO(files["png"]))
        assert image.size == (448, 448) and image.mode == "RGB"
        assert image.getpixel((0, 0)) == (255, 255, 255)  # the benchmark's white background
        assert image.convert("L").getextrema()[0] < 60  # black edges are drawn
        assert "aug.png" not in files and meta["augmentation"] is None


def test_same_seed_same_bytes_with_any_worker_count_and_after_an_interruption(
    reference: Path, tmp_path: Path
) -> None:
    generate_dataset(tmp_path, DatagenConfig(n=9, seed=5, workers=1, shard_size=4, augment=0.0))
    assert _samples(tmp_path) == _samples(reference)
    summary_path(tmp_path, 2).unlink()  # as if killed before the last shard was complete
    shard_path(tmp_path, 1).rename(shard_path(tmp_path, 1).with_name("shard-00001.tar.partial"))
    summary_path(tmp_path, 1).unlink()
    report = generate_dataset(tmp_path, DatagenConfig(n=9, seed=5, workers=2, shard_size=4, augment=0.0))
    assert report.new_samples == 5 and not list(tmp_path.glob("*.partial"))
    assert _samples(tmp_path) == _samples(reference)


def test_a_larger_n_extends_and_other_settings_are_refused(reference: Path, tmp_path: Path) -> None:
    first = [key for key, _ in _samples(reference)]
    generate_dataset(tmp_path, DatagenConfig(n=5, seed=5, workers=2, shard_size=4, augment=0.0))
    report = generate_dataset(tmp_path, DatagenConfig(n=9, seed=5, workers=2, shard_size=4, augment=0.0))
    assert report.new_samples == 4 and [key for key, _ in _samples(tmp_path)] == first
    with pytest.raises(DatagenError, match="sampler"):
        generate_dataset(
            tmp_path,
            DatagenConfig(n=12, seed=5, shard_size=4, augment=0.0, sampler=SamplerConfig(style="verbose")),
        )


def test_augmented_variants_come_with_a_probability(tmp_path: Path) -> None:
    generate_dataset(tmp_path, DatagenConfig(n=6, seed=5, workers=2, shard_size=6, augment=0.5))
    samples = _samples(tmp_path)
    with_variant = [files for _, files in samples if "aug.png" in files]
    assert 0 < len(with_variant) < 6
    for _, files in samples:
        meta = json.loads(files["json"])
        assert ("aug.png" in files) == (meta["augmentation"] is not None)
    for files in with_variant:
        assert Image.open(io.BytesIO(files["aug.png"])).size == (448, 448)
        assert files["aug.png"] != files["png"]
