"""Which executed programs are worth training on: one solid, real volume, not paper-thin.

A program that runs can still make a part a model should never learn from: a cut that splits the
part in two, a union that floats a boss in the air, a sliver thinner than a render pixel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.sandbox import ExecutionResult


@dataclass(frozen=True)
class QualityLimits:
    # Volume over bounding-box volume; below this the part is mostly air (a thin tilted sheet, a wire).
    min_fill: float = 0.005
    # Smallest bounding-box side over the largest; below this the part is paper-thin.
    min_aspect: float = 0.005
    # Largest bounding-box side in model units; guards against runaway unions.
    max_extent: float = 10.0


def limits_for_scale(limits: QualityLimits, unit_scale: float) -> QualityLimits:
    """The same limits for parts written ``unit_scale`` times larger (integer grid units): only the
    absolute one, ``max_extent``, changes; the ratios are scale-free."""
    if unit_scale == 1.0:
        return limits
    return replace(limits, max_extent=limits.max_extent * unit_scale)


def rejection_reason(result: ExecutionResult, limits: QualityLimits | None = None) -> str | None:
    """``None`` when the result is a usable sample, else a short reason (counted in the manifest)."""
    lim = limits or QualityLimits()
    if not result.ok:
        return f"status:{result.status.value}"
    if result.n_solids != 1:
        return "solids"
    if result.volume is None or result.bbox is None or result.volume <= 0:
        return "volume"
    x0, y0, z0, x1, y1, z1 = result.bbox
    sides = sorted((x1 - x0, y1 - y0, z1 - z0))
    if sides[2] <= 0 or sides[2] > lim.max_extent:
        return "extent"
    if sides[0] / sides[2] < lim.min_aspect:
        return "thin"
    if result.volume / (sides[0] * sides[1] * sides[2]) < lim.min_fill:
        return "fill"
    return None
