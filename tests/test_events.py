"""The event table (buddylab/kernels/v4_18/events.py): every emit site declared, every
declared event emitted, and the printer, explain() and the stepper reading the table."""
import ast
import pathlib

import buddylab as bl
from buddylab import trace as T
from buddylab.kernels.base import EventSpec, COMMON_EVENTS
from buddylab.kernels.v4_18 import events as E
from buddylab.kernels.v4_18.kernel import CLASSIC
from buddylab.kernels.v6_18.kernel import MODERN

ROOT = pathlib.Path(bl.__file__).resolve().parent


def emit_sites():
    """(name, keywords, file:line) of every ``*.emit("<literal>", k=...)`` under buddylab/."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "emit" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                out.append((node.args[0].value, tuple(k.arg for k in node.keywords),
                            "%s:%d" % (path.relative_to(ROOT), node.lineno)))
    return out


def test_the_ast_walk_finds_the_emit_sites():
    # a check of the check: expand() emits "split" (mm/page_alloc.c, expand(), v4.18)
    assert any(name == "split" and where.startswith("kernels/v4_18/buddy.py")
               for name, _, where in emit_sites())


def _tables(where):
    """The event tables an emit site must be declared in: its own kernel's, or (shared code
    outside kernels/) both kernels'."""
    if where.startswith("kernels/v6_18/"):
        return (MODERN.EVENTS,)
    if where.startswith("kernels/v4_18/"):
        return (CLASSIC.EVENTS,)
    return (CLASSIC.EVENTS, MODERN.EVENTS)


def test_every_emit_site_names_a_declared_event_with_its_fields():
    for name, keywords, where in emit_sites():
        for table in _tables(where):
            assert name in table, "%s emits undeclared %r" % (where, name)
            assert keywords == table[name].fields, where


def test_every_declared_event_has_an_emit_site():
    emitted = {name for name, _, where in emit_sites() if not where.startswith("kernels/v6_18/")}
    assert set(CLASSIC.EVENTS) == emitted


def test_every_modern_event_has_an_emit_site():
    # the modern table (kernels/v6_18/events.py): v6.18's code and the shared code emit
    # exactly the events it declares
    emitted = {name for name, _, where in emit_sites() if not where.startswith("kernels/v4_18/")}
    assert set(MODERN.EVENTS) == emitted


def test_the_compat_names_list_the_table():
    assert set(T.EVENT_NAMES) == set(CLASSIC.EVENTS) and len(T.EVENT_NAMES) == len(CLASSIC.EVENTS)
    assert T.KERNEL_EVENTS == ("mm_page_alloc", "mm_page_free", "mm_page_alloc_zone_locked",
                               "mm_page_pcpu_drain", "mm_page_alloc_extfrag")
    assert all(CLASSIC.EVENTS[n].tracepoint for n in T.KERNEL_EVENTS)
    assert not any(CLASSIC.EVENTS[n].tracepoint for n in T.TEACHING_EVENTS)


def test_common_events_are_in_the_table_as_declared():
    for spec in COMMON_EVENTS:
        assert E.EVENTS[spec.name] is spec


def test_an_event_prints_through_its_spec():
    # include/trace/events/kmem.h, mm_page_free TP_printk (v4.18): "page=%p pfn=%lu order=%d";
    # the model leaves out page=%p
    m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    p = m.alloc_pages(bl.GFP_KERNEL, 2)
    t = m.start_trace(["mm_page_free"])
    m.free_pages(p, 2)
    ev, = m.stop_trace().events
    assert ev.spec is CLASSIC.EVENTS["mm_page_free"]
    assert T.format_event(ev) == "mm_page_free: pfn=%d order=2" % p.pfn
    assert T.explain(ev) == "__free_pages(): order-2 block at pfn %d freed" % p.pfn


def test_a_spec_without_printk_prints_name_and_fields():
    spec = EventSpec("x", ("a", "b"))
    ev = T.Event("x", (("a", 1), ("b", "two")), spec)
    assert T.format_event(ev) == "x: a=1 b=two" == T.explain(ev)
    assert ev == T.Event("x", (("a", 1), ("b", "two")))        # the spec is not compared
