"""The outside CadQuery corpus of issue 11: fetch it, then measure parameters on it.

    .venv/bin/python scripts/cq_corpus.py fetch [--mirrors DIR]   # -> tests/data/cq_corpus/programs/
    .venv/bin/python scripts/cq_corpus.py report [--no-run]       # figures; -> tests/data/cq_corpus/report.json

The programs were written by others (CadQuery's examples and documentation, cadquery-contrib,
CQ-editor, cq_warehouse, cq_gears); the repository keeps only their list, with commits and
licences (``tests/data/cq_corpus/SOURCES.json``), and this script brings the files back: from
local git mirrors (``DIR/owner+name/repo``, as the project's search tool leaves them) or from
raw.githubusercontent.com. Each ``.. cadquery::`` block of a documentation page is one program.

``report`` counts, per source: programs, how many run in the sandbox (and why the others do not:
imports beyond cadquery/math, file I/O, a Sketch or assembly instead of a solid...), parameters
found, the exact round trip (unchanged values give back the same text; each changed value changes
only its own characters and the code still parses), and, for programs that run, whether the part
still builds after a length parameter is changed by 10 %. ``tests/program/test_cq_corpus.py`` runs
the round trip on whatever ``fetch`` left.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "cq_corpus"
PROGRAMS = CORPUS / "programs"
_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. cadquery::[^\n]*$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="bring the listed files into programs/")
    fetch.add_argument("--mirrors", type=Path, help="folder of git mirrors (owner+name/repo)")
    report = commands.add_parser("report", help="parameters, round trip and sandbox runs")
    report.add_argument("--no-run", action="store_true", help="skip the sandbox runs")
    report.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        print(f"{fetch_corpus(args.mirrors)} programs in {PROGRAMS}")
        return 0
    figures = report_corpus(run=not args.no_run, timeout=args.timeout)
    (CORPUS / "report.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures["totals"], indent=1))
    return 0


def sources() -> list[dict]:
    return json.loads((CORPUS / "SOURCES.json").read_text(encoding="utf-8"))["sources"]


def fetch_corpus(mirrors: Path | None) -> int:
    count = 0
    for source in sources():
        folder = PROGRAMS / source["repo"].replace("/", "__")
        for path in source["paths"]:
            text = _read(source["repo"], source["commit"], path, mirrors)
            if source["role"] == "doc":
                for i, block in enumerate(doc_programs(text), start=1):
                    count += _write(folder / f"{path}__{i:02d}.py", block)
            else:
                count += _write(folder / path, text)
        (folder / "ROLE").write_text(source["role"] + "\n", encoding="utf-8")
    return count


def doc_programs(rst: str) -> list[str]:
    """The code of every ``.. cadquery::`` block, dedented, with the imports Sphinx provides."""
    lines, blocks, i = rst.splitlines(), [], 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        i += 1
        if not match:
            continue
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > len(match["indent"])):
            body.append(lines[i])
            i += 1
        code = textwrap.dedent("\n".join(line for line in body if not line.strip().startswith(":")))
        code = code.strip("\n") + "\n"
        prelude = "".join(
            f"{line}\n"
            for line, needed in (
                ("import cadquery as cq", "cq." in code and "import cadquery as cq" not in code),
                ("import cadquery", re.search(r"\bcadquery\.", code) and "import cadquery\n" not in code),
            )
            if needed
        )
        blocks.append(prelude + code)
    return blocks


def report_corpus(run: bool, timeout: float) -> dict:
    from core.program import apply_parameters, find_parameters
    from core.program.round_trip import round_trip_problems

    rows = []
    for path in sorted(PROGRAMS.rglob("*.py")):
        role = (path.parents[len(path.relative_to(PROGRAMS).parts) - 2] / "ROLE").read_text().strip()
        code = path.read_text(encoding="utf-8")
        params = find_parameters(code)
        row = {
            "program": str(path.relative_to(PROGRAMS)),
            "role": role,
            "parses": _parses(code),
            "parameters": len(params),
            "quantities": dict(collections.Counter(p.quantity for p in params)),
            "round_trip": round_trip_problems(code),
        }
        if run and role != "library":
            row.update(_runs(code, params, timeout, apply_parameters))
        rows.append(row)
    return {"programs": rows, "totals": _totals(rows)}


def _runs(code: str, params, timeout: float, apply_parameters) -> dict:
    from core.sandbox import run_code

    result = run_code(code, timeout=timeout, outputs=())
    row = {"status": result.status.value, "message": result.message[:200]}
    lengths = [p for p in params if p.quantity == "length" and p.value > 0]
    if result.ok and lengths:
        target = lengths[0]
        edited = run_code(
            apply_parameters(code, {target.name: target.value * 1.1}), timeout=timeout, outputs=()
        )
        row["rebuilt"] = {
            "parameter": target.name,
            "ok": edited.ok,
            "volume_changed": edited.volume != result.volume,
        }
    return row


def _totals(rows: list[dict]) -> dict:
    by_source: dict[str, dict] = {}
    for row in rows:
        key = row["program"].split("/", 1)[0].replace("__", "/")
        total = by_source.setdefault(
            key, {"programs": 0, "with_parameters": 0, "parameters": 0, "round_trip_ok": 0, "status": {}}
        )
        total["programs"] += 1
        total["with_parameters"] += row["parameters"] > 0
        total["parameters"] += row["parameters"]
        total["round_trip_ok"] += not row["round_trip"]
        if "status" in row:
            total["status"][row["status"]] = total["status"].get(row["status"], 0) + 1
        if "rebuilt" in row:
            total["rebuilt_ok"] = total.get("rebuilt_ok", 0) + row["rebuilt"]["ok"]
            total["rebuilt_tried"] = total.get("rebuilt_tried", 0) + 1
    everything = {"programs": 0, "with_parameters": 0, "parameters": 0, "round_trip_ok": 0, "status": {}}
    for total in by_source.values():
        for key, value in total.items():
            if key == "status":
                for status, n in value.items():
                    everything["status"][status] = everything["status"].get(status, 0) + n
            else:
                everything[key] = everything.get(key, 0) + value
    return {"all": everything, **by_source}


def _read(repo: str, commit: str, path: str, mirrors: Path | None) -> str:
    if mirrors is not None:
        git_dir = mirrors / repo.replace("/", "+") / "repo"
        shown = subprocess.run(
            ["git", "-C", str(git_dir), "show", f"{commit}:{path}"], capture_output=True, text=True
        )
        if shown.returncode == 0:
            return shown.stdout
        print(f"{repo}@{commit[:8]}:{path} not in {git_dir}, trying GitHub", file=sys.stderr)
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode("utf-8")


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


if __name__ == "__main__":
    sys.path.append(str(REPO))  # after PYTHONPATH: a checkout of another version may be measured
    sys.exit(main())
