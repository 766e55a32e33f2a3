"""The static policy on its own: pure, no worker involved."""

from __future__ import annotations

import pytest

from core.sandbox import Status, check_code
from core.sandbox.policy import SyntaxProblem
from core.sandbox.verdicts import static_verdict

ALLOWED = [
    "import cadquery as cq\nsolid = cq.Workplane().box(1, 2, 3)",
    "import cadquery\nfrom cadquery import Workplane, Sketch\nimport math as m\nx = m.pi",
    "from cadquery import *\nfrom math import sin, cos",
    "import cadquery.selectors\nsel = cadquery.selectors.NearestToPointSelector((0, 0, 0))",
    "class Part:\n    def __init__(self, r):\n        self._r = r\n    def __repr__(self):\n        return 'Part'",
    "class B(Exception):\n    def __init__(self):\n        super().__init__('x')",
    "if __name__ == '__main__':\n    pass",
    "pts = [(i, i ** 2) for i in range(3)]\nf = lambda x: x * 2\ntotal = sum(map(f, range(4)))",
    "name = 'hole {0} of {1}'.format(1, 2)\ntext = f'{name}: {len(name)}'",
    "d = dict(a=1)\nprint(d.get('a'), sorted(d), isinstance(d, dict), type(d).__name__)",
    "import cadquery as cq\nr = cq.Workplane().box(1, 1, 1).faces('>Z').workplane().hole(0.2)",
    "import cadquery as cq\na = cq.Assembly()\na.remove\nx = 'a'.replace('a', 'b')",
    "label = '{:.2f} mm, {n}, {0[1]}'.format(3.14159, [1, 2], n='x')\nd = '{p.x}'.format_map({'p': None})",
    "match (1, 2):\n    case (a, b):\n        pass\n    case complex(real=r, imag=i):\n        pass",
    "import cadquery as cq\nw = cq.Workplane().box(1, 1, 1)\nn = len(w.faces().vals())\nf = w.faces('>Z')",
]

FORBIDDEN = [
    ("import os", 1, "import of os"),
    ("import subprocess as sp", 1, "import of subprocess"),
    ("from socket import socket", 1, "import of socket"),
    ("import ctypes", 1, "import of ctypes"),
    ("from . import x", 1, "relative import"),
    ("x = 1\ny = eval('1')", 2, "call of eval"),
    ("e = eval", 1, "use of eval"),
    ("exec('x=1')", 1, "call of exec"),
    ("c = compile('1', 'f', 'eval')", 1, "call of compile"),
    ("f = open('/etc/passwd')", 1, "call of open"),
    ("m = __import__('os')", 1, "call of __import__"),
    ("getattr(1, 'real')", 1, "call of getattr"),
    ("setattr(object, 'x', 1)", 1, "call of setattr"),
    ("g = globals()", 1, "call of globals"),
    ("v = vars()", 1, "call of vars"),
    ("breakpoint()", 1, "call of breakpoint"),
    ("x = input()", 1, "call of input"),
    ("s = ().__class__.__base__.__subclasses__()", 1, "access to __class__"),
    ("def f():\n    pass\ng = f.__globals__", 3, "access to __globals__"),
    ("b = __builtins__", 1, "use of __builtins__"),
    ("t = '{0.__class__}'.format(1)", 1, "format string reaching a dunder attribute"),
    ("t = '{x[__builtins__]}'", 1, "format string reaching a dunder attribute"),
    ("import cadquery as cq\no = cq.occ_impl.exporters.os", 2, "access to module 'os'"),
    ("import cadquery as cq\no = cq.occ_impl.shapes._sys", 2, "access to module 'sys'"),
    ("import cadquery as cq\ncq.exporters.export(w, 'a.step')", 2, "access to exporters"),
    ("import cadquery as cq\ns = cq.importers.importStep('a.step')", 2, "access to importers"),
    ("from cadquery import exporters", 1, "import of cadquery.exporters"),
    ("import cadquery.occ_impl.exporters", 1, "import of cadquery.occ_impl.exporters"),
    ("import cadquery as cq\ncq.Workplane().box(1, 1, 1).val().exportStep('a.step')", 2, "exportStep"),
    ("import cadquery as cq\ncq.Assembly().save('a.step')", 2, "save"),
    ("import cadquery as cq\ncq.Shape.importBrep('a.brep')", 2, "importBrep"),
    ("import cadquery as cq\ncq.occ_impl.shapes.BRepTools.Write_s(s, '/tmp/x')", 2, "Write_s"),
    ("def g():\n    yield 1\nf = g().gi_frame.f_globals", 3, "gi_frame"),
    ("def __import__(name):\n    pass", 1, "definition of __import__"),
    ("__name__ = 'x'", 1, "use of __name__"),
    # attribute reads in every syntax form
    ("match ():\n    case object(__class__=t):\n        pass", 2, "match pattern access to __class__"),
    ("match g:\n    case object(gi_frame=f):\n        pass", 2, "match pattern access to gi_frame"),
    ("t = '{0.occ_impl.exporters.os.environ}'.format(cq)", 1, "format string field: access to exporters"),
    (
        "t = '{m.gi_frame}'.format_map(d)",
        1,
        "format string field: access to gi_frame",
    ),
    ("t = f\"{1:{'{0.f_back}'}}\"", 1, "format string field"),
    ("t = '{0[os]}'.format(d)", 1, "format string field: item os"),
    ("t = '{0.g' + 'i_frame}'\nx = t.format(g)", 2, "format of a format string built at run time"),
    # frame and code families, however spelled
    ("x = g.gi_running", 1, "frame or code internals gi_running"),
    ("x = c.cr_await", 1, "access to cr_await"),
    ("x = a.ag_running", 1, "frame or code internals ag_running"),
    ("x = f.f_back", 1, "f_back"),
    ("x = t.tb_next", 1, "tb_next"),
    ("x = c.co_consts", 1, "frame or code internals co_consts"),
    ("x = g.ｇｉ_ｆｒａｍｅ", 1, "gi_frame"),
    ("ｅｘｅｃ('1')", 1, "call of exec"),
    ("x = ().__ｃｌａｓｓ__", 1, "access to __class__"),
    ("@print\n@lambda _: open('x')\nclass X:\n    pass", 2, "call of open"),
]


@pytest.mark.parametrize("code", ALLOWED)
def test_ordinary_code_passes(code: str) -> None:
    assert check_code(code) == []


@pytest.mark.parametrize(("code", "line", "detail"), FORBIDDEN)
def test_forbidden_constructs_are_named_with_their_line(code: str, line: int, detail: str) -> None:
    matching = [v for v in check_code(code) if detail in v.detail]
    assert matching, code
    assert matching[0].line == line
    assert str(matching[0]) == f"line {line}: forbidden: {matching[0].detail}"


def test_result_message_lists_line_and_rule() -> None:
    result = static_verdict("import cadquery as cq\nx = 1\ny = eval('2')\n", ("cadquery", "math"))
    assert result is not None and result.status is Status.FORBIDDEN
    assert result.message == "line 3: forbidden: call of eval"
    assert result.line == 3
    assert result.extra["violations"][0]["rule"] == "builtin"


def test_every_violation_is_reported_in_source_order() -> None:
    violations = check_code("import os\nimport sys\nx = eval('1')\n")
    assert [v.line for v in violations] == [1, 2, 3]


def test_allow_list_is_configurable() -> None:
    assert check_code("import numpy as np") != []
    assert check_code("import numpy as np", allowed_imports=("cadquery", "math", "numpy")) == []


def test_syntax_error_carries_its_line() -> None:
    with pytest.raises(SyntaxProblem) as info:
        check_code("x = 1\ny = (\n")
    assert info.value.line == 2
    result = static_verdict("x = 1\ny = (\n", ("cadquery",))
    assert result is not None and result.status is Status.SYNTAX_ERROR and result.line == 2
    assert result.message.startswith("line 2: SyntaxError")


def test_syntax_is_checked_even_without_the_policy() -> None:
    assert static_verdict("import os", ("cadquery",), static_check=False) is None
    bad = static_verdict("def f(:\n", ("cadquery",), static_check=False)
    assert bad is not None and bad.status is Status.SYNTAX_ERROR
