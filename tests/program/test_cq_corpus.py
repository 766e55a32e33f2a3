"""The round trip on CadQuery programs written outside this project (issue 11).

The programs themselves are not in the repository (their list, commits and licences are:
``tests/data/cq_corpus/SOURCES.json``); ``scripts/cq_corpus.py fetch`` brings them into
``tests/data/cq_corpus/programs/``, and this test checks every one it finds there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.program import find_parameters
from core.program.round_trip import round_trip_problems

CORPUS = Path(__file__).resolve().parents[1] / "data" / "cq_corpus"
PROGRAMS = sorted((CORPUS / "programs").rglob("*.py"))


def test_every_source_names_its_commit_and_licence() -> None:
    sources = json.loads((CORPUS / "SOURCES.json").read_text(encoding="utf-8"))["sources"]
    assert {s["repo"] for s in sources} >= {"CadQuery/cadquery", "CadQuery/cadquery-contrib"}
    for source in sources:
        assert len(source["commit"]) == 40 and source["licence"] in ("Apache-2.0", "MIT"), source
        assert source["role"] in ("program", "doc", "library") and source["paths"], source


@pytest.mark.slow  # every parameter of ~170 programs changed in turn: minutes on 2 cores
@pytest.mark.skipif(not PROGRAMS, reason="corpus not fetched: scripts/cq_corpus.py fetch")
def test_round_trip_on_every_fetched_program() -> None:
    failures = {
        str(p.relative_to(CORPUS)): round_trip_problems(p.read_text(encoding="utf-8")) for p in PROGRAMS
    }
    assert {k: v for k, v in failures.items() if v} == {}
    with_parameters = sum(bool(find_parameters(p.read_text(encoding="utf-8"))) for p in PROGRAMS)
    assert with_parameters >= 0.95 * len(PROGRAMS)
