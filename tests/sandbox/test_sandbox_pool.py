"""The client: futures, concurrency, worker replacement, hung workers, closing."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from core.sandbox import SandboxClosed, SandboxConfig, SandboxPool, Status, run_code

BOX = "import cadquery as cq\nsolid = cq.Workplane().box({0}, {0}, {0})"


@pytest.fixture(scope="module")
def fragile_pool() -> Iterator[SandboxPool]:
    """One worker with a short grace period, for tests that kill or freeze it."""
    with SandboxPool(SandboxConfig(workers=1, grace_s=1.0)) as p:
        assert p.wait_ready(180)
        yield p


def test_submit_returns_futures_that_complete_in_parallel(pool: SandboxPool) -> None:
    futures = [pool.submit(BOX.format(i)) for i in range(1, 9)]
    assert all(isinstance(f, Future) for f in futures)
    volumes = [f.result(timeout=60).volume for f in futures]
    assert volumes == pytest.approx([i**3 for i in range(1, 9)])


def test_thread_safe_from_many_callers(pool: SandboxPool) -> None:
    with ThreadPoolExecutor(6) as callers:
        results = list(callers.map(lambda i: pool.run(BOX.format(i)), range(1, 13)))
    assert [r.volume for r in results] == pytest.approx([i**3 for i in range(1, 13)])


def test_two_workers_run_at_the_same_time(pool: SandboxPool) -> None:
    # No timing threshold (a loaded CI machine would make one flaky): a short job submitted after a
    # long one finishes while the long one is still running, which a single queue could not do.
    long = "import cadquery as cq\nx = 0\nfor i in range(20_000_000):\n    x += i\nsolid = cq.Workplane().box(1, 1, 1)"
    short = "import cadquery as cq\nsolid = cq.Workplane().box(1, 1, 1)"
    slow = pool.submit(long)
    quick = pool.submit(short)
    assert quick.result().ok
    assert not slow.done()
    assert slow.result().ok


def test_bad_arguments_raise(pool: SandboxPool) -> None:
    with pytest.raises(ValueError, match="unknown outputs"):
        pool.submit("x = 1", outputs=("obj",))
    with pytest.raises(ValueError, match="timeout"):
        pool.submit("x = 1", timeout=0)


def test_dead_worker_is_replaced(fragile_pool: SandboxPool) -> None:
    (pid,) = fragile_pool.worker_pids()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    result = fragile_pool.run(BOX.format(2))
    assert result.ok and result.volume == pytest.approx(8)
    assert fragile_pool.worker_pids()[0] not in (None, pid)


def test_hung_worker_is_killed_and_replaced(fragile_pool: SandboxPool) -> None:
    (pid,) = fragile_pool.worker_pids()
    os.kill(pid, signal.SIGSTOP)
    try:
        result = fragile_pool.run(BOX.format(1), timeout=1)
    finally:
        with contextlib.suppress(ProcessLookupError):  # normally the pool killed it already
            os.kill(pid, signal.SIGCONT)
    assert result.status is Status.TIMEOUT and "did not answer" in result.message
    assert fragile_pool.run(BOX.format(3)).volume == pytest.approx(27)


def test_worker_that_cannot_start_gives_crashed() -> None:
    with SandboxPool(SandboxConfig(python="/bin/false")) as broken:
        result = broken.run(BOX.format(1))
    assert result.status is Status.CRASHED
    assert "did not start" in result.message or "exited while starting" in result.message


def test_policy_verdicts_need_no_worker() -> None:
    with SandboxPool(SandboxConfig(python="/bin/false")) as broken:
        assert broken.run("import os").status is Status.FORBIDDEN


def test_close_cancels_queued_jobs_and_refuses_new_ones() -> None:
    busy = SandboxPool(SandboxConfig(workers=1))
    futures = [busy.submit(BOX.format(i)) for i in range(1, 30)]
    busy.close()
    assert any(f.cancelled() for f in futures)
    assert all(f.result().ok for f in futures if not f.cancelled())
    with pytest.raises(SandboxClosed):
        busy.submit(BOX.format(1))
    busy.close()  # idempotent


def test_run_code_uses_a_shared_pool() -> None:
    result = run_code(BOX.format(2), timeout=30)
    assert result.ok and result.volume == pytest.approx(8)


def test_spare_job_process_that_died_idle_is_replaced(fragile_pool: SandboxPool) -> None:
    """The worker keeps one forked job process waiting; if it dies, the next job gets a fresh one."""
    (pid,) = fragile_pool.worker_pids()
    deadline = time.monotonic() + 10
    spares: list[str] = []
    while not spares and time.monotonic() < deadline:
        spares = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        time.sleep(0.01)
    assert len(spares) == 1
    os.kill(int(spares[0]), signal.SIGKILL)
    while Path(f"/proc/{spares[0]}/stat").read_text().split(") ")[1][0] != "Z":  # dead, not yet reaped
        time.sleep(0.01)
    result = fragile_pool.run(BOX.format(2))
    assert result.ok and result.volume == pytest.approx(8)
    assert fragile_pool.worker_pids() == [pid]


def test_missing_interpreter_gives_crashed_not_a_hang() -> None:
    with SandboxPool(SandboxConfig(python="/nonexistent/python3")) as broken:
        result = broken.submit(BOX.format(1)).result(timeout=30)
    assert result.status is Status.CRASHED and "could not be started" in result.message
