"""The bad-input catalogue: every programming error raises a buddylab error naming the problem,
and the machine is left exactly as it was (m.snapshot() and m.buddyinfo() before == after).

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

FREE_PAGES = "__free_pages"
GET_FREE_PAGES = "__get_free_pages"


@contextmanager
def unchanged(m, kswapd_ran=False):
    """The machine is as it was.  With `kswapd_ran`, kswapd's failure count may have grown: a
    failed request that wakes kswapd on a node with nothing to reclaim makes it fail
    (mm/vmscan.c, balance_pgdat(), v4.18: ``if (!sc.nr_reclaimed) pgdat->kswapd_failures++``),
    which zoneinfo's node_unreclaimable shows."""
    def state():
        snap = m.snapshot()
        return dataclasses.replace(snap, node_unreclaimable=()) if kswapd_ran else snap
    before, info = state(), m.buddyinfo()
    yield
    assert state() == before
    assert m.buddyinfo() == info


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
    with unchanged(m):
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert m.alloc_pages(bl.GFP_KERNEL, order) is None
        with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
            assert getattr(m, GET_FREE_PAGES)(bl.GFP_ATOMIC, order) == 0
    rejects(m, bl.BadOrderError, "MAX_ORDER", m.free_pages, m.held[0], order)


def test_order_at_or_above_max_order_with_nowarn_is_silent(m):
    with unchanged(m), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NOWARN, 11) is None
        assert getattr(m, GET_FREE_PAGES)(bl.GFP_KERNEL | bl.__GFP_NOWARN, 11) == 0
    assert not [w for w in caught if issubclass(w.category, bl.AllocationWarning)]


def test_max_order_is_the_machines_own(tiny):
    with unchanged(tiny):
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
    with unchanged(m):
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
    with unchanged(tiny, kswapd_ran=True):
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
    with unchanged(tiny):
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


def test_unknown_zone_name_in_a_drain(m):
    rejects(m, bl.LayoutError, "zone name", m.drain_pages_zone, 0, 0, "HighMem")
    rejects(m, bl.UnknownNodeError, "node", m.drain_pages_zone, 0, 3, "Normal")
