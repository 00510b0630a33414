"""The package's import graph: layered, no cycle, no lazy import inside the model.

Every ``import`` under ``buddylab/`` (at module level and inside functions) is read with
:mod:`ast` and resolved to a module name relative to the package (``"machine"``,
``"kernels.v4_18.kernel"``, the package itself is ``"__init__"``).  Each module has a layer
(LAYERS, bottom up); an import goes to a strictly lower layer, so the graph has no cycle (a
cycle is what forced imports into function bodies); model modules import at module top; the
kernel versions' packages are reached by shared code only through ``machine.kernel``, apart
from compatibility re-exports (names imported and never used) and the allow-listed classic
defaults below.
"""
import ast
import functools
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "buddylab"

#: module -> layer; an import may only go to a lower layer.  The teaching packages above the
#: model (problems, teach, plot, widgets, exercises, bench, the package's __init__ and __main__) are
#: TOP; a new model module must be placed here on purpose.
LAYERS = {
    # 0: leaves
    "errors": 0, "memmap": 0, "vmglobals": 0, "reveal": 0,
    "kernels": 0, "kernels.v4_18": 0, "kernels.v6_18": 0, "kernels.base": 0,
    "kernels.v4_18.mmzone": 0, "kernels.v4_18.zonelist": 0, "kernels.v6_18.mmzone": 0,
    "kernels.gfpbase": 1.5, "kmath": 0, "procfmt": 0,
    # 1: constants, argument checks, /proc parsing
    "mmzone": 1, "checks": 1, "procfs": 1, "progress": 1,
    # 2: v4.18's code that needs only constants; nodes; the /proc printers, host reading,
    # layout checks and snapshots
    "node": 2, "fragindex": 2, "kernels.v6_18.formulas": 2, "vmstat": 3, "hostread": 2, "layout": 2, "snapshot": 2, "kernels.v4_18.gfp": 2, "kernels.v6_18.gfp": 2.5,
    "kernels.v4_18.watermark": 2, "kernels.v4_18.buddy": 2, "kernels.v6_18.buddy": 2.5,
    # 3: structures over them
    "internal": 3, "owners": 3, "kernels.v4_18.pcp": 3, "kernels.v4_18.events": 3,
    "kernels.v6_18.events": 3.5,
    "kernels.v6_18.pageset": 2.5, "kernels.v6_18.watermark": 3, "kernels.v6_18.pcp": 3.25, "kernels.v6_18.vmstat": 3.5,
    # 4: data classes with their compat re-exports; tracing; compaction, OOM, invariants
    "zone": 4, "pcp": 4, "trace": 4, "compaction": 4, "oom": 4, "check": 4,
    "boot": 5,
    # 5-9: reclaim, the v4.18 allocator that calls it, isolation, the kernel object, the choice
    "reclaim": 5, "profiles": 5, "kernels.v4_18.page_alloc": 6, "kernels.v4_18.page_isolation": 7,
    "kernels.v6_18.page_alloc": 6.5, "kernels.v6_18.page_isolation": 7.5,
    "kernels.v4_18.kernel": 8, "kernels.v6_18.kernel": 8.5, "kernels.select": 9,
    # the trace reader decodes GFP names with the printing kernel's gfp module (select)
    "tracefile": 9.5,
    # 10: the machine
    "machine": 10,
    # 11: built on machines, and the compat facades
    "host": 11, "replay": 11, "experiments": 11, "tracereplay": 11,
    "gfp": 11, "buddy": 11, "alloc": 11,
}
TOP = 12
NOT_MODEL_PREFIXES = ("__main__", "__init__", "problems", "teach", "widgets", "plot", "exercises",
                      "bench")
#: legacy modules kept so old names resolve: only imports, a docstring and __all__
FACADES = ("gfp", "buddy", "alloc")
#: names a shared module may USE although they come from a kernel version's package, and why
CLASSIC_DEFAULTS = {
    ("owners", "G"): "KIND_GFP, the classic table the README documents (owners allocate with "
                     "machine.kernel.kind_gfp)",
    ("machine", "DEFAULT_LOWMEM_RESERVE_RATIO"): "Machine()'s default machine is the classic one",
    ("experiments", "G"): "HUGE_GFP, the mask of the experiments, which run classic machines",
    ("profiles", "_classic_wm"): "profiles reads v4.18's formulas from their home to set them "
                                 "beside v6.18's (the side-by-side table)",
    ("profiles", "_classic_pcp"): "likewise, v4.18's pcp formulas",
    ("profiles", "_modern"): "profiles is the side-by-side table of both kernels' formulas; it "
                             "reads v6.18's from kernels/v6_18/formulas.py until a modern "
                             "kernel object exists",
}
#: shared modules that still compare a kernel's name, and why
NAME_COMPARES = {
    "host": "khugepaged_*(machine, kernel=): the modern rule is a profiles formula until a "
            "modern kernel object exists",
}
KNOWN_CYCLE = set()
KNOWN_LAZY = set()


def layer(name):
    if name.startswith(NOT_MODEL_PREFIXES):
        return TOP
    return LAYERS[name]


def _is_shared(name):
    return not name.startswith("kernels") and name not in FACADES and layer(name) < TOP


def module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or "__init__"


def _exists(name):
    if name == "__init__":
        return True
    p = ROOT.joinpath(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _package_of(path):
    rel = path.relative_to(ROOT).with_suffix("")
    return list(rel.parts[:-1])


class _Imports(ast.NodeVisitor):
    def __init__(self, path):
        self.path, self.depth, self.found = path, 0, []

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def _add(self, target, node, names=()):
        self.found.append((target, node.lineno, self.depth > 0, names))

    def visit_Import(self, node):
        for a in node.names:
            if a.name == "buddylab" or a.name.startswith("buddylab."):
                self._add(a.name[len("buddylab."):] or "__init__", node)

    def visit_ImportFrom(self, node):
        if node.level:
            pkg = _package_of(self.path)
            base = pkg[:len(pkg) - (node.level - 1)] if node.level > 1 else pkg
        elif node.module and (node.module == "buddylab" or node.module.startswith("buddylab.")):
            base, node_module = [], node.module[len("buddylab"):].lstrip(".")
            return self._from(base, node_module, node)
        else:
            return
        self._from(base, node.module or "", node)

    def _from(self, base, module, node):
        parts = base + (module.split(".") if module else [])
        target = ".".join(parts) or "__init__"
        plain = []
        for a in node.names:
            sub = ".".join(parts + [a.name])
            if a.name != "*" and _exists(sub):
                self._add(sub, node)
            else:
                plain.append(a.asname or a.name)
        if plain:
            self._add(target, node, tuple(plain))


@functools.lru_cache(maxsize=None)
def edges():
    """(importer, imported, lineno, in_function, names) for every import of a buddylab module."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        v = _Imports(path)
        v.visit(ast.parse(path.read_text(), str(path)))
        me = module_name(path)
        for target, line, lazy, names in v.found:
            if target != me:
                out.append((me, target, line, lazy, names))
    return tuple(out)


def _is_model(name):
    return not name.startswith(NOT_MODEL_PREFIXES)


def _modules():
    return sorted(module_name(p) for p in ROOT.rglob("*.py"))


def strongly_connected(graph):
    """Tarjan's algorithm: the components of more than one module."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _graph():
    g = {}
    for a, b, *_ in edges():
        g.setdefault(a, set()).add(b)
    return g


def test_the_resolver_sees_imports():
    # a check of the checker: machine imports memmap at module top (a resolver that found
    # nothing would make every other test here pass vacuously)
    found = {(a, b) for a, b, _, lazy, _ in edges() if not lazy}
    assert ("machine", "memmap") in found


def test_no_new_cycle():
    comps = strongly_connected(_graph())
    members = set().union(*comps) if comps else set()
    assert members <= KNOWN_CYCLE, "import cycle through %s" % sorted(members - KNOWN_CYCLE)
    assert len(comps) <= 1, comps


def test_model_has_no_new_lazy_import():
    lazy = {(a, b) for a, b, _, in_fn, _ in edges() if in_fn and _is_model(a)}
    new = lazy - KNOWN_LAZY
    assert not new, "imports inside functions of the model: %s" % sorted(new)


def test_every_module_has_a_layer():
    missing = [m for m in _modules() if not m.startswith(NOT_MODEL_PREFIXES) and m not in LAYERS]
    assert not missing, "place these modules in LAYERS: %s" % missing


def test_no_import_goes_up():
    up = ["%s:%d imports %s" % (a, line, b) for a, b, line, _, _ in edges()
          if layer(b) >= layer(a) and not (layer(a) == TOP and b.startswith(NOT_MODEL_PREFIXES))]
    assert not up, up


def test_no_cycle():
    assert strongly_connected(_graph()) == []


def test_model_has_no_lazy_import():
    lazy = ["%s:%d imports %s" % (a, line, b) for a, b, line, in_fn, _ in edges()
            if in_fn and _is_model(a)]
    assert not lazy, lazy


def test_kernel_package_inits_import_nothing():
    for pkg in ("kernels", "kernels/v4_18", "kernels/v6_18"):
        tree = ast.parse((ROOT / pkg / "__init__.py").read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))], pkg


def _loaded_names(tree):
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def test_shared_code_uses_no_kernel_version_name():
    """A name a shared module imports from kernels/vX_Y/ is a compat re-export: never used."""
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        me = module_name(path)
        if not _is_shared(me):
            continue
        tree = ast.parse(path.read_text())
        used = _loaded_names(tree)
        for a, b, line, _, names in edges():
            if a != me or not b.startswith("kernels.v"):
                continue
            bound = names or (b.rsplit(".", 1)[-1],)
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.lineno == line:
                    bound = tuple(al.asname or al.name for al in node.names)
            for n in bound:
                if n in used and (me, n) not in CLASSIC_DEFAULTS:
                    bad.append("%s:%d uses %s from %s" % (me, line, n, b))
    assert not bad, bad


def test_facades_hold_no_logic_and_nothing_in_the_model_imports_them():
    for name in FACADES:
        tree = ast.parse((ROOT / (name + ".py")).read_text())
        for node in tree.body:
            assert isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr, ast.Assign)), \
                "%s.py: %s" % (name, ast.dump(node)[:60])
    users = sorted({a for a, b, _, _, _ in edges() if b in FACADES and layer(a) < TOP})
    assert users == [], users


def test_shared_code_never_tests_the_kernel_name():
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        me = module_name(path)
        if me.startswith("kernels") or me in NAME_COMPARES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                consts = [c for c in [node.left] + node.comparators
                          if isinstance(c, ast.Constant) and c.value in ("classic", "modern")]
                if consts:
                    bad.append("%s:%d" % (me, node.lineno))
    assert not bad, bad
