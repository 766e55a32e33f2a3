"""Scoring against the paper's benchmark: the 0.880 anchor, VSR, and the CLI contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.metrics.benchmark import BenchmarkError, load_benchmark, read_answers
from core.metrics.scoring import answers_to_codes, score_codes

CLI = [sys.executable, "-m", "core.cli.main"]


@pytest.fixture(scope="module")
def ground_truth_report(benchmark: Path):
    samples = load_benchmark(benchmark)
    return score_codes({s.question_id: s.ground_truth for s in samples}, samples, workers=2)


def test_ground_truth_code_reproduces_the_papers_anchor(ground_truth_report) -> None:
    # reference-facts.md: the authors' algorithm gives mean 0.880 (min 0.23) on this subset. Their
    # procedure transcribed step by step (authors_reference.py) gives 0.8851 here (OCCT 7.9,
    # CadQuery 2.8), and iou_best agrees with it on every sample (benchmarks/score_speed.py).
    report = ground_truth_report
    assert report.n == 100 and report.vsr == 1.0
    assert report.iou_best == pytest.approx(0.8851, abs=5e-4)
    # Issue 16: 4 ground-truth solids have findings OCCT's checker rejects; the paper's VSR counts
    # them (and their IoUs), the valid-solid VSR does not.
    assert report.vsr_valid_solid == pytest.approx(0.96)
    rejected = {s.question_id for s in report.samples if not s.valid_solid}
    assert rejected == {61429, 158063, 162916, 150422}
    assert all(s.valid and s.iou_best is not None for s in report.samples)
    assert min(s.iou_best for s in report.samples) == pytest.approx(0.23, abs=0.01)


def test_robust_score_recovers_what_axis_ambiguity_loses(ground_truth_report) -> None:
    # Robust may be a hair lower on a sample where a *reflection* happened to win the paper's
    # four (it only tries proper rotations), but it is far higher on the ambiguous samples.
    samples = ground_truth_report.samples
    assert ground_truth_report.iou_robust > ground_truth_report.iou_best + 0.02
    assert sum(s.iou_robust > s.iou_best + 0.1 for s in samples) >= 5
    # iou_best goes through the authors' STEP round trip and NURBS booleans, iou_robust does not: on
    # solids OCCT's checker accepts they stay within 0.02 (measured 0.016 at most); on the 4 invalid
    # ground-truth solids the round trip changes the solid itself (best above robust by up to 0.17).
    assert all(s.iou_robust > s.iou_best - 0.02 for s in samples if s.valid_solid)


def write_answers(path: Path, answers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in answers))
    return path


@pytest.fixture(scope="module")
def six_answers(benchmark_samples, tmp_path_factory) -> Path:
    """Five ground-truth replies in the shapes models produce, and one broken reply."""
    s = benchmark_samples[:6]
    answers = [
        {"question_id": s[0]["question_id"], "text": s[0]["ground_truth"]},
        {"question_id": s[1]["question_id"], "text": "```python\n" + s[1]["ground_truth"] + "```"},
        {
            "question_id": s[2]["question_id"],
            "text": s[2]["ground_truth"].replace("import cadquery as cq\n", ""),
        },
        {"question_id": s[3]["question_id"], "text": "Here is the code:\n" + s[3]["ground_truth"]},
        {"question_id": s[4]["question_id"], "text": s[4]["ground_truth"] + "</s>"},
        {"question_id": s[5]["question_id"], "text": "solid = cq.Workplane().box(1, 1, undefined_name)"},
    ]
    return write_answers(tmp_path_factory.mktemp("answers") / "answers.jsonl", answers)


def test_score_cli_json_contract(six_answers: Path, benchmark: Path, benchmark_samples) -> None:
    out = subprocess.run(
        [*CLI, "score", str(six_answers), "--benchmark", str(benchmark), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert {"n", "vsr", "vsr_valid_solid", "iou_best", "iou_robust", "samples"} <= set(report)
    assert report["n"] == 6
    assert report["vsr"] == pytest.approx(5 / 6)
    by_id = {s["question_id"]: s for s in report["samples"]}
    broken = by_id[benchmark_samples[5]["question_id"]]
    assert broken["valid"] is False and broken["status"] == "runtime_error" and broken["iou_best"] is None
    valid = [s for s in report["samples"] if s["valid"]]
    assert all(
        set(s) >= {"question_id", "valid", "valid_solid", "status", "iou_best", "iou_robust"}
        for s in report["samples"]
    )
    # means are over valid samples only, as in the paper
    assert report["iou_best"] == pytest.approx(sum(s["iou_best"] for s in valid) / len(valid))
    assert "warning" in out.stderr and "94" in out.stderr  # unanswered questions are reported


def test_score_cli_table(six_answers: Path, benchmark: Path) -> None:
    out = subprocess.run(
        [*CLI, "score", str(six_answers), "--benchmark", str(benchmark)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "IOU_best" in out.stdout and "83.3 %" in out.stdout
    assert "VSR (ran to a solid)" in out.stdout and "VSR (valid solid)" in out.stdout


SELF_INTERSECTING_U = """import cadquery as cq
span, height, depth, thickness = 0.0392, 0.3, 0.4, 0.0546
solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (span, 0), (span, height), (span - thickness, height),
               (span - thickness, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-depth)
)
"""


def test_an_invalid_solid_counts_for_the_papers_vsr_only(benchmark: Path) -> None:
    samples = load_benchmark(benchmark)[:2]
    codes = {samples[0].question_id: samples[0].ground_truth, samples[1].question_id: SELF_INTERSECTING_U}
    report = score_codes(codes, samples, workers=1)
    assert report.vsr == 1.0 and report.vsr_valid_solid == 0.5
    broken = report.samples[1]
    assert broken.status == "invalid_solid" and broken.valid and not broken.valid_solid
    assert broken.iou_best is not None  # scored like the paper scores any script that ran
    assert report.status_counts == {"ok": 1, "invalid_solid": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"question_id": 1}\n', "needs 'question_id' and 'text'"),
        ("not json\n", "answers.jsonl:1"),
        ('{"question_id": 1, "text": "a"}\n{"question_id": 1, "text": "b"}\n', "answered twice"),
    ],
)
def test_bad_answers_files_are_reported_with_their_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(content)
    with pytest.raises(BenchmarkError, match=message):
        read_answers(path)


def test_score_cli_bad_paths(tmp_path: Path, six_answers: Path) -> None:
    missing = subprocess.run(
        [*CLI, "score", str(tmp_path / "nope.jsonl")], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2 and "no such answers file" in missing.stderr
    bad_bench = subprocess.run(
        [*CLI, "score", str(six_answers), "--benchmark", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_bench.returncode == 2 and "not a benchmark folder" in bad_bench.stderr


def test_answers_to_codes_cleans_replies() -> None:
    codes = answers_to_codes({1: "```python\nsolid = cq.Workplane().box(1, 1, 1)\n```"})
    assert codes[1].startswith("import cadquery as cq\n")


def test_iou_cli_with_script_and_step(benchmark_samples, benchmark: Path, tmp_path: Path) -> None:
    sample = benchmark_samples[0]
    script = tmp_path / "gt.py"
    script.write_text(sample["ground_truth"])
    step = benchmark / "steps" / (sample["image"].removesuffix("_0.png") + ".step")
    out = subprocess.run(
        [*CLI, "iou", str(script), str(step), "--json"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout)
    assert 0.0 < values["iou_best"] <= values["iou_robust"] + 1e-9 <= 1.0 + 2e-9
    same = subprocess.run(
        [*CLI, "iou", str(step), str(step), "--json"], capture_output=True, text=True, timeout=120
    )
    assert json.loads(same.stdout)["iou_best"] == pytest.approx(1.0, abs=1e-6)


def test_iou_cli_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.step"
    bad.write_text("this is not STEP")
    other = tmp_path / "part.txt"
    other.write_text("x")
    for args, message in (
        ([str(tmp_path / "missing.step"), str(bad)], "no such file"),
        ([str(other), str(other)], "expected .step"),
        ([str(bad), str(bad)], "bad.step"),
    ):
        out = subprocess.run([*CLI, "iou", *args], capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
