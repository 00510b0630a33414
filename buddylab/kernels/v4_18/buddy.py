"""The buddy core: take a block from a free list, split it, free and merge.

Kernel: mm/page_alloc.c (v4.18): __find_buddy_pfn, page_is_buddy, expand,
__rmqueue_smallest, __free_one_page, fallbacks[], can_steal_fallback,
find_suitable_fallback, steal_suitable_fallback, move_freepages(_block),
__rmqueue_fallback, __rmqueue_cma_fallback, __rmqueue,
reserve_highatomic_pageblock, unreserve_highatomic_pageblock.

Every function takes the zone first; pfns stand for struct pages.
"""

from ... import mmzone as mz
from ...mmzone import (MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE,
                     MIGRATE_HIGHATOMIC, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES,
                     MIGRATE_PCPTYPES)
from ...memmap import FREE

# fallbacks[][] as data: the lists a request may raid, in the order tried.
fallbacks = {
    MIGRATE_UNMOVABLE: (MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE),
    MIGRATE_RECLAIMABLE: (MIGRATE_UNMOVABLE, MIGRATE_MOVABLE),
    MIGRATE_MOVABLE: (MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE),
}


def find_buddy_pfn(page_pfn, order):
    """__find_buddy_pfn(): the pfn of the buddy of the order-`order` block at page_pfn.

    Kernel: __find_buddy_pfn() in mm/internal.h.  The buddy differs in bit
    `order` only; the parent block starts at ``page_pfn & buddy_pfn``.

    >>> find_buddy_pfn(8, 1), find_buddy_pfn(10, 1), find_buddy_pfn(8, 3)
    (10, 8, 0)
    """
    return page_pfn ^ (1 << order)


def page_is_buddy(zone, page_pfn, buddy_pfn, order):
    """page_is_buddy(): is buddy_pfn a free block of exactly `order` in page's zone?

    Kernel: page_is_buddy() in mm/page_alloc.c.  PageBuddy and the order in
    page_private must match, and page_zone_id() of the two pages must be
    equal; the migrate type does not matter.  The zones compared are those of
    the two pages themselves: in the tail-placement test both can lie in the
    zone below the one being freed into, and the kernel then still says yes.
    """
    mm = zone.mm
    if buddy_pfn < 0 or buddy_pfn >= mm.nr_pfns:
        return False
    if not mm.buddy[buddy_pfn] or mm.private[buddy_pfn] != order:
        return False
    zone_of_pfn = zone.mm.zone_id
    return zone_of_pfn[buddy_pfn] == zone_of_pfn[page_pfn]


def set_page_order(zone, pfn, order):
    """set_page_order(): PageBuddy on the head page, order in page_private."""
    mm = zone.mm
    mm.buddy[pfn] = 1
    mm.private[pfn] = order


def rmv_page_order(zone, pfn):
    """rmv_page_order(): clear PageBuddy and page_private."""
    mm = zone.mm
    mm.buddy[pfn] = 0
    mm.private[pfn] = 0


def _mark(zone, pfn, order, state):
    """The model's state byte of each page of a block (FREE, PCP): the kernel's PageBuddy
    and list membership.  An order-0 block is one byte, set without a bytes object."""
    if order:
        n = 1 << order
        zone.mm.state[pfn:pfn + n] = bytes([state]) * n
    else:
        zone.mm.state[pfn] = state


def expand(zone, page_pfn, low, high, migratetype):
    """expand(): split an order-`high` block down to `low`, keeping the low half.

    Kernel: expand() in mm/page_alloc.c.  Each round halves the block; the
    upper half goes to the HEAD of free_list[migratetype] one order down, so
    the remainders go back largest first and the caller keeps the lowest pfns.

    >>> # splitting an order-3 block at pfn 8 for an order-0 request puts
    >>> # pfn 12 (order 2), 10 (order 1) and 9 (order 0) on the lists.
    """
    mm = zone.mm
    size = 1 << high
    tr = zone.vm.trace
    while high > low:
        high -= 1
        size >>= 1
        buddy_pfn = page_pfn + size
        mm.list_add(buddy_pfn, zone.free_lists[high][migratetype])
        zone.nr_free[high] += 1
        set_page_order(zone, buddy_pfn, high)
        if tr is not None:
            tr.emit("split", nid=zone.nid, zone=zone.name, pfn=page_pfn, order=high + 1,
                    buddy_pfn=buddy_pfn, buddy_order=high, migratetype=migratetype)


def rmqueue_smallest(zone, order, migratetype):
    """__rmqueue_smallest(): the head block of the smallest non-empty list >= order.

    Kernel: __rmqueue_smallest() in mm/page_alloc.c.  Returns the pfn (the
    block's lowest pages) or -1; the pcp migratetype of the page is set to the
    list it came from.
    """
    mm = zone.mm
    for current_order in range(order, zone.max_order):
        pfn = mm.first(zone.free_lists[current_order][migratetype])
        if pfn < 0:
            continue
        mm.list_del(pfn)
        rmv_page_order(zone, pfn)
        zone.nr_free[current_order] -= 1
        tr = zone.vm.trace
        if tr is not None:
            tr.emit("rmqueue", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                    migratetype=migratetype)
        expand(zone, pfn, order, current_order, migratetype)
        mm.index[pfn] = migratetype            # set_pcppage_migratetype()
        return pfn
    return -1


def free_one_page_locked(zone, pfn, order, migratetype):
    """__free_one_page(): merge with free buddies, then put the block on a list.

    Kernel: __free_one_page() in mm/page_alloc.c (v4.18).  Below
    pageblock_order buddies merge whatever their migrate type; at and above it,
    a merge is refused when exactly one side is MIGRATE_ISOLATE.  The block goes
    to the TAIL of its list when its order+1 parent's buddy is free (merging is
    likely soon; orders < MAX_ORDER-2 only), otherwise to the HEAD.
    """
    mm = zone.mm
    tr = zone.vm.trace
    MAX_ORDER = zone.max_order
    max_order = min(MAX_ORDER, zone.pageblock_order + 1)
    if migratetype != MIGRATE_ISOLATE:
        zone.mod_zone_freepage_state(1 << order, migratetype)
    buddy_pfn = find_buddy_pfn(pfn, order)
    while True:
        merged_all = True
        while order < max_order - 1:
            buddy_pfn = find_buddy_pfn(pfn, order)
            if not page_is_buddy(zone, pfn, buddy_pfn, order):
                merged_all = False
                break
            mm.list_del(buddy_pfn)
            zone.nr_free[order] -= 1
            rmv_page_order(zone, buddy_pfn)
            combined_pfn = buddy_pfn & pfn
            if tr is not None:
                tr.emit("merge", nid=zone.nid, zone=zone.name, pfn=pfn, buddy_pfn=buddy_pfn,
                        order=order, merged_pfn=combined_pfn)
            pfn = combined_pfn
            order += 1
        if not merged_all or max_order >= MAX_ORDER:
            break
        # we reached pageblock_order: go on merging unless isolation forbids it
        if zone.has_isolate_pageblock():
            buddy_pfn = find_buddy_pfn(pfn, order)
            if 0 <= buddy_pfn < mm.nr_pfns:
                buddy_mt = mm.get_pageblock_migratetype(buddy_pfn)
                if migratetype != buddy_mt and (migratetype == MIGRATE_ISOLATE
                                                or buddy_mt == MIGRATE_ISOLATE):
                    break
        max_order += 1
    # done_merging
    set_page_order(zone, pfn, order)
    position = "head"
    if order < MAX_ORDER - 2 and zone.vm.tail_placement:
        combined_pfn = buddy_pfn & pfn
        higher_buddy = find_buddy_pfn(combined_pfn, order + 1)
        if page_is_buddy(zone, combined_pfn, higher_buddy, order + 1):
            position = "tail"
    head = zone.free_lists[order][migratetype]
    if position == "tail":
        mm.list_add_tail(pfn, head)
    else:
        mm.list_add(pfn, head)
    zone.nr_free[order] += 1
    _mark(zone, pfn, order, FREE)
    if tr is not None:
        tr.emit("place", nid=zone.nid, zone=zone.name, pfn=pfn, order=order,
                migratetype=migratetype, position=position)


def free_one_page(zone, pfn, order, migratetype):
    """free_one_page(): re-read the pageblock type when isolation is around, then free.

    Kernel: free_one_page() in mm/page_alloc.c (zone lock taken there).
    """
    if zone.has_isolate_pageblock() or migratetype == MIGRATE_ISOLATE:
        migratetype = zone.mm.get_pageblock_migratetype(pfn)
    free_one_page_locked(zone, pfn, order, migratetype)


def set_pageblock_migratetype(zone, pfn, migratetype):
    """set_pageblock_migratetype(): types below PCPTYPES become UNMOVABLE when
    grouping by mobility is disabled."""
    if zone.vm.page_group_by_mobility_disabled and migratetype < MIGRATE_PCPTYPES:
        migratetype = MIGRATE_UNMOVABLE
    zone.mm.set_pageblock_bits(pfn, migratetype)


def move_freepages(zone, start_pfn, end_pfn, migratetype, count_movable=False):
    """move_freepages(): move every free block that starts in [start, end] to
    free_list[migratetype] (HEAD, list_move); count the LRU pages met.

    Kernel: move_freepages() in mm/page_alloc.c.  Returns (pages_moved,
    movable_pages).  In-use pages count as movable when PageLRU (the model's
    user pages: allocations made with a MOVABLE migrate type).
    """
    mm = zone.mm
    pages_moved = 0
    movable = 0
    pfn = start_pfn
    while pfn <= end_pfn:
        if not mm.buddy[pfn]:
            if count_movable and mm.lru[pfn]:
                movable += 1
            pfn += 1
            continue
        order = mm.private[pfn]
        mm.list_move(pfn, zone.free_lists[order][migratetype])
        pfn += 1 << order
        pages_moved += 1 << order
    return pages_moved, movable


def move_freepages_block(zone, pfn, migratetype, count_movable=False):
    """move_freepages_block(): move_freepages() over pfn's pageblock.

    Kernel: move_freepages_block() in mm/page_alloc.c.  If the block's start
    lies outside the zone the walk starts at the page itself; if its end lies
    outside, nothing is moved (returns 0).
    """
    nr = zone.pageblock_nr_pages
    start_pfn = pfn & ~(nr - 1)
    end_pfn = start_pfn + nr - 1
    if not zone.zone_spans_pfn(start_pfn):
        start_pfn = pfn
    if not zone.zone_spans_pfn(end_pfn):
        return 0, 0
    return move_freepages(zone, start_pfn, end_pfn, migratetype, count_movable)


def can_steal_fallback(zone, order, start_mt):
    """can_steal_fallback(): may this fallback take the whole pageblock?

    Kernel: can_steal_fallback() in mm/page_alloc.c.  Yes for blocks of at least
    pageblock_order/2, for unmovable and reclaimable requests, and when grouping
    by mobility is off; small movable requests take only what they need.
    """
    if order >= zone.pageblock_order:
        return True
    if (order >= zone.pageblock_order // 2 or start_mt == MIGRATE_RECLAIMABLE
            or start_mt == MIGRATE_UNMOVABLE or zone.vm.page_group_by_mobility_disabled):
        return True
    return False


def find_suitable_fallback(zone, order, migratetype, only_stealable):
    """find_suitable_fallback(): the first fallbacks[] list with a block of `order`.

    Kernel: find_suitable_fallback() in mm/page_alloc.c.  Returns
    (fallback_mt or -1, can_steal).
    """
    mm = zone.mm
    if zone.nr_free[order] == 0:
        return -1, False
    can_steal = False
    for fallback_mt in fallbacks[migratetype]:
        if mm.list_empty(zone.free_lists[order][fallback_mt]):
            continue
        if can_steal_fallback(zone, order, migratetype):
            can_steal = True
        if not only_stealable:
            return fallback_mt, can_steal
        if can_steal:
            return fallback_mt, can_steal
    return -1, can_steal


def find_suitable_fallback_mt(zone, order, migratetype, only_stealable):
    """find_suitable_fallback()'s return value alone (the seam's contract: the fallback
    type, or -1); the kernel hands can_steal back through a pointer, which
    find_suitable_fallback() above returns beside it."""
    return find_suitable_fallback(zone, order, migratetype, only_stealable)[0]


def change_pageblock_range(zone, pfn, order, migratetype):
    """change_pageblock_range(): re-type every pageblock of an order >= pageblock block."""
    nr = 1 << (order - zone.pageblock_order)
    while nr:
        set_pageblock_migratetype(zone, pfn, migratetype)
        pfn += zone.pageblock_nr_pages
        nr -= 1


def steal_suitable_fallback(zone, pfn, start_type, whole_block):
    """steal_suitable_fallback(): claim the pageblock, or move just this block.

    Kernel: steal_suitable_fallback() in mm/page_alloc.c (v4.18).  A block of
    pageblock order or more re-types its pageblocks.  Otherwise, when allowed,
    every free block of the pageblock moves to start_type's lists (even if the
    block's type then stays), and the type changes when free + alike pages
    reach half a pageblock.  Else only this block moves (to the list HEAD).
    Returns a dict describing what happened, for the trace.
    """
    mm = zone.mm
    current_order = mm.private[pfn]
    old_block_type = mm.get_pageblock_migratetype(pfn)
    info = dict(claimed=False, moved_pages=0, movable_pages=0, whole_block=whole_block,
                old_pageblock_mt=old_block_type, nr_pageblocks=1)
    single = False
    if old_block_type == MIGRATE_HIGHATOMIC:
        single = True
    elif current_order >= zone.pageblock_order:
        change_pageblock_range(zone, pfn, current_order, start_type)
        info["claimed"] = True
        info["nr_pageblocks"] = 1 << (current_order - zone.pageblock_order)
        single = True
    elif not whole_block:
        single = True
    else:
        free_pages, movable_pages = move_freepages_block(zone, pfn, start_type, True)
        info["moved_pages"] = free_pages
        info["movable_pages"] = movable_pages
        if start_type == MIGRATE_MOVABLE:
            alike_pages = movable_pages
        elif old_block_type == MIGRATE_MOVABLE:
            alike_pages = zone.pageblock_nr_pages - (free_pages + movable_pages)
        else:
            alike_pages = 0
        if not free_pages:
            single = True
        elif (free_pages + alike_pages >= (1 << (zone.pageblock_order - 1))
              or zone.vm.page_group_by_mobility_disabled):
            set_pageblock_migratetype(zone, pfn, start_type)
            info["claimed"] = True
    if single:
        mm.list_move(pfn, zone.free_lists[current_order][start_type])
        info["moved_pages"] = max(info["moved_pages"], 1 << current_order)
    info["new_pageblock_mt"] = mm.get_pageblock_migratetype(pfn)
    return info


def rmqueue_fallback(zone, order, start_migratetype):
    """__rmqueue_fallback(): raid another type's list; True if something moved.

    Kernel: __rmqueue_fallback() in mm/page_alloc.c (v4.18).  Looks for the
    LARGEST block first (orders MAX_ORDER-1 down to `order`), to take a whole
    pageblock and keep types apart.  A movable request that may not steal the
    block falls back to the smallest suitable block instead (find_smallest).
    The caller then retries __rmqueue_smallest() on its own type.
    """
    mm = zone.mm
    current_order = zone.max_order - 1
    fallback_mt = -1
    can_steal = False
    found = False
    while current_order >= order:
        fallback_mt, can_steal = find_suitable_fallback(zone, current_order,
                                                        start_migratetype, False)
        if fallback_mt == -1:
            current_order -= 1
            continue
        if not can_steal and start_migratetype == MIGRATE_MOVABLE and current_order > order:
            # find_smallest:
            for current_order in range(order, zone.max_order):
                fallback_mt, can_steal = find_suitable_fallback(zone, current_order,
                                                                start_migratetype, False)
                if fallback_mt != -1:
                    break
        found = True
        break
    if not found:
        return False
    # do_steal:
    pfn = mm.first(zone.free_lists[current_order][fallback_mt])
    info = steal_suitable_fallback(zone, pfn, start_migratetype, can_steal)
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("fallback", nid=zone.nid, zone=zone.name, pfn=pfn, order=current_order,
                start_migratetype=start_migratetype, fallback_migratetype=fallback_mt,
                whole_block=can_steal, claimed=info["claimed"],
                pageblock_pfn=pfn & ~(zone.pageblock_nr_pages - 1),
                old_pageblock_mt=info["old_pageblock_mt"],
                new_pageblock_mt=info["new_pageblock_mt"], moved_pages=info["moved_pages"],
                nr_pageblocks=info["nr_pageblocks"],
                movable_pages=info["movable_pages"])
        tr.emit("mm_page_alloc_extfrag", pfn=pfn, alloc_order=order,
                fallback_order=current_order, alloc_migratetype=start_migratetype,
                fallback_migratetype=fallback_mt, pageblock_order=zone.pageblock_order,
                change_ownership=int(start_migratetype == mm.get_pageblock_migratetype(pfn)))
    return True


def rmqueue_cma_fallback(zone, order):
    """__rmqueue_cma_fallback(): __rmqueue_smallest() on the CMA lists."""
    return rmqueue_smallest(zone, order, MIGRATE_CMA)


def rmqueue(zone, order, migratetype):
    """__rmqueue(): own list, then CMA (movable only), then fallback and retry.

    Kernel: __rmqueue() in mm/page_alloc.c (v4.18).  Fires
    mm_page_alloc_zone_locked at the end, even when no page was found.
    Returns a pfn or -1.
    """
    while True:
        pfn = rmqueue_smallest(zone, order, migratetype)
        if pfn < 0:
            if migratetype == MIGRATE_MOVABLE:
                pfn = rmqueue_cma_fallback(zone, order)
            if pfn < 0 and rmqueue_fallback(zone, order, migratetype):
                continue
        break
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("mm_page_alloc_zone_locked", pfn=pfn, order=order, migratetype=migratetype,
                percpu_refill=int(order == 0))
    return pfn


def reserve_highatomic_pageblock(zone, pfn, alloc_order):
    """reserve_highatomic_pageblock(): turn the page's pageblock into HIGHATOMIC.

    Kernel: reserve_highatomic_pageblock() in mm/page_alloc.c (v4.18).  At most
    managed/100 + one pageblock may be reserved; HIGHATOMIC, ISOLATE and CMA
    blocks are left alone.
    """
    max_managed = zone.managed_pages // 100 + zone.pageblock_nr_pages
    if zone.nr_reserved_highatomic >= max_managed:
        return False
    mt = zone.mm.get_pageblock_migratetype(pfn)
    if mt in (MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_CMA):
        return False
    zone.nr_reserved_highatomic += zone.pageblock_nr_pages
    set_pageblock_migratetype(zone, pfn, MIGRATE_HIGHATOMIC)
    move_freepages_block(zone, pfn, MIGRATE_HIGHATOMIC)
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("highatomic_reserve", nid=zone.nid, zone=zone.name,
                pageblock_pfn=pfn & ~(zone.pageblock_nr_pages - 1),
                nr_reserved_highatomic=zone.nr_reserved_highatomic)
    return True


def unreserve_highatomic_pageblock(zones, migratetype, force):
    """unreserve_highatomic_pageblock(): give one HIGHATOMIC pageblock back.

    Kernel: unreserve_highatomic_pageblock() in mm/page_alloc.c (v4.18).  Walks
    the zonelist's zones; unless `force`, a zone keeps its last reserved block.
    The first free block found on a HIGHATOMIC list (orders 0 up) has its
    pageblock re-typed to the request's migratetype and its free pages moved.
    Returns True as soon as pages were moved.
    """
    for zone in zones:
        if not force and zone.nr_reserved_highatomic <= zone.pageblock_nr_pages:
            continue
        mm = zone.mm
        for order in range(zone.max_order):
            pfn = mm.first(zone.free_lists[order][MIGRATE_HIGHATOMIC])
            if pfn < 0:
                continue
            if mm.get_pageblock_migratetype(pfn) == MIGRATE_HIGHATOMIC:
                zone.nr_reserved_highatomic -= min(zone.pageblock_nr_pages,
                                                   zone.nr_reserved_highatomic)
            set_pageblock_migratetype(zone, pfn, migratetype)
            moved, _ = move_freepages_block(zone, pfn, migratetype)
            tr = zone.vm.trace
            if tr is not None:
                tr.emit("highatomic_unreserve", nid=zone.nid, zone=zone.name,
                        pageblock_pfn=pfn & ~(zone.pageblock_nr_pages - 1),
                        migratetype=migratetype,
                        nr_reserved_highatomic=zone.nr_reserved_highatomic)
            if moved:
                return True
    return False
