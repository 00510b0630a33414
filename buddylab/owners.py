"""Owners: modelled users of memory that hold handles, so pages can be reclaimed and moved.

Kernel: the users the allocator serves: kernel allocations (GFP_KERNEL,
unmovable, pinned), reclaimable slab (GFP_KERNEL | __GFP_RECLAIMABLE, freed by
shrinkers), the page cache (mapping_gfp_mask() = GFP_HIGHUSER_MOVABLE, on the
file LRU, dropped while clean) and anonymous memory (GFP_HIGHUSER_MOVABLE, on
the anon LRU, reclaimable only to swap).  A page's mobility comes from its
user, not from the allocator: compaction can only move a page whose users it
can find (rmap), which is why the model hands out `Handle`s and never raw pfns.

Simplifications, said aloud:

* An `Owner` is a task (or a kernel thread with ``kthread=True``); it may hold
  pages of every kind.  Its rss, for oom_badness(), is its resident anonymous
  and page-cache pages (MM_ANONPAGES + MM_FILEPAGES) plus its swap entries
  (MM_SWAPENTS); kernel and slab pages are not rss, as in the kernel.
* One LRU per node in age order (oldest first): the kernel's active/inactive
  lists and the slab shrinkers are folded into that single queue.
  `Handle.touch()` is mark_page_accessed(): the page becomes the youngest.
* Only order-0 LRU pages are reclaimed and migrated; a bigger movable block
  behaves like a compound page, which 4.18 compaction skips.
* A page allocated with ``alloc_pages()`` directly (no owner) cannot be moved
  or reclaimed: the model knows no user to update, as for a pinned page.
* Free an owned page through its handle; ``machine.free_pages()`` on it would
  leave the registry stale.
"""

from . import gfp as G

KERNEL, SLAB, FILE, ANON = "kernel", "slab", "file", "anon"
KINDS = (KERNEL, SLAB, FILE, ANON)

# the GFP mask each kind allocates with (table as data, STYLE §6)
KIND_GFP = {
    KERNEL: G.GFP_KERNEL,
    SLAB: G.GFP_KERNEL | G.__GFP_RECLAIMABLE,
    FILE: G.GFP_HIGHUSER_MOVABLE,
    ANON: G.GFP_HIGHUSER_MOVABLE,
}
LRU_KINDS = (FILE, ANON)                 # PageLRU pages: migratable, on an LRU list
RECLAIM_KINDS = (SLAB, FILE, ANON)       # what reclaim may take (anon only with swap)

# handle states
RESIDENT, SWAPPED, EVICTED, FREED = "resident", "swapped", "evicted", "freed"


class Handle:
    """A reference to one owned block: kind, order and the pfn it lives at now.

    ``pfn`` changes when compaction migrates the page and becomes None when
    reclaim evicts or swaps it out (``state`` says which).
    """

    __slots__ = ("owner", "kind", "order", "pfn", "state", "dirty", "nid", "zone_idx")

    def __init__(self, owner, kind, order, pfn, nid, zone_idx, dirty=False):
        self.owner = owner
        self.kind = kind
        self.order = order
        self.pfn = pfn
        self.state = RESIDENT
        self.dirty = dirty
        self.nid = nid
        self.zone_idx = zone_idx

    def touch(self):
        """mark_page_accessed(): the page becomes the youngest on its LRU."""
        lru = self.owner.registry.lru[self.nid]
        if self in lru:
            del lru[self]
            lru[self] = None

    def clean(self):
        """Writeback finished: a dirty page-cache page becomes clean (reclaimable)."""
        self.dirty = False

    def __repr__(self):
        where = "pfn=%d" % self.pfn if self.pfn is not None else self.state
        return "Handle(%s %s order=%d %s)" % (self.owner.name, self.kind, self.order, where)


class Owner:
    """A task or kernel thread owning pages through handles (see the module docstring)."""

    def __init__(self, registry, name, kthread=False, oom_score_adj=0):
        self.registry = registry
        self.m = registry.m
        self.name = name
        self.kthread = kthread
        self.oom_score_adj = oom_score_adj
        self.handles = {}                  # Handle -> None, in allocation order
        self.killed = False                # an OOM victim (tsk_is_oom_victim)
        self.nr_resident = 0               # MM_ANONPAGES + MM_FILEPAGES
        self.nr_swapents = 0               # MM_SWAPENTS

    def alloc(self, kind, order=0, cpu=0, gfp_mask=None, dirty=False):
        """Allocate one block of `kind` through the machine's alloc_pages(); a Handle or None."""
        if kind not in KINDS:
            raise ValueError("kind must be one of %s, got %r" % (", ".join(KINDS), kind))
        if self.killed:
            raise ValueError("%s was killed by the OOM killer" % self.name)
        reg = self.registry
        gfp = KIND_GFP[kind] if gfp_mask is None else gfp_mask
        prev, reg.current = reg.current, self
        try:
            page = self.m.alloc_pages(gfp, order, cpu)
        finally:
            reg.current = prev
        if page is None:
            return None
        return reg.register(self, kind, order, page.pfn, dirty and kind == FILE)

    def free(self, handle, cpu=0):
        """Free the block (munmap, truncate, kfree): the page, or its swap slot."""
        from .machine import Page
        from .errors import BadFreeError
        if handle.owner is not self or handle not in self.handles:
            raise BadFreeError("%r is not held by %s" % (handle, self.name))
        reg = self.registry
        if handle.state == RESIDENT:
            pfn = handle.pfn
            reg.unregister(handle)
            self.m.free_pages(Page(pfn), handle.order, cpu)
        else:
            reg.forget(handle)
        handle.state = FREED

    def exit(self, cpu=0):
        """The task exits: its anonymous and kernel pages are freed and its swap released;
        its page-cache and slab pages stay cached (they belong to the caches)."""
        from .oom import release_mm
        release_mm(self.m, self, cpu)
        self.nr_resident = sum(1 << h.order for h in self.handles
                               if h.kind == FILE and h.state == RESIDENT)

    def rss(self):
        """get_mm_rss() + MM_SWAPENTS: what oom_badness() counts (0 once killed)."""
        return 0 if self.killed else self.nr_resident + self.nr_swapents

    def __repr__(self):
        return "Owner(%r, rss=%d, handles=%d)" % (self.name, self.rss(), len(self.handles))


class Owners:
    """The registry: pfn -> handle, per-node LRUs, swap slots, the tasks.

    Attached to a machine by ``Machine.owner()``; a machine without owners has
    ``m.owners is None`` and the slow path finds nothing to reclaim or move.
    """

    def __init__(self, m):
        self.m = m
        self.by_pfn = {}                              # head pfn -> Handle
        self.lru = [dict() for _ in range(m.nr_nodes)]  # Handle -> None, oldest first
        self.tasks = []
        self.current = None                           # the owner allocating now
        self.nr_swap_used = 0
        nz = len(m.zones)
        self.nr_lru_file = [0] * nz                   # NR_ZONE_{IN,}ACTIVE_FILE
        self.nr_lru_anon = [0] * nz                   # NR_ZONE_{IN,}ACTIVE_ANON
        self.nr_write_pending = [0] * nz              # NR_ZONE_WRITE_PENDING
        self.nr_slab_reclaimable = [0] * nz

    def new_owner(self, name, kthread=False, oom_score_adj=0):
        o = Owner(self, name, kthread, oom_score_adj)
        self.tasks.append(o)
        return o

    def _zi(self, pfn):
        return self.m.zone_of_pfn[pfn]

    def _count(self, h, zi, sign):
        n = (1 << h.order) * sign
        if h.kind == FILE:
            self.nr_lru_file[zi] += n
            if h.dirty:
                self.nr_write_pending[zi] += n
        elif h.kind == ANON:
            self.nr_lru_anon[zi] += n
        elif h.kind == SLAB:
            self.nr_slab_reclaimable[zi] += n
        if h.kind in LRU_KINDS:
            h.owner.nr_resident += n

    def register(self, owner, kind, order, pfn, dirty=False):
        zone = self.m.page_zone(pfn)
        h = Handle(owner, kind, order, pfn, zone.nid, zone.idx, dirty)
        owner.handles[h] = None
        self.by_pfn[pfn] = h
        if kind in LRU_KINDS:
            self.m.mm.lru[pfn:pfn + (1 << order)] = b"\x01" * (1 << order)
        if kind in RECLAIM_KINDS:
            self.lru[h.nid][h] = None
        self._count(h, self._zi(pfn), 1)
        return h

    def unregister(self, handle):
        """The page leaves the registry (it is about to be freed); the handle stays with its owner."""
        del self.by_pfn[handle.pfn]
        self.lru[handle.nid].pop(handle, None)
        self._count(handle, self._zi(handle.pfn), -1)
        handle.pfn = None

    def forget(self, handle):
        """The handle leaves its owner (its page is gone already)."""
        if handle.state == SWAPPED:
            self.nr_swap_used -= 1 << handle.order
            handle.owner.nr_swapents -= 1 << handle.order
        del handle.owner.handles[handle]

    def move(self, handle, new_pfn):
        """Migration moved the page: update the handle and the pfn index."""
        del self.by_pfn[handle.pfn]
        self.by_pfn[new_pfn] = handle
        handle.pfn = new_pfn

    def nr_swap_free(self):
        """get_nr_swap_pages(): free swap slots."""
        return self.m.nr_swap_pages - self.nr_swap_used

    def zone_reclaimable_pages(self, zone):
        """zone_reclaimable_pages(): file LRU pages, plus anon LRU pages while swap is free.

        Kernel: zone_reclaimable_pages() in mm/vmscan.c (v4.18).  Slab is not
        counted there, and dirty file pages are (they count as write-pending).
        """
        zi = self.m.zones.index(zone)
        nr = self.nr_lru_file[zi]
        if self.nr_swap_free() > 0:
            nr += self.nr_lru_anon[zi]
        return nr

    def vm_stat(self, zone):
        """The owners' share of the zone's vm counters: (zone items, node items).

        Kernel: the counters mm/vmstat.c, zoneinfo_show_print() (v4.18) prints.
        Pages sit where 4.18 puts a new page: page cache on the inactive file
        LRU (add_to_page_cache_lru() -> lru_cache_add()), anonymous memory on
        the active anon LRU (do_anonymous_page() ->
        lru_cache_add_active_or_unevictable()); a dirty page counts in
        NR_FILE_DIRTY and NR_ZONE_WRITE_PENDING, reclaimable slab in
        NR_SLAB_RECLAIMABLE.  The model has no LRU ageing (Handle.touch() only
        reorders), so nothing moves between active and inactive; nr_mapped,
        swap cache and the kernel kind's page tables and stacks stay 0.
        """
        zi = self.m.zones.index(zone)
        file, anon = self.nr_lru_file[zi], self.nr_lru_anon[zi]
        dirty = self.nr_write_pending[zi]
        zone_items = {"nr_zone_inactive_file": file, "nr_zone_active_anon": anon,
                      "nr_zone_write_pending": dirty}
        node_items = {"nr_inactive_file": file, "nr_active_anon": anon,
                      "nr_slab_reclaimable": self.nr_slab_reclaimable[zi],
                      "nr_anon_pages": anon, "nr_file_pages": file, "nr_dirty": dirty}
        return zone_items, node_items

    def rss(self):
        """{owner name: rss} for every task."""
        return {o.name: o.rss() for o in self.tasks}


def zone_reclaimable_pages(m, zone):
    """zone_reclaimable_pages() for a machine that may have no owners (then 0).

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    >>> zone_reclaimable_pages(m, m.zone(0, "Normal"))
    0
    >>> h = m.owner("cat").alloc(FILE)
    >>> zone_reclaimable_pages(m, m.zone(0, "Normal"))
    1
    """
    return 0 if m.owners is None else m.owners.zone_reclaimable_pages(zone)
