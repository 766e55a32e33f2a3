"""The attack corpus (``attack_corpus.py``) against the production layers and against the runtime
layers alone (static policy off): no side effect outside the job, no planted secret in anything a
result carries, a clear status, bounded words, and a pool that keeps serving.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from attack_corpus import ATTACKS, OS_PATH, Attack

from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool
from core.sandbox.bounds import MESSAGE_CAP

STDOUT_LIMIT = 4096
BOX = "import cadquery as cq\nsolid = cq.Workplane().box(1, 1, 1)"


@dataclass(frozen=True)
class Canary:
    """Planted secrets: a file in /tmp, a $HOME-like tree, and an environment variable."""

    token: str
    root: Path

    @property
    def secret(self) -> Path:
        return self.root / "secret.txt"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def planted(self) -> set[Path]:
        return {p for p in self.root.rglob("*")}


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    token = "CANARY" + secrets.token_hex(12)
    root = Path(tempfile.mkdtemp(prefix="cadcoder-canary-"))
    c = Canary(token, root)
    c.secret.write_text(token)
    (c.home / ".ssh").mkdir(parents=True)
    (c.home / ".ssh" / "id_rsa").write_text(f"-----BEGIN KEY-----\n{token}\n")
    (c.home / ".config" / "FreeCAD").mkdir(parents=True)
    (c.home / ".config" / "FreeCAD" / "user.cfg").write_text(f'<FCText Name="ApiKey">{token}</FCText>')
    yield c
    shutil.rmtree(root)


def _pool(canary: Canary, static_check: bool) -> SandboxPool:
    config = SandboxConfig(
        workers=1,
        static_check=static_check,
        memory_mb=512,
        file_size_mb=4,
        stdout_limit=STDOUT_LIMIT,
        extra_env={"CADCODER_CANARY": canary.token},
    )
    pool = SandboxPool(config)
    assert pool.wait_ready(180), "sandbox workers did not start"
    return pool


@pytest.fixture(scope="module")
def pools(canary: Canary) -> Iterator[dict[str, SandboxPool]]:
    made = {"guarded": _pool(canary, static_check=True), "open": _pool(canary, static_check=False)}
    yield made
    for pool in made.values():
        pool.close()


def render(code: str, canary: Canary, marker: Path) -> str:
    return (
        code.replace("@OS@", OS_PATH)
        .replace("@SECRET@", str(canary.secret))
        .replace("@HOME@", str(canary.home))
        .replace("@MARKER@", str(marker))
    )


def carried(result: ExecutionResult) -> str:
    """Everything a result hands to its caller, as one string."""
    blob = json.dumps(result.to_json(include_geometry=True))
    for raw in (result.brep, result.step, result.stl):
        if raw:
            blob += raw.decode("latin-1")
    return blob


def test_the_corpus_spans_at_least_30_attack_classes() -> None:
    assert len({a.klass for a in ATTACKS}) >= 30
    assert len({a.id for a in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("mode", ["guarded", "open"])
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_attack_is_contained(
    pools: dict[str, SandboxPool], canary: Canary, attack: Attack, mode: str
) -> None:
    pool = pools[mode]
    before = canary.planted()
    marker = canary.root / f"marker-{uuid.uuid4().hex}"
    result = pool.run(
        render(attack.code, canary, marker), timeout=attack.timeout, outputs=("brep", "step", "stl")
    )

    expected = attack.guarded if mode == "guarded" else attack.open
    assert result.status in expected, f"{result.status}: {result.message}"
    assert canary.planted() == before, "a file appeared or vanished outside the job"
    assert canary.secret.read_text() == canary.token
    assert canary.token not in carried(result), "the planted secret left the sandbox"
    assert len(result.message) <= MESSAGE_CAP
    assert len(result.stdout) <= STDOUT_LIMIT + 100
    after = pool.run(BOX)
    assert after.ok and after.volume == pytest.approx(1.0), after.message
