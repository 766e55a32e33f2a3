"""Pad-to-square with the processor's mean colour (LLaVA's expand2square, image_aspect_ratio pad)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.models.base import BackendError, ImageInput
from core.models.images import decode_image, expand2square, mean_colour, prepare_image

OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)


def png(picture: Image.Image) -> ImageInput:
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    return ImageInput(buf.getvalue())


def test_mean_colour_is_llavas_integer_truncation() -> None:
    assert mean_colour(OPENAI_CLIP_MEAN) == (122, 116, 104)


@pytest.mark.parametrize(("size", "box"), [((40, 20), (0, 10, 40, 30)), ((20, 40), (10, 0, 30, 40))])
def test_wide_and_tall_pictures_are_centred_on_mean_colour(size: tuple[int, int], box: tuple) -> None:
    padded = prepare_image(png(Image.new("RGB", size, (255, 0, 0))), OPENAI_CLIP_MEAN, redraw=False)
    assert padded.size == (40, 40)
    pixels = np.asarray(padded)
    left, top, right, bottom = box
    assert (pixels[top:bottom, left:right] == (255, 0, 0)).all()
    outside = np.ones(pixels.shape[:2], dtype=bool)
    outside[top:bottom, left:right] = False
    assert (pixels[outside] == (122, 116, 104)).all()


def test_square_pictures_are_untouched() -> None:
    picture = Image.new("RGB", (16, 16), (1, 2, 3))
    assert expand2square(picture, (9, 9, 9)) is picture


def test_transparent_background_becomes_white() -> None:
    picture = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    picture.putpixel((3, 3), (10, 20, 30, 255))
    decoded = decode_image(png(picture))
    assert decoded.mode == "RGB"
    assert decoded.getpixel((0, 0)) == (255, 255, 255)
    assert decoded.getpixel((3, 3)) == (10, 20, 30)


def test_undecodable_bytes_raise_backend_error() -> None:
    with pytest.raises(BackendError, match="cannot decode"):
        decode_image(ImageInput(b"not an image"))


def test_padding_matches_the_saved_processor(tiny_llava, part_image: ImageInput) -> None:
    """Our padding followed by the processor equals the processor's own do_pad path."""
    from transformers import AutoProcessor

    image_processor = AutoProcessor.from_pretrained(tiny_llava).image_processor
    assert image_processor.do_pad
    ours = image_processor(
        images=[prepare_image(part_image, image_processor.image_mean, redraw=False)], return_tensors="pt"
    )
    theirs = image_processor(images=[decode_image(part_image)], return_tensors="pt")
    np.testing.assert_allclose(ours["pixel_values"].numpy(), theirs["pixel_values"].numpy(), atol=1e-6)


def test_a_picture_in_another_style_is_redrawn_before_padding(part_image: ImageInput) -> None:
    """The fixture (a grey box on white, no drawn lines) is not in the training pictures' look: by
    default the model sees it redrawn (benchmark box grey, black outline), padded as before."""
    from core.render.model_view import BENCHMARK_BOX_GREY, model_view

    seen = prepare_image(part_image, OPENAI_CLIP_MEAN)
    given = prepare_image(part_image, OPENAI_CLIP_MEAN, redraw=False)
    assert seen.size == given.size == (48, 48)
    expected = expand2square(model_view(decode_image(part_image)), mean_colour(OPENAI_CLIP_MEAN))
    assert np.array_equal(np.asarray(seen), np.asarray(expected))
    pixels = np.asarray(seen)
    assert (pixels[8 + 8 + 2, 10 + 2] == BENCHMARK_BOX_GREY).all()  # inside the box, below the pad
    assert (pixels[8 + 8, 10] == 0).all()  # its outline's corner
    assert (np.asarray(given)[8 + 8 + 2, 10 + 2] == 128).all()
