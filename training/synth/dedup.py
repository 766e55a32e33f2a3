"""Duplicate detection: the same program text (up to formatting and float noise) or the same shape.

Two keys, either one marks a duplicate: the normalised code (comments and blanks dropped, numbers
rounded to 3 decimals) and a geometric signature (volume to 4 significant digits, bounding box to
3 decimals, face count). Random programs often differ only in a cut that removed nothing; the
geometric key catches those.
"""

from __future__ import annotations

import hashlib
import io
import tokenize
from collections.abc import Iterable

from core.sandbox import ExecutionResult


def normalise_code(code: str) -> str:
    """Tokens without comments, whitespace or float noise: ``0.30000000000000004`` reads ``0.3``."""
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return " ".join(code.split())
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        out.append(_rounded(tok.string) if tok.type == tokenize.NUMBER else tok.string)
    return " ".join(out)


def _rounded(number: str) -> str:
    try:
        return format(round(float(number), 3) + 0.0, "g")
    except ValueError:  # hex, complex: keep as written
        return number


def code_key(code: str) -> str:
    return hashlib.sha1(normalise_code(code).encode()).hexdigest()


def shape_key(result: ExecutionResult) -> str:
    volume = f"{result.volume:.4g}" if result.volume is not None else "-"
    bbox = ",".join(f"{v:.3f}" for v in result.bbox) if result.bbox else "-"
    return f"{volume}|{bbox}|{result.n_faces}"


class Deduplicator:
    """Remembers what it has accepted; :meth:`seen` is True for a repeat by either key."""

    def __init__(self) -> None:
        self._keys: set[str] = set()

    def seen(self, keys: Iterable[str]) -> bool:
        return any(k in self._keys for k in keys)

    def add(self, keys: Iterable[str]) -> None:
        self._keys.update(keys)

    def __len__(self) -> int:
        return len(self._keys)
