"""Geometry of recovered prisms in the world: their outline points and corners, and a body grown to
cover a feature standing where the picture hides part of the body.
Shared by the grounding's two-extrusion explanations and the structure search's edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from core.grounding.sketch import Arc, Circle, Curve, Loop, Point, Prism
from core.grounding.views import axis_view


def plane_points(prism: Prism, samples: int = 24) -> np.ndarray:
    """The outline's points in its plane (circles sampled)."""
    if isinstance(prism.outline, Circle):
        (cx, cy), r = prism.outline.center, prism.outline.radius
        t = np.linspace(0, 2 * np.pi, samples, endpoint=False)
        return np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])
    return np.asarray(prism.outline.points(), float)


def world_points(prism: Prism) -> np.ndarray:
    """The prism's outline at its near and far planes, in world (pixel) units."""
    view = axis_view(prism.axis)
    pts = plane_points(prism)
    base = pts[:, :1] * view.x_dir + pts[:, 1:2] * view.y_dir
    return np.vstack([base + prism.height * view.normal, base + (prism.height - prism.depth) * view.normal])


def absorb(body: Prism, other: Prism) -> Prism | None:
    """``body`` with the outline vertices on its extreme sides moved out to ``other``'s extent."""
    if not isinstance(body.outline, Loop):
        return None
    view = axis_view(body.axis)
    wp = world_points(other)
    u, v = wp @ view.x_dir, wp @ view.y_dir
    (x0, y0), (x1, y1) = body.bounds()
    tol = 0.02 * max(x1 - x0, y1 - y0, 1.0)
    moves: list[Callable[[Point], Point]] = []
    # Shifted, not snapped, so an arc on that side keeps its shape.
    du_hi, du_lo, dv_hi, dv_lo = (
        float(u.max() - x1),
        float(u.min() - x0),
        float(v.max() - y1),
        float(v.min() - y0),
    )
    if du_hi > 1:
        moves.append(lambda p: (p[0] + du_hi, p[1]) if p[0] > x1 - tol else p)
    if du_lo < -1:
        moves.append(lambda p: (p[0] + du_lo, p[1]) if p[0] < x0 + tol else p)
    if dv_hi > 1:
        moves.append(lambda p: (p[0], p[1] + dv_hi) if p[1] > y1 - tol else p)
    if dv_lo < -1:
        moves.append(lambda p: (p[0], p[1] + dv_lo) if p[1] < y0 + tol else p)
    if not moves:
        return None
    loop = body.outline
    for move in moves:
        loop = map_loop(loop, move)
    return replace(body, outline=loop)


def map_loop(loop: Loop, fn: Callable[[Point], Point]) -> Loop:
    segments: list[Point | Arc] = []
    for s in loop.segments:
        segments.append(Arc(fn(s.mid), fn(s.end)) if isinstance(s, Arc) else fn(s))
    return Loop(fn(loop.start), tuple(segments))


def slid(prism: Prism, dh: float) -> Prism:
    """``prism`` moved ``dh`` along its normal, its picture kept: the sketch shifts by the plane
    offset that the move's image shift maps to. The picture shows where a feature's face is, not
    how far from the eye, so every such move draws the same."""
    view = axis_view(prism.axis)
    du, dv = view.image_to_plane @ (dh * view.depth_shift)
    outline = map_curve(prism.outline, lambda q: (q[0] + du, q[1] + dv))
    holes = tuple(map_curve(h, lambda q: (q[0] + du, q[1] + dv)) for h in prism.holes)
    return replace(prism, outline=outline, holes=holes, height=prism.height + dh)


def map_curve(curve: Curve, fn: Callable[[Point], Point]) -> Curve:
    if isinstance(curve, Circle):
        return replace(curve, center=fn(curve.center))
    return map_loop(curve, fn)


def contact_slides(
    body: Prism, boss: Prism, sink: float = 1.0, share: float = 0.25, min_step: float = 2.0
) -> list[float]:
    """Slides of ``boss`` along its normal (``slid``: its picture kept) at which its box meets
    ``body``'s box face to face across one world axis, sunk into it so the two fuse into one
    solid: by ``sink``, and by ``share`` of the thinner of the two along that axis (hidden
    either way; which holds the boss better, render-and-compare decides). The picture fixes a
    boss up to that slide, and where its far side is hidden it need not meet the body along its
    own normal: a pedestal under a table top meets it across the top's underside, a block on a
    tube's side touches the tube's tangent plane. A slide within ``min_step`` of an earlier one
    is left out; one of about ``sink`` is kept, since a boss that only touches the body along
    its own normal may meet it in an edge."""
    here, around = world_points(boss), world_points(body)
    step = world_points(slid(boss, 1.0))[0] - here[0]  # world move per unit of slide
    lo_b, hi_b = around.min(axis=0), around.max(axis=0)
    lo, hi = here.min(axis=0), here.max(axis=0)
    out: list[float] = []
    for a in range(3):
        if abs(step[a]) < 1e-6:
            continue
        for into in (sink, max(sink, share * min(hi_b[a] - lo_b[a], hi[a] - lo[a]))):
            for t in ((lo_b[a] + into - hi[a]) / step[a], (hi_b[a] - into - lo[a]) / step[a]):
                overlap = np.minimum(hi + t * step, hi_b) - np.maximum(lo + t * step, lo_b)
                if (
                    (overlap > 0.5 * sink).all()
                    and all(abs(t - u) > min_step for u in out)
                    and abs(t) > 0.25 * sink
                ):
                    out.append(float(t))
    return out
