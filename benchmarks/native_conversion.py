"""How many programs the data engine and the embedded model write convert to native FreeCAD.

For every family of ``training/synth`` (the generic GenCAD-like family and each idiom), in both
code styles, a few candidates are read into the sketch IR; with ``--freecad`` each is also built
in ``freecadcmd`` (one process) and compared with the sandbox's CadQuery volume, and every sketch
is checked for 0 degrees of freedom (Sketcher's ``FullyConstrained``) and for dimensions named
after the program's parameters. ``--code`` adds programs written elsewhere (e.g. by
``cadcoder image2cad --code``).

    .venv/bin/python benchmarks/native_conversion.py --per-family 4 --freecad --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.program.sketch_ir import NotNative, parse_program
from training.synth.idioms import IDIOMS
from training.synth.sampler import GENERIC, SamplerConfig, sample_candidate


def programs(per_family: int, styles: list[str], seed: int) -> list[dict]:
    """Candidates ``0..per_family-1`` of each family and style (deterministic by seed)."""
    out = []
    for family in [GENERIC, *IDIOMS]:
        for style in styles:
            config = SamplerConfig(style=style, family_weights={family: 1.0})  # type: ignore[arg-type]
            for index in range(per_family):
                candidate = sample_candidate(seed, index, config)
                out.append({"name": f"{family}/{style}/{index}", "group": family, "code": candidate.code})
    return out


def read_ir(items: list[dict]) -> None:
    for item in items:
        try:
            parse_program(item["code"])
            item["ir"] = "ok"
        except NotNative as exc:
            item["ir"] = exc.reason


def build(items: list[dict]) -> None:
    """Sandbox volumes, then one freecadcmd job for the programs the IR reads."""
    from core.cli.to_freecad_cmd import run_freecad_job
    from core.sandbox import SandboxConfig, SandboxPool

    readable = [item for item in items if item["ir"] == "ok"]
    with SandboxPool(SandboxConfig(workers=2)) as pool:
        futures = [pool.submit(item["code"], timeout=60.0) for item in readable]
        runs = [f.result() for f in futures]
    jobs = [
        {"code": item["code"], "native": True, "fallback": False, "volume": run.volume}
        for item, run in zip(readable, runs, strict=True)
    ]
    answers = run_freecad_job(jobs, timeout=1200) if jobs else []
    for item, run, answer in zip(readable, runs, answers, strict=True):
        item["cadquery_runs"] = run.ok
        item["native"] = bool(answer.get("native"))
        item["message"] = answer.get("message", "")
        sketches = answer.get("sketches") or []
        item["sketches"] = len(sketches)
        item["fully_constrained"] = bool(sketches) and all(s["fully_constrained"] for s in sketches)
        item["solved"] = all(s["solve"] == 0 for s in sketches)
        item["named"] = sorted({n for s in sketches for n in s["constraints"]})


def summary(items: list[dict], freecad: bool) -> dict:
    groups: dict[str, Counter] = {}
    for item in items:
        c = groups.setdefault(item["group"], Counter())
        c["programs"] += 1
        c["read"] += item["ir"] == "ok"
        if freecad and item["ir"] == "ok":
            c["native"] += item.get("native", False)
            has_sketch = item.get("sketches", 0) > 0
            c["with_sketches"] += item.get("native", False) and has_sketch
            c["fully_constrained"] += item.get("native", False) and item.get("fully_constrained", False)
            c["named_dimensions"] += item.get("native", False) and bool(item.get("named"))
    total = Counter()
    for c in groups.values():
        total.update(c)
    refusals = Counter(item["ir"] for item in items if item["ir"] != "ok")
    refusals.update(item["message"] for item in items if item["ir"] == "ok" and not item.get("native", True))
    return {
        "groups": {k: dict(v) for k, v in groups.items()},
        "total": dict(total),
        "refusals": dict(refusals),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-family", type=int, default=4)
    parser.add_argument("--styles", default="concise,verbose")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--code", nargs="*", default=[], help="extra programs (.py), group 'model'")
    parser.add_argument("--freecad", action="store_true", help="also build in freecadcmd")
    parser.add_argument("--json", type=Path, help="write every item and the summary here")
    args = parser.parse_args()
    items = programs(args.per_family, args.styles.split(","), args.seed)
    items += [{"name": p, "group": "model", "code": Path(p).read_text(encoding="utf-8")} for p in args.code]
    read_ir(items)
    if args.freecad:
        build(items)
    result = summary(items, args.freecad)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"summary": result, "items": items}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
