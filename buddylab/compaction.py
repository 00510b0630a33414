"""Memory compaction: the migrate scanner climbs, the free scanner descends, pages move.

Kernel: mm/compaction.c (v4.18): compaction_suitable(), __compaction_suitable(),
compact_zone(), compact_finished(), isolate_migratepages(),
isolate_migratepages_block(), isolate_freepages(), isolate_freepages_block(),
suitable_migration_source(), suitable_migration_target(), compaction_alloc(),
release_freepages(), try_to_compact_pages(), compact_zone_order(),
defer_compaction(), compaction_deferred(), compaction_defer_reset(),
compact_node() (/proc/sys/vm/compact_memory), kcompactd_do_work(); from
mm/page_alloc.c __isolate_free_page() and __alloc_pages_direct_compact(); from
mm/migrate.c migrate_pages().

Simplifications, said aloud:

* Pageblock skip hints and the cached scanner positions are not modelled:
  every compaction starts at the zone's two ends as with ``whole_zone`` (so a
  run that meets the scanners reports COMPACT_COMPLETE, never
  PARTIAL_SKIPPED).  There is no lock contention and no fatal signal.
* Only owned order-0 LRU pages (page cache and anonymous, see
  buddylab.owners) can be isolated; migration of an isolated page always
  succeeds (dirty pages included: a filesystem with ->migratepage).  Pages
  on pcp lists, kernel pages and unowned pages fail isolation, as pinned or
  non-LRU pages do in the kernel.
* Moved-from pages are freed through the ordinary order-0 path (the
  compacting CPU's pcp list), and, as in the kernel, drained to the buddy
  lists only when the migrate scanner leaves a cc->order-aligned block.
"""

from . import mmzone as mz
from .memmap import ALLOCATED
from .owners import LRU_KINDS, zone_reclaimable_pages
from .errors import BuddyLabError
from .checks import check_order
from .vmstat import fragmentation_index

# enum compact_result (include/linux/compaction.h, v4.18), in its order
COMPACT_NOT_SUITABLE_ZONE = 0
COMPACT_SKIPPED = 1
COMPACT_DEFERRED = 2
COMPACT_INACTIVE = COMPACT_DEFERRED
COMPACT_NO_SUITABLE_PAGE = 3
COMPACT_CONTINUE = 4
COMPACT_COMPLETE = 5
COMPACT_PARTIAL_SKIPPED = 6
COMPACT_CONTENDED = 7
COMPACT_SUCCESS = 8
COMPACT_RESULT_NAMES = ("not_suitable_zone", "skipped", "deferred", "no_suitable_page",
                        "continue", "complete", "partial_skipped", "contended", "success")

# enum compact_priority
COMPACT_PRIO_SYNC_FULL = MIN_COMPACT_PRIORITY = 0
COMPACT_PRIO_SYNC_LIGHT = MIN_COMPACT_COSTLY_PRIORITY = DEF_COMPACT_PRIORITY = 1
COMPACT_PRIO_ASYNC = INIT_COMPACT_PRIORITY = 2
COMPACT_PRIO_NAMES = ("sync_full", "sync_light", "async")

# enum migrate_mode
MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC = 0, 1, 2
MIGRATE_MODE_NAMES = ("async", "sync_light", "sync")

COMPACT_CLUSTER_MAX = 32          # SWAP_CLUSTER_MAX
COMPACT_MAX_DEFER_SHIFT = 6
MAX_COMPACT_RETRIES = 16
EXTFRAG_THRESHOLD = 500           # sysctl_extfrag_threshold default
ISOLATE_ABORT, ISOLATE_NONE, ISOLATE_SUCCESS = 0, 1, 2


def compact_gap(order):
    """compact_gap(): 2 << order free pages, room for the migration targets.

    >>> compact_gap(9)
    1024
    """
    return 2 << order


# ---------------------------------------------------------------- deferral
def _deferral(zone):
    """(compact_considered, compact_defer_shift, compact_order_failed) of a zone.

    struct zone declares the three (Zone.__init__); a stand-in object without them (a
    unit test's bare zone) reads as a zone that never deferred.
    """
    return (getattr(zone, "compact_considered", 0), getattr(zone, "compact_defer_shift", 0),
            getattr(zone, "compact_order_failed", 0))


def defer_compaction(zone, order):
    """defer_compaction(): after a failure, skip the next 1 << ++shift attempts (shift <= 6)."""
    _, shift, order_failed = _deferral(zone)
    zone.compact_considered = 0
    zone.compact_defer_shift = min(shift + 1, COMPACT_MAX_DEFER_SHIFT)
    zone.compact_order_failed = min(order, order_failed)


def compaction_deferred(zone, order):
    """compaction_deferred(): True while this attempt should be skipped (and counted).

    >>> class Z: pass
    >>> z = Z(); defer_compaction(z, 9); defer_compaction(z, 9)   # shift 2: skip 3 of 4
    >>> [compaction_deferred(z, 9) for _ in range(5)], compaction_deferred(z, 8)
    ([True, True, True, False, False], False)
    """
    considered, shift, order_failed = _deferral(zone)
    defer_limit = 1 << shift
    if order < order_failed:
        return False
    zone.compact_considered = min(considered + 1, defer_limit)
    return zone.compact_considered < defer_limit


def compaction_defer_reset(zone, order, alloc_success):
    """compaction_defer_reset(): a success (of compaction, or of the allocation) resets deferral."""
    considered, shift, order_failed = _deferral(zone)
    if alloc_success:
        considered = shift = 0
    zone.compact_considered, zone.compact_defer_shift = considered, shift
    zone.compact_order_failed = max(order_failed, order + 1)


# -------------------------------------------------------------- suitability
def __compaction_suitable(m, zone, order, alloc_flags, classzone_idx, wmark_target):
    """__compaction_suitable(): SUCCESS if the allocation would already work, SKIPPED if
    too little memory is free to compact (order-0 check against (low or min) + compact_gap)."""
    if order == -1:
        return COMPACT_CONTINUE
    watermark = zone.watermark[alloc_flags & mz.ALLOC_WMARK_MASK]
    if m.kernel.zone_watermark_ok(zone, order, watermark, classzone_idx, alloc_flags):
        return COMPACT_SUCCESS
    watermark = zone.low_wmark_pages() if order > mz.PAGE_ALLOC_COSTLY_ORDER \
        else zone.min_wmark_pages()
    watermark += compact_gap(order)
    if not m.kernel.zone_watermark_ok_full(zone, 0, watermark, classzone_idx, mz.ALLOC_CMA,
                                           wmark_target):
        return COMPACT_SKIPPED
    return COMPACT_CONTINUE


def compaction_suitable(m, zone, order, alloc_flags, classzone_idx):
    """compaction_suitable(): __compaction_suitable(), then, for costly orders, the extfrag index.

    Kernel: compaction_suitable() in mm/compaction.c (v4.18).  An index in
    [0, extfrag_threshold = 500] says the failure is for lack of memory, not
    fragmentation: compaction would not help, so it is skipped.
    """
    ret = __compaction_suitable(m, zone, order, alloc_flags, classzone_idx, zone.NR_FREE_PAGES)
    fragindex = None
    if ret == COMPACT_CONTINUE and order > mz.PAGE_ALLOC_COSTLY_ORDER:
        fragindex = fragmentation_index(order, zone.nr_free, m.max_order)
        if 0 <= fragindex <= m.extfrag_threshold:
            ret = COMPACT_NOT_SUITABLE_ZONE
    if m.trace is not None:
        m.trace.emit("compaction_suitable", nid=zone.nid, zone=zone.name, order=order,
                     result=COMPACT_RESULT_NAMES[ret], fragindex=fragindex)
    if ret == COMPACT_NOT_SUITABLE_ZONE:
        ret = COMPACT_SKIPPED
    return ret


# -------------------------------------------------------------- the control
class CompactControl:
    """struct compact_control: one compaction run of one zone."""

    def __init__(self, m, zone, order, gfp_mask, mode, alloc_flags=0, classzone_idx=0,
                 direct_compaction=False, whole_zone=False, ignore_block_suitable=False, cpu=0):
        self.m, self.zone, self.order, self.gfp_mask, self.mode = m, zone, order, gfp_mask, mode
        self.alloc_flags, self.classzone_idx = alloc_flags, classzone_idx
        self.direct_compaction, self.whole_zone = direct_compaction, whole_zone
        self.ignore_block_suitable = ignore_block_suitable
        self.cpu = cpu
        self.migratetype = m.kernel.gfp.gfpflags_to_migratetype(gfp_mask,
                                                                m.page_group_by_mobility_disabled)
        self.migratepages = []            # isolated pfns; the kernel's list head is the END here
        self.nr_migratepages = 0
        self.nr_freepages_isolated = 0
        self.freepages = []               # order-0 target pfns, in the order they are used
        self.migrate_pfn = self.free_pfn = 0
        self.last_migrated_pfn = 0
        self.finishing_block = False
        self.contended = False
        self.total_migrate_scanned = 0
        self.total_free_scanned = 0
        self.nr_migrated = 0
        self.nr_failed = 0


def _pb_start(m, pfn):
    return pfn & ~(m.pageblock_nr_pages - 1)


def _pb_end(m, pfn):
    return _pb_start(m, pfn) + m.pageblock_nr_pages


def _block_end(pfn, order):
    """block_end_pfn(pfn, order): ALIGN(pfn + 1, 1 << order)."""
    n = 1 << max(order, 0)
    return (pfn + n) & ~(n - 1)


def compact_scanners_met(cc):
    """compact_scanners_met(): the free scanner reached the migrate scanner's pageblock."""
    po = cc.m.pageblock_order
    return (cc.free_pfn >> po) <= (cc.migrate_pfn >> po)


def _block_in_zone(cc, start, end):
    """pageblock_pfn_to_page(): the block's first and last pfn lie in the zone."""
    z = cc.zone
    return z.zone_start_pfn <= start and end - 1 < z.zone_end_pfn


def suitable_migration_source(cc, pfn):
    """suitable_migration_source(): async direct compaction takes only blocks of its own type
    (MOVABLE or CMA for a movable request); every other mode takes any block."""
    if cc.mode != MIGRATE_ASYNC or not cc.direct_compaction:
        return True
    block_mt = cc.m.mm.get_pageblock_migratetype(pfn)
    if cc.migratetype == mz.MIGRATE_MOVABLE:
        return mz.is_migrate_movable(block_mt)
    return block_mt == cc.migratetype


def suitable_migration_target(cc, pfn):
    """suitable_migration_target(): never a block that is one free >= pageblock-order block;
    otherwise any block with ignore_block_suitable (SYNC_FULL), else MOVABLE or CMA ones."""
    mm = cc.m.mm
    if mm.buddy[pfn] and mm.private[pfn] >= cc.m.pageblock_order:
        return False
    if cc.ignore_block_suitable:
        return True
    return mz.is_migrate_movable(mm.get_pageblock_migratetype(pfn))


def _migratable(cc, pfn):
    """Would __isolate_lru_page() take pfn?  An owned order-0 LRU page, not pinned.

    Kernel: isolate_migratepages_block() in mm/compaction.c (v4.18) skips an
    anonymous page whose page_count() exceeds its mapcount ("Migration will
    fail if an anonymous page is pinned in memory"); a pinned page-cache page
    is isolated there but migrate_page_move_mapping() in mm/migrate.c (v4.18)
    refuses it (unexpected refcount, -EAGAIN) and it is put back.  The model
    skips both at the scanner: the same pages stay, the scan counts differ.
    """
    reg = cc.m.owners
    if reg is None:
        return False
    h = reg.by_pfn.get(pfn)
    return (h is not None and h.order == 0 and h.kind in LRU_KINDS
            and cc.m.mm.refcount[pfn] == 1)


# ------------------------------------------------------------ the scanners
def isolate_migratepages_block(cc, low_pfn, end_pfn):
    """isolate_migratepages_block(): isolate up to COMPACT_CLUSTER_MAX movable pages.

    Kernel: isolate_migratepages_block() in mm/compaction.c (v4.18).  Free
    buddy blocks are stepped over; an allocated block of order > 0 is stepped
    over as a compound page.  Async direct compaction gives up a whole
    cc->order-aligned block at its first page that cannot be isolated
    (skip_on_failure), putting back what it took from that block.
    Returns the pfn where the scan stopped.
    """
    m = cc.m
    mm = m.mm
    skip_on_failure = cc.direct_compaction and cc.mode == MIGRATE_ASYNC
    next_skip_pfn = _block_end(low_pfn, cc.order) if skip_on_failure else 0
    nr_isolated = 0
    nr_scanned = 0
    while low_pfn < end_pfn:
        if skip_on_failure and low_pfn >= next_skip_pfn:
            if nr_isolated:
                break
            next_skip_pfn = _block_end(low_pfn, cc.order)
        nr_scanned += 1
        if mm.buddy[low_pfn]:
            o = mm.private[low_pfn]
            if 0 < o < m.max_order:
                low_pfn += (1 << o) - 1
            low_pfn += 1
            continue
        if _migratable(cc, low_pfn):
            cc.migratepages.append(low_pfn)
            nr_isolated += 1
            if not cc.last_migrated_pfn:
                cc.last_migrated_pfn = low_pfn
            if len(cc.migratepages) == COMPACT_CLUSTER_MAX:
                low_pfn += 1
                break
            low_pfn += 1
            continue
        # isolate_fail:
        if mm.state[low_pfn] == ALLOCATED and low_pfn in m.allocated:
            o = m.allocated[low_pfn][0]
            low_pfn += (1 << o) - 1
        if skip_on_failure:
            if nr_isolated:
                del cc.migratepages[len(cc.migratepages) - nr_isolated:]
                cc.last_migrated_pfn = 0
                nr_isolated = 0
            if low_pfn < next_skip_pfn:
                low_pfn = next_skip_pfn - 1
                next_skip_pfn += 1 << cc.order
        low_pfn += 1
    if low_pfn > end_pfn:
        low_pfn = end_pfn
    cc.total_migrate_scanned += nr_scanned
    return low_pfn


def isolate_migratepages(cc):
    """isolate_migratepages(): from cc.migrate_pfn, the first suitable source pageblock."""
    m = cc.m
    nr = m.pageblock_nr_pages
    low_pfn = cc.migrate_pfn
    block_start = max(_pb_start(m, low_pfn), cc.zone.zone_start_pfn)
    block_end = _pb_end(m, low_pfn)
    while block_end <= cc.free_pfn:
        if _block_in_zone(cc, block_start, block_end) and suitable_migration_source(cc, block_start):
            low_pfn = isolate_migratepages_block(cc, low_pfn, block_end)
            break
        low_pfn = block_start = block_end
        block_end += nr
    cc.migrate_pfn = low_pfn
    cc.nr_migratepages = len(cc.migratepages)
    return ISOLATE_SUCCESS if cc.migratepages else ISOLATE_NONE


def isolate_free_page(m, zone, pfn, order):
    """__isolate_free_page(): take a free block off its list for compaction.

    Kernel: __isolate_free_page() in mm/page_alloc.c (v4.18).  Refused unless
    the zone keeps min + (1 << order) free pages; a block of pageblock_order - 1
    or more makes its pageblocks MOVABLE.  Returns the pages taken (0 if refused).
    """
    mm = m.mm
    mt = mm.get_pageblock_migratetype(pfn)
    if mt != mz.MIGRATE_ISOLATE:
        if not m.kernel.zone_watermark_ok(zone, 0, zone.min_wmark_pages() + (1 << order), 0,
                                          mz.ALLOC_CMA):
            return 0
        zone.mod_zone_freepage_state(-(1 << order), mt)
    mm.list_del(pfn)
    zone.nr_free[order] -= 1
    m.kernel.rmv_page_order(zone, pfn)
    if order >= m.pageblock_order - 1:
        for p in range(pfn, pfn + (1 << order), m.pageblock_nr_pages):
            bmt = mm.get_pageblock_migratetype(p)
            if bmt not in (mz.MIGRATE_ISOLATE, mz.MIGRATE_CMA, mz.MIGRATE_HIGHATOMIC):
                m.kernel.set_pageblock_migratetype(zone, p, mz.MIGRATE_MOVABLE)
    return 1 << order


def isolate_freepages_block(cc, start_pfn, end_pfn, isolated_blocks):
    """isolate_freepages_block() (not strict): free blocks from start_pfn up, until there are
    as many free pages as pages to migrate.  Returns where the scan stopped."""
    mm = cc.m.mm
    blockpfn = start_pfn
    nr_scanned = 0
    while blockpfn < end_pfn:
        nr_scanned += 1
        if not mm.buddy[blockpfn]:
            blockpfn += 1
            continue
        order = mm.private[blockpfn]
        isolated = isolate_free_page(cc.m, cc.zone, blockpfn, order)
        if not isolated:
            break
        isolated_blocks.append((blockpfn, order))
        cc.nr_freepages_isolated += isolated
        if cc.nr_migratepages <= cc.nr_freepages_isolated:
            blockpfn += isolated
            break
        blockpfn += isolated
    if blockpfn > end_pfn:
        blockpfn = end_pfn
    cc.total_free_scanned += nr_scanned
    return blockpfn


def map_pages(cc, isolated_blocks):
    """map_pages(): split the isolated blocks into order-0 pages; list_add() reverses them,
    so the highest pfn of the last block is used first."""
    mm = cc.m.mm
    pages = []
    for pfn, order in isolated_blocks:
        n = 1 << order
        mm.state[pfn:pfn + n] = bytes([ALLOCATED]) * n      # post_alloc_hook(), split_page()
        pages.extend(range(pfn, pfn + n))
    pages.reverse()
    cc.freepages = pages + cc.freepages


def isolate_freepages(cc):
    """isolate_freepages(): the free scanner walks pageblocks downward from cc.free_pfn.

    Kernel: isolate_freepages() in mm/compaction.c (v4.18).  It stops at the
    pageblock after the migrate scanner's.
    """
    m = cc.m
    nr = m.pageblock_nr_pages
    zone = cc.zone
    cc.nr_freepages_isolated = len(cc.freepages)
    isolate_start_pfn = cc.free_pfn
    block_start = _pb_start(m, cc.free_pfn)
    block_end = min(block_start + nr, zone.zone_end_pfn)
    low_pfn = _pb_end(m, cc.migrate_pfn)
    blocks = []
    while block_start >= low_pfn:
        if _block_in_zone(cc, block_start, block_end) and suitable_migration_target(cc, block_start):
            isolate_start_pfn = isolate_freepages_block(cc, isolate_start_pfn, block_end, blocks)
            if cc.nr_freepages_isolated >= cc.nr_migratepages:
                if isolate_start_pfn >= block_end:
                    isolate_start_pfn = block_start - nr
                break
            elif isolate_start_pfn < block_end:
                break
        block_end = block_start
        block_start -= nr
        isolate_start_pfn = block_start
    map_pages(cc, blocks)
    cc.free_pfn = isolate_start_pfn


def compaction_alloc(cc):
    """compaction_alloc(): the next target page, running the free scanner when none is left."""
    if not cc.freepages:
        if not cc.contended:
            isolate_freepages(cc)
        if not cc.freepages:
            return -1
    return cc.freepages.pop(0)


def migrate_pages(cc):
    """migrate_pages(): move every isolated page to a target page; -ENOMEM when none is left.

    Kernel: migrate_pages() / unmap_and_move() in mm/migrate.c (v4.18).  The
    list is walked from its head: the most recently isolated page first.  The
    owner's handle follows the page; the old page is freed (put_page()).
    Returns 0, or -12 (ENOMEM) with the unmigrated pages put back.
    """
    m = cc.m
    mm = m.mm
    reg = m.owners
    tr = m.trace
    while cc.migratepages:
        old = cc.migratepages[-1]
        new = compaction_alloc(cc)
        if new < 0:
            cc.nr_failed += len(cc.migratepages)
            cc.migratepages = []                 # putback_movable_pages()
            return -12
        cc.migratepages.pop()
        handle = reg.by_pfn[old]
        reg.move(handle, new)
        m.allocated[new] = m.allocated[old]
        mm.state[new] = ALLOCATED
        mm.refcount[new] = 1
        mm.lru[new] = 1
        mm.refcount[old] = 0
        if tr is not None:
            tr.emit("migrate_page", nid=cc.zone.nid, zone=cc.zone.name, old_pfn=old, new_pfn=new,
                    kind=handle.kind, owner=handle.owner.name)
        cc.m.kernel.free_pages_core(m, cc.zone, old, 0, cc.cpu)
        cc.nr_migrated += 1
    return 0


def release_freepages(cc):
    """release_freepages(): unused target pages go back through __free_page() (pcp)."""
    zone = cc.zone
    for pfn in cc.freepages:
        cc.m.kernel.free_unref_page(zone, zone.pageset[cc.cpu], pfn)
    cc.freepages = []


def __compact_finished(cc):
    """__compact_finished(): scanners met (COMPLETE), or a block of the wanted order is free.

    Kernel: __compact_finished() in mm/compaction.c (v4.18).  A free block of
    order >= cc.order on the request's list (or CMA for movable) is SUCCESS;
    a stealable fallback block is SUCCESS for movable requests, and for the
    others once the current pageblock is finished (sync) or at once (async).
    order -1 (compact_memory) runs until the scanners meet.
    """
    if cc.contended:
        return COMPACT_CONTENDED
    if compact_scanners_met(cc):
        return COMPACT_COMPLETE if cc.whole_zone else COMPACT_PARTIAL_SKIPPED
    if cc.order == -1:
        return COMPACT_CONTINUE
    nr = cc.m.pageblock_nr_pages
    if cc.finishing_block:
        if cc.migrate_pfn % nr == 0:
            cc.finishing_block = False
        else:
            return COMPACT_CONTINUE
    zone, mm = cc.zone, cc.m.mm
    mt = cc.migratetype
    for order in range(cc.order, cc.m.max_order):
        if not mm.list_empty(zone.free_list(order, mt)):
            return COMPACT_SUCCESS
        if mt == mz.MIGRATE_MOVABLE and not mm.list_empty(zone.free_list(order, mz.MIGRATE_CMA)):
            return COMPACT_SUCCESS
        if cc.m.kernel.find_suitable_fallback(zone, order, mt, True) >= 0:
            if mt == mz.MIGRATE_MOVABLE:
                return COMPACT_SUCCESS
            if cc.mode == MIGRATE_ASYNC or cc.migrate_pfn % nr == 0:
                return COMPACT_SUCCESS
            cc.finishing_block = True
            return COMPACT_CONTINUE
    return COMPACT_NO_SUITABLE_PAGE


def compact_finished(cc):
    """compact_finished(): __compact_finished() with NO_SUITABLE_PAGE read as CONTINUE."""
    ret = __compact_finished(cc)
    return COMPACT_CONTINUE if ret == COMPACT_NO_SUITABLE_PAGE else ret


def _scanner_event(cc, step):
    tr = cc.m.trace
    if tr is not None:
        tr.emit("compact_scanner", nid=cc.zone.nid, zone=cc.zone.name, step=step,
                migrate_pfn=cc.migrate_pfn, free_pfn=cc.free_pfn,
                nr_migratepages=len(cc.migratepages), nr_freepages=len(cc.freepages),
                nr_migrated=cc.nr_migrated)


def compact_zone(cc):
    """compact_zone(): run both scanners until compact_finished() says stop.

    Kernel: compact_zone() in mm/compaction.c (v4.18): compaction_suitable()
    first (SUCCESS or SKIPPED end it at once), then isolate, migrate,
    and for a targeted order drain this CPU's pcp pages once the migrate
    scanner leaves a cc->order-aligned block; at the end the unused free
    pages go back.  Every step is a ``compact_scanner`` event.
    """
    m, zone = cc.m, cc.zone
    ret = compaction_suitable(m, zone, cc.order, cc.alloc_flags, cc.classzone_idx)
    if ret in (COMPACT_SUCCESS, COMPACT_SKIPPED):
        return ret
    cc.migrate_pfn = zone.zone_start_pfn
    cc.free_pfn = _pb_start(m, zone.zone_end_pfn - 1)
    cc.whole_zone = True            # "if (cc->migrate_pfn == start_pfn) cc->whole_zone = true"
    _scanner_event(cc, "start")
    while True:
        ret = compact_finished(cc)
        if ret != COMPACT_CONTINUE:
            break
        if isolate_migratepages(cc) == ISOLATE_SUCCESS:
            _scanner_event(cc, "isolate_migratepages")
            err = migrate_pages(cc)
            cc.nr_migratepages = 0
            _scanner_event(cc, "migrate_pages")
            if err:
                if err == -12 and not compact_scanners_met(cc):
                    ret = COMPACT_CONTENDED
                    break
                if cc.direct_compaction and cc.mode == MIGRATE_ASYNC:
                    cc.migrate_pfn = _block_end(cc.migrate_pfn - 1, cc.order)
                    cc.last_migrated_pfn = 0
        # check_drain:
        if cc.order > 0 and cc.last_migrated_pfn:
            current_block_start = cc.migrate_pfn & ~((1 << cc.order) - 1)
            if cc.last_migrated_pfn < current_block_start:
                cc.m.kernel.drain_pages_zone(zone, zone.pageset[cc.cpu], reason="compaction")
                cc.last_migrated_pfn = 0
    release_freepages(cc)
    _scanner_event(cc, "end")
    if m.trace is not None:
        m.trace.emit("compact_end", nid=zone.nid, zone=zone.name, order=cc.order,
                     mode=MIGRATE_MODE_NAMES[cc.mode], result=COMPACT_RESULT_NAMES[ret],
                     nr_migrated=cc.nr_migrated, migrate_scanned=cc.total_migrate_scanned,
                     free_scanned=cc.total_free_scanned)
    return ret


def _account(m, cc):
    st = m.compact_stats
    if not st:                          # the first run: the four counters appear
        st.update(nr_migrated=0, migrate_scanned=0, free_scanned=0, runs=0)
    st["nr_migrated"] += cc.nr_migrated
    st["migrate_scanned"] += cc.total_migrate_scanned
    st["free_scanned"] += cc.total_free_scanned
    st["runs"] += 1


# ------------------------------------------------------- direct compaction
def compact_zone_order(m, zone, order, gfp_mask, prio, alloc_flags, classzone_idx, cpu):
    """compact_zone_order(): direct compaction of one zone at a priority.

    ASYNC priority uses MIGRATE_ASYNC, the others MIGRATE_SYNC_LIGHT; only
    SYNC_FULL sets whole_zone and ignore_block_suitable.
    """
    cc = CompactControl(m, zone, order, gfp_mask,
                        MIGRATE_ASYNC if prio == COMPACT_PRIO_ASYNC else MIGRATE_SYNC_LIGHT,
                        alloc_flags, classzone_idx, direct_compaction=True,
                        whole_zone=prio == MIN_COMPACT_PRIORITY,
                        ignore_block_suitable=prio == MIN_COMPACT_PRIORITY, cpu=cpu)
    ret = compact_zone(cc)
    _account(m, cc)
    return ret


def try_to_compact_pages(m, gfp_mask, order, alloc_flags, ac, prio, cpu):
    """try_to_compact_pages(): direct compaction over the zonelist; the best result.

    Kernel: try_to_compact_pages() in mm/compaction.c (v4.18).  No __GFP_IO, no
    compaction.  A deferred zone is skipped (except at SYNC_FULL); a zone that
    succeeds resets its deferral and ends the walk; a sync run that completes
    without success defers the zone.
    """
    if not gfp_mask & m.kernel.gfp.__GFP_IO:
        return COMPACT_SKIPPED
    rc = COMPACT_SKIPPED
    for zone in ac.zones():
        if prio > MIN_COMPACT_PRIORITY and compaction_deferred(zone, order):
            rc = max(COMPACT_DEFERRED, rc)
            continue
        status = compact_zone_order(m, zone, order, gfp_mask, prio, alloc_flags,
                                    ac.classzone_idx(), cpu)
        rc = max(status, rc)
        if status == COMPACT_SUCCESS:
            compaction_defer_reset(zone, order, False)
            break
        if prio != COMPACT_PRIO_ASYNC and status in (COMPACT_COMPLETE, COMPACT_PARTIAL_SKIPPED):
            defer_compaction(zone, order)
    return rc


def alloc_pages_direct_compact(m, gfp_mask, order, alloc_flags, ac, prio, cpu):
    """__alloc_pages_direct_compact(): compact, then try the free lists.

    Kernel: __alloc_pages_direct_compact() in mm/page_alloc.c (v4.18).  Order 0
    never compacts; without CONFIG_COMPACTION the result is SKIPPED.  A page
    found resets the zone's deferral.  Returns (page, compact_result).
    """
    if not order or not m.compaction:
        return None, COMPACT_SKIPPED
    if m.trace is not None:
        m.trace.emit("direct_compact", order=order, priority=COMPACT_PRIO_NAMES[prio])
    result = try_to_compact_pages(m, gfp_mask, order, alloc_flags, ac, prio, cpu)
    if result <= COMPACT_INACTIVE:
        return None, result
    page = m.kernel.get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is not None:
        compaction_defer_reset(page[0], order, True)
    return page, result


def compaction_zonelist_suitable(m, ac, order, alloc_flags):
    """compaction_zonelist_suitable(): would some zone have enough memory, counting
    reclaimable pages / order, for compaction to run?"""
    for zone in ac.zones():
        available = zone_reclaimable_pages(m, zone) // order + zone.NR_FREE_PAGES
        if __compaction_suitable(m, zone, order, alloc_flags, ac.classzone_idx(),
                                 available) != COMPACT_SKIPPED:
            return True
    return False


def should_compact_retry(m, ac, order, alloc_flags, compact_result, state):
    """should_compact_retry(): retry while compaction makes progress, then raise its priority.

    Kernel: should_compact_retry() in mm/page_alloc.c (v4.18).  Up to
    MAX_COMPACT_RETRIES (16; 4 for costly orders) retries after a success that
    was stolen; a failed (COMPLETE) run raises the priority down to SYNC_FULL
    (SYNC_LIGHT for costly orders); a withdrawn run (skipped, deferred,
    contended) retries if some zone is suitable.  Without CONFIG_COMPACTION:
    retry orders 1..3 while an order-0 MIN watermark check passes.
    `state` is the slow path's SlowpathState (compact_priority, compaction_retries).
    """
    if not m.compaction:
        if not order or order > mz.PAGE_ALLOC_COSTLY_ORDER:
            return False
        return any(m.kernel.zone_watermark_ok(z, 0, z.min_wmark_pages(), ac.classzone_idx(),
                                              alloc_flags)
                   for z in ac.zones())
    if not order:
        return False
    max_retries = MAX_COMPACT_RETRIES
    if compact_result == COMPACT_SUCCESS:
        state.compaction_retries += 1
    if compact_result != COMPACT_COMPLETE:
        if compact_result in (COMPACT_SKIPPED, COMPACT_DEFERRED, COMPACT_PARTIAL_SKIPPED,
                              COMPACT_CONTENDED):
            return compaction_zonelist_suitable(m, ac, order, alloc_flags)
        if order > mz.PAGE_ALLOC_COSTLY_ORDER:
            max_retries //= 4
        if state.compaction_retries <= max_retries:
            return True
    # check_priority:
    min_priority = MIN_COMPACT_COSTLY_PRIORITY if order > mz.PAGE_ALLOC_COSTLY_ORDER \
        else MIN_COMPACT_PRIORITY
    if state.compact_priority > min_priority:
        state.compact_priority -= 1
        state.compaction_retries = 0
        return True
    return False


# ------------------------------------------------- kcompactd, compact_memory
def kcompactd_node_suitable(m, nid, order, classzone_idx):
    """kcompactd_node_suitable(): some populated zone up to classzone_idx would compact."""
    for zone in m.nodes[nid].node_zones[:classzone_idx + 1]:
        if zone.populated() and compaction_suitable(m, zone, order, 0, classzone_idx) \
                == COMPACT_CONTINUE:
            return True
    return False


def kcompactd_do_work(m, nid, order, classzone_idx):
    """kcompactd_do_work(): background SYNC_LIGHT compaction of the node's zones.

    Kernel: kcompactd_do_work() in mm/compaction.c (v4.18); it honours
    deferral and compaction_suitable() and defers on failure.
    """
    cpu = m.nodes[nid].first_cpu()
    for zone in m.nodes[nid].node_zones[:classzone_idx + 1]:
        if not zone.populated():
            continue
        if compaction_deferred(zone, order):
            continue
        if compaction_suitable(m, zone, order, 0, zone.idx) != COMPACT_CONTINUE:
            continue
        cc = CompactControl(m, zone, order, m.kernel.gfp.GFP_KERNEL, MIGRATE_SYNC_LIGHT,
                            classzone_idx=classzone_idx, cpu=cpu)
        status = compact_zone(cc)
        _account(m, cc)
        if status == COMPACT_SUCCESS:
            compaction_defer_reset(zone, order, False)
        elif status in (COMPACT_PARTIAL_SKIPPED, COMPACT_COMPLETE):
            defer_compaction(zone, order)


def _check_wakeup_args(order, classzone_idx):
    check_order(order)
    if isinstance(classzone_idx, bool) or not isinstance(classzone_idx, int) \
            or not 0 <= classzone_idx < mz.MAX_NR_ZONES:
        raise BuddyLabError("classzone_idx must be a zone index 0..%d, got %r"
                            % (mz.MAX_NR_ZONES - 1, classzone_idx))


def wakeup_kcompactd(m, nid, order, classzone_idx):
    """wakeup_kcompactd(): for order > 0, run kcompactd if some zone is suitable.

    Kernel: wakeup_kcompactd() in mm/compaction.c (v4.18).  kcompactd is a
    thread there; here it runs at once, to completion.
    """
    m._nid(nid)                                  # UnknownNodeError before anything runs
    _check_wakeup_args(order, classzone_idx)
    if not order or not m.compaction:
        return
    if not kcompactd_node_suitable(m, nid, order, classzone_idx):
        return
    if m.trace is not None:
        m.trace.emit("kcompactd_wake", nid=nid, order=order, classzone_idx=classzone_idx)
    kcompactd_do_work(m, nid, order, classzone_idx)


def compact_nodes(m):
    """compact_nodes(): /proc/sys/vm/compact_memory: every populated zone, order -1, MIGRATE_SYNC.

    Kernel: compact_nodes() -> compact_node() in mm/compaction.c (v4.18):
    whole_zone, ignore_skip_hint, but not ignore_block_suitable (targets only
    in MOVABLE/CMA pageblocks).  Returns {"nr_migrated", "migrate_scanned",
    "free_scanned"} summed over the zones.
    """
    if not m.compaction:
        raise BuddyLabError("/proc/sys/vm/compact_memory exists only with CONFIG_COMPACTION")
    out = dict(nr_migrated=0, migrate_scanned=0, free_scanned=0)
    for nid in range(m.nr_nodes):
        cpu = m.nodes[nid].first_cpu()
        for zone in m.nodes[nid].node_zones:
            if not zone.populated():
                continue
            cc = CompactControl(m, zone, -1, m.kernel.gfp.GFP_KERNEL, MIGRATE_SYNC, whole_zone=True,
                                cpu=cpu)
            compact_zone(cc)
            _account(m, cc)
            out["nr_migrated"] += cc.nr_migrated
            out["migrate_scanned"] += cc.total_migrate_scanned
            out["free_scanned"] += cc.total_free_scanned
    return out
