"""Did fine-tuning teach the model the user's parts? Its greedy answer on each kept picture, judged
against the kept code: render-and-compare with the picture (the pipeline's score) and IOU_best
against the kept solid (the paper's metric; scale-free, so a unit-sized answer is not punished).

Used by ``benchmarks/finetune_user.py`` and the slow end-to-end test: the same numbers before and
after ``cadcoder train training/configs/finetune_user.yaml``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class KeptScore:
    key: str
    status: str  # the sandbox status of the answer
    match: float  # render-and-compare with the picture, 0 when the answer made no valid solid
    iou: float  # IOU_best against the kept solid, 0 likewise
    code: str


def kept_examples(dataset: Path) -> list[tuple[str, bytes, str]]:
    """(key, PNG bytes, code) of every example in a user dataset folder."""
    from training.synth.shards import completed_shards, iter_shard, shard_path

    out = []
    for summary in completed_shards(dataset):
        for sample in iter_shard(shard_path(dataset, summary.shard)):
            out.append((sample.key, sample.files["png"], sample.files["py"].decode("utf-8")))
    return out


def score_kept(
    model_dir: Path, examples: list[tuple[str, bytes, str]], max_new_tokens: int = 400
) -> list[KeptScore]:
    """The model's greedy answer per example, scored against the example."""
    from core.geometry.io import shape_from_bytes
    from core.metrics import iou_best
    from core.models.base import GenerationConfig, GenerationRequest, ImageInput
    from core.models.local import LocalLlavaBackend
    from core.models.prompt import image_question
    from core.pipeline.refine import score_of
    from core.program import extract_code
    from core.sandbox import run_code

    backend = LocalLlavaBackend(model_dir, device="cpu")
    scores = []
    for key, png, kept_code in examples:
        request = GenerationRequest(
            image_question(ImageInput(png, "image/png")), GenerationConfig(n=1, max_new_tokens=max_new_tokens)
        )
        code = extract_code(backend.generate(request)[0])
        run = run_code(code, outputs=("brep", "mesh"))
        truth = run_code(kept_code, outputs=("brep",))
        picture = Image.open(io.BytesIO(png)).convert("RGB")
        match = (score_of(picture, run) or 0.0) if run.ok else 0.0
        iou = 0.0
        if run.ok and truth.ok:
            iou = iou_best(shape_from_bytes(run.brep), shape_from_bytes(truth.brep)) or 0.0
        scores.append(KeptScore(key, run.status.value, match, iou, code))
    return scores
