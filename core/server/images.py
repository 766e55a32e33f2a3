"""Images arriving in requests: ``data:`` URLs only, bounded in bytes and pixels.

A server that fetched ``http://`` URLs would let any client make it request internal addresses, so
it refuses them. The pixel count is checked from the header, so a tiny PNG that would expand to
gigabytes (a decompression bomb) is refused before it is decoded.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

from PIL import Image, UnidentifiedImageError

from core.models.base import ImageInput

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 25_000_000
_DATA_URL = re.compile(r"^data:(image/[a-zA-Z0-9.+-]+);base64,(.*)$", re.DOTALL)


class ImageRejected(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def decode_data_url(url: str) -> ImageInput:
    if url.startswith(("http://", "https://")):
        raise ImageRejected("image URLs are not fetched by this server: send the image as a data: URL")
    match = _DATA_URL.match(url)
    if not match:
        raise ImageRejected("image_url must be a data:image/...;base64,... URL")
    if len(match.group(2)) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ImageRejected(f"the image is larger than {MAX_IMAGE_BYTES // 2**20} MB", status=413)
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageRejected("the image's base64 data is malformed") from exc
    _check_image(data)
    return ImageInput(data, match.group(1))


def _check_image(data: bytes) -> None:
    """Opening reads only the header, so the size check runs before any pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected(f"the image has more than {MAX_PIXELS} pixels", status=413)
            image.verify()
    except ImageRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"the image has more than {MAX_PIXELS} pixels", status=413) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"the image cannot be decoded ({exc.__class__.__name__})") from exc
