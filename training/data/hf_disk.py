"""Hugging Face ``datasets`` saved with ``save_to_disk``: a LLaVA ``conversations`` column, or a
code column paired with a fixed question (how GenCAD-Code is published on the hub).

Images may be an ``Image`` feature (read undecoded, as bytes) or file names relative to
``image_folder``. Rows are read on demand from the memory-mapped Arrow files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from training.data.llava_json import parse_turns
from training.data.records import Example, ImageRef, LoadReport, Turn, resolve


class HfDiskSource:
    def __init__(
        self,
        path: str | Path,
        *,
        split: str | None = None,
        image_column: str = "image",
        conversations_column: str = "conversations",
        answer_column: str | None = None,
        question: str | None = None,
        image_folder: str | Path | None = None,
    ) -> None:
        """With ``answer_column`` (e.g. ``"cadquery"``) every row is one turn asking ``question``."""
        import datasets

        data = datasets.load_from_disk(str(path))
        if isinstance(data, datasets.DatasetDict):
            if split is None:
                raise ValueError(f"{path} holds splits {list(data)}; choose one with split=")
            data = data[split]
        if image_column not in data.column_names:
            raise ValueError(f"{path}: no image column {image_column!r} (columns: {data.column_names})")
        if isinstance(data.features[image_column], datasets.Image):
            data = data.cast_column(image_column, datasets.Image(decode=False))
        if answer_column is not None and question is None:
            raise ValueError("answer_column needs the question the answers reply to")
        self._data = data
        self._image_column = image_column
        self._folder = Path(image_folder) if image_folder else Path(path)
        self._turns: list[tuple[Turn, ...]] = []
        self._rows: list[int] = []
        dropped: Counter[str] = Counter()
        column = answer_column or conversations_column
        if column not in data.column_names:
            raise ValueError(f"{path}: no column {column!r} (columns: {data.column_names})")
        has_image = data.with_format("arrow")[image_column].is_valid().to_pylist()  # no image bytes read
        for row, value in enumerate(data[column]):
            turns = (
                (Turn(question, value),) if answer_column and isinstance(value, str) else parse_turns(value)
            )
            if turns is None:
                dropped["malformed"] += 1
            elif not has_image[row]:
                dropped["no_image"] += 1
            else:
                self._turns.append(turns)
                self._rows.append(row)
        self.report = LoadReport(str(path), len(self._rows), dict(dropped))

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: int) -> Example:
        row = self._rows[index]
        return Example(str(row), self._image(self._data[row][self._image_column]), self._turns[index])

    def conversation(self, index: int) -> tuple[Turn, ...]:
        return self._turns[index]

    def _image(self, value: Any) -> ImageRef:
        if isinstance(value, dict):
            if value.get("bytes"):
                return ImageRef(data=value["bytes"])
            return ImageRef(str(resolve(self._folder, value["path"])))
        return ImageRef(str(resolve(self._folder, str(value))))
