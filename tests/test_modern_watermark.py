"""Modern (v6.18) watermark checks and zone setup, worked by hand from the kernel's lines.

__zone_watermark_ok() and zone_watermark_fast() of v6.18 (the unusable-free pages, the
ALLOC_MIN_RESERVE / ALLOC_NON_BLOCK / ALLOC_OOM reductions, the boost retry), the boost
reset of __setup_per_zone_wmarks(), khugepaged's min_free_kbytes at boot and the 6.18
pagetypeinfo CMA column.  The checks are called through the kernel object
(``m.kernel.zone_watermark_fast``) on a freshly booted zone, whose free pages are known.
"""
import pytest

from modern_helpers import require_modern

require_modern()

from modern_helpers import machine, real, zs  # noqa: E402

NORMAL = 2                          # ZONE_NORMAL: highest_zoneidx of a GFP_KERNEL request
# mm/internal.h (v6.18): the ALLOC_* values, written here by hand
WMARK_MIN, WMARK_LOW = 0x00, 0x01
ALLOC_OOM, ALLOC_NON_BLOCK, ALLOC_MIN_RESERVE, ALLOC_CMA = 0x08, 0x10, 0x20, 0x80


def boot4096(**kw):
    """real(4096): 4096 free pages, every watermark 0 (wsf 1, mfk 0)."""
    m = real(4096, **kw)
    return m, m.zone(0, "Normal")


def ok(m, z, order, mark, flags, idx=NORMAL):
    return m.kernel.zone_watermark_ok(z, order, mark, idx, flags)


def fast(m, z, order, mark, flags, idx=NORMAL):
    return m.kernel.zone_watermark_fast(z, order, mark, idx, flags)


def test_order0_passes_strictly_above_the_mark():
    """4096 free pages: mark 4095 passes, mark 4096 fails ("free_pages <= min" fails)."""
    # mm/page_alloc.c, __zone_watermark_ok(), v6.18: unusable = (1 << 0) - 1 = 0 (no
    # HIGHATOMIC or CMA pages free); 4096 <= 4095 is false -> true; 4096 <= 4096 -> false.
    m, z = boot4096()
    assert z.NR_FREE_PAGES == 4096
    assert ok(m, z, 0, 4095, WMARK_MIN) and not ok(m, z, 0, 4096, WMARK_MIN)


def test_order3_loses_seven_pages():
    """Order 3: free - (8 - 1) = 4089 must exceed the mark, and an o10 block is free."""
    # mm/page_alloc.c, __zone_watermark_unusable_free(): (1 << order) - 1; then the loop
    # "for (o = order; o < NR_PAGE_ORDERS; o++)" finds free_area[10] MOVABLE, v6.18.
    m, z = boot4096()
    assert ok(m, z, 3, 4088, WMARK_MIN) and not ok(m, z, 3, 4089, WMARK_MIN)


@pytest.mark.parametrize("flags, mark, passes", [
    # ALLOC_MIN_RESERVE: min -= min / 2: 8190 -> 4095 < 4096 passes; 8192 -> 4096 fails
    (ALLOC_MIN_RESERVE, 8190, True), (ALLOC_MIN_RESERVE, 8192, False),
    # + ALLOC_NON_BLOCK (GFP_ATOMIC): then min -= min / 4: 10000 -> 5000 -> 3750 passes;
    # 11000 -> 5500 -> 4125 fails
    (ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 10000, True),
    (ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 11000, False),
    # ALLOC_NON_BLOCK alone (GFP_NOWAIT) lowers nothing (v4.18's ALLOC_HARDER took 1/4)
    (ALLOC_NON_BLOCK, 4095, True), (ALLOC_NON_BLOCK, 4096, False),
    # ALLOC_OOM: min -= min / 2: 8190 -> 4095 passes, 8192 -> 4096 fails
    (ALLOC_OOM, 8190, True), (ALLOC_OOM, 8192, False),
    # ALLOC_MIN_RESERVE | ALLOC_OOM: 16000 -> 8000 -> 4000 passes; 16400 -> 8200 -> 4100 fails
    (ALLOC_MIN_RESERVE | ALLOC_OOM, 16000, True), (ALLOC_MIN_RESERVE | ALLOC_OOM, 16400, False),
])
def test_reserve_flags_lower_the_mark(flags, mark, passes):
    # mm/page_alloc.c, __zone_watermark_ok(): "if (unlikely(alloc_flags & ALLOC_RESERVES))"
    # -> ALLOC_MIN_RESERVE halves, ALLOC_NON_BLOCK (with it) takes a quarter, ALLOC_OOM
    # halves again, v6.18.
    m, z = boot4096()
    assert ok(m, z, 0, mark, flags) is passes
    assert fast(m, z, 1, mark, flags) is ok(m, z, 1, mark, flags)


def test_lowmem_reserve_of_the_highest_zoneidx_is_added():
    """DMA32 4096 + Normal 12288: a Normal-capable request must leave 48 DMA32 pages more."""
    # mm/page_alloc.c, setup_per_zone_lowmem_reserve(): DMA32 protection[Normal] = 12288 //
    # 256 = 48; __zone_watermark_ok(): free_pages <= min + lowmem_reserve[highest_zoneidx].
    m = machine([{"DMA32": 4096, "Normal": 12288}], watermark_scale_factor=1)
    z = m.zone(0, "DMA32")
    assert ok(m, z, 0, 4095 - 48, WMARK_MIN) and not ok(m, z, 0, 4096 - 48, WMARK_MIN)
    assert ok(m, z, 0, 4095, WMARK_MIN, idx=1)          # a DMA32 request: no reserve


def test_boost_retry_only_for_min_reserve_at_the_min_mark():
    """Boosted zone: an order-0 __GFP_HIGH request at WMARK_MIN is checked unboosted."""
    # mm/page_alloc.c, zone_watermark_fast(), v6.18: "Ignore watermark boosting for
    # __GFP_HIGH order-0 allocations when checking the min watermark": mark =
    # z->_watermark[WMARK_MIN].  _watermark[MIN] 3000 + boost 6000: wmark_pages() = 9000;
    # MIN_RESERVE: 9000 - 4500 = 4500 >= 4096 fails; retry 3000 - 1500 = 1500 passes.
    m, z = boot4096()
    z.watermark[0], z.watermark_boost = 3000, 6000
    mark = z.min_wmark_pages()
    assert mark == 9000
    assert fast(m, z, 0, mark, WMARK_MIN | ALLOC_MIN_RESERVE)
    assert not fast(m, z, 0, mark, WMARK_MIN)                      # no __GFP_HIGH
    assert not fast(m, z, 0, mark, WMARK_LOW | ALLOC_MIN_RESERVE)  # not the min mark
    assert not fast(m, z, 1, mark, WMARK_MIN | ALLOC_MIN_RESERVE)  # not order 0
    z.watermark_boost = 0
    assert not fast(m, z, 0, 9000, WMARK_MIN | ALLOC_MIN_RESERVE)  # no boost: no retry


def test_free_cma_pages_are_unusable_without_alloc_cma():
    """A 1024-page CMA area: a request without ALLOC_CMA sees 4096 - 1024 = 3072 pages."""
    # mm/page_alloc.c, __zone_watermark_unusable_free(): "if (!(alloc_flags & ALLOC_CMA))
    # unusable_free += zone_page_state(z, NR_FREE_CMA_PAGES)"; zone_watermark_fast()'s
    # order-0 shortcut subtracts the same, v6.18.
    m = real(4096, cma=[(2048, 1024)])
    z = m.zone(0, "Normal")
    assert (z.NR_FREE_PAGES, z.NR_FREE_CMA_PAGES) == (4096, 1024)
    assert fast(m, z, 0, 3071, WMARK_LOW) and not fast(m, z, 0, 3072, WMARK_LOW)
    assert fast(m, z, 0, 3072, WMARK_LOW | ALLOC_CMA)


def test_pagetypeinfo_has_a_cma_column_with_a_cma_area():
    """With a CMA area the config has CONFIG_CMA: six columns, 2 CMA pageblocks counted."""
    # mm/page_alloc.c, migratetype_names[] ("Unmovable", "Movable", "Reclaimable",
    # "HighAtomic", "CMA", "Isolate" under CONFIG_CMA) and mm/vmstat.c,
    # pagetypeinfo_showblockcount_print(), v6.18: 1024 CMA pages = 2 pageblocks of 512.
    m = real(4096, cma=[(2048, 1024)])
    last = m.pagetypeinfo().splitlines()[-2:]
    assert last[0].split()[4:] == ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA",
                                   "Isolate"]
    assert last[1].split()[4:] == ["0", "6", "0", "0", "2", "0"]
    assert "        cma      1024" in m.zoneinfo().splitlines()


def test_setup_resets_the_boost():
    """Any recompute of the watermarks sets watermark_boost back to 0."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(): "zone->watermark_boost = 0", v6.18.
    m = machine({"Normal": 16384}, min_free_kbytes=1024)
    m.zone(0, "Normal").watermark_boost = 300
    m.set_watermark_scale_factor(10)
    assert zs(m).watermark_boost == 0 and tuple(zs(m).watermark) == (256, 320, 384, 448)


def test_khugepaged_skips_a_populated_movable_zone():
    """Normal 4096 + Movable 4096, mfk None: sqrt rule 512 kB, khugepaged raises it to 780."""
    # mm/page_alloc.c, calculate_min_free_kbytes(): lowmem_kbytes = 4096 * 4 (Movable is
    # above ZONE_NORMAL) -> int_sqrt(262144) = 512.  __setup_per_zone_wmarks(): pages_min
    # 128, Normal (128, 160, 192, 224).  mm/khugepaged.c, set_recommended_min_free_kbytes():
    # nr_zones = 1 (Movable > gfp_zone(GFP_USER)), 512 * 1 * 11 = 5632 pages, capped at
    # nr_free_buffer_pages() / 20 = (4096 - 192) // 20 = 195 -> 780 kB > 512, v6.18.
    # Then pages_min 195: Normal tmp 195, step max(48, 4) = 48 -> (195, 243, 291, 339);
    # Movable min clamp(4096 // 1024, 32, 128) = 32, same step -> (32, 80, 128, 176).
    m = machine([{"Normal": 4096, "Movable": 4096}], min_free_kbytes=None)
    assert m.snapshot().min_free_kbytes == 780
    assert tuple(zs(m).watermark) == (195, 243, 291, 339)
    assert tuple(zs(m, "Movable").watermark) == (32, 80, 128, 176)


def test_khugepaged_counts_two_zones():
    """DMA32 4096 + Normal 12288, mfk None: 1024 kB, then khugepaged's 800 pages = 3200 kB."""
    # mm/page_alloc.c, calculate_min_free_kbytes(): int_sqrt(65536 * 16) = 1024; watermarks
    # from 1024: DMA32 high 96, Normal high 288.  mm/khugepaged.c: 2 zones, 512 * 2 * 11 =
    # 11264, capped at ((4096 - 96) + (12288 - 288)) // 20 = 800 -> 3200 kB, v6.18.
    # From 3200: pages_min 800; DMA32 tmp 200, step max(50, 4) -> (200, 250, 300, 350);
    # Normal tmp 600, step max(150, 12) -> (600, 750, 900, 1050).
    m = machine([{"DMA32": 4096, "Normal": 12288}], min_free_kbytes=None)
    assert m.snapshot().min_free_kbytes == 3200
    assert tuple(zs(m, "DMA32").watermark) == (200, 250, 300, 350)
    assert tuple(zs(m).watermark) == (600, 750, 900, 1050)


def test_classic_boots_without_khugepaged():
    """The v4.18 model keeps the square-root rule (THP off, said aloud): 1024 kB here."""
    # mm/page_alloc.c, init_per_zone_wmark_min(), v4.18: int_sqrt(65536 * 16) = 1024.
    import buddylab as bl
    m = bl.Machine(nodes=[{"DMA32": 4096, "Normal": 12288}], cpus_per_node=1)
    assert m.min_free_kbytes == 1024


def test_pcp_high_splits_among_the_node_cpus_or_all_online():
    """3 nodes of 16384 pages, CPUs (1, 2, 0): high_min/high_max split by node CPUs; a node
    without CPUs splits among all 3 online CPUs."""
    # mm/page_alloc.c, zone_highsize(), v6.18: nr_split_cpus =
    # cpumask_weight(cpumask_of_node(nid)) + cpu_online, "if (!nr_split_cpus)
    # nr_split_cpus = num_online_cpus()".  __setup_per_zone_wmarks(): lowmem 49152,
    # pages_min 256, tmp = 256 * 16384 // 49152 = 85, step max(21, 16) = 21 -> low 106.
    # zone_batchsize(16384): 16 // 4 = 4 -> rounddown_pow_of_two(6) - 1 = 3 (4 * 3 = 12).
    # high_min = 106 // n, high_max = 16384 // 8 // n for n = 1, 2, 3.
    import buddylab as bl
    m = bl.Machine(nodes=[{"Normal": 16384}] * 3, kernel="modern", cpus_per_node=(1, 2, 0),
                   max_order=11, pageblock_order=9, min_free_kbytes=1024)
    got = [{(p.batch, p.high_min, p.high_max) for p in m.zone(nid, "Normal").pageset.values()}
           for nid in range(3)]
    assert got == [{(3, 106, 2048)}, {(3, 53, 1024)}, {(3, 35, 682)}]
