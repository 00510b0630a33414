"""Modern (v6.18) buddy rules at the real orders: claim vs steal, ALLOC_NOFRAGMENT, boost, merges.

Machines: one Normal zone of 4096 pages (8 pageblocks: enough for grouping by mobility, see
`real()`), MAX_PAGE_ORDER 10, pageblock_order 9; with
`real()` every watermark is 0 (wsf 1, mfk 0), so every request succeeds on the fast path and
boost_watermark() returns false (max_boost = mult_frac(0, ...) = 0).  Requests for orders 4-8
and 10 bypass the pcp lists (pcp_allowed_order()); order 9 is the THP pcp order.
A request with gfp 0 is UNMOVABLE without __GFP_KSWAPD_RECLAIM (no ALLOC_KSWAPD, so a boost is
never handed to kswapd and stays visible).

Single node, preferred zone Normal: alloc_flags_nofragment() sets ALLOC_NOFRAGMENT on the fast
path (mm/page_alloc.c, v6.18); when the whole zonelist fails with it, get_page_from_freelist()
drops it and walks again.

Assumed names: see tests/modern_helpers.py.  Skipped while Machine(kernel="modern") raises.
"""
import buddylab as bl
from modern_helpers import require_modern

require_modern()

from modern_helpers import (M, U, R, alloc, blocktypes, flist, machine, pcp,  # noqa: E402
                                  real, zone_block, zs)

MOV = "GFP_HIGHUSER_MOVABLE"
UNMOV_NOKSWAPD = 0


def _claim_setup(**kw):
    """Pageblock 0 MOVABLE with 0-127 allocated, o7 at 128 and o8 at 256 the only free memory.

    boot (4096): o10 M [0, 1024, 2048, 3072]
    o7 M  -> 0     (o10 0 split: 512 o9, 256 o8, 128 o7 at the MOVABLE heads)
    o9 M  -> 512   (THP pcp refill of 1 block: o9 head 512)
    o10 M -> 1024, 2048, 3072
    left free: o7 M [128], o8 M [256]  (384 pages, all in pageblock 0)
    """
    m = real(4096, **kw)
    got = [alloc(m, MOV, 7), alloc(m, MOV, 9)] + [alloc(m, MOV, 10) for _ in range(3)]
    assert got == [0, 512, 1024, 2048, 3072]
    assert flist(m, 7, M) == (128,) and flist(m, 8, M) == (256,)
    return m


def test_split_puts_upper_halves_at_the_heads():
    """expand(): an order-4 request from o10 at 0 leaves 16(o4) .. 512(o9) on the heads."""
    # mm/page_alloc.c, __rmqueue_smallest() -> page_del_and_expand() -> expand(), v6.18:
    # high halves 512 (o9), 256, 128, 64, 32, 16 (o4); 1024, 2048, 3072 stay on o10.
    m = real(4096)
    assert alloc(m, MOV, 4) == 0
    assert [flist(m, o, M) for o in range(4, 11)] == [(16,), (32,), (64,), (128,), (256,),
                                                      (512,), (1024, 2048, 3072)]
    # then the smallest order first: o4 16, then o5 32 split (48 to o4), then o6 head 64
    assert [alloc(m, MOV, 4), alloc(m, MOV, 4), alloc(m, MOV, 6)] == [16, 32, 64]
    assert flist(m, 4, M) == (48,)


def test_whole_block_claim_unmovable_from_order10():
    """An UNMOVABLE order-0 request claims the head o10 block 0 whole and re-types both blocks."""
    # mm/page_alloc.c, __rmqueue_claim() (largest order first, NOFRAGMENT min_order 9 still
    # allows 10) -> try_to_claim_block() "current_order >= pageblock_order" branch:
    # change_pageblock_range(0, 10, UNMOVABLE), expand onto the UNMOVABLE heads, v6.18.
    # fallbacks[UNMOVABLE] = {RECLAIMABLE (empty), MOVABLE}: head of free_list[10][M] = 0.
    # expand(0, 10): 512(o9), 256, ..., 2(o1), 1(o0) on UNMOVABLE.  Classic (boot heads
    # [3072, 2048, 1024, 0]) returns 3072.
    m = real(4096)
    assert alloc(m, "GFP_KERNEL") == 0
    assert flist(m, 10, M) == (1024, 2048, 3072)
    assert [flist(m, o, U) for o in range(10)] == [(1 << o,) for o in range(10)]
    assert blocktypes(m) == {0: U, 512: U, **{pfn: M for pfn in range(1024, 4096, 512)}}
    assert pcp(m).count == 0                 # refill of nr_pcp_alloc() = 1 block, taken


def test_whole_block_claim_events():
    """The o10 claim fires mm_page_alloc_extfrag but no mm_page_alloc_zone_locked."""
    # mm/page_alloc.c, __rmqueue_claim(): trace_mm_page_alloc_extfrag(page, order, current_order,
    # start_migratetype, fallback_mt); try_to_claim_block() returns the expanded page itself
    # (no __rmqueue_smallest, so no zone_locked event), v6.18.
    m = real(4096)
    t = m.start_trace(["mm_page_alloc_zone_locked", "mm_page_alloc_extfrag"])
    alloc(m, "GFP_KERNEL")
    m.stop_trace()
    assert t.of("mm_page_alloc_zone_locked") == []
    (e,) = t.of("mm_page_alloc_extfrag")
    assert (e["pfn"], e["alloc_order"], e["fallback_order"], e["alloc_migratetype"],
            e["fallback_migratetype"], e["change_ownership"]) == (0, 0, 10, U, M, 1)


def test_sub_pageblock_claim_moves_the_block_to_the_tail_and_retypes_it():
    """UNMOVABLE o4: NOFRAGMENT pass fails, then o8 at 256 triggers a claim of pageblock 0."""
    # mm/page_alloc.c, get_page_from_freelist() (drop ALLOC_NOFRAGMENT, retry), __rmqueue_claim()
    # (cur 10, 9: nr_free 0 -> -1; cur 8: fallback MOVABLE, head 256), try_to_claim_block(),
    # v6.18.  Block 0: free = 128 + 256 = 384, movable (PageLRU) = 0 -> alike = 512 - 384 = 128;
    # 384 + 128 >= 256 -> __move_freepages_block in ascending pfn: 128 (o7), 256 (o8) to the
    # UNMOVABLE tails; block 0 -> UNMOVABLE; __rmqueue_smallest(4, U): o7 128 split, 192(o6),
    # 160(o5), 144(o4) at the heads -> 128.  (The result is the same if the 128 allocated
    # pages counted as movable: alike 0, 384 >= 256.)
    m = _claim_setup()
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 128
    assert flist(m, 8, U) == (256,)
    assert [flist(m, o, U) for o in (4, 5, 6, 7)] == [(144,), (160,), (192,), ()]
    assert all(flist(m, o, M) == () for o in range(11))
    assert blocktypes(m) == {0: U, **{pfn: M for pfn in range(512, 4096, 512)}}


def test_sub_pageblock_claim_events():
    """A sub-pageblock claim fires zone_locked (from __rmqueue_smallest) then extfrag."""
    # mm/page_alloc.c, try_to_claim_block() -> __rmqueue_smallest() (trace zone_locked,
    # percpu_refill = pcp_allowed_order(4) = 0), then __rmqueue_claim() traces extfrag with
    # change_ownership = (block type of 128 == UNMOVABLE) = 1, fallback_order 8, v6.18.
    m = _claim_setup()
    t = m.start_trace(["mm_page_alloc_zone_locked", "mm_page_alloc_extfrag"])
    alloc(m, UNMOV_NOKSWAPD, 4)
    m.stop_trace()
    assert [(e.name, e["pfn"]) for e in t] == [("mm_page_alloc_zone_locked", 128),
                                              ("mm_page_alloc_extfrag", 128)]
    z, x = t[0], t[1]
    assert (z["order"], z["migratetype"], z["percpu_refill"]) == (4, U, 0)
    assert (x["alloc_order"], x["fallback_order"], x["alloc_migratetype"],
            x["fallback_migratetype"], x["change_ownership"]) == (4, 8, U, M, 1)


def _steal_setup():
    """Pageblock 0 UNMOVABLE with only o4 at 16 and o5 at 32 free; nothing else free.

    o4 gfp0 -> 0    NOFRAGMENT claim of o10 0 whole (blocks 0, 512 -> U); expand(4, 10):
                    512(o9) 256 128 64 32(o5) 16(o4) on the UNMOVABLE heads
    o10 M   -> 1024, 2048, 3072
    o9, o8, o7, o6 gfp0 -> 512, 256, 128, 64 (own-type heads; o9 through the THP pcp list 12)
    """
    m = real(4096)
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 0
    assert [alloc(m, MOV, 10) for _ in range(3)] == [1024, 2048, 3072]
    # U o9 512 (THP pcp list 12, own type), o8 256, o7 128, o6 64: own-type heads
    assert [alloc(m, UNMOV_NOKSWAPD, o) for o in (9, 8, 7, 6)] == [512, 256, 128, 64]
    assert flist(m, 4, U) == (16,) and flist(m, 5, U) == (32,)
    return m


def test_failed_claim_then_steal_takes_the_smallest_block():
    """MOVABLE o4 in a pageblock too empty to claim: nothing moves, the steal takes o4 at 16."""
    # mm/page_alloc.c, __rmqueue_claim(): cur 5: should_try_claim_block(5) (5 >= 9/2), head 32
    # -> try_to_claim_block: free 16 + 32 = 48, alike = movable = 0 -> 48 < 256 -> NULL; cur 4:
    # head 16, same block -> NULL; min_order 4 -> stop.  __rmqueue_steal(): smallest order
    # first, cur 4: head 16 -> page_del_and_expand(), block stays UNMOVABLE, v6.18.
    # (First pass with ALLOC_NOFRAGMENT: claim min_order 9 finds nothing, steal skipped.)
    m = _steal_setup()
    assert alloc(m, MOV, 4) == 16
    assert flist(m, 5, U) == (32,)           # not moved by the refused claim
    assert flist(m, 4, U) == ()
    assert blocktypes(m)[0] == U


def test_steal_events():
    """A steal fires extfrag with change_ownership 0 and no zone_locked event."""
    # mm/page_alloc.c, __rmqueue_steal(): trace_mm_page_alloc_extfrag(page, order,
    # current_order, start_migratetype, fallback_mt), no __rmqueue_smallest, v6.18.
    m = _steal_setup()
    t = m.start_trace(["mm_page_alloc_zone_locked", "mm_page_alloc_extfrag"])
    alloc(m, MOV, 4)
    m.stop_trace()
    assert t.of("mm_page_alloc_zone_locked") == []
    (e,) = t.of("mm_page_alloc_extfrag")
    assert (e["pfn"], e["alloc_order"], e["fallback_order"], e["alloc_migratetype"],
            e["fallback_migratetype"], e["change_ownership"]) == (16, 4, 4, M, U, 0)


def test_claim_succeeds_at_exactly_half_a_pageblock():
    """MOVABLE o4 claims an UNMOVABLE block holding exactly 256 free pages (free + alike >= 256)."""
    # mm/page_alloc.c, try_to_claim_block(), v6.18: start MOVABLE -> alike = movable = 0;
    # free 256 >= 1 << (9 - 1) -> move o8 256 to the MOVABLE tail, block 0 -> MOVABLE,
    # __rmqueue_smallest(4, M): 256 split, 384(o7) 320(o6) 288(o5) 272(o4) -> 256.
    # Setup: o8 gfp0 -> 0 (claims o10 0 whole: 512 o9 U, 256 o8 U); o9 M -> 1024 (1536 o9 M);
    # o9 M -> 1536; o10 M -> 2048, 3072; o9 gfp0 -> 512 (own U o9).  Left: o8 U [256].
    m = real(4096)
    assert alloc(m, UNMOV_NOKSWAPD, 8) == 0
    got = [alloc(m, MOV, 9), alloc(m, MOV, 9), alloc(m, MOV, 10), alloc(m, MOV, 10),
           alloc(m, UNMOV_NOKSWAPD, 9)]
    assert got == [1024, 1536, 2048, 3072, 512]
    assert flist(m, 8, U) == (256,)
    assert alloc(m, MOV, 4) == 256
    assert blocktypes(m) == {0: M, 512: U, **{pfn: M for pfn in range(1024, 4096, 512)}}
    assert [flist(m, o, M) for o in (4, 5, 6, 7)] == [(272,), (288,), (320,), (384,)]


def test_nofragment_prefers_a_whole_block_in_dma32_over_fragmenting_normal():
    """UNMOVABLE o4 with only a sub-pageblock MOVABLE piece in Normal is served from DMA32."""
    # mm/page_alloc.c, alloc_flags_nofragment() (preferred zone Normal -> ALLOC_NOFRAGMENT),
    # get_page_from_freelist() (Normal: claim min_order 9 finds nothing, steal skipped; next
    # zone DMA32: whole-block claim of o10 0), v6.18.  DMA32 lowmem_reserve[Normal] =
    # 2048 // 256 = 8 < 2048 free.  Classic (no ALLOC_NOFRAGMENT in 4.18) fragments Normal.
    # Normal: boot o10 M [2048, 3072]; o10 M -> 2048; o9 M -> 3072 (3584 o9); o8 M -> 3584
    # (3840 o8 left).
    m = machine([{"DMA32": 2048, "Normal": 2048}], watermark_scale_factor=1)
    assert [alloc(m, MOV, 10), alloc(m, MOV, 9), alloc(m, MOV, 8)] == [2048, 3072, 3584]
    assert flist(m, 8, M) == (3840,)
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 0
    assert flist(m, 8, M) == (3840,)                    # Normal untouched
    assert blocktypes(m, "DMA32") == {0: U, 512: U, 1024: M, 1536: M}
    assert blocktypes(m)[3584] == M


def test_boost_watermark_on_a_sub_pageblock_claim():
    """A sub-pageblock claim on a 4096-page zone raises watermark_boost to 512."""
    # mm/page_alloc.c, try_to_claim_block() -> boost_watermark(), v6.18: factor 15000,
    # 4 * 512 > 4096 false; _watermark[HIGH]: mfk 0, wsf 10 -> step max(0, 4096*10//10000 = 4)
    # = 4 -> (min, low, high, promo) = (0, 4, 8, 12); max_boost = 8 * 15000 // 10000 = 12 ->
    # max(512, 12) = 512; boost = min(0 + 512, 512) = 512.  gfp 0: no ALLOC_KSWAPD, so no kswapd
    # wake to reset it.  zoneinfo prints _watermark + boost: 512, 516, 520, 524.
    # Setup as _claim_setup (the last o10: free 1408, 1408 - 1023 = 385 > high 8).
    m = _claim_setup(watermark_scale_factor=10)
    assert tuple(zs(m).watermark) == (0, 4, 8, 12)
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 128
    z = zs(m)
    assert z.watermark_boost == 512
    assert tuple(z.watermark) == (0, 4, 8, 12)           # _watermark[] itself unchanged
    block = zone_block(m.zoneinfo(), "Normal")
    for line in ("        boost    512", "        min      512", "        low      516",
                 "        high     520", "        promo    524"):
        assert line in block


def test_no_boost_below_four_pageblocks():
    """A 1536-page Normal zone (< 4 pageblocks) is never boosted; the claim still happens."""
    # mm/page_alloc.c, boost_watermark(): "if ((pageblock_nr_pages * 4) > zone_managed_pages(zone))
    # return false" -> 2048 > 1536, v6.18.  DMA 0-2047 keeps the machine above the mobility
    # grouping threshold; it is filled first with movable DMA requests: o10 -> 0, o9 -> 1024,
    # o8 -> 1536 (o8 1792 left: no block >= pageblock_order for a NOFRAGMENT claim there).
    # Normal 2048-3583: boot o10 [2048], o9 [3072]; o9 M -> 3072 (smallest order first);
    # o7 M -> 2048 (2560 o9, 2304 o8, 2176 o7 at the heads); o9 M -> 2560; free: o7 2176,
    # o8 2304.  wsf 10: step 1536 * 10 // 10000 = 1 -> Normal watermarks (0, 1, 2, 3).
    # gfp0 o4: NOFRAGMENT pass finds no whole block in Normal or DMA; second pass claims
    # Normal's pageblock 2048 -> 2176.
    m = machine([{"DMA": 2048, "Normal": 1536}], watermark_scale_factor=10)
    assert [alloc(m, "__GFP_DMA|__GFP_MOVABLE", o) for o in (10, 9, 8)] == [0, 1024, 1536]
    assert [alloc(m, MOV, 9), alloc(m, MOV, 7), alloc(m, MOV, 9)] == [3072, 2048, 2560]
    assert alloc(m, UNMOV_NOKSWAPD, 4) == 2176
    assert zs(m).watermark_boost == 0
    assert blocktypes(m)[2048] == U
    assert flist(m, 8, M, name="DMA") == (1792,)


def test_freed_order10_block_goes_to_the_head():
    """Outside boot a freed o10 block is list_add()ed: free 0 then 1024 -> [1024, 0, 2048, 3072]."""
    # mm/page_alloc.c, __free_pages_ok() -> free_one_page() -> split_large_buddy() (two o9
    # pieces re-merge), __free_one_page(): no FPI_TO_TAIL, buddy_merge_likely() false for
    # order >= MAX_PAGE_ORDER - 1 -> head, v6.18.
    m = real(4096)
    a, b = alloc(m, MOV, 10), alloc(m, MOV, 10)
    assert (a, b) == (0, 1024)
    # free_pages(0) is free_pages(addr = 0): a NULL address, a no-op (mm/page_alloc.c,
    # free_pages(): "if (addr != 0)"), so the blocks are handed over as Pages
    m.free_pages(bl.Page(a), 10)
    m.free_pages(bl.Page(b), 10)
    assert flist(m, 10, M) == (1024, 0, 2048, 3072)
    assert flist(m, 9, M) == ()


def test_merge_across_pageblocks_retypes_the_buddy_block():
    """Freeing o9 at 0 (UNMOVABLE) merges with free o9 512 (MOVABLE) and re-types block 512."""
    # mm/page_alloc.c, __free_one_page(), v6.18: order 9 >= pageblock_order, buddy_mt MOVABLE !=
    # UNMOVABLE, both migratetype_is_mergeable() -> del buddy, set_pageblock_migratetype(512,
    # UNMOVABLE), merge to o10 at 0 -> head of free_list[10][UNMOVABLE].  Classic left 512 MOVABLE.
    # Setup: o9 gfp0 -> 0 (claims o10 0 whole: blocks 0, 512 U; 512 o9 U free);
    # o10 M -> 1024, 2048, 3072; o9 M -> claim of o9 U 512 whole (-> M) -> 512.
    # free 512: pcp list 13, count 512 >= high 6 -> nr_pcp_free drains it at once: buddy 0
    # busy, o9 M head (pcp high -> clamp(512 + 1, 4, 512) = 512).  free 0: list 12, count
    # 512 >= 512, drained at once -> the merge above.
    m = real(4096)
    assert alloc(m, UNMOV_NOKSWAPD, 9) == 0
    assert [alloc(m, MOV, 10) for _ in range(3)] + [alloc(m, MOV, 9)] == [1024, 2048, 3072, 512]
    assert blocktypes(m) == {0: U, **{pfn: M for pfn in range(512, 4096, 512)}}
    m.free_pages(512, 9)
    assert flist(m, 9, M) == (512,)
    m.free_pages(bl.Page(0), 9)        # a Page: free_pages(0) would be a NULL address
    assert flist(m, 10, U) == (0,)
    assert flist(m, 9, M) == ()
    assert blocktypes(m) == {0: U, 512: U, **{pfn: M for pfn in range(1024, 4096, 512)}}
    assert pcp(m).count == 0


def test_claim_walks_orders_before_fallback_types():
    """A RECLAIMABLE o4 claims MOVABLE o10 rather than UNMOVABLE o9: largest order first."""
    # mm/page_alloc.c, fallbacks[][], __rmqueue_claim() and find_suitable_fallback(), v6.18.
    # o8 gfp0 -> 0 (o10 0 claimed whole: 512 o9 U, 256 o8 U).  __GFP_RECLAIMABLE o4: U holds
    # 256 (o8) and 512 (o9), M holds 1024 (o10).  The claim walks from the top: cur 10: first
    # fallback UNMOVABLE has no o10 block, MOVABLE has 1024 -> claimed whole (blocks 1024, 1536
    # -> RECLAIMABLE), expand(4, 10): 1536 (o9) ... 1040 (o4) -> 1024.  The larger order wins
    # over the preferred fallback type.
    m = real(4096)
    assert alloc(m, UNMOV_NOKSWAPD, 8) == 0
    assert alloc(m, "GFP_KERNEL|__GFP_RECLAIMABLE", 4) == 1024
    assert blocktypes(m) == {0: U, 512: U, 1024: R, 1536: R, 2048: M, 2560: M, 3072: M, 3584: M}
    assert flist(m, 9, U) == (512,)
    assert flist(m, 9, R) == (1536,)


def test_no_nofragment_when_the_preferred_zone_is_dma32():
    """A GFP_DMA32 unmovable o4 claims a sub-pageblock piece in DMA32 at once; DMA is not tried."""
    # mm/page_alloc.c, alloc_flags_nofragment(): "if (!zone || zone_idx(zone) != ZONE_NORMAL)
    # return alloc_flags" (no ALLOC_NOFRAGMENT), v6.18.  DMA 0-2047, DMA32 2048-4095 (boot
    # [2048, 3072]); movable o10 -> 2048, o9 -> 3072 (3584 o9), o8 -> 3584 (3840 o8 left).
    # __rmqueue_claim() cur 8: head 3840, try_to_claim_block(): free 256, alike 512 - 256 = 256,
    # 512 >= 256 -> block 3584 UNMOVABLE, __rmqueue_smallest(4): 3840, expand 3968(o7) 3904(o6)
    # 3872(o5) 3856(o4).  With ALLOC_NOFRAGMENT it would have claimed DMA's o10 0 instead.
    m = machine([{"DMA": 2048, "DMA32": 2048}], watermark_scale_factor=1)
    assert [alloc(m, MOV, o) for o in (10, 9, 8)] == [2048, 3072, 3584]
    assert alloc(m, "GFP_DMA32", 4) == 3840
    assert blocktypes(m, "DMA32") == {2048: M, 2560: M, 3072: M, 3584: U}
    assert [flist(m, o, U, name="DMA32") for o in (4, 5, 6, 7)] == [(3856,), (3872,), (3904,),
                                                                  (3968,)]
    assert flist(m, 10, M, name="DMA") == (0, 1024)
