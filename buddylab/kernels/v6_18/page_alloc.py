"""The allocation path of v6.18: __alloc_frozen_pages_noprof, the zonelist walk, the slow path.

Kernel: mm/page_alloc.c (v6.18): __alloc_frozen_pages_noprof() (the old
__alloc_pages_nodemask()), prepare_alloc_pages(), alloc_flags_nofragment(),
get_page_from_freelist(), rmqueue(), rmqueue_buddy(), prep_new_page(),
__alloc_pages_slowpath(), should_reclaim_retry(), __alloc_pages_may_oom(),
__alloc_pages_cpuset_fallback(), __free_frozen_pages(), __free_pages_ok(),
__free_pages_core(); mm/vmscan.c wakeup_kswapd() / balance_pgdat() for a boosted zone.

What changed since v4.18: ALLOC_NOFRAGMENT on the fast path (alloc_flags_nofragment()) and
its second walk without it; the zone walk checks the HIGH watermark first and marks
ZONE_BELOW_HIGH; rmqueue() serves every pcp order (0-3 and the THP order) from the pcp
lists, falling back to rmqueue_buddy() (HIGHATOMIC first for ALLOC_HIGHATOMIC, last for
ALLOC_NON_BLOCK / ALLOC_OOM), and wakes kswapd for a boosted zone; the slow path's
gfp_to_alloc_flags() (kernels/v6_18/gfp.py) with ALLOC_NON_BLOCK / ALLOC_MIN_RESERVE /
ALLOC_HIGHATOMIC / ALLOC_KSWAPD; should_reclaim_retry() unreserves the highatomic reserve
whenever it is about to give up; boot frees go to the list tail (FPI_TO_TAIL).

Simplifications, said aloud (besides those of v4.18's page_alloc.py, which hold here too:
kswapd and kcompactd run synchronously, reclaim/compaction/OOM work on the Owners' pages,
no cpusets, no memory policies, no PF_MEMALLOC tasks, no interrupt context, endless loops
give up): no vm.defrag_mode (0, the default), no unaccepted memory, no deferred struct page
init (boot frees every range with __free_pages_memory()'s blocks), no node reclaim; kswapd
is never running while the allocator walks the zonelist, so the multi-node "skip nodes whose
kswapd is active" first pass never skips; no ALLOC_TRYLOCK callers (alloc_pages_nolock);
check_new_pages() never fails; a boosted wake runs the shared kswapd (v4.18's
balance_pgdat(), which may swap) and then takes the boosts it saw off the node's zones and
wakes kcompactd for pageblock_order, as 6.18's balance_pgdat() ends; CMA areas are freed at
boot straight to the buddy lists (free_one_page()), where 6.18's init_cma_reserved_pageblock()
calls __free_pages(), whose THP-order block would pass through a pcp list first.
"""

import warnings

from ... import mmzone as mz
from ...node import first_zones_zonelist
from ...internal import AllocContext, SlowpathState
from ...owners import zone_reclaimable_pages
from ...oom import out_of_memory
from ...errors import AllocationWarning
from ... import reclaim as R
from ... import compaction as C
from . import mmzone as mz618
from . import gfp as G
from . import buddy
from . import pcp as P
from .watermark import zone_watermark_fast, zone_watermark_ok_full
from .buddy import FPI_NONE, FPI_TO_TAIL, RMQUEUE_NORMAL
# version-neutral helpers of the v4.18 path, unchanged since v4.18
from ..v4_18.page_alloc import (prep_new_page, nr_oom_victims, _current_is_oom_victim,
                                MAX_RECLAIM_RETRIES, OOM_NO_KILL_GIVE_UP)
from .mmzone import (ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_WMARK_HIGH, ALLOC_WMARK_MASK,
                     ALLOC_NO_WATERMARKS, ALLOC_OOM, ALLOC_NON_BLOCK, ALLOC_MIN_RESERVE,
                     ALLOC_CPUSET, ALLOC_CMA, ALLOC_NOFRAGMENT, ALLOC_HIGHATOMIC, ALLOC_KSWAPD,
                     WMARK_NAMES, alloc_flags_str, pcp_allowed_order)

GFP_DIRECT_RECLAIM = int(G.__GFP_DIRECT_RECLAIM)
GFP_KSWAPD_RECLAIM = int(G.__GFP_KSWAPD_RECLAIM)
GFP_NOWARN = int(G.__GFP_NOWARN)
GFP_NORETRY = int(G.__GFP_NORETRY)
GFP_RETRY_MAYFAIL = int(G.__GFP_RETRY_MAYFAIL)
GFP_NOFAIL = int(G.__GFP_NOFAIL)
GFP_THISNODE = int(G.__GFP_THISNODE)
GFP_HARDWALL = int(G.__GFP_HARDWALL)
GFP_NOMEMALLOC = int(G.__GFP_NOMEMALLOC)


# ------------------------------------------------------------------------ kswapd
def wakeup_kswapd(m, zone, gfp_mask, order, highest_zoneidx):
    """wakeup_kswapd() for rmqueue()'s boosted zone (mm/vmscan.c, v6.18).

    6.18 wakes kswapd for a node whose zones carry a watermark_boost; balance_pgdat()
    reclaims towards the boosted watermarks and, at its out: label, takes the boosts it
    started with off each zone and wakes kcompactd for pageblock_order.  The model runs
    the shared kswapd (which reclaims only below the boosted high watermark), then that
    epilogue.
    """
    pgdat = m.nodes[zone.nid]
    zone_boosts = [(z, z.watermark_boost) for z in pgdat.node_zones[:highest_zoneidx + 1]
                   if z.managed() and z.watermark_boost]
    R.wakeup_kswapd(m, zone, gfp_mask, order, highest_zoneidx)
    if zone_boosts:
        for z, boost in zone_boosts:
            z.watermark_boost -= min(z.watermark_boost, boost)
        C.wakeup_kcompactd(m, zone.nid, m.pageblock_order, highest_zoneidx)


# ---------------------------------------------------------------- the fast path
def rmqueue_buddy(m, preferred_zone, zone, order, alloc_flags, migratetype):
    """rmqueue_buddy(): the buddy lists under the zone lock.

    Kernel: rmqueue_buddy() in mm/page_alloc.c (v6.18): ALLOC_HIGHATOMIC tries the
    HIGHATOMIC lists first; then __rmqueue() with a fresh RMQUEUE_NORMAL mode; if that
    fails, ALLOC_OOM or ALLOC_NON_BLOCK requests may take HIGHATOMIC pages at any order.
    Returns a pfn or -1.
    """
    pfn = -1
    if alloc_flags & ALLOC_HIGHATOMIC:
        pfn = buddy.rmqueue_smallest(zone, order, mz.MIGRATE_HIGHATOMIC)
    if pfn < 0:
        pfn, _ = buddy.rmqueue(zone, order, migratetype, alloc_flags, RMQUEUE_NORMAL)
        if pfn < 0 and alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK):
            pfn = buddy.rmqueue_smallest(zone, order, mz.MIGRATE_HIGHATOMIC)
    return pfn


def rmqueue(m, preferred_zone, zone, order, gfp_flags, alloc_flags, migratetype, cpu):
    """rmqueue(): a pcp order from this CPU's pcp list, else (or then) the buddy lists.

    Kernel: rmqueue() in mm/page_alloc.c (v6.18): pcp_allowed_order() orders go through
    rmqueue_pcplist(); a pcp miss (the refill found nothing) and every other order go to
    rmqueue_buddy().  Afterwards, with ALLOC_KSWAPD, a ZONE_BOOSTED_WATERMARK zone has the
    bit cleared and kswapd woken (wakeup_kswapd(zone, 0, 0, zone_idx(zone))).
    Returns a pfn or -1.
    """
    pfn = -1
    if pcp_allowed_order(order):
        pfn = P.rmqueue_pcplist(zone, zone.pageset[cpu], migratetype, order, alloc_flags)
    if pfn < 0:
        pfn = rmqueue_buddy(m, preferred_zone, zone, order, alloc_flags, migratetype)
    if alloc_flags & ALLOC_KSWAPD and zone.boosted_watermark:
        zone.boosted_watermark = False
        wakeup_kswapd(m, zone, 0, 0, zone.idx)
    return pfn


def alloc_flags_nofragment(m, zone, gfp_mask):
    """alloc_flags_nofragment(): ALLOC_KSWAPD from the mask, and ALLOC_NOFRAGMENT.

    Kernel: alloc_flags_nofragment() in mm/page_alloc.c (v6.18): NOFRAGMENT when the
    preferred zone is ZONE_NORMAL, unless the machine has several nodes and the preferred
    zone's node has no populated ZONE_DMA32 (vm.defrag_mode is 0).  It is what makes an
    allocation try other zones before fragmenting a pageblock of its preferred zone.
    """
    alloc_flags = int(gfp_mask) & GFP_KSWAPD_RECLAIM        # == ALLOC_KSWAPD
    if zone is None or zone.idx != mz618.ZONE_NORMAL:
        return alloc_flags
    if m.nr_nodes > 1 and not any(z.idx == mz618.ZONE_DMA32 and z.populated()
                                  for z in m.nodes[zone.nid].node_zones):
        return alloc_flags
    return alloc_flags | ALLOC_NOFRAGMENT


def get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu):
    """get_page_from_freelist(): walk the zonelist from the preferred zone.

    Kernel: get_page_from_freelist() in mm/page_alloc.c (v6.18).  With ALLOC_NOFRAGMENT,
    reaching a zone of another node (several nodes) drops the flag and restarts the walk;
    a zone not marked ZONE_BELOW_HIGH that passes its HIGH watermark is used at once,
    otherwise it is marked ZONE_BELOW_HIGH and checked against the watermark alloc_flags
    selects (boost included), with lowmem_reserve[highest_zoneidx]; a failing zone is
    skipped (node_reclaim_mode 0) unless ALLOC_NO_WATERMARKS.  After a page:
    prep_new_page(), and reserve_highatomic_pageblock() for ALLOC_HIGHATOMIC.  When the
    whole walk failed with ALLOC_NOFRAGMENT, it is dropped and the walk restarts.  The
    walk is the kernel's for_next_zone_zonelist_nodemask() written out (from the preferred
    zoneref, skipping zones above highest_zoneidx), not a call of ac.zones() per
    allocation.  Returns (zone, pfn) or None.
    """
    highest_zoneidx = ac.high_zoneidx
    preferred_zone = ac.preferred_zone
    tr = m.vm.trace
    while True:                                                    # retry:
        no_fallback = alloc_flags & ALLOC_NOFRAGMENT
        restart = False
        for zone in ac.zonelist[ac.preferred:]:      # for_next_zone_zonelist_nodemask()
            if zone.idx > highest_zoneidx:
                continue
            if no_fallback and m.nr_nodes > 1 and zone is not preferred_zone \
                    and zone.nid != preferred_zone.nid:
                alloc_flags &= ~ALLOC_NOFRAGMENT
                restart = True
                break
            ok = False
            if not zone.below_high:
                mark = zone.wmark_pages(ALLOC_WMARK_HIGH)         # high_wmark_pages(zone)
                ok = zone_watermark_fast(zone, order, mark, highest_zoneidx, alloc_flags)
                if tr is not None:
                    _zonelist_step(tr, zone, order, ALLOC_WMARK_HIGH, mark, highest_zoneidx,
                                   alloc_flags, ok)
                if not ok:
                    zone.below_high = True                 # set_bit(ZONE_BELOW_HIGH)
            if not ok:                                             # check_alloc_wmark:
                wm = alloc_flags & ALLOC_WMARK_MASK
                mark = zone.wmark_pages(wm)
                ok = zone_watermark_fast(zone, order, mark, highest_zoneidx, alloc_flags)
                if tr is not None:
                    _zonelist_step(tr, zone, order, wm, mark, highest_zoneidx, alloc_flags, ok)
                if not ok and not alloc_flags & ALLOC_NO_WATERMARKS:
                    continue
            # try_this_zone:
            pfn = rmqueue(m, preferred_zone, zone, order, gfp_mask, alloc_flags,
                          ac.migratetype, cpu)
            if pfn >= 0:
                prep_new_page(m, zone, pfn, order, ac.migratetype)
                if alloc_flags & ALLOC_HIGHATOMIC:
                    buddy.reserve_highatomic_pageblock(zone, pfn, order)
                return zone, pfn
        if restart:
            continue
        if no_fallback:
            alloc_flags &= ~ALLOC_NOFRAGMENT
            continue
        return None


def _zonelist_step(tr, zone, order, wm, mark, highest_zoneidx, alloc_flags, ok):
    """The zonelist_step event of one watermark check (the caller tests ``tr`` first)."""
    tr.emit("zonelist_step", nid=zone.nid, zone=zone.name, order=order,
            mark=WMARK_NAMES[wm], mark_pages=mark, classzone_idx=highest_zoneidx,
            free_pages=zone.NR_FREE_PAGES,
            lowmem_reserve=zone.lowmem_reserve[highest_zoneidx],
            alloc_flags=alloc_flags_str(alloc_flags), ok=ok)


def prepare_alloc_pages(m, gfp_mask, preferred_nid):
    """prepare_alloc_pages(): the alloc_context and the fast path's first alloc_flags.

    Kernel: prepare_alloc_pages() and __alloc_frozen_pages_noprof() in mm/page_alloc.c
    (v6.18): ALLOC_WMARK_LOW, ALLOC_CMA for a movable request (gfp_to_alloc_flags_cma(),
    CONFIG_CMA); the zonelist is NOFALLBACK for __GFP_THISNODE.  The caller adds
    alloc_flags_nofragment().  Returns (ac, alloc_flags).
    """
    alloc_flags = ALLOC_WMARK_LOW
    high_zoneidx = G.gfp_zone(gfp_mask)
    migratetype = G.gfp_migratetype(gfp_mask, m.vm.page_group_by_mobility_disabled)
    which = mz.ZONELIST_NOFALLBACK if gfp_mask & GFP_THISNODE else mz.ZONELIST_FALLBACK
    zonelist = m.nodes[preferred_nid].node_zonelists[which]
    if migratetype == mz.MIGRATE_MOVABLE:             # gfp_to_alloc_flags_cma()
        alloc_flags |= ALLOC_CMA
    return AllocContext(zonelist, high_zoneidx, migratetype), alloc_flags


def alloc_pages_nodemask(m, gfp_mask, order, preferred_nid, cpu):
    """__alloc_frozen_pages_noprof() (v4.18's __alloc_pages_nodemask()): fast path, slow path.

    Kernel: __alloc_frozen_pages_noprof() in mm/page_alloc.c (v6.18).  An order above
    MAX_PAGE_ORDER returns NULL at once (WARN unless __GFP_NOWARN, no event).  The fast
    path tries the LOW watermark with alloc_flags_nofragment(); the slow path follows.
    Fires mm_page_alloc (pfn -1 for NULL).  Returns (zone, pfn) or None.
    """
    if order > m.max_order - 1:
        if not gfp_mask & GFP_NOWARN:
            warnings.warn("__alloc_frozen_pages_noprof(): order %d > MAX_PAGE_ORDER %d: "
                          "WARN_ON_ONCE, returns NULL" % (order, m.max_order - 1),
                          AllocationWarning, stacklevel=4)
        return None
    ac, alloc_flags = prepare_alloc_pages(m, gfp_mask, preferred_nid)
    alloc_flags |= alloc_flags_nofragment(m, ac.preferred_zone, gfp_mask)
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is None:
        page = alloc_pages_slowpath(m, gfp_mask, order, ac, cpu)
    tr = m.vm.trace
    if tr is not None:
        tr.emit("mm_page_alloc", pfn=page[1] if page else -1, order=order,
                gfp_flags=gfp_mask, migratetype=ac.migratetype)
    return page


# ---------------------------------------------------------------- the slow path
def _slow(m, step, alloc_flags, detail=""):
    tr = m.vm.trace
    if tr is not None:
        tr.emit("slowpath", step=step, alloc_flags=alloc_flags_str(alloc_flags),
                detail=detail)


def should_reclaim_retry(m, gfp_mask, order, ac, alloc_flags, did_some_progress, state):
    """should_reclaim_retry(): another round of reclaim, or give up (and unreserve first).

    Kernel: should_reclaim_retry() in mm/page_alloc.c (v6.18).  Progress resets
    no_progress_loops for orders <= PAGE_ALLOC_COSTLY_ORDER; after more than
    MAX_RECLAIM_RETRIES rounds without progress, and also when no zone would pass its
    MIN watermark with all its reclaimable pages, the answer is
    unreserve_highatomic_pageblock(ac, true) ("Before OOM, exhaust highatomic_reserve").
    """
    if did_some_progress and order <= mz.PAGE_ALLOC_COSTLY_ORDER:
        state.no_progress_loops = 0
    else:
        state.no_progress_loops += 1
    if state.no_progress_loops > MAX_RECLAIM_RETRIES:
        return buddy.unreserve_highatomic_pageblock(list(ac.zones()), ac.migratetype, True)
    for zone in ac.zones():
        available = zone_reclaimable_pages(m, zone) + zone.NR_FREE_PAGES
        if zone_watermark_ok_full(zone, order, zone.min_wmark_pages(), ac.high_zoneidx,
                                  alloc_flags, available):
            return True
    return buddy.unreserve_highatomic_pageblock(list(ac.zones()), ac.migratetype, True)


def cpuset_fallback(m, gfp_mask, order, alloc_flags, ac, cpu):
    """__alloc_pages_cpuset_fallback(): with ALLOC_CPUSET, then without (no cpusets here)."""
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags | ALLOC_CPUSET, ac, cpu)
    if page is None:
        page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    return page


def alloc_pages_may_oom(m, gfp_mask, order, ac, cpu):
    """__alloc_pages_may_oom(): a last try at the HIGH watermark, then the OOM killer.

    Kernel: __alloc_pages_may_oom() in mm/page_alloc.c (v6.18): the last try is
    ALLOC_WMARK_HIGH | ALLOC_CPUSET without __GFP_DIRECT_RECLAIM; no kill for a costly
    order, __GFP_RETRY_MAYFAIL, a request below ZONE_NORMAL or __GFP_THISNODE; a
    __GFP_NOFAIL request then tries ALLOC_NO_WATERMARKS.  Returns (page, progress).
    """
    page = get_page_from_freelist(m, G.gfp_t((int(gfp_mask) | GFP_HARDWALL)
                                             & ~GFP_DIRECT_RECLAIM),
                                  order, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac, cpu)
    if page is not None:
        return page, 0
    if order > mz.PAGE_ALLOC_COSTLY_ORDER or gfp_mask & GFP_RETRY_MAYFAIL \
            or ac.high_zoneidx < mz618.ZONE_NORMAL or gfp_mask & GFP_THISNODE:
        _slow(m, "no_oom", 0, "costly order, __GFP_RETRY_MAYFAIL, lowmem or __GFP_THISNODE")
        return None, 0
    if out_of_memory(m, gfp_mask, order, ac, cpu) or gfp_mask & GFP_NOFAIL:
        if gfp_mask & GFP_NOFAIL:
            page = cpuset_fallback(m, gfp_mask, order, ALLOC_NO_WATERMARKS, ac, cpu)
        return page, 1
    return None, 0


def _pfmemalloc_flags(m, gfp_mask):
    """__gfp_pfmemalloc_flags() (v6.18): __GFP_MEMALLOC, else ALLOC_OOM for an OOM victim."""
    flags = G.gfp_pfmemalloc_flags(gfp_mask)
    if not flags and not gfp_mask & GFP_NOMEMALLOC and _current_is_oom_victim(m):
        flags = ALLOC_OOM
    return flags


def alloc_pages_slowpath(m, gfp_mask, order, ac, cpu):
    """__alloc_pages_slowpath(): kswapd, the MIN watermark, compaction, reclaim, OOM.

    Kernel: __alloc_pages_slowpath() in mm/page_alloc.c (v6.18): gfp_to_alloc_flags();
    wake kswapd when ALLOC_KSWAPD; try; early async compaction for costly or unmovable
    high-order requests that may reclaim; then the retry loop: wake kswapd, the reserve
    flags of __gfp_pfmemalloc_flags() (keeping ALLOC_KSWAPD and ALLOC_CMA), try, direct
    reclaim, direct compaction, give up for __GFP_NORETRY and costly orders without
    __GFP_RETRY_MAYFAIL, should_reclaim_retry(), should_compact_retry(), the OOM killer.
    Compaction is tried only when gfp_compaction_allowed() (CONFIG_COMPACTION and
    __GFP_IO); a costly __GFP_NORETRY request whose early compaction was skipped or
    deferred gives up at once.
    nopage: a __GFP_NOFAIL request tries once more with ALLOC_MIN_RESERVE.
    Returns (zone, pfn) or None.
    """
    can_direct_reclaim = bool(gfp_mask & GFP_DIRECT_RECLAIM)
    costly_order = order > mz.PAGE_ALLOC_COSTLY_ORDER
    can_compact = m.compaction and bool(gfp_mask & G.__GFP_IO)   # gfp_compaction_allowed()
    # restart:
    state = SlowpathState(compact_priority=C.DEF_COMPACT_PRIORITY)
    compact_result = C.COMPACT_SKIPPED
    alloc_flags = G.gfp_to_alloc_flags(gfp_mask, order)
    ac.set_preferred_zoneref(first_zones_zonelist(ac.zonelist, ac.high_zoneidx))
    if ac.preferred_zone is None:
        return _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim)
    _slow(m, "gfp_to_alloc_flags", alloc_flags)
    if alloc_flags & ALLOC_KSWAPD:
        R.wake_all_kswapds(m, order, gfp_mask, ac)
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is not None:
        return page
    if can_direct_reclaim and can_compact \
            and (costly_order or (order > 0 and ac.migratetype != mz.MIGRATE_MOVABLE)) \
            and not _pfmemalloc_flags(m, gfp_mask):
        _slow(m, "early_compaction", alloc_flags, "async")
        page, compact_result = C.alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac,
                                                            C.INIT_COMPACT_PRIORITY, cpu)
        if page is not None:
            return page
        if costly_order and gfp_mask & GFP_NORETRY:
            if compact_result in (C.COMPACT_SKIPPED, C.COMPACT_DEFERRED):
                return _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim)
            state.compact_priority = C.INIT_COMPACT_PRIORITY
    no_kill_loops = 0
    while True:                                             # retry:
        if alloc_flags & ALLOC_KSWAPD:
            R.wake_all_kswapds(m, order, gfp_mask, ac)
        reserve_flags = _pfmemalloc_flags(m, gfp_mask)
        if reserve_flags:
            alloc_flags = reserve_flags | (alloc_flags & ALLOC_KSWAPD)
            if ac.migratetype == mz.MIGRATE_MOVABLE:
                alloc_flags |= ALLOC_CMA                    # gfp_to_alloc_flags_cma()
        if not alloc_flags & ALLOC_CPUSET or reserve_flags:
            ac.set_preferred_zoneref(first_zones_zonelist(ac.zonelist, ac.high_zoneidx))
        _slow(m, "retry", alloc_flags)
        page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
        if page is not None:
            return page
        if not can_direct_reclaim:
            _slow(m, "nopage", alloc_flags, "cannot direct-reclaim")
            break
        page, did_some_progress = R.alloc_pages_direct_reclaim(m, gfp_mask, order, alloc_flags,
                                                               ac, cpu)
        if page is not None:
            return page
        page, compact_result = C.alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac,
                                                            state.compact_priority, cpu)
        if page is not None:
            return page
        if gfp_mask & GFP_NORETRY:
            _slow(m, "nopage", alloc_flags, "__GFP_NORETRY")
            break
        if costly_order and not gfp_mask & GFP_RETRY_MAYFAIL:
            _slow(m, "nopage", alloc_flags, "costly order without __GFP_RETRY_MAYFAIL")
            break
        if should_reclaim_retry(m, gfp_mask, order, ac, alloc_flags, did_some_progress, state):
            _slow(m, "should_reclaim_retry", alloc_flags,
                  "retry (no_progress_loops %d)" % state.no_progress_loops)
            continue
        if did_some_progress > 0 and can_compact \
                and C.should_compact_retry(m, ac, order, alloc_flags, compact_result, state):
            continue
        victims = nr_oom_victims(m)
        page, did_some_progress = alloc_pages_may_oom(m, gfp_mask, order, ac, cpu)
        if page is not None:
            return page
        if _current_is_oom_victim(m) and (alloc_flags & ALLOC_OOM
                                          or gfp_mask & GFP_NOMEMALLOC):
            break
        if not did_some_progress:
            break
        no_kill_loops = no_kill_loops + 1 if nr_oom_victims(m) == victims else 0
        if no_kill_loops >= OOM_NO_KILL_GIVE_UP:
            _slow(m, "nopage", alloc_flags, "OOM progress without a kill %d times: the kernel "
                  "would wait for memory" % no_kill_loops)
            break
        state.no_progress_loops = 0
    return _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim)


def _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim):
    """The slow path's nopage: label: __GFP_NOFAIL's last try, then warn_alloc()."""
    if gfp_mask & GFP_NOFAIL and can_direct_reclaim:
        page = cpuset_fallback(m, gfp_mask, order, ALLOC_MIN_RESERVE, ac, cpu)
        if page is not None:
            return page
        warnings.warn("__GFP_NOFAIL order-%d allocation cannot be satisfied: the kernel would "
                      "retry forever; buddylab returns None" % order, AllocationWarning,
                      stacklevel=4)
        return None
    if not gfp_mask & GFP_NOWARN:
        warnings.warn("page allocation failure: order:%d, mode:%#x(%s)"
                      % (order, int(gfp_mask), G.gfp_str(gfp_mask)), AllocationWarning,
                      stacklevel=4)
    return None


# ---------------------------------------------------------------------- freeing
def free_pages_ok(m, zone, pfn, order, fpi=FPI_NONE):
    """__free_pages_ok(): straight to the buddy lists (free_one_page(), split_large_buddy())."""
    buddy.free_one_page(zone, pfn, order, None, fpi)


def memblock_free_pages(zone, pfn, order):
    """memblock_free_pages() -> __free_pages_core(): one boot block to the buddy TAIL.

    Kernel: __free_pages_core() in mm/page_alloc.c (v6.18) frees boot memory with
    __free_pages_ok(page, order, FPI_TO_TAIL), bypassing the pcp lists; blocks freed in
    ascending pfn order therefore lie on each list in ascending order, head to tail.
    """
    buddy.free_one_page(zone, pfn, order, None, FPI_TO_TAIL)


def free_pages_core(m, zone, pfn, order, cpu):
    """__free_frozen_pages() once the refcount reached 0: pcp orders to the pcp, else buddy.

    Kernel: __free_frozen_pages() in mm/page_alloc.c (v6.18): mm_page_free fires in
    free_pages_prepare(); the rest of __free_frozen_pages() is free_unref_page() of the
    running kernel's pcp code, which sends an order pcp_allowed_order() refuses to the
    buddy lists (__free_pages_ok()) and the others to this CPU's pcp.
    """
    mm = m.mm
    n = 1 << order
    mm.lru[pfn:pfn + n] = bytes(n)
    mm.refcount[pfn] = 0
    del m.allocated[pfn]
    tr = m.vm.trace
    if tr is not None:
        tr.emit("mm_page_free", pfn=pfn, order=order)
    P.free_unref_page(zone, zone.pageset[cpu], pfn, order)
