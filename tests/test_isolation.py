"""Page isolation and CMA (issue 9): ranges as the kernel's callers pass them, check() accepts
every state v4.18 reaches and still catches corruption, NR_FREE_CMA_PAGES is checked."""
import warnings

import pytest

import buddylab as bl
from helpers import lists, quiet_alloc

M, I, CMA = bl.MIGRATE_MOVABLE, bl.MIGRATE_ISOLATE, bl.MIGRATE_CMA


def pcp_machine(debug=True):
    """64 pages, MAX_ORDER 4, pageblocks of 4, pcp high 8: pages can wait on the pcp list."""
    return bl.Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                      min_free_kbytes=0, percpu_pagelist_fraction=8, debug=debug)


def isolate_with_pcp_pages(m):
    """Free pfns 56..63 to the pcp list, then isolate 56-64 (two pageblocks)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        pages = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0) for _ in range(64)]
    for p in pages:
        if p is not None and p.pfn >= 56:
            m.free_pages(p, 0)
    m.start_isolate_page_range(56, 64)


def test_neighbouring_isolated_blocks_may_stay_unmerged():
    """mm/page_isolation.c, set_migratetype_isolate(), v4.18: after moving a block's free pages
    it calls drain_all_pages(zone); free_pcppages_bulk() frees each page with its pageblock's
    type, and __free_one_page() (mm/page_alloc.c) stops merging at pageblock_order when one
    side is ISOLATE and the other not.  Block 56 is isolated (and drained) while block 60 is
    still Movable, so the two order-2 blocks never merge: a state check() must accept - with
    debug=True the isolation call itself ran check()."""
    m = pcp_machine(debug=True)
    isolate_with_pcp_pages(m)
    z = m.zone(0, "Normal")
    assert sorted(lists(m, 2, I)) == [56, 60] and lists(m, 3, I) == []
    assert z.nr_isolate_pageblock == 2
    m.check()
    # unset_migratetype_isolate(): block 60's buddy (56) is no longer isolated, so 60 is
    # taken out and freed again, and merges
    m.undo_isolate_page_range(56, 64)
    assert lists(m, 3, M)[0] == 56
    m.check()


def split_block(m, pfn, order, mt_lists):
    """Corrupt: replace the free order-`order` block at pfn by its two halves, unmerged."""
    z, mm = m.zone(0, "Normal"), m.mm
    mm.list_del(pfn)
    z.nr_free[order] -= 1
    for half, mt in zip((pfn, pfn + (1 << (order - 1))), mt_lists):
        mm.buddy[half] = 1
        mm.private[half] = order - 1
        mm.list_add(half, z.free_list(order - 1, mt))
        z.nr_free[order - 1] += 1


def test_check_still_catches_unmerged_buddies_that_are_not_isolated():
    m = pcp_machine(debug=False)
    pfn = lists(m, 3, M)[0]
    split_block(m, pfn, 3, (M, M))                   # pageblock order, neither isolated
    with pytest.raises(bl.InvariantError, match="not merged"):
        m.check()


def test_check_still_catches_unmerged_buddies_inside_an_isolated_block():
    m = pcp_machine(debug=False)
    m.start_isolate_page_range(0, 8)
    assert lists(m, 3, I) == [0]
    split_block(m, 0, 3, (I, I))
    m.check()                                        # order 2 = pageblock order: allowed
    split_block(m, 0, 2, (I, I))                     # order 1, inside one pageblock: never
    with pytest.raises(bl.InvariantError, match="not merged"):
        m.check()


def test_isolating_an_aligned_range_keeps_every_page_of_it():
    """The fuzzed case: isolating the upper pageblock of a free order-10 block left its pages
    free and allocatable (512 of 1,024 allocations came from them).  Aligned as
    alloc_contig_range() aligns it, no allocation lands in the range."""
    m = bl.Machine(nodes=[{"DMA": 1024, "Normal": 4096}], cpus_per_node=1)
    m.start_isolate_page_range(2048, 3072)
    z = m.zone(0, "Normal")
    assert z.nr_isolate_pageblock == 2 and lists(m, 10, I, zone="Normal") == [2048]
    got = [quiet_alloc(m, bl.GFP_HIGHUSER_MOVABLE, 0) for _ in range(1024)]
    assert not [p for p in got if p is not None and 2048 <= p.pfn < 3072]
    m.check()


def test_isolation_next_to_a_zone_boundary_is_counted_once():
    """Zones of 6 and 58 pages with 4-page pageblocks: a pageblock inside Normal, next to the
    boundary, is counted by Normal alone (DMA and the empty zones count nothing)."""
    m = bl.Machine(nodes=[{"DMA": 6, "Normal": 58}], cpus_per_node=1, max_order=3,
                   pageblock_order=2, min_free_kbytes=0, debug=True)
    m.start_isolate_page_range(8, 16)
    counts = {z.name: z.nr_isolate_pageblock for z in m.zones}
    assert counts == {"DMA": 0, "DMA32": 0, "Normal": 2, "Movable": 0}
    m.check()


def test_check_catches_an_isolated_pageblock_across_two_zones():
    m = bl.Machine(nodes=[{"DMA": 6, "Normal": 58}], cpus_per_node=1, max_order=3,
                   pageblock_order=2, min_free_kbytes=0)
    m.mm.set_pageblock_bits(4, I)
    with pytest.raises(bl.InvariantError, match="one zone"):
        m.check()


# ---------------------------------------------------------------------------------- CMA
def test_nr_free_cma_pages_follows_the_cma_lists():
    """An aligned CMA area (mm/cma.c, cma_init_reserved_mem(), v4.18) never merges with a
    Movable neighbour, so NR_FREE_CMA_PAGES always equals the CMA lists and never goes
    negative, through movable allocations and frees."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1, cma=[(1024, 1024)], debug=True)
    z = m.zone(0, "Normal")
    assert z.NR_FREE_CMA_PAGES == 1024
    got = [quiet_alloc(m, bl.GFP_HIGHUSER_MOVABLE, 3) for _ in range(500)]
    assert any(1024 <= p.pfn < 2048 for p in got if p)
    for p in got[::2]:
        if p:
            m.free_pages(p, 3)
    assert 0 <= z.NR_FREE_CMA_PAGES == sum(len(lists(m, o, CMA)) << o for o in range(11))
    m.check()


def test_check_catches_a_wrong_nr_free_cma_pages():
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1, cma=[(0, 1024)])
    m.zone(0, "Normal").NR_FREE_CMA_PAGES -= 512
    with pytest.raises(bl.InvariantError, match="NR_FREE_CMA_PAGES"):
        m.check()
