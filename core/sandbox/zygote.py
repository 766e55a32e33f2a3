"""The warm worker ("zygote"): imports CadQuery once, then forks one confined child per job.

Started by :class:`core.sandbox.pool.SandboxPool` as ``<venv python> -I -c <bootstrap> <repo>``.
It speaks frames on its original stdin/stdout (moved to private descriptors; fd 0 becomes
``/dev/null`` and fd 1 a copy of stderr so stray C++ output cannot corrupt the protocol).

A child is always forked ahead of time (the "spare"): it confines itself and waits for a job on
its own pipe, so neither fork nor confinement is on a job's critical path. Per job the zygote
hands the job to the spare and meanwhile reads the child's result pipe under a size cap, watches
its exit through a pidfd, kills its whole process group at the deadline, and turns exit status
and ``rusage`` into a status: deadline or SIGXCPU -> ``timeout``; death with peak memory near the
limit -> ``memory``; any other signal -> ``crashed``. A complete answer is validated and forwarded
at once; reaping the child, removing its directory and forking the next spare come after.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from core.sandbox.bounds import bound_result
from core.sandbox.framing import FrameError, FrameReader, FrameTooLarge, encode_frame, read_frame, write_frame
from core.sandbox.limits import MIB
from core.sandbox.read_roots import read_roots
from core.sandbox.result import ExecutionResult, Status

SETTINGS_FRAME_LIMIT = 1 << 20
JOB_FRAME_LIMIT = 64 * MIB
# A job killed by a signal whose peak memory grew by this share of its allowance ran out of memory.
MEMORY_SHARE = 0.85


@dataclass
class Spare:
    """A forked child waiting for its job."""

    pid: int
    job_fd: int
    result_fd: int
    job_dir: str
    base_rss: int
    reaped: bool = False

    @classmethod
    def fork(cls, settings: dict[str, Any], base_dir: str, protocol_fds: list[int]) -> Spare:
        from core.sandbox.job import serve_one

        job_dir = tempfile.mkdtemp(prefix="job-", dir=base_dir)
        base_rss = _resident_bytes()
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(job_w)
            os.close(result_r)
            serve_one(settings, job_dir, job_r, result_w, protocol_fds)
        os.close(job_r)
        os.close(result_w)
        with contextlib.suppress(OSError):  # the child got there first, or already exited
            os.setpgid(pid, pid)
        return cls(pid, job_w, result_r, job_dir, base_rss)

    def send(self, payload: bytes) -> None:
        """Write the job and close the pipe (the child reads exactly one frame)."""
        view = memoryview(payload)
        while view:
            view = view[os.write(self.job_fd, view) :]
        os.close(self.job_fd)
        self.job_fd = -1

    def finish(self) -> None:
        """Kill whatever is left of the child, reap it, remove its directory."""
        if not self.reaped:
            # Unreaped, the pid (and so the group id) cannot have been reused by another process.
            _kill_group(self.pid)
            os.waitpid(self.pid, 0)
            self.reaped = True
        for fd in (self.job_fd, self.result_fd):
            if fd >= 0:
                os.close(fd)
        self.job_fd = self.result_fd = -1
        try:
            shutil.rmtree(self.job_dir, onerror=_force_remove)
        except OSError as exc:
            print(f"cadcoder sandbox: could not remove {self.job_dir}: {exc}", file=sys.stderr)


@dataclass
class ChildOutcome:
    status: int | None
    rusage: Any
    frame: dict[str, Any] | None
    timed_out: bool
    problem: str | None
    elapsed: float


def main() -> None:
    proto_in, proto_out = _take_protocol_fds()
    hello = read_frame(proto_in, max_bytes=SETTINGS_FRAME_LIMIT)
    if hello is None:
        return
    settings = hello["settings"]
    base_dir = tempfile.mkdtemp(prefix="cadcoder-sandbox-")
    os.environ["HOME"] = base_dir
    ready = warm_up()
    settings["read_roots"] = read_roots(_repo_root())
    ready.update(pid=os.getpid(), python=sys.version.split()[0], base_dir=base_dir)
    # Objects created so far are never freed: keep the GC from touching (and copying) their pages
    # in every forked child.
    gc.freeze()
    protocol_fds = [proto_in, proto_out]
    spare = Spare.fork(settings, base_dir, protocol_fds)
    write_frame(proto_out, {"ready": ready})
    try:
        while True:
            job = read_frame(proto_in, max_bytes=JOB_FRAME_LIMIT)
            if job is None:
                break
            result, used = run_job(job, spare, settings, base_dir, protocol_fds)
            write_frame(proto_out, {"id": job.get("id"), "result": result})
            # Fork first: the used child (already killed) is torn down by the kernel meanwhile.
            spare = Spare.fork(settings, base_dir, protocol_fds)
            used.finish()
    finally:
        spare.finish()
        shutil.rmtree(base_dir, onerror=_force_remove)


def _repo_root() -> str:
    """The checkout this zygote runs from (only its ``core`` package is readable by jobs)."""
    import core

    return os.path.dirname(os.path.realpath(next(iter(core.__path__))))


def _take_protocol_fds() -> tuple[int, int]:
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto_in, proto_out


def warm_up() -> dict[str, Any]:
    """Import and exercise what every job needs, so children inherit it instead of loading it.

    Only single-threaded OCCT code runs here: a thread pool started in the zygote would not exist
    in its forked children (booleans, which start OCCT's pool, run in children only).
    """
    import cadquery as cq

    import core.sandbox.job  # the code every child runs
    from core.geometry.properties import export_bytes, solid_properties
    from core.sandbox import landlock

    box = cq.Workplane("XY").box(1, 1, 1).val()
    solid_properties(box.wrapped)
    export_bytes(box.wrapped, "brep")
    tessellate = True
    try:
        import core.geometry.tessellate  # noqa: F401 - preloaded for "mesh" outputs
    except ModuleNotFoundError as exc:
        if exc.name != "core.geometry.tessellate":
            raise
        tessellate = False
    return {"landlock_abi": landlock.abi_version(), "tessellate": tessellate, "cadquery": cq.__version__}


def run_job(
    job: dict[str, Any], spare: Spare, settings: dict[str, Any], base_dir: str, protocol_fds: list[int]
) -> tuple[dict[str, Any], Spare]:
    """Hand ``job`` to the spare (a fresh one if it died idle); returns the result and the child used."""
    timeout = float(job["timeout"])
    payload = encode_frame(job)
    try:
        spare.send(payload)
    except BrokenPipeError:  # the spare died while idle (killed, or could not confine itself)
        spare.finish()
        spare = Spare.fork(settings, base_dir, protocol_fds)
        with contextlib.suppress(BrokenPipeError):  # dead again: its own answer says why
            spare.send(payload)
    start = time.monotonic()
    outcome = _supervise(spare.pid, spare.result_fd, start, timeout, int(settings["max_result_mb"]) * MIB)
    spare.reaped = outcome.status is not None
    result = bound_result(
        _classify(outcome, timeout, settings, spare.base_rss), int(settings["stdout_limit"])
    )
    return result.to_json(include_geometry=True), spare


def _supervise(pid: int, read_fd: int, start: float, timeout: float, max_bytes: int) -> ChildOutcome:
    """Wait for a complete answer, the child's end, or the deadline, whichever comes first."""
    reader = FrameReader(max_bytes)
    problem: str | None = None
    frame: dict[str, Any] | None = None
    timed_out = False
    pidfd = _pidfd(pid)
    poller = select.poll()
    poller.register(read_fd, select.POLLIN)
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)
    exited = False
    pipe_open = True
    try:
        while not exited and frame is None and problem is None:
            remaining = start + timeout - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            slice_ms = int(remaining * 1000) + 1 if pidfd is not None else min(int(remaining * 1000) + 1, 20)
            events = dict(poller.poll(slice_ms))
            if read_fd in events and pipe_open:
                pipe_open, problem = _read_some(read_fd, reader)
                if not pipe_open:
                    poller.unregister(read_fd)
                frame, problem = _take_frame(reader, problem)
            if pidfd is not None:
                exited = pidfd in events
            elif frame is None and problem is None:
                exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    finally:
        if pidfd is not None:
            os.close(pidfd)
    elapsed = time.monotonic() - start
    # Kill before reaping: an unreaped child keeps its pid, so the group id still names its group.
    # With an answer in hand nothing the child does matters any more, and killing it now lets the
    # kernel tear it down while the zygote forwards the answer (it is reaped after).
    _kill_group(pid)
    status = rusage = None
    if frame is None:
        _, status, rusage = os.wait4(pid, 0)
        if problem is None:
            frame, problem = _drain(read_fd, reader)
    return ChildOutcome(status, rusage, frame, timed_out, problem, elapsed)


def _read_some(fd: int, reader: FrameReader) -> tuple[bool, str | None]:
    """One read; returns (pipe still open, problem)."""
    chunk = os.read(fd, 1 << 20)
    if not chunk:
        return False, None
    try:
        reader.feed(chunk)
    except FrameTooLarge as exc:
        return False, f"the job's result is too large: {exc}"
    except FrameError as exc:
        return False, f"malformed result from the job: {exc}"
    return True, None


def _take_frame(reader: FrameReader, problem: str | None) -> tuple[dict[str, Any] | None, str | None]:
    if problem is not None:
        return None, problem
    try:
        return reader.frame(), None
    except FrameError as exc:
        return None, f"malformed result from the job: {exc}"


def _drain(fd: int, reader: FrameReader) -> tuple[dict[str, Any] | None, str | None]:
    """What a dead child wrote before it ended; non-blocking in case something outside its process
    group still holds the write end."""
    os.set_blocking(fd, False)
    pipe_open, problem = True, None
    with contextlib.suppress(BlockingIOError):
        while pipe_open and problem is None:
            pipe_open, problem = _read_some(fd, reader)
    return _take_frame(reader, problem)


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # old kernel: fall back to polling wait4 every 20 ms


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _classify(
    outcome: ChildOutcome, timeout: float, settings: dict[str, Any], base_rss: int
) -> ExecutionResult:
    if outcome.frame is not None:
        try:
            result = ExecutionResult.from_json(outcome.frame)
        except (KeyError, TypeError, ValueError) as exc:
            result = ExecutionResult(Status.CRASHED, message=f"malformed result from the job: {exc}")
        result.elapsed = outcome.elapsed
        return result
    status = outcome.status or 0
    usage = outcome.rusage
    peak_growth = max(0, usage.ru_maxrss * 1024 - base_rss) if usage is not None else 0
    cpu = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
    allowance = int(settings["memory_mb"]) * MIB
    signalled = os.WIFSIGNALED(status)
    sig = os.WTERMSIG(status) if signalled else None
    if outcome.timed_out:
        result = ExecutionResult(
            Status.TIMEOUT, message=f"the script ran longer than the time limit of {timeout:g} s"
        )
    elif sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= timeout):
        result = ExecutionResult(
            Status.TIMEOUT, message=f"the script used more CPU time than the limit of {timeout:g} s"
        )
    elif signalled and peak_growth >= MEMORY_SHARE * allowance:
        result = ExecutionResult(
            Status.MEMORY,
            message=f"the script ran out of memory (limit {settings['memory_mb']} MiB) and was killed",
        )
    elif signalled:
        result = ExecutionResult(Status.CRASHED, message=f"the job process was killed by {_signal_name(sig)}")
    elif outcome.problem is not None:
        result = ExecutionResult(Status.CRASHED, message=outcome.problem)
    else:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
        result = ExecutionResult(
            Status.CRASHED, message=f"the job process exited (code {code}) without a result"
        )
    result.elapsed = outcome.elapsed
    result.extra["cpu_s"] = round(cpu, 4)
    result.extra["peak_rss_growth_mb"] = round(peak_growth / MIB, 1)
    if sig is not None:
        result.extra["signal"] = _signal_name(sig)
    return result


def _signal_name(sig: int | None) -> str:
    try:
        return signal.Signals(sig).name if sig is not None else "a signal"
    except ValueError:
        return f"signal {sig}"


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _force_remove(func: Any, path: str, exc_info: Any) -> None:
    """A script may leave read-only directories; make them writable and try once more."""
    parent = os.path.dirname(path)
    os.chmod(parent, 0o700)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
    func(path)


if __name__ == "__main__":
    main()
