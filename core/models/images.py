"""Image pre-processing for LLaVA-1.5 models (heavy: Pillow).

CAD-Coder was trained with ``image_aspect_ratio: pad``: before the CLIP processor resizes and crops,
LLaVA's ``expand2square`` pads the picture to a square filled with the processor's mean colour
(``tuple(int(x * 255) for x in image_mean)``). Without it the centre crop would cut off the ends of
long parts, which the model never saw during training.

Before that, a picture in another style than the training pictures (a FreeCAD snapshot, a photo) is
redrawn in their look (``core.render.model_view``) unless the caller asks for it as given.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, UnidentifiedImageError

from core.models.base import BackendError, ImageInput


def decode_image(image: ImageInput) -> Image.Image:
    """Encoded bytes -> RGB picture (transparent backgrounds become white, as renders are shown)."""
    try:
        picture = Image.open(io.BytesIO(image.data))
        picture.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise BackendError(f"cannot decode the {image.mime} image ({len(image.data)} bytes): {exc}") from exc
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return picture.convert("RGB")


def mean_colour(image_mean: Sequence[float]) -> tuple[int, ...]:
    """The padding colour LLaVA derives from the processor's normalisation mean."""
    return tuple(int(x * 255) for x in image_mean)


def expand2square(picture: Image.Image, background: tuple[int, ...]) -> Image.Image:
    """LLaVA's ``expand2square``: centre the picture on a square canvas of ``background``."""
    width, height = picture.size
    if width == height:
        return picture
    side = max(width, height)
    canvas = Image.new(picture.mode, (side, side), background)
    canvas.paste(picture, ((side - width) // 2, (side - height) // 2))
    return canvas


def prepare_image(image: ImageInput, image_mean: Sequence[float], *, redraw: bool = True) -> Image.Image:
    """Decoded, redrawn in the training pictures' look when ``redraw``, and padded, ready for the
    processor's resize and normalisation."""
    picture = decode_image(image)
    if redraw:
        from core.render.model_view import model_view

        picture = model_view(picture)
    return expand2square(picture, mean_colour(image_mean))
