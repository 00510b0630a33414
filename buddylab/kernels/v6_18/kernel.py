"""MODERN: the seam bound to Linux v6.18 (``Machine(kernel="modern")``).

Every attribute of :class:`buddylab.kernels.base.Kernel` is set here.  What v6.18 does
differently lives in this package (mmzone.py, gfp.py, formulas.py and the code beside
them); where v6.18 runs the same rule as v4.18 the attribute names v4.18's function and
the line says so ("unchanged since v4.18").
"""

from ..v4_18.kernel import Classic
from ... import mmzone as _shared
from ...owners import KINDS as _KINDS, KERNEL as _KERNEL, SLAB as _SLAB, FILE as _FILE, ANON as _ANON
from . import mmzone as _mz
from . import gfp as _gfp
from . import formulas as _f
from . import buddy as _buddy
from . import page_alloc as _alloc
from .events import EVENTS as _EVENTS
from ..v4_18 import pcp as _classic_pcp

# the GFP mask each owner kind allocates with, in v6.18's bits (owners.KIND_GFP's kinds)
KIND_GFP = {
    _KERNEL: _gfp.GFP_KERNEL,
    _SLAB: _gfp.GFP_KERNEL | _gfp.__GFP_RECLAIMABLE,
    _FILE: _gfp.GFP_HIGHUSER_MOVABLE,
    _ANON: _gfp.GFP_HIGHUSER_MOVABLE,
}
assert set(KIND_GFP) == set(_KINDS)


# TODO(mpcp): v6_18/pcp.py's rmqueue_pcplist(preferred_zone, zone, order, migratetype,
# alloc_flags, pcp) and free_unref_page(zone, pcp, pfn, order) replace these two interim
# adapters over v4.18's order-0 pcp code; until then the other pcp orders (1-3, THP) go
# straight to the buddy lists.
def _interim_rmqueue_pcplist(preferred_zone, zone, order, migratetype, alloc_flags, pcp):
    if order:
        return -1
    return _classic_pcp.rmqueue_pcplist(zone, pcp, migratetype)


def _interim_free_unref_page(zone, pcp, pfn, order=0):
    if order:
        _buddy.free_one_page(zone, pfn, order)
        return
    _classic_pcp.free_unref_page(zone, pcp, pfn)


class Modern(Classic):
    """Linux v6.18: inclusive MAX_PAGE_ORDER, 14 pcp lists, four watermarks, 6.18 GFP bits.

    PLACEHOLDER STATE (issue 10, being built): functions not yet overridden below are
    v4.18's, inherited from Classic; each must be replaced by its v6.18 version or marked
    "unchanged since v4.18" after reading the 6.18 source.
    """

    name = "modern"
    version = "v6.18"
    aliases = ("v6.18",)

    NR_PAGE_ORDERS = _mz.NR_PAGE_ORDERS
    MAX_ORDER = _mz.MAX_PAGE_ORDER           # MAX_PAGE_ORDER: the largest order, inclusive
    order_limit_inclusive = True
    ZONE_NAMES = _mz.ZONE_NAMES
    EMPTY_ZONES = ("Device",)
    NR_PCP_LISTS = _mz.NR_PCP_LISTS
    MIN_PERCPU_PAGELIST_FRACTION = _f.MIN_PERCPU_PAGELIST_HIGH_FRACTION
    pcp_fraction_sysctl = "percpu_pagelist_high_fraction"
    NR_WMARK = _mz.NR_WMARK
    WMARK_NAMES = _mz.WMARK_NAMES
    gfp = _gfp
    alloc_flags = _mz
    kind_gfp = KIND_GFP
    min_free_kbytes_max = _f.MIN_FREE_KBYTES_MAX
    DEFAULT_LOWMEM_RESERVE_RATIO = _f.DEFAULT_LOWMEM_RESERVE_RATIO

    # the buddy lists (mm/page_alloc.c, v6.18)
    find_buddy_pfn = staticmethod(_buddy.find_buddy_pfn)            # unchanged since v4.18
    rmqueue_smallest = staticmethod(_buddy.rmqueue_smallest)
    expand = staticmethod(_buddy.expand)
    rmqueue = staticmethod(_buddy.rmqueue)
    free_one_page = staticmethod(_buddy.free_one_page)
    rmv_page_order = staticmethod(_buddy.rmv_page_order)            # unchanged since v4.18
    set_pageblock_migratetype = staticmethod(_buddy.set_pageblock_migratetype)
    move_freepages_block = staticmethod(_buddy.move_freepages_block)
    find_suitable_fallback = staticmethod(_buddy.find_suitable_fallback)
    reserve_highatomic_pageblock = staticmethod(_buddy.reserve_highatomic_pageblock)
    unreserve_highatomic_pageblock = staticmethod(_buddy.unreserve_highatomic_pageblock)

    # per-cpu lists: TODO(mpcp) interim adapters over v4.18's order-0 code
    rmqueue_pcplist = staticmethod(_interim_rmqueue_pcplist)
    free_unref_page = staticmethod(_interim_free_unref_page)

    # the allocator's entry points (mm/page_alloc.c, v6.18)
    prepare_alloc_pages = staticmethod(_alloc.prepare_alloc_pages)
    get_page_from_freelist = staticmethod(_alloc.get_page_from_freelist)
    alloc_pages_nodemask = staticmethod(_alloc.alloc_pages_nodemask)
    alloc_pages_slowpath = staticmethod(_alloc.alloc_pages_slowpath)
    should_reclaim_retry = staticmethod(_alloc.should_reclaim_retry)
    prep_new_page = staticmethod(_alloc.prep_new_page)                # unchanged since v4.18
    free_pages_core = staticmethod(_alloc.free_pages_core)
    free_pages_ok = staticmethod(_alloc.free_pages_ok)
    memblock_free_pages = staticmethod(_alloc.memblock_free_pages)

    EVENTS = _EVENTS


MODERN = Modern()
