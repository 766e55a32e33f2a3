"""Names that promise an order: an ``outer_diameter`` is not smaller than the ``inner_diameter``.

``circle(outer_diameter / 2).circle(inner_diameter / 2)`` draws the same ring whichever is larger,
so a search that changes dimensions one at a time (``core.pipeline.refine``) can swap them and
still match the picture -- leaving a tube whose ``outer_diameter`` is the inner one (issue 15).
``order_violations`` names such pairs so the search refuses those steps; it compares names that
differ only in the order word (outer/inner, max/min, major/minor, ...), a radius counting as half
a diameter.
"""

from __future__ import annotations

from collections.abc import Mapping

# (larger, smaller) words.
ORDER_WORDS = (
    ("outer", "inner"),
    ("outside", "inside"),
    ("od", "id"),
    ("max", "min"),
    ("maximum", "minimum"),
    ("major", "minor"),
    ("big", "small"),
    ("large", "small"),
)
_RADIUS = {"radius": "diameter", "rad": "dia", "r": "d"}


def order_violations(values: Mapping[str, float | int]) -> list[tuple[str, str]]:
    """(larger name, smaller name) pairs whose values contradict their names."""
    found = []
    keyed = {name: _key(name) for name in values}
    for larger, large_key in keyed.items():
        for smaller, small_key in keyed.items():
            if large_key is None or small_key is None or larger == smaller:
                continue
            (large_stem, large_word, large_factor), (small_stem, small_word, small_factor) = (
                large_key,
                small_key,
            )
            if large_stem != small_stem or (large_word, small_word) not in ORDER_WORDS:
                continue
            if values[larger] * large_factor < values[smaller] * small_factor:
                found.append((larger, smaller))
    return found


def _key(name: str) -> tuple[tuple[str, ...], str, float] | None:
    """(the name without its order word, radius words as diameters; the order word; 2 for a radius)."""
    tokens = name.lower().split("_")
    words = {word for pair in ORDER_WORDS for word in pair}
    hits = [i for i, token in enumerate(tokens) if token in words]
    if len(hits) != 1:
        return None
    word = tokens.pop(hits[0])
    factor = 2.0 if any(t in _RADIUS for t in tokens) else 1.0
    return tuple(_RADIUS.get(t, t) for t in tokens), word, factor
