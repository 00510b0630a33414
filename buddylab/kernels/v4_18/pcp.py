"""v4.18's per-CPU page lists: order-0 pages kept per CPU in three lists.

Kernel: rmqueue_pcplist, __rmqueue_pcplist, rmqueue_bulk, free_unref_page(_commit),
free_pcppages_bulk, drain_pages_zone, drain_all_pages, zone_batchsize, pageset_set_batch,
pageset_set_high in mm/page_alloc.c (v4.18); the list structure is buddylab.pcp.PerCpuPages.

Allocation and free both work at the list HEAD (hot pages, LIFO); a refill
appends at the TAIL, so a fresh list holds ascending pfns; a drain takes from
the TAIL (the oldest pages first).
"""

from ... import mmzone as mz
from ...mmzone import MIGRATE_PCPTYPES, MIGRATE_MOVABLE, MIGRATE_ISOLATE, MIGRATE_CMA
from ...memmap import PCP, ALLOCATED
from . import buddy
from ...kmath import rounddown_pow_of_two

MIN_PERCPU_PAGELIST_FRACTION = 8


# ------------------------------------------------------------------ the formulas
# Pure functions of plain numbers, called by the model (below), by buddylab.profiles
# and by the host model; v6.18's variants are in buddylab/kernels/v6_18/formulas.py.

BATCH_CAP_BYTES = 512 * 1024        # zone_batchsize(): at most 512 KiB of pages (v4.18)


def zone_batchsize(managed_pages, page_size=mz.PAGE_SIZE):
    """zone_batchsize(): the pcp batch of a zone (classic, 512 KiB cap).

    Kernel: zone_batchsize() in mm/page_alloc.c (v4.18).  About a quarter of
    1/1024 of the zone, capped at 512 KiB, then rounded to 2^n - 1 to avoid
    cache-colouring patterns.  Can be 0 for a small zone.

    >>> zone_batchsize(28672), zone_batchsize(4096), zone_batchsize(1 << 20)
    (7, 0, 31)
    """
    batch = managed_pages // 1024
    if batch * page_size > BATCH_CAP_BYTES:
        batch = BATCH_CAP_BYTES // page_size
    batch //= 4
    if batch < 1:
        batch = 1
    return rounddown_pow_of_two(batch + batch // 2) - 1


def pageset_batch_values(batch):
    """(batch, high) that pageset_set_batch() stores: high = 6 * batch, batch = max(1, batch).

    Kernel: pageset_set_batch() in mm/page_alloc.c (v4.18).

    >>> pageset_batch_values(7), pageset_batch_values(0)
    ((7, 42), (1, 0))
    """
    return max(1, batch), 6 * batch


def pageset_high_values(high):
    """(batch, high) that pageset_set_high() stores: batch = max(1, high/4), at most 96.

    Kernel: pageset_set_high() in mm/page_alloc.c (v4.18): the cap is
    PAGE_SHIFT * 8 = 96.

    >>> pageset_high_values(92750), pageset_high_values(3)
    ((96, 92750), (1, 3))
    """
    batch = max(1, high // 4)
    if high // 4 > mz.PAGE_SHIFT * 8:
        batch = mz.PAGE_SHIFT * 8
    return batch, high


def pageset_high_and_batch(managed_pages, percpu_pagelist_fraction=0):
    """(batch, high) of every CPU's pageset of a zone: the fraction rule, else the batch rule.

    Kernel: pageset_set_high_and_batch() in mm/page_alloc.c (v4.18): with
    percpu_pagelist_fraction set, high = managed / fraction; otherwise
    zone_batchsize() and high = 6 * batch.

    >>> pageset_high_and_batch(742000), pageset_high_and_batch(3840)
    ((31, 186), (1, 0))
    >>> pageset_high_and_batch(742000, 8)
    (96, 92750)
    """
    if percpu_pagelist_fraction:
        return pageset_high_values(managed_pages // percpu_pagelist_fraction)
    return pageset_batch_values(zone_batchsize(managed_pages))


def pageset_set_batch(pcp, batch):
    """pageset_set_batch(): high = 6 * batch, batch = max(1, batch)."""
    pcp.batch, pcp.high = pageset_batch_values(batch)


def pageset_set_high(pcp, high):
    """pageset_set_high(): the percpu_pagelist_fraction rule.

    batch = max(1, high / 4), and at most PAGE_SHIFT * 8 = 96.
    """
    pcp.batch, pcp.high = pageset_high_values(high)


def pageset_set_high_and_batch(zone, pcp, percpu_pagelist_fraction):
    """pageset_set_high_and_batch(): fraction rule if the sysctl is set, else batch rule."""
    pcp.batch, pcp.high = pageset_high_and_batch(zone.managed_pages, percpu_pagelist_fraction)


def order_to_pindex(migratetype, order=0):
    """The pcp list of a migratetype: v4.18 has one order-0 list per pcp migratetype.

    Kernel: v4.18 has no order_to_pindex() (it came with high-order pcp lists in 5.13):
    pcp->lists[] is indexed by the migratetype and holds order-0 pages only.
    """
    assert order == 0, "v4.18 keeps only order-0 pages on the pcp lists"
    return migratetype


def pindex_to_order(pindex):
    """The order of the pages on a v4.18 pcp list: always 0 (see order_to_pindex())."""
    return 0


def refresh_cpu_vm_stats(zones, cpu):
    """The vmstat worker's pass over one CPU: nothing the model keeps changes in v4.18.

    Kernel: refresh_cpu_vm_stats() in mm/vmstat.c (v4.18) folds the per-CPU counter
    diffs (the model keeps its counters exact) and, on NUMA only, drains
    min(count, batch) pages of a pcp of a REMOTE node's zone (drain_zone_pages()) once
    it has seen three passes without a counter change (p->expire).  That expiry needs
    the per-CPU counter diffs, which the model does not keep, so it never fires here;
    v4.18 has no decay of pcp->high.  Returns False (nothing changed).
    """
    return False


def rmqueue_bulk(zone, order, count, pcp, migratetype):
    """rmqueue_bulk(): take `count` blocks with __rmqueue() onto a pcp list's tail.

    Kernel: rmqueue_bulk() in mm/page_alloc.c.  One zone-lock round trip for a
    whole batch; stops at the first failure.  Returns the number placed.
    """
    mm = zone.mm
    head = pcp.list_head(migratetype)
    pfns = []
    for _ in range(count):
        pfn = buddy.rmqueue(zone, order, migratetype)
        if pfn < 0:
            break
        mm.list_add_tail(pfn, head)
        mm.state[pfn] = PCP
        pfns.append(pfn)
        if mm.index[pfn] == MIGRATE_CMA:
            zone.NR_FREE_CMA_PAGES -= 1 << order
    zone.NR_FREE_PAGES -= len(pfns) << order
    tr = zone.vm.trace
    if tr is not None and pfns:
        tr.emit("pcp_refill", nid=zone.nid, zone=zone.name, cpu=pcp.cpu,
                migratetype=migratetype, pfns=tuple(pfns), count=pcp.count + len(pfns))
    return len(pfns)


def pcp_list_refill(zone, pcp, migratetype, count):
    """The refill half of rmqueue_pcplist() on an empty list: `count` pages onto its TAIL.

    Kernel: __rmqueue_pcplist() in mm/page_alloc.c (v4.18): ``pcp->count +=
    rmqueue_bulk(zone, 0, pcp->batch, list, migratetype)``, with the caller's count in
    place of batch and without the allocation that follows.  Returns the pages placed.
    Used to give a model's pcp lists a start count read from /proc/zoneinfo
    (buddylab.tracereplay).
    """
    placed = rmqueue_bulk(zone, 0, count, pcp, migratetype)
    pcp.count += placed
    return placed


def rmqueue_pcplist(zone, pcp, migratetype):
    """rmqueue_pcplist(): an order-0 page from the head of this CPU's list.

    Kernel: rmqueue_pcplist() / __rmqueue_pcplist() in mm/page_alloc.c.  An
    empty list is first refilled with `batch` pages by rmqueue_bulk().  The
    kernel's list_empty() then list_first_entry() is read as one
    list_first_entry_or_null() (-1: empty).  Returns a pfn or -1.
    """
    mm = zone.mm
    head = pcp.lists[migratetype]
    pfn = mm.first(head)
    if pfn < 0:                                  # list_empty(list)
        pcp.count += rmqueue_bulk(zone, 0, pcp.batch, pcp, migratetype)
        pfn = mm.first(head)
        if pfn < 0:
            return -1
    mm.list_del(pfn)
    pcp.count -= 1
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("pcp_alloc", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, pfn=pfn,
                migratetype=migratetype, count=pcp.count)
    return pfn


def free_pcppages_bulk(zone, count, pcp, reason="count >= high"):
    """free_pcppages_bulk(): return `count` pages from the pcp lists to the buddy.

    Kernel: free_pcppages_bulk() in mm/page_alloc.c (v4.18).  Round robin over
    the lists starting at MOVABLE (then RECLAIMABLE, UNMOVABLE), skipping
    empty ones; ``batch_free`` grows with each list visited, so fuller lists
    give more; each list gives from its TAIL.  The pages are then freed, in
    the order they were picked, by __free_one_page() with the migratetype
    stored in page->index (the pageblock's current type if the zone has
    isolated pageblocks).
    """
    mm = zone.mm
    migratetype = 0
    batch_free = 0
    picked = []
    if count > pcp.count:
        count = pcp.count
    while count:
        while True:
            batch_free += 1
            migratetype += 1
            if migratetype == MIGRATE_PCPTYPES:
                migratetype = 0
            head = pcp.list_head(migratetype)
            if not mm.list_empty(head):
                break
        if batch_free == MIGRATE_PCPTYPES:
            batch_free = count
        while True:
            pfn = mm.last(head)
            mm.list_del(pfn)
            pcp.count -= 1
            picked.append(pfn)
            count -= 1
            if count == 0:
                break
            batch_free -= 1
            if batch_free == 0 or mm.list_empty(head):
                break
    isolated = zone.has_isolate_pageblock()
    tr = zone.vm.trace
    for pfn in picked:
        mt = mm.index[pfn]
        if isolated:
            mt = mm.get_pageblock_migratetype(pfn)
        buddy.free_one_page_locked(zone, pfn, 0, mt)
        if tr is not None:
            tr.emit("mm_page_pcpu_drain", pfn=pfn, order=0, migratetype=mt)
    if tr is not None and picked:
        tr.emit("pcp_drain", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, nr_pages=len(picked),
                count=pcp.count, reason=reason)
    return len(picked)


def free_unref_page(zone, pcp, pfn):
    """free_unref_page(): an order-0 page goes to the HEAD of this CPU's list.

    Kernel: free_unref_page(), free_unref_page_prepare(),
    free_unref_page_commit() in mm/page_alloc.c (v4.18).  The page's pageblock
    type at free time is stored in page->index; HIGHATOMIC and CMA pages share
    the MOVABLE list; an ISOLATE page goes straight to the buddy lists.  When
    count reaches high, `batch` pages are drained.
    """
    mm = zone.mm
    migratetype = mm.get_pageblock_migratetype(pfn)
    mm.index[pfn] = migratetype                  # free_unref_page_prepare()
    if migratetype >= MIGRATE_PCPTYPES:
        if migratetype == MIGRATE_ISOLATE:
            buddy.free_one_page(zone, pfn, 0, migratetype)
            return
        migratetype = MIGRATE_MOVABLE
    mm.list_add(pfn, pcp.lists[migratetype])
    mm.state[pfn] = PCP
    pcp.count += 1
    tr = zone.vm.trace
    if tr is not None:
        tr.emit("pcp_free", nid=zone.nid, zone=zone.name, cpu=pcp.cpu, pfn=pfn,
                migratetype=migratetype, count=pcp.count)
    if pcp.count >= pcp.high:
        free_pcppages_bulk(zone, pcp.batch, pcp)


def drain_pages_zone(zone, pcp, reason="drain_pages_zone"):
    """drain_pages_zone(): empty one CPU's pcp lists of one zone."""
    if pcp.count:
        free_pcppages_bulk(zone, pcp.count, pcp, reason=reason)


def drain_all_pages(zones, nr_cpus, reason="drain_all_pages"):
    """drain_all_pages(NULL): every CPU's pcp lists of every zone, CPU by CPU.

    Kernel: drain_all_pages() in mm/page_alloc.c (v4.18), with zone == NULL: each CPU
    that has pages runs drain_local_pages() -> drain_pages(cpu), which drains every
    zone of that CPU in zone order (the model runs the CPUs one after the other).
    """
    for cpu in range(nr_cpus):
        for z in zones:
            drain_pages_zone(z, z.pageset[cpu], reason=reason)
