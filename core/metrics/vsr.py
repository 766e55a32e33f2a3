"""Valid syntax rate: the share of generated scripts that run and produce a solid."""

from __future__ import annotations

from collections.abc import Iterable


def valid_syntax_rate(valid: Iterable[bool]) -> float:
    """The paper counts a script as valid when it runs without error; we also require a solid
    (status ``ok``), since an IoU needs one. An empty set has no rate: that is a caller error."""
    flags = list(valid)
    if not flags:
        raise ValueError("valid_syntax_rate of no samples")
    return sum(flags) / len(flags)
