"""Character offsets of ``ast`` nodes in the source text.

``ast`` counts columns in UTF-8 bytes; edits of the code are made on ``str`` offsets, so a name
with an accent before a number (``'Ø größe'``) must not shift where the number is rewritten.
"""

from __future__ import annotations

import ast


def line_offsets(code: str) -> list[int]:
    offsets, total = [0], 0
    for line in code.splitlines(keepends=True):
        total += len(line)
        offsets.append(total)
    return offsets


def char_span(code: str, offsets: list[int], node: ast.expr) -> tuple[int, int]:
    def char_offset(lineno: int, byte_col: int) -> int:
        line_start = offsets[lineno - 1]
        line = code[line_start : offsets[lineno]] if lineno < len(offsets) else code[line_start:]
        return line_start + len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    return char_offset(node.lineno, node.col_offset), char_offset(node.end_lineno, node.end_col_offset)
