"""Static policy: reject a script whose source already shows it reaching outside CadQuery.

This is the first and cheapest layer (pure, AST based, standard library only, so FreeCAD's
Python runs it before any worker is involved). It cannot be complete — Python is too dynamic —
so it aims at what model-written code plausibly contains and at the well-known escape idioms
(dunder walks, ``getattr`` strings, module attributes reached through CadQuery's own imports,
CadQuery's file importers/exporters). The runtime layers (restricted builtins, audit hook,
Landlock, namespaces, resource limits) contain whatever slips through.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import Formatter

DEFAULT_ALLOWED_IMPORTS: tuple[str, ...] = ("cadquery", "math")

# Builtins that evaluate strings, open files, reach namespaces or attributes by name, or block.
FORBIDDEN_BUILTINS = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "open",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "input",
        "breakpoint",
        "help",
        "exit",
        "quit",
    }
)

# Modules that give processes, files, sockets, native code, interpreter internals or string-based
# attribute access. A script must not reach them as attributes of anything (``cq.occ_impl.
# exporters.os``), nor with leading underscores (``_os``), nor import them.
FORBIDDEN_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "sys",
        "subprocess",
        "socket",
        "ssl",
        "ctypes",
        "ctypeslib",
        "cffi",
        "numba",
        "llvmlite",
        "shutil",
        "importlib",
        "builtins",
        "io",
        "pathlib",
        "tempfile",
        "glob",
        "pickle",
        "marshal",
        "shelve",
        "dbm",
        "sqlite3",
        "copyreg",
        "multiprocessing",
        "concurrent",
        "threading",
        "thread",
        "signal",
        "resource",
        "pty",
        "tty",
        "termios",
        "fcntl",
        "mmap",
        "select",
        "asyncio",
        "runpy",
        "code",
        "codeop",
        "inspect",
        "gc",
        "types",
        "typing",
        "operator",
        "string",
        "dataclasses",
        "linecache",
        "traceback",
        "zipfile",
        "tarfile",
        "gzip",
        "bz2",
        "lzma",
        "zipimport",
        "urllib",
        "http",
        "ftplib",
        "smtplib",
        "webbrowser",
        "logging",
        "platform",
        "sysconfig",
        "site",
        "faulthandler",
        "tracemalloc",
        "atexit",
        "codecs",
        "pydoc",
        "pdb",
        "bdb",
        "trace",
        "timeit",
        "doctest",
        "cProfile",
        "profile",
        "posixpath",
        "genericpath",
        "pkgutil",
        "posixsubprocess",
    }
)

# Attributes that read/write files or start processes wherever they live (CadQuery's
# ``exportStep``/``importStep``/``save``/``load``, OCCT's ``Write_s``/``ReadFile``, numpy's ``tofile``).
FORBIDDEN_ATTRIBUTE_PREFIXES = ("export", "import", "save", "load", "read", "write", "exec", "spawn", "popen")
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "exporters",
        "importers",
        "open",
        "system",
        "fork",
        "forkpty",
        "kill",
        "killpg",
        "tofile",
        "fromfile",
        "memmap",
        "savetxt",
        "genfromtxt",
        "unlink",
        "rmdir",
        "rmtree",
        "mkdir",
        "makedirs",
        "rename",
        "listdir",
        "scandir",
        "chmod",
        "chown",
        "symlink",
        "putenv",
        "chdir",
        "dlopen",
        "CDLL",
        "PyDLL",
        "LoadLibrary",
        # Frame, generator and code internals lead to globals and builtins without dunders.
        "gi_frame",
        "gi_code",
        "gi_yieldfrom",
        "cr_frame",
        "cr_code",
        "cr_await",
        "ag_frame",
        "ag_code",
        "ag_await",
        "tb_frame",
        "tb_next",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "f_trace",
        "co_code",
        "func_globals",
    }
)

# Families of attributes that reach frames, code objects and tracebacks (``gi_frame``, ``cr_await``,
# ``ag_running``, ``f_back``, ``tb_next``, ``co_consts``): refused by prefix, so a member added in a
# future Python is refused too. No CadQuery or OCP name starts with these.
FORBIDDEN_ATTRIBUTE_FAMILIES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_", "func_")

# Dunder attributes that only read harmless data or call an initialiser (``super().__init__()``).
SAFE_DUNDER_ATTRIBUTES = frozenset({"__init__", "__name__", "__doc__"})
READABLE_DUNDER_NAMES = frozenset({"__name__"})

# A replacement field of a format string that walks attributes or items into dunders:
# ``"{0.__class__}"``, ``"{x[__builtins__]}"``.
_FORMAT_DUNDER = re.compile(r"\{[^{}]*__[^{}]*\}")


@dataclass(frozen=True)
class Violation:
    """One construct the policy refuses; ``str()`` gives the message shown to users."""

    line: int
    col: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"line {self.line}: forbidden: {self.detail}"


class SyntaxProblem(ValueError):
    """The code does not parse; carries the line for ``syntax_error`` results."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(code: str) -> ast.Module:
    """Parse like ``compile`` does, turning every failure into :class:`SyntaxProblem`."""
    try:
        return ast.parse(code, filename="<script>", mode="exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        raise SyntaxProblem(exc.lineno, f"{where}{type(exc).__name__}: {exc.msg}") from exc
    except ValueError as exc:  # source with NUL bytes
        raise SyntaxProblem(None, f"SyntaxError: {exc}") from exc


def check_code(code: str, allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS) -> list[Violation]:
    """All policy violations of ``code`` in source order; ``[]`` when clean.

    Raises :class:`SyntaxProblem` when the code does not parse (there is nothing to check).
    """
    tree = parse(code)
    checker = _Checker(frozenset(allowed_imports))
    checker.visit(tree)
    return sorted(checker.violations, key=lambda v: (v.line, v.col))


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def forbidden_attribute(name: str) -> str | None:
    """Why attribute ``name`` is refused, or ``None``; shared with the import checks.

    ``name`` is NFKC-normalised first, as Python does for identifiers (``ｆ_globals`` is
    ``f_globals``): names that come from strings (format fields) are judged like identifiers.
    """
    name = unicodedata.normalize("NFKC", name)
    if _is_dunder(name):
        return None if name in SAFE_DUNDER_ATTRIBUTES else f"access to {name}"
    bare = name.lstrip("_")
    if bare in FORBIDDEN_MODULES:
        return f"access to module {bare!r}"
    if name in FORBIDDEN_ATTRIBUTES or bare in FORBIDDEN_ATTRIBUTES:
        return f"access to {name}"
    if bare.lower().startswith(FORBIDDEN_ATTRIBUTE_PREFIXES):
        return f"file or process operation {name}"
    if name.startswith(FORBIDDEN_ATTRIBUTE_FAMILIES):
        return f"access to frame or code internals {name}"
    return None


def format_fields(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, name)`` for every attribute (``"attr"``) and item key (``"item"``) a format string's
    replacement fields would look up with ``str.format``/``format_map``, nested specs included.

    Not a format string (unbalanced braces): nothing.
    """
    try:
        parsed = list(Formatter().parse(text))
    except (ValueError, TypeError):
        return
    for _, field, spec, _ in parsed:
        if field:
            try:
                _, rest = _split_field(field)
                for is_attr, key in rest:
                    yield ("attr" if is_attr else "item"), str(key)
            except (ValueError, TypeError):
                pass
        if spec and "{" in spec:
            yield from format_fields(spec)


def _split_field(field: str) -> tuple[object, Iterable[tuple[bool, object]]]:
    import _string  # the parser str.format itself uses; standard library, not importable by scripts

    first, rest = _string.formatter_field_name_split(field)
    return first, list(rest)


def _forbidden_key(key: str) -> str | None:
    """Item keys in format fields (``{0[__builtins__]}``): dunders and module names."""
    key = unicodedata.normalize("NFKC", key)
    if _is_dunder(key) or key.lstrip("_") in FORBIDDEN_MODULES:
        return f"item {key}"
    return None


class _Checker(ast.NodeVisitor):
    def __init__(self, allowed_imports: frozenset[str]) -> None:
        self.allowed_imports = allowed_imports
        self.violations: list[Violation] = []
        self._class_depth = 0

    def _add(self, node: ast.AST, rule: str, detail: str) -> None:
        self.violations.append(
            Violation(getattr(node, "lineno", 0) or 0, getattr(node, "col_offset", 0) or 0, rule, detail)
        )

    # imports ---------------------------------------------------------------------------------
    def _check_module_path(self, node: ast.AST, dotted: str) -> None:
        top = dotted.split(".")[0]
        if top not in self.allowed_imports:
            self._add(node, "import", f"import of {dotted}")
            return
        for part in dotted.split(".")[1:]:
            why = forbidden_attribute(part)
            if why:
                self._add(node, "import", f"import of {dotted} ({why})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module_path(node, alias.name)
            self._check_alias(node, alias)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self._add(node, "import", "relative import")
            return
        self._check_module_path(node, node.module or "")
        for alias in node.names:
            if alias.name != "*":
                why = forbidden_attribute(alias.name)
                if why or _is_dunder(alias.name):
                    self._add(node, "import", f"import of {node.module}.{alias.name}")
            self._check_alias(node, alias)

    def _check_alias(self, node: ast.AST, alias: ast.alias) -> None:
        if alias.asname and _is_dunder(alias.asname):
            self._add(node, "dunder", f"use of {alias.asname}")

    # names and attributes --------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name in FORBIDDEN_BUILTINS:
            self._add(node, "builtin", f"use of {name}")
        elif _is_dunder(name) and not (name in READABLE_DUNDER_NAMES and isinstance(node.ctx, ast.Load)):
            self._add(node, "dunder", f"use of {name}")
        elif name in ("exporters", "importers"):
            self._add(node, "file-io", f"use of {name}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("format", "format_map")
            and not (isinstance(func.value, ast.Constant) and isinstance(func.value.value, str))
        ):
            # Only a literal template can be checked field by field (``visit_Constant``).
            self._add(node, "format", f"{func.attr} of a format string built at run time")
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_BUILTINS:
            self._add(node, "builtin", f"call of {node.func.id}")
            for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                self.visit(arg)
            return
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        why = forbidden_attribute(node.attr)
        if why:
            self._add(node, "dunder" if _is_dunder(node.attr) else "attribute", why)
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg and _is_dunder(node.arg):
            self._add(node.value, "dunder", f"keyword {node.arg}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str) or "{" not in node.value:
            return
        if _FORMAT_DUNDER.search(node.value):
            self._add(node, "format", "format string reaching a dunder attribute")
            return
        for kind, name in format_fields(node.value):
            why = forbidden_attribute(name) if kind == "attr" else _forbidden_key(name)
            if why:
                self._add(node, "format", f"format string field: {why}")
                return

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        # ``case C(name=p)`` reads attribute ``name`` of the subject: the same rules as ``x.name``.
        for name in node.kwd_attrs:
            why = forbidden_attribute(name)
            if why:
                self._add(node, "dunder" if _is_dunder(name) else "attribute", f"match pattern {why}")
        self.generic_visit(node)

    # definitions -----------------------------------------------------------------------------
    def _check_definition(self, node: ast.AST, name: str) -> None:
        # Dunder methods inside a class (``__init__``, ``__repr__``) are ordinary Python.
        if _is_dunder(name) and self._class_depth == 0:
            self._add(node, "dunder", f"definition of {name}")
        if name in FORBIDDEN_BUILTINS:
            self._add(node, "builtin", f"definition of {name}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_function(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._check_definition(node, node.name)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            self._check_argument(arg)
        for arg in (node.args.vararg, node.args.kwarg):
            if arg is not None:
                self._check_argument(arg)
        depth, self._class_depth = self._class_depth, 0
        self.generic_visit(node)
        self._class_depth = depth

    def _check_argument(self, arg: ast.arg) -> None:
        if _is_dunder(arg.arg) or arg.arg in FORBIDDEN_BUILTINS:
            self._add(arg, "dunder" if _is_dunder(arg.arg) else "builtin", f"parameter {arg.arg}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._check_definition(node, node.name)
        self._class_depth += 1
        self.generic_visit(node)
        self._class_depth -= 1

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if _is_dunder(name):
                self._add(node, "dunder", f"use of {name}")

    visit_Nonlocal = visit_Global
