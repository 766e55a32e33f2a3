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
from training.synth.generic import GenericSettings, generate_generic
from training.synth.idioms import IDIOMS, generate_idiom
from training.synth.numbers import CONCISE_QUANTUM, VERBOSE_QUANTUM

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

    def __post_init__(self) -> None:
        if self.style not in ("concise", "verbose"):
            raise ValueError(f"style must be 'concise' or 'verbose', not {self.style!r}")
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
        return CONCISE_QUANTUM if self.style == "concise" else VERBOSE_QUANTUM


@dataclass(frozen=True)
class Candidate:
    index: int
    family: str
    code: str
    params: dict[str, float]


def candidate_rng(seed: int, index: int, purpose: str = "program") -> np.random.Generator:
    salt = {"program": 0, "render": 1}[purpose]
    return np.random.default_rng([seed, index, salt])


def sample_candidate(seed: int, index: int, config: SamplerConfig) -> Candidate:
    rng = candidate_rng(seed, index)
    names = sorted(config.family_weights)
    weights = np.array([config.family_weights[n] for n in names], dtype=float)
    family = str(rng.choice(names, p=weights / weights.sum()))
    if family == GENERIC:
        program = generate_generic(rng, config.quantum, config.generic)
        code = emit_concise(program) if config.style == "concise" else emit_verbose(program)
        return Candidate(index, family, code, {})
    idiom = generate_idiom(rng, family, config.quantum, config.idiom_turn_p)
    code = idiom.concise if config.style == "concise" else emit_verbose(idiom.program)
    return Candidate(index, family, code, dict(idiom.params))
