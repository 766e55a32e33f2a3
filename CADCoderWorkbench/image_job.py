"""Image -> CadQuery code: the seam between the workbench and ``core.pipeline``.

The pipeline is heavy (Pillow, the model), so it runs in the engine's interpreter as
``cadcoder image2cad IMAGE --events``, whose JSON lines (stage, token, candidate, result) are the
contract. This job reads them as they come, relays them to the panel, honours Cancel and the
generation timeout by killing the process group, and finally runs the chosen code in the sandbox
so the GUI thread only has to put the BREP into the document. Standard library only.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass

from CADCoderWorkbench import engine
from CADCoderWorkbench.bootstrap import REPO_ROOT
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


def image2cad_args(image_path: str, settings: Settings) -> list[str]:
    """The CLI arguments for ``settings`` (the API key travels in the environment, not here)."""
    args = [
        "image2cad",
        image_path,
        "--events",
        "--n",
        str(settings.candidates),
        "--timeout",
        f"{settings.sandbox_timeout:g}",
    ]
    return args + engine.backend_args(settings)


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


def run_image2cad(image_path: str, settings: Settings, context: JobContext) -> ImageJobResult:
    """Generate code for the picture and run it; raises ImageJobError or JobCancelled."""
    result, events = run_engine_command(image2cad_args(image_path, settings), settings, context)
    if result.get("status") != "ok" or not result.get("code"):
        raise ImageJobError(f"{result.get('status')}: {result.get('message')}")
    context.progress("Building the part...")
    execution = engine.run(result["code"], settings)
    if not execution.ok:
        raise ImageJobError(f"the code ran in the engine but not here: {engine.describe(execution)}")
    return ImageJobResult(result["code"], result.get("volume"), execution, tuple(events))


def run_engine_command(args: list[str], settings: Settings, context: JobContext) -> tuple[dict, list[dict]]:
    """Run ``cadcoder ARGS`` (a command with ``--events``), relaying its events to ``context``;
    returns its final ``result`` event and all events. ImageJobError when it gives no result or
    the settings cannot work, JobCancelled on Cancel; the generation timeout bounds it."""
    problem = settings.problem()
    if problem:
        raise ImageJobError(problem)
    if not engine.engine_installed(settings):
        raise ImageJobError(engine.not_installed_message(settings))
    proc = subprocess.Popen(
        engine.cli_command(settings, args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(REPO_ROOT),
        env=engine.subprocess_environment(settings),
        start_new_session=True,  # Cancel kills the CLI and anything it started
    )
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
            _relay(event, context)
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


def _relay(event: dict, context: JobContext) -> None:
    context.event(event)
    if event.get("event") == "token" and event.get("candidate", 0) == 0:
        context.text(str(event.get("text", "")))
    status = describe_event(event)
    if status:
        context.progress(status)


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
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
