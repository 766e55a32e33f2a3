"""Hand-modelled parts pictured by FreeCAD itself: the set that says how Image to CAD does on what
users actually send (not GenCAD parts, not our renderer's pictures).

    .venv/bin/python benchmarks/freecad_parts.py            # rebuild steps/ and both picture sets
    .venv/bin/cadcoder eval --system --benchmark benchmarks/freecad_parts/white ...
    .venv/bin/cadcoder eval --system --benchmark benchmarks/freecad_parts/gradient ...

``programs/*.py`` are CadQuery programs of everyday mechanical parts written by hand in millimetres
(brackets, flanges, standoffs, shafts, channels, clamps, pulleys, trays...). Each runs in the sandbox
to ``steps/NNNNNNNN.step``; FreeCAD 0.20 (under ``xvfb-run``) opens each STEP and takes two pictures
(``snapshot_in_freecad.py``): ``white/`` is the workbench's Snapshot to CAD, ``gradient/`` a plain
screenshot of the 3D view on FreeCAD's default background. Both folders have the benchmark's layout
(``test100.jsonl``, ``images/``, ``steps`` -> ``../steps``), so ``cadcoder eval --benchmark`` scores
them as it scores test100. For measuring and for choosing among our own methods: nothing here is
training data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core.sandbox import run_code

HERE = Path(__file__).resolve().parent / "freecad_parts"
REPO = HERE.parents[1]
PROMPT = (
    "Generate the CADQuery code needed to create the CAD for the provided image. "
    "Just the code, no other words."
)
STYLES = ("white", "gradient")
FIRST_ID = 900001


def build_steps(programs: list[Path], steps: Path) -> dict[str, int]:
    """Run each program in the sandbox and write its solid; question ids follow the sorted names."""
    steps.mkdir(parents=True, exist_ok=True)
    ids = {}
    for qid, program in enumerate(programs, FIRST_ID):
        result = run_code(program.read_text(), timeout=60.0, outputs=("step",))
        if not result.ok or not result.step:
            raise SystemExit(f"{program.name}: {result.status}: {result.message}")
        (steps / f"{qid:08d}.step").write_bytes(result.step)
        ids[program.stem] = qid
    return ids


def take_pictures(jobs: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="cadcoder-parts-") as home:
        jobs_file = Path(home) / "jobs.json"
        jobs_file.write_text(json.dumps(jobs))
        env = dict(
            os.environ,
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            QTWEBENGINE_DISABLE_SANDBOX="1",
            CADCODER_REPO=str(REPO),
            CADCODER_PARTS_JOBS=str(jobs_file),
        )
        command = [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1400x900x24",
            "freecad",
            str(HERE / "snapshot_in_freecad.py"),
        ]
        proc = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=600)
        missing = [
            j["white"] for j in jobs if not Path(j["white"]).is_file() or not Path(j["gradient"]).is_file()
        ]
        if proc.returncode != 0 or missing:
            raise SystemExit(
                f"FreeCAD did not take every picture (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
            )


def write_set(style: str, ids: dict[str, int], programs: dict[str, Path]) -> None:
    folder = HERE / style
    (folder / "images").mkdir(parents=True, exist_ok=True)
    link = folder / "steps"
    if not link.is_symlink():
        link.symlink_to("../steps")
    with open(folder / "test100.jsonl", "w", encoding="utf-8") as fh:
        for name, qid in ids.items():
            record = {
                "question_id": qid,
                "image": f"{qid:08d}_0.png",
                "text": PROMPT,
                "category": name,
                "ground_truth": programs[name].read_text(),
            }
            fh.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    if not (shutil.which("freecad") and shutil.which("xvfb-run")):
        sys.exit("needs Debian's freecad and xvfb (bash scripts/setup.sh installs them)")
    programs = {p.stem: p for p in sorted((HERE / "programs").glob("*.py"))}
    ids = build_steps(list(programs.values()), HERE / "steps")
    jobs = [
        {
            "step": str(HERE / "steps" / f"{qid:08d}.step"),
            **{style: str(HERE / style / "images" / f"{qid:08d}_0.png") for style in STYLES},
        }
        for qid in ids.values()
    ]
    for style in STYLES:
        write_set(style, ids, programs)
    take_pictures(jobs)
    print(f"{len(ids)} parts: {HERE}/steps, {', '.join(f'{HERE}/{s}' for s in STYLES)}")


if __name__ == "__main__":
    main()
