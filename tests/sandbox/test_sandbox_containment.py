"""Escapes are refused statically or stopped at run time, leave no trace, and the pool keeps serving.

The ``open_pool`` runs without the static policy, so every runtime test proves its layer alone.
"""

from __future__ import annotations

import ast
import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from core.sandbox import SandboxPool, Status

HEAD = "import cadquery as cq\n"
OS = "cq.occ_impl.exporters.os"  # a real path from CadQuery's module graph to `os`
BOX = HEAD + "solid = cq.Workplane().box(1, 1, 1)"


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """A file no job may create."""
    path = tmp_path / f"marker-{uuid.uuid4().hex}"
    assert not path.exists()
    return path


def assert_still_serving(pool: SandboxPool) -> None:
    result = pool.run(BOX)
    assert result.ok and result.volume == pytest.approx(1.0)


ESCAPES = [
    "import os\nos.system('touch {m}')",
    "import subprocess\nsubprocess.run(['touch', '{m}'])",
    "import socket",
    "import ctypes",
    "__import__('os').system('touch {m}')",
    "exec(\"open('{m}', 'w')\")",
    "eval(\"open('{m}', 'w')\")",
    "e = eval\ne(\"open('{m}', 'w')\")",
    "open('{m}', 'w').write('x')",
    "s = ().__class__.__base__.__subclasses__()",
    "def f():\n    pass\ng = f.__globals__",
    "b = __builtins__",
    "t = '{{0.__class__}}'.format(1)",
    HEAD + f"{OS}.system('touch {{m}}')",
    HEAD + "import cadquery.occ_impl.exporters as ex\nex.os.system('touch {m}')",
    HEAD + "cq.exporters.export(cq.Workplane().box(1, 1, 1), '{m}')",
    HEAD + "cq.Workplane().box(1, 1, 1).val().exportStep('{m}')",
    HEAD + "s = cq.importers.importStep('/etc/hostname')",
    HEAD + "cq.occ_impl.shapes.BRepTools.Write_s(cq.Workplane().box(1, 1, 1).val().wrapped, '{m}')",
    HEAD + f"{OS}.sys.exit(3)",
    "import sys\nsys.exit(0)",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_rejected_by_the_static_policy(pool: SandboxPool, marker: Path, template: str) -> None:
    result = pool.run(template.format(m=marker))
    assert result.status is Status.FORBIDDEN
    assert result.message.startswith("line ") and ": forbidden: " in result.message
    assert not marker.exists()


def test_audit_hook_refuses_os_system(open_pool: SandboxPool, marker: Path) -> None:
    result = open_pool.run(HEAD + f"{OS}.system('touch {marker}')")
    assert result.status is Status.RUNTIME_ERROR
    assert "os.system is not allowed" in result.message and result.line == 2
    assert not marker.exists()
    assert_still_serving(open_pool)


def test_audit_hook_refuses_subprocess_found_by_a_dunder_walk(open_pool: SandboxPool, marker: Path) -> None:
    code = (
        "popen = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0]\n"
        f"popen(['touch', '{marker}'])\n"
    )
    result = open_pool.run(code)
    assert result.status is Status.RUNTIME_ERROR
    assert "subprocess.Popen is not allowed" in result.message
    assert not marker.exists()


def test_audit_hook_refuses_fork(open_pool: SandboxPool) -> None:
    result = open_pool.run(HEAD + f"{OS}.fork()")
    assert result.status is Status.RUNTIME_ERROR and "os.fork is not allowed" in result.message


def test_restricted_builtins_and_guarded_import(open_pool: SandboxPool) -> None:
    assert "NameError: name 'open' is not defined" in open_pool.run("open('/etc/hostname')").message
    assert "NameError: name 'eval' is not defined" in open_pool.run("eval('1')").message
    result = open_pool.run("import os")
    assert result.status is Status.RUNTIME_ERROR and "import of 'os' is not allowed" in result.message
    assert "import of 'os' is not allowed" in open_pool.run("__import__('os')").message


def test_write_outside_the_job_directory_is_refused(open_pool: SandboxPool, marker: Path) -> None:
    result = open_pool.run(HEAD + f"fd = {OS}.open('{marker}', {os.O_WRONLY | os.O_CREAT})")
    assert result.status is Status.RUNTIME_ERROR
    assert "outside the job directory" in result.message
    assert not marker.exists()
    tmp = open_pool.run(HEAD + f"fd = {OS}.open('/tmp/cadcoder-sandbox-escape', {os.O_WRONLY | os.O_CREAT})")
    assert tmp.status is Status.RUNTIME_ERROR and "outside the job directory" in tmp.message


def test_occt_writes_outside_the_job_directory_are_refused_by_the_kernel(
    open_pool: SandboxPool, marker: Path
) -> None:
    """OCCT's C++ writer is invisible to the audit hook: Landlock stops it."""
    code = HEAD + (
        "box = cq.Workplane().box(1, 1, 1)\n"
        f"ok = cq.occ_impl.shapes.BRepTools.Write_s(box.val().wrapped, '{marker}')\n"
        "solid = box if not ok else None\n"
    )
    result = open_pool.run(code)
    info = result.extra.get("containment", {})
    if not isinstance(info.get("landlock_abi"), int) or info["landlock_abi"] < 1:
        pytest.skip(f"Landlock is not available here: {info.get('landlock_abi')}")
    assert result.ok, result.message
    assert not marker.exists()


def test_writes_inside_the_job_directory_work_and_vanish(open_pool: SandboxPool) -> None:
    code = HEAD + (
        f"fd = {OS}.open('scratch.txt', {os.O_WRONLY | os.O_CREAT})\n"
        f"{OS}.write(fd, b'data')\n"
        f"print({OS}.getcwd())\n"
        "solid = cq.Workplane().box(1, 1, 1)\n"
    )
    result = open_pool.run(code)
    assert result.ok, result.message
    job_dir = Path(result.stdout.strip())
    assert job_dir.name.startswith("job-")
    # The worker removes it right after answering, before it takes its next job.
    assert_still_serving(open_pool)
    assert not job_dir.exists()


def test_socket_to_localhost_fails(open_pool: SandboxPool) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        code = (
            "sock = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'socket'][0]\n"
            f"s = sock()\ns.connect(('127.0.0.1', {port}))\n"
        )
        result = open_pool.run(code)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing ever connected
    assert result.status is Status.RUNTIME_ERROR and "socket" in result.message


def test_network_namespace_reported(open_pool: SandboxPool) -> None:
    network = open_pool.run(BOX).extra["containment"]["network"]
    if network.startswith("unavailable"):
        pytest.skip(f"the kernel refuses network namespaces here: {network}")
    assert network in ("netns", "userns+netns")


def test_environment_is_scrubbed(open_pool: SandboxPool) -> None:
    result = open_pool.run(HEAD + f"print(sorted({OS}.environ))\nsolid = cq.Workplane().box(1, 1, 1)")
    assert result.ok
    keys = set(ast.literal_eval(result.stdout))
    assert keys <= {"PATH", "HOME", "LANG", "TMPDIR", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"}


def test_sys_exit_is_just_an_error(open_pool: SandboxPool) -> None:
    result = open_pool.run(HEAD + f"{OS}.sys.exit(3)")
    assert result.status is Status.RUNTIME_ERROR and "SystemExit" in result.message
    assert_still_serving(open_pool)


def test_segfault_is_crashed_and_the_next_job_runs(open_pool: SandboxPool) -> None:
    result = open_pool.run("import faulthandler\nfaulthandler._sigsegv()")
    assert result.status is Status.CRASHED
    assert "SIGSEGV" in result.message
    assert_still_serving(open_pool)


def test_memory_bomb_at_once(open_pool: SandboxPool) -> None:
    result = open_pool.run("x = bytearray(8 * 1024 ** 3)")
    assert result.status is Status.MEMORY and result.line == 1
    assert_still_serving(open_pool)


def test_memory_bomb_growing(open_pool: SandboxPool) -> None:
    result = open_pool.run(
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 ** 2))\n", timeout=20
    )
    assert result.status is Status.MEMORY
    assert_still_serving(open_pool)


def test_file_size_limit(open_pool: SandboxPool) -> None:
    code = HEAD + (
        f"fd = {OS}.open('big.bin', {os.O_WRONLY | os.O_CREAT})\n"
        f"for i in range(8):\n    {OS}.write(fd, bytes(1024 ** 2))\n    print(i)\n"
    )
    result = open_pool.run(code)  # the pool allows 4 MiB files
    assert result.status is Status.RUNTIME_ERROR and "File too large" in result.message
    assert result.stdout.split() == ["0", "1", "2", "3"]


def test_infinite_loop_times_out(pool: SandboxPool) -> None:
    result = pool.run("while True:\n    pass\n", timeout=1)
    assert result.status is Status.TIMEOUT
    assert 1.0 <= result.elapsed < 5.0  # killed at the deadline, not left running
    assert_still_serving(pool)


def test_runaway_booleans_time_out(pool: SandboxPool) -> None:
    code = HEAD + (
        "pins = cq.Workplane().polarArray(10, 0, 360, 5000).circle(0.5).extrude(3)\n"
        "solid = cq.Workplane().cylinder(2, 12)\n"
        "for pin in pins.vals():\n    solid = solid.union(cq.Workplane().add(pin))\n"
    )
    result = pool.run(code, timeout=2)
    assert result.status is Status.TIMEOUT
    assert_still_serving(pool)


def test_nothing_keeps_running_after_the_answer(open_pool: SandboxPool) -> None:
    """A thread that never ends and an ignored SIGTERM do not outlive the job's answer."""
    code = HEAD + (
        f"{OS}.sys.modules['signal'].signal(15, 1)\n"
        f"{OS}.sys.modules['_thread'].start_new_thread(lambda: [x for x in iter(int, 1)], ())\n"
        f"print({OS}.getpid())\n"
        "solid = cq.Workplane().box(1, 1, 1)\n"
    )
    result = open_pool.run(code)
    assert result.ok, result.message
    pid = int(result.stdout)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()
