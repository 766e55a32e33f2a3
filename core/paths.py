"""Where the project's files live, so no module hard-codes a machine's layout (light)."""

from __future__ import annotations

import os
from pathlib import Path

from core.version import REPO_ROOT

RESOURCES = REPO_ROOT / "resources"
# $CADCODER_EMBEDDED_MODEL points the default elsewhere (a newer training run; tests use an empty folder).
EMBEDDED_MODEL_DIR = Path(os.environ.get("CADCODER_EMBEDDED_MODEL") or RESOURCES / "models" / "cadcoder-mini")
EXAMPLES_DIR = RESOURCES / "examples"


def benchmark_dir() -> Path:
    """The paper's 100-sample benchmark: ``$CADCODER_BENCHMARK_DIR``, else ``../shared/...`` beside
    the checkout (where CI and the developers' machines keep it)."""
    env = os.environ.get("CADCODER_BENCHMARK_DIR")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "benchmarks" / "gencad-code-test100"


def venv_python() -> Path | None:
    """The project environment's interpreter, which has CadQuery and torch; FreeCAD's does not."""
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return candidate if candidate.exists() else None


def cache_dir() -> Path:
    """Derived data worth keeping between runs (normalised benchmark targets):
    ``$CADCODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/cadcoder``, else ``~/.cache/cadcoder``."""
    env = os.environ.get("CADCODER_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cadcoder"
