"""Compaction: scanners, migration through handles, compact_memory, deferral (buddylab/compaction.py)."""

import warnings

import buddylab as bl
from buddylab import compaction as C
from buddylab.owners import ANON, KERNEL


def pinned_machine(kind=ANON):
    """256 pages, 16-page pageblocks; one `kind` page at offset 5 of every pageblock."""
    m = bl.Machine(nodes=[{"Normal": 256}], cpus_per_node=1, max_order=6, pageblock_order=4,
                   min_free_kbytes=0)
    u = m.owner("u")
    hs = [u.alloc(kind) for _ in range(256)]
    assert all(h is not None for h in hs)
    keep = {}
    for h in hs:
        if h.pfn % 16 == 5:
            keep[h.pfn] = h
        else:
            u.free(h)
    m.drain_all_pages()
    return m, keep


def test_one_movable_page_per_block_is_moved():
    """A movable page pinning each block: compaction moves the first, then order 4 succeeds."""
    m, keep = pinned_machine()
    assert m.zone(0, "Normal").nr_free[4] == 0
    t = m.start_trace()
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, order=4)
    # early async compaction migrates pfn 5, the only used page of block 0-15, to the free
    # scanner's first target (the top block's 240-243 split by map_pages(), 243 handed out
    # first); block 0-15 then merges back to order 4 and compaction stops with success
    assert page is not None and page.pfn == 0
    moves = [(e["old_pfn"], e["new_pfn"]) for e in t.of("migrate_page")]
    assert moves == [(5, 243)]
    assert keep[5].pfn == 243 and keep[21].pfn == 21
    assert not t.of("not_modelled")
    m.check()


def test_unmovable_page_pins_block():
    """Kernel pages cannot be isolated: nothing moves and the order-4 request fails."""
    m, _ = pinned_machine(KERNEL)
    t = m.start_trace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NORETRY, order=4)
    assert page is None
    assert not t.of("migrate_page")
    m.check()


def test_compact_memory_whole_zone():
    """compact_memory packs the movable pages into the top pageblocks."""
    m, keep = pinned_machine()
    res = m.compact_memory()
    m.drain_all_pages()
    z = m.zone(0, "Normal")
    assert res["nr_migrated"] > 0 and res["migrate_scanned"] > 0 and res["free_scanned"] > 0
    assert z.nr_free[5] >= 5                  # most of memory is in order-5 blocks again
    assert all(h.pfn >= 224 for h in keep.values())
    m.check()


def test_deferral_and_reset():
    """defer_compaction skips 1 << shift attempts, capped at shift 6; a success resets."""
    z = type("Z", (), {})()
    for _ in range(10):
        C.defer_compaction(z, 9)
    assert z.compact_defer_shift == C.COMPACT_MAX_DEFER_SHIFT
    skipped = sum(C.compaction_deferred(z, 9) for _ in range(64))
    assert skipped == 63
    C.compaction_defer_reset(z, 9, True)
    assert z.compact_defer_shift == 0 and z.compact_order_failed == 10


def test_compaction_suitable_low_memory_skipped():
    """A full zone (order-0 check with compact_gap fails) is COMPACT_SKIPPED."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    u = m.owner("u")
    z = m.zone(0, "Normal")
    while z.NR_FREE_PAGES > z.low_wmark_pages() + 100:
        u.alloc(KERNEL)
    assert C.compaction_suitable(m, z, 9, 0, 2) == C.COMPACT_SKIPPED
    assert C.compaction_suitable(m, z, 2, 0, 2) == C.COMPACT_SUCCESS


def test_no_owners_no_migration():
    """A machine without owners never migrates, and the slow path emits no not_modelled."""
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    t = m.start_trace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NORETRY, order=3) is not None:
            pass
    assert not t.of("migrate_page") and not t.of("not_modelled")
    m.check()


def test_explain_compaction_suitable_gives_a_reason_not_none():
    # mm/compaction.c, compaction_suitable(), v4.18: the extfrag index is computed only
    # for order > PAGE_ALLOC_COSTLY_ORDER after __compaction_suitable() said CONTINUE;
    # otherwise there is no index to show, and the line says why instead.
    spec = bl.Machine(nodes=[{"Normal": 64}]).kernel.EVENTS["compaction_suitable"]

    def ev(order, result, fragindex):
        return bl.trace.Event("compaction_suitable", (("nid", 0), ("zone", "Normal"), ("order", order),
                                                      ("result", result), ("fragindex", fragindex)),
                              spec)
    skipped = bl.explain(ev(1, "skipped", None))
    assert "None" not in skipped and "compact_gap" in skipped
    cont = bl.explain(ev(1, "continue", None))
    assert "None" not in cont and "not costly" in cont
    costly = bl.explain(ev(5, "continue", 935))
    assert "fragmentation index 935" in costly
