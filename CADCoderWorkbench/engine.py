"""The engine seen from FreeCAD: the project's ``.venv`` interpreter, its sandbox pool and its CLI.

CadQuery, the model and the pipeline live in that environment's processes, never in FreeCAD's (two
OCCT versions in one process crash). This module is the only place that knows how to reach them:
the sandbox pool for running code (``run``), and the ``cadcoder`` CLI for image -> code and model
edits (``cli_command``, ``backend_args``). Standard library and the light ``core.sandbox`` client only.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shlex
import signal
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from CADCoderWorkbench.bootstrap import REPO_ROOT
from CADCoderWorkbench.settings import Settings, finetuned_model_dir
from core.program.failure_text import explain_result
from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool, Status

SETUP_SCRIPT = REPO_ROOT / "scripts" / "setup.sh"
# FreeCAD's own library and module paths would make the engine load FreeCAD's OCCT or Python modules.
_FREECAD_ONLY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH", "LD_PRELOAD", "QT_PLUGIN_PATH")

_lock = threading.Lock()
_pool: SandboxPool | None = None


def engine_python(settings: Settings) -> Path:
    return Path(settings.engine_python) if settings.engine_python else REPO_ROOT / ".venv" / "bin" / "python"


def engine_installed(settings: Settings) -> bool:
    python = engine_python(settings)
    return python.is_file() and os.access(python, os.X_OK)


def setup_command() -> str:
    """What a user types to install the engine (shown verbatim in the first-use dialog)."""
    return f"cd {shlex.quote(str(REPO_ROOT))} && bash scripts/setup.sh"


def not_installed_message(settings: Settings) -> str:
    return (
        f"The CAD-Coder engine is not set up ({engine_python(settings)} is missing).\n"
        f"In a terminal run:\n\n    {setup_command()}"
    )


def subprocess_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for engine processes: the user's, without FreeCAD's library paths, with the
    API key from the preferences (when one is set there) where the remote client looks for it."""
    env = {
        k: v for k, v in (os.environ if base is None else base).items() if k not in _FREECAD_ONLY_VARIABLES
    }
    if settings.api_key:
        env["CADCODER_API_KEY"] = settings.api_key
    return env


def cli_command(settings: Settings, args: list[str]) -> list[str]:
    """``cadcoder ARGS`` run by the engine's interpreter (one setting chooses both pool and CLI)."""
    return [str(engine_python(settings)), "-m", "core.cli.main", *args]


def backend_args(settings: Settings) -> list[str]:
    """The CLI flags that choose the model (``image2cad`` and ``edit`` take the same); none for
    the shipped embedded model, ``--model`` the fine-tuned copy when the preferences say so. The
    API key is not among them: it travels in the environment."""
    if settings.backend == "remote":
        return ["--endpoint", settings.endpoint] + (
            ["--model-name", settings.model_name] if settings.model_name else []
        )
    if settings.backend == "local":
        return ["--model", settings.model_dir] + (
            ["--quantization", settings.quantization] if settings.quantization else []
        )
    if settings.finetuned:
        return ["--model", str(finetuned_model_dir())]
    return []


def follows_instructions(settings: Settings) -> bool:
    """Whether the configured backend can make free-form edits: remote endpoints are chat models;
    the embedded and local CAD-Coder checkpoints follow no instructions besides their task."""
    return settings.backend == "remote"


def sandbox_pool(settings: Settings) -> SandboxPool:
    """The workbench's pool: one warm worker of the configured interpreter, replaced when the
    preferences name another interpreter."""
    global _pool
    python = str(engine_python(settings))
    with _lock:
        if _pool is not None and _pool.config.python != python:
            _pool.close()
            _pool = None
        if _pool is None:
            _pool = SandboxPool(SandboxConfig(workers=1, python=python))
        return _pool


def warm_up(settings: Settings) -> None:
    """Start the sandbox worker (it imports CadQuery) and a standby ``cadcoder`` process (torch,
    the pipeline) now, on a background thread, so neither the first rebuild nor the first Run
    waits for imports and the GUI never does."""
    if engine_installed(settings):
        threading.Thread(target=_warm_up, args=(settings,), name="cadcoder-warm-up", daemon=True).start()


def _warm_up(settings: Settings) -> None:
    prepare_standby(settings)
    sandbox_pool(settings)


# -- the standby CLI process ------------------------------------------------------------------
# ``core.cli.standby`` imports everything a run needs and waits for one request on stdin; taking it
# instead of starting ``cadcoder`` cold saves the seconds (on a loaded machine, half a minute) of
# importing torch. One process, for one interpreter; a new one is started after each take.

_standby_lock = threading.Lock()
_standby: tuple[str, subprocess.Popen] | None = None


def _spawn_standby(settings: Settings) -> subprocess.Popen:
    plain = subprocess_environment(settings)
    plain.pop("CADCODER_API_KEY", None)  # sent with the request: the preferences may change
    return subprocess.Popen(
        [str(engine_python(settings)), "-m", "core.cli.standby"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(REPO_ROOT),
        env=plain,
        start_new_session=True,  # Cancel kills the run's whole process group
    )


def prepare_standby(settings: Settings) -> None:
    """Have a standby process of the configured interpreter running (start one if there is none)."""
    global _standby
    if not engine_installed(settings):
        return
    python = str(engine_python(settings))
    with _standby_lock:
        if _standby is not None and _standby[0] == python and _standby[1].poll() is None:
            return
        old, _standby = _standby, (python, _spawn_standby(settings))
    if old is not None:
        kill_process_group(old[1])


def standby_ready(settings: Settings) -> bool:
    """Whether a standby process of the configured interpreter has finished its imports (its
    ``ready`` line is waiting on its stdout; nothing is read)."""
    with _standby_lock:
        standby = _standby
    if standby is None or standby[0] != str(engine_python(settings)) or standby[1].poll() is not None:
        return False
    readable, _, _ = select.select([standby[1].stdout], [], [], 0)
    return bool(readable)


def start_cli(settings: Settings, args: list[str]) -> subprocess.Popen:
    """``cadcoder ARGS`` as a process with stdout/stderr pipes, in its own process group: the
    standby process when one of this interpreter is alive (then a new standby starts in the
    background), else a fresh one."""
    global _standby
    python = str(engine_python(settings))
    with _standby_lock:
        taken, _standby = _standby, None
    if taken is not None and taken[0] == python and taken[1].poll() is None:
        proc = taken[1]
        env = {"CADCODER_API_KEY": settings.api_key} if settings.api_key else {}
        try:
            proc.stdin.write((json.dumps({"args": args, "env": env}) + "\n").encode())
            proc.stdin.close()
        except OSError:
            kill_process_group(proc)
        else:
            threading.Thread(target=prepare_standby, args=(settings,), daemon=True).start()
            return proc
    elif taken is not None:
        kill_process_group(taken[1])
    threading.Thread(target=prepare_standby, args=(settings,), daemon=True).start()
    return subprocess.Popen(
        cli_command(settings, args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(REPO_ROOT),
        env=subprocess_environment(settings),
        start_new_session=True,
    )


def kill_process_group(proc: subprocess.Popen) -> None:
    """End ``proc`` and everything it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def run(code: str, settings: Settings) -> ExecutionResult:
    """Run ``code`` in the sandbox and wait (seconds for CadQuery, never raises for the code)."""
    if not engine_installed(settings):
        return ExecutionResult(Status.CRASHED, message=not_installed_message(settings))
    pool = sandbox_pool(settings)
    result = pool.run(code, timeout=settings.sandbox_timeout, outputs=("brep",))
    # A failure told as what to do (the part measured before the failing operation when that
    # helps); OCCT's own words stay in extra["detail"] for bug reports.
    sentence = explain_result(result, code, lambda probe: pool.run(probe, timeout=settings.sandbox_timeout))
    if sentence:
        result.extra["detail"], result.message = result.message, sentence
    return result


def describe(result: ExecutionResult) -> str:
    """One line for a status field or a panel: what happened and, for errors, where."""
    if result.ok:
        return f"ok: volume {result.volume:.6g} mm³" if result.volume is not None else "ok"
    return f"{result.status.value}: {result.message}"


def close() -> None:
    global _pool, _standby
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()
    with _standby_lock:
        standby, _standby = _standby, None
    if standby is not None:
        kill_process_group(standby[1])


atexit.register(close)
