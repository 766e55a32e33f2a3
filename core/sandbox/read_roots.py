"""What a job may read: the standard library, site-packages (CadQuery/OCCT), system libraries, fonts.

Both read layers (Landlock in the kernel, the audit hook in Python) use this one list, computed in
the zygote before any job: a job that gets ``os`` still cannot open ``$HOME``, ``/tmp``, ``/etc``
(beyond the loader's and fontconfig's files) or ``/proc``. Everything listed is code or public
system data that the user did not write; the repository itself is not listed, only its ``core``
package (the sandbox's own code, imported lazily by a job).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

# System trees every Linux process may need: shared libraries (OCCT's, libstdc++, libGL stubs),
# fonts for ``Workplane.text``, and a few loader/locale/timezone files in /etc.
SYSTEM_ROOTS = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/fonts",
    "/var/cache/fontconfig",
    "/sys/devices/system/cpu",  # os.cpu_count(), OCCT's thread pool size
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
)


def read_roots(repo_root: str | None = None, extra: Iterable[str] = ()) -> list[str]:
    """Existing, resolved, de-duplicated trees a job may read (its own directory comes on top)."""
    candidates: list[str] = [*SYSTEM_ROOTS, *extra, *_library_dirs()]
    repo = os.path.realpath(repo_root) if repo_root else None
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.realpath(entry) != repo:
            candidates.append(entry)
    if repo:
        candidates.append(os.path.join(repo, "core"))
    roots: list[str] = []
    for path in candidates:
        resolved = os.path.realpath(path)
        if resolved != os.sep and os.path.exists(resolved) and resolved not in roots:
            roots.append(resolved)
    return _outermost(roots)


def _library_dirs() -> list[str]:
    """The standard library and site-packages of the environment and of its base installation.

    Not whole prefixes: an interpreter installed with ``--prefix=$HOME/.local`` would otherwise
    open all of ``~/.local`` (where applications keep their data) to every job.
    """
    base = {
        "base": sys.base_prefix,
        "platbase": sys.base_exec_prefix,
        "installed_base": sys.base_prefix,
        "installed_platbase": sys.base_exec_prefix,
    }
    dirs: list[str] = []
    for paths in (sysconfig.get_paths(), sysconfig.get_paths(vars=base)):
        dirs += [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths]
    return dirs


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already inside another listed path (fewer Landlock rules, faster checks)."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(Path(path).is_relative_to(root) for root in kept):
            kept.append(path)
    return kept


def is_inside(path: str, roots: Iterable[str]) -> bool:
    """Whether resolved ``path`` is one of ``roots`` or below one."""
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
