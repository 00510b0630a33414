"""buddylab/check.py: check() catches each kind of corruption (so a passing check means something)."""
import pytest

import buddylab as bl
from buddylab.memmap import ALLOCATED
from helpers import tiny


def corrupt(fn):
    m = tiny()
    m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)        # 56 allocated; 57 o0, 58 o1, 60 o2 free
    m.check()
    fn(m)
    return m


@pytest.mark.parametrize("name,fn,words", [
    ("nr_free", lambda m: m.zone(0, "Normal").nr_free.__setitem__(3, 9), "nr_free"),
    ("NR_FREE_PAGES", lambda m: setattr(m.zone(0, "Normal"), "NR_FREE_PAGES", 1), "NR_FREE_PAGES"),
    ("order", lambda m: m.mm.private.__setitem__(60, 1), "PageBuddy"),
    ("lost page", lambda m: m.allocated.pop(56), "managed"),
    ("double role", lambda m: (m.allocated.__setitem__(57, (0, 1)), m.mm.refcount.__setitem__(57, 1)),
     "two places"),
    ("unmerged", lambda m: (m.mm.list_del(57), m.mm.list_add(57, m.zone(0, "Normal").free_list(0, 1)),
                            m.allocated.pop(56), m.mm.state.__setitem__(56, 2),
                            m.mm.buddy.__setitem__(56, 1),
                            m.mm.list_add(56, m.zone(0, "Normal").free_list(0, 1)),
                            m.zone(0, "Normal").nr_free.__setitem__(0, 2),
                            setattr(m.zone(0, "Normal"), "NR_FREE_PAGES", 64)), "not merged"),
    ("pcp count", lambda m: setattr(m.zone(0, "Normal").pageset[0], "count", 3), "pcp count"),
    # the block checks run as slice operations; the failure still names the first bad pfn
    # (58-59 is the free order-1 block, 60-63 the free order-2 block)
    ("tail state", lambda m: m.mm.state.__setitem__(59, ALLOCATED),
     "pfn 59 inside free block 58 is marked 4"),
    ("tail PageBuddy", lambda m: m.mm.buddy.__setitem__(62, 1),
     "tail pfn 62 of free block 60 has PageBuddy"),
    ("placed twice", lambda m: (m.allocated.__setitem__(60, (2, 1)),
                                m.mm.refcount.__setitem__(60, 1)),
     r"pfn 60 is in two places \(allocation at 60\)"),
])
def test_check_catches(name, fn, words):
    """Each corruption makes check() raise InvariantError naming it."""
    m = corrupt(fn)
    with pytest.raises(bl.InvariantError, match=words):
        m.check()


def test_debug_switch_checks_after_every_operation():
    """Machine(debug=True) runs check() after each call, so corruption surfaces at once."""
    m = bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                   min_free_kbytes=0, debug=True)
    p = m.alloc_pages(bl.GFP_KERNEL, 1)
    m.zone(0, "Normal").nr_free[0] += 1
    with pytest.raises(bl.InvariantError):
        m.free_pages(p, 1)
