"""Every ground-truth script of the paper's 100-sample benchmark runs and yields a watertight solid;
4 of them are solids OCCT's checker rejects (issue 16: face-level findings), reported as such.

(Comparing volumes with the benchmark's STEP files is informative only: the dataset's code and
STEP files are not the same geometry for every sample, see docs/reference-facts.md.)
"""

from __future__ import annotations

from core.sandbox import SandboxPool, Status


def test_all_ground_truth_scripts_are_ok(pool: SandboxPool, benchmark_samples: list[dict]) -> None:
    assert len(benchmark_samples) == 100
    futures = [pool.submit(sample["ground_truth"], timeout=60) for sample in benchmark_samples]
    results = [f.result() for f in futures]
    failed = {
        s["question_id"]: f"{r.status}: {r.message}"
        for s, r in zip(benchmark_samples, results, strict=True)
        if not r.made_solid
    }
    assert failed == {}
    assert all(r.volume > 0 and r.n_solids >= 1 and r.brep for r in results)
    assert all(r.extra["source"] == "solid" for r in results)
    rejected = {
        s["question_id"]: tuple(r.extra["check_defects"])
        for s, r in zip(benchmark_samples, results, strict=True)
        if not r.ok
    }
    assert rejected == {
        61429: ("IntersectingWires",),
        158063: ("IntersectingWires",),
        162916: ("IntersectingWires",),
        150422: ("UnorientableShape",),
    }
    assert all(r.status is Status.INVALID_SOLID for r in results if not r.ok)
