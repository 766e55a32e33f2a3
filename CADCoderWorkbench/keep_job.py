"""Keep as training example: the picture and the feature's current code into the user dataset.

The work is core's (``cadcoder keep-example IMAGE CODE --json``: the code is run in the sandbox, then
picture and program are appended to the user dataset in the training shard format,
``training.data.user_dataset``), run as a process of the engine's interpreter like every other
engine call, so the workbench and the command line keep examples the same way into the same folder
(``core.user_paths.user_examples_dir``). Standard library only.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from CADCoderWorkbench import engine
from CADCoderWorkbench.bootstrap import REPO_ROOT
from CADCoderWorkbench.settings import Settings


class KeepError(RuntimeError):
    """The example was not kept (the message says why: no picture, code that does not run...)."""


@dataclass(frozen=True)
class KeptExample:
    dataset: str  # the user dataset folder
    key: str  # the example's key in the shards
    new: bool  # False: the same picture and code were kept before
    count: int  # examples in the dataset now


def keep_example_args(image_path: str, code_path: str, settings: Settings) -> list[str]:
    return ["keep-example", image_path, code_path, "--json", "--timeout", f"{settings.sandbox_timeout:g}"]


def keep_example(image_path: str, code: str, settings: Settings) -> KeptExample:
    """Store ``image_path`` and ``code`` as one training example (blocking: run it on a job)."""
    if not image_path or not Path(image_path).is_file():
        raise KeepError("the feature has no source picture to keep (only Image to CAD parts have one)")
    if not engine.engine_installed(settings):
        raise KeepError(engine.not_installed_message(settings))
    with tempfile.TemporaryDirectory(prefix="cadcoder-keep-") as folder:
        code_path = Path(folder) / "part.py"
        code_path.write_text(code, encoding="utf-8")
        done = subprocess.run(
            engine.cli_command(settings, keep_example_args(image_path, str(code_path), settings)),
            capture_output=True,
            text=True,
            cwd=str(REPO_ROOT),
            env=engine.subprocess_environment(settings),
            timeout=settings.sandbox_timeout + 120,  # the engine's imports, then one sandbox run
            check=False,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = [line for line in done.stderr.strip().splitlines() if line.strip()]
        why = tail[-1].removeprefix("error: ") if tail else f"exit status {done.returncode}"
        raise KeepError(why)
    payload = json.loads(lines[-1])
    return KeptExample(
        str(payload["dataset"]), str(payload["key"]), bool(payload["new"]), int(payload["count"])
    )
