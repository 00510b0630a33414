"""Modern (v6.18) buddy rules beyond test_modern_buddy.py, worked by hand at the real orders.

Merges across pageblocks through split_large_buddy(), the refusal to merge with HIGHATOMIC,
ALLOC_NOFRAGMENT's zone walk when no zone has a whole block and on a two-node machine,
boost_watermark() followed by rmqueue()'s kswapd wake, the highatomic reserve and its
release, page isolation of a block inside a larger free buddy.  Every expected value is
worked out in the comments from the 6.18 source, never read from the code under test.
Machines: MAX_PAGE_ORDER 10, pageblock_order 9 (512-page pageblocks), min_free_kbytes 0
unless said; `real()` has all watermarks 0 (see tests/modern_helpers.py).
"""
import buddylab as bl
from modern_helpers import require_modern

require_modern()

from modern_helpers import (M, U, MIGRATE_HIGHATOMIC as HA, alloc, blocktypes,  # noqa: E402
                            flist, machine, real, zs)

MOV = "GFP_HIGHUSER_MOVABLE"
UNMOV_NOKSWAPD = 0


def test_split_large_buddy_frees_per_pageblock_and_the_later_type_wins():
    """An o10 block whose second pageblock is UNMOVABLE is freed as two o9 pieces, then merged
    into one UNMOVABLE o10 block: the later piece's type wins."""
    # mm/page_alloc.c, __free_pages_ok() -> free_one_page() -> split_large_buddy(), v6.18:
    # order 10 > pageblock_order 9 -> pieces 1024 (pageblock type MOVABLE) then 1536
    # (UNMOVABLE), each __free_one_page() with its own get_pfnblock_migratetype().
    # Piece 1024 o9 M: buddy 1536 not free -> head of free_list[9][M].  Piece 1536 o9 U:
    # buddy 1024 free o9; order 9 >= pageblock_order, M != U, both mergeable -> del 1024
    # from free_list[9][M], set_pageblock_migratetype(1024, U), merge to o10 at 1024;
    # order 10 == MAX_PAGE_ORDER: stop; buddy_merge_likely() false (10 >= 9) -> list_add.
    m = real(4096)
    assert [alloc(m, MOV, 10), alloc(m, MOV, 10)] == [0, 1024]
    m.kernel.set_pageblock_migratetype(m.zone(0, "Normal"), 1536, U)
    m.free_pages(bl.Page(1024), 10)
    assert flist(m, 10, U) == (1024,)
    assert flist(m, 9, M) == () and flist(m, 9, U) == ()
    assert blocktypes(m)[1024] == U and blocktypes(m)[1536] == U
    assert flist(m, 10, M) == (2048, 3072)
    assert zs(m).nr_free_pages == 4096 - 1024


def test_no_merge_with_a_highatomic_buddy():
    """A MOVABLE o9 piece and its free HIGHATOMIC o9 buddy stay two blocks."""
    # mm/page_alloc.c, __free_one_page(), v6.18: "if (migratetype != buddy_mt &&
    # (!migratetype_is_mergeable(migratetype) || !migratetype_is_mergeable(buddy_mt)))
    # goto done_merging" - HIGHATOMIC (3) >= MIGRATE_PCPTYPES.  split_large_buddy() frees 0
    # (M: buddy 512 not free -> free_list[9][M]) then 512 (HIGHATOMIC: buddy 0 is free o9 but
    # M/HIGHATOMIC may not merge -> free_list[9][HIGHATOMIC]).  account_freepages() counts the
    # 512 HIGHATOMIC pages in nr_free_highatomic.  (v4.18 merged them into one M block.)
    m = real(4096)
    assert alloc(m, MOV, 10) == 0
    zone = m.zone(0, "Normal")
    m.kernel.set_pageblock_migratetype(zone, 512, HA)
    m.free_pages(bl.Page(0), 10)
    assert flist(m, 9, M) == (0,)
    assert flist(m, 9, HA) == (512,)
    assert flist(m, 10, M) == (1024, 2048, 3072)
    assert zone.nr_free_highatomic == 512
    assert zs(m).nr_free_pages == 4096


def test_nofragment_second_pass_fragments_the_preferred_zone():
    """No zone has a whole block: the NOFRAGMENT pass fails everywhere, the second pass claims
    in the preferred zone (Normal), not in DMA32."""
    # mm/page_alloc.c, get_page_from_freelist(), v6.18: "if (no_fallback && !defrag_mode)
    # { alloc_flags &= ~ALLOC_NOFRAGMENT; goto retry; }" - the walk restarts at the preferred
    # zoneref.  DMA32 0-2047, Normal 2048-4095, wsf 1 (watermarks 0).
    # DMA32 (GFP_DMA32|__GFP_MOVABLE): o10 -> 0, o9 -> 1024 (1536 o9), o8 -> 1536 (1792 o8
    # left).  Normal: o10 -> 2048, o9 -> 3072 (3584 o9), o8 -> 3584 (3840 o8 left).
    # UNMOVABLE o4, pass 1 (NOFRAGMENT): __rmqueue_claim() min_order 9, no o9/o10 anywhere;
    # steal skipped -> NULL in both zones.  Pass 2 from Normal: claim cur 8 head 3840,
    # try_to_claim_block(): free 256, movable 256 (the o8 allocated at 3584 is PageLRU) ->
    # alike = 512 - (256 + 256) = 0, 256 >= 256 -> block 3584 U, __rmqueue_smallest(4, U):
    # 3840 (3968 o7, 3904 o6, 3872 o5, 3856 o4 at the U heads).
    m = machine([{"DMA32": 2048, "Normal": 2048}], watermark_scale_factor=1)
    dma32 = "GFP_DMA32|__GFP_MOVABLE"
    assert [alloc(m, dma32, o) for o in (10, 9, 8)] == [0, 1024, 1536]
    assert [alloc(m, MOV, o) for o in (10, 9, 8)] == [2048, 3072, 3584]
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 3840
    assert blocktypes(m)[3584] == U
    assert blocktypes(m, "DMA32") == {0: M, 512: M, 1024: M, 1536: M}
    assert flist(m, 8, M, name="DMA32") == (1792,)
    assert [flist(m, o, U) for o in (4, 5, 6, 7)] == [(3856,), (3872,), (3904,), (3968,)]


def test_nofragment_is_dropped_at_another_nodes_zone():
    """Two nodes: the NOFRAGMENT walk reaching node 1 drops the flag and restarts on node 0,
    which is fragmented; node 1's whole blocks are not taken."""
    # mm/page_alloc.c, alloc_flags_nofragment(): node 0 has a populated DMA32, so a request
    # preferring Normal gets ALLOC_NOFRAGMENT; get_page_from_freelist(): "if (no_fallback &&
    # !defrag_mode && nr_online_nodes > 1 && zone != zonelist_zone(ac->preferred_zoneref))
    # ... if (zone_to_nid(zone) != local_nid) { alloc_flags &= ~ALLOC_NOFRAGMENT; goto
    # retry; }", v6.18.  Layout: node 0 DMA32 0-2047, Normal 2048-6143; node 1 Normal
    # 6144-10239; node 0's zonelist: Normal0, DMA32_0, Normal1.
    # DMA32_0 filled: o10 -> 0, 1024.  Normal0: o7 -> 2048 (2560 o9, 2304 o8, 2176 o7),
    # o9 -> 2560, o10 -> 3072, 4096, 5120; free: o7 2176, o8 2304.
    # UNMOVABLE o4 pass 1: Normal0 claim min_order 9 -> nothing; DMA32_0: watermark fails
    # (0 free); Normal1 is on node 1 -> drop NOFRAGMENT, restart.  Pass 2: Normal0 claim cur 8
    # head 2304: free 128 + 256 = 384 >= 256 -> block 2048 U; moved to the U tails 2176 (o7),
    # 2304 (o8); __rmqueue_smallest(4, U) takes 2176 (o7 split).
    m = machine([{"DMA32": 2048, "Normal": 4096}, {"Normal": 4096}], watermark_scale_factor=1)
    dma32 = "GFP_DMA32|__GFP_MOVABLE"
    assert [alloc(m, dma32, 10), alloc(m, dma32, 10)] == [0, 1024]
    got = [alloc(m, MOV, 7), alloc(m, MOV, 9)] + [alloc(m, MOV, 10) for _ in range(3)]
    assert got == [2048, 2560, 3072, 4096, 5120]
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 2176
    assert blocktypes(m)[2048] == U
    assert flist(m, 10, M, nid=1) == (6144, 7168, 8192, 9216)
    assert flist(m, 8, U) == (2304,)


def test_boost_then_kswapd_wake_clears_the_boost():
    """A sub-pageblock claim with ALLOC_KSWAPD boosts, sets ZONE_BOOSTED_WATERMARK, and
    rmqueue() wakes kswapd, whose balance_pgdat() takes the boost off again."""
    # mm/page_alloc.c, try_to_claim_block(): "if (boost_watermark(zone) && (alloc_flags &
    # ALLOC_KSWAPD)) set_bit(ZONE_BOOSTED_WATERMARK, &zone->flags)"; rmqueue(): "if
    # ((alloc_flags & ALLOC_KSWAPD) && unlikely(test_bit(ZONE_BOOSTED_WATERMARK, ...))) {
    # clear_bit(...); wakeup_kswapd(zone, 0, 0, zone_idx(zone)); }"; mm/vmscan.c,
    # balance_pgdat() out: "zone->watermark_boost -= min(zone->watermark_boost,
    # zone_boosts[i])", v6.18.
    # 4096 pages, mfk 0, wsf 10: watermarks (0, 4, 8, 12); boost_watermark(): max_boost =
    # mult_frac(8, 15000, 10000) = 12 -> max(512, 12) = 512 -> boost 512.  Setup as
    # test_modern_buddy's _claim_setup: free o7 128, o8 256.  GFP_NOWAIT (__GFP_KSWAPD_RECLAIM
    # | __GFP_NOWARN, UNMOVABLE) o4: alloc_flags_nofragment() gives ALLOC_KSWAPD; pass 2
    # claims block 0 and returns 128.  kswapd: high + boost = 520 > free 384 - 16 = 368, so
    # it is woken (kswapd_wake); with nothing to reclaim the boost is still taken off.
    m = real(4096, watermark_scale_factor=10)
    got = [alloc(m, MOV, 7), alloc(m, MOV, 9)] + [alloc(m, MOV, 10) for _ in range(3)]
    assert got == [0, 512, 1024, 2048, 3072]
    t = m.start_trace(["kswapd_wake", "claim"])
    assert alloc(m, "GFP_NOWAIT", 4) == 128
    m.stop_trace()
    assert [e.name for e in t] == ["claim", "kswapd_wake"]
    (w,) = t.of("kswapd_wake")
    assert (w["zone"], w["order"], w["high"]) == ("Normal", 0, 8 + 512)
    z = zs(m)
    assert z.watermark_boost == 0
    assert not m.zone(0, "Normal").boosted_watermark


def test_boost_without_kswapd_stays():
    """gfp 0 (no __GFP_KSWAPD_RECLAIM): the boost is raised but nobody clears it."""
    # mm/page_alloc.c, try_to_claim_block(), rmqueue(), v6.18: without ALLOC_KSWAPD the bit
    # is not set and rmqueue() does not wake kswapd; the boost (512, as above) stays.
    m = real(4096, watermark_scale_factor=10)
    [alloc(m, MOV, 7), alloc(m, MOV, 9)] + [alloc(m, MOV, 10) for _ in range(3)]
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 128
    assert zs(m).watermark_boost == 512
    assert not m.zone(0, "Normal").boosted_watermark


def _atomic_setup():
    """65536 pages (1% = 655 >= a pageblock), mfk 1024: min 256, step max(64, 65) = 65 ->
    low 321, high 386 (mm/page_alloc.c, __setup_per_zone_wmarks(), v6.18).  63 o10 and
    three o8 movable requests (o8 is not a pcp order) leave only o8 at 65280 free: o8 ->
    64512 (65024 o9, 64768 o8), o8 -> 64768, o8 -> 65024 (65280 o8).  The last one fails
    the fast path (512 - 255 = 257 <= low 321) and passes MIN in the slow path (257 > 256)."""
    m = real(65536, min_free_kbytes=1024, watermark_scale_factor=10)
    assert tuple(zs(m).watermark)[:3] == (256, 321, 386)
    for i in range(63):
        assert alloc(m, MOV, 10) == 1024 * i
    assert [alloc(m, MOV, 8) for _ in range(3)] == [64512, 64768, 65024]
    assert flist(m, 8, M) == (65280,) and zs(m).nr_free_pages == 256
    return m


def test_highatomic_reserve_after_an_atomic_high_order_allocation():
    """GFP_ATOMIC o4 fails the fast path, succeeds in the slow path with ALLOC_HIGHATOMIC,
    and its pageblock becomes HIGHATOMIC with its free pages."""
    # Fast path: free 256 - 15 <= low 321 -> fails (mm/page_alloc.c, __zone_watermark_ok()).
    # Slow path: gfp_to_alloc_flags(GFP_ATOMIC, 4) = MIN|NON_BLOCK|MIN_RESERVE|HIGHATOMIC|
    # KSWAPD; min 256 - 128 = 128, - 128 / 4 = 96; 241 > 96 -> rmqueue_buddy():
    # HIGHATOMIC lists empty; __rmqueue(U): claim cur 8, head 65280, try_to_claim_block():
    # free 256, movable 256 (the o8 allocated at 65024), alike = 512 - 512 = 0, 256 >= 256 -> block
    # 65024 U, __rmqueue_smallest(4, U) -> 65280 (65408 o7, 65344 o6, 65312 o5, 65296 o4).
    # get_page_from_freelist(): ALLOC_HIGHATOMIC -> reserve_highatomic_pageblock(), v6.18:
    # 655 >= 512, max_managed = ALIGN(655, 512) = 1024; U is mergeable; order 4 < 9 ->
    # move_freepages_block(U -> HIGHATOMIC): 65296, 65312, 65344, 65408 to the HIGHATOMIC
    # tails in ascending pfn; nr_reserved_highatomic = 512; free HIGHATOMIC pages 240.
    m = _atomic_setup()
    assert alloc(m, "GFP_ATOMIC", 4) == 65280
    z = zs(m)
    assert blocktypes(m)[65024] == HA
    assert z.nr_reserved_highatomic == 512
    assert [flist(m, o, HA) for o in (4, 5, 6, 7)] == [(65296,), (65312,), (65344,), (65408,)]
    assert all(flist(m, o, U) == () for o in range(11))
    assert m.zone(0, "Normal").nr_free_highatomic == 240
    assert z.nr_free_pages == 240


def test_unreserve_keeps_the_last_block_unless_forced():
    """unreserve_highatomic_pageblock(): a zone keeps its last reserved block unless forced;
    forced, the block's free pages move to the tail of the request's type."""
    # mm/page_alloc.c, unreserve_highatomic_pageblock(), v6.18: "if (!force &&
    # zone->nr_reserved_highatomic <= pageblock_nr_pages) continue"; forced: order 0 up, the
    # first HIGHATOMIC head is 65296 (o4): size = max(512, 16) = 512 -> nr_reserved 0;
    # order 4 < 9 -> move_freepages_block(HIGHATOMIC -> MOVABLE): ascending, list_move_tail;
    # the block becomes MOVABLE; 240 pages moved -> true.
    m = _atomic_setup()
    assert alloc(m, "GFP_ATOMIC", 4) == 65280
    zone = m.zone(0, "Normal")
    assert m.kernel.unreserve_highatomic_pageblock([zone], M, False) is False
    assert zs(m).nr_reserved_highatomic == 512
    assert m.kernel.unreserve_highatomic_pageblock([zone], M, True) is True
    assert zs(m).nr_reserved_highatomic == 0
    assert blocktypes(m)[65024] == M
    assert [flist(m, o, M) for o in (4, 5, 6, 7)] == [(65296,), (65312,), (65344,), (65408,)]
    assert zone.nr_free_highatomic == 0 and zs(m).nr_free_pages == 240


def test_isolating_a_block_inside_a_free_o10_splits_it():
    """Isolating pageblock 512 of the free o10 block at 0 leaves 0 as a MOVABLE o9 and 512 on
    the ISOLATE list; the undo merges them back into one o10 block at the tail."""
    # mm/page_alloc.c, __move_freepages_block_isolate(), v6.18: find_large_buddy(512) = 0 (o10
    # free) -> del_page_from_free_list(0, 10), toggle the isolate bit of 512,
    # split_large_buddy(0, 10): 0 o9 M (buddy 512 not free yet) -> free_list[9][M]; 512 o9
    # ISOLATE: buddy 0 is M, ISOLATE not mergeable -> free_list[9][ISOLATE]; NR_FREE_PAGES
    # loses 512 (account_freepages() skips ISOLATE).  Undo (unset_migratetype_isolate(),
    # mm/page_isolation.c): 512 is a free o9 (>= pageblock_order, < MAX_PAGE_ORDER) whose
    # buddy 0 is free and not isolated -> __isolate_free_page(), clear the bit,
    # __putback_isolated_page(): __free_one_page(FPI_TO_TAIL) merges 512 with 0 -> o10 at 0
    # at the TAIL of free_list[10][M]: [1024, 2048, 3072, 0].
    # (Machine.start_isolate_page_range() only takes MAX_ORDER_NR_PAGES-aligned ranges, so
    # the per-block steps are called through the kernel object.)
    m = real(4096)
    zone = m.zone(0, "Normal")
    m.kernel.set_migratetype_isolate(zone, 512, m.nr_cpus)
    iso = 5                                     # MIGRATE_ISOLATE (with CMA, as the model)
    assert flist(m, 9, M) == (0,) and flist(m, 9, iso) == (512,)
    assert flist(m, 10, M) == (1024, 2048, 3072)
    assert zs(m).nr_free_pages == 4096 - 512
    m.kernel.unset_migratetype_isolate(m, zone, 512, M)
    assert flist(m, 10, M) == (1024, 2048, 3072, 0)
    assert flist(m, 9, M) == () and flist(m, 9, iso) == ()
    assert zs(m).nr_free_pages == 4096
    assert blocktypes(m)[512] == M


def test_atomic_order0_falls_back_to_the_highatomic_reserve():
    """With only HIGHATOMIC pages free, GFP_ATOMIC order 0 takes one (ALLOC_NON_BLOCK's
    last resort in rmqueue_buddy()); v4.18 gave the reserve to order > 0 only."""
    # After the reserve above only the HIGHATOMIC block's 240 pages are free.
    # Fast path (LOW | KSWAPD | NOFRAGMENT): __zone_watermark_unusable_free() adds the 240
    # free HIGHATOMIC pages for a request without ALLOC_RESERVES -> 0 usable -> fails.
    # Slow path, gfp_to_alloc_flags(GFP_ATOMIC, 0) = MIN|NON_BLOCK|MIN_RESERVE|KSWAPD:
    # 240 > 96 -> rmqueue(): the pcp refill's __rmqueue(U) finds nothing (U, R and M lists
    # empty); rmqueue_buddy(): __rmqueue() fails, "if (!page && (alloc_flags & (ALLOC_OOM |
    # ALLOC_NON_BLOCK))) page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC)"
    # (mm/page_alloc.c, v6.18): the smallest HIGHATOMIC block, o4 at 65296, split:
    # 65304 (o3), 65300 (o2), 65298 (o1), 65297 (o0) back on the HIGHATOMIC heads.
    m = _atomic_setup()
    assert alloc(m, "GFP_ATOMIC", 4) == 65280
    assert alloc(m, "GFP_ATOMIC", 0) == 65296
    assert [flist(m, o, HA) for o in range(5)] == [(65297,), (65298,), (65300,), (65304,), ()]
    assert m.zone(0, "Normal").nr_free_highatomic == 239


def test_kmem_tracepoints_print_the_618_layout():
    """mm_page_alloc, mm_page_alloc_zone_locked and mm_page_alloc_extfrag print pfn=0x%lx."""
    # include/trace/events/kmem.h (v6.18) TP_printk, without the hashed page=%p:
    # mm_page_alloc "pfn=0x%lx order=%d migratetype=%d gfp_flags=%s";
    # mm_page_alloc_zone_locked "pfn=0x%lx order=%u migratetype=%d percpu_refill=%d" with
    # percpu_refill = pcp_allowed_order(10) && mt < MIGRATE_PCPTYPES = 0;
    # mm_page_alloc_extfrag "... pageblock_order=%d ... fragmenting=%d change_ownership=%d",
    # fragmenting = fallback_order (10) < pageblock_order (9) = 0.  The second o10 block is
    # 1024 = 0x400; GFP_KERNEL o0 then claims the head o10 block 2048 = 0x800 whole.  A
    # failed request prints pfn=0x0 (pfn -1UL -> 0).
    m = real(4096)
    t = m.start_trace(["mm_page_alloc", "mm_page_alloc_zone_locked", "mm_page_alloc_extfrag"])
    alloc(m, MOV, 10)
    alloc(m, MOV, 10)
    alloc(m, "GFP_KERNEL", 0)
    alloc(m, "GFP_NOWAIT|__GFP_MOVABLE", 10)
    alloc(m, "GFP_NOWAIT|__GFP_MOVABLE", 10)
    m.stop_trace()
    lines = [str(e) for e in t]
    assert lines[2] == ("mm_page_alloc_zone_locked: pfn=0x400 order=10 migratetype=1 "
                        "percpu_refill=0")
    assert lines[3] == ("mm_page_alloc: pfn=0x400 order=10 migratetype=1 "
                        "gfp_flags=GFP_HIGHUSER_MOVABLE")
    assert ("mm_page_alloc_extfrag: pfn=0x800 alloc_order=0 fallback_order=10 pageblock_order=9 "
            "alloc_migratetype=0 fallback_migratetype=1 fragmenting=0 change_ownership=1") in lines
    assert lines[-1] == ("mm_page_alloc: pfn=0x0 order=10 migratetype=1 "
                         "gfp_flags=GFP_NOWAIT|__GFP_MOVABLE")


def test_refused_claim_moves_nothing_and_a_lower_order_claims_another_block():
    """MOVABLE o4: the o7 block's pageblock is too full to claim (nothing moves); at o6 the
    claim takes the other pageblock, moves its four o6 blocks to the tail, and the LOWEST of
    them is returned, not the head block that was looked at."""
    # mm/page_alloc.c, __rmqueue_claim() (largest order first; a refused claim goes on at the
    # next lower order), try_to_claim_block() (free + alike >= 256, else NULL with nothing
    # moved; start type MOVABLE: alike = PageLRU pages), __move_freepages_block() (ascending,
    # list_move_tail), __rmqueue_smallest(), v6.18.
    # Setup (gfp 0 = UNMOVABLE): o7 -> 0 (claims o10 0 whole: blocks 0, 512 U; 512 o9,
    # 256 o8, 128 o7 on U); o7 -> 128; o8 -> 256; o6 x8 -> 512, 576, ..., 960 (block 512 all
    # taken); MOVABLE o10 x3 -> 1024, 2048, 3072.  Free o6 512, 640, 768, 896 (each to the
    # head: free_list[6][U] = [896, 768, 640, 512]) and o7 128 (free_list[7][U] = [128]).
    # MOVABLE o4, second pass: cur 7: head 128, block 0: free 128, LRU 0 -> 128 < 256 ->
    # refused.  cur 6: head 896, block 512: free 256 -> claimed: 512, 640, 768, 896 to the
    # tail of free_list[6][M]; block 512 M; __rmqueue_smallest(4, M): o6 head 512 split ->
    # 544 (o5), 528 (o4) -> 512.
    m = real(4096)
    assert [alloc(m, UNMOV_NOKSWAPD, o) for o in (7, 7, 8)] == [0, 128, 256]
    assert [alloc(m, UNMOV_NOKSWAPD, 6) for _ in range(8)] == list(range(512, 1024, 64))
    assert [alloc(m, MOV, 10) for _ in range(3)] == [1024, 2048, 3072]
    for pfn in (512, 640, 768, 896):
        m.free_pages(bl.Page(pfn), 6)
    m.free_pages(bl.Page(128), 7)
    assert flist(m, 6, U) == (896, 768, 640, 512) and flist(m, 7, U) == (128,)
    t = m.start_trace(["mm_page_alloc_extfrag"])
    assert alloc(m, MOV, 4) == 512
    m.stop_trace()
    assert flist(m, 7, U) == (128,)
    assert blocktypes(m)[0] == U and blocktypes(m)[512] == M
    assert [flist(m, o, M) for o in (4, 5, 6)] == [(528,), (544,), (640, 768, 896)]
    (e,) = t
    assert (e["pfn"], e["alloc_order"], e["fallback_order"], e["alloc_migratetype"],
            e["fallback_migratetype"], e["change_ownership"]) == (512, 4, 6, M, U, 1)


def test_boot_with_pfn_0_reserved_frees_the_aligned_pieces_to_the_tail():
    """Normal 0-63 with pfn 0 reserved: boot frees o0 1, o1 2, o2 4, then o3 8..56, each at
    the tail; nothing merges; the first order-0 allocation returns 1."""
    # mm/memblock.c, __free_pages_memory() (order = min(MAX_PAGE_ORDER, __ffs(start)), shrunk
    # to fit), mm/page_alloc.c, __free_pages_core() -> __free_pages_ok(FPI_TO_TAIL) ->
    # __free_one_page(), v6.18.  MAX_PAGE_ORDER 3, pageblock_order 2.  1's buddy 0 is
    # reserved; 2's buddy 0 is not a free o1 block; 4's buddy 0 not a free o2 block -> no
    # merge.  The order-0 request: pcp refill of nr_pcp_alloc() = 1 block (batch 1, high 4,
    # see test_modern_boot.py): __rmqueue_smallest(0, M) -> head of free_list[0][M] = 1.
    m = machine({"Normal": {"pages": 64, "managed": 63, "reserved": [(0, 1)]}}, max_page_order=3,
                pageblock_order=2)
    assert [flist(m, o, M) for o in range(4)] == [(1,), (2,), (4,),
                                                  (8, 16, 24, 32, 40, 48, 56)]
    assert zs(m).nr_free_pages == 63
    assert alloc(m, MOV, 0) == 1
