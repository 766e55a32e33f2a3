"""Image -> CadQuery code: the seam between the workbench and ``core.pipeline``.

The pipeline is heavy (Pillow, the model), so it runs in the engine's interpreter as
``cadcoder image2cad IMAGE --events``, whose JSON lines (stage, token, candidate, result) are the
contract. This job reads them as they come, relays them to the panel, honours Cancel and the
generation timeout by killing the process group, and finally runs the chosen code in the sandbox
so the GUI thread only has to put the BREP into the document. Standard library only.
"""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from CADCoderWorkbench import engine
from CADCoderWorkbench.job_context import JobCancelled, JobContext
from CADCoderWorkbench.settings import Settings
from core.sandbox import ExecutionResult

_STDERR_LINES = 40


class ImageJobError(RuntimeError):
    """No usable code came out (the message says which stage failed and why)."""


@dataclass(frozen=True)
class ImageJobResult:
    code: str
    volume: float | None
    execution: ExecutionResult  # the code run here, BREP included
    events: tuple[dict, ...]
    match: float | None = None  # render-and-compare score against the picture
    low_match: bool = False  # the picture does not look like this part: ask before adding
    match_note: str = ""
    # Issue 14: the engine's ``size`` report (None without a known dimension), the best few
    # candidates (``choices``: code, match, thumbnail file), the overlay picture's file.
    size: dict | None = None
    choices: tuple[dict, ...] = field(default_factory=tuple)
    overlay: str | None = None


CHOICES = 4  # candidates offered as thumbnails (the issue: "the best 3-4")


def image2cad_args(
    image_path: str, settings: Settings, size: str = "", out_dir: str | None = None
) -> list[str]:
    """The CLI arguments for ``settings`` (the API key travels in the environment, not here).
    ``size`` is a known dimension (``image2cad --size``, "" for none); with ``out_dir`` the
    engine writes the overlay and the choices' thumbnails there."""
    args = [
        "image2cad",
        image_path,
        "--events",
        "--n",
        str(settings.candidates),
        "--timeout",
        f"{settings.sandbox_timeout:g}",
        "--grounded" if settings.grounded else "--no-grounded",
    ]
    if size:
        args += ["--size", size]
    if out_dir is not None:
        overlay = str(Path(out_dir) / "overlay.png")
        args += ["--overlay", overlay, "--choices", str(CHOICES), "--out-dir", out_dir]
    return args + engine.backend_args(settings)


# Where each stage of a run starts on the progress bar (percent). Generation fills most of the bar
# as tokens arrive; the rest are short. The bar moves only forward.
STAGE_START = {
    "start": 0,
    "ready": 4,
    "image": 6,
    "generate": 8,
    "execute": 60,
    "repair": 64,
    "ground": 67,
    "select": 72,
    "refine": 76,
    "size": 82,
    "build": 92,
    "done": 100,
}
STAGE_TEXT = {
    "start": "Starting the engine...",
    "ready": "Engine ready",
    "generate": "Generating the code",
    "execute": "Running the code in the sandbox",
    "repair": "Asking the model to fix the code",
    "ground": "Reading the part off the picture",
    "select": "Comparing the candidates with the picture",
    "refine": "Fitting the dimensions to the picture",
    "size": "Scaling to the known dimension and snapping",
    "build": "Building the part",
}
_TOKENS_HALF_WAY = 150  # tokens after which generation shows half of its share of the bar


class Progress:
    """Turns the engine's events into a status line and a percentage (stateful: a candidate event
    means one thing while generating and another while fitting, and counts are out of ``n``)."""

    def __init__(self, candidates: int) -> None:
        self.candidates = max(1, candidates)
        self.stage = "start"
        self.percent = 0
        self.tokens = 0

    def update(self, event: dict) -> tuple[str, int] | None:
        """(status line, percent) for ``event``, or None when it changes nothing shown."""
        kind = event.get("event")
        if kind == "ready":
            return self._at("ready", "Engine ready; reading the picture...")
        if kind == "image":
            note = f" ({event['message']})" if event.get("message") else ""
            return self._at("image", f"Picture {event.get('width')} x {event.get('height')}{note}")
        if kind == "stage":
            stage = str(event.get("stage", ""))
            backend = f" ({event['backend']})" if event.get("backend") else ""
            text = STAGE_TEXT.get(stage, stage.capitalize())
            return self._at(stage if stage in STAGE_START else self.stage, f"{text}...{backend}")
        if kind == "token" and self.stage == "generate":
            self.tokens += len(str(event.get("text", ""))) // 4 + 1
            share = self.tokens / (self.tokens + _TOKENS_HALF_WAY)
            span = STAGE_START["execute"] - STAGE_START["generate"]
            percent = STAGE_START["generate"] + int(span * share)
            if percent > self.percent:
                self.percent = percent
                return None  # the code view shows the tokens; only the bar moves
            return None
        if kind == "candidate":
            status = str(event.get("status"))
            detail = f": {event['message']}" if event.get("message") else ""
            if self.stage == "refine":
                return f"Fitted dimensions: {status}{detail}", self.percent
            if self.stage == "repair":
                return f"Repaired code: {status}{detail}", self.percent
            if self.stage == "ground":
                return f"Program read off the picture: {status}{detail}", self.percent
            index = int(event.get("index", 0)) + 1
            of = f" of {self.candidates}" if self.candidates > 1 else ""
            return f"Candidate {index}{of}: {status}{detail}", self.percent
        return None

    def _at(self, stage: str, text: str) -> tuple[str, int]:
        self.stage = stage
        self.percent = max(self.percent, STAGE_START.get(stage, self.percent))
        return text, self.percent


def describe_event(event: dict) -> str | None:
    """The status line for a progress event, None for events that are not progress."""
    kind = event.get("event")
    if kind == "stage":
        stage = str(event.get("stage", "")).capitalize()
        backend = f" ({event['backend']})" if event.get("backend") else ""
        return f"{stage}...{backend}"
    if kind == "candidate":
        index = int(event.get("index", 0)) + 1
        detail = f": {event['message']}" if event.get("message") else ""
        return f"Candidate {index}: {event.get('status')}{detail}"
    return None


def run_image2cad(image_path: str, settings: Settings, context: JobContext, size: str = "") -> ImageJobResult:
    """Generate code for the picture (sized to ``size`` when one is given) and run it; the
    overlay and the choices' thumbnails land in a new temporary folder. Raises ImageJobError or
    JobCancelled."""
    progress = Progress(settings.candidates)
    out_dir = tempfile.mkdtemp(prefix="cadcoder-run-")
    result, events = run_engine_command(
        image2cad_args(image_path, settings, size=size, out_dir=out_dir), settings, context, progress=progress
    )
    if result.get("status") != "ok" or not result.get("code"):
        raise ImageJobError(f"{result.get('status')}: {result.get('message')}")
    _report(context, progress._at("build", "Building the part..."))
    execution = engine.run(result["code"], settings)
    context.check()
    if not execution.ok:
        raise ImageJobError(f"the code ran in the engine but not here: {engine.describe(execution)}")
    return ImageJobResult(
        result["code"],
        result.get("volume"),
        execution,
        tuple(events),
        match=result.get("match"),
        low_match=bool(result.get("low_match")),
        match_note=str(result.get("match_note") or ""),
        size=result.get("size"),
        choices=tuple(c for c in result.get("choices") or () if isinstance(c, dict) and c.get("code")),
        overlay=(result.get("files") or {}).get("overlay"),
    )


def size_summary(report: dict | None, most: int = 3) -> str:
    """One short paragraph on what the size stage did (the ``size`` key of ``image2cad --json``):
    the extents reached, the first ``most`` snaps by name and how many more, how many values a snap
    would have moved too far from the picture; or why the part was not sized. ``size_details``
    lists everything."""
    if not report:
        return ""
    if report.get("status") != "ok":
        return f"Not sized ({report.get('spec')}): {report.get('message') or 'unknown reason'}."
    extents = " x ".join(f"{v:.4g}" for v in report.get("bbox_mm") or ())
    text = f"Sized to {report.get('spec')} mm: {extents} mm."
    snapped = report.get("snapped") or []
    if snapped:
        moves = ", ".join(_snap_text(s) for s in snapped[:most])
        more = f" and {len(snapped) - most} more" if len(snapped) > most else ""
        text += f" Snapped {moves}{more}."
    elif report.get("match_before_snap") is not None:
        text += " Nothing snapped."
    rejected = report.get("rejected") or []
    if rejected:
        tolerance = float(report.get("snap_tolerance") or 0.0)
        values = "value" if len(rejected) == 1 else "values"
        text += (
            f" {len(rejected)} {values} kept: a snap would change the match by more than"
            f" {tolerance * 100:g} points or move the size you gave."
        )
    return text


def size_details(report: dict | None) -> str:
    """Every snap and every refused snap, one per line (the size report's tooltip)."""
    if not report or report.get("status") != "ok":
        return ""
    lines = [f"snapped {_snap_text(s)} ({s.get('rule')})" for s in report.get("snapped") or []]
    lines += [
        f"kept {s.get('name')} {s.get('before'):.4g} (not {s.get('after'):.4g})"
        for s in report.get("rejected") or []
    ]
    return "\n".join(lines)


def _snap_text(snap: dict) -> str:
    return f"{snap.get('name')} {snap.get('before'):.4g} -> {snap.get('after'):.4g}"


def _report(context: JobContext, shown: tuple[str, int] | None) -> None:
    if shown is not None:
        context.progress(shown[0])
        context.event({"event": "progress", "percent": shown[1], "text": shown[0]})


def run_engine_command(
    args: list[str], settings: Settings, context: JobContext, progress: Progress | None = None
) -> tuple[dict, list[dict]]:
    """Run ``cadcoder ARGS`` (a command with ``--events``), relaying its events to ``context``;
    returns its final ``result`` event and all events. ImageJobError when it gives no result or
    the settings cannot work, JobCancelled on Cancel; the generation timeout bounds it. The
    process is the warm standby when there is one (``engine.start_cli``); its pid goes out as an
    ``engine`` event, and Cancel kills its process group."""
    problem = settings.problem()
    if problem:
        raise ImageJobError(problem)
    if not engine.engine_installed(settings):
        raise ImageJobError(engine.not_installed_message(settings))
    progress = progress or Progress(settings.candidates)
    _report(context, progress._at("start", "Starting the engine..."))
    proc = engine.start_cli(settings, args)
    context.event({"event": "engine", "pid": proc.pid})
    lines: queue.Queue[bytes | None] = queue.Queue()
    stderr_tail: deque[str] = deque(maxlen=_STDERR_LINES)
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, _keeper(stderr_tail)), daemon=True),
    ]
    for reader in readers:
        reader.start()
    events: list[dict] = []
    deadline = time.monotonic() + settings.generation_timeout
    try:
        while True:
            if context.cancelled:
                raise JobCancelled("cancelled")
            if time.monotonic() > deadline:
                raise ImageJobError(f"no answer within {settings.generation_timeout:g} s (see Preferences)")
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            event = _parse(line)
            if event is None:
                stderr_tail.append(line.decode(errors="replace"))
                continue
            events.append(event)
            _relay(event, context, progress)
    finally:
        if proc.poll() is None:
            _kill(proc)
        proc.wait()
        for reader in readers:
            reader.join(timeout=5)
    result = next((e for e in reversed(events) if e.get("event") == "result"), None)
    if result is None:
        tail = "".join(stderr_tail).strip().splitlines()
        why = tail[-1] if tail else f"exit status {proc.returncode}"
        raise ImageJobError(f"the engine gave no result: {why}")
    return result, events


def _relay(event: dict, context: JobContext, progress: Progress) -> None:
    context.event(event)
    if event.get("event") == "token" and event.get("candidate", 0) == 0:
        context.text(str(event.get("text", "")))
    before = progress.percent
    shown = progress.update(event)
    if shown is None and progress.percent != before:
        context.event({"event": "progress", "percent": progress.percent, "text": ""})
    _report(context, shown)


def _parse(line: bytes) -> dict | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None  # a library's warning on stdout is not an event
    return event if isinstance(event, dict) and "event" in event else None


def _keeper(tail: deque[str]):
    def keep(line: bytes | None) -> None:
        if line is not None:
            tail.append(line.decode(errors="replace"))

    return keep


def _pump(stream, put) -> None:
    for line in iter(stream.readline, b""):
        put(line)
    put(None)


def _kill(proc: subprocess.Popen) -> None:
    engine.kill_process_group(proc)
