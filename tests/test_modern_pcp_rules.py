"""v6.18's per-CPU list rules (buddylab/kernels/v6_18/pcp.py), one function at a time.

Each test sets the pcp state by hand on a booted modern machine whose buddy lists were
emptied first (every page "allocated" at order 0, see `_full()`), so the pages a test
moves are the only free ones and nothing depends on how boot ordered the free lists.
Expected values are worked by hand from the v6.18 source named in each comment.
"""
import pytest

import buddylab as bl
from buddylab.errors import BadParameterError, LayoutError
from buddylab.memmap import ALLOCATED, PCP
from buddylab.kernels.v6_18 import pcp as P
from buddylab.kernels.v6_18 import buddy as B

U, M, R, HA, ISO = 0, 1, 2, 3, 5


def _machine(pages=64, max_order=4, pageblock_order=2, cpus=1, **kw):
    kw.setdefault("min_free_kbytes", 0)
    return bl.Machine(nodes=[{"Normal": pages}], kernel="modern", cpus_per_node=cpus,
                      max_order=max_order, pageblock_order=pageblock_order, **kw)


def _full(m):
    """Take every free block off the buddy lists: each page becomes an order-0 allocation."""
    mm = m.mm
    for z in m.zones:
        for order in range(m.max_order):
            for mt in range(6):
                head = z.free_list(order, mt)
                while not mm.list_empty(head):
                    pfn = mm.first(head)
                    mm.list_del(pfn)
                    mm.buddy[pfn] = mm.private[pfn] = 0
                    z.nr_free[order] -= 1
                    if mt != ISO:
                        z.NR_FREE_PAGES -= 1 << order
                    for p in range(pfn, pfn + (1 << order)):
                        mm.state[p] = ALLOCATED
                        mm.refcount[p] = 1
                        m.allocated[p] = (0, M)
    m.check()
    return m.zone(0, "Normal")


def _release(m, pfn, order):
    """Drop the order-0 "allocations" of a block (what free_pages_prepare() leaves)."""
    for p in range(pfn, pfn + (1 << order)):
        del m.allocated[p]
        m.mm.refcount[p] = 0


def _onto_pcp(m, pcp, pfn, order, pindex):
    """Put a released block at the TAIL of pcp list `pindex` (as a refill would)."""
    _release(m, pfn, order)
    m.mm.list_add_tail(pfn, pcp.list_head(pindex))
    for p in range(pfn, pfn + (1 << order)):
        m.mm.state[p] = PCP
    pcp.count += 1 << order


def _lists(m, pcp):
    return [tuple(m.mm.iter_list(pcp.list_head(i))) for i in range(pcp.nr_lists)]


def _limits(pcp, batch, high_min, high_max, high):
    pcp.batch, pcp.high_min, pcp.high_max, pcp.high = batch, high_min, high_max, high


# ---------------------------------------------------------------- nr_pcp_alloc
def test_nr_pcp_alloc_grows_with_alloc_factor():
    """The spec's DMA32 table: 63, 126, 252, 504, 1008, 2016 pages; high 4034 .. 7940."""
    # mm/page_alloc.c, nr_pcp_alloc(), v6.18: high = clamp(high, high_min, high_max); order 0:
    # batch = 63 << alloc_factor; high = min(high + batch, high_max); max_nr_alloc =
    # max(high - count - 63, 63) > batch, so alloc_factor++ while < CONFIG_PCP_BATCH_SCALE_MAX (5).
    m = _machine()
    z, pcp = m.zone(0, "Normal"), m.zone(0, "Normal").pageset[0]
    _limits(pcp, 63, 3971, 48299, 0)
    got = []
    for _ in range(6):
        got.append((P.nr_pcp_alloc(pcp, z, 0), pcp.high, pcp.alloc_factor))
    assert got == [(63, 4034, 1), (126, 4160, 2), (252, 4412, 3), (504, 4916, 4),
                   (1008, 5924, 5), (2016, 7940, 5)]


def test_nr_pcp_alloc_high_orders_and_small_zones():
    """Order 2: max(63 >> 2, 2) = 15 blocks; THP: 2; a batch-1 pcp: 1, 2, 4, 8, 16 pages."""
    # mm/page_alloc.c, nr_pcp_alloc(), v6.18: "if (batch > 1) batch = max(batch >> order, 2)";
    # an order > 0 refill keeps batch = pcp->batch and leaves alloc_factor alone.
    m = _machine()
    z, pcp = m.zone(0, "Normal"), m.zone(0, "Normal").pageset[0]
    _limits(pcp, 63, 3971, 48299, 0)
    assert (P.nr_pcp_alloc(pcp, z, 2), P.nr_pcp_alloc(pcp, z, 9), pcp.alloc_factor) == (15, 2, 0)
    # DMA: batch 1, high_min 19, high_max 240: refill 1 gives b = 1 (not > 1, unscaled)
    _limits(pcp, 1, 19, 240, 0)
    assert [P.nr_pcp_alloc(pcp, z, 0) for _ in range(5)] == [1, 2, 4, 8, 16]
    assert (pcp.high, pcp.alloc_factor) == (19 + 1 + 2 + 4 + 8 + 16, 5)


def test_nr_pcp_alloc_below_high_and_boot_pageset():
    """Below the high watermark high is not raised; a boot pageset (high < batch) takes 1."""
    # mm/page_alloc.c, nr_pcp_alloc(), v6.18: "if (high_min != high_max &&
    # !test_bit(ZONE_BELOW_HIGH, &zone->flags))"; "if (unlikely(high < base_batch)) return 1".
    m = _machine()
    z, pcp = m.zone(0, "Normal"), m.zone(0, "Normal").pageset[0]
    z.below_high = True
    _limits(pcp, 63, 3971, 48299, 0)
    assert (P.nr_pcp_alloc(pcp, z, 0), pcp.high) == (63, 3971)
    _limits(pcp, 1, 0, 0, 0)
    assert P.nr_pcp_alloc(pcp, z, 0) == 1


# ------------------------------------------------------------------ refill
def test_refill_puts_the_split_at_the_tail_in_pfn_order():
    """free_list[2][MOVABLE] = [8] only, a refill of 3: list [8, 9, 10], 8 returned, 11 left."""
    # mm/page_alloc.c, rmqueue_pcplist() -> __rmqueue_pcplist() -> nr_pcp_alloc() (batch 3,
    # high_min = high_max = 100: 3 << 0 = 3 <= max(100 - 0 - 3, 3)) -> rmqueue_bulk():
    # __rmqueue() x 3 with list_add_tail: 8 (puts 10 o1, 9 o0), 9, 10 (splits 10: puts 11),
    # v6.18.  Each block fires mm_page_alloc_zone_locked (in __rmqueue_smallest()).
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    _release(m, 8, 2)
    B.free_one_page(z, 8, 2)
    _limits(pcp, 3, 100, 100, 0)
    t = m.start_trace(["mm_page_alloc_zone_locked"])
    assert P.rmqueue_pcplist(z, pcp, M) == 8
    m.stop_trace()
    assert [(e["pfn"], e["order"], e["migratetype"], e["percpu_refill"]) for e in t] == [
        (8, 0, M, 1), (9, 0, M, 1), (10, 0, M, 1)]      # pcp_allowed_order(0) && M < PCPTYPES
    assert _lists(m, pcp)[1] == (9, 10)
    assert (pcp.count, pcp.alloc_factor) == (2, 1)
    assert tuple(m.mm.iter_list(z.free_list(0, M))) == (11,)
    assert z.NR_FREE_PAGES == 1


def test_an_allocation_halves_free_count():
    """rmqueue_pcplist(): pcp->free_count >>= 1 before the list is looked at."""
    # mm/page_alloc.c, rmqueue_pcplist(), v6.18: "On allocation, reduce the number of pages
    # that are batch freed".  free_count 7 -> 3, even when the allocation then fails.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    pcp.free_count = 7
    _limits(pcp, 3, 100, 100, 0)
    assert P.rmqueue_pcplist(z, pcp, M) == -1          # the buddy is empty: NULL
    assert (pcp.free_count, pcp.count) == (3, 0)


# --------------------------------------------------------- free_pcppages_bulk
def test_free_pcppages_bulk_empties_each_list_from_the_tail_then_moves_on():
    """Spec 5.7: lists 1 = [10, 11, 12], 0 = [20, 21], 3 = [40 o1]; 4 pages from pindex 1."""
    # mm/page_alloc.c, free_pcppages_bulk(), v6.18: count = min(pcp->count 7, 4); pindex - 1
    # then ++ so list 1 first; list_last_entry() until the list is empty or count <= 0: 12,
    # 11, 10 (count 1); list 2 empty; list 3: 40, order 1 (count -1) -> stop.  List 0 stays.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    for pfn in (10, 11, 12):
        _onto_pcp(m, pcp, pfn, 0, 1)
    for pfn in (20, 21):
        _onto_pcp(m, pcp, pfn, 0, 0)
    _onto_pcp(m, pcp, 40, 1, 3)
    m.check()
    t = m.start_trace(["mm_page_pcpu_drain"])
    assert P.free_pcppages_bulk(z, 4, pcp, 1) == 5
    m.stop_trace()
    assert [(e["pfn"], e["order"]) for e in t] == [(12, 0), (11, 0), (10, 0), (40, 1)]
    assert pcp.count == 2
    assert _lists(m, pcp)[0] == (20, 21)
    m.check()


def test_drain_reads_the_pageblock_type_at_drain_time():
    """THP list 12 is shared by UNMOVABLE and RECLAIMABLE; the drain reports each block's type now."""
    # mm/page_alloc.c, order_to_pindex(): order > PAGE_ALLOC_COSTLY_ORDER -> NR_LOWORDER_PCP_LISTS
    # + (migratetype == MIGRATE_MOVABLE); free_pcppages_bulk(): mt = get_pfnblock_migratetype()
    # for each page (6.10 dropped the cached pcp migratetype), v6.18.
    m = _machine(pages=4096, max_order=11, pageblock_order=9)
    z = _full(m)
    pcp = z.pageset[0]
    _limits(pcp, 1, 4, 8192, 8192)
    for pfn, mt in ((0, U), (512, R), (1024, HA), (1536, M)):
        m.mm.set_pageblock_bits(pfn, mt)
        _release(m, pfn, 9)
        P.free_unref_page(z, pcp, pfn, 9)
    lists = _lists(m, pcp)
    assert (lists[12], lists[13]) == ((512, 0), (1536, 1024))   # HIGHATOMIC shares MOVABLE's
    assert pcp.count == 4 * 512
    m.mm.set_pageblock_bits(0, M)                # re-typed while on the pcp list
    t = m.start_trace(["mm_page_pcpu_drain"])
    P.free_pcppages_bulk(z, 1024, pcp, 12)
    m.stop_trace()
    assert [(e["pfn"], e["migratetype"]) for e in t] == [(0, M), (512, R)]
    m.check()


# ------------------------------------------------------------------- frees
def test_free_count_sets_the_drain_size():
    """count reaches high: nr_pcp_free() = clamp(free_count, batch, high - batch) pages go."""
    # mm/page_alloc.c, free_frozen_page_commit(): alloc_factor >>= 1, list_add (head),
    # free_count 4 -> 5; nr_pcp_high(): high 10 (count 10 >= 10: need free_count 5 + 2 = 7 <=
    # 10, high stays); nr_pcp_free() = clamp(5, 2, 8) = 5; free_pcppages_bulk(5, pindex 1):
    # list 1 = [30, 0 .. 8] from the tail: 8, 7, 6, 5, 4, v6.18.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    for pfn in range(9):
        _onto_pcp(m, pcp, pfn, 0, 1)                  # list 1 = [0 .. 8], tail 8
    _limits(pcp, 2, 6, 40, 10)
    pcp.free_count, pcp.alloc_factor = 4, 3
    _release(m, 30, 0)
    t = m.start_trace(["mm_page_pcpu_drain"])
    P.free_unref_page(z, pcp, 30)
    m.stop_trace()
    assert [e["pfn"] for e in t] == [8, 7, 6, 5, 4]
    assert _lists(m, pcp)[1] == (30, 0, 1, 2, 3)
    assert (pcp.count, pcp.free_count, pcp.alloc_factor, pcp.high) == (5, 5, 1, 10)
    m.check()


def test_a_full_list_raises_high_to_hold_the_next_batch():
    """count >= high with free_count + batch above high: high = clamp(free_count + batch)."""
    # mm/page_alloc.c, nr_pcp_high(), v6.18: not below the high watermark and count 10 >= high
    # 10: need_high = free_count 12 + batch 2 = 14 > 10 -> pcp->high = 14, but this free
    # still drains at the old high 10: nr_pcp_free() = clamp(12, 2, 8) = 8.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    for pfn in range(9):
        _onto_pcp(m, pcp, pfn, 0, 1)
    _limits(pcp, 2, 6, 40, 10)
    pcp.free_count = 11
    _release(m, 30, 0)
    P.free_unref_page(z, pcp, 30)
    assert (pcp.high, pcp.count, pcp.free_count) == (14, 2, 12)


def test_below_high_and_reclaim_active_shrink_high():
    """ZONE_BELOW_HIGH: high -= max(free_count, batch), drain from max(count, high_min);
    ZONE_RECLAIM_ACTIVE: at most min(batch << 2, high) pages stay."""
    # mm/page_alloc.c, nr_pcp_high(), v6.18.
    m = _machine()
    z = m.zone(0, "Normal")
    pcp = z.pageset[0]
    _limits(pcp, 2, 6, 40, 30)
    pcp.count, pcp.free_count = 12, 5
    z.below_high = True
    assert (P.nr_pcp_high(pcp, z, 2, False), pcp.high) == (12, 25)
    z.below_high, z.reclaim_active = False, True
    assert (P.nr_pcp_high(pcp, z, 2, False), pcp.high) == (8, 20)
    assert (P.nr_pcp_high(pcp, z, 2, True), pcp.high) == (0, 6)     # free_high: 20 - 64 -> 6
    _limits(pcp, 2, 0, 0, 0)
    assert P.nr_pcp_high(pcp, z, 2, False) == 0                      # boot pageset


def test_a_run_of_high_order_frees_drains_batch_shift_5():
    """Second order-1 free in a row with free_count >= batch + high_min / 2: free_high."""
    # mm/page_alloc.c, free_frozen_page_commit(), v6.18 (threshold batch + high_min / 2 since
    # 6.15): first o1 free (free_count 4 < 2 + 8 / 2) sets PCPF_PREV_FREE_HIGH_ORDER,
    # free_count 4 -> 6; the second sees free_count 6 >= 6 and the flag: nr_pcp_high() sets
    # high = max(100 - (2 << 5), 8) = 36 and returns 0; nr_pcp_free() = min(count 10, 2 << 5)
    # = 10: every page, list 4 (the o1 MOVABLE list) first, tail first: 32, 40, then list 1.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    for pfn in range(6):
        _onto_pcp(m, pcp, pfn, 0, 1)
    _limits(pcp, 2, 8, 100, 100)
    pcp.free_count = 4
    _release(m, 32, 1)
    P.free_unref_page(z, pcp, 32, 1)
    assert (pcp.flags, pcp.count, pcp.free_count) == (P.PCPF_PREV_FREE_HIGH_ORDER, 8, 6)
    _release(m, 40, 1)
    t = m.start_trace(["mm_page_pcpu_drain"])
    P.free_unref_page(z, pcp, 40, 1)
    m.stop_trace()
    assert [e["pfn"] for e in t] == [32, 40, 5, 4, 3, 2, 1, 0]
    assert (pcp.count, pcp.high) == (0, 36)
    # an order-0 free clears the flag again
    _release(m, 50, 0)
    P.free_unref_page(z, pcp, 50)
    assert pcp.flags == 0
    m.check()


def test_pcp_orders_isolate_and_highatomic_on_free():
    """Order 4 bypasses the pcp; an ISOLATE block goes to the buddy; HIGHATOMIC joins MOVABLE."""
    # mm/page_alloc.c, __free_frozen_pages(), v6.18: "if (!pcp_allowed_order(order))
    # __free_pages_ok()"; migratetype >= MIGRATE_PCPTYPES: ISOLATE -> free_one_page(),
    # otherwise MIGRATE_MOVABLE.
    m = _machine(pages=128, max_order=6, pageblock_order=3)
    z = _full(m)
    pcp = z.pageset[0]
    _limits(pcp, 2, 8, 100, 100)
    _release(m, 16, 4)
    P.free_unref_page(z, pcp, 16, 4)
    assert tuple(m.mm.iter_list(z.free_list(4, M))) == (16,) and pcp.count == 0
    m.mm.set_pageblock_bits(40, ISO)
    _release(m, 40, 0)
    P.free_unref_page(z, pcp, 40)
    assert tuple(m.mm.iter_list(z.free_list(0, ISO))) == (40,) and pcp.count == 0
    m.mm.set_pageblock_bits(48, HA)
    _release(m, 48, 1)
    P.free_unref_page(z, pcp, 48, 1)
    assert _lists(m, pcp)[P.order_to_pindex(M, 1)] == (48,)


# ------------------------------------------------------------ decay and drains
def test_decay_pcp_high_drains_batch_by_batch_from_list_0():
    """high 40 -> max(40 - 32, 40 - 5, 4) = 35; 5 pages drained one batch (1) at a time."""
    # mm/page_alloc.c, decay_pcp_high() (6.18.y, "batch page freeing in decay_pcp_high"):
    # pcp->high = max3(count - (batch << 5), high - high / 8, high_min); to_drain = count -
    # high, freed min(to_drain, batch) per free_pcppages_bulk(zone, ., pcp, 0) call.  List 0
    # [20] goes first, then list 1 from its tail: 9, 8, 7, 6.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    _onto_pcp(m, pcp, 20, 0, 0)
    for pfn in range(39):
        _onto_pcp(m, pcp, pfn, 0, 1) if pfn < 10 else _onto_pcp(m, pcp, pfn + 20, 0, 2)
    assert pcp.count == 40
    _limits(pcp, 1, 4, 64, 40)
    t = m.start_trace(["mm_page_pcpu_drain", "pcp_drain"])
    assert m.refresh_cpu_vm_stats(0) is True
    m.stop_trace()
    assert [e["pfn"] for e in t.of("mm_page_pcpu_drain")] == [20, 9, 8, 7, 6]
    assert [e["nr_pages"] for e in t.of("pcp_drain")] == [1] * 5
    assert (pcp.high, pcp.count) == (35, 35)
    # next passes: 35 - 4 = 31 (drains 4), 31 - 3 = 28, 28 - 3 = 25 ...
    highs = []
    for _ in range(3):
        m.refresh_cpu_vm_stats(0)
        highs.append((pcp.high, pcp.count))
    assert highs == [(31, 31), (28, 28), (25, 25)]
    m.check()


def test_decay_chunks_overshoot_on_high_order_lists():
    """to_drain 3, batch 1: 10 (list 0), 12 (list 3, order 1), 38 (list 4, order 1): 5 pages."""
    # mm/page_alloc.c, decay_pcp_high() (6.18.y: min(to_drain, batch) per call) and
    # free_pcppages_bulk() (each call restarts at pindex 0; an order-1 block takes count
    # below 0), v6.18: high 21 -> max(23 - 32, 21 - 2, 20) = 20, to_drain 3: call 1 frees
    # 10 (1 page), call 2 frees block 12 (2 pages), call 3 block 38, the tail of list 4.
    # v6.18.0 drained the 3 in one call: 10 then 12 (count 3 - 1 - 2 = 0) and stopped.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    _onto_pcp(m, pcp, 10, 0, 0)
    _onto_pcp(m, pcp, 12, 1, 3)
    for pfn in range(20, 40, 2):
        _onto_pcp(m, pcp, pfn, 1, 4)
    _limits(pcp, 1, 20, 64, 21)
    assert pcp.count == 23
    t = m.start_trace(["mm_page_pcpu_drain"])
    P.decay_pcp_high(z, pcp)
    m.stop_trace()
    assert [(e["pfn"], e["order"]) for e in t] == [(10, 0), (12, 1), (38, 1)]
    assert (pcp.high, pcp.count) == (20, 18)
    m.check()


def test_drain_pages_zone_frees_batch_shift_5_per_call():
    """40 pages, batch 1: free_pcppages_bulk() of 32 then 8 pages, each from pindex 0."""
    # mm/page_alloc.c, drain_pages_zone(), v6.18: to_drain = min(count, batch <<
    # CONFIG_PCP_BATCH_SCALE_MAX) until count is 0.
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    for pfn in range(40):
        _onto_pcp(m, pcp, pfn, 0, 1 if pfn % 2 else 0)
    _limits(pcp, 1, 4, 64, 40)
    t = m.start_trace(["mm_page_pcpu_drain", "pcp_drain"])
    m.drain_pages_zone(0, 0, "Normal")
    m.stop_trace()
    assert [e["nr_pages"] for e in t.of("pcp_drain")] == [32, 8]
    drained = [e["pfn"] for e in t.of("mm_page_pcpu_drain")]
    assert drained == list(range(38, -1, -2)) + list(range(39, 0, -2))
    assert pcp.count == 0 and z.NR_FREE_PAGES == 40
    m.check()


# ------------------------------------------------------ limits and the sysctl
def test_pcp_limits_follow_the_watermarks_and_the_node_cpus():
    """high_min = low / CPUs of the node; a node without CPUs shares among all online CPUs."""
    # mm/page_alloc.c, setup_per_zone_wmarks() -> zone_pcp_update(zone, 0) ->
    # zone_set_pageset_high_and_batch() -> zone_highsize(), v6.18: nr_split_cpus =
    # cpumask_weight(cpumask_of_node(nid)) + cpu_online, num_online_cpus() when 0.
    # Each node: Normal 16384 pages; mfk 2048 -> pages_min 512 split 256 / 256; step
    # max(256 >> 2, 16) = 64 -> low 320; batch 16 >> 2 = 4 -> rd(6) - 1 = 3.
    m = bl.Machine(nodes=[{"Normal": 16384}, {"Normal": 16384}], kernel="modern",
                   cpus_per_node=[2, 0], min_free_kbytes=2048)
    n0, n1 = m.zone(0, "Normal").pageset[0], m.zone(1, "Normal").pageset[1]
    assert (n0.batch, n0.high_min, n0.high_max) == (3, 160, 1024)
    assert (n1.batch, n1.high_min, n1.high_max) == (3, 160, 1024)   # 2 online CPUs


def test_percpu_pagelist_high_fraction_sysctl():
    """A fraction pins high_min = high_max = managed / fraction / CPUs; 0 restores tuning."""
    # mm/page_alloc.c, percpu_pagelist_high_fraction_sysctl_handler(), v6.18: values below
    # MIN_PERCPU_PAGELIST_HIGH_FRACTION (8) are -EINVAL; then zone_set_pageset_high_and_batch()
    # on every populated zone.  16384 // 64 // 2 = 128; the batch (3) does not change.
    m = bl.Machine(nodes=[{"Normal": 16384}], kernel="modern", cpus_per_node=2,
                   min_free_kbytes=1024)
    p = m.zone(0, "Normal").pageset[1]
    assert (p.batch, p.high_min, p.high_max) == (3, 160, 1024)
    m.set_percpu_pagelist_high_fraction(64)
    assert (p.batch, p.high_min, p.high_max, m.percpu_pagelist_fraction) == (3, 128, 128, 64)
    with pytest.raises(LayoutError, match="percpu_pagelist_high_fraction"):
        m.set_percpu_pagelist_high_fraction(5)
    assert (p.high_min, p.high_max, m.percpu_pagelist_fraction) == (128, 128, 64)
    m.set_percpu_pagelist_high_fraction(0)
    assert (p.high_min, p.high_max) == (160, 1024)
    with pytest.raises(BadParameterError, match="set_percpu_pagelist_high_fraction"):
        m.set_percpu_pagelist_fraction(8)
    c = bl.Machine()
    with pytest.raises(BadParameterError, match="set_percpu_pagelist_fraction"):
        c.set_percpu_pagelist_high_fraction(8)


def test_classic_vmstat_pass_changes_nothing():
    """v4.18 has no pcp decay: refresh_cpu_vm_stats() leaves every pcp as it was."""
    # mm/vmstat.c, refresh_cpu_vm_stats(), v4.18: the pcp work is only the NUMA expiry of a
    # remote node's pcp (not modelled, see kernels/v4_18/pcp.py).
    m = bl.Machine()
    page = m.alloc_pages(bl.GFP_KERNEL, 0)
    m.free_pages(page, 0)
    before = m.snapshot()
    assert m.refresh_cpu_vm_stats(0) is False
    assert m.snapshot() == before


def test_index_tables():
    """order_to_pindex() / pindex_to_order() / pcp_allowed_order() of v6.18 and v4.18."""
    # mm/page_alloc.c, order_to_pindex(), pindex_to_order(), pcp_allowed_order(), v6.18.
    assert [P.order_to_pindex(mt, o) for o in range(4) for mt in range(3)] == list(range(12))
    assert [P.pindex_to_order(p) for p in range(14)] == [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3 + [9] * 2
    assert [o for o in range(11) if P.pcp_allowed_order(o)] == [0, 1, 2, 3, 9]
    classic = bl.Machine().kernel
    assert [classic.order_to_pindex(mt, 0) for mt in range(3)] == [0, 1, 2]
    assert classic.pindex_to_order(2) == 0


def test_pcp_events_name_the_order_and_print_the_618_drain_line():
    """pcp_refill explains blocks and pages; mm_page_pcpu_drain prints pfn=0x%lx (6.18)."""
    # include/trace/events/kmem.h, mm_page_pcpu_drain: TP_printk("page=%p pfn=0x%lx order=%d
    # migratetype=%d"), v6.18 (the model drops page=%p); rmqueue_bulk() of an order-2 request
    # with batch 3: max(3 >> 2, 2) = 2 blocks = 8 pages (mm/page_alloc.c, nr_pcp_alloc(), v6.18).
    m = _machine()
    z = _full(m)
    pcp = z.pageset[0]
    _release(m, 16, 3)
    B.free_one_page(z, 16, 3)                     # free_list[3][MOVABLE] = [16]: 16, 20 once split
    _limits(pcp, 3, 100, 100, 0)
    t = m.start_trace(["pcp_refill", "pcp_alloc", "mm_page_pcpu_drain"])
    assert P.rmqueue_pcplist(z, pcp, M, 2) == 16
    P.free_pcppages_bulk(z, 4, pcp, 0)
    m.stop_trace()
    refill, got, drain = t.events
    assert bl.explain(refill) == ("rmqueue_bulk(): cpu 0 refills its order-2 Movable pcp list "
                                  "with 2 block(s) at the tail, 8 pages (count 8)")
    assert (got["pfn"], got["order"], got["count"]) == (16, 2, 4)
    assert str(drain) == "mm_page_pcpu_drain: pfn=0x14 order=2 migratetype=1"


def test_kswapd_marks_the_zones_reclaim_active_while_it_runs(monkeypatch):
    """balance_pgdat() sets ZONE_RECLAIM_ACTIVE on the eligible managed zones, then clears it."""
    # mm/vmscan.c, balance_pgdat(): "restart: set_reclaim_active(pgdat, highest_zoneidx)" ...
    # "out: clear_reclaim_active(pgdat, highest_zoneidx)", v6.18; nr_pcp_high() reads it.
    from buddylab import reclaim
    m = bl.Machine(nodes=[{"DMA": 4096, "Normal": 28672}], kernel="modern", cpus_per_node=1)
    dma, normal = m.zone(0, "DMA"), m.zone(0, "Normal")
    seen = []

    def shrink(m_, nid, reclaim_idx, nr, cpu, who, may_swap=True):
        seen.append((dma.reclaim_active, normal.reclaim_active))
        return 0

    monkeypatch.setattr(reclaim, "shrink_node", shrink)
    monkeypatch.setattr(reclaim, "pgdat_balanced", lambda *a: False)
    reclaim.balance_pgdat(m, 0, 0, 0)              # classzone DMA: Normal is not eligible
    assert seen and set(seen) == {(True, False)}
    assert (dma.reclaim_active, normal.reclaim_active) == (False, False)


def test_nr_pcp_free_clamps_as_the_kernel_does_when_high_is_below_two_batches():
    """high 5, batch 3: clamp(free_count, 3, 2) is 2 for a large free_count, 3 for a small one."""
    # mm/page_alloc.c, nr_pcp_free(): clamp_t(int, pcp->free_count, batch, high - batch), v6.18;
    # include/linux/minmax.h, __clamp(): val >= hi ? hi : (val <= lo ? lo : val) - with lo > hi
    # the answer depends on val, where min(max(val, lo), hi) would always give hi.
    from types import SimpleNamespace
    assert P.nr_pcp_free(SimpleNamespace(count=9, free_count=7), 3, 5, False) == 2
    assert P.nr_pcp_free(SimpleNamespace(count=9, free_count=1), 3, 5, False) == 3


def test_the_vmstat_pass_and_the_high_fraction_write_replay():
    """refresh_cpu_vm_stats() and set_percpu_pagelist_high_fraction() are recorded operations."""
    # A lab check (no kernel rule): replay() reruns the recorded calls on a fresh machine and
    # gets the same events; both calls change pcp state (decay_pcp_high(), the sysctl
    # handler of mm/page_alloc.c, v6.18), so a replay without them would differ.
    m = bl.Machine(nodes=[{"Normal": 16384}], kernel="modern", cpus_per_node=1,
                   min_free_kbytes=1024)
    pages = [m.alloc_pages(0x100cca, 0) for _ in range(40)]
    t = m.start_trace()
    for page in pages:
        m.free_pages(page, 0)
    for _ in range(3):
        m.refresh_cpu_vm_stats(0)
    m.set_percpu_pagelist_high_fraction(64)
    m.stop_trace()
    assert [op for op, _ in t.ops][-4:] == ["refresh_cpu_vm_stats"] * 3 + [
        "set_percpu_pagelist_high_fraction"]
    again = bl.replay(t)
    assert [str(e) for e in again] == [str(e) for e in t]


@pytest.mark.parametrize("seed", range(8))
def test_random_walks_keep_every_invariant(seed):
    """Allocations of every pcp order and beyond, frees on either CPU, vmstat passes, drains and
    sysctl writes: check() after each (debug=True); a final drain empties every pcp list."""
    # Machine.check() (the lab's audit): pcp count == the pages its blocks cover, every page of
    # a pcp block marked PCP, free + pcp + allocated == managed, buddies merged.
    import random
    rnd = random.Random(seed)
    masks = (0x100cca, 0xcc0, 0xcd0, 0x2800, 0x820)   # HIGHUSER_MOVABLE, KERNEL, +RECLAIMABLE,
    pbo = (2, 3, 9)[seed % 3]                          # NOWAIT, ATOMIC (6.18 bits)
    mo, pages = {2: (4, 256), 3: (6, 1024), 9: (11, 8192)}[pbo]
    m = bl.Machine(nodes=[{"DMA32": pages, "Normal": pages}], kernel="modern", cpus_per_node=2,
                   max_order=mo, pageblock_order=pbo, min_free_kbytes=(0, 64, None)[seed % 3],
                   debug=True)
    held = []
    for _ in range(250):
        r = rnd.random()
        if r < 0.5:
            order = rnd.choice((0, 0, 0, 1, 2, 3, pbo, min(mo - 1, 4)))
            page = m.alloc_pages(rnd.choice(masks), order, cpu=rnd.randrange(2))
            if page is not None:
                held.append((page, order))
        elif r < 0.85 and held:
            page, order = held.pop(rnd.randrange(len(held)))
            m.free_pages(page, order, cpu=rnd.randrange(2))
        elif r < 0.93:
            m.refresh_cpu_vm_stats(rnd.randrange(2))
        elif r < 0.96:
            m.drain_all_pages()
        else:
            m.set_percpu_pagelist_high_fraction(rnd.choice((0, 8, 100)))
    m.drain_all_pages()
    for z in m.zones:
        assert all(p.count == 0 for p in z.pageset.values())
    held_pages = sum(1 << order for _, order in held)
    assert sum(z.NR_FREE_PAGES for z in m.zones) + held_pages == sum(z.managed_pages
                                                                     for z in m.zones)
