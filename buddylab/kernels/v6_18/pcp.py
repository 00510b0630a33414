"""v6.18's per-CPU page lists: orders 0-3 and the THP order, auto-tuned high, batched frees.

Kernel: mm/page_alloc.c (v6.18): order_to_pindex(), pindex_to_order(), nr_pcp_alloc(),
rmqueue_bulk(), __rmqueue_pcplist(), rmqueue_pcplist(), __free_frozen_pages() (v4.18's
free_unref_page()), free_frozen_page_commit(), nr_pcp_high(), nr_pcp_free(),
free_pcppages_bulk(), decay_pcp_high(), drain_pages_zone(), drain_pages(),
drain_all_pages(); mm/vmstat.c (v6.18): refresh_cpu_vm_stats().  The list structure is
buddylab.pcp.PerCpuPages; pcp_allowed_order() and HPAGE_PMD_ORDER live in mmzone.py; the
batch / high_min / high_max formulas in formulas.py and their writing into the pcps
(zone_set_pageset_high_and_batch(), zone_pcp_update(), called by setup_per_zone_wmarks()
and the percpu_pagelist_high_fraction sysctl) in pageset.py.  The classic version beside
it: ../v4_18/pcp.py.

What changed since v4.18, step by step:

* one list per (order, pcp migratetype) for orders 0..PAGE_ALLOC_COSTLY_ORDER, and two for
  the THP order (NR_PCP_LISTS = 14, order_to_pindex()); ``count`` counts pages (an order-k
  block adds 1 << k);
* a refill takes nr_pcp_alloc() blocks: ``batch << alloc_factor`` for order 0 (the factor
  grows with every refill and halves with every free), ``max(batch >> order, 2)`` above;
  each refill also raises ``high`` by that batch, between high_min and high_max;
* a free halves alloc_factor, adds to ``free_count`` (halved by every allocation), and
  when ``count >= nr_pcp_high()`` frees nr_pcp_free() pages = free_count clamped to
  [batch, high - batch]; a run of high-order frees ("free_high") drains up to batch << 5;
* free_pcppages_bulk() starts with the list just freed to (or list 0) and empties each
  visited list from its TAIL before moving to the next pindex (no v4.18 batch_free
  round robin), with the pageblock's migratetype read at drain time;
* the vmstat worker's decay_pcp_high() lowers ``high`` by an eighth a pass and drains
  the pages above it, batch by batch.

Allocation and free work at the list HEAD; a refill appends at the TAIL (ascending pfns
from a split); a drain takes from the TAIL.

Simplifications, said aloud:

* the pcp spin_trylock never fails (one task, no interrupts): rmqueue_pcplist() never
  returns NULL for a busy lock and a free never takes the free_one_page() fallback;
  FPI_TRYLOCK frees (BPF, NMI) and the PREEMPT_RT llist do not exist;
* check_new_pages() always passes (no bad pages), so __rmqueue_pcplist() takes one page;
* PCPF_FREE_HIGH_BATCH (set by zone_pcp_update_cacheinfo() when the CPU's data cache
  holds more than 3 * batch pages) is never set: the model has no cache sizes;
* CONFIG_PCP_BATCH_SCALE_MAX is the default 5 (the live 6.18 config's value);
  HPAGE_PMD_ORDER is x86_64's 9 whatever the model's pageblock_order, and
  CONFIG_TRANSPARENT_HUGEPAGE is on (NR_PCP_THP = 2);
* decay_pcp_high() drains ``batch`` pages per free_pcppages_bulk() call, as 6.18.y does
  since 6.18.7 ("mm/page_alloc: batch page freeing in decay_pcp_high", a stable
  dependency of "mm/page_alloc: prevent pcp corruption with SMP=n"); v6.18.0 drained the
  whole excess in one call (the same pages in the same order, except that a high-order
  list may overshoot once per call);
* refresh_cpu_vm_stats() models only its pcp part, decay_pcp_high() on each populated
  zone; the NUMA expiry that drains a remote node's pcp after 3 idle passes
  (drain_zone_pages()) needs the per-CPU vmstat diffs, which the model does not keep, so
  it never fires; the vmstat worker runs only when the caller asks
  (Machine.refresh_cpu_vm_stats(cpu)), never on its own every stat_interval.
"""

from ...mmzone import MIGRATE_MOVABLE, MIGRATE_ISOLATE, ZONE_MOVABLE
from ...memmap import PCP
from ...kmath import clamp
from . import mmzone as mz
from . import buddy as _buddy
from .buddy import FPI_NONE, RMQUEUE_NORMAL, _mark
from .mmzone import HPAGE_PMD_ORDER, pcp_allowed_order  # noqa: F401  (their home: mmzone.py)
from .watermark import zone_watermark_ok

MIGRATE_PCPTYPES = mz.MIGRATE_PCPTYPES
PAGE_ALLOC_COSTLY_ORDER = mz.PAGE_ALLOC_COSTLY_ORDER
NR_LOWORDER_PCP_LISTS = mz.NR_LOWORDER_PCP_LISTS
NR_PCP_LISTS = mz.NR_PCP_LISTS
PCPF_PREV_FREE_HIGH_ORDER = mz.PCPF_PREV_FREE_HIGH_ORDER
PCPF_FREE_HIGH_BATCH = mz.PCPF_FREE_HIGH_BATCH
PCP_BATCH_SCALE_MAX = 5             # CONFIG_PCP_BATCH_SCALE_MAX (mm/Kconfig default, live 6.18)


# ------------------------------------------------------------------ list indexing
def order_to_pindex(migratetype, order):
    """order_to_pindex(): the pcp list of an (migratetype, order) pair.

    Kernel: order_to_pindex() in mm/page_alloc.c (v6.18), CONFIG_TRANSPARENT_HUGEPAGE:
    MIGRATE_PCPTYPES * order + migratetype for orders 0..PAGE_ALLOC_COSTLY_ORDER; the
    THP order has NR_LOWORDER_PCP_LISTS (Unmovable and Reclaimable share it) and
    NR_LOWORDER_PCP_LISTS + 1 (Movable).  Any other order is a kernel bug (VM_BUG_ON).

    >>> [order_to_pindex(mt, 1) for mt in range(3)], order_to_pindex(2, 9), order_to_pindex(1, 9)
    ([3, 4, 5], 12, 13)
    """
    if order > PAGE_ALLOC_COSTLY_ORDER:
        assert order == HPAGE_PMD_ORDER, "order_to_pindex(): order %d has no pcp list" % order
        return NR_LOWORDER_PCP_LISTS + (migratetype == MIGRATE_MOVABLE)
    return MIGRATE_PCPTYPES * order + migratetype


def pindex_to_order(pindex):
    """pindex_to_order(): the order of the blocks on pcp list `pindex`.

    Kernel: pindex_to_order() in mm/page_alloc.c (v6.18).

    >>> [pindex_to_order(p) for p in (0, 2, 3, 11, 12, 13)]
    [0, 0, 1, 3, 9, 9]
    """
    if pindex >= NR_LOWORDER_PCP_LISTS:
        return HPAGE_PMD_ORDER
    return pindex // MIGRATE_PCPTYPES


# batch, high_min and high_max (zone_set_pageset_high_and_batch(), zone_pcp_update(),
# pageset_update()) are written by buddylab/kernels/v6_18/pageset.py from the formulas.


# ---------------------------------------------------------------- zone flags
# test_bit(ZONE_BELOW_HIGH, &zone->flags) is ``zone.below_high`` (set by
# get_page_from_freelist()), test_bit(ZONE_RECLAIM_ACTIVE, &zone->flags) is
# ``zone.reclaim_active`` (set while kswapd balances the node): read in place, no call.


# ---------------------------------------------------------------- allocation
def nr_pcp_alloc(pcp, zone, order):
    """nr_pcp_alloc(): how many blocks the next refill takes (and the tuned high).

    Kernel: nr_pcp_alloc() in mm/page_alloc.c (v6.18).  high is clamped into
    [high_min, high_max] and, while auto-tuning (high_min != high_max) and the zone is
    not below its high watermark, raised by the batch; order 0 takes ``batch <<
    alloc_factor`` pages (at most high - count - batch, at least batch) and bumps
    alloc_factor while that fits; a block count above 1 is then scaled by the order,
    ``max(batch >> order, 2)``.  1 when high < batch (a boot pageset).
    """
    base_batch = pcp.batch
    high_min, high_max = pcp.high_min, pcp.high_max
    high = pcp.high = clamp(pcp.high, high_min, high_max)
    if high < base_batch:
        return 1
    batch = base_batch if order else base_batch << pcp.alloc_factor
    if high_min != high_max and not zone.below_high:   # ZONE_BELOW_HIGH
        high = pcp.high = min(high + batch, high_max)
    if not order:
        max_nr_alloc = max(high - pcp.count - base_batch, base_batch)
        if batch <= max_nr_alloc and pcp.alloc_factor < PCP_BATCH_SCALE_MAX:
            pcp.alloc_factor += 1
        batch = min(batch, max_nr_alloc)
    if batch > 1:
        batch = max(batch >> order, 2)
    return batch


def rmqueue_bulk(zone, order, count, pcp, pindex, migratetype, alloc_flags):
    """rmqueue_bulk(): up to `count` blocks from __rmqueue() onto a pcp list's TAIL.

    Kernel: rmqueue_bulk() in mm/page_alloc.c (v6.18).  One zone-lock hold; the
    rmqueue_mode (RMQUEUE_NORMAL first) carries over from block to block, so once a
    block had to be stolen the next ones go straight to stealing; stops at the first
    failure.  Returns the number of blocks placed (free-page accounting happened in
    __rmqueue()).
    """
    mm = zone.mm
    head = pcp.list_head(pindex)
    mode = RMQUEUE_NORMAL
    pfns = []
    for _ in range(count):
        pfn, mode = _buddy.rmqueue(zone, order, migratetype, alloc_flags, mode)
        if pfn < 0:
            break
        mm.list_add_tail(pfn, head)
        _mark(zone, pfn, order, PCP)
        pfns.append(pfn)
    tr = zone.vm.trace
    if tr is not None and pfns:
        tr.emit("pcp_refill", nid=zone.nid, zone=zone.name, cpu=pcp.cpu,
                migratetype=migratetype, order=order, pfns=tuple(pfns),
                count=pcp.count + (len(pfns) << order))
    return len(pfns)


def __rmqueue_pcplist(zone, order, migratetype, alloc_flags, pcp, pindex):
    """__rmqueue_pcplist(): the HEAD block of list `pindex`, refilling an empty list first.

    Kernel: __rmqueue_pcplist() in mm/page_alloc.c (v6.18): nr_pcp_alloc() blocks by
    rmqueue_bulk(); pcp->count counts pages.  check_new_pages() always passes in the
    model.  The kernel's list_empty() then list_first_entry() is read as one
    list_first_entry_or_null() (-1: empty).  Returns a pfn or -1.
    """
    mm = zone.mm
    head = pcp.lists[pindex]
    pfn = mm.first(head)
    if pfn < 0:                                  # list_empty(list)
        batch = nr_pcp_alloc(pcp, zone, order)
        alloced = rmqueue_bulk(zone, order, batch, pcp, pindex, migratetype, alloc_flags)
        pcp.count += alloced << order
        pfn = mm.first(head)
        if pfn < 0:
            return -1
    mm.list_del(pfn)
    pcp.count -= 1 << order
    return pfn


def pcp_list_refill(zone, pcp, migratetype, count):
    """The refill half of __rmqueue_pcplist() on order 0: `count` blocks onto a list's TAIL.

    Kernel: __rmqueue_pcplist() in mm/page_alloc.c (v6.18): rmqueue_bulk(zone, 0, count,
    list, migratetype, alloc_flags) then ``pcp->count += alloced << order``, without the
    allocation from the list head that follows (nor nr_pcp_alloc(): the caller gives the
    count).  alloc_flags 0 (no ALLOC_CMA, no ALLOC_NOFRAGMENT).  Returns the blocks placed.
    Used to give a model's pcp lists a start count read from /proc/zoneinfo
    (buddylab.tracereplay); no kernel path calls it with a count of its own choosing.
    """
    placed = rmqueue_bulk(zone, 0, count, pcp, order_to_pindex(migratetype, 0), migratetype, 0)
    pcp.count += placed
    return placed


def rmqueue_pcplist(zone, pcp, migratetype, order=0, alloc_flags=0):
    """rmqueue_pcplist(): a block of a pcp order from this CPU's list, or -1.

    Kernel: rmqueue_pcplist() in mm/page_alloc.c (v6.18): an allocation halves
    free_count ("reduce the number of pages that are batch freed"), then
    __rmqueue_pcplist() on list order_to_pindex(migratetype, order).  The caller
    (rmqueue()) has checked pcp_allowed_order(order).
    """
    pcp.free_count >>= 1
    pfn = __rmqueue_pcplist(zone, order, migratetype, alloc_flags, pcp,
                            order_to_pindex(migratetype, order))
    tr = zone.vm.trace
    if tr is not None and pfn >= 0:
        tr.emit("pcp_alloc", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, pfn=pfn, order=order,
                migratetype=migratetype, count=pcp.count)
    return pfn


# ---------------------------------------------------------------------- free
def nr_pcp_free(pcp, batch, high, free_high):
    """nr_pcp_free(): how many pages a free that reached high returns to the buddy.

    Kernel: nr_pcp_free() in mm/page_alloc.c (v6.18): min(count, batch << 5) in a
    high-order free run; 1 for a boot pageset (high < batch); else free_count, at
    least batch, leaving at least batch pages (high - batch).

    >>> from types import SimpleNamespace as P
    >>> nr_pcp_free(P(count=40, free_count=2), 3, 30, False), nr_pcp_free(P(count=40, free_count=2), 3, 30, True)
    (3, 40)
    """
    if free_high:
        return min(pcp.count, batch << PCP_BATCH_SCALE_MAX)
    if high < batch:
        return 1
    min_nr_free, max_nr_free = batch, high - batch
    return clamp(pcp.free_count, min_nr_free, max_nr_free)


def nr_pcp_high(pcp, zone, batch, free_high):
    """nr_pcp_high(): the count at which a free drains, tuning pcp->high on the way.

    Kernel: nr_pcp_high() in mm/page_alloc.c (v6.18).  high is clamped into
    [high_min, high_max]; 0 disables the list.  A high-order free run lowers high by
    batch << 5 and drains at once; while kswapd reclaims (ZONE_RECLAIM_ACTIVE) high
    drops by max(free_count, batch) and at most 4 batches stay; without auto-tuning
    high is used as is; below the zone's high watermark high drops likewise and the
    drain starts at max(count, high_min); otherwise a full list raises high to hold
    free_count + batch more.
    """
    high_min, high_max = pcp.high_min, pcp.high_max
    high = pcp.high = clamp(pcp.high, high_min, high_max)
    if not high:
        return 0
    if free_high:
        pcp.high = max(high - (batch << PCP_BATCH_SCALE_MAX), high_min)
        return 0
    if zone.reclaim_active:                      # test_bit(ZONE_RECLAIM_ACTIVE)
        free_count = max(pcp.free_count, batch)
        pcp.high = max(high - free_count, high_min)
        return min(batch << 2, pcp.high)
    if high_min == high_max:
        return high
    if zone.below_high:                          # test_bit(ZONE_BELOW_HIGH)
        free_count = max(pcp.free_count, batch)
        pcp.high = max(high - free_count, high_min)
        high = max(pcp.count, high_min)
    elif pcp.count >= high:
        need_high = pcp.free_count + batch
        if pcp.high < need_high:
            pcp.high = clamp(need_high, high_min, high_max)
    return high


def free_frozen_page_commit(zone, pcp, pfn, migratetype, order):
    """free_frozen_page_commit(): the block to the HEAD of its list; drain past high.

    Kernel: free_frozen_page_commit() in mm/page_alloc.c (v6.18).  alloc_factor halves;
    an order 1-3 free following another high-order free with free_count >= batch +
    high_min / 2 is a "free_high" run; free_count grows by the block (up to batch <<
    5); when count reaches nr_pcp_high(), free_pcppages_bulk() returns nr_pcp_free()
    pages starting with this list, and a zone back above its high watermark loses
    ZONE_BELOW_HIGH.  (6.19 frees in batch-sized chunks while count >= high; 6.18
    frees them in one call.)
    """
    mm = zone.mm
    pcp.alloc_factor >>= 1
    pindex = order_to_pindex(migratetype, order)
    mm.list_add(pfn, pcp.lists[pindex])
    _mark(zone, pfn, order, PCP)
    pcp.count += 1 << order
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("pcp_free", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, pfn=pfn, order=order,
                migratetype=migratetype, count=pcp.count)
    batch = pcp.batch
    free_high = False
    if order and order <= PAGE_ALLOC_COSTLY_ORDER:
        free_high = (pcp.free_count >= batch + pcp.high_min // 2
                     and bool(pcp.flags & PCPF_PREV_FREE_HIGH_ORDER)
                     and (not pcp.flags & PCPF_FREE_HIGH_BATCH or pcp.count >= batch))
        pcp.flags |= PCPF_PREV_FREE_HIGH_ORDER
    elif pcp.flags & PCPF_PREV_FREE_HIGH_ORDER:
        pcp.flags &= ~PCPF_PREV_FREE_HIGH_ORDER
    if pcp.free_count < batch << PCP_BATCH_SCALE_MAX:
        pcp.free_count += 1 << order
    high = nr_pcp_high(pcp, zone, batch, free_high)
    if pcp.count >= high:
        free_pcppages_bulk(zone, nr_pcp_free(pcp, batch, high, free_high), pcp, pindex,
                           reason="count >= high")
        if zone.below_high and zone_watermark_ok(zone, 0, zone.high_wmark_pages(),
                                                   ZONE_MOVABLE, 0):
            zone.below_high = False


def free_unref_page(zone, pcp, pfn, order=0):
    """__free_frozen_pages() after free_pages_prepare(): a pcp order goes to this CPU.

    Kernel: __free_frozen_pages() in mm/page_alloc.c (v6.18; v4.18's free_unref_page()):
    an order that pcp_allowed_order() refuses goes to the buddy lists
    (__free_pages_ok()); the pageblock's type picks the list, HIGHATOMIC and CMA
    blocks sharing the MOVABLE lists and an ISOLATE block going straight to the buddy
    (free_one_page()); then free_frozen_page_commit().  v6.18 no longer caches the
    migratetype in the page: free_pcppages_bulk() reads the pageblock again.
    """
    if not pcp_allowed_order(order):
        _buddy.free_one_page(zone, pfn, order)
        return
    migratetype = zone.mm.get_pageblock_migratetype(pfn)
    if migratetype >= MIGRATE_PCPTYPES:
        if migratetype == MIGRATE_ISOLATE:
            _buddy.free_one_page(zone, pfn, order)
            return
        migratetype = MIGRATE_MOVABLE
    free_frozen_page_commit(zone, pcp, pfn, migratetype, order)


def free_pcppages_bulk(zone, count, pcp, pindex=0, reason="drain"):
    """free_pcppages_bulk(): `count` pages back to the buddy, list `pindex` first.

    Kernel: free_pcppages_bulk() in mm/page_alloc.c (v6.18).  count is capped at
    pcp->count; starting at `pindex`, each non-empty list (wrapping after
    NR_PCP_LISTS - 1) gives blocks from its TAIL until it is empty or count is used
    up (a high-order block can take count below 0); each block goes to
    __free_one_page() with its pageblock's migratetype at this moment, and fires
    mm_page_pcpu_drain.  Returns the pages freed.
    """
    mm = zone.mm
    tr = zone.vm.trace
    count = min(pcp.count, count)
    pindex -= 1
    freed = 0
    while count > 0:
        while True:
            pindex += 1
            if pindex > NR_PCP_LISTS - 1:
                pindex = 0
            head = pcp.list_head(pindex)
            if not mm.list_empty(head):
                break
        order = pindex_to_order(pindex)
        nr_pages = 1 << order
        while True:
            pfn = mm.last(head)
            mt = mm.get_pageblock_migratetype(pfn)
            mm.list_del(pfn)
            count -= nr_pages
            pcp.count -= nr_pages
            freed += nr_pages
            _buddy.free_one_page_locked(zone, pfn, order, mt, FPI_NONE)
            if tr is not None:
                tr.emit("mm_page_pcpu_drain", pfn=pfn, order=order, migratetype=mt)
            if count <= 0 or mm.list_empty(head):
                break
    if tr is not None and freed:
        tr.emit("pcp_drain", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, nr_pages=freed,
                count=pcp.count, reason=reason)
    return freed


# ------------------------------------------------------------ decay and drains
def decay_pcp_high(zone, pcp):
    """decay_pcp_high(): the vmstat worker lowers high by an eighth and drains above it.

    Kernel: decay_pcp_high() in mm/page_alloc.c (v6.18.y): high = max(count - (batch <<
    5), high - high / 8, high_min) while above high_min; then count - high pages go back,
    ``batch`` at a time, each call from list 0.  Returns whether more work remains.
    """
    high_min, batch = pcp.high_min, pcp.batch
    todo = False
    if pcp.high > high_min:
        pcp.high = max(pcp.count - (batch << PCP_BATCH_SCALE_MAX),
                       pcp.high - (pcp.high >> 3), high_min)
        if pcp.high > high_min:
            todo = True
    to_drain = pcp.count - pcp.high
    while to_drain > 0:
        to_drain_batched = min(to_drain, batch)
        free_pcppages_bulk(zone, to_drain_batched, pcp, 0, reason="decay_pcp_high")
        todo = True
        to_drain -= to_drain_batched
    return todo


def refresh_cpu_vm_stats(zones, cpu):
    """refresh_cpu_vm_stats(do_pagesets=true) on `cpu`: decay_pcp_high() on each zone.

    Kernel: refresh_cpu_vm_stats() in mm/vmstat.c (v6.18), run by vmstat_update() on
    every CPU each stat_interval (1 s): for each populated zone, in zone order,
    decay_pcp_high() on this CPU's pcp.  The counter folding and the NUMA expiry of
    remote pagesets are not modelled (module docstring).  Returns whether anything
    changed.
    """
    changed = False
    for zone in zones:
        if zone.populated() and decay_pcp_high(zone, zone.pageset[cpu]):
            changed = True
    return changed


def drain_pages_zone(zone, pcp, reason="drain_pages_zone"):
    """drain_pages_zone(): empty one CPU's lists of one zone, batch << 5 pages a call.

    Kernel: drain_pages_zone() in mm/page_alloc.c (v6.18): free_pcppages_bulk(zone,
    min(count, batch << CONFIG_PCP_BATCH_SCALE_MAX), pcp, 0) until count is 0.
    """
    while pcp.count:
        free_pcppages_bulk(zone, min(pcp.count, pcp.batch << PCP_BATCH_SCALE_MAX), pcp, 0,
                           reason=reason)


def drain_all_pages(zones, nr_cpus, reason="drain_all_pages"):
    """drain_all_pages(NULL): every CPU that holds pcp pages drains every zone.

    Kernel: __drain_all_pages(NULL, false) in mm/page_alloc.c (v6.18): the CPUs whose
    pcp lists of some populated zone are not empty, in CPU order, each running
    drain_pages(cpu): drain_pages_zone() on every populated zone in zone order (the
    model runs the CPUs one after the other).
    """
    for cpu in range(nr_cpus):
        if any(z.populated() and z.pageset[cpu].count for z in zones):
            for z in zones:
                if z.populated():
                    drain_pages_zone(z, z.pageset[cpu], reason=reason)
