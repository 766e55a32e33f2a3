"""The client: a thread-safe pool of warm zygote workers, as ``concurrent.futures`` futures.

Light (standard library only) so FreeCAD's own Python can use it; the workers are processes of
the project interpreter (``SandboxConfig.python``). One dispatcher thread per worker takes jobs
from a shared queue, so jobs run in parallel up to ``workers`` and queue beyond. The static
policy runs here, on the caller's thread, so refused code never costs a round trip. A worker that
dies, hangs past its deadline or answers garbage is killed and replaced before its next job.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import IO, Any

from core.sandbox.bounds import bound_result
from core.sandbox.config import SandboxConfig
from core.sandbox.framing import FrameError, FrameTimeout, read_frame, write_frame
from core.sandbox.result import OUTPUT_FORMATS, ExecutionResult, Status
from core.sandbox.verdicts import static_verdict
from core.version import REPO_ROOT

_BOOTSTRAP = "import sys; sys.path.insert(0, sys.argv[1]); from core.sandbox.zygote import main; main()"
_STDERR_TAIL = 2000


class SandboxClosed(RuntimeError):
    """``submit`` on a pool that was closed."""


class WorkerStartError(RuntimeError):
    """A worker process did not come up (wrong interpreter, CadQuery missing, crash on import)."""


def worker_environment(config: SandboxConfig) -> dict[str, str]:
    """Nothing inherited: FreeCAD's ``LD_LIBRARY_PATH``/``PYTHONPATH`` would load the wrong OCCT."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": tempfile.gettempdir(),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMBA_NUM_THREADS": "1",
    }
    env.update(config.extra_env)
    return env


def normalise_outputs(outputs: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(["brep", *outputs]))
    unknown = [o for o in wanted if o not in OUTPUT_FORMATS]
    if unknown:
        raise ValueError(f"unknown outputs {unknown} (choose from {list(OUTPUT_FORMATS)})")
    return wanted


@dataclass
class _Job:
    code: str
    timeout: float
    outputs: list[str]
    future: Future[ExecutionResult] = field(default_factory=Future)
    id: int = 0


class _Worker:
    """One zygote process and the thread that feeds it."""

    def __init__(self, pool: SandboxPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.ready = threading.Event()
        self.busy = False
        self.starts = 0
        self.thread = threading.Thread(target=self._loop, name=f"cadcoder-sandbox-{index}", daemon=True)

    # process management --------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, warm_up_only: bool = False) -> None:
        """Start (or restart) the zygote and wait until it is ready.

        ``warm_up_only``: the eager start at pool creation, which close() may abort.
        """
        config = self.pool.config
        self.stop()
        self.ready.clear()
        if warm_up_only and self.pool.closing:
            raise WorkerStartError("the sandbox pool is closing")
        # Lives as long as the worker process (closed in stop()).
        self.stderr = tempfile.TemporaryFile(prefix="cadcoder-sandbox-stderr-")  # noqa: SIM115
        self.starts += 1
        try:
            self.proc = subprocess.Popen(
                [config.interpreter, "-I", "-c", _BOOTSTRAP, str(REPO_ROOT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
                env=worker_environment(config),
                cwd="/",
                close_fds=True,
                start_new_session=True,
            )
        except OSError as exc:  # missing or unusable interpreter
            raise WorkerStartError(f"the sandbox worker could not be started: {exc}") from exc
        if warm_up_only and self.pool.closing:  # close() ran during Popen and could not see the process
            self.proc.kill()
        try:
            write_frame(self.proc.stdin.fileno(), {"settings": config.worker_settings()})
            deadline = time.monotonic() + config.startup_timeout
            hello = read_frame(self.proc.stdout.fileno(), max_bytes=1 << 20, deadline=deadline)
        except (OSError, FrameError) as exc:
            raise WorkerStartError(self._failure_text(f"the sandbox worker did not start ({exc})")) from exc
        if hello is None or "ready" not in hello:
            raise WorkerStartError(self._failure_text("the sandbox worker exited while starting"))
        self.info = hello["ready"]
        self.ready.set()

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):  # already broken: the process is gone or going
                    proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
            self._remove_leftovers()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def _remove_leftovers(self) -> None:
        """A zygote removes its directory when it exits normally; not when it was killed."""
        base_dir = self.info.get("base_dir")
        if base_dir and os.path.isdir(base_dir):
            try:
                shutil.rmtree(base_dir)
            except OSError as exc:
                warnings.warn(f"cadcoder sandbox: could not remove {base_dir}: {exc}", stacklevel=2)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self.stop()

    def _failure_text(self, headline: str) -> str:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait() if self.proc is not None else None
        tail = ""
        if self.stderr is not None:
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - _STDERR_TAIL))
            tail = self.stderr.read().decode("utf-8", "replace").strip()
        text = f"{headline}; exit code {code}"
        return f"{text}; stderr: {tail}" if tail else text

    # dispatch --------------------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            self.start(warm_up_only=True)
        except Exception:  # retried, and then reported as `crashed`, with the first job
            self.stop()
        while True:
            job = self.pool._queue.get()
            if job is None:
                break
            with self.pool._lock:
                if self.pool.closing:
                    job.future.cancel()
                    continue
                if not job.future.set_running_or_notify_cancel():
                    continue
                self.busy = True
            try:
                result = self._execute(job)
            except Exception as exc:  # a future must always get a result
                result = ExecutionResult(
                    Status.CRASHED, message=f"sandbox client error: {type(exc).__name__}: {exc}"
                )
            finally:
                self.busy = False
            job.future.set_result(bound_result(result, self.pool.config.stdout_limit))
        self.stop()

    def _execute(self, job: _Job) -> ExecutionResult:
        config = self.pool.config
        if not self.alive():
            try:
                self.start()
            except WorkerStartError as exc:
                return ExecutionResult(Status.CRASHED, message=str(exc))
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        frame = {"id": job.id, "code": job.code, "timeout": job.timeout, "outputs": job.outputs}
        try:
            write_frame(self.proc.stdin.fileno(), frame)
            deadline = time.monotonic() + job.timeout + config.grace_s
            answer = read_frame(
                self.proc.stdout.fileno(), max_bytes=config.max_result_mb << 20, deadline=deadline
            )
        except FrameTimeout:
            self.kill()
            return ExecutionResult(
                Status.TIMEOUT,
                message=f"the sandbox worker did not answer within {job.timeout + config.grace_s:g} s",
            )
        except (OSError, FrameError) as exc:
            message = self._failure_text(f"the sandbox worker failed ({exc})")
            self.stop()
            return ExecutionResult(Status.CRASHED, message=message)
        if answer is None or answer.get("id") != job.id or "result" not in answer:
            message = self._failure_text("the sandbox worker died during the job")
            self.stop()
            return ExecutionResult(Status.CRASHED, message=message)
        try:
            return ExecutionResult.from_json(answer["result"])
        except (KeyError, TypeError, ValueError) as exc:
            self.kill()
            return ExecutionResult(Status.CRASHED, message=f"malformed answer from the sandbox worker: {exc}")


class SandboxPool:
    """Run untrusted CadQuery in warm, confined worker processes.

    ``submit()`` returns a ``Future[ExecutionResult]`` and never raises for anything the code does;
    ``run()`` waits for it. Use as a context manager or call ``close()``.
    """

    def __init__(self, config: SandboxConfig | None = None, **overrides: Any) -> None:
        if config is not None and overrides:
            raise TypeError("pass either a SandboxConfig or keyword settings, not both")
        self.config = config or SandboxConfig(**overrides)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closed = False
        self.closing = False  # read by worker threads: skip or abort warm-ups
        self._workers = [_Worker(self, i) for i in range(self.config.workers)]
        for worker in self._workers:
            worker.thread.start()

    def submit(
        self, code: str, *, timeout: float | None = None, outputs: Iterable[str] = ("brep",)
    ) -> Future[ExecutionResult]:
        wanted = normalise_outputs(outputs)
        limit = float(timeout if timeout is not None else self.config.timeout)
        if limit <= 0:
            raise ValueError("timeout must be > 0")
        verdict = static_verdict(code, self.config.allowed_imports, self.config.static_check)
        with self._lock:
            if self._closed:
                raise SandboxClosed("the sandbox pool is closed")
            job = _Job(code=code, timeout=limit, outputs=wanted, id=next(self._ids))
            if verdict is not None:
                job.future.set_running_or_notify_cancel()
                job.future.set_result(bound_result(verdict, self.config.stdout_limit))
            else:
                self._queue.put(job)
        return job.future

    def run(
        self, code: str, *, timeout: float | None = None, outputs: Iterable[str] = ("brep",)
    ) -> ExecutionResult:
        return self.submit(code, timeout=timeout, outputs=outputs).result()

    def worker_pids(self) -> list[int | None]:
        """Process ids of the zygotes (diagnostics and tests)."""
        return [w.proc.pid if w.alive() and w.proc is not None else None for w in self._workers]

    def worker_info(self) -> list[dict[str, Any]]:
        """What each zygote reported when it became ready (Landlock ABI, CadQuery version, ...)."""
        return [dict(w.info) for w in self._workers]

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until every worker has reported ready (for benchmarks that time only warm jobs)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for worker in self._workers:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not worker.ready.wait(left):
                return False
        return True

    def close(self) -> None:
        """Cancel queued jobs, let running ones finish, stop the workers. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.closing = True
            while True:
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if pending is not None:
                    pending.future.cancel()
            for _ in self._workers:
                self._queue.put(None)
            # Closing must not wait for a warm-up nobody needs any more.
            for worker in self._workers:
                proc = worker.proc
                if not worker.busy and not worker.ready.is_set() and proc is not None and proc.poll() is None:
                    proc.kill()
        for worker in self._workers:
            if worker.thread is not threading.current_thread():
                worker.thread.join()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
