"""Oversized pictures are shrunk, not refused; pictures without a part are reported as a low
match (issue 15). Pure image work: no model, no sandbox."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from core.pipeline.image_to_cad import MAX_IMAGE_SIDE, picture_event, read_picture
from core.pipeline.quality import LOW_MATCH, assess, picture_problem


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _part(size: int = 448) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    image.paste((90, 110, 160), (size // 4, size // 3, 3 * size // 4, 2 * size // 3))
    return image


def test_a_picture_over_the_limit_is_shrunk_keeping_its_aspect() -> None:
    wide = Image.new("RGB", (12000, 6000), "white")
    _input, rgb, original = read_picture(_png(wide))
    assert original == (12000, 6000)
    assert rgb.size == (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE // 2)
    event = picture_event(original, rgb.size)
    assert event["resized_from"] == [12000, 6000]
    assert "shrunk to 4096 x 2048" in event["message"]


def test_a_picture_within_the_limit_is_untouched() -> None:
    _input, rgb, original = read_picture(_png(_part()))
    assert rgb.size == original == (448, 448)
    assert "resized_from" not in picture_event(original, rgb.size)


def test_blank_and_noise_pictures_are_low_matches_and_a_part_is_not() -> None:
    blank = Image.new("RGB", (448, 448), "white")
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (448, 448, 3), dtype=np.uint8))
    assert "blank" in picture_problem(blank)
    assert "background" in picture_problem(noise)
    assert picture_problem(_part()) is None
    assert assess(blank, 0.9).low_match and assess(noise, 0.9).low_match
    assert not assess(_part(), 0.9).low_match
    low = assess(_part(), LOW_MATCH - 0.1)
    assert low.low_match and "50%" in low.note


def test_the_json_result_keeps_its_keys_and_adds_the_match() -> None:
    from core.pipeline.result import CadResult

    out = CadResult("ok", code="x", volume=1.0, match=0.42, low_match=True, match_note="low match").to_json()
    assert {"status", "code", "volume", "parameters", "candidates", "timings"} <= set(out)
    assert (out["match"], out["low_match"], out["match_note"]) == (0.42, True, "low match")
