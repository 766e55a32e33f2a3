"""Pictures that arrive by the clipboard or by drag-and-drop, turned into a file like one picked
from disk.

Image to CAD and the engine only understand image files, so whatever comes in is reduced to a
path: a dropped or copied local file is used where it lies (after checking that Qt can read it as
a picture), raw image data (a screenshot tool, a browser's "Copy image") is saved as a PNG in a
fresh temporary folder, as Snapshot to CAD does. Anything else is refused with a message that says
what was expected, so the panel can show it and change nothing. GUI only (Qt).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide import QtCore, QtGui

# What the engine (Pillow) and FreeCAD's Qt both read; Qt's names as QImageReader reports them.
PICTURE_FORMATS = ("png", "jpeg", "jpg", "bmp", "webp")
EXPECTED = "a picture (PNG, JPEG or BMP)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.webp)"


class PictureRejected(ValueError):
    """What came in is not a picture the engine can use; the message says what it was."""


def may_hold_picture(mime: QtCore.QMimeData) -> bool:
    """Whether a drag is worth accepting: files, image data or text (a path); the drop decides."""
    return mime.hasUrls() or mime.hasImage() or mime.hasText() or bool(_image_formats(mime))


def picture_from_mime(mime: QtCore.QMimeData | None, source: str = "the clipboard") -> str:
    """The path of the picture ``mime`` carries (a file, raw image data, or a path as text);
    PictureRejected otherwise."""
    if mime is None:
        raise PictureRejected(f"{source} is empty; expected {EXPECTED}")
    if mime.hasUrls():
        return _picture_file(mime.urls()[0])
    for fmt in _image_formats(mime):
        image = QtGui.QImage.fromData(mime.data(fmt))
        if not image.isNull():
            return save_png(image)
    if mime.hasImage():
        image = QtGui.QImage(mime.imageData())
        if not image.isNull():
            return save_png(image)
    if mime.hasText() and mime.text().strip():
        text = mime.text().strip().splitlines()[0].strip()
        url = QtCore.QUrl(text)
        if url.isLocalFile() or Path(text).is_absolute():
            return _picture_file(url if url.isLocalFile() else QtCore.QUrl.fromLocalFile(text))
        raise PictureRejected(f"{source} holds text, not {EXPECTED}")
    raise PictureRejected(f"{source} holds no picture; expected {EXPECTED}")


def picture_from_clipboard() -> str:
    return picture_from_mime(QtGui.QApplication.clipboard().mimeData(), "the clipboard")


def save_png(image: QtGui.QImage) -> str:
    """``image`` as ``pasted.png`` in a fresh temporary folder (the feature keeps the path)."""
    path = str(Path(tempfile.mkdtemp(prefix="cadcoder-paste-")) / "pasted.png")
    if not image.save(path, "PNG"):
        raise PictureRejected(f"could not save the picture to {path}")
    return path


def _picture_file(url: QtCore.QUrl) -> str:
    if not url.isLocalFile():
        raise PictureRejected(f"{url.toString()} is not a local file; save the picture and drop the file")
    path = url.toLocalFile()
    name = Path(path).name
    if not Path(path).is_file():
        raise PictureRejected(f"{name} is not a file; expected {EXPECTED}")
    reader = QtGui.QImageReader(path)  # by content: a text file named .png is still refused
    fmt = bytes(reader.format()).decode(errors="replace").lower()
    if not reader.canRead() or fmt not in PICTURE_FORMATS:
        raise PictureRejected(f"{name} is not {EXPECTED}")
    return path


def _image_formats(mime: QtCore.QMimeData) -> list[str]:
    return [f for f in mime.formats() if f.startswith("image/")]
