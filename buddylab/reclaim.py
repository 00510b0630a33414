"""Page reclaim: kswapd and direct reclaim, over the owners' LRU pages.

Kernel: mm/vmscan.c (v4.18): wakeup_kswapd(), pgdat_balanced(), balance_pgdat(),
kswapd_shrink_node(), kswapd(), kswapd_try_to_sleep(), prepare_kswapd_sleep(),
kswapd_classzone_idx(), try_to_free_pages(), do_try_to_free_pages(),
shrink_zones(), compaction_ready(), shrink_node();
and in mm/page_alloc.c wake_all_kswapds(), __perform_reclaim(),
__alloc_pages_direct_reclaim().

Simplifications, said aloud:

* kswapd and kcompactd are threads in the kernel; here they run
  synchronously, to completion, at the moment the kernel wakes them
  (wake_all_kswapds() in the slow path), on the node's first CPU.
* shrink_node() takes pages from one per-node LRU, oldest first, in batches
  of SWAP_CLUSTER_MAX = 32 (each batch is a ``reclaim_batch`` event), only
  from zones up to reclaim_idx.  A clean page-cache page is dropped, an
  anonymous page goes to swap while a swap slot is free, a reclaimable slab
  page is freed (the kernel's shrinkers run beside the LRU scan; here they
  share the queue).  Dirty page-cache pages are skipped (the kernel would
  start writeback and reclaim them later).  The priority loop is kept, but a
  scan at any priority finds every eligible page: scan balancing between
  anon and file and the active/inactive ageing are not modelled.
* Freed pages go through the ordinary order-0 free path (the CPU's pcp list),
  as putback/free_unref_page_list() do in the kernel.
"""

from . import mmzone as mz
from .owners import FILE, ANON, SWAPPED, EVICTED, put_owned_page as free_owned_page
from .compaction import (wakeup_kcompactd, compaction_suitable, COMPACT_SUCCESS,
                         COMPACT_SKIPPED, compact_gap)

SWAP_CLUSTER_MAX = 32
DEF_PRIORITY = 12
MAX_RECLAIM_RETRIES = mz.MAX_RECLAIM_RETRIES


def shrink_node(m, nid, reclaim_idx, nr_to_reclaim, cpu, who, may_swap=True):
    """shrink_node(): reclaim up to nr_to_reclaim pages of node nid, oldest first.

    Kernel: shrink_node() -> shrink_node_memcg() -> shrink_list() and
    shrink_slab() in mm/vmscan.c.  Returns the number of pages reclaimed.
    """
    reg = m.owners
    if reg is None:
        return 0
    lru = reg.lru[nid]
    nr_reclaimed = 0
    batch = []
    tr = m.trace
    for h in list(lru):
        if nr_reclaimed >= nr_to_reclaim:
            break
        if h.zone_idx > reclaim_idx or h.order:
            continue
        if h.kind == FILE and h.dirty:
            continue
        if h.kind == ANON and not (may_swap and reg.nr_swap_free() > 0):
            continue
        if m.mm.refcount[h.pfn] > 1:
            continue    # pinned: page_ref_freeze() fails in __remove_mapping(), mm/vmscan.c v4.18
        batch.append(h.pfn)
        free_owned_page(m, h, cpu)
        if h.kind == ANON:
            h.state = SWAPPED
            reg.nr_swap_used += 1
            h.owner.nr_swapents += 1
        else:
            h.state = EVICTED
        nr_reclaimed += 1
        if len(batch) == SWAP_CLUSTER_MAX:
            if tr is not None:
                tr.emit("reclaim_batch", nid=nid, who=who, nr_reclaimed=len(batch), pfns=tuple(batch))
            batch = []
    if batch and tr is not None:
        tr.emit("reclaim_batch", nid=nid, who=who, nr_reclaimed=len(batch), pfns=tuple(batch))
    if nr_reclaimed:
        m.nodes[nid].kswapd_failures = 0
    return nr_reclaimed


# ----------------------------------------------------------------- kswapd
def pgdat_balanced(m, nid, order, classzone_idx):
    """pgdat_balanced(): some zone up to classzone_idx meets its HIGH watermark at order.

    Kernel: pgdat_balanced() in mm/vmscan.c (v4.18); a node with no managed
    zone counts as balanced.
    """
    mark = -1
    for zone in m.nodes[nid].node_zones[:classzone_idx + 1]:
        if not zone.managed():
            continue
        mark = zone.high_wmark_pages()
        if m.kernel.zone_watermark_ok(zone, order, mark, classzone_idx, 0):
            return True
    return mark == -1


def balance_pgdat(m, nid, order, classzone_idx):
    """balance_pgdat(): kswapd reclaims until the node is balanced at the HIGH watermark.

    Kernel: balance_pgdat() and kswapd_shrink_node() in mm/vmscan.c (v4.18).
    Each priority round asks for sum(max(high, 32)) pages; the model checks
    the balance after every batch of 32.  Once compact_gap(order) = 2 << order
    pages were reclaimed a high-order request is rechecked at order 0
    (compaction's job from there).  A run that ends without balancing the
    node and without reclaiming a page counts a kswapd failure
    (pgdat->kswapd_failures++); a balanced node leaves at once ("goto out").
    Returns (pages reclaimed, the order kswapd finished reclaiming at).
    """
    pgdat = m.nodes[nid]
    # set_reclaim_active() / clear_reclaim_active() (mm/vmscan.c, balance_pgdat(), v6.18):
    # ZONE_RECLAIM_ACTIVE on the node's managed zones up to classzone_idx while kswapd runs;
    # only v6.18's pcp code reads it (nr_pcp_high()), v4.18 has no such flag
    eligible = [z for z in pgdat.node_zones[:classzone_idx + 1] if z.managed()]
    for z in eligible:
        z.reclaim_active = True
    try:
        return _balance_pgdat(m, nid, order, classzone_idx)
    finally:
        for z in eligible:
            z.reclaim_active = False


def _balance_pgdat(m, nid, order, classzone_idx):
    """balance_pgdat()'s priority loop (between set_ and clear_reclaim_active())."""
    pgdat = m.nodes[nid]
    cpu = m.nodes[nid].first_cpu()
    total = 0
    priority = DEF_PRIORITY
    sc_order = order
    while priority >= 1:
        if pgdat_balanced(m, nid, sc_order, classzone_idx):
            return total, sc_order                          # goto out
        nr_to_reclaim = sum(max(z.high_wmark_pages(), SWAP_CLUSTER_MAX)
                            for z in pgdat.node_zones[:classzone_idx + 1] if z.managed())
        got = 0
        while got < nr_to_reclaim and not pgdat_balanced(m, nid, sc_order, classzone_idx):
            n = shrink_node(m, nid, classzone_idx, min(SWAP_CLUSTER_MAX, nr_to_reclaim - got),
                            cpu, "kswapd")
            if not n:
                break
            got += n
            total += n
            if sc_order and total >= 2 << sc_order:
                sc_order = 0
        if not got:
            break       # nothing eligible: every lower priority would scan the same, in vain
        if got < nr_to_reclaim:
            priority -= 1
    if not total:
        pgdat.kswapd_failures += 1
    return total, sc_order


def kswapd_classzone_idx(pgdat, classzone_idx):
    """kswapd_classzone_idx(): the recorded request's zone index, or `classzone_idx` if none.

    Kernel: kswapd_classzone_idx() in mm/vmscan.c (v4.18); MAX_NR_ZONES means none.
    """
    if pgdat.kswapd_classzone_idx == mz.MAX_NR_ZONES:
        return classzone_idx
    return max(pgdat.kswapd_classzone_idx, classzone_idx)


def prepare_kswapd_sleep(m, nid, order, classzone_idx):
    """prepare_kswapd_sleep(): may kswapd sleep?  A hopeless node, or one balanced at `order`.

    Kernel: prepare_kswapd_sleep() in mm/vmscan.c (v4.18).
    """
    return m.nodes[nid].node_unreclaimable() or pgdat_balanced(m, nid, order, classzone_idx)


def kswapd_try_to_sleep(m, nid, alloc_order, reclaim_order, classzone_idx):
    """kswapd_try_to_sleep(): if kswapd may sleep at reclaim_order, wake kcompactd for
    alloc_order and sleep; True if kswapd went fully to sleep.

    Kernel: kswapd_try_to_sleep() in mm/vmscan.c (v4.18).  The short sleep
    (HZ/10) is never cut short here (nothing runs beside kswapd), so the
    second prepare_kswapd_sleep() decides, after kcompactd has run.
    """
    if not prepare_kswapd_sleep(m, nid, reclaim_order, classzone_idx):
        return False
    wakeup_kcompactd(m, nid, alloc_order, classzone_idx)
    return prepare_kswapd_sleep(m, nid, reclaim_order, classzone_idx)


def kswapd(m, nid):
    """kswapd woken: balance_pgdat(), then try to sleep, until it sleeps.

    Kernel: kswapd() in mm/vmscan.c (v4.18).  On waking it reads (and
    resets) kswapd_order and kswapd_classzone_idx.  If balance_pgdat()
    finished at a lower order than asked (a high-order reclaim fell back to
    order 0), it tries to sleep at that order and wakes kcompactd for the
    asked order; otherwise it re-reads kswapd_order (0: nothing new was
    asked while it ran) and tries to sleep at order 0, where
    wakeup_kcompactd() does nothing.  Not able to sleep (neither balanced
    nor hopeless), it reads the order and zone index again and reclaims
    again; v4.18 then reads the zone index as kswapd_classzone_idx(pgdat, 0),
    i.e. 0 when nothing new was asked (5.1 changed that).  Each run that
    reclaims nothing is a kswapd failure, so the loop ends: balanced, or
    hopeless after MAX_RECLAIM_RETRIES failures.  Runs synchronously, here.
    Returns the pages reclaimed.
    """
    m._nid(nid)                                  # UnknownNodeError before anything runs
    pgdat = m.nodes[nid]
    alloc_order = reclaim_order = first_order = pgdat.kswapd_order
    classzone_idx = first_classzone_idx = kswapd_classzone_idx(pgdat, 0)
    pgdat.kswapd_order, pgdat.kswapd_classzone_idx = 0, mz.MAX_NR_ZONES
    total = 0
    while True:
        nr, reclaim_order = balance_pgdat(m, nid, alloc_order, classzone_idx)
        total += nr
        if reclaim_order >= alloc_order:
            alloc_order = reclaim_order = pgdat.kswapd_order
            classzone_idx = kswapd_classzone_idx(pgdat, classzone_idx)
        if kswapd_try_to_sleep(m, nid, alloc_order, reclaim_order, classzone_idx):
            break
        alloc_order = reclaim_order = pgdat.kswapd_order
        classzone_idx = kswapd_classzone_idx(pgdat, 0)
        pgdat.kswapd_order, pgdat.kswapd_classzone_idx = 0, mz.MAX_NR_ZONES
    tr = m.trace
    if tr is not None:
        tr.emit("kswapd_sleep", nid=nid, order=first_order, nr_reclaimed=total,
                balanced=pgdat_balanced(m, nid, 0, first_classzone_idx))
    return total


def wakeup_kswapd(m, zone, gfp_mask, order, classzone_idx):
    """wakeup_kswapd(): record the request; wake kswapd unless the node is balanced or hopeless.

    Kernel: wakeup_kswapd() in mm/vmscan.c (v4.18).  A balanced (or hopeless)
    node wakes kcompactd instead, for requests that cannot compact themselves.
    """
    if not zone.managed():
        return
    nid = zone.nid
    pgdat = m.nodes[nid]
    pgdat.kswapd_classzone_idx = kswapd_classzone_idx(pgdat, classzone_idx)
    pgdat.kswapd_order = max(pgdat.kswapd_order, order)
    if pgdat.node_unreclaimable() or pgdat_balanced(m, nid, order, classzone_idx):
        if not gfp_mask & m.kernel.gfp.__GFP_DIRECT_RECLAIM:
            wakeup_kcompactd(m, nid, order, classzone_idx)
        return
    tr = m.trace
    if tr is not None:
        tr.emit("kswapd_wake", nid=nid, zone=zone.name, order=order,
                classzone_idx=classzone_idx, free_pages=zone.NR_FREE_PAGES,
                low=zone.low_wmark_pages(), high=zone.high_wmark_pages())
    kswapd(m, nid)


def wake_all_kswapds(m, order, gfp_mask, ac):
    """wake_all_kswapds(): wakeup_kswapd() once per node of the zonelist.

    Kernel: wake_all_kswapds() in mm/page_alloc.c (v4.18); classzone_idx is
    ac->high_zoneidx there.
    """
    last_nid = None
    for zone in ac.zones():
        if zone.nid != last_nid:
            wakeup_kswapd(m, zone, gfp_mask, order, ac.high_zoneidx)
        last_nid = zone.nid


# ---------------------------------------------------------- direct reclaim
def compaction_ready(m, zone, order, reclaim_idx):
    """compaction_ready(): enough free memory that compaction, not reclaim, should run.

    Kernel: compaction_ready() in mm/vmscan.c (v4.18).
    """
    suitable = compaction_suitable(m, zone, order, 0, reclaim_idx)
    if suitable == COMPACT_SUCCESS:
        return True
    if suitable == COMPACT_SKIPPED:
        return False
    return m.kernel.zone_watermark_ok(zone, 0, zone.high_wmark_pages() + compact_gap(order),
                                      reclaim_idx, 0)


def try_to_free_pages(m, gfp_mask, order, ac, cpu):
    """try_to_free_pages(): direct reclaim of SWAP_CLUSTER_MAX pages; returns progress.

    Kernel: try_to_free_pages() -> do_try_to_free_pages() -> shrink_zones() in
    mm/vmscan.c (v4.18).  Zones of the zonelist up to gfp_zone(); one
    shrink_node() per node; a costly request skips a zone where
    compaction_ready() and then reports progress 1 without reclaiming.
    """
    reclaim_idx = m.kernel.gfp.gfp_zone(gfp_mask)
    nr_reclaimed = 0
    ready = False
    priority = DEF_PRIORITY
    while priority >= 0:
        before = nr_reclaimed
        last_nid = None
        for zone in ac.zones():
            if zone.idx > reclaim_idx:
                continue
            if m.compaction and order > mz.PAGE_ALLOC_COSTLY_ORDER \
                    and compaction_ready(m, zone, order, reclaim_idx):
                ready = True
                continue
            if zone.nid == last_nid:
                continue
            last_nid = zone.nid
            nr_reclaimed += shrink_node(m, zone.nid, reclaim_idx,
                                        SWAP_CLUSTER_MAX - nr_reclaimed, cpu, "direct")
            if nr_reclaimed >= SWAP_CLUSTER_MAX:
                break
        if nr_reclaimed >= SWAP_CLUSTER_MAX or ready or nr_reclaimed == before:
            break
        priority -= 1
    if nr_reclaimed:
        return nr_reclaimed
    return 1 if ready else 0


def perform_reclaim(m, gfp_mask, order, ac, cpu):
    """__perform_reclaim(): try_to_free_pages() with PF_MEMALLOC set; returns progress."""
    progress = try_to_free_pages(m, gfp_mask, order, ac, cpu) if m.owners is not None else 0
    if m.trace is not None:
        m.trace.emit("direct_reclaim", order=order, progress=progress)
    return progress


def drain_all_pages(m):
    """drain_all_pages(NULL): every CPU's pcp lists of every zone (no ops recorded)."""
    m.kernel.drain_all_pages(m.zones, m.nr_cpus)


def alloc_pages_direct_reclaim(m, gfp_mask, order, alloc_flags, ac, cpu):
    """__alloc_pages_direct_reclaim(): reclaim, try; then once unreserve + drain, try again.

    Kernel: __alloc_pages_direct_reclaim() in mm/page_alloc.c (v4.18).  With no
    progress it returns at once (no drain).  Returns (page, did_some_progress).
    """
    progress = perform_reclaim(m, gfp_mask, order, ac, cpu)
    if not progress:
        return None, 0
    page = m.kernel.get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    if page is None:
        m.kernel.unreserve_highatomic_pageblock(list(ac.zones()), ac.migratetype, False)
        drain_all_pages(m)
        page = m.kernel.get_page_from_freelist(m, gfp_mask, order, alloc_flags, ac, cpu)
    return page, progress


__all__ = ["SWAP_CLUSTER_MAX", "DEF_PRIORITY", "shrink_node", "pgdat_balanced", "balance_pgdat",
           "kswapd", "kswapd_try_to_sleep", "prepare_kswapd_sleep", "kswapd_classzone_idx", "wakeup_kswapd", "wake_all_kswapds", "compaction_ready",
           "try_to_free_pages", "perform_reclaim", "alloc_pages_direct_reclaim",
           "drain_all_pages", "free_owned_page"]
