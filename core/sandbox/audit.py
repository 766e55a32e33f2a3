"""The audit hook of a job child: CPython reports every sensitive operation to it before doing it.

Installed by trusted code before user code runs; hooks cannot be removed. It refuses, whatever the
path by which user code got there: process creation, signals, sockets, ctypes, changes to limits,
tracing, object-graph walks through ``gc``, code construction, frame and code objects reached as
attributes (``gi_frame``, ``tb_frame``, ``__code__``, ...: CPython audits exactly these reads), any
file opened or directory listed outside the read roots and the job directory (``open`` covers
``builtins.open``, ``io.open_code`` and ``os.open``), and any file creation, write, removal or
rename outside the job directory. It sees only what Python does; OCCT's C++ is covered by Landlock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from core.sandbox.read_roots import is_inside

DENIED_EVENTS = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "os.startfile",
        "os.add_dll_directory",
        "subprocess.Popen",
        "pty.spawn",
        "resource.setrlimit",
        "resource.prlimit",
        "sys.addaudithook",
        "sys.settrace",
        "sys.setprofile",
        "code.__new__",
        "function.__new__",
    }
)
DENIED_PREFIXES = ("socket.", "ctypes.", "sqlite3.", "gc.", "_posixsubprocess.", "winreg.")

# Events whose listed argument positions are paths that get modified.
PATH_EVENTS = {
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.chflags": (0,),
    "os.lchflags": (0,),
    "os.link": (0, 1),
    "os.mkdir": (0,),
    "os.remove": (0,),
    "os.rename": (0, 1),
    "os.rmdir": (0,),
    "os.symlink": (1,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
    "shutil.rmtree": (0,),
}
_DIR_FD_POSITION = {
    "os.chmod": 2,
    "os.chown": 3,
    "os.mkdir": 2,
    "os.remove": 1,
    "os.rmdir": 1,
    "os.symlink": 2,
}
# Directory and metadata reads (``open`` is handled on its own).
READ_EVENTS = frozenset(
    {"os.listdir", "os.scandir", "os.getxattr", "os.listxattr", "glob.glob", "glob.glob/2"}
)
# Attributes CPython reports as ``object.__getattr__``: they lead to frames, whose ``f_globals`` and
# ``f_builtins`` hold everything (generator/coroutine/traceback walks).
AUDITED_ATTRIBUTES = frozenset(
    {"gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "tb_frame", "f_code", "__code__"}
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


class SandboxViolation(PermissionError):
    """Raised into user code when the audit hook refuses an operation."""


def _resolve(path: Any, dir_fd: Any = None) -> str:
    if isinstance(path, int):
        return os.path.realpath(f"/proc/self/fd/{path}")
    path = os.fsdecode(path)
    if not os.path.isabs(path) and isinstance(dir_fd, int) and dir_fd >= 0:  # -1: no dir_fd
        path = os.path.join(os.path.realpath(f"/proc/self/fd/{dir_fd}"), path)
    return os.path.realpath(path)


def make_hook(
    job_dir: str, read_roots: Iterable[str] | None = None, user_globals: dict[str, Any] | None = None
) -> Any:
    """The hook function (separate from installing it so tests can call it in-process).

    ``read_roots=None`` leaves reads unchecked (as before this layer existed). Frame and code
    attributes are refused to code whose globals are ``user_globals`` (the script, its functions,
    classes and lambdas), including through C helpers such as ``getattr``, ``attrgetter`` or
    ``str.format``, which run in the script's frame. Libraries (pyparsing, multimethod, traceback,
    the sandbox itself) keep reading them. The caller is recognised by ``f_globals`` because
    ``f_code`` is itself an audited attribute.
    """
    root = os.path.realpath(job_dir)
    allowed_files = {os.devnull}
    readable = None if read_roots is None else (root, *read_roots)

    def inside(path: Any, dir_fd: Any = None) -> bool:
        resolved = _resolve(path, dir_fd)
        return resolved in allowed_files or resolved == root or resolved.startswith(root + os.sep)

    def readable_path(path: Any) -> bool:
        if readable is None or path is None:
            return True
        if isinstance(path, int):  # an already open descriptor (fdopen, scandir(fd))
            return is_inside(_resolve(path), readable)
        text = os.fsdecode(path)
        # A relative path may be meant for a ``dir_fd`` the event does not show: no climbing out.
        if not os.path.isabs(text) and ".." in text.split(os.sep):
            return False
        return is_inside(_resolve(text), readable)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
            raise SandboxViolation(f"sandbox: {event} is not allowed")
        if event == "open":
            path, mode, flags = args
            writes = bool((flags or 0) & _WRITE_FLAGS) or (
                isinstance(mode, str) and any(c in mode for c in "wax+")
            )
            if writes and path is not None and not inside(path):
                raise SandboxViolation(f"sandbox: writing {_shown(path)} outside the job directory")
            if not readable_path(path):
                raise SandboxViolation(f"sandbox: reading {_shown(path)} is not allowed")
        elif event == "object.__getattr__":
            if args[1] in AUDITED_ATTRIBUTES and sys._getframe(1).f_globals is user_globals:
                raise SandboxViolation(f"sandbox: access to {args[1]} is not allowed")
        elif event in READ_EVENTS:
            if args and not readable_path(args[0] if args[0] is not None else "."):
                raise SandboxViolation(f"sandbox: {event} outside the readable directories")
        elif event in PATH_EVENTS:
            dir_fd_at = _DIR_FD_POSITION.get(event)
            dir_fd = args[dir_fd_at] if dir_fd_at is not None and len(args) > dir_fd_at else None
            for position in PATH_EVENTS[event]:
                if position < len(args) and args[position] is not None and not inside(args[position], dir_fd):
                    raise SandboxViolation(f"sandbox: {event} outside the job directory")

    return hook


def _shown(path: Any) -> str:
    """A path for a message: at most 120 characters (messages leave the sandbox)."""
    text = os.fsdecode(path) if not isinstance(path, int) else f"descriptor {path}"
    return repr(text if len(text) <= 120 else text[:117] + "...")


def install(
    job_dir: str, read_roots: Iterable[str] | None = None, user_globals: dict[str, Any] | None = None
) -> None:
    sys.addaudithook(make_hook(job_dir, read_roots, user_globals))
