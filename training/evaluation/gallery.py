"""An HTML page to look at an evaluation: input image, ground-truth render, predicted render, IoU.

Both solids are re-run in the sandbox for their tessellations (the scorer keeps only BREPs) and
rendered in the benchmark's style, so the two renders are directly comparable with each other.
"""

from __future__ import annotations

import html
import shutil
from concurrent.futures import Future
from pathlib import Path

from core.metrics.benchmark import BenchmarkSample
from core.metrics.scoring import ScoreReport
from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool
from training.synth.render_job import render_benchmark_png, render_process_pool


def build_gallery(
    out: Path,
    report: ScoreReport,
    samples: list[BenchmarkSample],
    codes: dict[int, str],
    *,
    workers: int = 2,
    timeout: float = 60.0,
    size: int = 224,
) -> Path:
    """Write ``out/gallery/`` (PNG files) and ``out/gallery.html``; returns the page's path."""
    folder = out / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    by_id = {s.question_id: s for s in samples}
    rows = [s for s in report.samples if s.question_id in by_id]
    renders: dict[str, Future[bytes]] = {}
    with (
        SandboxPool(SandboxConfig(workers=workers, timeout=timeout)) as sandbox,
        render_process_pool(workers) as pool,
    ):
        runs: dict[str, Future[ExecutionResult]] = {}
        for s in rows:
            runs[f"{s.question_id}_gt"] = sandbox.submit(
                by_id[s.question_id].ground_truth, timeout=timeout, outputs=("mesh",)
            )
            if s.valid:
                runs[f"{s.question_id}_pred"] = sandbox.submit(
                    codes[s.question_id], timeout=timeout, outputs=("mesh",)
                )
        for name, fut in runs.items():
            result = fut.result()
            if result.ok and result.mesh:
                renders[name] = pool.submit(render_benchmark_png, result.mesh, size)
        for name, job in renders.items():
            (folder / f"{name}.png").write_bytes(job.result())
    for s in rows:
        shutil.copyfile(by_id[s.question_id].image, folder / f"{s.question_id}_input.png")
    page = out / "gallery.html"
    page.write_text(_html(rows, renders, folder.name), encoding="utf-8")
    return page


def _cell(name: str, renders: dict, folder: str, fallback: str) -> str:
    if name in renders:
        return f'<td><img src="{folder}/{name}.png" width="224"></td>'
    return f"<td class='miss'>{html.escape(fallback)}</td>"


def _html(rows, renders: dict, folder: str) -> str:
    body = []
    for s in rows:
        q = s.question_id
        iou = "-" if s.iou_best is None else f"{s.iou_best:.3f}"
        robust = "-" if s.iou_robust is None else f"{s.iou_robust:.3f}"
        body.append(
            "<tr>"
            f"<td>{q}</td>"
            f'<td><img src="{folder}/{q}_input.png" width="224"></td>'
            + _cell(f"{q}_gt", renders, folder, "ground truth did not run")
            + _cell(f"{q}_pred", renders, folder, f"{s.status}: {s.message[:200]}")
            + f"<td>{iou}<br><small>robust {robust}</small></td>"
            "</tr>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>CAD-Coder evaluation</title>"
        "<style>body{font-family:sans-serif} td{vertical-align:top;padding:4px;border-bottom:1px solid #ddd}"
        " .miss{color:#a33;max-width:224px;font-size:12px}</style></head><body>"
        "<table><tr><th>question</th><th>input</th><th>ground truth</th><th>prediction</th><th>IOU_best</th></tr>"
        + "".join(body)
        + "</table></body></html>\n"
    )
