"""``python -m core.cli.standby``: a ``cadcoder`` process started before it is needed.

Importing torch, transformers, CadQuery's renderer and the pipeline takes seconds (half a minute on
a loaded machine), and the workbench paid it on every Run as "Starting..." (issue 15). The workbench
starts this process ahead of time (when it is activated and after every run): it imports what
``image2cad`` and ``edit`` need, says ``{"event": "ready"}`` on stdout, and waits for one line on
stdin, ``{"args": [...], "env": {...}}``; then it becomes ``cadcoder ARGS`` with those variables
(the API key travels here, never on a command line) and exits when that command ends. End of input
before a request (FreeCAD quit or crashed) ends it at once. One request per process, so Cancel can
still kill a run's whole process group and every run starts from a clean state.
"""

from __future__ import annotations

import json
import os
import sys

PRELOAD = (
    "core.cli.main",
    "core.cli.image2cad_cmd",
    "core.cli.edit_cmd",
    "core.pipeline",
    "core.pipeline.refine",
    "core.grounding",
    "core.render",
    "core.models.remote",
    "core.models.local",  # torch and transformers: most of the start-up time
)


def preload() -> None:
    """Import what a run needs; a module that fails here fails again, with its message, in the run."""
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # reported by the command that needs it
            continue


def read_request(line: str) -> tuple[list[str], dict[str, str]]:
    request = json.loads(line)
    args = [str(a) for a in request.get("args", [])]
    env = {str(k): str(v) for k, v in (request.get("env") or {}).items()}
    return args, env


def main() -> int:
    preload()
    sys.stdout.write(json.dumps({"event": "ready"}) + "\n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    args, env = read_request(line)
    os.environ.update(env)
    from core.cli.main import main as cli_main

    sys.argv = ["cadcoder", *args]
    try:
        cli_main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
