"""One job, inside a forked child: confine the process, run the script, describe its solid.

The zygote forks the child *before* the job arrives ("spare"), so the fork and most of the
confinement are off the job's critical path. Order matters and is the point of this module:

1. right after fork, while waiting: own process group, parent-death signal, descriptors closed
   and stdio on ``/dev/null``, fresh job directory as cwd/HOME/TMPDIR, scrubbed environment, new
   network namespace, the process size (``/proc/self`` is unreadable afterwards), Landlock;
2. when the job arrives: resource limits (they depend on its timeout), then the audit hook (after
   which not even this code may change limits, read outside the read roots or reach frames), then
   user code — with restricted builtins and output captured;
3. one JSON frame back to the zygote, then ``_exit`` (no atexit handlers, no OCCT destructors).
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
import time
from typing import Any, NoReturn

from core.sandbox import audit, landlock, namespaces, syscalls
from core.sandbox.capture import CappedText
from core.sandbox.framing import encode_frame, read_frame
from core.sandbox.limits import MIB, address_space_bytes, apply_limits
from core.sandbox.policy import SyntaxProblem, check_code
from core.sandbox.result import ExecutionResult, Status
from core.sandbox.safe_builtins import make_builtins
from core.sandbox.solid import NoSolid, pick_candidate, solid_verdict, to_shape
from core.sandbox.verdicts import forbidden_result

SCRIPT_FILENAME = "<script>"
# Characters of an exception's text kept in a message (messages reach remote endpoints in the
# self-repair turn; ``bounds.py`` caps whole messages in the zygote).
MESSAGE_LIMIT = 300
JOB_FRAME_LIMIT = 64 * MIB
CHILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def serve_one(
    settings: dict[str, Any], job_dir: str, job_fd: int, result_fd: int, close_fds: list[int]
) -> NoReturn:
    """Entry point right after ``fork()``: confine, wait for one job, answer, end the process."""
    exit_code = 0
    try:
        try:
            containment = confine(settings, job_dir, close_fds)
            job = read_frame(job_fd, max_bytes=JOB_FRAME_LIMIT)
            if job is None:  # the zygote is shutting down
                os._exit(0)
            payload = encode_frame(_run(job, settings, containment))
            limit = int(settings["max_result_mb"]) * MIB
            if len(payload) > limit:
                payload = encode_frame(_too_large(len(payload), limit))
        except BaseException as exc:  # reported as `crashed`, then the child must _exit
            message = f"sandbox failure in the job process: {type(exc).__name__}: {exc}"
            payload = encode_frame(ExecutionResult(Status.CRASHED, message=message[:MESSAGE_LIMIT]).to_json())
        _write_all(result_fd, payload)
    except OSError:
        exit_code = 70  # the zygote reports a job that exits without a result
    finally:
        os._exit(exit_code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _too_large(size: int, limit: int) -> dict[str, Any]:
    message = (
        f"the result ({size / MIB:.1f} MiB) exceeds the limit of {limit / MIB:.0f} MiB; ask for fewer outputs"
    )
    return ExecutionResult(Status.RUNTIME_ERROR, message=message).to_json(include_geometry=True)


def _run(job: dict[str, Any], settings: dict[str, Any], containment: dict[str, Any]) -> dict[str, Any]:
    containment["limits"] = apply_limits(
        settings,
        float(job["timeout"]),
        own_user_namespace=containment["network"].startswith("userns"),
        address_space=containment.pop("address_space"),
    )
    read_roots = settings.get("read_roots") if settings.get("confine_reads", True) else None
    shown: list[Any] = []
    namespace = script_namespace(settings["allowed_imports"], shown)
    audit.install(os.getcwd(), read_roots, user_globals=namespace)
    containment["audit_hook"] = True
    captured = CappedText(int(settings["stdout_limit"]))
    sys.stdout = sys.stderr = captured
    result = execute(job["code"], job.get("outputs", ["brep"]), settings, namespace, shown)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.stdout = captured.getvalue()
    result.extra.update(containment=containment, cpu_s=round(usage.ru_utime + usage.ru_stime, 4))
    result.extra["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result.to_json(include_geometry=True)


def confine(settings: dict[str, Any], job_dir: str, close_fds: list[int]) -> dict[str, Any]:
    """Everything that does not depend on the job; returns what was achieved (for ``extra``)."""
    os.setpgid(0, 0)
    syscalls.prctl(syscalls.PR_SET_PDEATHSIG, signal.SIGKILL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    for fd in [devnull, *close_fds]:
        os.close(fd)
    os.chdir(job_dir)
    os.environ.clear()
    os.environ.update(CHILD_ENV, HOME=job_dir, TMPDIR=job_dir)
    tempfile.tempdir = job_dir
    network = namespaces.isolate_network() if settings["isolate_network"] else "disabled"
    address_space = address_space_bytes()  # /proc/self is unreadable once reads are confined
    landlock_abi: int | str = 0
    read_roots = settings.get("read_roots", []) if settings.get("confine_reads", True) else []
    if settings["landlock"]:
        try:
            landlock_abi = landlock.restrict_to(job_dir, read_roots)
        except OSError as exc:
            landlock_abi = f"unavailable ({exc.strerror})"
    return {
        "network": network,
        "landlock_abi": landlock_abi,
        "reads": "confined" if read_roots else "anywhere",
        "address_space": address_space,
    }


def execute(
    code: str,
    outputs: list[str],
    settings: dict[str, Any],
    namespace: dict[str, Any] | None = None,
    shown: list[Any] | None = None,
) -> ExecutionResult:
    """Policy, compile, run, describe. Public so tests can drive it inside a child of their own.

    ``namespace``/``shown`` come from :func:`script_namespace` when the caller needs to know the
    script's globals beforehand (the audit hook tells user code from library code by them).
    """
    allowed = settings["allowed_imports"]
    try:
        violations = check_code(code, allowed) if settings["static_check"] else []
        compiled = compile(code, SCRIPT_FILENAME, "exec", dont_inherit=True)
    except SyntaxProblem as exc:
        return ExecutionResult(Status.SYNTAX_ERROR, message=exc.message, line=exc.line)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return ExecutionResult(Status.SYNTAX_ERROR, message=_describe(exc, line), line=line)
    if violations:
        return forbidden_result(violations)

    if namespace is None or shown is None:
        shown = []
        namespace = script_namespace(allowed, shown)
    start = time.perf_counter()
    try:
        exec(compiled, namespace)
    except BaseException as exc:  # whatever the script raises becomes a status
        return _failure(exc, namespace, time.perf_counter() - start, settings)
    exec_s = time.perf_counter() - start
    result = describe_solid(namespace, shown, outputs)
    result.extra["exec_s"] = exec_s
    return result


def script_namespace(allowed_imports: list[str], shown: list[Any]) -> dict[str, Any]:
    """Globals of the script, with CQ-editor's ``show_object``/``debug``/``log`` for compatibility."""

    def show_object(obj: Any, name: str | None = None, options: Any = None, **_: Any) -> None:
        shown.append(obj)

    def debug(obj: Any, name: str | None = None, options: Any = None, **_: Any) -> None:
        """CQ-editor draws debug objects in red; a headless run has nothing to draw."""

    def log(*args: Any) -> None:
        print(*args)

    return {
        "__builtins__": make_builtins(allowed_imports),
        "__name__": "__main__",
        "show_object": show_object,
        "debug": debug,
        "log": log,
    }


def _user_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(exc: BaseException, line: int | None) -> str:
    text = str(exc)
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + "..."
    where = f"line {line}: " if line else ""
    return f"{where}{type(exc).__name__}: {text}" if text else f"{where}{type(exc).__name__}"


def _failure(
    exc: BaseException, namespace: dict[str, Any], exec_s: float, settings: dict[str, Any]
) -> ExecutionResult:
    line = _user_line(exc)
    out_of_memory = isinstance(exc, MemoryError) or "OutOfMemory" in type(exc).__name__
    if out_of_memory:
        namespace.clear()  # give the memory back before building the answer
        message = f"{_describe(exc, line)} (memory limit: {settings['memory_mb']} MiB)"
        return ExecutionResult(Status.MEMORY, message=message, line=line, extra={"exec_s": exec_s})
    extra = {"exec_s": exec_s, "exception_type": type(exc).__name__}
    return ExecutionResult(Status.RUNTIME_ERROR, message=_describe(exc, line), line=line, extra=extra)


def describe_solid(namespace: dict[str, Any], shown: list[Any], outputs: list[str]) -> ExecutionResult:
    from core.geometry.properties import export_bytes, solid_properties

    try:
        origin, obj = pick_candidate(namespace, shown)
        shape = to_shape(origin, obj)
    except NoSolid as exc:
        return ExecutionResult(Status.NO_SOLID, message=str(exc))
    except Exception as exc:  # a user object may fail in any way while being read
        return ExecutionResult(Status.NO_SOLID, message=f"could not read the solid: {_describe(exc, None)}")
    try:
        props = solid_properties(shape.wrapped)
    except Exception as exc:  # OCCT refuses to measure some broken shapes
        return ExecutionResult(
            Status.INVALID_SOLID, message=f"`{origin}` could not be measured: {_describe(exc, None)}"
        )
    result = ExecutionResult(
        Status.OK,
        volume=props.volume,
        bbox=props.bbox,
        n_solids=props.n_solids,
        n_faces=props.n_faces,
        n_edges=props.n_edges,
        extra={"source": origin},
    )
    if props.defects:
        result.extra["check_defects"] = list(props.defects)
    result.extra["usable"] = props.usable  # ran to a watertight solid: the paper's VSR counts it
    invalid = solid_verdict(origin, shape.wrapped, props)
    if invalid:
        result.status, result.message = Status.INVALID_SOLID, invalid
    output_errors: dict[str, str] = {}
    wanted = ["brep"] + ([f for f in ("step", "stl", "mesh") if f in outputs] if result.ok else [])
    for fmt in wanted:
        try:
            if fmt == "mesh":
                result.mesh = _mesh(shape.wrapped)
            else:
                setattr(result, fmt, export_bytes(shape.wrapped, fmt))
        except Exception as exc:  # one failed output must not lose the others
            output_errors[fmt] = _describe(exc, None)
    if output_errors:
        result.extra["output_errors"] = output_errors
        if result.ok and "brep" in output_errors:
            result.status = Status.INVALID_SOLID
            result.message = f"the solid could not be written as BREP: {output_errors['brep']}"
    return result


def _mesh(shape: Any) -> dict[str, Any]:
    try:
        from core.geometry.tessellate import tessellate
    except ModuleNotFoundError as exc:
        if exc.name not in ("core.geometry.tessellate",):
            raise
        raise RuntimeError("core.geometry.tessellate is not available in this installation") from exc
    return tessellate(shape)
