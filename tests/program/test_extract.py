"""extract_code on the shapes of reply that real models produce."""

from __future__ import annotations

import ast

import pytest

from core.program import add_missing_imports, extract_code

BOX = "result = cq.Workplane('XY').box(1, 2, 3)\nsolid = result"


def test_bare_code_is_kept_and_gets_its_import() -> None:
    assert extract_code(BOX) == "import cadquery as cq\n" + BOX + "\n"


def test_existing_import_is_not_duplicated() -> None:
    code = "import cadquery as cq\n" + BOX
    assert extract_code(code) == code + "\n"


def test_fenced_block_with_prose_around_it() -> None:
    reply = f"Sure! Here is the part:\n\n```python\n{BOX}\n```\n\nThe box is 1 x 2 x 3 mm."
    assert extract_code(reply) == "import cadquery as cq\n" + BOX + "\n"


def test_picks_the_cadquery_block_among_several() -> None:
    reply = f"Install it:\n```bash\npip install cadquery\n```\nThen:\n```py\n{BOX}\n```\n"
    assert "pip install" not in extract_code(reply)
    assert "box(1, 2, 3)" in extract_code(reply)


def test_truncated_fence_runs_to_the_end() -> None:
    reply = f"```python\n{BOX}\nsolid = solid.faces('>Z').hole(0.5"
    code = extract_code(reply)
    assert code.startswith("import cadquery as cq\nresult")
    assert code.rstrip().endswith("hole(0.5")


def test_prose_before_and_after_bare_code_is_dropped() -> None:
    reply = f"Here you go:\n{BOX}\nThis makes a simple box."
    code = extract_code(reply)
    ast.parse(code)
    assert "Here you go" not in code and "simple box" not in code


@pytest.mark.parametrize("token", ["</s>", "<|im_end|>", "<|endoftext|>"])
def test_stop_tokens_and_what_follows_are_removed(token: str) -> None:
    assert extract_code(f"{BOX}{token}USER: more") == "import cadquery as cq\n" + BOX + "\n"


def test_math_import_added_when_used() -> None:
    code = extract_code("import cadquery as cq\nsolid = cq.Workplane().circle(math.pi).extrude(1)")
    assert code.splitlines()[0] == "import math"
    ast.parse(code)


def test_alias_import_is_respected() -> None:
    code = "import cadquery\nsolid = cadquery.Workplane().box(1, 1, 1)"
    assert add_missing_imports(code) == code


@pytest.mark.parametrize("reply", ["", "   ", "I cannot help with that.", None, "```\n```", "\x00\x01"])
def test_never_raises(reply) -> None:
    assert isinstance(extract_code(reply), str)


def test_benchmark_answers_pass_through_unchanged(benchmark_samples) -> None:
    for sample in benchmark_samples[:20]:
        assert extract_code(sample["ground_truth"]) == sample["ground_truth"].rstrip() + "\n"


def test_reply_opening_with_a_space_is_not_an_indentation_error() -> None:
    # LLaVA's template puts a space after "ASSISTANT:"; small models reproduce it.
    reply = " import cadquery as cq\n\nwidth = 2.0\nsolid = cq.Workplane('XY').box(width, 1, 1)\n"
    code = extract_code(reply)
    assert code.startswith("import cadquery as cq\n")
    compile(code, "<reply>", "exec")


def test_uniformly_indented_reply_is_dedented() -> None:
    code = extract_code("    import cadquery as cq\n    solid = cq.Workplane().box(1, 1, 1)\n")
    compile(code, "<reply>", "exec")
    assert "solid = cq.Workplane().box(1, 1, 1)" in code.splitlines()
