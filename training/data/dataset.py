"""From the config's sources to batches: load, drop over-long samples (and say how many), encode.

Images are padded to a square with the image processor's mean colour before resizing, as LLaVA-1.5
and CAD-Coder do (``image_aspect_ratio pad``) and as inference does (``core.models.images``), so a
wide photo is not cropped.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from dataclasses import dataclass, replace
from typing import Any

import torch
from transformers import LlavaProcessor

from core.models.images import expand2square, mean_colour
from core.models.prompt import CADCODER_QUESTION
from training.config import DataConfig, SourceConfig
from training.data.encode import IGNORE_INDEX, Encoder
from training.data.hf_disk import HfDiskSource
from training.data.llava_json import LlavaJsonSource
from training.data.records import Example, ExampleSource, LoadReport, Turn
from training.data.synthetic import ShardSource


def open_source(spec: SourceConfig, question: str) -> ExampleSource:
    source = _open(spec, question)
    if spec.redraw:
        source = RedrawnSource(source)
    return RepeatedSource(source, spec.repeat) if spec.repeat > 1 else source


def _open(spec: SourceConfig, question: str) -> ExampleSource:
    if spec.kind == "llava_json":
        return LlavaJsonSource(spec.path, spec.image_folder or ".")
    if spec.kind == "hf_disk":
        return HfDiskSource(
            spec.path,
            split=spec.split or None,
            answer_column=spec.answer_column or None,
            question=question if spec.answer_column else None,
            image_folder=spec.image_folder or None,
        )
    return ShardSource(spec.path, question, use_augmented=spec.use_augmented)


class RedrawnSource:
    """``source`` with its pictures shown as a local model sees them at inference
    (``core.render.model_view``): pictures in another style than the training look are redrawn."""

    def __init__(self, source: ExampleSource) -> None:
        self.source = source
        self.report = source.report  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> Example:
        example = self.source[index]
        return replace(example, image=replace(example.image, redraw=True))

    def conversation(self, index: int) -> tuple[Turn, ...]:
        return self.source.conversation(index)


class RepeatedSource:
    """``source`` ``times`` over (example ``i`` is ``source[i % len]``): oversampling a small set."""

    def __init__(self, source: ExampleSource, times: int) -> None:
        self.source, self.times = source, times
        inner = source.report  # type: ignore[attr-defined]
        self.report = LoadReport(f"{inner.source} (x{times})", inner.kept * times, inner.dropped)

    def __len__(self) -> int:
        return len(self.source) * self.times

    def __getitem__(self, index: int) -> Example:
        return self.source[index % len(self.source)]

    def conversation(self, index: int) -> tuple[Turn, ...]:
        return self.source.conversation(index % len(self.source))


class ConcatSource:
    def __init__(self, sources: list[ExampleSource]) -> None:
        self.sources = sources
        self.ends: list[int] = []
        total = 0
        for s in sources:
            total += len(s)
            self.ends.append(total)

    def __len__(self) -> int:
        return self.ends[-1] if self.ends else 0

    def __getitem__(self, index: int) -> Example:
        k = bisect.bisect_right(self.ends, index)
        start = self.ends[k - 1] if k else 0
        return self.sources[k][index - start]

    def conversation(self, index: int) -> tuple[Turn, ...]:
        k = bisect.bisect_right(self.ends, index)
        start = self.ends[k - 1] if k else 0
        return self.sources[k].conversation(index - start)


class TrainingSet(torch.utils.data.Dataset):
    """Map-style: item ``i`` is always the same example (resume and multi-GPU sharding rely on it)."""

    def __init__(
        self, source: ExampleSource, indices: list[int], encoder: Encoder, processor: LlavaProcessor
    ) -> None:
        self.source = source
        self.indices = indices
        self.encoder = encoder
        self.image_processor = processor.image_processor
        self.fill = mean_colour(self.image_processor.image_mean)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        example = self.source[self.indices[i]]
        enc = self.encoder.encode(example.turns)
        image = expand2square(example.image.open(), self.fill)
        pixels = self.image_processor(images=image, return_tensors="pt")["pixel_values"][0]
        extents = example.extents if example.extents is not None else (math.nan,) * 3
        return {
            "input_ids": torch.tensor(enc.input_ids, dtype=torch.long),
            "labels": torch.tensor(enc.labels, dtype=torch.long),
            "pixel_values": pixels,
            "extents": torch.tensor(extents, dtype=torch.float32),
        }


@dataclass(frozen=True)
class Collator:
    """Pads a batch. Besides the model's inputs it carries ``extents`` (batch x 3, NaN where the
    source does not know them), which the trainer takes off with ``model_inputs``."""

    pad_token_id: int

    def __call__(self, items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        longest = max(len(x["input_ids"]) for x in items)
        ids = torch.full((len(items), longest), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(items), longest), IGNORE_INDEX, dtype=torch.long)
        mask = torch.zeros((len(items), longest), dtype=torch.long)
        for row, x in enumerate(items):
            n = len(x["input_ids"])
            ids[row, :n] = x["input_ids"]
            labels[row, :n] = x["labels"]
            mask[row, :n] = 1
        return {
            "input_ids": ids,
            "labels": labels,
            "attention_mask": mask,
            "pixel_values": torch.stack([x["pixel_values"] for x in items]),
            "extents": torch.stack([x["extents"] for x in items]),
        }


def model_inputs(batch: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
    """``batch`` split into what the model takes and the extents targets (None when absent)."""
    inputs = dict(batch)
    return inputs, inputs.pop("extents", None)


@dataclass
class PreparedData:
    train: TrainingSet
    validation: TrainingSet | None
    reports: list[LoadReport]
    too_long: int
    max_length: int

    def summary(self) -> str:
        lines = [r.line() for r in self.reports]
        lines.append(
            f"dropped {self.too_long} samples longer than {self.max_length} tokens (prompt + image + answer)"
        )
        n_val = len(self.validation) if self.validation is not None else 0
        lines.append(f"training on {len(self.train)} samples, {n_val} held out for validation")
        return "\n".join(lines)


def open_sources(config: DataConfig) -> tuple[ConcatSource, list[LoadReport]]:
    question = config.question or CADCODER_QUESTION
    sources = [open_source(spec, question) for spec in config.sources]
    reports: list[LoadReport] = [s.report for s in sources]  # type: ignore[attr-defined]
    return ConcatSource(sources), reports


def prepare(
    config: DataConfig,
    processor: LlavaProcessor,
    image_tokens: int,
    source: ConcatSource | None = None,
) -> PreparedData:
    """``image_tokens``: features per image (``core.models.llava_hf.image_token_count`` of the model)."""
    if source is None:
        source, reports = open_sources(config)
    else:
        reports = [s.report for s in source.sources]  # type: ignore[attr-defined]
    encoder = Encoder(processor.tokenizer, image_tokens, config.template, config.max_length)
    conversations = [source.conversation(i) for i in range(len(source))]
    lengths = encoder.lengths(conversations)
    keep = [i for i, n in enumerate(lengths) if n <= config.max_length]
    too_long = len(lengths) - len(keep)
    n_val = round(len(keep) * config.validation_fraction)
    val: list[int] = []
    if n_val:
        ranked = sorted(keep, key=lambda i: (_answer_hash(conversations[i]), i))
        val, held = sorted(ranked[:n_val]), set(ranked[:n_val])
        keep = [i for i in keep if i not in held]
    if not keep:
        raise ValueError("no training samples left after filtering; check data.sources and data.max_length")
    return PreparedData(
        TrainingSet(source, keep, encoder, processor),
        TrainingSet(source, val, encoder, processor) if val else None,
        reports,
        too_long,
        config.max_length,
    )


def _answer_hash(turns: tuple[Turn, ...]) -> str:
    """The held-out split's key: a hash of the answers, not a seeded shuffle, so every session
    (whatever its seed) and every larger copy of the data holds out the same programs, and a
    program's augmented pictures fall on the same side of the split."""
    return hashlib.sha1("\n".join(t.answer for t in turns).encode("utf-8")).hexdigest()


def batch_of(dataset: TrainingSet, indices: list[int], pad_token_id: int) -> dict[str, Any]:
    """A fixed batch of model inputs (for before/after loss checks)."""
    return model_inputs(Collator(pad_token_id)([dataset[i] for i in indices]))[0]
