"""Time from Run to result for the workbench's Image to CAD, with and without the standby engine.

    .venv/bin/python benchmarks/engine_start.py [PICTURE] [--runs N]

"cold" starts ``cadcoder image2cad --events`` the way the workbench did before issue 15 (every
import paid after Run); "warm" takes the standby process that the workbench starts when it is
activated (``engine.prepare_standby``, imports done before Run). Both use the default settings
(the embedded cadcoder-mini on CPU) and print seconds to the first pipeline event (the engine start
the panel showed as "Starting...") and to the result.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from CADCoderWorkbench import engine  # noqa: E402
from CADCoderWorkbench.image_job import image2cad_args  # noqa: E402
from CADCoderWorkbench.settings import Settings  # noqa: E402


def timed_run(proc, started: float) -> tuple[float, float, str]:
    first = None
    status = "no result"
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") in ("image", "stage") and first is None:
            first = time.perf_counter() - started
        if event.get("event") == "result":
            status = str(event.get("status"))
    proc.wait()
    return first or float("nan"), time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("picture", nargs="?", default=str(REPO / "resources/examples/flanged_bracket.png"))
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    settings = Settings()
    args = image2cad_args(options.picture, settings)
    for _ in range(options.runs):
        started = time.perf_counter()
        cold = engine.subprocess.Popen(
            engine.cli_command(settings, args),
            stdout=engine.subprocess.PIPE,
            stderr=engine.subprocess.DEVNULL,
            cwd=str(REPO),
            env=engine.subprocess_environment(settings),
        )
        first, total, status = timed_run(cold, started)
        print(f"cold: engine start {first:.1f} s, result {total:.1f} s ({status})", flush=True)

        engine.prepare_standby(settings)
        standby = engine._standby[1]
        ready = standby.stdout.readline()  # what activating the workbench waits for, off the GUI
        assert json.loads(ready)["event"] == "ready", ready
        started = time.perf_counter()
        warm = engine.start_cli(settings, args)
        first, total, status = timed_run(warm, started)
        print(f"warm: engine start {first:.1f} s, result {total:.1f} s ({status})", flush=True)
    engine.close()


if __name__ == "__main__":
    main()
