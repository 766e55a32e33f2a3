"""Benchmark evaluation on 3 samples: the authors' answers format, resumption, scores from
core.metrics, and the report files."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from core.metrics.benchmark import load_benchmark
from core.models.base import BackendError, GenerationRequest
from core.models.prompt import CADCODER_QUESTION
from training.evaluation import paper
from training.evaluation.answers import answered_ids
from training.evaluation.run import EvalSettings, evaluate

SCORE_KEYS = {
    "n",
    "vsr",
    "vsr_valid_solid",
    "iou_best",
    "iou_robust",
    "samples",
    "status_counts",
    "missing",
    "unknown",
}


class GroundTruthBackend:
    """Answers each benchmark image with its own ground-truth code (fenced, as chat models do)."""

    name = "ground-truth"
    supports_chat = False

    def __init__(self, benchmark: Path) -> None:
        self.by_image = {s.image.read_bytes(): s.ground_truth for s in load_benchmark(benchmark)}
        self.calls = 0
        self.questions: list[str] = []

    def generate(
        self, request: GenerationRequest, *, on_token=None, cancel: threading.Event | None = None
    ) -> list[str]:
        self.calls += 1
        message = request.messages[-1]
        self.questions.append(message.text)
        assert request.config.temperature == 0.0 and request.config.max_new_tokens == 3450
        return [f"```python\n{self.by_image[message.images[0].data]}```"] * request.config.n


class FailingBackend(GroundTruthBackend):
    def generate(self, request, *, on_token=None, cancel=None) -> list[str]:
        raise BackendError("model not loaded")


def test_ground_truth_answers_score_vsr_one_and_write_every_report(benchmark: Path, tmp_path: Path) -> None:
    backend = GroundTruthBackend(benchmark)
    settings = EvalSettings(benchmark=benchmark, out=tmp_path, model_id="gt", limit=3)
    report = evaluate(backend, settings)
    assert report.n == 3 and report.vsr == 1.0 and report.iou_best > 0.5
    assert backend.questions == [CADCODER_QUESTION] * 3

    records = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [set(r) for r in records] == [
        {"question_id", "prompt", "text", "answer_id", "model_id", "metadata"}
    ] * 3
    first3 = [s.question_id for s in load_benchmark(benchmark)[:3]]
    assert [r["question_id"] for r in records] == first3
    assert records[0]["prompt"] == CADCODER_QUESTION and records[0]["model_id"] == "gt"
    assert len({r["answer_id"] for r in records}) == 3

    scores = json.loads((tmp_path / "scores.json").read_text())
    assert set(scores) == SCORE_KEYS and scores["vsr"] == 1.0
    rows = list(csv.DictReader((tmp_path / "samples.csv").open()))
    assert [int(r["question_id"]) for r in rows] == first3 and {r["valid"] for r in rows} == {"1"}
    assert {r["valid_solid"] for r in rows} == {"1"} and scores["vsr_valid_solid"] == 1.0
    table = (tmp_path / "results.md").read_text()
    assert (
        "| model | VSR (ran to a solid) | VSR (valid solid) |" in table
        and "| **gt** (this run) | **100 %** | **100 %** |" in table
        and "CAD-Coder (LLaVA-1.5, Vicuna-13B) (paper) | 100 % | - | 0.675" in table
    )
    for plot in ("iou_hist.png", "iou_vs_length.png"):
        assert (tmp_path / plot).read_bytes()[:4] == b"\x89PNG"
    for qid in first3:  # the gallery shows input, ground truth and prediction side by side
        for kind in ("input", "gt", "pred"):
            assert (tmp_path / "gallery" / f"{qid}_{kind}.png").read_bytes()[:4] == b"\x89PNG"

    again = evaluate(
        backend, EvalSettings(benchmark=benchmark, out=tmp_path, model_id="gt", limit=4, gallery=False)
    )
    assert backend.calls == 4 and again.n == 4  # the 3 answered questions were skipped


def test_backend_errors_become_invalid_answers_not_gaps(benchmark: Path, tmp_path: Path) -> None:
    settings = EvalSettings(benchmark=benchmark, out=tmp_path, model_id="broken", limit=2, gallery=False)
    report = evaluate(FailingBackend(benchmark), settings)
    assert report.n == 2 and report.vsr == 0.0 and report.iou_best is None
    records = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert records[0]["text"] == "" and records[0]["metadata"]["error"] == "model not loaded"


def test_baseline_prompt_and_cut_off_answer_files(benchmark: Path, tmp_path: Path) -> None:
    assert (
        paper.question(True).startswith(CADCODER_QUESTION + " ")
        and "solid" in paper.question(True)[len(CADCODER_QUESTION) :]
    )
    path = tmp_path / "answers.jsonl"
    path.write_text('{"question_id": 1, "text": "a"}\n{"question_id": 2, "te')
    assert answered_ids(path) == {1}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("runs", "mini", "final"), "mini-final"),
        (("runs", "mini", "checkpoints", "step-00000100"), "mini-step-00000100"),
        (("models", "cad-coder"), "cad-coder"),
    ],
)
def test_model_ids_name_the_run(tmp_path: Path, parts: tuple[str, ...], expected: str) -> None:
    from core.cli.eval_cmd import _model_id

    assert _model_id(tmp_path.joinpath(*parts), None) == expected
    assert _model_id(None, "gpt-4o") == "gpt-4o"


def test_cli_eval_with_a_tiny_random_model_writes_everything(benchmark: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from core.models.tiny import build_tiny_llava
    from training.__main__ import app

    model = build_tiny_llava(tmp_path / "tiny")
    out = tmp_path / "eval"
    args = ["eval", "--model", str(model), "--benchmark", str(benchmark), "--out", str(out), "--limit", "3"]
    result = CliRunner().invoke(app, [*args, "--max-new-tokens", "24", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(scores) == SCORE_KEYS and scores["n"] == 3
    assert scores["vsr"] == 0.0 and scores["iou_best"] is None  # random weights write no program
    records = [json.loads(line) for line in (out / "answers.jsonl").read_text().splitlines()]
    assert {r["model_id"] for r in records} == {"tiny"} and len(records) == 3
    for name in (
        "scores.json",
        "samples.csv",
        "results.md",
        "iou_hist.png",
        "iou_vs_length.png",
        "gallery.html",
    ):
        assert (out / name).is_file(), name
    first = records[0]["question_id"]
    page = (out / "gallery.html").read_text()
    assert f"gallery/{first}_input.png" in page and f"gallery/{first}_gt.png" in page
    assert (out / "gallery" / f"{first}_gt.png").read_bytes()[:4] == b"\x89PNG"


class CubeBackend(GroundTruthBackend):
    """Answers every picture with a unit cube whose sides are named dimensions."""

    def generate(self, request, *, on_token=None, cancel=None) -> list[str]:
        self.calls += 1
        cube = "import cadquery as cq\n\nlength = 1.0\nwidth = 1.0\nheight = 1.0\n\nsolid = cq.Workplane('XY').box(length, width, height)\n"
        return [cube] * request.config.n


def test_system_answers_fit_dimensions_and_record_what_happened(benchmark: Path, tmp_path: Path) -> None:
    # The first benchmark part is a thin plate (0.67 x 0.25 x 0.03): a cube scores poorly, a fitted box well.
    fitted = evaluate(
        CubeBackend(benchmark),
        EvalSettings(
            benchmark=benchmark,
            out=tmp_path / "fit",
            model_id="cube",
            limit=1,
            gallery=False,
            system=True,
            grounded=False,  # fitting of the model's answer, not the programs read off the picture
        ),
    )
    plain = evaluate(
        CubeBackend(benchmark),
        EvalSettings(
            benchmark=benchmark,
            out=tmp_path / "plain",
            model_id="cube",
            limit=1,
            gallery=False,
            system=True,
            refine=False,
            grounded=False,
        ),
    )
    assert fitted.vsr == plain.vsr == 1.0
    assert fitted.iou_best > plain.iou_best + 0.2
    (record,) = [json.loads(line) for line in (tmp_path / "fit" / "answers.jsonl").read_text().splitlines()]
    meta = record["metadata"]
    assert meta["system"] and meta["refined"] and meta["status"] == "ok" and meta["seconds"] > 0
    assert "refine" in meta["timings"] and record["text"] != meta["candidates"][0]["code"]
