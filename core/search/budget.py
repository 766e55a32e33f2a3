"""How much the structure search may spend: sandbox runs and wall-clock seconds, whichever ends first."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Budget:
    runs: int
    seconds: float
    used: int = 0
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> int:
        """Runs still allowed (0 once the time is up)."""
        if self.elapsed() >= self.seconds:
            return 0
        return max(0, self.runs - self.used)

    def spend(self, runs: int) -> None:
        self.used += runs

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def exhausted(self) -> bool:
        return self.left() == 0
