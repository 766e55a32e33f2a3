"""Getting runnable CadQuery out of a model's reply.

Models wrap code in markdown fences, talk before and after it, stop mid-fence when they hit the
token limit, leave chat stop tokens in, and forget ``import cadquery as cq``. Everything downstream
(sandbox, scoring, the workbench) wants plain code, so this is the single place that cleans it.
It never raises: a reply with no recognisable code comes back stripped, and the sandbox then gives
the precise syntax error a user can act on.
"""

from __future__ import annotations

import ast
import re
import textwrap

STOP_TOKENS = ("</s>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "<end_of_turn>")
_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*([\w+.-]*)[^\n]*$", re.MULTILINE)
_PY_LANGS = {"", "python", "py", "python3", "cadquery"}
_CODE_START = re.compile(
    r"^(import\s|from\s+\w[\w.]*\s+import\s|#|@|def\s|class\s|for\s|while\s|if\s|with\s|"
    r"[A-Za-z_]\w*\s*(=|\+=|-=|\*=|/=|\.|\[|\())"
)


def extract_code(reply: str) -> str:
    """The CadQuery program in ``reply`` (fenced or bare), with missing imports added."""
    try:
        text = _strip_stop_tokens(reply or "").replace("\r\n", "\n")
        blocks = _fenced_blocks(text)
        code = _pick_block(blocks) if blocks else _strip_prose(text)
        return add_missing_imports(code.strip("\n")).rstrip() + "\n" if code.strip() else ""
    except Exception:  # the contract is "never raises": fall back to the raw text
        return (reply or "").strip() + ("\n" if (reply or "").strip() else "")


def _strip_stop_tokens(text: str) -> str:
    cut = min((i for i in (text.find(t) for t in STOP_TOKENS) if i >= 0), default=len(text))
    return text[:cut]


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block; an unclosed last fence runs to the end (truncation)."""
    blocks: list[tuple[str, str]] = []
    fences = list(_FENCE.finditer(text))
    i = 0
    while i < len(fences):
        opening = fences[i]
        lang = opening.group(2).lower()
        closing = next(
            (f for f in fences[i + 1 :] if f.group(1) == opening.group(1) and not f.group(2)), None
        )
        body_start = opening.end() + 1
        if closing is None:
            blocks.append((lang, text[body_start:]))
            break
        blocks.append((lang, text[body_start : closing.start()]))
        i = fences.index(closing) + 1
    return blocks


def _pick_block(blocks: list[tuple[str, str]]) -> str:
    """The block most likely to be the part: Python, mentions CadQuery, then the longest."""
    python = [b for lang, b in blocks if lang in _PY_LANGS] or [b for _, b in blocks]
    return max(python, key=lambda b: (_mentions_cadquery(b), len(b)))


def _mentions_cadquery(code: str) -> bool:
    return "cadquery" in code or "cq." in code


def _strip_prose(text: str) -> str:
    """Drop explanatory lines before the first code line and after the last parseable one."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _CODE_START.match(line.strip())), None)
    if start is None:
        return text.strip()
    # A reply that opens with a space (" import cadquery ...", the separator after LLaVA's
    # "ASSISTANT:") or is indented as a whole would be an IndentationError, not a program.
    body = textwrap.dedent("\n".join(lines[start:])).split("\n")
    body[0] = body[0].lstrip()
    for end in range(len(body), 0, -1):
        candidate = "\n".join(body[:end])
        if _parses(candidate):
            return candidate
    return "\n".join(body)


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def add_missing_imports(code: str) -> str:
    """Prepend ``import cadquery as cq`` / ``import math`` when the code uses them without importing."""
    needed = []
    if re.search(r"\bcq\s*\.", code) and not re.search(r"^\s*import\s+cadquery\s+as\s+cq\b", code, re.M):
        needed.append("import cadquery as cq")
    if re.search(r"\bmath\s*\.", code) and not re.search(
        r"^\s*import\s+math\b|^\s*from\s+math\s+import\b", code, re.M
    ):
        needed.append("import math")
    return "\n".join([*needed, code]) if needed else code
