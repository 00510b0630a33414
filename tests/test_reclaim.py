"""Reclaim: kswapd, direct reclaim, zone_reclaimable_pages (buddylab/reclaim.py, owners.py)."""

import buddylab as bl
from buddylab import reclaim as R
from buddylab.owners import FILE, ANON, SWAPPED, EVICTED, zone_reclaimable_pages

NO_KSWAPD = bl.__GFP_DIRECT_RECLAIM | bl.__GFP_IO | bl.__GFP_FS | bl.__GFP_MOVABLE \
    | bl.__GFP_HARDWALL


def test_kswapd_woken_below_low_reclaims_to_high():
    """The first allocation that finds the zone below low wakes kswapd, which reclaims to high."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    z = m.zone(0, "Normal")
    cat = m.owner("cat")
    t = m.start_trace(kinds={"kswapd_wake", "reclaim_batch"})
    first = cat.alloc(FILE)
    while not t.of("kswapd_wake"):
        assert cat.alloc(FILE) is not None
    wake = t.of("kswapd_wake")[0]
    assert wake["free_pages"] <= z.low_wmark_pages()
    assert R.pgdat_balanced(m, 0, 0, 3)
    assert z.NR_FREE_PAGES > z.high_wmark_pages()
    batches = t.of("reclaim_batch")
    assert all(b["who"] == "kswapd" and b["nr_reclaimed"] <= R.SWAP_CLUSTER_MAX for b in batches)
    assert first.state == EVICTED                # oldest first
    m.check()


def test_direct_reclaim_32_pages_oldest_first():
    """Without kswapd, direct reclaim takes SWAP_CLUSTER_MAX pages, oldest first."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    cat = m.owner("cat")
    t = m.start_trace(kinds={"reclaim_batch", "kswapd_wake"})
    hs = []
    while not t.of("reclaim_batch"):
        hs.append(cat.alloc(FILE, gfp_mask=NO_KSWAPD))
        assert hs[-1] is not None
    b = t.of("reclaim_batch")[0]
    assert b["who"] == "direct" and b["nr_reclaimed"] == 32 and not t.of("kswapd_wake")
    assert [h.state for h in hs[:32]] == [EVICTED] * 32 and hs[32].pfn is not None
    m.check()


def test_anon_needs_swap():
    """Anonymous pages count and are reclaimed only while swap is free."""
    for swap in (0, 64):
        m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1, swap_pages=swap)
        z = m.zone(0, "Normal")
        u = m.owner("u")
        hs = [u.alloc(ANON) for _ in range(100)]
        assert zone_reclaimable_pages(m, z) == (100 if swap else 0)
        got = R.shrink_node(m, 0, 3, 32, 0, "direct")
        assert got == (32 if swap else 0)
        assert sum(h.state == SWAPPED for h in hs) == got
        assert u.rss() == 100                     # rss counts swap entries too
        m.check()


def test_no_owners_nothing_reclaimable():
    """A plain machine has no reclaimable pages: reclaim makes no progress."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    assert zone_reclaimable_pages(m, m.zone(0, "Normal")) == 0
    assert R.shrink_node(m, 0, 3, 32, 0, "direct") == 0


def fragmented(dirty):
    """128 pages (orders 0..4, 8-page pageblocks, watermarks 0), every page owned: anonymous
    pages at even pfns, page cache at odd pfns; the anonymous pages at pfns 0 mod 4 then freed.
    32 free single pages: balanced at order 0, no free order-3 block."""
    m = bl.Machine(nodes=[{"Normal": 128}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    u = m.owner("u")
    hs = [u.alloc(ANON if i % 2 == 0 else FILE, dirty=dirty) for i in range(128)]
    assert all(h.pfn % 2 == (h.kind == FILE) for h in hs)
    for h in hs:
        if h.pfn % 4 == 0:
            u.free(h)
    assert m.zone(0, "Normal").NR_FREE_PAGES == 32
    assert R.pgdat_balanced(m, 0, 0, 2) and not R.pgdat_balanced(m, 0, 3, 2)
    return m


def test_kswapd_wakes_kcompactd_only_after_falling_back_to_order_0():
    """kcompactd is woken with the request's order only when kswapd finished reclaiming at a lower
    order (reclaim_order < alloc_order) and could sleep at that order.

    mm/vmscan.c, kswapd(), v4.18: ``reclaim_order = balance_pgdat(pgdat, alloc_order,
    classzone_idx); if (reclaim_order < alloc_order) goto kswapd_try_sleep;`` otherwise the loop
    re-reads ``alloc_order = reclaim_order = pgdat->kswapd_order`` (0: nothing new was asked);
    kswapd_try_to_sleep(): ``if (prepare_kswapd_sleep(pgdat, reclaim_order, classzone_idx))
    ... wakeup_kcompactd(pgdat, alloc_order, classzone_idx)``, and wakeup_kcompactd() (mm/
    compaction.c, v4.18) returns at once for order 0.  balance_pgdat() / kswapd_shrink_node():
    ``if (sc->order && sc->nr_reclaimed >= compact_gap(sc->order)) sc->order = 0``.
    Dirty page cache: nothing reclaimed, balance_pgdat() returns order 3: no kcompactd although
    the node is balanced at order 0.  Clean page cache: 32 pages reclaimed (>= compact_gap(3) =
    16), order 0 returned and balanced: kcompactd runs for order 3.
    """
    for dirty, woken in ((True, False), (False, True)):
        m = fragmented(dirty)
        t = m.start_trace(kinds={"kswapd_wake", "kswapd_sleep", "kcompactd_wake"})
        R.wakeup_kswapd(m, m.zone(0, "Normal"), bl.GFP_KERNEL, 3, 2)
        assert len(t.of("kswapd_wake")) == 1 and len(t.of("kswapd_sleep")) == 1
        assert t.of("kswapd_sleep")[0]["nr_reclaimed"] == (0 if dirty else 32)
        assert [e["order"] for e in t.of("kcompactd_wake")] == ([3] if woken else [])
        m.check()
