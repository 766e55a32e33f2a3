"""How numbers look in generated programs: snapped to a grid when drawn, short when written.

The dataset quantises to 1/128 of the unit (8-bit DeepCAD values) and prints full floats; our concise
style snaps to a decimal grid so the printed numbers are short, which matters to a model whose
tokenizer splits every digit.
"""

from __future__ import annotations

import math

VERBOSE_QUANTUM = 1.0 / 128.0
CONCISE_QUANTUM = 0.01


def snap(value: float, quantum: float) -> float:
    """``value`` on the grid; repeated snapping is a no-op and never prints 0.30000000000000004."""
    return round(round(value / quantum) * quantum, 10) + 0.0


def snap_min(value: float, quantum: float) -> float:
    """Snap, but never to zero or below (sizes, radii, depths)."""
    return max(snap(value, quantum), quantum)


def fmt(value: float, decimals: int | None = None) -> str:
    """Short source text: ``2``, ``0.25``, ``-0.0117``; ``decimals=None`` keeps the float's repr."""
    if decimals is None:
        return repr(float(value)) if value != 0 else "0.0"
    rounded = round(value, decimals) + 0.0
    if math.isclose(rounded, round(rounded)) and abs(rounded) < 1e15:
        return str(round(rounded))
    return f"{rounded:.{decimals}f}".rstrip("0")
