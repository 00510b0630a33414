"""Modern (v6.18) boot: memblock ranges freed to the TAIL of the free lists (FPI_TO_TAIL).

Assumed names: see tests/modern_helpers.py (max_order = NR_PAGE_ORDERS, PcpSnapshot.lists by
pindex, alloc_factor, high_min/high_max).  Skipped while Machine(kernel="modern") raises.
"""
from modern_helpers import require_modern

require_modern()

from modern_helpers import (M, U, alloc, blocktypes, flist, machine, pcp, real,  # noqa: E402
                                  small, zs)

MOV = "GFP_HIGHUSER_MOVABLE"


def test_boot_lists_ascend_from_head_to_tail():
    """Boot frees blocks in ascending pfn order to the tail: free_list[3][MOVABLE] ascends."""
    # mm/memblock.c, __free_pages_memory(), and mm/page_alloc.c, __free_pages_core() ->
    # __free_pages_ok(..., FPI_TO_TAIL), v6.18.  64 pages, MAX_PAGE_ORDER 3: order-3 blocks at
    # 0, 8, ..., 56 freed in that order, each list_add_tail -> [0, 8, ..., 56].
    m = small(64)
    assert flist(m, 3, M) == (0, 8, 16, 24, 32, 40, 48, 56)
    z = zs(m)
    assert tuple(z.nr_free) == (0, 0, 0, 8)
    assert all(flist(m, o, mt) == () for o in range(3) for mt in range(3))


def test_first_order0_allocations_come_from_the_lowest_block():
    """The first four order-0 movable allocations return pfns 0, 1, 2, 3 (classic: 56, 57...)."""
    # mm/page_alloc.c, rmqueue_pcplist(), nr_pcp_alloc(), rmqueue_bulk(), v6.18.
    # 64 pages, 1 CPU, mfk 0: watermarks 0 -> batch 1, high_min max(0, 1<<2) = 4,
    # high_max max(64 // 8, 4) = 8.
    # alloc 1: high clamp(0,4,8)=4 -> +b(1<<0=1) = 5; max_alloc max(5-0-1,1)=4, b<=4 -> af 1;
    #          refill 1: __rmqueue_smallest(0) takes 0 (expand: 4 o2, 2 o1, 1 o0) -> 0
    # alloc 2: b = 1<<1 = 2, high 7, max_alloc 6 -> af 2; refill 2: 1, then 2 (3 to o0) -> 1
    # alloc 3: from the list -> 2
    # alloc 4: b = 1<<2 = 4, high min(11, 8) = 8, max_alloc 7 -> af 3; refill 4: 3, 4 (6 o1,
    #          5 o0), 5, 6 (7 o0) -> list [3,4,5,6]; take 3 -> list [4,5,6], count 3
    m = small(64)
    assert [alloc(m, MOV) for _ in range(4)] == [0, 1, 2, 3]
    p = pcp(m)
    assert p.lists[1] == (4, 5, 6)          # pindex 1 = order 0, MOVABLE
    assert (p.count, p.high, p.alloc_factor) == (3, 8, 3)
    assert flist(m, 0, M) == (7,)
    assert flist(m, 3, M) == (8, 16, 24, 32, 40, 48, 56)


def test_first_order3_allocation_takes_pfn_0():
    """An order-3 request on a fresh machine gets the head block 0; 8..56 stay in order."""
    # mm/page_alloc.c, nr_pcp_alloc() (order > 0: b = batch = 1 -> 1 block), rmqueue_bulk(),
    # __rmqueue_smallest(), v6.18: head of free_list[3][MOVABLE] = 0.
    m = small(64)
    assert alloc(m, MOV, 3) == 0
    assert flist(m, 3, M) == (8, 16, 24, 32, 40, 48, 56)
    assert pcp(m).count == 0


def test_real_orders_boot_four_order10_blocks():
    """4096 pages, MAX_PAGE_ORDER 10: free_list[10][MOVABLE] == [0, 1024, 2048, 3072], 11 orders."""
    # mm/memblock.c, __free_pages_memory(), v6.18: order min(10, ffs(start)) -> 0, 1024, 2048,
    # 3072, each to the tail.  NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1 = 11 free areas.
    m = real(4096)
    z = zs(m)
    assert len(z.free_lists) == 11
    assert flist(m, 10, M) == (0, 1024, 2048, 3072)
    assert tuple(z.nr_free) == (0,) * 10 + (4,)


def test_order10_allocations_ascend():
    """Order-10 requests (no pcp) return 0, 1024, 2048, 3072, then None."""
    # mm/page_alloc.c, rmqueue() -> rmqueue_buddy() (pcp_allowed_order(10) is false),
    # __rmqueue_smallest(), v6.18.  All watermarks 0 (real(): wsf 1, mfk 0): 1024 - 1023 = 1 > 0.
    m = real(4096)
    assert [alloc(m, MOV, 10) for _ in range(4)] == [0, 1024, 2048, 3072]
    assert alloc(m, "GFP_NOWAIT|__GFP_MOVABLE", 10) is None     # no reclaim, no OOM


def test_thp_order_allocations_ascend_through_the_pcp():
    """Order-9 (THP) requests return 0, 512, 1024, 1536: one block per pcp refill."""
    # mm/page_alloc.c, pcp_allowed_order() (order == HPAGE_PMD_ORDER), nr_pcp_alloc(): b = batch
    # = 1 (managed 4096 -> zone_batchsize 0 -> stored 1), "b > 1" false -> 1 block, v6.18.
    # 1st: o10 head 0 split, 512 to o9 head -> 0; 2nd: o9 head 512; 3rd: 1024 (1536 to o9);
    # 4th: 1536.  Classic: 3072, 3584, 2048, 2560 (boot heads [3072, 2048, 1024, 0]).
    m = real(4096)
    assert [alloc(m, MOV, 9) for _ in range(4)] == [0, 512, 1024, 1536]
    assert pcp(m).count == 0


def test_unaligned_zone_end_gives_smaller_boot_blocks():
    """3584 pages: o10 at 0, 1024, 2048, then o9 at 3072 (3072 + 1024 > 3584)."""
    # mm/memblock.c, __free_pages_memory(), v6.18: order = min(10, ffs(3072) = 10), shrunk while
    # start + (1 << order) > end -> 9.
    m = real(3584)
    assert flist(m, 10, M) == (0, 1024, 2048)
    assert flist(m, 9, M) == (3072,)


def test_zone_not_starting_at_a_big_boundary():
    """DMA 20 + Normal 44 pages: Normal is freed as o2 at 20, then o3 at 24..56, ascending."""
    # mm/memblock.c, __free_pages_memory(), v6.18: start 20 -> ffs = 2 -> o2; 24 -> o3 ...
    # First movable order-0 allocation: o0, o1 empty -> o2 head 20 (22 o1, 21 o0) -> 20.
    m = machine([{"DMA": 20, "Normal": 44}], max_page_order=3, pageblock_order=2)
    assert flist(m, 2, M) == (20,)
    assert flist(m, 3, M) == (24, 32, 40, 48, 56)
    assert flist(m, 3, M, name="DMA") == (0, 8)
    assert flist(m, 2, M, name="DMA") == (16,)
    assert alloc(m, MOV) == 20


def test_order_above_max_page_order_is_refused():
    """order > MAX_PAGE_ORDER returns None before any list is touched."""
    # mm/page_alloc.c, __alloc_frozen_pages_noprof(): "if (WARN_ON_ONCE_GFP(order >
    # MAX_PAGE_ORDER, gfp)) return NULL", v6.18.  MAX_PAGE_ORDER 3: order 4 -> NULL.
    m = small(64)
    before = zs(m)
    assert alloc(m, "GFP_HIGHUSER_MOVABLE|__GFP_NOWARN", 4) is None
    assert zs(m).free_lists == before.free_lists
    assert alloc(m, MOV, 3) == 0


def test_every_pageblock_starts_movable():
    """memmap_init_range() marks every pageblock MOVABLE; managed == free after boot."""
    # mm/mm_init.c, memmap_init_range() -> init_pageblock_migratetype(MIGRATE_MOVABLE), v6.18.
    m = real(4096)
    assert blocktypes(m) == {pfn: M for pfn in range(0, 4096, 512)}
    z = zs(m)
    assert (z.managed_pages, z.nr_free_pages) == (4096, 4096)
    assert U not in blocktypes(m).values()
