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
