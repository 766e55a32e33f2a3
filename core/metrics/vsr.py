"""Valid syntax rate, both ways: the paper's (the script ran and made a solid) and ours (the solid
is valid: OCCT's checker accepts it). They differ exactly by the solids OCCT rejects (self-
intersecting profiles, overlapping unfused parts); reports print both side by side (issue 16)."""

from __future__ import annotations

from collections.abc import Iterable


def valid_syntax_rate(valid: Iterable[bool]) -> float:
    """The share of true flags. Pass ``made_solid`` for the paper's VSR (a script counts when it
    runs without error; we also require a watertight solid, since an IoU needs one) and ``ok``
    for the valid-solid VSR. An empty set has no rate: that is a caller error."""
    flags = list(valid)
    if not flags:
        raise ValueError("valid_syntax_rate of no samples")
    return sum(flags) / len(flags)
