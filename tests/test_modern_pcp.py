"""Modern (v6.18) per-CPU lists: orders 0-3 and THP, batch, high_min/high_max, auto-tuning.

Machines: `small(64)` (MAX_PAGE_ORDER 3, 4-page pageblocks, 1 CPU, mfk 0: watermarks 0,
batch 1, high_min max(0, 1 << 2) = 4, high_max max(64 // 8, 4) = 8) and `big()` (16384 pages,
MAX_PAGE_ORDER 10, pageblock_order 9, mfk 1024, wsf 10, 1 CPU: min 256, low 320, batch 3,
high_min max(320, 12) = 320, high_max max(16384 // 8, 12) = 2048).  The zone never falls below
its high watermark, so ZONE_BELOW_HIGH stays clear.

pindex (order_to_pindex): 3 * order + mt for orders 0-3; 12 THP unmovable/reclaimable,
13 THP movable.  Assumed names: see tests/modern_helpers.py.

Frees pass a Page: free_pages(0, order) is free_pages(addr = 0), a NULL address and a no-op
(mm/page_alloc.c, free_pages(): "if (addr != 0)"), which the model follows.
"""
import buddylab as bl
from modern_helpers import require_modern

require_modern()

from modern_helpers import (PCP_FRACTION_KW, M, alloc, flist, kernel_name,  # noqa: E402
                                  machine, pcp, real, small, vmstat_tick, zs)

MOV = "GFP_HIGHUSER_MOVABLE"


def big(cpus=1, **kw):
    return machine({"Normal": 16384}, cpus=cpus, min_free_kbytes=1024, **kw)


def test_order_to_pindex_table():
    """order_to_pindex(): 3 * order + mt for orders 0-3, 12/13 for the THP order."""
    # mm/page_alloc.c, order_to_pindex() and pindex_to_order(), v6.18; NR_PCP_LISTS = 14.
    o2p = kernel_name("order_to_pindex")
    p2o = kernel_name("pindex_to_order")
    assert [o2p(mt, o) for o in range(4) for mt in range(3)] == list(range(12))
    assert (o2p(0, 9), o2p(2, 9), o2p(1, 9)) == (12, 12, 13)
    assert [p2o(p) for p in range(14)] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 9, 9]
    assert kernel_name("NR_PCP_LISTS") == 14


def test_boot_pcp_values():
    """A 64-page zone: batch 1, high_min 4, high_max 8, high 0 (never used), 14 empty lists."""
    # mm/page_alloc.c, zone_batchsize(): min(64 >> 10, 256) // 4 = 0 -> 1 -> rounddown_pow_of_two(1)
    # - 1 = 0, stored max(1, 0) = 1; zone_highsize(): low 0 -> max(0 // 1, 1 << 2) = 4, fraction 8:
    # max(64 // 8 // 1, 4) = 8; per_cpu_pages_init() leaves high 0, v6.18.
    p = pcp(small(64))
    assert (p.batch, p.high_min, p.high_max, p.high, p.count) == (1, 4, 8, 0, 0)
    assert len(p.lists) == 14 and all(lst == () for lst in p.lists)


def test_batch_grows_with_the_zone():
    """zone_batchsize(): 2048 -> 1, 8192 -> 1, 16384 -> 3, 28672 -> 7."""
    # mm/page_alloc.c, zone_batchsize(), v6.18: b = min(managed >> 10, 256) // 4, at least 1,
    # rounddown_pow_of_two(b + b // 2) - 1:  2 // 4 = 0 -> 1 -> 1 - 1 = 0 (stored 1);
    # 8 // 4 = 2 -> rd(3) = 2 -> 1;  16 // 4 = 4 -> rd(6) = 4 -> 3;  28 // 4 = 7 -> rd(10) = 8 -> 7.
    got = [pcp(machine({"Normal": n})).batch for n in (2048, 8192, 16384, 28672)]
    assert got == [1, 1, 3, 7]


def test_batch_capped_at_one_mib():
    """270336 pages: min(264, SZ_1M / PAGE_SIZE = 256) // 4 = 64 -> rd(96) - 1 = 63 (classic 31)."""
    # mm/page_alloc.c, zone_batchsize(), v6.18 (1 MiB cap; v4.18 capped at 512 KiB -> 31).
    assert pcp(machine({"Normal": 270336})).batch == 63


def test_high_min_and_high_max_split_across_cpus():
    """2 CPUs: high_min = max(low // 2, 4 * batch) = 160, high_max = max(2048 // 2, 12) = 1024."""
    # mm/page_alloc.c, zone_highsize() and zone_set_pageset_high_and_batch(), v6.18.
    # mfk 1024 -> pages_min 256; step max(256 >> 2, 16384 * 10 // 10000) = 64 -> low 320;
    # batch 3; nr_cpus of the node = 2.
    z = zs(big(cpus=2))
    assert [(p.batch, p.high_min, p.high_max) for p in z.pcp] == [(3, 160, 1024)] * 2


def test_high_fraction_turns_auto_tuning_off():
    """percpu_pagelist_high_fraction 64: high_min = high_max = 16384 // 64 // 2 = 128."""
    # mm/page_alloc.c, zone_set_pageset_high_and_batch(): with a fraction, both are
    # zone_highsize(..., fraction) = max(managed / fraction / ncpu, batch << 2), v6.18.
    z = zs(big(cpus=2, **{PCP_FRACTION_KW: 64}))
    assert [(p.high_min, p.high_max) for p in z.pcp] == [(128, 128)] * 2


def test_alloc_factor_doubles_the_refill():
    """Order-0 refills of 3, 6, 12 pages as alloc_factor grows; high follows min(high + b, max)."""
    # mm/page_alloc.c, nr_pcp_alloc(), v6.18 (big(): batch 3, high_min 320, high_max 2048):
    # refill 1: high clamp(0) = 320 -> 323; max_alloc 323 - 0 - 3 = 320 >= 3 -> af 1; 3 pages 0-2
    # refill 2: b = 3 << 1 = 6, high 329, max_alloc 326 -> af 2; 6 pages 3-8
    # refill 3: b = 12, high 341 -> af 3; 12 pages 9-20.  Ten allocations return 0..9.
    m = big()
    assert [alloc(m, MOV) for _ in range(10)] == list(range(10))
    p = pcp(m)
    assert p.lists[1] == tuple(range(10, 21))
    assert (p.count, p.high, p.alloc_factor) == (11, 341, 3)


def test_a_free_halves_alloc_factor_and_goes_to_the_head():
    """free_frozen_page_commit(): alloc_factor >>= 1, the page at the head, free_count += 1."""
    # mm/page_alloc.c, free_frozen_page_commit() and nr_pcp_high() (count 12 < high 341: no
    # drain), v6.18.
    m = big()
    for _ in range(10):
        alloc(m, MOV)
    m.free_pages(bl.Page(0), 0)
    p = pcp(m)
    assert p.lists[1] == (0,) + tuple(range(10, 21))
    assert (p.count, p.alloc_factor, p.free_count, p.high) == (12, 1, 1, 341)


def test_order2_refill_takes_two_blocks():
    """Order 2 with batch 3: b = max(3 >> 2, 2) = 2 blocks: 0 returned, 4 left on list 7."""
    # mm/page_alloc.c, nr_pcp_alloc(): order > 0 keeps b = batch, then "if (batch > 1) batch =
    # max(batch >> order, 2)", v6.18.  __rmqueue_smallest(2) twice: 0 (expand ... 4 o2), 4.
    m = big()
    assert alloc(m, MOV, 2) == 0
    p = pcp(m)
    assert p.lists[7] == (4,)
    assert p.count == 4


def test_thp_refill_takes_two_blocks():
    """Order 9 with batch 3: max(3 >> 9, 2) = 2 blocks: 0 returned, 512 on list 13 (512 pages)."""
    # mm/page_alloc.c, nr_pcp_alloc(), rmqueue_bulk() (list_add_tail), v6.18.
    m = big()
    assert alloc(m, MOV, 9) == 0
    p = pcp(m)
    assert p.lists[13] == (512,)
    assert p.count == 512
    assert flist(m, 10, M)[0] == 1024


def test_high_order_pcp_lists_hold_orders_1_to_3():
    """Orders 1, 2, 3 freed to lists 4, 7, 10 while count stays below high."""
    # mm/page_alloc.c, order_to_pindex(), free_frozen_page_commit(), v6.18.  small(64):
    # o1 -> 0 (high 4 -> 5), o2 -> 4 (high 6), o3 -> 8 (high 7).  free 0: count 2, free_count 2;
    # free 4: free_high needs free_count 2 >= batch + high_min // 2 = 3: no; count 6 < 7.
    m = small(64)
    assert [alloc(m, MOV, 1), alloc(m, MOV, 2), alloc(m, MOV, 3)] == [0, 4, 8]
    m.free_pages(bl.Page(0), 1)
    m.free_pages(bl.Page(4), 2)
    p = pcp(m)
    assert (p.lists[4], p.lists[7], p.count, p.high) == ((0,), (4,), 6, 7)


def test_free_high_drains_every_list_from_the_freed_one():
    """A third high-order free in a row (free_count 6 >= 3) drains all 14 pages, from list 10."""
    # mm/page_alloc.c, free_frozen_page_commit(): free_high = free_count >= batch + high_min / 2
    # and PCPF_PREV_FREE_HIGH_ORDER; nr_pcp_high(): high = max(7 - (1 << 5), 4) = 4, return 0;
    # nr_pcp_free() = min(count 14, batch << 5) = 14; free_pcppages_bulk(14, pindex 10): list 10
    # (8, o3), wrap past 11-13, 0-3 to list 4 (0, o1), list 7 (4, o2), v6.18.
    # __free_one_page: 8 -> o3 head; 0 + 2 -> o2 (4 still on the pcp); 4 + 0 -> o3 at 0, head.
    m = small(64)
    alloc(m, MOV, 1), alloc(m, MOV, 2), alloc(m, MOV, 3)
    m.free_pages(bl.Page(0), 1)
    m.free_pages(bl.Page(4), 2)
    t = m.start_trace(["mm_page_pcpu_drain"])
    m.free_pages(bl.Page(8), 3)
    m.stop_trace()
    assert [(e["pfn"], e["order"]) for e in t] == [(8, 3), (0, 1), (4, 2)]
    p = pcp(m)
    assert (p.count, p.high) == (0, 4)
    assert flist(m, 3, M) == (0, 8, 16, 24, 32, 40, 48, 56)


def test_reaching_high_drains_from_the_freed_list_then_wraps():
    """count 6 >= high 6 after freeing o2 at 4: nr_pcp_free 5 drains 4 (o2), then 0 (o1)."""
    # mm/page_alloc.c, nr_pcp_high(): count >= high -> need = free_count 6 + 1, high 6 -> 7,
    # returns 6; nr_pcp_free() = clamp(6, 1, 6 - 1) = 5; free_pcppages_bulk(5, pindex 7):
    # list 7 (4: count 1 left), wrap to list 4 (0: count -1), v6.18.  4 -> o2 head (0 is on the
    # pcp); 0 + 2 -> o2, + 4 -> o3 at 0, head.
    m = small(64)
    assert [alloc(m, MOV, 1), alloc(m, MOV, 2)] == [0, 4]
    m.free_pages(bl.Page(0), 1)
    t = m.start_trace(["mm_page_pcpu_drain"])
    m.free_pages(bl.Page(4), 2)
    m.stop_trace()
    assert [(e["pfn"], e["order"], e["migratetype"]) for e in t] == [(4, 2, M), (0, 1, M)]
    p = pcp(m)
    assert (p.count, p.high) == (0, 7)
    assert flist(m, 3, M) == (0, 8, 16, 24, 32, 40, 48, 56)


def test_free_count_sets_how_much_is_drained():
    """Eight order-0 pages out, two back: count 8 >= high 8 drains free_count (2) pages."""
    # mm/page_alloc.c, nr_pcp_alloc(), free_frozen_page_commit(), nr_pcp_high(), nr_pcp_free()
    # = clamp(free_count 2, batch 1, high 8 - 1) = 2, free_pcppages_bulk() (tail first), v6.18.
    # allocs 1-4: 0, 1, 2, 3 (list [4, 5, 6], high 8, af 3); 5-7: 4, 5, 6 off the list;
    # alloc 8: b = 1 << 3 = 8, high min(16, 8) = 8, max_alloc 7 -> b 7 (af stays 3):
    #   refill 7, 8 (12 o2, 10 o1, 9 o0), 9, 10 (11), 11, 12 (14 o1, 13 o0), 13 -> 7; list [8..13]
    # free 0: af 1, count 7 < 8; free 1: af 0, count 8, free_count 2 -> drain 13, then 12.
    # (v6.18 frees nr_pcp_free() pages in one free_pcppages_bulk() call; the 6.19 loop of
    # batch-sized calls "while count >= high" would stop after 13.)
    # 13: buddy 12 on the pcp; 12 ^ 2 = 14 is a free o1 -> buddy_merge_likely -> tail of o0.
    # 12: + 13 -> o1, + 14 -> o2 at 12; buddy 8 on the pcp; order 2 >= MAX_PAGE_ORDER - 1: head.
    m = small(64)
    assert [alloc(m, MOV) for _ in range(8)] == list(range(8))
    m.free_pages(bl.Page(0), 0)
    t = m.start_trace(["mm_page_pcpu_drain"])
    m.free_pages(bl.Page(1), 0)
    m.stop_trace()
    assert [e["pfn"] for e in t] == [13, 12]
    p = pcp(m)
    assert p.lists[1] == (1, 0, 8, 9, 10, 11)
    assert (p.count, p.free_count, p.alloc_factor) == (6, 2, 0)   # the drain leaves free_count
    assert flist(m, 2, M) == (12,)
    assert flist(m, 0, M) == ()


def test_drain_all_pages_walks_lists_from_pindex_0_tail_first():
    """drain_pages_zone(): list 1 tail-first (0, 1, 2), then list 4 (6, 4); all merge back."""
    # mm/page_alloc.c, drain_pages_zone() -> free_pcppages_bulk(zone, min(count, batch << 5),
    # pcp, 0), v6.18.  big(): 3 order-0 allocs 0, 1, 2 (one refill of 3); o1 refill of
    # max(3 >> 1, 2) = 2 blocks: o2 4 split -> 4, 6 -> returns 4, list 4 [6]; frees push heads:
    # list 1 [2, 1, 0], list 4 [4, 6].  Drain: 0, 1, 2, 6, 4; the last merge rebuilds o10 at 0.
    m = big()
    assert [alloc(m, MOV) for _ in range(3)] + [alloc(m, MOV, 1)] == [0, 1, 2, 4]
    for pfn in (0, 1, 2):
        m.free_pages(bl.Page(pfn), 0)
    m.free_pages(bl.Page(4), 1)
    p = pcp(m)
    assert (p.lists[1], p.lists[4]) == ((2, 1, 0), (4, 6))
    t = m.start_trace(["mm_page_pcpu_drain"])
    m.drain_all_pages()
    m.stop_trace()
    assert [e["pfn"] for e in t] == [0, 1, 2, 6, 4]
    assert flist(m, 10, M) == tuple(range(0, 16384, 1024))
    assert zs(m).nr_free_pages == 16384


def test_decay_lowers_high_by_an_eighth():
    """decay_pcp_high(): high 512 -> 448 (count - batch << 5 and high - high / 8), then 392, 343."""
    # mm/page_alloc.c, decay_pcp_high(), v6.18: high = max(count - (batch << 5), high - high / 8,
    # high_min).  real(4096): batch 1, high_min 4, high_max 4096 // 8 = 512.  o9 alloc 0 (high 5);
    # its free: count 512 >= high 5 -> need 512 + 1 -> high = clamp(513, 4, 512) = 512; drained
    # at once.  decays: max(-32, 512 - 64, 4) = 448; 448 - 56 = 392; 392 - 49 = 343; no drain.
    m = real(4096)
    assert alloc(m, MOV, 9) == 0
    m.free_pages(bl.Page(0), 9)
    assert (pcp(m).count, pcp(m).high) == (0, 512)
    highs = []
    for _ in range(3):
        vmstat_tick(m, 0)
        highs.append(pcp(m).high)
    assert highs == [448, 392, 343]


def test_orders_4_to_8_bypass_the_pcp():
    """An order-4 free goes straight to the buddy lists; an order-3 free stays on list 10."""
    # mm/page_alloc.c, __free_frozen_pages(): "if (!pcp_allowed_order(order)) {
    # __free_pages_ok(...); return; }", v6.18.  big(): o3 refill of max(3 >> 3, 2) = 2 blocks:
    # 0, 8 -> returns 0, list 10 [8]; o4 -> 16 (o4 head after the split of o10 0).  free 16 (o4):
    # buddy 0 is on the pcp, not free -> o4 at 16 (32 is a free o5: tail, on an empty list).
    # free 0 (o3): head of list 10, count 16 < high 323.
    m = big()
    assert [alloc(m, MOV, 3), alloc(m, MOV, 4)] == [0, 16]
    m.free_pages(bl.Page(16), 4)
    assert flist(m, 4, M) == (16,)
    assert pcp(m).count == 8
    m.free_pages(bl.Page(0), 3)
    p = pcp(m)
    assert (p.lists[10], p.count, p.high) == ((0, 8), 16, 323)


def test_thp_free_drains_the_refill_remainder_first():
    """Freeing THP 0 with 512 (the refill's second block) on list 13: the tail 512 is drained."""
    # mm/page_alloc.c, free_frozen_page_commit(): list_add (head), free_count 0 -> 512;
    # nr_pcp_high(): high 323, count 1024 >= 323 -> need 512 + 3 = 515 -> high 515, returns 323;
    # nr_pcp_free() = clamp(512, 3, 320) = 320; free_pcppages_bulk(320, pindex 13): tail 512
    # (count 320 - 512 < 0: stop), v6.18.  512: buddy 0 is on the pcp -> o9 head.
    m = big()
    assert alloc(m, MOV, 9) == 0
    t = m.start_trace(["mm_page_pcpu_drain"])
    m.free_pages(bl.Page(0), 9)
    m.stop_trace()
    assert [(e["pfn"], e["order"]) for e in t] == [(512, 9)]
    p = pcp(m)
    assert (p.lists[13], p.count, p.high, p.free_count) == ((0,), 512, 515, 512)
    assert flist(m, 9, M) == (512,)
