"""buddylab/pcp.py: batch sizes, refill at the tail, LIFO at the head, round-robin drains."""
import buddylab as bl
from buddylab import pcp as P
from buddylab.mmzone import MIGRATE_UNMOVABLE as U, MIGRATE_MOVABLE as M, MIGRATE_RECLAIMABLE as R
from helpers import tiny


def test_zone_batchsize_classic():
    """zone_batchsize(): managed/1024, 512 KiB cap, /4, then 2^n - 1."""
    # 28672/1024 = 28 -> 7 -> 7 + 3 = 10 -> 8 - 1 = 7
    assert P.zone_batchsize(28672) == 7
    # 4096/1024 = 4 -> 1 -> 1 + 0 -> 1 - 1 = 0  (stored as batch 1, high 0)
    assert P.zone_batchsize(4096) == 0
    # big zones: cap 128 pages -> 32 -> 32 + 16 = 48 -> 32 - 1 = 31
    assert P.zone_batchsize(3_200_000) == 31
    # 50000/1024 = 48 -> 12 -> 18 -> 16 - 1 = 15
    assert P.zone_batchsize(50_000) == 15


def test_pagesets_after_boot():
    """pageset_set_batch(): high = 6 * batch, batch at least 1."""
    m = bl.Machine()
    dma, normal = m.zone(0, "DMA"), m.zone(0, "Normal")
    assert (dma.pageset[0].batch, dma.pageset[0].high) == (1, 0)
    assert (normal.pageset[1].batch, normal.pageset[1].high) == (7, 42)


def test_percpu_pagelist_fraction():
    """high = managed / fraction, batch = max(1, high/4) capped at 96."""
    m = bl.Machine()
    m.set_percpu_pagelist_fraction(8)
    normal = m.zone(0, "Normal").pageset[0]
    assert (normal.high, normal.batch) == (3584, 96)      # 28672/8 = 3584; 896 > 96
    dma = m.zone(0, "DMA").pageset[0]
    assert (dma.high, dma.batch) == (512, 96)             # 4096/8 = 512; 128 > 96
    m.set_percpu_pagelist_fraction(0)
    assert (normal.high, normal.batch) == (42, 7)
    try:
        m.set_percpu_pagelist_fraction(5)
    except bl.BuddyLabError:
        pass
    else:
        raise AssertionError("fraction 5 accepted")


def test_refill_appends_batch_at_tail_and_alloc_takes_head():
    """rmqueue_bulk() tail-appends ascending pfns; the page handed out is the head."""
    m = bl.Machine()            # Normal batch 7: the first GFP_KERNEL page refills 7 pages
    t = m.start_trace(kinds={"pcp_refill"})
    page = m.alloc_pages(bl.GFP_KERNEL, 0, cpu=1)
    m.stop_trace()
    # U steals the head order-10 block 31744 (whole pageblocks re-typed), splits from its bottom
    assert page.pfn == 31744
    assert t[0]["pfns"] == tuple(range(31744, 31751))
    p = m.zone_snapshot(0, "Normal").pcp[1]
    assert p.count == 6 and p.lists[U] == tuple(range(31745, 31751))
    assert m.alloc_pages(bl.GFP_KERNEL, 0, cpu=1).pfn == 31745


def test_free_goes_to_head_and_is_reused_first():
    """free_unref_page() adds at the head, so the next allocation gets the same page back."""
    m = bl.Machine()
    a = m.alloc_pages(bl.GFP_KERNEL, 0)
    b = m.alloc_pages(bl.GFP_KERNEL, 0)
    m.free_pages(a, 0)
    assert m.zone_snapshot(0, "Normal").pcp[0].lists[U][0] == a.pfn
    assert m.alloc_pages(bl.GFP_KERNEL, 0) == a
    assert b.pfn == a.pfn + 1


def test_free_pcppages_bulk_round_robin_from_movable():
    """Worked by hand: M=[43,42,41] R=[48] U=[56,57] drain in the order 41 48 57 42 56 43."""
    m = tiny(cpus=2, percpu_pagelist_fraction=8)      # high 64/8 = 8, batch 2
    assert (m.zone(0, "Normal").pageset[0].high, m.zone(0, "Normal").pageset[0].batch) == (8, 2)
    u = [m.alloc_pages(bl.GFP_KERNEL, 0, cpu=1).pfn for _ in range(4)]
    r = [m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE, 0, cpu=1).pfn for _ in range(2)]
    mv = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0, cpu=1).pfn for _ in range(4)]
    assert (u, r, mv) == ([56, 57, 58, 59], [48, 49], [40, 41, 42, 43])
    for pfn in (41, 42, 43, 48, 57, 56):               # each free goes to the head on cpu 0
        m.free_pages(bl.Page(pfn), 0, cpu=0)
    p = m.zone_snapshot(0, "Normal").pcp[0]
    assert p.lists == ((56, 57), (43, 42, 41), (48,)) and p.count == 6
    t = m.start_trace(kinds={"mm_page_pcpu_drain"})
    m.drain_pages(0)
    m.stop_trace()
    assert [(e["pfn"], e["migratetype"]) for e in t] == \
        [(41, M), (48, R), (57, U), (42, M), (56, U), (43, M)]
    assert m.zone_snapshot(0, "Normal").pcp[0].count == 0
    m.check()


def test_free_pcppages_bulk_an_empty_list_gives_the_next_one_a_bigger_turn():
    """Worked by hand: U=[56,57] M=[] R=[48,49]: M is skipped, so batch_free is 2 when R is
    reached and R gives two pages in a row (49 48); then U gives one (57); then M and R are
    empty, batch_free reaches MIGRATE_PCPTYPES and is set to the count left: U gives 56."""
    m = tiny(cpus=2, percpu_pagelist_fraction=8)      # high 8, batch 2: no drain at 4 pages
    u = [m.alloc_pages(bl.GFP_KERNEL, 0, cpu=1).pfn for _ in range(2)]
    r = [m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE, 0, cpu=1).pfn for _ in range(2)]
    assert (u, r) == ([56, 57], [48, 49])
    for pfn in (57, 56, 49, 48):                       # each free goes to the head on cpu 0
        m.free_pages(bl.Page(pfn), 0, cpu=0)
    assert m.zone_snapshot(0, "Normal").pcp[0].lists == ((56, 57), (), (48, 49))
    t = m.start_trace(kinds={"mm_page_pcpu_drain"})
    m.drain_pages(0)
    m.stop_trace()
    assert [(e["pfn"], e["migratetype"]) for e in t] == [(49, R), (48, R), (57, U), (56, U)]
    m.check()


def test_reaching_high_drains_batch_oldest_first():
    """count >= high: free_pcppages_bulk(batch) takes the oldest pages (the tail)."""
    m = tiny(cpus=2, percpu_pagelist_fraction=8)      # high 8, batch 2
    mv = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0, cpu=1).pfn for _ in range(8)]
    assert mv == list(range(56, 64))
    t = m.start_trace(kinds={"mm_page_pcpu_drain", "pcp_drain"})
    for pfn in mv:
        m.free_pages(bl.Page(pfn), 0, cpu=0)
    m.stop_trace()
    # the 8th free makes count 8 >= high 8: the two oldest (56, 57) go back to the buddy
    assert [e["pfn"] for e in t.of("mm_page_pcpu_drain")] == [56, 57]
    assert m.zone_snapshot(0, "Normal").pcp[0].count == 6


def test_pcp_pages_are_free_but_not_in_nr_free():
    """Pages on pcp lists count neither in nr_free nor in NR_FREE_PAGES."""
    m = bl.Machine()
    before = m.zone(0, "Normal").NR_FREE_PAGES
    m.alloc_pages(bl.GFP_KERNEL, 0)
    z = m.zone(0, "Normal")
    assert z.NR_FREE_PAGES == before - 7          # the whole batch left the buddy lists
    assert z.pageset[0].count == 6


def test_percpu_pagelist_fraction_write_of_the_current_value_changes_nothing():
    """Writing the value the sysctl already has returns early; a real change recomputes.

    mm/page_alloc.c, percpu_pagelist_fraction_sysctl_handler(), v4.18: ``/* No change? */ if
    (percpu_pagelist_fraction == old_percpu_pagelist_fraction) goto out;``.  The pcp sizes were
    set by setup_per_cpu_pageset() (start_kernel) before cma_init_reserved_areas() (a
    core_initcall) gave the CMA pages to managed_pages, so they use Normal's managed pages
    without the 16384 CMA pages: zone_batchsize(12288) = rounddown_pow_of_two(3 + 1) - 1 = 3,
    high 18; after 8 and back to 0, zone_batchsize(28672) = rounddown_pow_of_two(7 + 3) - 1 = 7,
    high 42 (mm/page_alloc.c, zone_batchsize(), pageset_set_batch(), v4.18).
    """
    m = bl.Machine(cma=[(8192, 16384)])
    normal = m.zone(0, "Normal")
    sizes = lambda: sorted((p.cpu, p.batch, p.high) for p in normal.pageset.values())
    assert normal.managed_pages == 28672 and sizes() == [(0, 3, 18), (1, 3, 18)]
    m.set_percpu_pagelist_fraction(0)
    assert sizes() == [(0, 3, 18), (1, 3, 18)]
    m.set_percpu_pagelist_fraction(8)
    m.set_percpu_pagelist_fraction(0)
    assert sizes() == [(0, 7, 42), (1, 7, 42)]
