"""A failed run of a CadQuery program, told as what the user can do (standard library only).

The sandbox's messages are the kernel's own ("line 6: StdFail_NotDone: BRep_API: command not done",
"`solid` holds no solid: Workplane"): exact, and opaque to someone who asked for a 1 mm fillet on a
0.06 mm plate. :func:`explain_failure` turns the failure, the operation on the failing line
(:mod:`core.program.failing_call`) and, when a caller could measure it, the size of the part that
operation was applied to into one sentence that names the operation, the size that does not fit
and what to change. It is a pure function: measuring (a sandbox run) is the caller's business, and
without a size the sentence is vaguer but still says what to try. It returns None when it has
nothing better than the raw message, which callers keep for developers either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.program.failing_call import Operation, failing_operation, method_calls, without_operation

# What a failure of each kind is most likely caused by, for picking the operation on a line.
_NOT_DONE = ("fillet", "chamfer", "shell", "cut", "union", "intersect", "combine", "loft", "sweep", "split")
_NEEDS_WIRES = ("extrude", "cutBlind", "cutThruAll", "revolve", "twistExtrude", "loft", "sweep", "hole")
_NEEDS_SOLID = ("cutBlind", "cutThruAll", "hole", "cboreHole", "cskHole", "fillet", "chamfer", "shell", "cut")
_REMOVERS = ("hole", "cboreHole", "cskHole", "cutBlind", "cutThruAll", "cut", "intersect", "shell")
_DRAWING = (
    "rect",
    "circle",
    "polygon",
    "polyline",
    "ellipse",
    "slot2D",
    "sketch",
    "lineTo",
    "close",
    "spline",
)
_SOLID_MAKERS = ("extrude", "revolve", "box", "cylinder", "sphere", "wedge", "loft", "sweep", "twistExtrude")
# Operations whose sentence uses the size of the part they were applied to.
_MEASURED = ("fillet", "chamfer", "shell")
_OCCT_ERROR = re.compile(r"^(Std\w+|Standard_\w+|BRep\w*|Geom\w*|TopoDS_\w+|gp_\w+|OCP\.\w+)")
MAX_LENGTH = 400  # sentences travel through JSON messages that the sandbox bounds to a few hundred chars


@dataclass(frozen=True)
class Failure:
    """What the sandbox said: ``ExecutionResult``'s status, message, line and exception type."""

    status: str
    message: str
    line: int | None = None
    exception_type: str | None = None

    @classmethod
    def reported(cls, status: str, message: str) -> Failure:
        """From a status and message alone (a pipeline candidate): the line is read off the message."""
        match = re.match(r"line (\d+): ", message)
        return cls(status, message, int(match.group(1)) if match else None)

    @classmethod
    def of(cls, result: object) -> Failure:
        """From an ``ExecutionResult`` (duck-typed: this module must not import the sandbox)."""
        status = getattr(result, "status", "")
        extra = getattr(result, "extra", None) or {}
        return cls(
            getattr(status, "value", str(status)),
            getattr(result, "message", "") or "",
            getattr(result, "line", None),
            extra.get("exception_type"),
        )


@dataclass(frozen=True)
class PartSize:
    """The part as measured before the failing operation (its bounding box, mm)."""

    bbox: tuple[float, float, float, float, float, float]

    @property
    def extents(self) -> tuple[float, float, float]:
        x0, y0, z0, x1, y1, z1 = self.bbox
        return (x1 - x0, y1 - y0, z1 - z0)

    @property
    def thinnest(self) -> float:
        return min(self.extents)

    def describe(self) -> str:
        return " × ".join(_mm(v) for v in self.extents) + " mm"


def explain_failure(failure: Failure, code: str = "", size: PartSize | None = None) -> str | None:
    """One sentence for the user, or None when the raw message is as good as anything. Like the
    sandbox's messages it starts with "line N: " when the line is known (editors jump there)."""
    found = _explain(failure, code, size)
    if found is None:
        return None
    line, sentence = found
    sentence = (f"line {line}: " if line else "") + sentence
    if len(sentence) > MAX_LENGTH:
        sentence = sentence[: MAX_LENGTH - 3].rstrip() + "..."
    return sentence


def user_message(failure: Failure, code: str = "", size: PartSize | None = None) -> str:
    """The sentence when there is one, else the sandbox's own message."""
    return explain_failure(failure, code, size) or failure.message


def explain_result(result: object, code: str, run: Callable[[str], object] | None = None) -> str | None:
    """:func:`explain_failure` for an ``ExecutionResult`` of ``code``; with ``run`` (code -> an
    ``ExecutionResult``: the caller's sandbox) the part before the failing operation is measured
    first, when the sentence needs its size. None when it ran, or nothing better can be said."""
    if getattr(result, "ok", False):
        return None
    return explain_measured(Failure.of(result), code, run)


def explain_measured(failure: Failure, code: str, run: Callable[[str], object] | None = None) -> str | None:
    """:func:`explain_failure`, measuring the part first with ``run`` when the sentence needs it."""
    size = None
    probe = probe_program(failure, code) if run is not None else None
    if probe is not None and run is not None:
        measured = run(probe)
        bbox = getattr(measured, "bbox", None)
        if getattr(measured, "ok", False) and bbox:
            size = PartSize(tuple(float(v) for v in bbox))
    return explain_failure(failure, code, size)


def probe_program(failure: Failure, code: str, final: str = "solid") -> str | None:
    """A program whose ``final`` is the part just before the operation that failed (the last good
    shape), for the caller to run and measure; None when the sentence needs no size."""
    op = None
    if (
        failure.status == "runtime_error"
        and _is_kernel_error(failure)
        and "DomainError" not in failure.message
    ):
        op = failing_operation(code, failure.line, _NOT_DONE)
        op = op if op is not None and op.method in _MEASURED else None
    elif failure.status == "no_solid":
        holder = _holder(failure.message)
        line = _assignment_line(code, holder) if holder else None
        removers = [c for c in method_calls(code, line) if c in _REMOVERS]
        op = failing_operation(code, line, tuple(removers)) if removers else None
    if op is None:
        return None
    # A Workplane after .faces()/.workplane() holds no solid itself; the one it came from counts.
    return without_operation(code, op, final) + (
        f"\ntry:\n    {final} = {final}.findSolid()\nexcept Exception:\n    pass\n"
    )


Explained = tuple[int | None, str]


def _explain(failure: Failure, code: str, size: PartSize | None) -> Explained | None:
    text = _raw_text(failure.message)
    exc = failure.exception_type or _exception_name(failure.message)
    line = failure.line
    if failure.status == "no_solid":
        return _no_solid(failure, code, size)
    if failure.status == "invalid_solid":
        return _invalid_solid(failure)
    if failure.status != "runtime_error":
        return None
    if exc == "NameError":
        return _name_error(failure, text)
    if "No pending wires" in text:
        op = failing_operation(code, line, _NEEDS_WIRES)
        what = f"`{op.method}`" if op else "this operation"
        return line, (
            f"{what} has no closed 2-D outline to work on: draw one first on the workplane "
            "(e.g. .rect(w, h), .circle(r), or .polyline(points).close())."
        )
    if "Cannot find a solid" in text:
        op = failing_operation(code, line, _NEEDS_SOLID)
        what = f"`{op.method}`" if op else "this operation"
        return line, (
            f"{what} works on a solid, but there is none yet at that point: make the base solid first "
            "(e.g. .box(...) or .extrude(...)), then apply it."
        )
    if "Standard_DomainError" in (exc or "") or "Standard_DomainError" in text:
        return line, _domain_error(failure, code)
    if _is_kernel_error(failure):
        return line, _kernel_refused(failure, code, size, exc or "OCCT")
    return None


def _is_kernel_error(failure: Failure) -> bool:
    exc = failure.exception_type or _exception_name(failure.message) or ""
    return bool(_OCCT_ERROR.match(exc) or _OCCT_ERROR.match(_raw_text(failure.message)))


def _kernel_refused(failure: Failure, code: str, size: PartSize | None, exc: str) -> str:
    op = failing_operation(code, failure.line, _NOT_DONE)
    if op is None:
        return (
            f"the CAD kernel (OCCT) could not build this operation ({exc}): its sizes do not fit the part "
            "at that point; try smaller values, or apply it to fewer edges or faces."
        )
    if op.method in ("fillet", "chamfer"):
        return _rounding(op, size)
    if op.method == "shell":
        return _shell(op, size)
    if op.method in ("cut", "union", "intersect", "combine", "split"):
        return (
            f"the {op.method} could not be computed: the two shapes probably only touch or share faces "
            "exactly; move or resize one of them slightly so that they clearly overlap (or clearly not)."
        )
    size_text = f" (the part is {size.describe()} there)" if size else ""
    return (
        f"the CAD kernel (OCCT) could not build `{op.method}`{size_text}: its sizes or the geometry "
        "it works on do not fit; try other values."
    )


def _rounding(op: Operation, size: PartSize | None) -> str:
    noun = "fillet" if op.method == "fillet" else "chamfer"
    amount = f" of {_mm(op.value)} mm" if op.value is not None else ""
    head = f"the {noun}{amount} could not be built"
    if size is not None and (op.value is None or op.value >= size.thinnest / 2):
        return (
            f"{head}: the part is only {_mm(size.thinnest)} mm thick ({size.describe()}), so a {noun} on "
            f"all its edges must stay below {_mm(size.thinnest / 2)} mm. Use a smaller {_size_word(op)}, or "
            f'{noun} fewer edges (e.g. only the vertical ones: .edges("|Z")).'
        )
    size_text = f" (the part is {size.describe()})" if size else ""
    return (
        f"{head}{size_text}: the {_size_word(op)} is larger than the edges or faces next to it allow. "
        f'Use a smaller {_size_word(op)}, or {noun} fewer edges (e.g. .edges("|Z") or .edges(">Z")).'
    )


def _shell(op: Operation, size: PartSize | None) -> str:
    thickness = abs(op.value) if op.value is not None else None
    amount = f" with {_mm(thickness)} mm walls" if thickness is not None else ""
    if size is not None and (thickness is None or thickness >= size.thinnest / 2):
        return (
            f"the shell{amount} could not be built: the part is only {_mm(size.thinnest)} mm thick "
            f"({size.describe()}), so walls must be thinner than {_mm(size.thinnest / 2)} mm."
        )
    return (
        f"the shell{amount} could not be built: the walls are too thick for the part, or a rounded or "
        "thin region cannot be offset; try thinner walls, or open another face."
    )


def _no_solid(failure: Failure, code: str, size: PartSize | None) -> Explained | None:
    holder = _holder(failure.message)
    if holder is None:
        return None
    line = _assignment_line(code, holder)
    calls = [c for c in method_calls(code, line) if not c[:1].isupper()]  # not cq.Workplane(...)
    removers = [c for c in calls if c in _REMOVERS]
    if removers:
        op = failing_operation(code, line, tuple(removers))
        sized = op is not None and op.value is not None and op.method in ("hole", "cboreHole", "cskHole")
        amount = f" of {_mm(op.value)} mm" if sized and op else ""
        part = f"the {size.describe()} part" if size else "the part"
        return line, (
            f"nothing is left of `{holder}`: the {removers[-1]}{amount} removes all of {part}. "
            "Make the cut smaller than the part, or check where it is placed."
        )
    if any(c in _DRAWING for c in calls) and not any(c in _SOLID_MAKERS for c in calls):
        return line, (
            f"`{holder}` is a 2-D outline, not a solid: extrude it (e.g. .extrude(5)) or revolve it "
            "to make a solid."
        )
    if line is not None and not calls:
        return line, (
            f"`{holder}` holds no solid: it is an empty workplane. Add a solid to it, e.g. "
            ".box(10, 10, 5), or draw an outline and .extrude() it."
        )
    return None


def _invalid_solid(failure: Failure) -> Explained | None:
    holder = f"`{_holder(failure.message)}`" if _holder(failure.message) else "the part"
    if "not watertight" in failure.message:
        return None, (
            f"{holder} is not a closed solid (its surface has an opening): usually a fillet, shell or "
            "boolean that OCCT built badly; try other sizes for the last such operation."
        )
    if "encloses no volume" in failure.message:
        return None, f"{holder} encloses no volume: a dimension is probably 0, or a cut removed everything."
    if "overlap without being fused" in failure.message:
        return None, (
            f"{holder} holds parts that overlap without being joined: combine them with .union() or move "
            "them apart."
        )
    if "OCCT's checker rejects" in failure.message:  # issue 16: watertight, yet not a valid solid
        if "SelfIntersectingWire" in failure.message:
            return None, (
                f"{holder} is not a valid solid: an outline crosses itself, usually a wall thicker than "
                "half the span it sits in or polyline points out of order; change that dimension."
            )
        if "IntersectingWires" in failure.message:
            return None, (
                f"{holder} is not a valid solid: a hole or cut-out touches or crosses the outline of its "
                "face; make it smaller or move it inside."
            )
        return None, (
            f"{holder} is not a valid solid (OCCT's checker rejects it): try other sizes for the last "
            "operation that changed its shape."
        )
    return None


def _name_error(failure: Failure, text: str) -> Explained | None:
    match = re.search(r"name '(\w+)' is not defined", text)
    if match is None:
        return None
    name = match.group(1)
    return failure.line, (
        f"`{name}` is used but never defined (NameError): add `{name} = <value>` near the top of the program "
        "(or correct the name)."
    )


def _domain_error(failure: Failure, code: str) -> str:
    op = failing_operation(code, failure.line, ())
    if op is not None and any(v is not None and v <= 0 for v in op.values):
        shown = ", ".join("…" if v is None else _mm(v) for v in op.values)
        return (
            f"`{op.method}({shown})` has a size of 0 or less: every length, width, height and radius "
            "must be positive."
        )
    return (
        "the CAD kernel (OCCT) refused this geometry: a size is probably 0 or negative, or two "
        "points coincide."
    )


def _holder(message: str) -> str | None:
    match = re.search(r"`(\w+)`", message)
    return match.group(1) if match else None


def _assignment_line(code: str, name: str) -> int | None:
    """The last line that assigns ``name`` (the sandbox reports no line for "holds no solid")."""
    found = None
    for number, text in enumerate(code.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(name)}\s*=(?!=)", text):
            found = number
    return found


def _exception_name(message: str) -> str | None:
    match = re.match(r"(?:line \d+: )?([A-Za-z_][\w.]*)(?::|$)", message)
    return match.group(1) if match else None


def _raw_text(message: str) -> str:
    return re.sub(r"^line \d+: ", "", message)


def _size_word(op: Operation) -> str:
    return "radius" if op.method == "fillet" else "size"


def _mm(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.4g}"
