"""MODERN: the seam bound to Linux v6.18 (``Machine(kernel="modern")``).

Every attribute of :class:`buddylab.kernels.base.Kernel` is set here.  What v6.18 does
differently lives in this package (mmzone.py, gfp.py, formulas.py and the code beside
them); where v6.18 runs the same rule as v4.18 the attribute names v4.18's function and
the line says so ("unchanged since v4.18").
"""

from ..base import Kernel
from ..v4_18.zonelist import managed_zone
from ... import mmzone as _shared
from ...owners import KINDS as _KINDS, KERNEL as _KERNEL, SLAB as _SLAB, FILE as _FILE, ANON as _ANON
from . import mmzone as _mz
from . import gfp as _gfp
from . import formulas as _f
from . import buddy as _buddy
from . import page_alloc as _alloc
from .events import EVENTS as _EVENTS
from . import pcp as _pcp
from . import page_isolation as _isolation
from . import watermark as _wm          # mproc: watermarks, min_free_kbytes, lowmem_reserve
from . import vmstat as _vmstat         # mproc: the 6.18 /proc layouts
from . import pageset as _pageset       # mproc: batch/high_min/high_max into the pcps

# the GFP mask each owner kind allocates with, in v6.18's bits (owners.KIND_GFP's kinds)
KIND_GFP = {
    _KERNEL: _gfp.GFP_KERNEL,
    _SLAB: _gfp.GFP_KERNEL | _gfp.__GFP_RECLAIMABLE,
    _FILE: _gfp.GFP_HIGHUSER_MOVABLE,
    _ANON: _gfp.GFP_HIGHUSER_MOVABLE,
}
assert set(KIND_GFP) == set(_KINDS)


class Modern(Kernel):
    """Linux v6.18: inclusive MAX_PAGE_ORDER, 14 pcp lists, four watermarks, 6.18 GFP bits.

    Every attribute of the seam is bound here, from this package's modules; where v6.18
    runs the rule v4.18 ran, the line says "unchanged since v4.18" and names v4.18's code.
    """

    name = "modern"
    version = "v6.18"
    aliases = ("v6.18",)

    # orders (include/linux/mmzone.h, v6.18)
    NR_PAGE_ORDERS = _mz.NR_PAGE_ORDERS
    MAX_ORDER = _mz.MAX_PAGE_ORDER           # MAX_PAGE_ORDER: the largest order, inclusive
    order_limit_inclusive = True
    pageblock_order = _shared.pageblock_order                 # unchanged since v4.18
    PAGE_ALLOC_COSTLY_ORDER = _mz.PAGE_ALLOC_COSTLY_ORDER     # unchanged since v4.18
    # zones
    ZONE_NAMES = _mz.ZONE_NAMES
    EMPTY_ZONES = ("Device",)
    # migrate types: enum migratetype, migratetype_names[] and fallbacks[][] keep v4.18's
    # values and contents (6.18 drops fallbacks[]'s MIGRATE_TYPES sentinel rows)
    MIGRATE_TYPES = _shared.MIGRATE_TYPES                     # unchanged since v4.18
    MIGRATETYPE_NAMES = _shared.MIGRATETYPE_NAMES             # unchanged since v4.18
    fallbacks = _buddy.fallbacks                              # unchanged since v4.18
    # per-cpu lists
    NR_PCP_LISTS = _mz.NR_PCP_LISTS
    MIN_PERCPU_PAGELIST_FRACTION = _f.MIN_PERCPU_PAGELIST_HIGH_FRACTION
    pcp_fraction_sysctl = "percpu_pagelist_high_fraction"
    # watermarks
    NR_WMARK = _mz.NR_WMARK
    WMARK_NAMES = _mz.WMARK_NAMES
    # flag encodings
    gfp = _gfp
    alloc_flags = _mz
    kind_gfp = KIND_GFP
    # sysctl ranges and defaults
    watermark_scale_factor_max = 3000    # the sysctl's extra2 (mm/page_alloc.c, v6.18)
    min_free_kbytes_max = _f.MIN_FREE_KBYTES_MAX
    DEFAULT_LOWMEM_RESERVE_RATIO = _f.DEFAULT_LOWMEM_RESERVE_RATIO

    # formulas and zone setup (mproc: kernels/v6_18/watermark.py, formulas.py)
    default_min_free_kbytes = staticmethod(_wm.default_min_free_kbytes)
    lowmem_kbytes = staticmethod(_wm.lowmem_kbytes)             # unchanged since v4.18
    setup_per_zone_wmarks = staticmethod(_wm.setup_per_zone_wmarks)
    set_recommended_min_free_kbytes = staticmethod(_wm.set_recommended_min_free_kbytes)
    setup_per_zone_lowmem_reserve = staticmethod(_wm.setup_per_zone_lowmem_reserve)
    zone_batchsize = staticmethod(_f.zone_batchsize)
    pageset_set_high_and_batch = staticmethod(_pageset.pageset_set_high_and_batch)
    # build_zonerefs_node() adds a zone when managed_zone(zone), as in v4.18
    zonerefs_zone_ok = staticmethod(managed_zone)               # unchanged since v4.18
    # build_zonelists(): node_load[node] += 1, find_next_best_node(): val *= MAX_NUMNODES
    # (mm/page_alloc.c, v6.18; v4.18 assigned a falling load)
    node_load_accumulates = True
    # get_free_pages_noprof(): alloc_pages_noprof(gfp_mask & ~__GFP_HIGHMEM, order)
    # (mm/page_alloc.c, v6.18; v4.18 had VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0))
    get_free_pages_clears_highmem = True

    # the buddy lists (mcore: kernels/v6_18/buddy.py)
    find_buddy_pfn = staticmethod(_buddy.find_buddy_pfn)        # unchanged since v4.18
    rmqueue_smallest = staticmethod(_buddy.rmqueue_smallest)
    expand = staticmethod(_buddy.expand)
    rmqueue = staticmethod(_buddy.rmqueue)
    free_one_page = staticmethod(_buddy.free_one_page)
    rmv_page_order = staticmethod(_buddy.rmv_page_order)        # unchanged since v4.18
    set_pageblock_migratetype = staticmethod(_buddy.set_pageblock_migratetype)  # unchanged
    move_freepages_block = staticmethod(_buddy.move_freepages_block)
    find_suitable_fallback = staticmethod(_buddy.find_suitable_fallback)
    reserve_highatomic_pageblock = staticmethod(_buddy.reserve_highatomic_pageblock)
    unreserve_highatomic_pageblock = staticmethod(_buddy.unreserve_highatomic_pageblock)

    # per-cpu lists (mpcp: kernels/v6_18/pcp.py)
    rmqueue_pcplist = staticmethod(_pcp.rmqueue_pcplist)
    free_unref_page = staticmethod(_pcp.free_unref_page)
    free_pcppages_bulk = staticmethod(_pcp.free_pcppages_bulk)
    drain_pages_zone = staticmethod(_pcp.drain_pages_zone)
    drain_all_pages = staticmethod(_pcp.drain_all_pages)
    order_to_pindex = staticmethod(_pcp.order_to_pindex)
    pindex_to_order = staticmethod(_pcp.pindex_to_order)
    pcp_list_refill = staticmethod(_pcp.pcp_list_refill)
    pcp_high_decays = True
    refresh_cpu_vm_stats = staticmethod(_pcp.refresh_cpu_vm_stats)

    # watermark checks (mproc: kernels/v6_18/watermark.py)
    zone_watermark_ok_full = staticmethod(_wm.zone_watermark_ok_full)
    zone_watermark_ok = staticmethod(_wm.zone_watermark_ok)
    zone_watermark_fast = staticmethod(_wm.zone_watermark_fast)

    # the allocator's entry points (mcore: kernels/v6_18/page_alloc.py)
    prepare_alloc_pages = staticmethod(_alloc.prepare_alloc_pages)
    get_page_from_freelist = staticmethod(_alloc.get_page_from_freelist)
    alloc_pages_nodemask = staticmethod(_alloc.alloc_pages_nodemask)
    alloc_pages_slowpath = staticmethod(_alloc.alloc_pages_slowpath)
    should_reclaim_retry = staticmethod(_alloc.should_reclaim_retry)
    prep_new_page = staticmethod(_alloc.prep_new_page)          # unchanged since v4.18
    free_pages_core = staticmethod(_alloc.free_pages_core)
    free_pages_ok = staticmethod(_alloc.free_pages_ok)
    memblock_free_pages = staticmethod(_alloc.memblock_free_pages)

    # page isolation (mcore: kernels/v6_18/page_isolation.py)
    has_unmovable_pages = staticmethod(_isolation.has_unmovable_pages)  # unchanged since v4.18
    set_migratetype_isolate = staticmethod(_isolation.set_migratetype_isolate)
    unset_migratetype_isolate = staticmethod(_isolation.unset_migratetype_isolate)

    # /proc layouts (mproc: kernels/v6_18/vmstat.py)
    buddyinfo = staticmethod(_vmstat.buddyinfo)                 # unchanged since v4.18
    pagetypeinfo = staticmethod(_vmstat.pagetypeinfo)
    zoneinfo = staticmethod(_vmstat.zoneinfo)
    extfrag_index = staticmethod(_vmstat.extfrag_index)         # unchanged since v4.18
    unusable_index = staticmethod(_vmstat.unusable_index)       # unchanged since v4.18

    # trace events (mcore: kernels/v6_18/events.py)
    EVENTS = _EVENTS


MODERN = Modern()
