"""Linux system calls the standard library lacks on Python 3.11 (``unshare``, ``prctl``, Landlock).

Used only by trusted worker code in the job child *before* user code runs and before the audit
hook (which refuses ctypes) is installed.
"""

from __future__ import annotations

import ctypes
import functools
import os

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

# Landlock system call numbers are shared by every architecture Python runs on here.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446


@functools.lru_cache(maxsize=1)
def libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(None, use_errno=True)
    lib.syscall.restype = ctypes.c_long
    lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    lib.unshare.argtypes = [ctypes.c_int]
    return lib


def _checked(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def unshare(flags: int) -> None:
    _checked(libc().unshare(flags), "unshare")


def prctl(option: int, arg: int) -> None:
    _checked(libc().prctl(option, arg, 0, 0, 0), "prctl")


def syscall(number: int, *args: object, what: str) -> int:
    """``syscall(2)``; plain ints are widened to ``long`` because the C function is variadic."""
    widened = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return _checked(libc().syscall(ctypes.c_long(number), *widened), what)
