"""The allocation path: __alloc_pages_nodemask, the zonelist walk, the slow path.

Kernel: mm/page_alloc.c (v4.18): __alloc_pages_nodemask(),
prepare_alloc_pages(), finalise_ac(), get_page_from_freelist(), rmqueue(),
prep_new_page(), __alloc_pages_slowpath(), should_reclaim_retry(),
__alloc_pages_may_oom(), __alloc_pages_cpuset_fallback(), __free_pages(),
__free_pages_ok().

Said aloud: kswapd and kcompactd run synchronously where the slow path
wakes them (buddylab.reclaim, buddylab.compaction); direct reclaim, direct
compaction and the OOM killer work on the pages of the machine's Owners
(buddylab.owners, buddylab.oom).  A machine without owners has nothing to
reclaim or migrate, so those steps make no progress, as in a kernel with
nothing to reclaim.  There are no cpusets (retry_cpuset is never taken), no
memory policies other than the default (local node), no PF_MEMALLOC tasks
and no interrupt context; the current task is the Owner allocating, if any.
Nothing runs beside the allocating task, so where the kernel would wait for
others (congestion_wait() in should_reclaim_retry(), a busy oom_lock, the
endless retries of __GFP_NOFAIL or of an OOM killer that claims progress
without killing) the model retries at once or, for the endless loops, gives
up (OOM_NO_KILL_GIVE_UP; __GFP_NOFAIL returns None with a warning).
"""

import warnings

from ... import mmzone as mz
from ...node import first_zones_zonelist
from ...internal import AllocContext, SlowpathState  # noqa: F401  (AllocContext: alloc.AllocContext)
from ...memmap import ALLOCATED
from ...owners import zone_reclaimable_pages
from ...oom import out_of_memory
from ...errors import AllocationWarning  # noqa: F401  (alloc.AllocationWarning)
from ... import reclaim as R
from ... import compaction as C
from . import mmzone as mz418
from . import gfp as G
from . import buddy
from . import pcp as P
from .watermark import zone_watermark_fast, zone_watermark_ok_full

MAX_RECLAIM_RETRIES = mz.MAX_RECLAIM_RETRIES
# The kernel retries for as long as __alloc_pages_may_oom() reports progress.  A kill changes
# the machine and there are finitely many tasks to kill; progress claimed WITHOUT a kill (a
# request without __GFP_FS, __GFP_NOFAIL with nobody to kill) changes nothing, and there the
# kernel loops until someone else frees memory.  The model has no one else: it gives up after
# this many such loops in a row (a simplification, said in alloc_pages_slowpath()).
OOM_NO_KILL_GIVE_UP = 64

# aliases without leading underscores, usable inside class bodies too
GFP_DIRECT_RECLAIM = int(G.__GFP_DIRECT_RECLAIM)
GFP_KSWAPD_RECLAIM = int(G.__GFP_KSWAPD_RECLAIM)
GFP_ATOMIC_BIT = int(G.__GFP_ATOMIC)
GFP_NOWARN = int(G.__GFP_NOWARN)
GFP_NORETRY = int(G.__GFP_NORETRY)
GFP_RETRY_MAYFAIL = int(G.__GFP_RETRY_MAYFAIL)
GFP_NOFAIL = int(G.__GFP_NOFAIL)
GFP_THISNODE = int(G.__GFP_THISNODE)
GFP_HARDWALL = int(G.__GFP_HARDWALL)
GFP_HIGHMEM_BIT = int(G.__GFP_HIGHMEM)
GFP_ZERO_BIT = int(G.__GFP_ZERO)
ALLOCATED_BYTE = bytes([ALLOCATED])     # one page's state in MemMap.state


def rmqueue(m, zone, order, gfp_flags, alloc_flags, migratetype, cpu):
    """rmqueue(): order 0 from this CPU's pcp list, bigger orders from the buddy lists.

    Kernel: rmqueue() in mm/page_alloc.c (v4.18).  ALLOC_HARDER requests of
    order > 0 first try the MIGRATE_HIGHATOMIC lists.  Returns a pfn or -1.
    """
    if order == 0:
        return P.rmqueue_pcplist(zone, zone.pageset[cpu], migratetype)
    pfn = -1
    if alloc_flags & mz418.ALLOC_HARDER:
        pfn = buddy.rmqueue_smallest(zone, order, mz.MIGRATE_HIGHATOMIC)
        tr = m.vm.trace
        if pfn >= 0 and tr is not None:
            tr.emit("mm_page_alloc_zone_locked", pfn=pfn, order=order,
                    migratetype=migratetype, percpu_refill=0)
    if pfn < 0:
        pfn = buddy.rmqueue(zone, order, migratetype)
    if pfn < 0:
        return -1
    zone.mod_zone_freepage_state(-(1 << order), zone.mm.index[pfn])
    return pfn


def prep_new_page(m, zone, pfn, order, migratetype):
    """prep_new_page(): refcount 1 on the head; the model also records the allocation.

    A block allocated with a MOVABLE migratetype is marked PageLRU page by page
    (the model's stand-in for user memory that migration could move).
    """
    mm = m.mm
    n = 1 << order
    mm.state[pfn:pfn + n] = ALLOCATED_BYTE * n
    mm.refcount[pfn] = 1
    if migratetype == mz.MIGRATE_MOVABLE:
        mm.lru[pfn:pfn + n] = b"\x01" * n
    m.allocated[pfn] = (order, migratetype)


def get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu):
    """get_page_from_freelist(): walk the zonelist from the preferred zone.

    Kernel: get_page_from_freelist() in mm/page_alloc.c (v4.18).  Each zone with
    idx <= high_zoneidx is checked against the watermark alloc_flags selects,
    with the lowmem_reserve of the preferred zone's index; the first zone that
    passes and has a page serves the request.  node_reclaim_mode is 0, so a
    zone that fails the check is skipped.  The walk is the kernel's
    for_next_zone_zonelist_nodemask() written out (from the preferred zoneref, skipping
    zones above high_zoneidx), not a call of ac.zones() per allocation.  Returns (zone,
    pfn) or None.
    """
    classzone_idx = ac.classzone_idx()
    high_zoneidx = ac.high_zoneidx
    tr = m.vm.trace
    for zone in ac.zonelist[ac.preferred:]:          # for_next_zone_zonelist_nodemask()
        if zone.idx > high_zoneidx:
            continue
        wm = alloc_flags & mz418.ALLOC_WMARK_MASK
        mark = zone.watermark[wm]
        ok = zone_watermark_fast(zone, order, mark, classzone_idx, alloc_flags)
        if tr is not None:
            tr.emit("zonelist_step", nid=zone.nid, zone=zone.name, order=order,
                    mark=mz418.WMARK_NAMES[wm], mark_pages=mark, classzone_idx=classzone_idx,
                    free_pages=zone.NR_FREE_PAGES,
                    lowmem_reserve=zone.lowmem_reserve[classzone_idx],
                    alloc_flags=mz418.alloc_flags_str(alloc_flags), ok=ok)
        if not ok and not alloc_flags & mz418.ALLOC_NO_WATERMARKS:
            continue
        pfn = rmqueue(m, zone, order, gfp_mask, alloc_flags, ac.migratetype, cpu)
        if pfn >= 0:
            prep_new_page(m, zone, pfn, order, ac.migratetype)
            if order and alloc_flags & mz418.ALLOC_HARDER:
                buddy.reserve_highatomic_pageblock(zone, pfn, order)
            return zone, pfn
    return None


def _slow(m, step, alloc_flags, detail=""):
    tr = m.vm.trace
    if tr is not None:
        tr.emit("slowpath", step=step, alloc_flags=mz418.alloc_flags_str(alloc_flags),
                detail=detail)


def should_reclaim_retry(m, gfp_mask, order, ac, alloc_flags, did_some_progress, state):
    """should_reclaim_retry(): is another round of reclaim worth it?

    Kernel: should_reclaim_retry() in mm/page_alloc.c (v4.18).  Progress
    resets no_progress_loops (only for orders <= PAGE_ALLOC_COSTLY_ORDER);
    after more than MAX_RECLAIM_RETRIES rounds without progress, only
    unreserving a highatomic pageblock (force: "before OOM, exhaust
    highatomic_reserve") earns a retry.  Otherwise retry while some zone
    would pass the MIN watermark counting its free pages plus ALL its
    reclaimable pages (zone_reclaimable_pages(): the owners' file pages,
    dirty ones included, and anon pages while swap is free); v4.18 has no
    back-off on that count (it went away in 4.12).  When no progress was
    made and half the reclaimable pages are dirty the kernel first waits
    for writeback (congestion_wait()) and then retries; the model retries
    at once, which is the same decision.
    """
    if did_some_progress and order <= mz.PAGE_ALLOC_COSTLY_ORDER:
        state.no_progress_loops = 0
    else:
        state.no_progress_loops += 1
    if state.no_progress_loops > MAX_RECLAIM_RETRIES:
        return buddy.unreserve_highatomic_pageblock(list(ac.zones()), ac.migratetype, True)
    for zone in ac.zones():
        available = zone_reclaimable_pages(m, zone) + zone.NR_FREE_PAGES
        if zone_watermark_ok_full(zone, order, zone.min_wmark_pages(), ac.classzone_idx(),
                                  alloc_flags, available):
            return True
    return False


def cpuset_fallback(m, gfp_mask, order, alloc_flags, ac, cpu):
    """__alloc_pages_cpuset_fallback(): with ALLOC_CPUSET, then without (no cpusets here)."""
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags | mz418.ALLOC_CPUSET, ac, cpu)
    if page is None:
        page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    return page


def alloc_pages_may_oom(m, gfp_mask, order, ac, cpu):
    """__alloc_pages_may_oom(): a last try at the HIGH watermark, then the OOM killer.

    Kernel: __alloc_pages_may_oom() in mm/page_alloc.c (v4.18).  No kill for a
    costly order, __GFP_RETRY_MAYFAIL, a request below ZONE_NORMAL or
    __GFP_THISNODE; otherwise out_of_memory() (buddylab.oom).  If that made
    progress, or the request is __GFP_NOFAIL, progress is reported, and a
    __GFP_NOFAIL request is tried with ALLOC_NO_WATERMARKS.
    Returns (page, did_some_progress).
    """
    page = get_page_from_freelist(m, (int(gfp_mask) | GFP_HARDWALL) & ~GFP_DIRECT_RECLAIM,
                                  order, mz418.ALLOC_WMARK_HIGH | mz418.ALLOC_CPUSET, ac, cpu)
    if page is not None:
        return page, 0
    if order > mz.PAGE_ALLOC_COSTLY_ORDER or gfp_mask & GFP_RETRY_MAYFAIL \
            or ac.high_zoneidx < mz.ZONE_NORMAL or gfp_mask & GFP_THISNODE:
        _slow(m, "no_oom", 0, "costly order, __GFP_RETRY_MAYFAIL, lowmem or __GFP_THISNODE")
        return None, 0
    if out_of_memory(m, gfp_mask, order, ac, cpu) or gfp_mask & GFP_NOFAIL:
        if gfp_mask & GFP_NOFAIL:
            page = cpuset_fallback(m, gfp_mask, order, mz418.ALLOC_NO_WATERMARKS, ac, cpu)
        return page, 1
    return None, 0


def nr_oom_victims(m):
    """How many tasks the OOM killer has killed so far (0 without owners)."""
    return 0 if m.owners is None else sum(1 for task in m.owners.tasks if task.killed)


def _current_is_oom_victim(m):
    return m.owners is not None and m.owners.current is not None and m.owners.current.killed


def _pfmemalloc_flags(m, gfp_mask):
    """__gfp_pfmemalloc_flags(): __GFP_MEMALLOC, else ALLOC_OOM for an OOM victim."""
    flags = G.gfp_pfmemalloc_flags(gfp_mask)
    if not flags and not gfp_mask & G.__GFP_NOMEMALLOC and _current_is_oom_victim(m):
        flags = mz418.ALLOC_OOM
    return flags


def alloc_pages_slowpath(m, gfp_mask, order, ac, cpu):
    """__alloc_pages_slowpath(): kswapd, the MIN watermark, compaction, reclaim, OOM.

    Kernel: __alloc_pages_slowpath() in mm/page_alloc.c (v4.18), step by step
    (labels retry_cpuset, retry, nopage): wake kswapd; try at MIN; early async compaction for
    costly or unmovable high-order requests; then the retry loop: wake
    kswapd, try, direct reclaim (with its unreserve + drain), direct
    compaction at compact_priority, give up for __GFP_NORETRY and for costly
    orders without __GFP_RETRY_MAYFAIL, should_reclaim_retry(),
    should_compact_retry(), the OOM killer, and back to retry for as long as
    the OOM killer makes progress (no bound on the loops, as in v4.18).
    Simplification, said aloud: where the OOM killer claims progress without
    killing anybody (no __GFP_FS, or __GFP_NOFAIL with no victim) the kernel
    loops until another task frees memory; the model, with no other task,
    gives up after OOM_NO_KILL_GIVE_UP such loops in a row.  Returns
    (zone, pfn) or None.
    """
    can_direct_reclaim = bool(gfp_mask & GFP_DIRECT_RECLAIM)
    costly_order = order > mz.PAGE_ALLOC_COSTLY_ORDER
    if order >= m.max_order:
        if not gfp_mask & GFP_NOWARN:
            warnings.warn("__alloc_pages_slowpath(): order %d >= MAX_ORDER %d: WARN_ON_ONCE, "
                          "returns NULL" % (order, m.max_order), AllocationWarning, stacklevel=4)
        return None
    if (gfp_mask & (GFP_ATOMIC_BIT | GFP_DIRECT_RECLAIM)) == (GFP_ATOMIC_BIT | GFP_DIRECT_RECLAIM):
        warnings.warn("__alloc_pages_slowpath(): __GFP_ATOMIC with __GFP_DIRECT_RECLAIM is "
                      "contradictory: WARN_ON_ONCE, __GFP_ATOMIC cleared", AllocationWarning,
                      stacklevel=4)
        gfp_mask = G.gfp_t(gfp_mask & ~GFP_ATOMIC_BIT)
    # retry_cpuset:
    state = SlowpathState(compact_priority=C.DEF_COMPACT_PRIORITY)
    compact_result = C.COMPACT_SKIPPED
    alloc_flags = G.gfp_to_alloc_flags(gfp_mask, ac.migratetype)
    ac.set_preferred_zoneref(first_zones_zonelist(ac.zonelist, ac.high_zoneidx))
    if ac.preferred_zone is None:
        return _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim)
    _slow(m, "gfp_to_alloc_flags", alloc_flags)
    if gfp_mask & GFP_KSWAPD_RECLAIM:
        R.wake_all_kswapds(m, order, gfp_mask, ac)
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is not None:
        return page
    if can_direct_reclaim and (costly_order or (order > 0 and ac.migratetype != mz.MIGRATE_MOVABLE)) \
            and not _pfmemalloc_flags(m, gfp_mask):
        _slow(m, "early_compaction", alloc_flags, "async")
        page, compact_result = C.alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac,
                                                            C.INIT_COMPACT_PRIORITY, cpu)
        if page is not None:
            return page
        if costly_order and gfp_mask & GFP_NORETRY:
            if compact_result == C.COMPACT_DEFERRED:
                return _nopage(m, gfp_mask, order, ac, cpu, can_direct_reclaim)
            state.compact_priority = C.INIT_COMPACT_PRIORITY
    no_kill_loops = 0
    while True:                                             # retry:
        if gfp_mask & GFP_KSWAPD_RECLAIM:
            R.wake_all_kswapds(m, order, gfp_mask, ac)
        reserve_flags = _pfmemalloc_flags(m, gfp_mask)
        if reserve_flags:
            alloc_flags = reserve_flags
        if not alloc_flags & mz418.ALLOC_CPUSET or reserve_flags:
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
        if did_some_progress > 0 and C.should_compact_retry(m, ac, order, alloc_flags,
                                                            compact_result, state):
            continue
        victims = nr_oom_victims(m)
        page, did_some_progress = alloc_pages_may_oom(m, gfp_mask, order, ac, cpu)
        if page is not None:
            return page
        if _current_is_oom_victim(m) and (alloc_flags == mz418.ALLOC_OOM
                                          or gfp_mask & G.__GFP_NOMEMALLOC):
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
    """The slow path's nopage: label: __GFP_NOFAIL's last tries, then warn_alloc()."""
    if gfp_mask & GFP_NOFAIL and can_direct_reclaim:
        page = cpuset_fallback(m, gfp_mask, order, mz418.ALLOC_HARDER, ac, cpu)
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


def prepare_alloc_pages(m, gfp_mask, preferred_nid):
    """prepare_alloc_pages(): the alloc_context and the fast path's alloc_flags.

    Kernel: prepare_alloc_pages() and the alloc_flags of __alloc_pages_nodemask()
    in mm/page_alloc.c (v4.18): ALLOC_WMARK_LOW, plus ALLOC_CMA for a movable
    request; the zonelist is NOFALLBACK for __GFP_THISNODE.  Returns (ac, alloc_flags).
    """
    alloc_flags = mz418.ALLOC_WMARK_LOW
    high_zoneidx = G.gfp_zone(gfp_mask)
    migratetype = G.gfpflags_to_migratetype(gfp_mask, m.vm.page_group_by_mobility_disabled)
    which = mz.ZONELIST_NOFALLBACK if gfp_mask & GFP_THISNODE else mz.ZONELIST_FALLBACK
    zonelist = m.nodes[preferred_nid].node_zonelists[which]
    if migratetype == mz.MIGRATE_MOVABLE:
        alloc_flags |= mz418.ALLOC_CMA
    return AllocContext(zonelist, high_zoneidx, migratetype), alloc_flags


def alloc_pages_nodemask(m, gfp_mask, order, preferred_nid, cpu):
    """__alloc_pages_nodemask(): the heart of the zoned buddy allocator.

    Kernel: __alloc_pages_nodemask() in mm/page_alloc.c (v4.18).  The fast path
    tries the LOW watermark with no reserve flags; only the slow path lowers
    it to MIN and adds ALLOC_HIGH / ALLOC_HARDER.  Fires mm_page_alloc, with
    pfn -1 for a failure.  Returns (zone, pfn) or None.
    """
    ac, alloc_flags = prepare_alloc_pages(m, gfp_mask, preferred_nid)
    migratetype = ac.migratetype
    page = get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is None:
        page = alloc_pages_slowpath(m, gfp_mask, order, ac, cpu)
    tr = m.vm.trace
    if tr is not None:
        tr.emit("mm_page_alloc", pfn=page[1] if page else -1, order=order,
                gfp_flags=gfp_mask, migratetype=migratetype)
    return page


def free_pages_ok(m, zone, pfn, order):
    """__free_pages_ok(): an order > 0 block goes straight to the buddy lists."""
    migratetype = m.mm.get_pageblock_migratetype(pfn)
    buddy.free_one_page(zone, pfn, order, migratetype)


def memblock_free_pages(zone, pfn, order):
    """__free_pages_boot_core(): one boot run to free_one_page() with its pageblock's type.

    Kernel: __free_pages_boot_core() -> __free_pages() in mm/page_alloc.c (v4.18): orders
    > 0 go to __free_pages_ok(); order 0 to the boot pageset (high 0, batch 1), drained at
    once - both end in __free_one_page() with the pageblock's type, at the list head.
    """
    buddy.free_one_page(zone, pfn, order, zone.mm.get_pageblock_migratetype(pfn))


def free_pages_core(m, zone, pfn, order, cpu):
    """__free_pages() once the refcount reached 0: pcp for order 0, buddy otherwise."""
    mm = m.mm
    n = 1 << order
    mm.lru[pfn:pfn + n] = bytes(n)
    mm.refcount[pfn] = 0
    del m.allocated[pfn]
    tr = m.vm.trace
    if tr is not None:
        tr.emit("mm_page_free", pfn=pfn, order=order)
    if order == 0:
        P.free_unref_page(zone, zone.pageset[cpu], pfn)
    else:
        free_pages_ok(m, zone, pfn, order)
