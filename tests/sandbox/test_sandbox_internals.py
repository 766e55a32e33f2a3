"""Pure pieces of the sandbox, in-process: frames, output capture, builtins, audit decisions, verdicts."""

from __future__ import annotations

import os
import resource
import signal
import time
from types import SimpleNamespace

import pytest

from core.sandbox import ExecutionResult, SandboxConfig, Status
from core.sandbox.audit import SandboxViolation, make_hook
from core.sandbox.capture import CappedText
from core.sandbox.framing import (
    FrameError,
    FrameReader,
    FrameTimeout,
    FrameTooLarge,
    encode_frame,
    read_frame,
)
from core.sandbox.safe_builtins import make_builtins
from core.sandbox.solid import NoSolid, pick_candidate
from core.sandbox.zygote import ChildOutcome, _classify

SETTINGS = SandboxConfig().worker_settings()


def test_frames_round_trip_across_chunk_boundaries() -> None:
    data = encode_frame({"a": 1, "b": "x" * 1000}) + encode_frame({"c": [1, 2]})
    reader = FrameReader(max_bytes=10_000)
    frames = []
    for i in range(len(data)):
        reader.feed(data[i : i + 1])
        frame = reader.frame()
        if frame is not None:
            frames.append(frame)
    assert frames == [{"a": 1, "b": "x" * 1000}, {"c": [1, 2]}]


def test_frame_limits_and_garbage() -> None:
    with pytest.raises(FrameTooLarge):
        FrameReader(max_bytes=10).feed(encode_frame({"a": "x" * 100}))
    bad = FrameReader(max_bytes=100)
    bad.feed(b"\x00" * 7 + b"\x03" + b"abc")
    with pytest.raises(FrameError, match="not JSON"):
        bad.frame()


def test_read_frame_over_a_pipe() -> None:
    r, w = os.pipe()
    try:
        os.write(w, encode_frame({"k": "v"}))
        assert read_frame(r, max_bytes=100, deadline=None) == {"k": "v"}
        with pytest.raises(FrameTimeout):
            read_frame(r, max_bytes=100, deadline=time.monotonic() + 0.05)
        os.close(w)
        w = -1
        assert read_frame(r, max_bytes=100) is None
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_capped_text_keeps_the_start_and_counts_the_rest() -> None:
    out = CappedText(5)
    print("abc", file=out)
    print("defgh", file=out)
    assert out.getvalue() == "abc\nd\n[... 5 more characters not kept]"


def test_builtins_lack_the_dangerous_ones_and_import_is_guarded() -> None:
    safe = make_builtins(["math"])
    for name in ("open", "eval", "exec", "compile", "getattr", "globals", "vars", "input", "breakpoint"):
        assert name not in safe
    for name in ("print", "range", "len", "isinstance", "Exception", "__build_class__", "super"):
        assert name in safe
    assert safe["__import__"]("math").pi > 3
    with pytest.raises(ImportError, match="not allowed"):
        safe["__import__"]("os")
    with pytest.raises(ImportError, match="not allowed"):
        safe["__import__"]("x", None, None, (), 1)


def test_audit_hook_decisions(tmp_path) -> None:
    hook = make_hook(str(tmp_path))
    inside = str(tmp_path / "a.txt")
    hook("open", (inside, "w", os.O_WRONLY | os.O_CREAT))
    hook("open", ("/etc/hostname", "r", os.O_RDONLY))
    hook("open", (os.devnull, "w", os.O_WRONLY))
    hook("os.mkdir", (str(tmp_path / "sub"), 0o777, None))
    hook("import", ("json", None, None, None, None))
    refused = [
        ("open", ("/tmp/x", "w", os.O_WRONLY | os.O_CREAT)),
        ("open", ("/tmp/x", None, os.O_RDWR)),
        ("open", (str(tmp_path / ".." / "escape"), "a", os.O_WRONLY | os.O_APPEND)),
        ("os.remove", ("/etc/hostname", None)),
        ("os.rename", (inside, "/tmp/moved", None, None)),
        ("os.system", (b"true",)),
        ("os.exec", ("/bin/true", ["true"], None)),
        ("os.fork", ()),
        ("subprocess.Popen", ("true", ["true"], None, None)),
        ("socket.__new__", (None, 2, 1, 0)),
        ("ctypes.dlopen", ("libc.so.6",)),
        ("resource.setrlimit", (resource.RLIMIT_AS, (-1, -1))),
        ("gc.get_objects", (None,)),
        ("sys.settrace", (None,)),
    ]
    for event, args in refused:
        with pytest.raises(SandboxViolation):
            hook(event, args)


def test_symlink_out_of_the_job_directory_is_seen_through(tmp_path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    (job / "link").symlink_to(tmp_path)
    hook = make_hook(str(job))
    with pytest.raises(SandboxViolation):
        hook("open", (str(job / "link" / "x"), "w", os.O_WRONLY | os.O_CREAT))


def test_audit_hook_confines_reads(tmp_path, monkeypatch) -> None:
    job = tmp_path / "job"
    job.mkdir()
    lib = tmp_path / "lib"
    (lib / "pkg").mkdir(parents=True)
    (lib / "pkg" / "m.py").write_text("")
    (tmp_path / "secret").write_text("s")
    (job / "link").symlink_to(tmp_path / "secret")
    hook = make_hook(str(job), read_roots=[str(lib)])
    hook("open", (str(lib / "pkg" / "m.py"), "r", 0))
    hook("open", (str(job / "own.txt"), "r", 0))
    hook("os.listdir", (str(lib),))
    for event, args in [
        ("open", (str(tmp_path / "secret"), "r", 0)),
        ("open", (str(tmp_path / "secret"), None, os.O_RDONLY)),  # os.open
        ("open", (str(job / "link"), "r", 0)),  # a symlink is judged by its target
        ("open", ("../secret", None, os.O_RDONLY)),  # relative paths may not climb (dir_fd)
        ("open", ("/proc/self/environ", "rb", 0)),
        ("os.listdir", (str(tmp_path),)),
        ("os.scandir", ("/etc",)),
        ("glob.glob", (str(tmp_path / "*"), False)),
    ]:
        with pytest.raises(SandboxViolation):
            hook(event, args)
    monkeypatch.chdir(job)
    hook("os.symlink", (str(tmp_path / "secret"), "new-link", -1))  # -1 is CPython's "no dir_fd"
    unconfined = make_hook(str(job))  # read_roots=None: reads are not judged
    unconfined("open", (str(tmp_path / "secret"), "r", 0))


def test_audit_hook_refuses_frame_attributes_to_user_code_only(tmp_path) -> None:
    user_globals: dict = {}
    hook = make_hook(str(tmp_path), user_globals=user_globals)
    exec("def read(hook, name):\n    hook('object.__getattr__', (None, name))\n", user_globals)
    for name in ("gi_frame", "cr_frame", "ag_code", "tb_frame", "f_code", "__code__"):
        with pytest.raises(SandboxViolation):
            user_globals["read"](hook, name)
        hook("object.__getattr__", (None, name))  # library code (this module) may
    user_globals["read"](hook, "__doc__")


def test_words_leaving_the_sandbox_are_bounded() -> None:
    from core.sandbox.bounds import MESSAGE_CAP, bound_result, clip

    result = bound_result(
        ExecutionResult(Status.RUNTIME_ERROR, message="m" * 10_000, stdout="s" * 10_000), 100
    )
    assert len(result.message) == MESSAGE_CAP and result.message.endswith("[...]")
    assert len(result.stdout) <= 200
    assert clip("short", 10) == "short"


def test_candidate_precedence() -> None:
    assert pick_candidate({"solid": 1, "result": 2}, [3]) == ("solid", 1)
    assert pick_candidate({"result": 2}, [3, 4]) == ("result", 2)
    assert pick_candidate({}, [3, 4]) == ("show_object", 4)
    with pytest.raises(NoSolid):
        pick_candidate({"other": 1}, [])


def _outcome(status: int | None, frame=None, timed_out=False, rss_kb=0, cpu=0.0) -> ChildOutcome:
    usage = SimpleNamespace(ru_maxrss=rss_kb, ru_utime=cpu, ru_stime=0.0)
    return ChildOutcome(status, usage, frame, timed_out, None, 0.5)


def _signalled(sig: int) -> int:
    return sig  # a wait status for "killed by sig" is the signal number itself


def test_exit_statuses_become_statuses() -> None:
    assert _classify(_outcome(0, timed_out=True), 2.0, SETTINGS, 0).status is Status.TIMEOUT
    assert _classify(_outcome(_signalled(signal.SIGXCPU)), 2.0, SETTINGS, 0).status is Status.TIMEOUT
    segv = _classify(_outcome(_signalled(signal.SIGSEGV)), 2.0, SETTINGS, 0)
    assert segv.status is Status.CRASHED and "SIGSEGV" in segv.message
    big = SETTINGS["memory_mb"] * 1024
    assert (
        _classify(_outcome(_signalled(signal.SIGKILL), rss_kb=big), 2.0, SETTINGS, 0).status is Status.MEMORY
    )
    assert (
        _classify(_outcome(_signalled(signal.SIGABRT), rss_kb=big), 2.0, SETTINGS, 0).status is Status.MEMORY
    )
    silent = _classify(_outcome(3 << 8), 2.0, SETTINGS, 0)
    assert silent.status is Status.CRASHED and "code 3" in silent.message
    answered = _classify(_outcome(None, frame={"status": "ok", "volume": 2.0}), 2.0, SETTINGS, 0)
    assert answered.status is Status.OK and answered.volume == 2.0 and answered.elapsed == 0.5
    forged = _classify(_outcome(None, frame={"status": "great"}), 2.0, SETTINGS, 0)
    assert forged.status is Status.CRASHED and "malformed" in forged.message
