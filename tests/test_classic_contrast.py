"""Classic (v4.18) counterparts of the modern tests where the two kernels tell a different story.

Each test names the modern test it contrasts with (tests/test_modern_*.py, skipped until the
v6.18 profile exists); the numbers here are worked from the 4.18 rules.
"""
import pytest

import buddylab as bl
from buddylab import gfp as G
from helpers import lists

M, U = 1, 0


def real418(nodes=({"Normal": 4096},), **kw):
    """Real orders (MAX_ORDER 11, pageblock_order 9), 1 CPU, watermarks 0 (mfk 0, wsf 1).

    4096 pages keep grouping by mobility on: build_all_zonelists() (mm/page_alloc.c, v4.18)
    disables it below pageblock_nr_pages * MIGRATE_TYPES = 512 * 6 = 3072 pages.
    """
    kw.setdefault("min_free_kbytes", 0)
    kw.setdefault("watermark_scale_factor", 1)
    return bl.Machine(nodes=list(nodes), cpus_per_node=1, max_order=11, pageblock_order=9, **kw)


def test_classic_boot_heads_are_the_highest_blocks():
    """4.18 frees boot blocks to the head: free_list[10][MOVABLE] descends (modern ascends)."""
    # mm/page_alloc.c, __free_pages_boot_core() -> __free_pages() -> __free_pages_ok() ->
    # __free_one_page(): order 10 never takes the tail heuristic -> list_add, v4.18.
    m = real418()
    assert lists(m, 10, M) == [3072, 2048, 1024, 0]
    assert not m.snapshot().page_group_by_mobility_disabled


def test_classic_thp_order_allocations_descend_per_block():
    """Order-9 requests return 3072, 3584, 2048, 2560 (modern: 0, 512, 1024, 1536)."""
    # mm/page_alloc.c, __rmqueue_smallest() and expand(), v4.18: head o10 3072 is split first.
    m = real418()
    pfns = [m.alloc_pages(G.GFP_HIGHUSER_MOVABLE, 9).pfn for _ in range(4)]
    assert pfns == [3072, 3584, 2048, 2560]


def test_classic_unmovable_fallback_takes_the_head_order10_block():
    """GFP_KERNEL order 0 steals o10 3072 whole (modern claims o10 0)."""
    # mm/page_alloc.c, __rmqueue_fallback() (largest order first, head of free_list[10][MOVABLE]
    # = 3072) -> steal_suitable_fallback(): current_order >= pageblock_order ->
    # change_pageblock_range(3072, 10, UNMOVABLE); __rmqueue_smallest() retry -> 3072, v4.18.
    m = real418()
    assert m.alloc_pages(G.GFP_KERNEL, 0).pfn == 3072
    types = dict(m.zone_snapshot(0, "Normal").pageblock_mt)
    assert types == {0: M, 512: M, 1024: M, 1536: M, 2048: M, 2560: M, 3072: U, 3584: U}
    assert lists(m, 10, M) == [2048, 1024, 0]


def test_classic_has_no_nofragment_and_fragments_normal():
    """Unmovable o4, only a MOVABLE o8 left in Normal: 4.18 takes it in Normal (modern: DMA32)."""
    # mm/page_alloc.c, get_page_from_freelist() (no ALLOC_NOFRAGMENT before v5.0), and
    # __rmqueue_fallback() -> steal_suitable_fallback() (whole_block: move the free pages of
    # the block to UNMOVABLE), v4.18.  Normal boot heads [3072, 2048]: o10 M -> 3072;
    # o9 M -> 2048 (2560 o9); o8 M -> 2560 (2816 o8); gfp 0 o4 -> 2816.
    m = real418(nodes=({"DMA32": 2048, "Normal": 2048},))
    got = [m.alloc_pages(G.GFP_HIGHUSER_MOVABLE, o).pfn for o in (10, 9, 8)]
    assert got == [3072, 2048, 2560]
    assert m.alloc_pages(0, 4).pfn == 2816
    assert dict(m.zone_snapshot(0, "DMA32").pageblock_mt) == {0: M, 512: M, 1024: M, 1536: M}


def test_classic_empty_lower_zone_gets_a_computed_reserve():
    """4.18 computes lowmem_reserve for an empty DMA: (0, 16, 64, 64) (modern: all 0)."""
    # mm/page_alloc.c, setup_per_zone_lowmem_reserve(), v4.18: DMA[DMA32] = 4096 // 256 = 16,
    # DMA[Normal] = (12288 + 4096) // 256 = 64, DMA[Movable] = 64; the DMA zone's own
    # managed pages (0) are never tested.
    m = bl.Machine(nodes=[{"DMA32": 4096, "Normal": 12288}], cpus_per_node=1, min_free_kbytes=1024)
    assert tuple(m.zone_snapshot(0, "DMA").lowmem_reserve) == (0, 16, 64, 64)
    assert tuple(m.zone_snapshot(0, "DMA32").lowmem_reserve) == (0, 0, 48, 48)


def test_classic_counts_movable_as_lowmem():
    """Normal 4096 + Movable 4096, mfk 1024: both zones get min 128 (modern: 256 and 32)."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(), v4.18: lowmem_pages = every !highmem zone =
    # 8192; tmp = 256 * 4096 // 8192 = 128 for each; step max(32, 4) = 32 -> (128, 160, 192).
    m = bl.Machine(nodes=[{"Normal": 4096, "Movable": 4096}], cpus_per_node=1, min_free_kbytes=1024)
    assert tuple(m.zone_snapshot(0, "Normal").watermark) == (128, 160, 192)
    assert tuple(m.zone_snapshot(0, "Movable").watermark) == (128, 160, 192)


def test_classic_watermark_scale_factor_stops_at_1000():
    """4.18's sysctl allows 1..1000 (modern: up to 3000)."""
    # kernel/sysctl.c, vm_table "watermark_scale_factor" extra2 = one_thousand, v4.18.
    with pytest.raises(bl.BuddyLabError):
        bl.Machine(nodes=[{"Normal": 16384}], cpus_per_node=1, min_free_kbytes=1024,
                   watermark_scale_factor=3000)


def test_classic_gfp_atomic_has_the_atomic_bit():
    """v4.18 GFP_ATOMIC = HIGH | ATOMIC | KSWAPD_RECLAIM = 0x480020 (6.18: 0x820, no ATOMIC bit)."""
    # include/linux/gfp.h, v4.18: __GFP_HIGH 0x20, __GFP_ATOMIC 0x80000, __GFP_KSWAPD_RECLAIM
    # 0x400000; GFP_KERNEL = 0x400000 | 0x200000 | 0x40 | 0x80 = 0x6000c0.
    assert (G.GFP_ATOMIC, G.GFP_KERNEL) == (0x480020, 0x6000c0)
