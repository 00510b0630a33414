"""__free_one_page() re-types ONE pageblock of a merged buddy of another type (v6.18 text).

Found by the reference comparison (tests/test_state_machine_modern.py): when a freed block
merges with a free buddy of another mergeable type at an order above pageblock_order, v6.18
calls set_pageblock_migratetype(buddy, migratetype), which re-types only the pageblock that
holds the buddy's first page (mm/page_alloc.c, __free_one_page(), v6.18).  The fix "mm/
page_alloc: change all pageblocks migrate type on coalescing" (Dec 2025, Fixes: e6cf9e1c4cde,
Cc: stable) calls change_pageblock_range(buddy, order, migratetype) instead; the two differ
only when pageblock_order < MAX_PAGE_ORDER - 1 (never with x86_64's 9 and 10), as on this
teaching machine.  The model follows the v6.18 text; this test pins it.
"""

import buddylab as bl

GFP_HIGHUSER_MOVABLE, GFP_KERNEL = 0x100cca, 0xcc0      # include/linux/gfp_types.h, v6.18
M, U = 1, 0


def test_merge_retypes_only_the_buddys_first_pageblock():
    """64 pages, MAX_PAGE_ORDER 5, pageblocks of 4: boot leaves order-5 blocks 0 and 32
    (Movable).  Three Movable order-4 requests take 0, 16, 32 (expand() leaves 48 on
    free_list[4][Movable]); an Unmovable order-4 request claims 48 whole
    (try_to_claim_block(): current_order >= pageblock_order, change_pageblock_range()
    re-types 48, 52, 56, 60).  Freeing 48 puts it back on free_list[4][Unmovable]; freeing 32
    (Movable) merges with it at order 4 >= pageblock_order: both mergeable, so buddy 48 is
    taken and set_pageblock_migratetype(buddy) makes pageblock 48 Movable; 52, 56, 60 stay
    Unmovable.  The order-5 block at 32 goes to free_list[5][Movable]."""
    m = bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=6, pageblock_order=2,
                   min_free_kbytes=0, kernel="modern")
    assert m.zone_snapshot(0, "Normal").free_lists[5][M] == (0, 32)
    a = [m.alloc_pages(GFP_HIGHUSER_MOVABLE, 4).pfn for _ in range(3)]
    assert a == [0, 16, 32]
    assert m.alloc_pages(GFP_KERNEL, 4).pfn == 48
    m.free_pages(bl.Page(48), 4)
    z = m.zone_snapshot(0, "Normal")
    assert z.free_lists[4][U] == (48,)
    m.free_pages(bl.Page(32), 4)
    m.check()
    z = m.zone_snapshot(0, "Normal")
    assert z.free_lists[5][M] == (32,) and z.free_lists[4][U] == ()
    assert dict(z.pageblock_mt) == dict([(p, M) for p in range(0, 52, 4)]
                                        + [(52, U), (56, U), (60, U)])
    assert z.nr_free_pages == 32
