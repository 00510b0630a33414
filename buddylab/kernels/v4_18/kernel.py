"""CLASSIC: the seam bound to Linux v4.18 (``Machine(kernel="classic")``).

Every attribute of :class:`buddylab.kernels.base.Kernel` is set here from this version's
modules; shared code reaches them through ``machine.kernel``.
"""

from ..base import Kernel
from ... import mmzone as _shared
from . import mmzone as _mz
from . import gfp as _gfp
from . import buddy as _buddy
from . import pcp as _pcp
from . import watermark as _zone
from . import page_alloc as _alloc
from . import page_isolation as _isolation
from .zonelist import managed_zone
from ... import vmstat as _vmstat
from .events import EVENTS as _EVENTS
from ...owners import KIND_GFP as _KIND_GFP

# sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] of v4.18 (its one home: watermark.py)
DEFAULT_LOWMEM_RESERVE_RATIO = _zone.DEFAULT_LOWMEM_RESERVE_RATIO


class Classic(Kernel):
    """Linux v4.18: exclusive MAX_ORDER, order-0 pcp lists, three watermarks."""

    name = "classic"
    version = "v4.18"
    aliases = ("v4.18",)

    NR_PAGE_ORDERS = _mz.MAX_ORDER
    MAX_ORDER = _mz.MAX_ORDER
    order_limit_inclusive = False
    pageblock_order = _shared.pageblock_order
    PAGE_ALLOC_COSTLY_ORDER = _shared.PAGE_ALLOC_COSTLY_ORDER
    ZONE_NAMES = _shared.ZONE_NAMES
    EMPTY_ZONES = ()
    MIGRATE_TYPES = _shared.MIGRATE_TYPES
    MIGRATETYPE_NAMES = _shared.MIGRATETYPE_NAMES
    fallbacks = _buddy.fallbacks
    NR_PCP_LISTS = _shared.MIGRATE_PCPTYPES
    MIN_PERCPU_PAGELIST_FRACTION = _pcp.MIN_PERCPU_PAGELIST_FRACTION
    pcp_fraction_sysctl = "percpu_pagelist_fraction"
    NR_WMARK = len(_mz.WMARK_NAMES)
    WMARK_NAMES = _mz.WMARK_NAMES
    gfp = _gfp
    alloc_flags = _mz
    kind_gfp = _KIND_GFP                 # owners' classic table (built from v4.18's GFP bits)
    watermark_scale_factor_max = 1000
    min_free_kbytes_max = _zone.MIN_FREE_KBYTES_MAX
    DEFAULT_LOWMEM_RESERVE_RATIO = DEFAULT_LOWMEM_RESERVE_RATIO

    default_min_free_kbytes = staticmethod(_zone.default_min_free_kbytes)
    lowmem_kbytes = staticmethod(_zone.lowmem_kbytes)
    setup_per_zone_wmarks = staticmethod(_zone.setup_per_zone_wmarks)
    set_recommended_min_free_kbytes = staticmethod(_zone.set_recommended_min_free_kbytes)
    setup_per_zone_lowmem_reserve = staticmethod(_zone.setup_per_zone_lowmem_reserve)
    zone_batchsize = staticmethod(_pcp.zone_batchsize)
    pageset_set_high_and_batch = staticmethod(_pcp.pageset_set_high_and_batch)
    zonerefs_zone_ok = staticmethod(managed_zone)
    get_free_pages_clears_highmem = False   # VM_BUG_ON (__get_free_pages(), mm/page_alloc.c, v4.18)
    node_load_accumulates = False       # node_load[node] = load (build_zonelists(), v4.18)

    find_buddy_pfn = staticmethod(_buddy.find_buddy_pfn)
    rmqueue_smallest = staticmethod(_buddy.rmqueue_smallest)
    expand = staticmethod(_buddy.expand)
    rmqueue = staticmethod(_buddy.rmqueue)
    free_one_page = staticmethod(_buddy.free_one_page)
    rmv_page_order = staticmethod(_buddy.rmv_page_order)
    set_pageblock_migratetype = staticmethod(_buddy.set_pageblock_migratetype)
    move_freepages_block = staticmethod(_buddy.move_freepages_block)
    find_suitable_fallback = staticmethod(_buddy.find_suitable_fallback_mt)
    reserve_highatomic_pageblock = staticmethod(_buddy.reserve_highatomic_pageblock)
    unreserve_highatomic_pageblock = staticmethod(_buddy.unreserve_highatomic_pageblock)

    rmqueue_pcplist = staticmethod(_pcp.rmqueue_pcplist)
    free_unref_page = staticmethod(_pcp.free_unref_page)
    free_pcppages_bulk = staticmethod(_pcp.free_pcppages_bulk)
    drain_pages_zone = staticmethod(_pcp.drain_pages_zone)
    drain_all_pages = staticmethod(_pcp.drain_all_pages)
    order_to_pindex = staticmethod(_pcp.order_to_pindex)
    pindex_to_order = staticmethod(_pcp.pindex_to_order)
    pcp_list_refill = staticmethod(_pcp.pcp_list_refill)
    pcp_high_decays = False
    refresh_cpu_vm_stats = staticmethod(_pcp.refresh_cpu_vm_stats)

    zone_watermark_ok_full = staticmethod(_zone.zone_watermark_ok_full)
    zone_watermark_ok = staticmethod(_zone.zone_watermark_ok)
    zone_watermark_fast = staticmethod(_zone.zone_watermark_fast)

    prepare_alloc_pages = staticmethod(_alloc.prepare_alloc_pages)
    get_page_from_freelist = staticmethod(_alloc.get_page_from_freelist)
    alloc_pages_nodemask = staticmethod(_alloc.alloc_pages_nodemask)
    alloc_pages_slowpath = staticmethod(_alloc.alloc_pages_slowpath)
    should_reclaim_retry = staticmethod(_alloc.should_reclaim_retry)
    prep_new_page = staticmethod(_alloc.prep_new_page)
    free_pages_core = staticmethod(_alloc.free_pages_core)
    free_pages_ok = staticmethod(_alloc.free_pages_ok)
    memblock_free_pages = staticmethod(_alloc.memblock_free_pages)

    has_unmovable_pages = staticmethod(_isolation.has_unmovable_pages)
    set_migratetype_isolate = staticmethod(_isolation.set_migratetype_isolate)
    unset_migratetype_isolate = staticmethod(_isolation.unset_migratetype_isolate)

    buddyinfo = staticmethod(_vmstat.buddyinfo)
    pagetypeinfo = staticmethod(_vmstat.pagetypeinfo)
    zoneinfo = staticmethod(_vmstat.zoneinfo)
    extfrag_index = staticmethod(_vmstat.extfrag_index)
    unusable_index = staticmethod(_vmstat.unusable_index)

    EVENTS = _EVENTS


CLASSIC = Classic()
