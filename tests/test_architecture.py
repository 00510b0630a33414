"""The package's import graph: no cycle, no lazy import inside the model.

Every ``import`` under ``buddylab/`` (at module level and inside functions) is read with
:mod:`ast` and resolved to a module name relative to the package (``"machine"``,
``"kernels.v4_18.kernel"``, the package itself is ``"__init__"``).  The graph must have no
cycle (a cycle is what forced imports into function bodies), and model modules import at
module top.  ``KNOWN_CYCLE`` and ``KNOWN_LAZY`` are a ratchet: what is listed is tolerated
while the seam is being built, anything new fails.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "buddylab"

#: tolerated while migrating: emptied by the seam's steps, never grown.
KNOWN_CYCLE = set()
KNOWN_LAZY = set()
#: the teaching layers above the model may import lazily (start-up speed of the CLI, optional
#: widgets); the model (everything a Machine runs) may not.
NOT_MODEL_PREFIXES = ("__main__", "problems", "teach", "widgets", "plot", "exercises")


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
    return out


def _is_model(name):
    return not name.startswith(NOT_MODEL_PREFIXES)


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
