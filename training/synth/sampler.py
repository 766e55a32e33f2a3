"""Candidate programs by index: candidate ``i`` of seed ``s`` is always the same program.

Every candidate draws from its own generator seeded with ``(seed, i)``, so a run can be split across
processes, stopped and resumed, and still produce exactly the programs of an uninterrupted run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from training.synth.emit_concise import emit_concise
from training.synth.emit_verbose import emit_verbose
from training.synth.generic import SCALE, GenericSettings, generate_generic
from training.synth.idioms import IDIOMS, generate_idiom
from training.synth.numbers import CONCISE_QUANTUM, VERBOSE_QUANTUM
from training.synth.quantise import to_grid_units

Style = Literal["concise", "verbose"]
GENERIC = "generic"


def default_family_weights() -> dict[str, float]:
    """Most samples are GenCAD-like generic parts (the benchmark's family); a third are idioms."""
    weights = {GENERIC: 0.65}
    weights.update({name: 0.35 / len(IDIOMS) for name in IDIOMS})
    return weights


def parse_family_weights(text: str) -> dict[str, float]:
    """``'idioms'``, ``'generic'`` or ``'box=2,cylinder,generic=0.5'`` (a bare name weighs 1; ``idioms``
    stands for every idiom). Unknown names are left to ``SamplerConfig`` to reject."""
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        try:
            weight = float(value) if value else 1.0
        except ValueError as exc:
            raise ValueError(f"family weight {item!r} is not NAME or NAME=NUMBER") from exc
        for key in IDIOMS if name.strip() == "idioms" else (name.strip(),):
            weights[key] = weight
    if not weights:
        raise ValueError("no families given")
    return weights


@dataclass(frozen=True)
class SamplerConfig:
    style: Style = "concise"
    family_weights: dict[str, float] = field(default_factory=default_family_weights)
    generic: GenericSettings = field(default_factory=GenericSettings)
    # Probability that an idiom is turned onto its side.
    idiom_turn_p: float = 0.35
    # 0: decimal coordinates (0.01 grid). G > 0 (concise only): coordinates on a grid of 1/G of the
    # normalised part size, written as integers in grid units (the part is G/1.5 times larger;
    # IOU_best is scale-free). One canonical form for every family: idioms are written from their
    # program like generic parts.
    grid: int = 0

    def __post_init__(self) -> None:
        if self.style not in ("concise", "verbose"):
            raise ValueError(f"style must be 'concise' or 'verbose', not {self.style!r}")
        if self.grid < 0 or (self.grid and self.style != "concise"):
            raise ValueError("grid is a positive number of cells, for the concise style only")
        unknown = set(self.family_weights) - {GENERIC, *IDIOMS}
        if unknown:
            raise ValueError(f"unknown families {sorted(unknown)}; known: {[GENERIC, *IDIOMS]}")
        if (
            not self.family_weights
            or min(self.family_weights.values()) < 0
            or sum(self.family_weights.values()) <= 0
        ):
            raise ValueError("family_weights must be non-negative and not all zero")

    @property
    def quantum(self) -> float:
        if self.grid:
            return SCALE / self.grid
        return CONCISE_QUANTUM if self.style == "concise" else VERBOSE_QUANTUM

    @property
    def unit_scale(self) -> float:
        """How much larger the written part is than the normalised one (1 without a grid)."""
        return 1.0 / self.quantum if self.grid else 1.0


@dataclass(frozen=True)
class Candidate:
    index: int
    family: str
    code: str
    params: dict[str, float]


def candidate_rng(seed: int, index: int, purpose: str = "program") -> np.random.Generator:
    salt = {"program": 0, "render": 1, "verify": 2}[purpose]
    return np.random.default_rng([seed, index, salt])


def sample_candidate(seed: int, index: int, config: SamplerConfig) -> Candidate:
    rng = candidate_rng(seed, index)
    names = sorted(config.family_weights)
    weights = np.array([config.family_weights[n] for n in names], dtype=float)
    family = str(rng.choice(names, p=weights / weights.sum()))
    if family == GENERIC:
        program = generate_generic(rng, config.quantum, config.generic)
        if config.grid:
            return Candidate(index, family, emit_concise(to_grid_units(program, config.quantum)), {})
        code = emit_concise(program) if config.style == "concise" else emit_verbose(program)
        return Candidate(index, family, code, {})
    idiom = generate_idiom(rng, family, config.quantum, config.idiom_turn_p)
    if config.grid:
        code = emit_concise(to_grid_units(idiom.program, config.quantum))
        return Candidate(index, family, code, dict(idiom.params))
    code = idiom.concise if config.style == "concise" else emit_verbose(idiom.program)
    return Candidate(index, family, code, dict(idiom.params))
