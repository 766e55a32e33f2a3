"""The audit hook of a job child: CPython reports every sensitive operation to it before doing it.

Installed by trusted code before user code runs; hooks cannot be removed. It refuses, whatever the
path by which user code got there: process creation, signals, sockets, ctypes, changes to limits,
tracing, object-graph walks through ``gc``, code construction, and any file creation, write,
removal or rename outside the job directory. It sees only what Python does; OCCT's C++ is
covered by Landlock.
"""

from __future__ import annotations

import os
import sys
from typing import Any

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
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


class SandboxViolation(PermissionError):
    """Raised into user code when the audit hook refuses an operation."""


def _resolve(path: Any, dir_fd: Any = None) -> str:
    if isinstance(path, int):
        return os.path.realpath(f"/proc/self/fd/{path}")
    path = os.fsdecode(path)
    if not os.path.isabs(path) and isinstance(dir_fd, int):
        path = os.path.join(os.path.realpath(f"/proc/self/fd/{dir_fd}"), path)
    return os.path.realpath(path)


def make_hook(job_dir: str) -> Any:
    """The hook function (separate from installing it so tests can call it in-process)."""
    root = os.path.realpath(job_dir)
    allowed_files = {os.devnull}

    def inside(path: Any, dir_fd: Any = None) -> bool:
        resolved = _resolve(path, dir_fd)
        return resolved in allowed_files or resolved == root or resolved.startswith(root + os.sep)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
            raise SandboxViolation(f"sandbox: {event} is not allowed")
        if event == "open":
            path, mode, flags = args
            writes = bool((flags or 0) & _WRITE_FLAGS) or (
                isinstance(mode, str) and any(c in mode for c in "wax+")
            )
            if writes and path is not None and not inside(path):
                raise SandboxViolation(f"sandbox: writing {os.fsdecode(path)!r} outside the job directory")
        elif event in PATH_EVENTS:
            dir_fd_at = _DIR_FD_POSITION.get(event)
            dir_fd = args[dir_fd_at] if dir_fd_at is not None and len(args) > dir_fd_at else None
            for position in PATH_EVENTS[event]:
                if position < len(args) and args[position] is not None and not inside(args[position], dir_fd):
                    raise SandboxViolation(f"sandbox: {event} outside the job directory")

    return hook


def install(job_dir: str) -> None:
    sys.addaudithook(make_hook(job_dir))
