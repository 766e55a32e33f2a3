"""Reads are confined by two layers that do not depend on the static policy (it is off here).

A program that holds ``os`` still cannot open files outside the interpreter, site-packages, the
system libraries and its job directory: the audit hook refuses Python's opens (``open``,
``io.open_code``, ``os.open``) and listings, and Landlock refuses every open in the kernel —
including OCCT's C++ readers, which no audit hook sees. Each layer is shown alone: the hook in a pool
without Landlock, Landlock on a C++ read the hook cannot see. Legitimate reads keep working.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.sandbox import SandboxConfig, SandboxPool, Status

HEAD = "import cadquery as cq\n"
OS = "cq.occ_impl.exporters.os"
SIZE = (7, 11, 13)  # the planted STEP's box: its volume (1001) would show a successful read


@pytest.fixture(scope="module")
def hook_only_pool() -> Iterator[SandboxPool]:
    """Static policy and Landlock off: the audit hook is the only read layer."""
    with SandboxPool(SandboxConfig(workers=1, static_check=False, landlock=False)) as pool:
        assert pool.wait_ready(180), "sandbox workers did not start"
        yield pool


@pytest.fixture(scope="module")
def planted(hook_only_pool: SandboxPool) -> Iterator[Path]:
    """A directory outside any job with a text secret and a real STEP model."""
    root = Path(tempfile.mkdtemp(prefix="cadcoder-planted-"))
    (root / "secret.txt").write_text("TOKEN" + secrets.token_hex(8))
    made = hook_only_pool.run(
        HEAD + "solid = cq.Workplane().box({}, {}, {})".format(*SIZE), outputs=("step",)
    )
    assert made.ok and made.step, made.message
    (root / "model.step").write_bytes(made.step)
    yield root
    shutil.rmtree(root)


def _landlock_abi(pool: SandboxPool) -> int:
    abi = pool.run(HEAD + "solid = cq.Workplane().box(1, 1, 1)").extra["containment"]["landlock_abi"]
    return abi if isinstance(abi, int) else 0


def test_the_audit_hook_alone_refuses_python_reads(hook_only_pool: SandboxPool, planted: Path) -> None:
    secret = planted / "secret.txt"
    cases = [
        (f"fd = {OS}.open('{secret}', 0)\nraise ValueError({OS}.read(fd, 100))", "SandboxViolation"),
        (f"raise ValueError({OS}.sys.modules['io'].open('{secret}', 'rb').read())", "SandboxViolation"),
        (f"print({OS}.listdir('{planted}'))", "SandboxViolation"),
        (
            f"d = {OS}.open({OS}.path.dirname({OS}.__file__), 0)\n"
            f"fd = {OS}.open('../../../../../../../..{secret}', 0, dir_fd=d)",
            "SandboxViolation",
        ),
        (f"fd = {OS}.open('/proc/{{}}/environ'.format({OS}.getppid()), 0)", "SandboxViolation"),
        # linecache swallows the refusal: the line comes back empty
        (f"raise ValueError({OS}.sys.modules['linecache'].getline('{secret}', 1) or 'empty')", "empty"),
    ]
    for code, expected in cases:
        result = hook_only_pool.run(HEAD + code)
        assert result.status is Status.RUNTIME_ERROR, (code, result.message)
        assert expected in result.message and "TOKEN" not in result.message, (code, result.message)


def test_the_audit_hook_cannot_see_occt_reading(hook_only_pool: SandboxPool, planted: Path) -> None:
    """Why Landlock is needed: without it, OCCT's C++ reader gets the planted model."""
    result = hook_only_pool.run(HEAD + f"solid = cq.importers.importStep('{planted / 'model.step'}')")
    assert result.ok, result.message
    assert result.volume == pytest.approx(SIZE[0] * SIZE[1] * SIZE[2], rel=1e-6)


def test_landlock_refuses_occt_reading(open_pool: SandboxPool, planted: Path) -> None:
    if _landlock_abi(open_pool) < 1:
        pytest.skip("Landlock is not available here")
    result = open_pool.run(HEAD + f"solid = cq.importers.importStep('{planted / 'model.step'}')")
    assert result.status is Status.RUNTIME_ERROR, result.message
    assert result.volume is None


def test_landlock_refuses_reads_the_hook_would_also_refuse(open_pool: SandboxPool, planted: Path) -> None:
    """Both layers on: the hook answers first; the kernel's verdict is visible through OCCT's reader
    of plain files (BRep) that the hook never sees."""
    code = HEAD + (
        "s = cq.occ_impl.shapes.TopoDS_Shape()\n"
        f"ok = cq.occ_impl.shapes.BRepTools.Read_s(s, '{planted / 'secret.txt'}', cq.occ_impl.shapes.BRep_Builder())\n"
        "print(ok)\n"
    )
    if _landlock_abi(open_pool) < 1:
        pytest.skip("Landlock is not available here")
    result = open_pool.run(code)
    assert result.stdout.strip() == "False" and "TOKEN" not in result.stdout


def test_legitimate_reads_still_work(open_pool: SandboxPool) -> None:
    code = HEAD + (
        f"fd = {OS}.open('scratch.txt', {os.O_WRONLY | os.O_CREAT})\n"
        f"{OS}.write(fd, b'kept')\n"
        f"{OS}.close(fd)\n"
        f"fd = {OS}.open('scratch.txt', 0)\nprint({OS}.read(fd, 10).decode())\n"
        f"print({OS}.sys.modules['importlib'].import_module('colorsys').__name__)\n"
        f"print({OS}.cpu_count() >= 1)\n"
        "solid = cq.Workplane().text('Ab', 5, 1)\n"
    )
    result = open_pool.run(code)
    assert result.ok, result.message
    assert result.stdout.split() == ["kept", "colorsys", "True"]
    assert result.extra["containment"]["reads"] == "confined"
