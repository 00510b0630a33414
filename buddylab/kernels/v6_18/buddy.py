"""The buddy core of v6.18: free lists, splits, merges, claims and steals.

Kernel: mm/page_alloc.c (v6.18): account_freepages, __add_to_free_list,
move_to_free_list, __del_page_from_free_list, del_page_from_free_list,
buddy_merge_likely, __free_one_page, split_large_buddy, free_one_page, expand,
page_del_and_expand, __rmqueue_smallest, __move_freepages_block,
prep_move_freepages_block, move_freepages_block, boost_watermark,
should_try_claim_block, find_suitable_fallback, try_to_claim_block, __rmqueue_claim,
__rmqueue_steal, __rmqueue (enum rmqueue_mode), reserve_highatomic_pageblock,
unreserve_highatomic_pageblock.

Every function takes the zone first; pfns stand for struct pages; -1 is NULL.
The rules that did not change since v4.18 are v4.18's functions, imported below and
said so ("unchanged since v4.18"): __find_buddy_pfn, page_is_buddy, set_buddy_order,
fallbacks[][], change_pageblock_range, set_pageblock_migratetype.

What changed (each in the function that has it): accounting of NR_FREE_PAGES where the
lists change (account_freepages), free HIGHATOMIC pages counted (nr_free_highatomic);
__free_one_page merges up to MAX_PAGE_ORDER in one loop and re-types a mergeable buddy's
pageblock, never merging HIGHATOMIC/CMA/ISOLATE with another type; FPI_TO_TAIL; frees of
more than a pageblock split into pageblocks (split_large_buddy); block moves go to the TAIL
(move_to_free_list); the fallback is a claim (largest order first, only when the whole
pageblock can be taken, nothing moved otherwise) or else a steal (smallest order first, the
block keeps its type); __rmqueue remembers which of these worked (rmqueue_mode).

Simplifications, said aloud: no compaction capture in __free_one_page (the shared compaction
code isolates free pages itself), no page shuffling (is_shuffle_order() is false:
CONFIG_SHUFFLE_PAGE_ALLOCATOR's default page_alloc.shuffle=0), no guard pages, no page
reporting, no NR_FREE_PAGES_BLOCKS counter, no zone lock (nothing runs beside the caller).
"""

from ...mmzone import (MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE,
                       MIGRATE_HIGHATOMIC, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_PCPTYPES)
from ...memmap import FREE
# unchanged since v4.18 (mm/internal.h __find_buddy_pfn(); mm/page_alloc.c page_is_buddy(),
# set_buddy_order() (4.18: set_page_order()), fallbacks[][] (6.18 drops the MIGRATE_TYPES
# sentinel rows, same contents), change_pageblock_range(), set_pageblock_migratetype())
from ..v4_18.buddy import (find_buddy_pfn, page_is_buddy, set_page_order as set_buddy_order,
                           rmv_page_order, fallbacks, change_pageblock_range,
                           set_pageblock_migratetype, _mark)
from .mmzone import ALLOC_NOFRAGMENT, ALLOC_CMA, ALLOC_KSWAPD, pcp_allowed_order

# fpi_t (mm/page_alloc.c, v6.18)
FPI_NONE = 0
FPI_SKIP_REPORT_NOTIFY = 1 << 0
FPI_SKIP_KASAN_POISON = 1 << 1
FPI_TO_TAIL = 1 << 2

# enum rmqueue_mode (mm/page_alloc.c, v6.15+)
RMQUEUE_NORMAL, RMQUEUE_CMA, RMQUEUE_CLAIM, RMQUEUE_STEAL = 0, 1, 2, 3

def migratetype_is_mergeable(mt):
    """migratetype_is_mergeable() (include/linux/mmzone.h, v6.18): mt < MIGRATE_PCPTYPES."""
    return mt < MIGRATE_PCPTYPES


def max_page_order(zone):
    """MAX_PAGE_ORDER of the zone's machine (zone.max_order counts orders, NR_PAGE_ORDERS)."""
    return zone.max_order - 1


# ------------------------------------------------------------------ list primitives
def account_freepages(zone, nr_pages, migratetype):
    """account_freepages(): NR_FREE_PAGES, NR_FREE_CMA_PAGES, nr_free_highatomic.

    Kernel: account_freepages() in mm/page_alloc.c (v6.18).  ISOLATE pages are not free
    pages; CMA and HIGHATOMIC pages are also counted on their own.
    """
    if migratetype == MIGRATE_ISOLATE:
        return
    zone.NR_FREE_PAGES += nr_pages
    if migratetype == MIGRATE_CMA:
        zone.NR_FREE_CMA_PAGES += nr_pages
    elif migratetype == MIGRATE_HIGHATOMIC:
        zone.nr_free_highatomic += nr_pages


def add_to_free_list(zone, pfn, order, migratetype, tail):
    """__add_to_free_list(): list_add_tail() or list_add() on free_list[order][mt]."""
    head = zone.free_lists[order][migratetype]
    if tail:
        zone.mm.list_add_tail(pfn, head)
    else:
        zone.mm.list_add(pfn, head)
    zone.nr_free[order] += 1


def move_to_free_list(zone, pfn, order, old_mt, new_mt):
    """move_to_free_list(): list_move_tail() onto free_list[order][new_mt], re-accounted.

    Kernel: move_to_free_list() in mm/page_alloc.c (v6.18): the TAIL (since v5.10).
    """
    mm = zone.mm
    mm.list_del(pfn)
    mm.list_add_tail(pfn, zone.free_lists[order][new_mt])
    account_freepages(zone, -(1 << order), old_mt)
    account_freepages(zone, 1 << order, new_mt)


def del_page_from_free_list_nocount(zone, pfn, order):
    """__del_page_from_free_list(): unlink, clear PageBuddy, nr_free - 1 (no accounting)."""
    zone.mm.list_del(pfn)
    rmv_page_order(zone, pfn)
    zone.nr_free[order] -= 1


def del_page_from_free_list(zone, pfn, order, migratetype):
    """del_page_from_free_list(): __del_page_from_free_list() and account_freepages()."""
    del_page_from_free_list_nocount(zone, pfn, order)
    account_freepages(zone, -(1 << order), migratetype)


# ------------------------------------------------------------------------ freeing
def buddy_merge_likely(zone, pfn, buddy_pfn, order):
    """buddy_merge_likely(): is the order+1 parent's buddy free (merge soon: go to the tail)?

    Kernel: buddy_merge_likely() in mm/page_alloc.c (v6.18): false for
    order >= MAX_PAGE_ORDER - 1.  The model's tail_placement switch turns it off.
    """
    if order >= max_page_order(zone) - 1 or not zone.vm.tail_placement:
        return False
    higher_page_pfn = buddy_pfn & pfn
    return page_is_buddy(zone, higher_page_pfn, find_buddy_pfn(higher_page_pfn, order + 1),
                         order + 1)


def free_one_page_locked(zone, pfn, order, migratetype, fpi=FPI_NONE):
    """__free_one_page(): merge with free buddies up to MAX_PAGE_ORDER, then list the block.

    Kernel: __free_one_page() in mm/page_alloc.c (v6.18).  At order >= pageblock_order the
    buddy's pageblock type is read: different types merge only when both are mergeable
    (UNMOVABLE, MOVABLE, RECLAIMABLE), and then the buddy's pageblock is RE-TYPED to
    `migratetype` (so expand() later puts the halves on the right lists); HIGHATOMIC, CMA
    and ISOLATE never merge across.  Placement: FPI_TO_TAIL first, else
    buddy_merge_likely() picks the tail, else the head.
    """
    mm = zone.mm
    tr = zone.vm.trace
    account_freepages(zone, 1 << order, migratetype)
    buddy_pfn = find_buddy_pfn(pfn, order)
    while order < max_page_order(zone):
        buddy_pfn = find_buddy_pfn(pfn, order)
        if not page_is_buddy(zone, pfn, buddy_pfn, order):
            break
        buddy_mt = migratetype
        if order >= zone.pageblock_order:
            buddy_mt = mm.get_pageblock_migratetype(buddy_pfn)
            if migratetype != buddy_mt and (not migratetype_is_mergeable(migratetype)
                                            or not migratetype_is_mergeable(buddy_mt)):
                break
        del_page_from_free_list_nocount(zone, buddy_pfn, order)
        if buddy_mt != migratetype:
            set_pageblock_migratetype(zone, buddy_pfn, migratetype)
        combined_pfn = buddy_pfn & pfn
        if tr is not None:
            tr.emit("merge", nid=zone.nid, zone=zone.name, pfn=pfn, buddy_pfn=buddy_pfn,
                    order=order, merged_pfn=combined_pfn)
        pfn = combined_pfn
        order += 1
    # done_merging:
    set_buddy_order(zone, pfn, order)
    if fpi & FPI_TO_TAIL:
        to_tail = True
    else:
        to_tail = buddy_merge_likely(zone, pfn, buddy_pfn, order)
    add_to_free_list(zone, pfn, order, migratetype, to_tail)
    _mark(zone, pfn, order, FREE)
    if tr is not None:
        tr.emit("place", nid=zone.nid, zone=zone.name, pfn=pfn, order=order,
                migratetype=migratetype, position="tail" if to_tail else "head")


def split_large_buddy(zone, pfn, order, fpi=FPI_NONE):
    """split_large_buddy(): free a block pageblock by pageblock, each with its own type.

    Kernel: split_large_buddy() in mm/page_alloc.c (v6.18).  A block larger than a
    pageblock is freed as pageblock_order pieces in ascending pfn order, each with
    get_pfnblock_migratetype() of its own pageblock; the pieces merge again in
    __free_one_page() (the later piece's type wins when both are mergeable).
    """
    end = pfn + (1 << order)
    if order > zone.pageblock_order:
        order = zone.pageblock_order
    while True:
        mt = zone.mm.get_pageblock_migratetype(pfn)
        free_one_page_locked(zone, pfn, order, mt, fpi)
        pfn += 1 << order
        if pfn == end:
            break


def free_one_page(zone, pfn, order, migratetype=None, fpi=FPI_NONE):
    """free_one_page(): take the zone lock and split_large_buddy().

    Kernel: free_one_page() in mm/page_alloc.c (v6.18).  6.18 passes no migrate type: each
    pageblock's own type is read; `migratetype` (the seam's v4.18 argument) is ignored.
    """
    split_large_buddy(zone, pfn, order, fpi)


# ---------------------------------------------------------------------- allocating
def expand(zone, page_pfn, low, high, migratetype):
    """expand(): split an order-`high` block down to `low`, upper halves to the list HEADs.

    Kernel: expand() in mm/page_alloc.c (v6.18).  Returns nr_added, the pages put back
    (the caller accounts them).
    """
    size = 1 << high
    nr_added = 0
    tr = zone.vm.trace
    while high > low:
        high -= 1
        size >>= 1
        buddy_pfn = page_pfn + size
        add_to_free_list(zone, buddy_pfn, high, migratetype, False)
        set_buddy_order(zone, buddy_pfn, high)
        nr_added += size
        if tr is not None:
            tr.emit("split", nid=zone.nid, zone=zone.name, pfn=page_pfn, order=high + 1,
                    buddy_pfn=buddy_pfn, buddy_order=high, migratetype=migratetype)
    return nr_added


def page_del_and_expand(zone, pfn, low, high, migratetype):
    """page_del_and_expand(): take the block off its list, expand(), account what left."""
    nr_pages = 1 << high
    del_page_from_free_list_nocount(zone, pfn, high)
    nr_pages -= expand(zone, pfn, low, high, migratetype)
    account_freepages(zone, -nr_pages, migratetype)


def rmqueue_smallest(zone, order, migratetype):
    """__rmqueue_smallest(): the head block of the smallest non-empty list >= order.

    Kernel: __rmqueue_smallest() in mm/page_alloc.c (v6.18): orders order..MAX_PAGE_ORDER,
    page_del_and_expand(), then mm_page_alloc_zone_locked (only on success) with
    percpu_refill = pcp_allowed_order(order) && migratetype < MIGRATE_PCPTYPES.
    Returns the pfn or -1.
    """
    mm = zone.mm
    tr = zone.vm.trace
    for current_order in range(order, zone.max_order):
        pfn = mm.first(zone.free_lists[current_order][migratetype])
        if pfn < 0:
            continue
        if tr is not None:
            tr.emit("rmqueue", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                    migratetype=migratetype)
        page_del_and_expand(zone, pfn, order, current_order, migratetype)
        if tr is not None:
            tr.emit("mm_page_alloc_zone_locked", pfn=pfn, order=order, migratetype=migratetype,
                    percpu_refill=int(pcp_allowed_order(order)
                                      and migratetype < MIGRATE_PCPTYPES))
        return pfn
    return -1


# ------------------------------------------------------------------ pageblock moves
def move_freepages_block_locked(zone, start_pfn, old_mt, new_mt):
    """__move_freepages_block(): every free block of the pageblock to new_mt's TAILs.

    Kernel: __move_freepages_block() in mm/page_alloc.c (v6.18): ascending pfn, each
    PageBuddy head moved with move_to_free_list().  The pageblock type is not changed.
    Returns the pages moved.
    """
    mm = zone.mm
    end_pfn = start_pfn + zone.pageblock_nr_pages - 1
    pages_moved = 0
    pfn = start_pfn
    while pfn <= end_pfn:
        if not mm.buddy[pfn]:
            pfn += 1
            continue
        order = mm.private[pfn]
        move_to_free_list(zone, pfn, order, old_mt, new_mt)
        pfn += 1 << order
        pages_moved += 1 << order
    return pages_moved


def prep_move_freepages_block(zone, pfn, count=False):
    """prep_move_freepages_block(): the pageblock's start, or None if it leaves the zone.

    Kernel: prep_move_freepages_block() in mm/page_alloc.c (v6.18): refused when the
    block's first OR last pfn lies outside the zone.  With `count`, also the free pages
    (buddy heads, 1 << order each) and the movable in-use pages (PageLRU) of the block.
    Returns (start_pfn, num_free, num_movable) or None.
    """
    mm = zone.mm
    start = pfn & ~(zone.pageblock_nr_pages - 1)
    end = start + zone.pageblock_nr_pages - 1
    if not zone.zone_spans_pfn(start) or not zone.zone_spans_pfn(end):
        return None
    num_free = num_movable = 0
    if count:
        p = start
        while p <= end:
            if mm.buddy[p]:
                nr = 1 << mm.private[p]
                num_free += nr
                p += nr
                continue
            if mm.lru[p]:
                num_movable += 1
            p += 1
    return start, num_free, num_movable


def move_freepages_block(zone, pfn, old_mt, new_mt):
    """move_freepages_block(): move the pageblock's free pages and re-type it; -1 at an edge.

    Kernel: move_freepages_block() in mm/page_alloc.c (v6.18).
    """
    prep = prep_move_freepages_block(zone, pfn)
    if prep is None:
        return -1
    start_pfn = prep[0]
    res = move_freepages_block_locked(zone, start_pfn, old_mt, new_mt)
    set_pageblock_migratetype(zone, start_pfn, new_mt)
    return res


# ------------------------------------------------------------------------ fallback
def boost_watermark(zone):
    """boost_watermark(): raise watermark_boost by a pageblock, capped; True if it did.

    Kernel: boost_watermark() in mm/page_alloc.c (v6.18): nothing when
    vm.watermark_boost_factor is 0, when the zone has fewer than 4 pageblocks of managed
    pages, or when mult_frac(_watermark[WMARK_HIGH], factor, 10000) is 0; the cap is
    max(pageblock_nr_pages, that).
    """
    factor = zone.vm.watermark_boost_factor
    if not factor:
        return False
    if zone.pageblock_nr_pages * 4 > zone.managed_pages:
        return False
    high = zone.watermark[2]                        # _watermark[WMARK_HIGH]
    max_boost = (high // 10000) * factor + (high % 10000) * factor // 10000   # mult_frac()
    if not max_boost:
        return False
    max_boost = max(zone.pageblock_nr_pages, max_boost)
    zone.watermark_boost = min(zone.watermark_boost + zone.pageblock_nr_pages, max_boost)
    return True


def should_try_claim_block(zone, order, start_mt):
    """should_try_claim_block(): may a fallback of this order claim the whole pageblock?

    Kernel: should_try_claim_block() in mm/page_alloc.c (v6.18): the predicate of v4.18's
    can_steal_fallback() - blocks of pageblock_order/2 or more, unmovable and reclaimable
    requests, or grouping by mobility disabled.
    """
    if order >= zone.pageblock_order:
        return True
    if order >= zone.pageblock_order // 2:
        return True
    if start_mt == MIGRATE_RECLAIMABLE or start_mt == MIGRATE_UNMOVABLE:
        return True
    if zone.vm.page_group_by_mobility_disabled:
        return True
    return False


def find_suitable_fallback(zone, order, migratetype, claimable):
    """find_suitable_fallback(): the first fallbacks[] type with a free block of `order`.

    Kernel: find_suitable_fallback() in mm/page_alloc.c (v6.18): -2 when `claimable` and
    should_try_claim_block() says no (tested before nr_free), -1 when none, else the type.
    """
    if claimable and not should_try_claim_block(zone, order, migratetype):
        return -2
    if zone.nr_free[order] == 0:
        return -1
    for fallback_mt in fallbacks[migratetype]:
        if not zone.mm.list_empty(zone.free_lists[order][fallback_mt]):
            return fallback_mt
    return -1


def try_to_claim_block(zone, pfn, current_order, order, start_type, block_type, alloc_flags):
    """try_to_claim_block(): take over the fallback block's pageblock, or nothing.

    Kernel: try_to_claim_block() in mm/page_alloc.c (v6.18).  A block of pageblock_order
    or more: re-type its pageblocks and expand() it onto start_type's lists, returning it.
    Smaller: boost_watermark() (ZONE_BOOSTED_WATERMARK with ALLOC_KSWAPD), then count the
    pageblock's free and compatible pages; when free + alike >= half a pageblock, move all
    its free blocks to start_type's TAILs, re-type it, and __rmqueue_smallest().  Else
    NOTHING moves and -1 is returned.
    """
    tr = zone.vm.trace
    if current_order >= zone.pageblock_order:
        del_page_from_free_list(zone, pfn, current_order, block_type)
        change_pageblock_range(zone, pfn, current_order, start_type)
        nr_added = expand(zone, pfn, order, current_order, start_type)
        account_freepages(zone, nr_added, start_type)
        if tr is not None:
            tr.emit("claim", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                    start_migratetype=start_type, fallback_migratetype=block_type,
                    pageblock_pfn=pfn & ~(zone.pageblock_nr_pages - 1),
                    nr_pageblocks=1 << (current_order - zone.pageblock_order),
                    free_pages=1 << current_order, alike_pages=0, claimed=True)
        return pfn
    if boost_watermark(zone) and alloc_flags & ALLOC_KSWAPD:
        zone.boosted_watermark = True                  # set_bit(ZONE_BOOSTED_WATERMARK)
    prep = prep_move_freepages_block(zone, pfn, count=True)
    if prep is None:
        return -1
    start_pfn, free_pages, movable_pages = prep
    if start_type == MIGRATE_MOVABLE:
        alike_pages = movable_pages
    elif block_type == MIGRATE_MOVABLE:
        alike_pages = zone.pageblock_nr_pages - (free_pages + movable_pages)
    else:
        alike_pages = 0
    claimed = (free_pages + alike_pages >= (1 << (zone.pageblock_order - 1))
               or zone.vm.page_group_by_mobility_disabled)
    if tr is not None:
        tr.emit("claim", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                start_migratetype=start_type, fallback_migratetype=block_type,
                pageblock_pfn=start_pfn, nr_pageblocks=1, free_pages=free_pages,
                alike_pages=alike_pages, claimed=claimed)
    if claimed:
        move_freepages_block_locked(zone, start_pfn, block_type, start_type)
        set_pageblock_migratetype(zone, start_pfn, start_type)
        return rmqueue_smallest(zone, order, start_type)
    return -1


def _extfrag(zone, pfn, order, current_order, start_mt, fallback_mt):
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("mm_page_alloc_extfrag", pfn=pfn, alloc_order=order,
                fallback_order=current_order, alloc_migratetype=start_mt,
                fallback_migratetype=fallback_mt, pageblock_order=zone.pageblock_order,
                change_ownership=int(zone.mm.get_pageblock_migratetype(pfn) == start_mt))


def rmqueue_claim(zone, order, start_migratetype, alloc_flags):
    """__rmqueue_claim(): claim a whole pageblock of another type, LARGEST order first.

    Kernel: __rmqueue_claim() in mm/page_alloc.c (v6.18): orders MAX_PAGE_ORDER down to
    `order` (down to pageblock_order with ALLOC_NOFRAGMENT); at each order the head block
    of the first fallbacks[] type with a block; -2 (too small to claim) ends the search;
    a refused claim goes on with the next lower order.  Fires mm_page_alloc_extfrag.
    """
    mm = zone.mm
    min_order = order
    if order < zone.pageblock_order and alloc_flags & ALLOC_NOFRAGMENT:
        min_order = zone.pageblock_order
    for current_order in range(max_page_order(zone), min_order - 1, -1):
        fallback_mt = find_suitable_fallback(zone, current_order, start_migratetype, True)
        if fallback_mt == -1:
            continue
        if fallback_mt == -2:
            break
        pfn = mm.first(zone.free_lists[current_order][fallback_mt])
        pfn = try_to_claim_block(zone, pfn, current_order, order, start_migratetype,
                                 fallback_mt, alloc_flags)
        if pfn >= 0:
            _extfrag(zone, pfn, order, current_order, start_migratetype, fallback_mt)
            return pfn
    return -1


def rmqueue_steal(zone, order, start_migratetype):
    """__rmqueue_steal(): take one block of another type, SMALLEST order first.

    Kernel: __rmqueue_steal() in mm/page_alloc.c (v6.18): the head block of the first
    fallbacks[] type at the smallest order that has one; page_del_and_expand() leaves the
    remainders on the fallback type's lists and the pageblock keeps its type.  Fires
    mm_page_alloc_extfrag (change_ownership 0), no mm_page_alloc_zone_locked.
    """
    mm = zone.mm
    for current_order in range(order, zone.max_order):
        fallback_mt = find_suitable_fallback(zone, current_order, start_migratetype, False)
        if fallback_mt == -1:
            continue
        pfn = mm.first(zone.free_lists[current_order][fallback_mt])
        tr = zone.vm.trace
        if tr is not None:
            tr.emit("steal", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                    start_migratetype=start_migratetype, fallback_migratetype=fallback_mt)
        page_del_and_expand(zone, pfn, order, current_order, fallback_mt)
        _extfrag(zone, pfn, order, current_order, start_migratetype, fallback_mt)
        return pfn
    return -1


def rmqueue(zone, order, migratetype, alloc_flags, mode=RMQUEUE_NORMAL):
    """__rmqueue(): own type, CMA, claim, steal - resuming at the caller's `mode`.

    Kernel: __rmqueue() in mm/page_alloc.c (v6.18), with enum rmqueue_mode: the caller
    owns the mode (rmqueue_bulk() one for the whole refill, rmqueue_buddy() a fresh one);
    each case falls through to the next; a CMA success sets RMQUEUE_CMA, a claim resets
    RMQUEUE_NORMAL, a steal sets RMQUEUE_STEAL, so later pages of the same refill skip
    what already failed.  Steals are skipped under ALLOC_NOFRAGMENT.  First, with
    ALLOC_CMA, CMA is taken when more than half the zone's free pages are CMA.
    Returns (pfn or -1, mode).
    """
    if alloc_flags & ALLOC_CMA and zone.NR_FREE_CMA_PAGES > zone.NR_FREE_PAGES // 2:
        pfn = rmqueue_smallest(zone, order, MIGRATE_CMA)
        if pfn >= 0:
            return pfn, mode
    if mode <= RMQUEUE_NORMAL:
        pfn = rmqueue_smallest(zone, order, migratetype)
        if pfn >= 0:
            return pfn, mode
    if mode <= RMQUEUE_CMA:
        if alloc_flags & ALLOC_CMA:
            pfn = rmqueue_smallest(zone, order, MIGRATE_CMA)
            if pfn >= 0:
                return pfn, RMQUEUE_CMA
    if mode <= RMQUEUE_CLAIM:
        pfn = rmqueue_claim(zone, order, migratetype, alloc_flags)
        if pfn >= 0:
            return pfn, RMQUEUE_NORMAL
    if mode <= RMQUEUE_STEAL:
        if not alloc_flags & ALLOC_NOFRAGMENT:
            pfn = rmqueue_steal(zone, order, migratetype)
            if pfn >= 0:
                return pfn, RMQUEUE_STEAL
    return -1, mode


# ---------------------------------------------------------------- highatomic reserve
def reserve_highatomic_pageblock(zone, pfn, order):
    """reserve_highatomic_pageblock(): make the page's pageblock(s) HIGHATOMIC.

    Kernel: reserve_highatomic_pageblock() in mm/page_alloc.c (v6.18): none when 1% of
    the zone is less than a pageblock; at most ALIGN(managed / 100, pageblock_nr_pages);
    only mergeable types; below pageblock_order the pageblock's free pages move (tail),
    at or above it every pageblock of the block is re-typed.  True if reserved.
    """
    nr = zone.pageblock_nr_pages
    if zone.managed_pages // 100 < nr:
        return False
    max_managed = -(-(zone.managed_pages // 100) // nr) * nr
    if zone.nr_reserved_highatomic >= max_managed:
        return False
    mt = zone.mm.get_pageblock_migratetype(pfn)
    if not migratetype_is_mergeable(mt):
        return False
    if order < zone.pageblock_order:
        if move_freepages_block(zone, pfn, mt, MIGRATE_HIGHATOMIC) == -1:
            return False
        zone.nr_reserved_highatomic += nr
    else:
        change_pageblock_range(zone, pfn, order, MIGRATE_HIGHATOMIC)
        zone.nr_reserved_highatomic += 1 << order
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("highatomic_reserve", nid=zone.nid, zone=zone.name,
                pageblock_pfn=pfn & ~(nr - 1),
                nr_reserved_highatomic=zone.nr_reserved_highatomic)
    return True


def unreserve_highatomic_pageblock(zones, migratetype, force):
    """unreserve_highatomic_pageblock(): hand one HIGHATOMIC block back to `migratetype`.

    Kernel: unreserve_highatomic_pageblock() in mm/page_alloc.c (v6.18): unless `force`, a
    zone keeps its last reserved pageblock; the first free HIGHATOMIC block (orders 0 up)
    lowers nr_reserved_highatomic by max(pageblock_nr_pages, 1 << order) (at most what is
    reserved), then its pageblock's free pages move to the tail of `migratetype`'s lists
    (move_freepages_block) or, for a block of pageblock_order or more, the block moves and
    all its pageblocks are re-typed.  True once pages moved.
    """
    for zone in zones:
        nr = zone.pageblock_nr_pages
        if not force and zone.nr_reserved_highatomic <= nr:
            continue
        mm = zone.mm
        for order in range(zone.max_order):
            pfn = mm.first(zone.free_lists[order][MIGRATE_HIGHATOMIC])
            if pfn < 0:
                continue
            size = min(max(nr, 1 << order), zone.nr_reserved_highatomic)
            zone.nr_reserved_highatomic -= size
            if order < zone.pageblock_order:
                ret = move_freepages_block(zone, pfn, MIGRATE_HIGHATOMIC, migratetype)
            else:
                move_to_free_list(zone, pfn, order, MIGRATE_HIGHATOMIC, migratetype)
                change_pageblock_range(zone, pfn, order, migratetype)
                ret = 1
            tr = zone.vm.trace
            if tr is not None:
                tr.emit("highatomic_unreserve", nid=zone.nid, zone=zone.name,
                        pageblock_pfn=pfn & ~(nr - 1), migratetype=migratetype,
                        nr_reserved_highatomic=zone.nr_reserved_highatomic)
            if ret > 0:
                return True
    return False
