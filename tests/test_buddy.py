"""buddylab/buddy.py: split, merge, head/tail placement and fallback, worked by hand."""
import buddylab as bl
from buddylab.mmzone import MIGRATE_UNMOVABLE as U, MIGRATE_MOVABLE as M, MIGRATE_RECLAIMABLE as R
from helpers import tiny, lists


def test_find_buddy_pfn():
    """The buddy differs in bit `order` only."""
    assert bl.find_buddy_pfn(8, 1) == 10
    assert bl.find_buddy_pfn(10, 1) == 8
    assert bl.find_buddy_pfn(12, 2) == 8
    assert bl.find_buddy_pfn(0, 10) == 1024


def test_boot_frees_ascending_blocks_to_the_head():
    """A classic boot frees maximal blocks in ascending order, each at the list head."""
    m = tiny()
    # 64 pages, MAX_ORDER 4: eight order-3 blocks, the highest at the head
    assert lists(m, 3, M) == [56, 48, 40, 32, 24, 16, 8, 0]
    assert m.zone_snapshot(0, "Normal").nr_free == (0, 0, 0, 8)
    big = bl.Machine()
    normal = big.zone_snapshot(0, "Normal").free_lists[10][M]
    assert normal[0] == 32768 - 1024 and normal[-1] == 4096 and len(normal) == 28


def test_boot_unaligned_zone_cuts_maximal_blocks():
    """__free_pages_memory: order = min(MAX_ORDER-1, __ffs(start)), shrunk to fit."""
    m = bl.Machine(nodes=[{"DMA": {"spanned": 20, "start_pfn": 2}}], cpus_per_node=1,
                   max_order=4, pageblock_order=2, min_free_kbytes=0)
    # 2..21: blocks 2(o1) 4(o2) 8(o3) 16(o2) 20(o1); nothing can merge across the zone.
    # The pageblock 0-3 starts outside the zone, so memmap_init never marked it: UNMOVABLE.
    snap = m.zone_snapshot(0, "DMA")
    assert snap.free_blocks() == [(2, 1, U), (4, 2, M), (8, 3, M), (16, 2, M), (20, 1, M)]
    assert snap.pageblock_mt[0] == (0, U)


def test_expand_keeps_low_half_and_puts_upper_halves_at_heads():
    """expand(): returns the lowest pfn; remainders largest first, each at the head."""
    m = tiny()
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)
    assert page.pfn == 56
    assert lists(m, 2, M) == [60]
    assert lists(m, 1, M) == [58]
    assert lists(m, 0, M) == [57]
    assert lists(m, 3, M) == [48, 40, 32, 24, 16, 8, 0]


def test_unmovable_request_steals_a_whole_block_of_pageblock_order():
    """__rmqueue_fallback takes the largest MOVABLE block and re-types its pageblocks."""
    m = tiny()
    t = m.start_trace()
    page = m.alloc_pages(bl.GFP_KERNEL, 0)
    m.stop_trace()
    assert page.pfn == 56
    snap = m.zone_snapshot(0, "Normal")
    types = dict(snap.pageblock_mt)
    assert types[56] == U and types[60] == U and types[52] == M
    assert lists(m, 2, U) == [60] and lists(m, 1, U) == [58] and lists(m, 0, U) == [57]
    ext = t.of("mm_page_alloc_extfrag")
    assert len(ext) == 1
    e = ext[0]
    assert (e["pfn"], e["alloc_order"], e["fallback_order"]) == (56, 0, 3)
    assert (e["alloc_migratetype"], e["fallback_migratetype"], e["change_ownership"]) == (U, M, 1)


def test_reclaimable_fallback_prefers_unmovable_list_at_same_order():
    """fallbacks[RECLAIMABLE] = UNMOVABLE, MOVABLE: an UNMOVABLE block of the largest order wins."""
    m = tiny()
    m.alloc_pages(bl.GFP_KERNEL, 0)            # U now owns 56-63 (60 o2, 58 o1, 57 o0 free)
    page = m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE, 0)
    # largest order first: order 3 holds only MOVABLE blocks -> steal 48 (whole, order >= pb)
    assert page.pfn == 48
    types = dict(m.zone_snapshot(0, "Normal").pageblock_mt)
    assert types[48] == R and types[52] == R


def movable_fallback_machine():
    """128 pages, MAX_ORDER 5 (order 4 = 16 pages), pageblock_order 4: grouping on
    (128 >= 6*16); can_steal_fallback is false for MOVABLE requests below order 4//2 = 2.
    Every Movable block taken; free: Unmovable 114 (order 1) and 113 (order 0)."""
    m = bl.Machine(nodes=[{"Normal": 128}], cpus_per_node=1, max_order=5, pageblock_order=4,
                   min_free_kbytes=0)
    assert m.alloc_pages(bl.GFP_KERNEL, 0).pfn == 112     # U steals block 112: 120 o3 116 o2 114 o1 113 o0
    assert m.alloc_pages(bl.GFP_KERNEL, 3).pfn == 120
    assert m.alloc_pages(bl.GFP_KERNEL, 2).pfn == 116     # U lists now: o1 [114], o0 [113]
    assert [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 4).pfn for _ in range(7)] == \
        [96, 80, 64, 48, 32, 16, 0]
    return m


def movable_order0_fallback(m):
    """A Movable order-0 request that falls back: (pfn, fallback_order, fallback_migratetype,
    change_ownership) of its one mm_page_alloc_extfrag event."""
    t = m.start_trace(kinds={"mm_page_alloc_extfrag"})
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)
    m.stop_trace()
    (e,) = t
    return page.pfn, e["fallback_order"], e["fallback_migratetype"], e["change_ownership"]


def test_small_movable_fallback_uses_find_smallest():
    """A movable request that may not steal a whole block takes the SMALLEST foreign block."""
    m = movable_fallback_machine()
    # largest fallback found is order 1 (no steal allowed) -> find_smallest -> order 0 at 113
    assert movable_order0_fallback(m) == (113, 0, U, 0)
    assert dict(m.zone_snapshot(0, "Normal").pageblock_mt)[112] == U


def test_find_smallest_skips_an_order_without_a_foreign_block():
    """find_smallest walks up from the request's order past orders with no fallback block.

    The machine of the test above, then the Unmovable order-0 block 113 taken by a
    GFP_KERNEL page: the only free block left is 114 (order 1, Unmovable).  A Movable order-0
    request: __rmqueue_fallback() (mm/page_alloc.c, v4.18) finds order 1 from the top, may
    not steal (Movable, order 1 < pageblock_order / 2) -> find_smallest: order 0 has no
    free block (find_suitable_fallback(): nr_free == 0 -> -1), so it goes on to order 1 ->
    steal_suitable_fallback() moves the single block 114 to free_list[Movable] (no claim);
    __rmqueue_smallest() then splits it: expand() keeps 114, puts 115 on Movable order 0."""
    m = movable_fallback_machine()
    assert m.alloc_pages(bl.GFP_KERNEL, 0).pfn == 113     # its own list: no fallback
    assert movable_order0_fallback(m) == (114, 1, U, 0)
    assert lists(m, 0, M) == [115] and dict(m.zone_snapshot(0, "Normal").pageblock_mt)[112] == U
    m.check()


def test_free_merges_with_buddies_and_places_at_head():
    """__free_one_page: merge upward while the buddy is free with the same order."""
    m = tiny()
    pages = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0) for _ in range(4)]
    assert [p.pfn for p in pages] == [56, 57, 58, 59]
    t = m.start_trace(kinds={"merge", "place"})
    m.free_pages(pages[1], 0)          # 57: buddy 56 allocated; higher buddy 58 allocated -> head
    m.free_pages(pages[3], 0)          # 59: buddy 58 allocated; higher buddy 56 allocated -> head
    assert lists(m, 0, M) == [59, 57]
    m.free_pages(pages[2], 0)          # 58 merges with 59 -> order 1 at 58; parent's buddy 60 free
    m.stop_trace()
    places = [(e["pfn"], e["order"], e["position"]) for e in t.of("place")]
    assert places == [(57, 0, "head"), (59, 0, "head"), (58, 1, "tail")]
    merges = [(e["pfn"], e["buddy_pfn"], e["order"], e["merged_pfn"]) for e in t.of("merge")]
    assert merges == [(58, 59, 0, 58)]
    m.free_pages(pages[0], 0)          # 56 merges all the way back to order 3
    assert lists(m, 3, M) == [56, 48, 40, 32, 24, 16, 8, 0]
    m.check()


def test_tail_placement_when_parent_buddy_free():
    """The merge-likely heuristic puts the block at the TAIL of its list."""
    m = tiny()
    a = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)   # 56 (60 o2, 58 o1 free)
    b = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)   # 58
    c = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)   # 60 splits: 60 taken, 62 o1 free
    assert (a.pfn, b.pfn, c.pfn) == (56, 58, 60)
    d = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)   # 62
    e = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)   # 48 (50 o1, 52 o2 free)
    assert (d.pfn, e.pfn) == (62, 48)
    m.free_pages(c, 1)     # 60: buddy 62 allocated; parent 60 ^ 4 = 56's order-2 block: 56 allocated -> head
    assert lists(m, 1, M) == [60, 50]
    m.free_pages(a, 1)     # 56: buddy 58 allocated; parent 56 ^ 4 = 60: is 60 a free order-2? no (order 1) -> head
    assert lists(m, 1, M) == [56, 60, 50]
    m.free_pages(d, 1)     # 62 merges with 60 -> order 2 at 60; 60 ^ 8... order 2 < MAX_ORDER-2=2? no -> head
    assert lists(m, 2, M) == [60, 52]
    m.check()


def test_double_free_and_wrong_order_leave_state():
    """Bad frees raise BadFreeError and change nothing."""
    m = tiny()
    p = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)
    before = m.snapshot()
    for args in ((p, 0), (p, 2), (bl.Page(p.pfn + 1), 0), (bl.Page(3), 0)):
        try:
            m.free_pages(*args)
        except bl.BadFreeError:
            pass
        else:
            raise AssertionError("no error for %r" % (args,))
    assert m.snapshot() == before
