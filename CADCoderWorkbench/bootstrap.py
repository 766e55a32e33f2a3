"""Make ``import core`` find this repository's ``core`` inside FreeCAD.

FreeCAD puts every Mod folder on ``sys.path``; another add-on could ship a top-level ``core`` too.
Our repository root goes first, and an already imported foreign ``core`` is a loud error rather
than a silent mix of two packages.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def put_repository_first() -> None:
    root = str(REPO_ROOT)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    loaded = sys.modules.get("core")
    if (
        loaded is not None
        and Path(getattr(loaded, "__file__", "") or "").resolve().parent.parent != REPO_ROOT
    ):
        raise ImportError(f"another add-on's 'core' package ({loaded.__file__}) shadows CAD-Coder's")
