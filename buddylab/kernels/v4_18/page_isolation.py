"""v4.18's page isolation: a pageblock's free pages set aside (MIGRATE_ISOLATE) and back.

Kernel: set_migratetype_isolate(), unset_migratetype_isolate() in mm/page_isolation.c and
has_unmovable_pages() in mm/page_alloc.c (v4.18).  The range rules and the checks made before
any block changes are Machine.start_isolate_page_range()'s (shared); these are the per-block
steps, which 6.x does differently (PB_migrate_isolate keeps the block's type).
"""

from ... import mmzone as mz
from ...memmap import RESERVED, HOLE, ALLOCATED
from .buddy import move_freepages_block, find_buddy_pfn, rmv_page_order, set_pageblock_migratetype
from .pcp import drain_pages_zone
from .page_alloc import free_pages_ok


def has_unmovable_pages(zone, pfn, migratetype):
    """has_unmovable_pages(): a reserved page, or an in-use page that is not LRU; else None.

    Kernel: has_unmovable_pages() in mm/page_alloc.c (v4.18): PageReserved
    is unmovable, and a hole inside a zone's span has a struct page marked
    reserved (the model's HOLE pages), so it is unmovable too.  Returns the
    first unmovable pfn of the pageblock at `pfn`.
    """
    mm = zone.mm
    if migratetype == mz.MIGRATE_CMA and mm.get_pageblock_migratetype(pfn) == mz.MIGRATE_CMA:
        return None
    it = 0
    while it < zone.pageblock_nr_pages:
        p = pfn + it
        if mm.state[p] in (RESERVED, HOLE):
            return p
        if mm.refcount[p] == 0:
            if mm.buddy[p]:
                it += (1 << mm.private[p]) - 1
            it += 1
            continue
        if not mm.lru[p]:
            return p
        it += 1
    return None


def set_migratetype_isolate(zone, pfn, nr_cpus):
    """set_migratetype_isolate(): the block's free pages go to the ISOLATE lists and leave
    NR_FREE_PAGES; then every CPU's pcp lists of the zone are drained (v4.18)."""
    mm = zone.mm
    old = mm.get_pageblock_migratetype(pfn)
    mm.set_pageblock_bits(pfn, mz.MIGRATE_ISOLATE)
    zone.nr_isolate_pageblock += 1
    moved, _ = move_freepages_block(zone, pfn, mz.MIGRATE_ISOLATE)
    zone.mod_zone_freepage_state(-moved, old)
    for cpu in range(nr_cpus):
        drain_pages_zone(zone, zone.pageset[cpu], reason="isolation")


def unset_migratetype_isolate(m, zone, pfn, migratetype):
    """unset_migratetype_isolate(): give an isolated block back to `migratetype`.

    Kernel: unset_migratetype_isolate() in mm/page_isolation.c (v4.18).  A free block of
    pageblock order or more at the block's start whose buddy is not isolated is taken out
    (__isolate_free_page() of an ISOLATE page: no watermark check) and freed again so that
    it can merge; otherwise the free pages move back and count in NR_FREE_PAGES again.
    """
    mm = zone.mm
    isolated_page = None
    if mm.buddy[pfn] and mm.private[pfn] >= zone.pageblock_order:
        order = mm.private[pfn]
        bpfn = find_buddy_pfn(pfn, order)
        if not (0 <= bpfn < mm.nr_pfns) or \
                mm.get_pageblock_migratetype(bpfn) != mz.MIGRATE_ISOLATE:
            mm.list_del(pfn)
            zone.nr_free[order] -= 1
            rmv_page_order(zone, pfn)
            isolated_page = (pfn, order)
    if isolated_page is None:
        moved, _ = move_freepages_block(zone, pfn, migratetype)
        zone.mod_zone_freepage_state(moved, migratetype)
    set_pageblock_migratetype(zone, pfn, migratetype)
    zone.nr_isolate_pageblock -= 1
    if isolated_page is not None:
        ipfn, order = isolated_page
        mm.state[ipfn:ipfn + (1 << order)] = bytes([ALLOCATED]) * (1 << order)
        free_pages_ok(m, zone, ipfn, order)
