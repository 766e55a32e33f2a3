"""Does the answer look like the picture? The signal the CLI and the workbench show before a
part is added (issue 15: a blank white picture and a noise picture both came back "Done").

Two checks, both cheap. The picture itself: with no foreground against its border's colour it is
blank, and with foreground nearly everywhere there is no part on a background to read. The answer:
the render-and-compare score (``core.pipeline.refine.score_of``, the number best-of-N ranks by) of
the chosen solid against the picture. On the benchmark's renders the chosen answers of cadcoder-mini
score 0.61-0.99 except the two wrong parts (0.34, 0.52); a noise picture's answer scores 0.58. So
below ``LOW_MATCH`` the result is reported as a low match; nothing is refused, the caller asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

LOW_MATCH = 0.6
BLANK_SHARE = 0.002  # foreground share of the frame below which the picture holds nothing
FULL_SHARE = 0.9  # above it, no background surrounds a part


@dataclass(frozen=True)
class Quality:
    match: float | None  # render-and-compare score in [0, 1], None when not computed
    low_match: bool
    note: str  # why, in words, when low_match


def picture_problem(picture: Image.Image) -> str | None:
    """Why the picture does not show a part on a background, or None when it may."""
    from core.render.compare import foreground_mask

    small = picture.copy()
    small.thumbnail((256, 256))
    share = float(foreground_mask(small).mean())
    if share < BLANK_SHARE:
        return "the picture looks blank (nothing stands out from its background)"
    if share > FULL_SHARE:
        return "the picture has no plain background around a part (noise, a texture, or a crop of one face?)"
    return None


def assess(picture: Image.Image | None, match: float | None) -> Quality:
    """The quality verdict for an answer whose score against ``picture`` is ``match``."""
    problem = picture_problem(picture) if picture is not None else None
    if problem:
        return Quality(match, True, f"low match: {problem}")
    if match is not None and match < LOW_MATCH:
        return Quality(match, True, f"low match: the part matches the picture only {match:.0%}")
    return Quality(match, False, "")
