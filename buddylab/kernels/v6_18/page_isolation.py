"""v6.18's page isolation: a pageblock's free pages set aside (MIGRATE_ISOLATE) and back.

Kernel: set_migratetype_isolate(), unset_migratetype_isolate() in mm/page_isolation.c and
__move_freepages_block_isolate() (pageblock_isolate_and_move_free_pages(),
pageblock_unisolate_and_move_free_pages()), find_large_buddy(), __isolate_free_page(),
__putback_isolated_page() in mm/page_alloc.c (v6.18).  has_unmovable_pages() is v4.18's
(kernels/v4_18/page_isolation.py): the checks the model can make (reserved pages and holes,
in-use pages that are not LRU, CMA) are the same.

What changed since v4.18: a free buddy larger than a pageblock that covers the block is
taken off its list and freed again pageblock by pageblock (split_large_buddy()), so only
the isolated block's part goes to the ISOLATE lists; free pages move to the list TAIL; the
undo puts a whole free buddy back with FPI_TO_TAIL (__putback_isolated_page()).

Simplification, said aloud: 6.16+ keeps the isolation in its own pageblock bit
(PB_migrate_isolate) beside the block's type, and the undo restores that type; the model's
pageblock holds one type, so the undo gives the block the type its caller names
(Machine.undo_isolate_page_range(migratetype=MOVABLE)), as v4.18's callers did.
"""

from ... import mmzone as mz
from ..v4_18.page_isolation import has_unmovable_pages  # noqa: F401  (unchanged since v4.18)
from . import buddy as B
from . import pcp as P


def find_large_buddy(zone, start_pfn):
    """find_large_buddy(): the head of a free buddy that straddles start_pfn, else start_pfn.

    Kernel: find_large_buddy() in mm/page_alloc.c (v6.18): from start_pfn, align down one
    order at a time (up to MAX_PAGE_ORDER) until a PageBuddy head is met; it counts only if
    its block reaches past start_pfn.
    """
    mm = zone.mm
    order = 0
    pfn = start_pfn
    while not mm.buddy[pfn]:
        order += 1
        if order > B.max_page_order(zone):
            return start_pfn
        pfn &= ~0 << order
    if pfn + (1 << mm.private[pfn]) > start_pfn:
        return pfn
    return start_pfn


def move_freepages_block_isolate(zone, pfn, isolate, migratetype):
    """__move_freepages_block_isolate(): (un)isolate the pageblock and move its free pages.

    Kernel: __move_freepages_block_isolate() in mm/page_alloc.c (v6.18).  A free buddy
    larger than a pageblock that covers the block (the block is its tail, or its head) is
    taken off its list, the block's type is switched, and the buddy is freed again with
    split_large_buddy() so each pageblock's piece goes to its own type's list.  Otherwise
    every free block of the pageblock moves (tail) between the block's type and ISOLATE.
    `migratetype` is the type the block has (isolate) or gets back (undo).
    """
    mm = zone.mm
    prep = B.prep_move_freepages_block(zone, pfn)
    if prep is None:
        return False
    start_pfn = prep[0]
    new_mt = mz.MIGRATE_ISOLATE if isolate else migratetype
    if zone.pageblock_order != B.max_page_order(zone):   # else no buddy spans two blocks
        head = find_large_buddy(zone, start_pfn)          # we're a tail block in a larger buddy
        if head == start_pfn and not (mm.buddy[start_pfn]  # ... or its starting block
                                      and mm.private[start_pfn] > zone.pageblock_order):
            head = -1
        if head >= 0:
            order = mm.private[head]
            B.del_page_from_free_list(zone, head, order, mm.get_pageblock_migratetype(head))
            mm.set_pageblock_bits(start_pfn, new_mt)            # toggle_pageblock_isolate()
            B.split_large_buddy(zone, head, order, B.FPI_NONE)
            return True
    from_mt, to_mt = (migratetype, mz.MIGRATE_ISOLATE) if isolate \
        else (mz.MIGRATE_ISOLATE, migratetype)
    B.move_freepages_block_locked(zone, start_pfn, from_mt, to_mt)
    mm.set_pageblock_bits(start_pfn, new_mt)                    # toggle_pageblock_isolate()
    return True


def set_migratetype_isolate(zone, pfn, nr_cpus):
    """set_migratetype_isolate(): isolate the pageblock and move its free pages away.

    Kernel: set_migratetype_isolate() -> pageblock_isolate_and_move_free_pages() in
    mm/page_isolation.c (v6.18); the Machine has checked has_unmovable_pages().  The
    pages leave NR_FREE_PAGES as they reach the ISOLATE lists (account_freepages()).
    Then every CPU's pcp lists of the zone are drained, as alloc_contig_range() and
    offlining do after isolating (drain_all_pages()): a drained page whose block is
    isolated goes to the ISOLATE lists.
    """
    old = zone.mm.get_pageblock_migratetype(pfn)
    if move_freepages_block_isolate(zone, pfn, True, old):
        zone.nr_isolate_pageblock += 1
    for cpu in range(nr_cpus):
        P.drain_pages_zone(zone, zone.pageset[cpu], reason="isolation")


def unset_migratetype_isolate(m, zone, pfn, migratetype):
    """unset_migratetype_isolate(): give an isolated pageblock back to `migratetype`.

    Kernel: unset_migratetype_isolate() in mm/page_isolation.c (v6.18).  A free buddy of
    pageblock_order or more (below MAX_PAGE_ORDER) starting the block whose buddy is a
    free block outside isolation is taken out (__isolate_free_page(): no watermark for an
    isolated page) and put back with __putback_isolated_page(), i.e. __free_one_page()
    with FPI_TO_TAIL under the block's restored type, so that it merges; otherwise
    pageblock_unisolate_and_move_free_pages() moves the free pages back (tail).
    """
    mm = zone.mm
    if mm.get_pageblock_migratetype(pfn) != mz.MIGRATE_ISOLATE:
        return
    isolated_order = -1
    if mm.buddy[pfn]:
        order = mm.private[pfn]
        if zone.pageblock_order <= order < B.max_page_order(zone):
            bpfn = B.find_buddy_pfn(pfn, order)
            if B.page_is_buddy(zone, pfn, bpfn, order) \
                    and mm.get_pageblock_migratetype(bpfn) != mz.MIGRATE_ISOLATE:
                B.del_page_from_free_list(zone, pfn, order, mz.MIGRATE_ISOLATE)
                isolated_order = order
    if isolated_order < 0:
        move_freepages_block_isolate(zone, pfn, False, migratetype)
    else:
        B.set_pageblock_migratetype(zone, pfn, migratetype)    # clear_pageblock_isolate()
        B.free_one_page_locked(zone, pfn, isolated_order, mm.get_pageblock_migratetype(pfn),
                               B.FPI_SKIP_REPORT_NOTIFY | B.FPI_TO_TAIL)
    zone.nr_isolate_pageblock -= 1
