"""CAD-Coder's engine: sandboxed CadQuery execution, metrics, program utilities, models, server, CLI.

Modules fall in two groups. *Light* modules use the standard library only, so FreeCAD's own
Python (which has no CadQuery, torch or pydantic) can import them: ``core.sandbox`` (the client
side; workers run in the project's ``.venv``), ``core.program``, ``core.models.remote``,
``core.config``. *Heavy* modules (geometry, metrics, rendering, local models, server, training)
run only in the project's ``.venv``. ``tests/test_layering.py`` enforces the split.
"""

from core.version import REPO_ROOT, __version__

__all__ = ["REPO_ROOT", "__version__"]
