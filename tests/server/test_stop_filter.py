"""Stop sequences: the streamed text must equal the non-streamed one, however tokens split."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.server.stops import StopFilter, truncate_at_stop

STOPS = ("```", "\nUSER:")


def streamed(text: str, cuts: list[int], stops: tuple[str, ...]) -> tuple[str, bool]:
    pieces = [text[a:b] for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(text)], strict=True)]
    stream_filter = StopFilter(stops)
    out = "".join(stream_filter.feed(p) for p in pieces)
    if not stream_filter.stopped:
        out += stream_filter.flush()
    return out, stream_filter.stopped


def test_truncation_at_the_earliest_stop() -> None:
    assert truncate_at_stop("a = 1\nUSER: more ``` x", STOPS) == ("a = 1", True)
    assert truncate_at_stop("solid = 1", STOPS) == ("solid = 1", False)


def test_a_stop_split_across_pieces_is_held_back_then_dropped() -> None:
    stream_filter = StopFilter(STOPS)
    assert stream_filter.feed("solid = 1`") == "solid = 1"
    assert stream_filter.feed("`") == ""
    assert stream_filter.feed("` trailing") == "" and stream_filter.stopped
    assert stream_filter.feed("more") == ""


def test_a_near_miss_is_released() -> None:
    stream_filter = StopFilter(STOPS)
    assert stream_filter.feed("x = `") == "x = "
    assert stream_filter.feed("y`") == "`y"
    assert stream_filter.flush() == "`"


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="ab`\nUSER: ", max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=8),
)
def test_streaming_matches_truncation(text: str, cuts: list[int]) -> None:
    cuts = [min(c, len(text)) for c in cuts]
    assert streamed(text, cuts, STOPS) == truncate_at_stop(text, STOPS)
