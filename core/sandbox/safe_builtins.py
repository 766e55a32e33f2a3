"""The builtins a script sees: everything needed for ordinary CadQuery code, nothing that opens
files, evaluates strings, reaches namespaces, or imports beyond the allow-list.

Second layer behind the static policy: if a name slipped past it (``b = eval`` built at run time
by some trick), it is simply not there.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from core.sandbox.policy import FORBIDDEN_BUILTINS

# Interactive helpers ``site`` adds; useless in a job and not worth reasoning about.
_ALSO_WITHHELD = frozenset({"copyright", "credits", "license"})


def make_builtins(allowed_imports: Iterable[str]) -> dict[str, Any]:
    """A fresh dict per job (a script may rebind entries in it without affecting the next job)."""
    allowed = frozenset(allowed_imports)
    real_import = builtins.__import__

    def guarded_import(
        name: str,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        fromlist: tuple[str, ...] = (),
        level: int = 0,
    ) -> Any:
        if level != 0 or name.split(".")[0] not in allowed:
            raise ImportError(f"import of {name!r} is not allowed in the sandbox")
        return real_import(name, globals, locals, fromlist, level)

    safe = {
        name: value
        for name, value in vars(builtins).items()
        if not name.startswith("_") and name not in FORBIDDEN_BUILTINS and name not in _ALSO_WITHHELD
    }
    safe["__import__"] = guarded_import
    safe["__build_class__"] = builtins.__build_class__  # class statements
    return safe
