"""The bad-input catalogue: every programming error raises a buddylab error naming the problem,
and the machine is left exactly as it was: a deep snapshot of everything it holds (every array,
the zones and pcp sets, the owners' registry, the history; helpers.deep_state()) is equal before
and after, as are m.snapshot() and m.buddyinfo().

Kernel behaviour being modelled (v4.18: gfp_zone() in include/linux/gfp.h,
gfpflags_to_migratetype(), __get_free_pages() and __free_pages() in mm/page_alloc.c):
GFP_ZONE_BAD is a VM_BUG_ON,
__GFP_MOVABLE|__GFP_RECLAIMABLE a VM_WARN_ON, __get_free_pages(__GFP_HIGHMEM) a VM_BUG_ON, a double
free or a wrong-order free "Bad page state"; order >= MAX_ORDER is a WARN_ON_ONCE (unless
__GFP_NOWARN) and NULL; a request that simply cannot be satisfied is NULL (address 0).
"""

import dataclasses
import warnings
from contextlib import contextmanager

import pytest

import buddylab as bl
from buddylab.errors import BadParameterError
from helpers import deep_state

FREE_PAGES = "__free_pages"
GET_FREE_PAGES = "__get_free_pages"


@contextmanager
def unchanged(m, valid=False):
    """Nothing in `m` changes.  With valid=True the calls made are valid ones that return NULL
    (they are recorded and may wake kswapd): only the allocator's state is compared, and
    kswapd's failure count may have grown: a failed request that wakes kswapd on a node with
    nothing to reclaim makes it fail (mm/vmscan.c, balance_pgdat(), v4.18:
    ``if (!sc.nr_reclaimed) pgdat->kswapd_failures++``), which zoneinfo's node_unreclaimable shows."""
    def state():
        snap = m.snapshot()
        return dataclasses.replace(snap, node_unreclaimable=()) if valid else snap
    before, info, deep = state(), m.buddyinfo(), None if valid else deep_state(m)
    yield
    assert state() == before
    assert m.buddyinfo() == info
    assert valid or deep_state(m) == deep, "the machine changed"


def rejects(m, exc, keywords, fn, *args, **kwargs):
    """fn(*args, **kwargs) raises exc, whose message names the problem, and changes nothing."""
    with unchanged(m):
        with pytest.raises(exc) as info:
            fn(*args, **kwargs)
    msg = str(info.value).lower()
    keywords = (keywords,) if isinstance(keywords, str) else keywords
    assert any(k.lower() in msg for k in keywords), (keywords, msg)
    return info.value


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        return fn(*args, **kwargs)


@pytest.fixture
def m():
    """A busy small machine: allocations of several orders, pages on both CPUs' pcp lists."""
    m = bl.Machine(nodes=[{"DMA": 1024, "Normal": 4096}], cpus_per_node=2,
                   percpu_pagelist_fraction=8)
    m.held = [m.alloc_pages(bl.GFP_KERNEL, order=o, cpu=o % 2) for o in (0, 1, 2, 3, 0, 5)]
    for cpu in (0, 1):
        for _ in range(3):
            m.free_pages(m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, order=0, cpu=cpu), 0, cpu=cpu)
    assert all(p.pcp_pages() for p in [m.zone_snapshot(0, "Normal")])
    m.check()
    return m


@pytest.fixture
def tiny():
    """64 pages, MAX_ORDER 4, pageblock order 2, no watermarks."""
    return bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                      min_free_kbytes=0)


# ------------------------------------------------------------------------------- orders
@pytest.mark.parametrize("order", [-1, -11])
def test_negative_order(m, order):
    rejects(m, bl.BadOrderError, ">= 0", m.alloc_pages, bl.GFP_KERNEL, order)
    rejects(m, bl.BadOrderError, ">= 0", m.alloc_pages_node, 0, bl.GFP_KERNEL, order)
    rejects(m, bl.BadOrderError, ">= 0", getattr(m, GET_FREE_PAGES), bl.GFP_KERNEL, order)
    rejects(m, bl.BadOrderError, ">= 0", m.free_pages, m.held[0], order)


@pytest.mark.parametrize("order", [2.0, "2", True, False, None, 1.5])
def test_order_not_an_int(m, order):
    rejects(m, bl.BadOrderError, "int", m.alloc_pages, bl.GFP_KERNEL, order)
    rejects(m, bl.BadOrderError, "int", getattr(m, GET_FREE_PAGES), bl.GFP_KERNEL, order)
    rejects(m, bl.BadOrderError, "int", getattr(m, FREE_PAGES), m.held[2], order)


@pytest.mark.parametrize("order", [11, 12, 64])
def test_order_at_or_above_max_order_warns_and_returns_null(m, order):
    with unchanged(m, valid=True):
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert m.alloc_pages(bl.GFP_KERNEL, order) is None
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert getattr(m, GET_FREE_PAGES)(bl.GFP_ATOMIC, order) == 0
    rejects(m, bl.BadOrderError, "MAX_ORDER", m.free_pages, m.held[0], order)


def test_order_at_or_above_max_order_with_nowarn_is_silent(m):
    with unchanged(m, valid=True), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NOWARN, 11) is None
        assert getattr(m, GET_FREE_PAGES)(bl.GFP_KERNEL | bl.__GFP_NOWARN, 11) == 0
    assert not [w for w in caught if issubclass(w.category, bl.AllocationWarning)]


def test_max_order_is_the_machines_own(tiny):
    with unchanged(tiny, valid=True):
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert tiny.alloc_pages(bl.GFP_KERNEL, 4) is None
    assert tiny.alloc_pages(bl.GFP_KERNEL, 3).pfn % 8 == 0


# ---------------------------------------------------------------------------- GFP masks
GFP_ZONE_BAD = {0x3, 0x5, 0x6, 0x7, 0xb, 0xd, 0xe, 0xf}      # include/linux/gfp.h, v4.18


@pytest.mark.parametrize("bits", sorted(GFP_ZONE_BAD))
@pytest.mark.parametrize("base", ["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "none"])
def test_gfp_zone_bad(m, bits, base):
    gfp = bits | (0 if base == "none" else getattr(bl, base))
    rejects(m, bl.BadGfpError, "GFP_ZONE_BAD", m.alloc_pages, gfp, 0)
    rejects(m, bl.BadGfpError, "GFP_ZONE_BAD", m.alloc_pages, gfp, 3, cpu=1)
    rejects(m, bl.BadGfpError, "GFP_ZONE_BAD", m.alloc_pages_node, 0, gfp, 0)
    rejects(m, bl.BadGfpError, "GFP_ZONE_BAD", m.alloc_page, gfp)
    rejects(m, bl.BadGfpError, "GFP_ZONE_BAD", getattr(m, GET_FREE_PAGES), gfp, 0)


@pytest.mark.parametrize("bits", [b for b in range(16) if b not in GFP_ZONE_BAD])
def test_gfp_zone_good_combinations_are_accepted(m, bits):
    page = quiet(m.alloc_pages, bl.GFP_KERNEL | bits, 0)
    assert page is not None
    m.check()


@pytest.mark.parametrize("base", ["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_USER"])
def test_movable_and_reclaimable_together(m, base):
    gfp = getattr(bl, base) | bl.__GFP_MOVABLE | bl.__GFP_RECLAIMABLE
    rejects(m, bl.BadGfpError, "RECLAIMABLE", m.alloc_pages, gfp, 0)
    rejects(m, bl.BadGfpError, "RECLAIMABLE", m.alloc_pages, gfp, 2, cpu=1)
    rejects(m, bl.BadGfpError, "RECLAIMABLE", m.alloc_pages_node, 0, gfp, 0)
    rejects(m, bl.BadGfpError, "RECLAIMABLE", getattr(m, GET_FREE_PAGES), gfp, 0)


@pytest.mark.parametrize("gfp", ["GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "__GFP_HIGHMEM"])
def test_get_free_pages_with_highmem(m, gfp):
    rejects(m, bl.BadGfpError, "HIGHMEM", getattr(m, GET_FREE_PAGES), getattr(bl, gfp), 0)
    rejects(m, bl.BadGfpError, "HIGHMEM", getattr(m, GET_FREE_PAGES), getattr(bl, gfp), 2)


@pytest.mark.parametrize("gfp", [-1, 1 << 40, "GFP_KERNEL", 2.0, None])
def test_not_a_gfp_mask(m, gfp):
    rejects(m, bl.BadGfpError, ("gfp", "mask"), m.alloc_pages, gfp, 0)


# -------------------------------------------------------------------------------- frees
def test_double_free_of_a_high_order_block(m):
    page = m.alloc_pages(bl.GFP_KERNEL, 2)
    m.free_pages(page, 2)
    rejects(m, bl.BadFreeError, "double free", m.free_pages, page, 2)
    rejects(m, bl.BadFreeError, "double free", getattr(m, FREE_PAGES), page, 2, 1)


@pytest.mark.parametrize("cpu", [0, 1])
def test_double_free_of_a_page_on_a_pcp_list(m, cpu):
    page = m.alloc_pages(bl.GFP_KERNEL, 0, cpu=cpu)
    m.free_pages(page, 0, cpu=cpu)
    z = m.zone_snapshot(0, "Normal")
    assert page.pfn in z.pcp[cpu].lists[bl.MIGRATE_UNMOVABLE]       # it sits on the pcp list
    for other in (0, 1):
        err = rejects(m, bl.BadFreeError, "double free", m.free_pages, page, 0, cpu=other)
        assert "pcp" in str(err)
    # and once drained into the buddy lists, still a double free
    m.drain_all_pages()
    rejects(m, bl.BadFreeError, "double free", m.free_pages, page, 0, cpu=cpu)


@pytest.mark.parametrize("held, wrong", [(1, 0), (1, 2), (2, 1), (3, 0), (3, 10), (5, 4)])
def test_free_with_the_wrong_order(m, held, wrong):
    page = m.held[held]
    rejects(m, bl.BadFreeError, ("wrong order", "order"), m.free_pages, page, wrong)


@pytest.mark.parametrize("held, offset", [(1, 1), (2, 3), (3, 4), (5, 31)])
def test_free_inside_an_allocation_not_its_head(m, held, offset):
    order = (0, 1, 2, 3, 0, 5)[held]
    inside = bl.Page(m.held[held].pfn + offset)
    rejects(m, bl.BadFreeError, "head", m.free_pages, inside, 0)
    rejects(m, bl.BadFreeError, "head", m.free_pages, inside, order)


def test_free_a_page_that_was_never_allocated(m):
    z = m.zone_snapshot(0, "DMA")
    free_pfn = z.free_lists[z.max_order - 1][bl.MIGRATE_MOVABLE][0]
    rejects(m, bl.BadFreeError, ("free", "never allocated"), m.free_pages, bl.Page(free_pfn), 0)
    rejects(m, bl.BadFreeError, ("free", "never allocated"), m.free_pages,
            bl.Page(free_pfn + 5), 0)
    rejects(m, bl.BadFreeError, "outside", m.free_pages, bl.Page(m.nr_pfns), 0)
    rejects(m, bl.BadFreeError, "outside", m.free_pages, bl.Page(-1), 0)
    rejects(m, bl.BadFreeError, "page", m.free_pages, "not a page", 0)


def test_free_a_reserved_page():
    m = bl.Machine(nodes=[{"DMA": {"pages": 256, "managed": 200}, "Normal": 256}],
                   cpus_per_node=1, max_order=5, pageblock_order=3, min_free_kbytes=0)
    reserved = m.zone_snapshot(0, "DMA").reserved
    assert reserved == ((0, 56),)
    for pfn in (0, 13, 55):
        rejects(m, bl.BadFreeError, ("reserved", "never allocated"), m.free_pages,
                bl.Page(pfn), 0)


def test_free_pages_of_address_zero_is_a_no_op(m):
    with unchanged(m, valid=True):
        assert m.free_pages(0) is None
        assert m.free_pages(0, 3) is None
        assert m.free_page(0) is None


def test_free_by_address_checks_like_free_by_page(m):
    page = m.held[3]
    addr = m.page_address(page)
    rejects(m, bl.BadFreeError, ("wrong order", "order"), m.free_pages, addr, 2)
    rejects(m, bl.BadFreeError, "head", m.free_pages, addr + 4096, 0)
    m.free_pages(addr, 3)
    rejects(m, bl.BadFreeError, "double free", m.free_pages, addr, 3)


# -------------------------------------------------------------------------- cpus, nodes
@pytest.mark.parametrize("cpu", [-1, 2, 99, "0", 1.0, None, True])
def test_unknown_cpu(m, cpu):
    rejects(m, bl.UnknownCpuError, "cpu", m.alloc_pages, bl.GFP_KERNEL, 0, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.alloc_pages, bl.GFP_KERNEL, 3, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.alloc_pages_node, 0, bl.GFP_KERNEL, 0, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.free_pages, m.held[0], 0, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.free_pages, m.held[1], 1, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.drain_pages, cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.drain_pages_zone, cpu, 0, "Normal")


def test_unknown_cpu_is_counted_across_nodes():
    m = bl.Machine(nodes=[{"DMA": 512, "Normal": 512}, {"Normal": 1024}], cpus_per_node=[1, 2],
                   max_order=6, pageblock_order=4)
    for cpu in (0, 1, 2):
        quiet(m.alloc_pages, bl.GFP_KERNEL, 0, cpu=cpu)
    rejects(m, bl.UnknownCpuError, "cpu", m.alloc_pages, bl.GFP_KERNEL, 0, cpu=3)


@pytest.mark.parametrize("nid", [1, 5, 64, -2, "0", 0.0, True])
def test_unknown_node(m, nid):
    rejects(m, bl.UnknownNodeError, "node", m.alloc_pages_node, nid, bl.GFP_KERNEL, 0)
    rejects(m, bl.UnknownNodeError, "node", m.zonelist, nid, bl.GFP_KERNEL)
    rejects(m, bl.UnknownNodeError, "node", m.zonelist, nid, bl.GFP_KERNEL | bl.__GFP_THISNODE)


def test_node_none_is_not_a_node(m):
    """alloc_pages_node(int nid, ...): only NUMA_NO_NODE (-1) means "the CPU's node".

    None is no node id; buddylab currently treats it like -1 (the internal "no preferred node"
    sentinel of alloc_pages() leaks through) and allocates.
    """
    rejects(m, bl.UnknownNodeError, "node", m.zonelist, None, bl.GFP_KERNEL)
    rejects(m, bl.UnknownNodeError, "node", m.alloc_pages_node, None, bl.GFP_KERNEL, 0)


def test_numa_no_node_is_the_cpus_node_but_not_a_zonelist(m):
    rejects(m, bl.UnknownNodeError, "node", m.zonelist, -1, bl.GFP_KERNEL)
    assert m.alloc_pages_node(-1, bl.GFP_KERNEL, 0) is not None


def test_unknown_node_on_a_two_node_machine():
    m = bl.Machine(nodes=[{"DMA": 512, "Normal": 512}, {"Normal": 1024}], cpus_per_node=1,
                   max_order=6, pageblock_order=4)
    assert m.zonelist(1, bl.GFP_KERNEL)[0] == (1, "Normal")
    rejects(m, bl.UnknownNodeError, "node", m.zonelist, 2, bl.GFP_KERNEL)
    rejects(m, bl.UnknownNodeError, "node", m.alloc_pages_node, 2, bl.GFP_KERNEL, 0)


# ------------------------------------------------------------------------------ layouts
@pytest.mark.parametrize("kwargs, keywords", [
    (dict(nodes=[{"HighMem": 64}]), ("zone name", "HighMem")),
    (dict(nodes=[{"DMA": 64, "normal": 64}]), ("zone name", "normal")),
    (dict(nodes=[{"DMA": 64}, {"Device": 64}]), ("zone name", "Device")),
    (dict(nodes=[{"DMA": -1}]), (">= 0", "negative")),
    (dict(nodes=[{"DMA": 64, "Normal": -64}]), (">= 0", "negative")),
    (dict(nodes=[{"DMA": {"pages": 64, "managed": -1}}]), (">= 0", "negative")),
    (dict(nodes=[{"DMA": "64"}]), ("int",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10]]), ("distance",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 20], [20]]), ("distance",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 20, 30], [20, 10, 30]]),
     ("distance",)),
    (dict(nodes=[{"DMA": 64}], distance=[[10, 20], [20, 10]]), ("distance",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=[1]), ("cpus_per_node",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=[1, 1, 1]), ("cpus_per_node",)),
    (dict(nodes=[{"DMA": 64}], cpus_per_node=-1), ("cpus_per_node",)),
    (dict(nodes=[{"DMA": 64}], max_order=4, pageblock_order=4), ("pageblock_order",)),
    (dict(nodes=[{"DMA": 64}], max_order=4, pageblock_order=7), ("pageblock_order",)),
    (dict(nodes=[{"DMA": 64}], max_order=11, pageblock_order=11), ("pageblock_order",)),
])
def test_layout_that_cannot_be_built(kwargs, keywords):
    with pytest.raises(bl.LayoutError) as info:
        bl.Machine(**kwargs)
    msg = str(info.value).lower()
    assert any(k.lower() in msg for k in keywords), (keywords, msg)


# ------------------------------------------------------------------ exhausted memory
def test_failed_allocation_returns_none_and_address_zero(tiny):
    pages = []
    while True:
        page = quiet(tiny.alloc_pages, bl.GFP_NOWAIT, 0)
        if page is None:
            break
        pages.append(page)
    assert len(pages) == 64
    with unchanged(tiny, valid=True):
        assert quiet(tiny.alloc_pages, bl.GFP_NOWAIT, 0) is None
        assert quiet(tiny.alloc_pages, bl.GFP_ATOMIC, 2) is None
        assert tiny.alloc_pages(bl.GFP_NOWAIT | bl.__GFP_NOWARN, 1) is None
        with pytest.warns(bl.AllocationWarning, match="allocation failure"):
            assert tiny.alloc_pages(bl.GFP_KERNEL, 0) is None
        with pytest.warns(bl.AllocationWarning):
            assert getattr(tiny, GET_FREE_PAGES)(bl.GFP_KERNEL, 0) == 0
        assert quiet(getattr(tiny, "__get_free_page"), bl.GFP_ATOMIC) == 0
        assert quiet(tiny.get_zeroed_page, bl.GFP_KERNEL) == 0
    tiny.check()


def test_request_for_a_zone_the_machine_lacks_returns_null(tiny):
    """GFP_DMA on a machine with only a Normal zone: no zone qualifies, NULL."""
    with unchanged(tiny, valid=True):
        assert quiet(tiny.alloc_pages, bl.GFP_KERNEL | bl.GFP_DMA, 0) is None
        assert quiet(getattr(tiny, "__get_dma_pages"), bl.GFP_KERNEL, 0) == 0


# ---------------------------------------------------------------------------- sysctls
@pytest.mark.parametrize("setter, value, keyword", [
    ("set_percpu_pagelist_fraction", 5, "percpu_pagelist_fraction"),
    ("set_percpu_pagelist_fraction", -8, "percpu_pagelist_fraction"),
    ("set_percpu_pagelist_fraction", 8.0, "percpu_pagelist_fraction"),
    ("set_min_free_kbytes", -1, "min_free_kbytes"),
    ("set_min_free_kbytes", "64", "min_free_kbytes"),
    ("set_watermark_scale_factor", 0, "watermark_scale_factor"),
    ("set_watermark_scale_factor", 1001, "watermark_scale_factor"),
    ("set_lowmem_reserve_ratio", (1, 2), "lowmem_reserve_ratio"),
    ("set_lowmem_reserve_ratio", (256, 256, 32), "lowmem_reserve_ratio"),
    ("set_lowmem_reserve_ratio", 5, "lowmem_reserve_ratio"),
])
def test_bad_sysctl_write(m, setter, value, keyword):
    rejects(m, bl.BuddyLabError, keyword, getattr(m, setter), value)


def _busy_modern():
    """A modern machine with blocks of several orders on both CPUs' pcp lists."""
    mm = bl.Machine(nodes=[{"DMA": 1024, "Normal": 16384}], kernel="modern", cpus_per_node=2,
                    min_free_kbytes=256)
    for cpu, order in ((0, 0), (1, 0), (0, 1), (1, 3)):
        mm.free_pages(mm.alloc_pages(0x100cca, order, cpu=cpu), order, cpu=cpu)
    assert sum(p.count for p in mm.zone(0, "Normal").pageset.values())
    return mm


@pytest.mark.parametrize("setter, value, exc, keyword", [
    ("set_percpu_pagelist_high_fraction", 5, bl.LayoutError, "percpu_pagelist_high_fraction"),
    ("set_percpu_pagelist_high_fraction", -8, bl.LayoutError, "percpu_pagelist_high_fraction"),
    ("set_percpu_pagelist_high_fraction", 8.0, bl.LayoutError, "percpu_pagelist_high_fraction"),
    ("set_percpu_pagelist_fraction", 8, BadParameterError, "percpu_pagelist_high_fraction"),
    ("refresh_cpu_vm_stats", 2, bl.UnknownCpuError, "cpu"),
])
def test_bad_modern_pcp_calls(setter, value, exc, keyword):
    """The v6.18 pcp sysctl's range, the v4.18 name refused, a CPU the machine lacks."""
    mm = _busy_modern()
    rejects(mm, exc, keyword, getattr(mm, setter), value)


def test_classic_refuses_the_modern_pcp_sysctl(m):
    rejects(m, BadParameterError, "set_percpu_pagelist_fraction",
            m.set_percpu_pagelist_high_fraction, 8)


def test_unknown_zone_name_in_a_drain(m):
    rejects(m, bl.LayoutError, "zone name", m.drain_pages_zone, 0, 0, "HighMem")
    rejects(m, bl.UnknownNodeError, "node", m.drain_pages_zone, 0, 3, "Normal")


# =========================================================================== issue 9
# Everything below was found by fuzzing the public API (issue 9, "Found by fuzzing").
# Each entry asserts the error type, a message naming the problem, and (rejects()) that a deep
# snapshot of the machine - every array, the owners' registry, the history - is unchanged.

from buddylab import reclaim as R, compaction as C             # noqa: E402
from buddylab.owners import KERNEL, SLAB, FILE, ANON           # noqa: E402


@pytest.fixture
def om():
    """A machine with owners: a task with anonymous, kernel and page-cache pages, pins."""
    m = bl.Machine(nodes=[{"DMA": 1024, "Normal": 4096}], cpus_per_node=2, swap_pages=64)
    m.task = m.owner("task")
    m.cache = m.owner("cache", oom_score_adj=-100)
    m.anon = [m.task.alloc(ANON, cpu=i % 2) for i in range(8)]
    m.kern = [m.task.alloc(KERNEL) for _ in range(3)]
    m.file = [m.cache.alloc(FILE, dirty=i % 2 == 0) for i in range(6)]
    m.slab = m.cache.alloc(SLAB)
    m.task.free(m.anon.pop(), cpu=1)
    m.check()
    return m


# ------------------------------------------------------------- a page handed out twice
def test_free_pages_on_an_owned_page_is_refused(om):
    """The owner's reference is the page's last: machine.free_pages() would leave the registry
    pointing at a free page that reclaim later frees again (one pfn held twice)."""
    for h in (om.anon[0], om.kern[0], om.file[0], om.slab):
        rejects(om, bl.BadFreeError, ("owner", "held by"), om.free_pages, bl.Page(h.pfn), 0)


def test_free_pages_drops_a_pin_of_an_owned_page(om):
    """get_page() then free_pages() is a get/put pair: the owner keeps its page."""
    h = om.anon[0]
    om.get_page(bl.Page(h.pfn))
    om.free_pages(bl.Page(h.pfn), 0)
    assert om.owners.by_pfn[h.pfn] is h and om.mm.refcount[h.pfn] == 1
    om.check()


# ------------------------------------------------------------------- errors that corrupt
@pytest.mark.parametrize("cpu", [2, -1, "0", None, 1.0])
def test_owner_exit_with_a_bad_cpu(om, cpu):
    rejects(om, bl.UnknownCpuError, "cpu", om.task.exit, cpu=cpu)
    om.task.exit(cpu=1)                          # and the retry works
    om.check()


@pytest.mark.parametrize("cpu", [2, -1, "0", None])
def test_owner_free_with_a_bad_cpu(om, cpu):
    h = om.anon[0]
    rejects(om, bl.UnknownCpuError, "cpu", om.task.free, h, cpu=cpu)
    om.task.free(h, cpu=0)                       # the handle was not lost: the retry frees it
    assert h not in om.task.handles
    om.check()


def test_compact_memory_without_compaction():
    m = bl.Machine(nodes=[{"Normal": 1024}], cpus_per_node=1, max_order=6, pageblock_order=4,
                   compaction=False)
    rejects(m, bl.BuddyLabError, "CONFIG_COMPACTION", m.compact_memory)


def test_lowmem_reserve_ratio_as_an_iterator(m):
    """An iterator is read once, before any check; a bad one changes nothing."""
    rejects(m, bl.BuddyLabError, "lowmem_reserve_ratio", m.set_lowmem_reserve_ratio, iter((1, 2)))
    rejects(m, bl.BuddyLabError, "lowmem_reserve_ratio", m.set_lowmem_reserve_ratio, 5)
    rejects(m, bl.BuddyLabError, "lowmem_reserve_ratio", m.set_lowmem_reserve_ratio, "256")
    before = m.snapshot().lowmem_reserve_ratio
    m.set_lowmem_reserve_ratio(iter(before))     # a good iterator is as good as its tuple
    assert m.snapshot().lowmem_reserve_ratio == before


@pytest.mark.parametrize("order", [10 ** 10, 2 ** 100, 10 ** 30])
def test_huge_order_warns_and_returns_null_at_once(m, order):
    """__alloc_pages_slowpath() (mm/page_alloc.c, v4.18): order >= MAX_ORDER is WARN_ON_ONCE
    and NULL; the fast path's __zone_watermark_ok() fails it first without 1 << order."""
    with unchanged(m, valid=True):
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert m.alloc_pages(bl.GFP_KERNEL, order) is None
        assert m.alloc_pages_node(0, bl.GFP_KERNEL | bl.__GFP_NOWARN, order) is None
    rejects(m, bl.BadOrderError, "MAX_ORDER", m.free_pages, m.held[0], order)


# ----------------------------------------------------------------------------- isolation
def big():
    """One Normal zone of 4096 pages, the x86_64 orders: free order-10 blocks."""
    return bl.Machine(nodes=[{"DMA": 1024, "Normal": 4096}], cpus_per_node=1)


@pytest.mark.parametrize("start, end", [
    (1024 + 512, 2048),            # the upper pageblock of a free order-10 block
    (1024, 1024 + 512),            # its lower pageblock
    (1024 + 512, 2048 + 512),      # straddling two order-10 blocks
])
def test_isolation_range_not_aligned_to_max_order(start, end):
    """alloc_contig_range() aligns to max(MAX_ORDER_NR_PAGES, pageblock_nr_pages) before
    start_isolate_page_range() (pfn_max_align_down/up(), mm/page_alloc.c, v4.18)."""
    m = big()
    rejects(m, bl.BuddyLabError, "MAX_ORDER_NR_PAGES", m.start_isolate_page_range, start, end)
    rejects(m, bl.BuddyLabError, "MAX_ORDER_NR_PAGES", m.undo_isolate_page_range, start, end)


@pytest.mark.parametrize("start, end", [(0, 4), (1, 8), (56, 65), (64, 72), (8, 8), (16, 8),
                                        ("0", 8), (0, 8.0), (None, 8), (True, 8)])
def test_isolation_range_out_of_memory_or_not_ints(tiny, start, end):
    rejects(tiny, bl.BuddyLabError, ("pageblock", "int", "MAX_ORDER_NR_PAGES"),
            tiny.start_isolate_page_range, start, end)


@pytest.mark.parametrize("mt", ["junk", -1, 99, None, 1.0, True, bl.MIGRATE_HIGHATOMIC,
                                bl.MIGRATE_ISOLATE])
def test_isolation_with_a_migratetype_that_is_not_one(tiny, mt):
    rejects(tiny, bl.BuddyLabError, "migratetype", tiny.start_isolate_page_range, 0, 8, mt)
    rejects(tiny, bl.BuddyLabError, "migratetype", tiny.undo_isolate_page_range, 0, 8, mt)


def test_isolating_pageblocks_that_are_holes():
    """A hole inside a zone's span has a reserved struct page: has_unmovable_pages()
    (mm/page_alloc.c, v4.18) calls it unmovable, so -EBUSY; all-hole or part-hole alike."""
    m = bl.Machine(nodes=[{"Normal": {"spanned": 64, "present": 48,
                                      "holes": [(16, 28), (60, 64)]}}],
                   cpus_per_node=1, max_order=4, pageblock_order=2, min_free_kbytes=0)
    rejects(m, bl.BusyError, "unmovable", m.start_isolate_page_range, 16, 24)   # all hole
    rejects(m, bl.BusyError, "unmovable", m.start_isolate_page_range, 24, 32)   # part hole
    rejects(m, bl.BusyError, "unmovable", m.start_isolate_page_range, 56, 64)   # tail hole


def test_isolating_a_pageblock_that_straddles_two_zones():
    """Zones of 6 pages with 4-page pageblocks: the block at 4 lies in DMA and Normal; the
    kernel isolates only inside one zone (test_pages_in_a_zone(), mm/memory_hotplug.c)."""
    m = bl.Machine(nodes=[{"DMA": 6, "Normal": 58}], cpus_per_node=1, max_order=3,
                   pageblock_order=2, min_free_kbytes=0)
    rejects(m, bl.BuddyLabError, "one zone", m.start_isolate_page_range, 4, 8)
    rejects(m, bl.BuddyLabError, "one zone", m.start_isolate_page_range, 0, 8)


def test_isolating_twice_is_busy(tiny):
    tiny.start_isolate_page_range(0, 8)
    rejects(tiny, bl.BusyError, "already isolated", tiny.start_isolate_page_range, 0, 16)


# ---------------------------------------------------------------------------------- CMA
@pytest.mark.parametrize("cma, keywords", [
    ([(512, 512)], ("multiple of 1024",)),              # one pageblock: not order-10 aligned
    ([(0, 512)], ("multiple of 1024",)),
    ([(1536, 1024)], ("multiple of 1024",)),
    ([("a", 512)], ("ints",)),
    ([(0.0, 1024)], ("ints",)),
    ([(0, None)], ("ints",)),
    ([(0,)], ("start_pfn, nr_pages",)),
    ([5], ("start_pfn, nr_pages",)),
    (5, ("cma",)),
    ([(0, 1024), (0, 1024)], ("overlap",)),
    ([(4096, 1024)], ("outside",)),
    ([(-1024, 1024)], ("outside",)),
    ([(0, 0)], ("multiple",)),
])
def test_cma_area_the_kernel_refuses(cma, keywords):
    """cma_init_reserved_mem() (mm/cma.c, v4.18): base and size multiples of
    PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order), else -EINVAL."""
    with pytest.raises(bl.LayoutError) as info:
        bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1, cma=cma)
    assert any(k in str(info.value) for k in keywords), str(info.value)


# -------------------------------------------------------------------------- constructor
@pytest.mark.parametrize("kwargs, keywords", [
    (dict(nodes=None), ("nodes",)),
    (dict(nodes=5), ("nodes",)),
    (dict(nodes="Normal"), ("nodes",)),
    (dict(nodes=[None]), ("dict",)),
    (dict(nodes=[{"Normal": 64}] * 65), ("MAX_NUMNODES",)),
    (dict(nodes=[{"Normal": 1.5}]), ("int",)),
    (dict(nodes=[{"Normal": None}]), ("int",)),
    (dict(nodes=[{"Normal": 10 ** 13}]), ("MAX_MODEL_PFNS",)),
    (dict(nodes=[{"Normal": {"pages": 64, "start_pfn": 10 ** 12}}]), ("MAX_MODEL_PFNS",)),
    (dict(nodes=[{"Normal": {"spanned": 100, "pages": 200}}]), ("not both",)),
    (dict(nodes=[{"Normal": {"spanned": 100, "present": 200}}]), ("present <= spanned",)),
    (dict(nodes=[{"Normal": {"pages": 64, "bogus": 1}}]), ("unknown keys",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": [(1.5, 3)]}}]), ("holes",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": 5}}]), ("holes",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": [(3,)]}}]), ("holes",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": [(60, 70)]}}]), ("holes",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": [(8, 4)]}}]), ("holes",)),
    (dict(nodes=[{"Normal": {"pages": 64, "holes": [(4, 8)]}}]), ("spanned - present",)),
    (dict(nodes=[{"Normal": {"pages": 64, "present": 56, "holes": [(0, 4), (2, 6)]}}]),
     ("overlap",)),
    (dict(nodes=[{"Normal": {"pages": 64, "reserved": [(0, 8)]}}]), ("present - managed",)),
    (dict(nodes=[{"Normal": {"pages": 64, "managed": 56, "reserved": [(0, 4)]}}]),
     ("present - managed",)),
    (dict(nodes=[{"Normal": {"pages": 64, "present": 56, "managed": 52, "holes": [(0, 8)],
                             "reserved": [(4, 8)]}}]), ("overlaps hole",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node=1.5), ("cpus_per_node",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node=None), ("cpus_per_node",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node="2"), ("cpus_per_node",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node=[True]), ("cpus_per_node",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node=10 ** 6), ("NR_CPUS",)),
    (dict(nodes=[{"Normal": 64}], cpus_per_node=0), ("at least one CPU",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=5), ("distance",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[5, 5]), ("distance",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[0, 0], [0, 0]]), ("LOCAL_DISTANCE",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 10 ** 30], [20, 10]]),
     ("byte",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 256], [256, 10]]), ("byte",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 10], [10, 10]]), ("remote",)),
    (dict(nodes=[{"DMA": 64}, {"Normal": 64}], distance=[[10, 20.0], [20, 10]]), ("int",)),
    (dict(nodes=[{"DMA": 64}], distance=[[11]]), ("LOCAL_DISTANCE",)),
    (dict(nodes=[{"Normal": 64}], max_order=10 ** 6), ("max_order",)),
    (dict(nodes=[{"Normal": 64}], max_order=300), ("max_order",)),
    (dict(nodes=[{"Normal": 64}], max_order=17), ("max_order",)),
    (dict(nodes=[{"Normal": 64}], max_order=0), ("pageblock_order",)),
    (dict(nodes=[{"Normal": 64}], debug="yes"), ("debug",)),
    (dict(nodes=[{"Normal": 64}], debug=1), ("debug",)),
    (dict(nodes=[{"Normal": 64}], tail_placement="no"), ("tail_placement",)),
    (dict(nodes=[{"Normal": 64}], compaction=None), ("compaction",)),
    (dict(nodes=[{"Normal": 64}], swap_pages=-1), ("swap_pages",)),
    (dict(nodes=[{"Normal": 64}], swap_pages=1.0), ("swap_pages",)),
    (dict(nodes=[{"Normal": 64}], page_group_by_mobility_disabled=0), ("mobility",)),
    (dict(nodes=[{"Normal": 64}], history_limit=-1), ("history_limit",)),
    (dict(nodes=[{"Normal": 64}], history_limit=1.5), ("history_limit",)),
    (dict(nodes=[{"Normal": 64}], lowmem_reserve_ratio=5), ("lowmem_reserve_ratio",)),
    (dict(nodes=[{"Normal": 64}], lowmem_reserve_ratio="256"), ("lowmem_reserve_ratio",)),
    (dict(nodes=[{"Normal": 64}], kernel="modern", lowmem_reserve_ratio=(256, 256, 32, 0)),
     ("lowmem_reserve_ratio", "Device")),
    (dict(nodes=[{"Normal": 64, "Device": 64}], kernel="modern"), ("Device",)),
    (dict(nodes=[{"Normal": 64}], kernel="v5.10"), ("classic", "modern")),
])
def test_constructor_argument_the_model_refuses(kwargs, keywords):
    """Every malformed argument is a LayoutError naming it, before anything is built; sizes
    are bounded up front (MAX_MODEL_PFNS, NR_CPUS, max_order <= 16: x86_64's
    MAX_ORDER - 1 + PAGE_SHIFT <= SECTION_SIZE_BITS, include/linux/mmzone.h, v4.18); a SLIT
    needs local distance 10, remote > 10 and u8 values (numa_set_distance(),
    arch/x86/mm/numa.c, and slit_valid(), drivers/acpi/numa.c, v4.18)."""
    with pytest.raises(bl.LayoutError) as info:
        bl.Machine(**kwargs)
    msg = str(info.value)
    assert any(k.lower() in msg.lower() for k in keywords), (keywords, msg)


@pytest.mark.parametrize("kwargs", [dict(max_order=1.5), dict(max_order=None),
                                    dict(pageblock_order="9"), dict(pageblock_order=-1)])
def test_constructor_orders_that_are_not_orders(kwargs):
    with pytest.raises(bl.BadOrderError, match="order"):
        bl.Machine(nodes=[{"Normal": 64}], **kwargs)


def test_consistent_holes_and_reserved_are_accepted():
    m = bl.Machine(nodes=[{"Normal": {"spanned": 64, "present": 56, "managed": 52,
                                      "holes": [(40, 44), (8, 12)], "reserved": [(0, 4)]}}],
                   cpus_per_node=1, max_order=4, pageblock_order=2, min_free_kbytes=0)
    z = m.zone_snapshot(0, "Normal")
    assert z.holes == ((8, 12), (40, 44)) and z.reserved == ((0, 4),)
    assert z.managed_pages == 52
    m.check()


# --------------------------------------------------- accepted when it should be refused
def test_freeing_an_owner_handle_twice(om):
    h = om.anon[0]
    om.task.free(h)
    rejects(om, bl.BadFreeError, "double free", om.task.free, h)
    h = om.file[1]
    om.cache.free(h)
    rejects(om, bl.BadFreeError, "double free", om.cache.free, h)


def test_freeing_another_owners_handle_or_not_a_handle(om):
    rejects(om, bl.BadFreeError, "not held", om.cache.free, om.anon[0])
    for bad in ("x", None, 3, bl.Page(om.anon[0].pfn)):
        rejects(om, bl.BadFreeError, "Handle", om.task.free, bad)


@pytest.mark.parametrize("kwargs, keyword", [
    (dict(name=None), "name"), (dict(name=""), "name"), (dict(name=5), "name"),
    (dict(name="t", oom_score_adj="0"), "oom_score_adj"),
    (dict(name="t", oom_score_adj=1001), "oom_score_adj"),
    (dict(name="t", oom_score_adj=-1001), "oom_score_adj"),
    (dict(name="t", oom_score_adj=0.5), "oom_score_adj"),
    (dict(name="t", oom_score_adj=True), "oom_score_adj"),
    (dict(name="t", kthread="yes"), "kthread"),
])
def test_owner_arguments(om, kwargs, keyword):
    """oom_score_adj is OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX (include/uapi/linux/oom.h; a write
    outside it is -EINVAL in __set_oom_adj(), fs/proc/base.c, v4.18); a task has a comm."""
    rejects(om, bl.OwnerError, keyword, om.owner, **kwargs)


@pytest.mark.parametrize("kind, gfp", [
    (FILE, bl.GFP_KERNEL), (ANON, bl.GFP_KERNEL), (KERNEL, bl.GFP_HIGHUSER_MOVABLE),
    (SLAB, bl.GFP_KERNEL), (FILE, bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE),
])
def test_owner_alloc_with_a_mask_that_changes_what_the_page_is(om, kind, gfp):
    """The kind decides the page's mobility: a page-cache page is allocated movable
    (mapping_gfp_mask() = GFP_HIGHUSER_MOVABLE), a kernel page unmovable."""
    rejects(om, bl.OwnerError, "gfp_mask", om.task.alloc, kind, gfp_mask=gfp)


def test_owner_alloc_with_modifiers_is_accepted(om):
    h = om.task.alloc(FILE, gfp_mask=bl.GFP_HIGHUSER_MOVABLE | bl.__GFP_NOWARN)
    assert h is not None and h.kind == FILE
    om.check()


@pytest.mark.parametrize("args, kwargs, exc, keyword", [
    (("bogus",), {}, bl.OwnerError, "kind"),
    ((None,), {}, bl.OwnerError, "kind"),
    ((["anon"],), {}, bl.OwnerError, "kind"),
    ((ANON,), dict(order=-1), bl.BadOrderError, ">= 0"),
    ((ANON,), dict(order="0"), bl.BadOrderError, "int"),
    ((ANON,), dict(cpu=7), bl.UnknownCpuError, "cpu"),
    ((ANON,), dict(gfp_mask="GFP_KERNEL"), bl.BadGfpError, "mask"),
    ((ANON,), dict(gfp_mask=bl.GFP_HIGHUSER_MOVABLE | bl.__GFP_RECLAIMABLE), bl.BadGfpError,
     "RECLAIMABLE"),
    ((FILE,), dict(dirty="yes"), bl.OwnerError, "dirty"),
])
def test_owner_alloc_bad_arguments(om, args, kwargs, exc, keyword):
    rejects(om, exc, keyword, om.task.alloc, *args, **kwargs)


def test_allocating_after_an_oom_kill_or_exit(om):
    om.task.killed = True                        # as oom_kill_process() marks its victim
    rejects(om, bl.OwnerError, "killed", om.task.alloc, ANON)
    om.cache.exit()
    rejects(om, bl.OwnerError, "exited", om.cache.alloc, FILE)
    rejects(om, bl.OwnerError, "exited", om.cache.exit)


def test_touching_a_freed_handle(om):
    h = om.file[2]
    om.cache.free(h)
    rejects(om, bl.OwnerError, "freed", h.touch)
    rejects(om, bl.OwnerError, "freed", h.clean)


@pytest.mark.parametrize("nid", [-1.0, 0.0, -2, 1, "-1", None])
def test_alloc_pages_node_with_a_node_that_is_not_one(m, nid):
    """Only the int -1 (NUMA_NO_NODE) means "the CPU's node"."""
    rejects(m, bl.UnknownNodeError, "node", m.alloc_pages_node, nid, bl.GFP_KERNEL, 0)


@pytest.mark.parametrize("kinds, keyword", [
    ("mm_page_alloc", "list"), (b"split", "list"), (5, "list"), ({"a": 1}, "list"),
    (["mm_page_alloc", "bogus"], "unknown"), (["m"], "unknown"),
])
def test_start_trace_with_kinds_that_are_not_event_names(m, kinds, keyword):
    rejects(m, bl.TraceError, keyword, m.start_trace, kinds=kinds)
    assert m.trace is None


@pytest.mark.parametrize("nid", [-1, 1, 5, "0", None, 0.0])
def test_kswapd_and_kcompactd_on_a_node_that_is_not_one(m, nid):
    rejects(m, bl.UnknownNodeError, "node", R.kswapd, m, nid)
    rejects(m, bl.UnknownNodeError, "node", C.wakeup_kcompactd, m, nid, 3, 2)


@pytest.mark.parametrize("pfn", ["x", 1.5, None, True, [1], 2.0])
def test_a_page_named_by_a_pfn_that_is_not_an_int(pfn):
    with pytest.raises(bl.BadFreeError, match="int pfn"):
        bl.Page(pfn)


def test_page_accepts_index_types_and_prints():
    import numpy as np
    assert bl.Page(np.int64(5)) == bl.Page(5) and repr(bl.Page(np.int64(5))) == "Page(pfn=5)"


@pytest.mark.parametrize("value", [5, None, "256 256 32", 1.5])
def test_lowmem_reserve_ratio_that_is_not_a_sequence(m, value):
    rejects(m, bl.BuddyLabError, "lowmem_reserve_ratio", m.set_lowmem_reserve_ratio, value)


def test_get_page_of_a_page_that_is_not_allocated(m):
    z = m.zone_snapshot(0, "DMA")
    free_pfn = z.free_lists[z.max_order - 1][bl.MIGRATE_MOVABLE][0]
    rejects(m, bl.BadFreeError, "head", m.get_page, bl.Page(free_pfn))
    rejects(m, bl.BadFreeError, "outside", m.get_page, bl.Page(m.nr_pfns))
    rejects(m, bl.BadFreeError, "page", m.get_page, "x")
    rejects(m, bl.BadFreeError, "page", m.page_address, None)


# -------------------------------------------------------------------------------- replay
def _trace_with(m, *ops):
    t = m.start_trace()
    m.stop_trace()
    t.ops = list(ops)
    return t


@pytest.mark.parametrize("op, keyword", [
    (("__init__", {}), "not a recorded public operation"),
    (("_alloc", {}), "not a recorded public operation"),
    (("check", {}), "not a recorded public operation"),
    (("bogus", {}), "not a recorded public operation"),
    ((None, {}), "not a recorded public operation"),
    (("alloc_pages", {"gfp_mask": bl.GFP_KERNEL, "colour": 3}), "do not fit"),
    (("alloc_pages", {}), "do not fit"),
    (("alloc_pages", [1, 2]), "keyword"),
    (("alloc_pages", {1: 2}), "keyword"),
    (("alloc_pages",), "pair"),
    ("alloc_pages", "pair"),
    (5, "pair"),
    (("owner.alloc", {"owner": 99, "kind": "anon"}), "no live owner"),
    (("owner.alloc", {"kind": "anon"}), "no live owner"),
    (("owner.free", {"owner": 0, "handle": 12345}), "no live handle"),
    (("handle.touch", {"handle": "0"}), "no live handle"),
])
def test_replay_of_a_corrupted_trace(om, op, keyword):
    """replay() runs only the public operations a machine records, and checks the arguments
    before it calls anything: a TraceError, and the target machine is unchanged."""
    t = _trace_with(om, op)
    rejects(om, bl.TraceError, keyword, bl.replay, t, om)


@pytest.mark.parametrize("field, value, keyword", [
    ("ops", 5, "list"), ("prefix", "abc", "list"), ("machine_args", {"colour": 1}, "Machine"),
])
def test_replay_of_a_trace_with_corrupted_fields(m, field, value, keyword):
    t = _trace_with(m)
    setattr(t, field, value)
    with pytest.raises(bl.TraceError, match=keyword):
        bl.replay(t)
    with pytest.raises(bl.TraceError):
        bl.replay("not a trace")


def test_a_rejected_call_is_not_recorded(om):
    """Every call checks its arguments before it records itself: the history and the trace
    hold only calls that ran, so replay() never re-raises."""
    t = om.start_trace()
    n = len(om._history)
    for fn, args in ((om.alloc_pages, (bl.GFP_KERNEL, -1)), (om.free_pages, (om.held if False
                     else bl.Page(om.anon[0].pfn), 0)), (om.task.alloc, ("bogus",)),
                     (om.task.free, ("x",)), (om.owner, (None,)),
                     (om.start_isolate_page_range, (1, 2)), (om.set_min_free_kbytes, (-1,))):
        with pytest.raises(bl.BuddyLabError):
            fn(*args)
    assert len(om._history) == n and t.ops == []
    om.stop_trace()


@pytest.mark.parametrize("order, classzone_idx, exc", [
    (-1, 2, bl.BadOrderError), ("3", 2, bl.BadOrderError), (3, 4, bl.BuddyLabError),
    (3, -1, bl.BuddyLabError), (3, None, bl.BuddyLabError), (3, iter([2]), bl.BuddyLabError),
])
def test_wakeup_kcompactd_with_bad_order_or_zone_index(m, order, classzone_idx, exc):
    rejects(m, exc, ("order", "classzone_idx"), C.wakeup_kcompactd, m, 0, order, classzone_idx)
