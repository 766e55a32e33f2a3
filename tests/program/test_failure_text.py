"""Failures told as what to do: pure translation (no sandbox), from the sandbox's real messages."""

from __future__ import annotations

import pytest

from core.program.failing_call import failing_operation, numeric_parameters, without_operation
from core.program.failure_text import (
    MAX_LENGTH,
    Failure,
    PartSize,
    explain_failure,
    probe_program,
    user_message,
)

PLATE = (
    "import cadquery as cq\n"
    "length = 20.0\n"
    "width = 10.0\n"
    "thickness = 0.06\n"
    "solid = cq.Workplane('XY').box(length, width, thickness)\n"
    "solid = solid.edges().fillet(1.0)\n"
)
PLATE_SIZE = PartSize((-10.0, -5.0, -0.03, 10.0, 5.0, 0.03))
NOT_DONE = Failure(
    "runtime_error", "line 6: StdFail_NotDone: BRep_API: command not done", 6, "StdFail_NotDone"
)


def test_the_thin_plate_fillet_names_the_thickness_and_the_limit() -> None:
    sentence = explain_failure(NOT_DONE, PLATE, PLATE_SIZE)
    assert sentence == (
        "line 6: the fillet of 1 mm could not be built: the part is only 0.06 mm thick (20 × 10 × 0.06 mm), "
        "so a fillet on all its edges must stay below 0.03 mm. Use a smaller radius, or fillet fewer edges "
        '(e.g. only the vertical ones: .edges("|Z")).'
    )
    assert "StdFail" not in sentence and len(sentence) <= MAX_LENGTH


def test_without_a_measurement_the_sentence_still_says_what_to_try() -> None:
    sentence = explain_failure(NOT_DONE, PLATE)
    assert sentence is not None and sentence.startswith("line 6: the fillet of 1 mm could not be built")
    assert "smaller radius" in sentence


def test_named_parameters_give_the_operations_size() -> None:
    code = (
        "import cadquery as cq\nr = 2.5\nsolid = cq.Workplane().box(10, 10, 10).edges('|Z').chamfer(r * 2)\n"
    )
    op = failing_operation(code, 3)
    assert (op.method, op.value, op.target) == ("chamfer", 5.0, "solid")
    assert numeric_parameters(code) == {"r": 2.5}
    failure = Failure("runtime_error", "line 3: StdFail_NotDone: BRep_API: command not done", 3)
    sentence = explain_failure(failure, code, PartSize((0, 0, 0, 10, 10, 10)))
    assert sentence.startswith("line 3: the chamfer of 5 mm could not be built: the part is only 10 mm thick")


def test_the_probe_is_the_program_without_the_failing_call() -> None:
    op = failing_operation(PLATE, 6)
    assert without_operation(PLATE, op).endswith("solid = solid.edges()\n")  # findSolid() follows
    chained = "import cadquery as cq\nsolid = (\n    cq.Workplane().box(20, 10, 0.06)\n    .edges()\n    .fillet(1)\n)\n"
    probe = without_operation(chained, failing_operation(chained, 5))
    assert ".fillet" not in probe and ".edges()" in probe
    compile(probe, "probe", "exec")
    other = "import cadquery as cq\nbody = cq.Workplane().box(2, 2, 2).fillet(5)\nsolid = body.union(x)\n"
    probe = probe_program(Failure("runtime_error", "line 2: StdFail_NotDone: x", 2), other)
    assert "solid = body\n" in probe and "union" not in probe
    compile(probe, "probe", "exec")


@pytest.mark.parametrize(
    ("failure", "code", "size", "expected"),
    [
        (
            Failure("no_solid", "`solid` holds no solid: Workplane"),
            "import cadquery as cq\nsolid = cq.Workplane('XY').rect(10, 5)\n",
            None,
            "line 2: `solid` is a 2-D outline, not a solid: extrude it",
        ),
        (
            Failure("no_solid", "`solid` holds no solid: Workplane"),
            "import cadquery as cq\nsolid = cq.Workplane('XY').box(20, 10, 2).faces('>Z').workplane().hole(30)\n",
            PartSize((-10, -5, -1, 10, 5, 1)),
            "line 2: nothing is left of `solid`: the hole of 30 mm removes all of the 20 × 10 × 2 mm part.",
        ),
        (
            Failure("no_solid", "`solid` holds no solid: Workplane"),
            "import cadquery as cq\nsolid = cq.Workplane('XY')\n",
            None,
            "line 2: `solid` holds no solid: it is an empty workplane.",
        ),
        (
            Failure("runtime_error", "line 2: ValueError: No pending wires present", 2, "ValueError"),
            "import cadquery as cq\nsolid = cq.Workplane('XY').extrude(5)\n",
            None,
            "line 2: `extrude` has no closed 2-D outline to work on",
        ),
        (
            Failure(
                "runtime_error",
                "line 2: ValueError: Cannot find a solid on the stack or in the parent chain",
                2,
            ),
            "import cadquery as cq\nsolid = cq.Workplane('XY').rect(2, 2).cutBlind(-1)\n",
            None,
            "line 2: `cutBlind` works on a solid, but there is none yet",
        ),
        (
            Failure("runtime_error", "line 2: NameError: name 'length' is not defined", 2, "NameError"),
            "import cadquery as cq\nsolid = cq.Workplane('XY').box(length, 2, 2)\n",
            None,
            "line 2: `length` is used but never defined (NameError): add `length = <value>`",
        ),
        (
            Failure("runtime_error", "line 2: Standard_DomainError", 2, "Standard_DomainError"),
            "import cadquery as cq\nsolid = cq.Workplane('XY').box(10, 10, 0)\n",
            None,
            "line 2: `box(10, 10, 0)` has a size of 0 or less",
        ),
        (
            Failure("runtime_error", "line 2: StdFail_NotDone: BRep_API: command not done", 2),
            "import cadquery as cq\nsolid = cq.Workplane().box(20, 10, 2).faces('>Z').shell(-3)\n",
            PartSize((0, 0, 0, 20, 10, 2)),
            "line 2: the shell with 3 mm walls could not be built: the part is only 2 mm thick",
        ),
        (
            Failure("invalid_solid", "`solid` is not watertight (a shell is open)"),
            "",
            None,
            "`solid` is not a closed solid (its surface has an opening)",
        ),
        (
            Failure(
                "invalid_solid",
                "OCCT's checker rejects `solid` (SelfIntersectingWire, UnorientableShape): not a valid solid",
            ),
            "",
            None,
            "`solid` is not a valid solid: an outline crosses itself, usually a wall thicker than half",
        ),
        (
            Failure("invalid_solid", "`result` holds solids 1 and 2 that overlap without being fused"),
            "",
            None,
            "`result` holds parts that overlap without being joined",
        ),
    ],
)
def test_common_failures(failure: Failure, code: str, size: PartSize | None, expected: str) -> None:
    sentence = explain_failure(failure, code, size)
    assert sentence is not None and sentence.startswith(expected), sentence


def test_nothing_better_keeps_the_raw_message() -> None:
    failure = Failure("timeout", "the script ran longer than 30 s")
    assert explain_failure(failure, "x = 1") is None
    assert user_message(failure, "x = 1") == "the script ran longer than 30 s"
    odd = Failure("runtime_error", "line 1: ZeroDivisionError: division by zero", 1, "ZeroDivisionError")
    assert explain_failure(odd, "x = 1 / 0") is None
    assert probe_program(odd, "x = 1 / 0") is None


def test_failure_reads_an_execution_result() -> None:
    from core.sandbox.result import ExecutionResult, Status

    result = ExecutionResult(
        Status.RUNTIME_ERROR,
        message="line 6: StdFail_NotDone: x",
        line=6,
        extra={"exception_type": "StdFail_NotDone"},
    )
    assert Failure.of(result) == Failure("runtime_error", "line 6: StdFail_NotDone: x", 6, "StdFail_NotDone")
