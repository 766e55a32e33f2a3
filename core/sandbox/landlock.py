"""Landlock: the kernel refuses a job child any read outside the read roots and its job directory,
any write outside its job directory, any ``execve``, any TCP bind/connect, and (ABI 6+) signals and
abstract sockets outside its own domain — including from OCCT's C++ code, which no Python audit hook
can see.

Reads are allowed beneath :func:`core.sandbox.read_roots.read_roots` (interpreter, site-packages,
system libraries, fonts) and the job directory only. Rights the running kernel does not know (older
Landlock ABI) are left out; without Landlock at all the audit hook and the policy remain.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

from core.sandbox import syscalls

_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

_WRITE_RIGHTS_V1 = (
    FS_WRITE_FILE
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_CHAR
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SOCK
    | FS_MAKE_FIFO
    | FS_MAKE_BLOCK
    | FS_MAKE_SYM
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI, 0 when Landlock is absent or disabled."""
    try:
        return syscalls.syscall(
            syscalls.SYS_LANDLOCK_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION, what="landlock"
        )
    except OSError:
        return 0


def restrict_to(job_dir: str, read_roots: Iterable[str] = ()) -> int:
    """Confine this process (and its future children) for good; returns the ABI used, 0 if none.

    Reads are handled (refused by default) only when ``read_roots`` is given: a caller that lists
    nothing keeps the old "read anywhere" behaviour instead of a process that cannot import.
    """
    abi = abi_version()
    if abi < 1:
        return 0
    roots = list(read_roots)
    reads = FS_READ_FILE | FS_READ_DIR if roots else 0
    writes = _WRITE_RIGHTS_V1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(
        handled_access_fs=writes | reads | FS_EXECUTE,
        handled_access_net=(NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
        scoped=(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    ruleset = syscalls.syscall(
        syscalls.SYS_LANDLOCK_CREATE_RULESET,
        ctypes.byref(attr),
        ctypes.sizeof(attr),
        0,
        what="landlock_create_ruleset",
    )
    try:
        _allow(ruleset, job_dir, writes | reads)
        _allow(
            ruleset,
            os.devnull,
            FS_WRITE_FILE | (FS_TRUNCATE if abi >= 3 else 0) | (FS_READ_FILE if reads else 0),
        )
        for root in roots:
            _allow(ruleset, root, (FS_READ_FILE | FS_READ_DIR) if os.path.isdir(root) else FS_READ_FILE)
        syscalls.prctl(syscalls.PR_SET_NO_NEW_PRIVS, 1)
        syscalls.syscall(syscalls.SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0, what="landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def _allow(ruleset: int, path: str, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        syscalls.syscall(
            syscalls.SYS_LANDLOCK_ADD_RULE,
            ruleset,
            _RULE_PATH_BENEATH,
            ctypes.byref(rule),
            0,
            what="landlock_add_rule",
        )
    finally:
        os.close(fd)
