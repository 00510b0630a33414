"""v6.18's watermarks: how they are set (min, low, high, promo) and how a request is checked.

Kernel: __setup_per_zone_wmarks(), setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
calculate_min_free_kbytes(), init_per_zone_wmark_min(), __zone_watermark_unusable_free(),
__zone_watermark_ok(), zone_watermark_ok(), zone_watermark_fast() in mm/page_alloc.c
(v6.18); set_recommended_min_free_kbytes() in mm/khugepaged.c (v6.18).  The numbers come
from buddylab/kernels/v6_18/formulas.py (the one home of each formula); this module applies
them to the model's zones.

Where the boost goes: the stored ``_watermark[]`` (``Zone.watermark``) never includes
``watermark_boost``; every accessor (wmark_pages(), min/low/high_wmark_pages(),
include/linux/mmzone.h) adds it, so get_page_from_freelist() hands zone_watermark_fast() a
boosted mark.  zone_watermark_fast() itself reads the stored, unboosted _watermark[WMARK_MIN]
in its one retry (an order-0 ALLOC_MIN_RESERVE request at the min mark of a boosted zone).

Simplification, said aloud: NR_FREE_PAGES is exact in the model (the kernel's lags by
per-CPU vmstat deltas); zone->nr_free_highatomic is the free pages on the HIGHATOMIC lists,
the counter account_freepages() keeps (in the model as in the kernel), read here.
"""

from ... import mmzone as mz
from . import mmzone as mz618
from . import formulas as _f
from . import pageset as _pageset
from ..v4_18 import watermark as _v418

# unchanged since v4.18: nr_free_buffer_pages() in kB at boot (every watermark still 0)
lowmem_kbytes = _v418.lowmem_kbytes


# ----------------------------------------------------------------- setting them
def setup_per_zone_wmarks(zones, min_free_kbytes, watermark_scale_factor):
    """setup_per_zone_wmarks(): __setup_per_zone_wmarks(), then zone_pcp_update() per zone.

    Kernel: __setup_per_zone_wmarks() and setup_per_zone_wmarks() in mm/page_alloc.c
    (v6.18).  `zones` is every zone of every node.  Each zone gets (min, low, high,
    promo) from formulas.zone_wmarks() (ZONE_MOVABLE left out of lowmem_pages, its min
    clamp(managed / 1024, SWAP_CLUSTER_MAX, 128): 32 for an empty one), its
    watermark_boost is reset to 0, and then, the low watermark having moved, every CPU's
    pcp high_min/high_max is recomputed (zone_pcp_update(zone, 0)).
    """
    table = _f.zone_wmarks([(z.name, z.managed_pages) for z in zones], min_free_kbytes,
                           watermark_scale_factor)
    for z, marks in zip(zones, table):
        z.watermark_boost = 0
        z.watermark[:] = marks
    for z in zones:
        _pageset.zone_pcp_update(z, 0)


def setup_per_zone_lowmem_reserve(node_zones, ratio):
    """setup_per_zone_lowmem_reserve(): lowmem_reserve[] of one node's zones (5 with Device).

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v6.18): entry j of zone
    i is the managed pages of zones i+1..j divided by ratio[i]; all 0 when ratio[i] is 0
    or zone i has no managed pages (formulas.lowmem_reserve_values()).
    """
    rows = _f.lowmem_reserve_values([z.managed_pages for z in node_zones], ratio)
    for zone, row in zip(node_zones, rows):
        zone.lowmem_reserve[:len(row)] = row


def default_min_free_kbytes(lowmem_kbytes):
    """calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes * 16), clamped to 128..262144.

    Kernel: calculate_min_free_kbytes() in mm/page_alloc.c (v6.18); formulas has the rule.
    """
    return _f.calculate_min_free_kbytes(lowmem_kbytes)


def nr_free_buffer_pages(zonelist):
    """nr_free_buffer_pages() of a zonelist (formulas.nr_free_buffer_pages()): managed -
    high_wmark_pages() over its zones up to ZONE_NORMAL (mm/page_alloc.c, v6.18)."""
    return _f.nr_free_buffer_pages((z.idx, z.managed_pages, z.high_wmark_pages())
                                   for z in zonelist)


def set_recommended_min_free_kbytes(zones, zonelist, pageblock_nr_pages, min_free_kbytes,
                                    watermark_scale_factor):
    """khugepaged's start: raise min_free_kbytes to its recommendation; the value in force.

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (v6.18), run when
    khugepaged starts (hugepage_init() -> start_stop_khugepaged(), after
    init_per_zone_wmark_min()).  THP is taken as enabled ("madvise", as on a
    distribution kernel), so hugepage_pmd_enabled() holds: the populated zones up to
    ZONE_NORMAL count (formulas.khugepaged_zone_ok()), nr_free_buffer_pages() is read
    with the watermarks just set, formulas.recommended_min_free_kbytes() gives the
    value, which replaces min_free_kbytes when larger; then setup_per_zone_wmarks()
    runs in either case.
    """
    nr_zones = sum(1 for z in zones if z.populated() and _f.khugepaged_zone_ok(z.idx))
    rec = _f.recommended_min_free_kbytes(pageblock_nr_pages, nr_zones,
                                         nr_free_buffer_pages(zonelist))
    if rec > min_free_kbytes:
        min_free_kbytes = rec
    setup_per_zone_wmarks(zones, min_free_kbytes, watermark_scale_factor)
    return min_free_kbytes


# ----------------------------------------------------------------- checking them
def zone_watermark_unusable_free(z, order, alloc_flags):
    """__zone_watermark_unusable_free(): the free pages this request may not count.

    Kernel: __zone_watermark_unusable_free() in mm/page_alloc.c (v6.18): (1 << order) - 1,
    plus the free HIGHATOMIC pages unless the request has any ALLOC_RESERVES bit, plus
    the free CMA pages unless ALLOC_CMA (a machine without a CMA area has none).  The
    HIGHATOMIC pages are READ_ONCE(z->nr_free_highatomic), read in place: the counter
    account_freepages() keeps as pages join and leave those lists
    (buddy.account_freepages()), not a count of the lists.
    """
    unusable = (1 << order) - 1
    if not alloc_flags & mz618.ALLOC_RESERVES:
        unusable += z.nr_free_highatomic          # READ_ONCE(z->nr_free_highatomic)
    if not alloc_flags & mz618.ALLOC_CMA:
        unusable += z.NR_FREE_CMA_PAGES
    return unusable


def zone_watermark_ok_full(z, order, mark, highest_zoneidx, alloc_flags, free_pages):
    """__zone_watermark_ok(): free pages above the lowered mark, and a block of `order`.

    Kernel: __zone_watermark_ok() in mm/page_alloc.c (v6.18).  With ALLOC_RESERVES:
    ALLOC_MIN_RESERVE halves the mark, and with ALLOC_NON_BLOCK as well takes a quarter
    of what is left (GFP_ATOMIC keeps 3/8 of it); ALLOC_OOM halves what is left.  ALLOC_NON_BLOCK alone (GFP_NOWAIT) lowers nothing.  Fails on ``<=`` the
    mark plus lowmem_reserve[highest_zoneidx]; for order > 0 a free block of that order
    or above must sit on a pcp type's list, the CMA list (ALLOC_CMA) or the HIGHATOMIC
    list (ALLOC_HIGHATOMIC or ALLOC_OOM).
    """
    if order >= z.max_order:
        # "for (o = order; o < NR_PAGE_ORDERS; o++)" finds no list: false, before 1 << order
        return False
    free_pages -= zone_watermark_unusable_free(z, order, alloc_flags)
    min_ = mark
    if alloc_flags & mz618.ALLOC_RESERVES:
        if alloc_flags & mz618.ALLOC_MIN_RESERVE:
            min_ -= min_ // 2
            if alloc_flags & mz618.ALLOC_NON_BLOCK:
                min_ -= min_ // 4
        if alloc_flags & mz618.ALLOC_OOM:
            min_ -= min_ // 2
    if free_pages <= min_ + z.lowmem_reserve[highest_zoneidx]:
        return False
    if order == 0:
        return True
    # unchanged since v4.18 but for the flags that open the CMA and HIGHATOMIC lists
    return _v418.suitable_free_block(z, order, alloc_flags & mz618.ALLOC_CMA,
                                     alloc_flags & (mz618.ALLOC_HIGHATOMIC | mz618.ALLOC_OOM))


def zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags):
    """zone_watermark_ok(): __zone_watermark_ok() with NR_FREE_PAGES (v6.18, as v4.18)."""
    return zone_watermark_ok_full(z, order, mark, highest_zoneidx, alloc_flags,
                                  z.NR_FREE_PAGES)


def zone_watermark_fast(z, order, mark, highest_zoneidx, alloc_flags):
    """zone_watermark_fast(): the order-0 shortcut, the full check, then the boost retry.

    Kernel: zone_watermark_fast() in mm/page_alloc.c (v6.18).  Order 0: the free pages
    less the unusable ones (never below 0: "reserved may over estimate high-atomic
    reserves") pass on ``>`` mark + lowmem_reserve.  Otherwise __zone_watermark_ok().
    If that fails for an order-0 ALLOC_MIN_RESERVE request checked at WMARK_MIN while
    the zone is boosted, the check runs once more against the stored, unboosted
    _watermark[WMARK_MIN]: boosting never blocks __GFP_HIGH at the min mark.  (The
    kernel's gfp_mask argument is not read.)
    """
    free_pages = z.NR_FREE_PAGES
    if order == 0:
        reserved = zone_watermark_unusable_free(z, 0, alloc_flags)
        usable = free_pages - min(free_pages, reserved)
        if usable > mark + z.lowmem_reserve[highest_zoneidx]:
            return True
    if zone_watermark_ok_full(z, order, mark, highest_zoneidx, alloc_flags, free_pages):
        return True
    if order == 0 and alloc_flags & mz618.ALLOC_MIN_RESERVE and z.watermark_boost \
            and (alloc_flags & mz618.ALLOC_WMARK_MASK) == mz618.WMARK_MIN:
        return zone_watermark_ok_full(z, 0, z.watermark[mz618.WMARK_MIN], highest_zoneidx,
                                      alloc_flags, free_pages)
    return False
