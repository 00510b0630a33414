"""buddylab/alloc.py and the machine's interface: the alloc_pages family, reserves, CMA,
isolation, NUMA fallback, trace replay."""
import warnings

import pytest

import buddylab as bl
from buddylab.mmzone import (MIGRATE_MOVABLE as M, MIGRATE_HIGHATOMIC as H, MIGRATE_CMA as C,
                             MIGRATE_UNMOVABLE as U,
                             MIGRATE_ISOLATE as I)
from buddylab.owners import FILE, KERNEL, ANON
from helpers import tiny, lists, quiet_alloc


def test_get_free_pages_family_and_direct_map():
    """__get_free_pages returns page_address; free_pages takes the address back."""
    m = bl.Machine()
    addr = getattr(m, "__get_free_pages")(bl.GFP_KERNEL, 1)
    assert addr == bl.PAGE_OFFSET + (31744 << 12)
    assert m.virt_to_page(addr) == bl.Page(31744)
    assert m.page_address(bl.Page(31744)) == addr
    m.free_pages(addr, 1)
    z = m.get_zeroed_page(bl.GFP_KERNEL)
    assert z == bl.PAGE_OFFSET + (31744 << 12)
    m.free_page(z)
    dma = getattr(m, "__get_dma_pages")(bl.GFP_KERNEL, 0)
    assert dma < bl.PAGE_OFFSET + (4096 << 12)              # from the DMA zone
    m.free_pages(0, 3)                                       # free_pages(0) does nothing
    with pytest.raises(bl.BadGfpError):
        getattr(m, "__get_free_pages")(bl.GFP_HIGHUSER, 0)
    m.check()


def test_alloc_page_and_dunder_free():
    """alloc_page = alloc_pages(gfp, 0); __free_pages/__free_page are the kernel spellings."""
    m = bl.Machine()
    p = m.alloc_page(bl.GFP_KERNEL)
    getattr(m, "__free_page")(p)
    q = m.alloc_pages(bl.GFP_KERNEL, 3)
    getattr(m, "__free_pages")(q, 3)
    m.check()


def test_get_page_delays_the_free():
    """__free_pages drops one reference; the block is freed when the count reaches 0."""
    m = bl.Machine()
    p = m.alloc_pages(bl.GFP_KERNEL, 2)
    m.get_page(p)
    m.free_pages(p, 2)
    assert p.pfn in m.allocated
    m.free_pages(p, 2)
    assert p.pfn not in m.allocated
    m.check()


def test_order_at_or_above_max_order_warns_and_returns_none():
    """The kernel's WARN_ON_ONCE + NULL; silent with __GFP_NOWARN."""
    m = bl.Machine()
    with pytest.warns(bl.AllocationWarning, match="MAX_ORDER"):
        assert m.alloc_pages(bl.GFP_KERNEL, 11) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NOWARN, 11) is None


def test_highatomic_reserve_after_slow_path_success():
    """An order > 0 GFP_ATOMIC served in the slow path reserves its pageblock."""
    m = tiny(min_free_kbytes=32)                                  # 8 / 10 / 12
    for _ in range(54):
        m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)                 # free 10: fast path fails
    z = m.zone(0, "Normal")
    p = quiet_alloc(m, bl.GFP_ATOMIC, 1)
    assert p is not None
    # max_managed = 64/100 + 4 = 4 > 0: the pageblock becomes HIGHATOMIC
    assert z.nr_reserved_highatomic == 4
    assert dict(m.zone_snapshot(0, "Normal").pageblock_mt)[p.pfn & ~3] == H
    m.check()


def test_numa_fallback_and_thisnode():
    """Node 0 full: its FALLBACK zonelist continues on node 1; __GFP_THISNODE fails."""
    m = bl.Machine(nodes=[{"Normal": 64}, {"Normal": 64}], cpus_per_node=1, max_order=4,
                   pageblock_order=2, min_free_kbytes=0)
    got = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 3, cpu=0).pfn for _ in range(9)]
    assert got[:8] == [56, 48, 40, 32, 24, 16, 8, 0] and got[8] == 120
    assert quiet_alloc(m, bl.GFP_HIGHUSER_MOVABLE | bl.__GFP_THISNODE, 3, cpu=0) is None
    assert m.alloc_pages_node(1, bl.GFP_HIGHUSER_MOVABLE, 3, cpu=0).pfn == 112
    assert m.alloc_pages_node(-1, bl.GFP_HIGHUSER_MOVABLE, 3, cpu=1).pfn == 104
    with pytest.raises(bl.UnknownNodeError):
        m.alloc_pages_node(2, bl.GFP_KERNEL, 0)


def test_cma_pageblocks_serve_movable_only_after_movable_lists():
    """CMA blocks are freed after boot; MOVABLE requests use them when MOVABLE lists are empty."""
    m = bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                   min_free_kbytes=0, cma=[(0, 8)])
    snap = m.zone_snapshot(0, "Normal")
    assert dict(snap.pageblock_mt)[0] == C and dict(snap.pageblock_mt)[4] == C
    assert lists(m, 3, C) == [0]
    assert m.zone(0, "Normal").NR_FREE_CMA_PAGES == 8
    movable = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 3).pfn for _ in range(8)]
    assert movable[:7] == [56, 48, 40, 32, 24, 16, 8] and movable[7] == 0    # CMA last
    assert m.zone(0, "Normal").NR_FREE_CMA_PAGES == 0
    m.check()


def test_cma_areas_activate_in_the_order_they_were_declared():
    """cma_init_reserved_areas() activates cma_areas[] in declaration order, not by pfn.

    mm/cma.c, cma_init_reserved_areas(), v4.18: ``for (i = 0; i < cma_area_count; i++)
    cma_activate_area(&cma_areas[i])``; cma_activate_area() frees the area pageblock by
    pageblock, ascending, through init_cma_reserved_pageblock() -> __free_pages(page,
    pageblock_order) (mm/page_alloc.c, v4.18).  By hand (MAX_ORDER 4, pageblock_order 2): area
    (32, 8) first: 32 goes to the CMA order-2 list, 36 merges with it into order 3 at 32 (head:
    order 3 is not < MAX_ORDER - 2, so no tail placement); then area (0, 8): 0 and 4 merge into
    order 3 at 0, which stops at MAX_ORDER - 1 and goes to the head: CMA order 3 = [0, 32].
    """
    m = bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                   min_free_kbytes=0, cma=[(32, 8), (0, 8)])
    assert lists(m, 3, C) == [0, 32]
    movable = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 3).pfn for _ in range(8)]
    assert movable[6:] == [0, 32]                                  # CMA last, head first
    m.check()


def test_cma_never_a_fallback_for_unmovable():
    """UNMOVABLE requests never take CMA pages; watermarks without ALLOC_CMA ignore them."""
    m = bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                   min_free_kbytes=0, cma=[(0, 32)])
    got = [quiet_alloc(m, bl.GFP_KERNEL, 3) for _ in range(5)]
    assert [g.pfn if g else None for g in got] == [56, 48, 40, 32, None]


def test_isolation_moves_free_pages_and_blocks_merging():
    """start_isolate_page_range: free pages leave NR_FREE_PAGES; undo gives them back."""
    m = tiny()
    z = m.zone(0, "Normal")
    before = m.snapshot()
    m.start_isolate_page_range(56, 64)
    assert z.NR_FREE_PAGES == 56 and z.nr_isolate_pageblock == 2
    assert lists(m, 3, I) == [56]
    got = [quiet_alloc(m, bl.GFP_HIGHUSER_MOVABLE, 3) for _ in range(8)]
    assert [g.pfn if g else None for g in got] == [48, 40, 32, 24, 16, 8, 0, None]
    for g in got[:7]:
        m.free_pages(g, 3)
    m.undo_isolate_page_range(56, 64)
    assert z.NR_FREE_PAGES == 64 and z.nr_isolate_pageblock == 0
    m.check()
    with pytest.raises(bl.BusyError):
        p = m.alloc_pages(bl.GFP_KERNEL, 0)
        # a MAX_ORDER_NR_PAGES-aligned range, as alloc_contig_range() passes it
        m.start_isolate_page_range(p.pfn & ~7, (p.pfn & ~7) + 8)
    assert before.zone(0, "Normal").managed_pages == 64


def test_trace_replay_is_identical():
    """A recorded run replays onto a fresh machine event for event."""
    m = bl.Machine(nodes=[{"DMA": 256, "Normal": 1024}], cpus_per_node=2, max_order=6,
                   pageblock_order=3)
    t = m.start_trace()
    pages = [m.alloc_pages(bl.GFP_KERNEL, o % 3, cpu=o % 2) for o in range(12)]
    for i, p in enumerate(pages[::2]):
        m.free_pages(p, (2 * i) % 3, cpu=i % 2)
    m.drain_all_pages()
    m.stop_trace()
    again = bl.replay(t)
    assert again.events == t.events and len(t.events) > 50


def test_kernel_tracepoints_fire():
    """mm_page_alloc with pfn -1 on failure; mm_page_free on every free."""
    m = tiny()
    t = m.start_trace(kinds={"mm_page_alloc", "mm_page_free"})
    p = m.alloc_pages(bl.GFP_KERNEL, 3)
    m.free_pages(p, 3)
    quiet_alloc(m, bl.GFP_KERNEL | bl.__GFP_NOWARN, 4)
    m.stop_trace()
    names = [(e.name, e["pfn"], e["order"]) for e in t]
    assert names == [("mm_page_alloc", 56, 3), ("mm_page_free", 56, 3), ("mm_page_alloc", -1, 4)]
    assert "mm_page_alloc: pfn=56 order=3 migratetype=0 gfp_flags=GFP_KERNEL" == str(t[0])


def reserved_and_dirty():
    """A tiny zone (min 8, low 10, high 12) whose only reclaimable memory is dirty page cache,
    with one HIGHATOMIC pageblock reserved and 10 pages free, 4 of them counted as reserve."""
    m = tiny(min_free_kbytes=32)                                  # 8 / 10 / 12
    cat = m.owner("cat")
    files = [cat.alloc(FILE, dirty=True) for _ in range(54)]      # free 10: fast path fails
    assert all(files)
    z = m.zone(0, "Normal")
    p = quiet_alloc(m, bl.GFP_ATOMIC, 1)                          # served at MIN, ALLOC_HARDER
    assert p is not None and z.nr_reserved_highatomic == 4 and z.NR_FREE_PAGES == 8
    cat.free(files[0])
    cat.free(files[1])
    assert z.NR_FREE_PAGES == 10
    return m, cat, z, p


def test_should_reclaim_retry_counts_all_reclaimable_then_unreserves_before_oom():
    """Dirty page cache: 16 retries, then the 17th call unreserves the HIGHATOMIC block; no OOM.

    mm/page_alloc.c, should_reclaim_retry(), v4.18: ``available = reclaimable =
    zone_reclaimable_pages(zone); available += NR_FREE_PAGES`` (no back-off: it left in 4.12);
    ``if (*no_progress_loops > MAX_RECLAIM_RETRIES) return unreserve_highatomic_pageblock(ac,
    true)`` ("Before OOM, exhaust highatomic_reserve").  mm/vmscan.c, zone_reclaimable_pages(),
    v4.18 counts dirty file pages (NR_ZONE_INACTIVE_FILE + NR_ZONE_ACTIVE_FILE).
    mm/page_alloc.c, __zone_watermark_ok(), v4.18: free - ((1 << order) - 1), minus
    nr_reserved_highatomic without ALLOC_HARDER, must exceed the mark, and an order >= 1 block
    must sit on an Unmovable/Movable/Reclaimable list.  (An order-0 request would pass
    zone_watermark_fast()'s shortcut, free > min, which ignores the reserve.)
    By hand, an order-1 GFP_KERNEL request with free 10, reserve 4, min 8: 10 - 1 - 4 = 5 <= 8
    fails at MIN; counting the 52 dirty pages 62 - 1 - 4 > 8 (and the free order-1 block the two
    frees made) passes for loops 1..16; loop 17 unreserves (reserve 0), 10 - 1 > 8 passes, and the
    page is the block's free order-1 half, now on the request's (Unmovable) list.
    (mm/compaction.c, __compaction_suitable(), v4.18: min + compact_gap = 8 + 4 against
    10 - 4 skips compaction on every loop.)
    """
    m, cat, z, p = reserved_and_dirty()
    t = m.start_trace(kinds={"slowpath", "highatomic_unreserve", "oom_victim"})
    h = cat.alloc(KERNEL, order=1)
    assert not t.of("oom_victim") and not cat.killed
    retries = [e["detail"] for e in t.of("slowpath") if e["step"] == "should_reclaim_retry"]
    assert retries == ["retry (no_progress_loops %d)" % n for n in range(1, 18)]
    (ev,) = t.of("highatomic_unreserve")
    assert ev["pageblock_pfn"] == p.pfn & ~3 and ev["nr_reserved_highatomic"] == 0
    assert h is not None and h.pfn == (p.pfn & ~3) + 2 and z.nr_reserved_highatomic == 0
    assert dict(m.zone_snapshot(0, "Normal").pageblock_mt)[p.pfn & ~3] == U
    m.check()
