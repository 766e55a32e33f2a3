"""Small arcs of a traced outline made the sketch's corners (``contour.sharpened``)."""

from __future__ import annotations

import math

import pytest

from core.grounding.contour import sharpened
from core.grounding.sketch import Arc, Loop


def _corner_arc(corner: tuple[float, float], into: tuple[float, float], out: tuple[float, float], r: float):
    """The fillet of radius ``r`` at ``corner`` between a line arriving along ``into`` and one
    leaving along ``out`` (unit axis directions): (start, Arc)."""
    start = (corner[0] - r * into[0], corner[1] - r * into[1])
    end = (corner[0] + r * out[0], corner[1] + r * out[1])
    centre = (start[0] + r * out[0], start[1] + r * out[1])
    k = r / math.sqrt(2)
    mid = (centre[0] - k * (out[0] - into[0]), centre[1] - k * (out[1] - into[1]))
    return start, Arc(mid, end)


def _rounded_rectangle(w: float, h: float, r: float) -> Loop:
    corners = [
        ((w, 0), (1, 0), (0, 1)),
        ((w, h), (0, 1), (-1, 0)),
        ((0, h), (-1, 0), (0, -1)),
        ((0, 0), (0, -1), (1, 0)),
    ]
    arcs = [_corner_arc(c, i, o, r) for c, i, o in corners]
    segments: list = []
    for start, arc in arcs:
        segments += [start, arc]
    first = arcs[-1][1].end  # the loop starts where the last fillet ends
    return Loop(first, tuple(segments))


def test_rounded_corners_become_the_rectangle_s_corners() -> None:
    loop = sharpened(_rounded_rectangle(10.0, 4.0, 0.5), chord=1.0)
    assert loop is not None
    corners = sorted({(round(p[0], 6), round(p[1], 6)) for p in loop.points()})
    assert corners == [(0, 0), (0, 4), (10, 0), (10, 4)]
    assert not any(isinstance(s, Arc) for s in loop.segments)


def test_a_rib_s_half_round_end_becomes_square_through_its_tip() -> None:
    # a rib 2 wide, its top a half circle whose tip is at y = 11
    rib = Loop((0.0, 0.0), ((2.0, 0.0), (2.0, 10.0), Arc((1.0, 11.0), (0.0, 10.0)), (0.0, 0.0)))
    loop = sharpened(rib, chord=3.0)
    assert loop is not None and not any(isinstance(s, Arc) for s in loop.segments)
    top = sorted(p for p in loop.points() if p[1] > 5)
    assert top == [pytest.approx((0.0, 11.0)), pytest.approx((2.0, 11.0))]


def test_large_arcs_stay() -> None:
    assert sharpened(_rounded_rectangle(10.0, 4.0, 1.5), chord=1.0) is None
    slot = Loop(
        (0.0, 0.0), ((6.0, 0.0), Arc((8.0, 2.0), (6.0, 4.0)), (0.0, 4.0), Arc((-2.0, 2.0), (0.0, 0.0)))
    )
    assert sharpened(slot, chord=3.0) is None  # a slot's round ends are its shape
