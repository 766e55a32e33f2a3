"""requirements.lock is what scripts/setup.sh installs: it must pin every dependency pyproject.toml
declares (runtime and the extras the set-up installs) to a version the declaration allows, and hold
nothing pyproject.toml no longer asks for. A failure here means: run scripts/lock.sh."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
SETUP_EXTRAS = ("train", "dev")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in SETUP_EXTRAS:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def parse_lock(text: str) -> tuple[dict[str, Version], set[str]]:
    """Pins by canonical name, and the names pip-compile says come straight from pyproject.toml."""
    pins: dict[str, Version] = {}
    direct: set[str] = set()
    current = None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match[1])
            pins[current] = Version(match[2])
        elif current and re.match(r"^\s+#\s+(via\s+)?cadcoder \(pyproject\.toml\)", line):
            direct.add(current)
    return pins, direct


def lock_problems(requirements: list[Requirement], lock_text: str) -> list[str]:
    pins, direct = parse_lock(lock_text)
    problems = []
    wanted = set()
    for req in requirements:
        name = canonicalize_name(req.name)
        wanted.add(name)
        if name not in pins:
            problems.append(f"{req.name} is declared but not pinned")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}=={pins[name]} does not satisfy {req}")
    problems += [
        f"{name} is pinned as a direct dependency but not declared" for name in sorted(direct - wanted)
    ]
    return problems


def test_lock_matches_pyproject() -> None:
    assert lock_problems(declared(), (REPO / "requirements.lock").read_text()) == []


def test_lock_pins_the_cpu_torch_build() -> None:
    pins, _ = parse_lock((REPO / "requirements.lock").read_text())
    assert pins["torch"].public == "2.13.0"
    assert not any(name.startswith("nvidia-") for name in pins), "a CUDA torch build slipped into the lock"


def test_the_check_catches_drift() -> None:
    lock = "numpy==1.26.4\n    # via cadcoder (pyproject.toml)\nscipy==1.17.1\n    # via\n    #   cadcoder (pyproject.toml)\n"
    assert lock_problems([Requirement("numpy>=2"), Requirement("scipy>=1.10")], lock) == [
        "numpy==1.26.4 does not satisfy numpy>=2"
    ]
    assert lock_problems([Requirement("numpy>=1.24")], lock) == [
        "scipy is pinned as a direct dependency but not declared"
    ]
    assert lock_problems([Requirement("numpy>=1.24"), Requirement("scipy"), Requirement("rich")], lock) == [
        "rich is declared but not pinned"
    ]


def test_setup_installs_from_the_lock() -> None:
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert '-r "$REPO/requirements.lock"' in setup
    assert "--no-deps" in setup
