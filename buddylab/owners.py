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
* Free an owned page through its handle.  ``machine.free_pages()`` on it is
  refused (BadFreeError) while the owner's reference is the last one; after
  ``machine.get_page()`` it drops that pin.  A pinned owned page is never
  reclaimed or migrated; when its owner frees it (or exits) the page leaves
  the registry and stays allocated until the pin is dropped.
* Each owner and handle has an id (``oid``, ``hid``, counted from 0) so that
  the owner operations are recorded and replayed as themselves.  A task that
  exits leaves ``Owners.tasks`` (its page-cache and slab handles stay, held by
  the caches); an OOM victim stays listed, killed and with rss 0, until it
  exits.  A freed handle leaves its owner's ``handles``.
"""

# the classic kernel's GFP bits, for KIND_GFP only (the table the README documents); an
# owner allocates with its machine's kernel.kind_gfp
from .kernels.v4_18 import gfp as G
from .errors import OwnerError, BadFreeError
from .checks import check_order
from .mmzone import MIGRATETYPE_NAMES

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

# include/uapi/linux/oom.h: the range of /proc/<pid>/oom_score_adj
OOM_SCORE_ADJ_MIN = -1000
OOM_SCORE_ADJ_MAX = 1000


def put_owned_page(m, handle, cpu):
    """put_page() of the owner's reference: the page leaves the registry and is freed,
    unless a get_page() pin still holds it (then it stays allocated until put)."""
    pfn, order = handle.pfn, handle.order
    m.owners.unregister(handle)
    m._put_page(pfn, order, cpu)


def release_mm(m, owner, cpu):
    """exit_mmap() and the rest of exit: free anonymous and kernel pages, release swap.

    Kernel: exit_mmap() in mm/mmap.c (v4.18), as the OOM killer's victim and an exiting
    task both reach it (mm/oom_kill.c __oom_kill_process(), kernel/exit.c do_exit()).
    """
    reg = m.owners
    for h in list(owner.handles):
        if h.kind not in (ANON, KERNEL):
            continue
        if h.state == RESIDENT:
            put_owned_page(m, h, cpu)
        reg.forget(h)
        h.state = FREED


def check_owner_args(name, kthread, oom_score_adj):
    """The arguments of Machine.owner(), checked before anything is made."""
    if not isinstance(name, str) or not name:
        raise OwnerError("an owner's name is a non-empty str (its comm), got %r" % (name,))
    if kthread is not True and kthread is not False:
        raise OwnerError("kthread is a bool, got %r" % (kthread,))
    if isinstance(oom_score_adj, bool) or not isinstance(oom_score_adj, int) \
            or not OOM_SCORE_ADJ_MIN <= oom_score_adj <= OOM_SCORE_ADJ_MAX:
        raise OwnerError("oom_score_adj is an int in %d..%d (/proc/<pid>/oom_score_adj), got %r"
                         % (OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX, oom_score_adj))


class Handle:
    """A reference to one owned block: kind, order and the pfn it lives at now.

    ``pfn`` changes when compaction migrates the page and becomes None when
    reclaim evicts or swaps it out (``state`` says which).
    """

    __slots__ = ("owner", "kind", "order", "pfn", "state", "dirty", "nid", "zone_idx", "hid")

    def __init__(self, owner, kind, order, pfn, nid, zone_idx, dirty=False, hid=-1):
        self.hid = hid
        self.owner = owner
        self.kind = kind
        self.order = order
        self.pfn = pfn
        self.state = RESIDENT
        self.dirty = dirty
        self.nid = nid
        self.zone_idx = zone_idx

    def _live(self, what):
        if self.state == FREED:
            raise OwnerError("%s of %r: the handle was freed" % (what, self))

    def touch(self):
        """mark_page_accessed(): the page becomes the youngest on its LRU."""
        self._live("touch()")
        reg = self.owner.registry
        reg.m._record("handle.touch", handle=self.hid)
        lru = reg.lru[self.nid]
        if self in lru:
            del lru[self]
            lru[self] = None

    def clean(self):
        """Writeback finished: a dirty page-cache page becomes clean (reclaimable)."""
        self._live("clean()")
        reg = self.owner.registry
        reg.m._record("handle.clean", handle=self.hid)
        if self.dirty and self.state == RESIDENT:
            reg.nr_write_pending[reg._zi(self.pfn)] -= 1 << self.order
        self.dirty = False

    def __repr__(self):
        where = "pfn=%d" % self.pfn if self.pfn is not None else self.state
        return "Handle(%s %s order=%d %s)" % (self.owner.name, self.kind, self.order, where)


class Owner:
    """A task or kernel thread owning pages through handles (see the module docstring)."""

    def __init__(self, registry, name, kthread=False, oom_score_adj=0, oid=-1):
        self.registry = registry
        self.m = registry.m
        self.oid = oid                     # creation number: how replay names the owner
        self.exited = False
        self.name = name
        self.kthread = kthread
        self.oom_score_adj = oom_score_adj
        self.handles = {}                  # Handle -> None, in allocation order
        self.killed = False                # an OOM victim (tsk_is_oom_victim)
        self.nr_resident = 0               # MM_ANONPAGES + MM_FILEPAGES
        self.nr_swapents = 0               # MM_SWAPENTS

    def alloc(self, kind, order=0, cpu=0, gfp_mask=None, dirty=False):
        """Allocate one block of `kind` through the machine's alloc_pages(); a Handle or None.

        `gfp_mask` may add modifiers to the kind's mask but must give the same
        migratetype (a page-cache or anonymous page is movable, a kernel page
        unmovable, slab reclaimable): the kind decides what the page is.
        """
        m = self.m
        if not isinstance(kind, str) or kind not in KINDS:
            raise OwnerError("kind must be one of %s, got %r" % (", ".join(KINDS), kind))
        if self.killed or self.exited:
            raise OwnerError("%s %s: it cannot allocate any more"
                             % (self.name, "was killed by the OOM killer" if self.killed
                                else "has exited"))
        check_order(order)
        m._cpu(cpu)
        kgfp, kind_gfp = m.kernel.gfp, m.kernel.kind_gfp
        gfp = kind_gfp[kind] if gfp_mask is None else m._gfp(gfp_mask)
        want = kgfp.gfpflags_to_migratetype(kind_gfp[kind])
        got = kgfp.gfpflags_to_migratetype(gfp)
        if got != want:
            raise OwnerError("a %s page is %s (%s); gfp_mask %s would make it %s"
                             % (kind, MIGRATETYPE_NAMES[want], kgfp.gfp_str(kind_gfp[kind]),
                                kgfp.gfp_str(gfp), MIGRATETYPE_NAMES[got]))
        if dirty is not True and dirty is not False:
            raise OwnerError("dirty is a bool, got %r" % (dirty,))
        reg = self.registry
        m._record("owner.alloc", owner=self.oid, kind=kind, order=order, cpu=cpu,
                  gfp_mask=gfp_mask, dirty=dirty)
        prev, reg.current = reg.current, self
        try:
            with m._unrecorded():
                page = m.alloc_pages(gfp, order, cpu)
        finally:
            reg.current = prev
        if page is None:
            return None
        return reg.register(self, kind, order, page.pfn, dirty and kind == FILE)

    def free(self, handle, cpu=0):
        """Free the block (munmap, truncate, kfree): the page, or its swap slot.

        The owner's reference goes; a page someone pinned with get_page()
        stays allocated (outside the registry) until that pin is dropped.
        """
        if not isinstance(handle, Handle):
            raise BadFreeError("%s.free() takes a Handle, got %r" % (self.name, handle))
        if handle.owner is not self or handle not in self.handles:
            raise BadFreeError("%r is not held by %s%s" % (
                handle, self.name, " (double free)" if handle.state == FREED else ""))
        m = self.m
        m._cpu(cpu)
        m._record("owner.free", owner=self.oid, handle=handle.hid, cpu=cpu)
        reg = self.registry
        if handle.state == RESIDENT:
            pfn = handle.pfn
            reg.unregister(handle)
            m._put_page(pfn, handle.order, cpu)
        reg.forget(handle)
        m._after()

    def exit(self, cpu=0):
        """The task exits: its anonymous and kernel pages are freed and its swap released;
        its page-cache and slab pages stay cached (they belong to the caches).  The
        task leaves ``Owners.tasks``."""
        m = self.m
        if self.exited:
            raise OwnerError("%s has exited already" % self.name)
        m._cpu(cpu)
        m._record("owner.exit", owner=self.oid, cpu=cpu)
        release_mm(m, self, cpu)
        self.nr_resident = sum(1 << h.order for h in self.handles
                               if h.kind == FILE and h.state == RESIDENT)
        self.exited = True
        self.registry.task_exited(self)
        m._after()

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
        self.tasks = []                               # live tasks (exited ones leave)
        self.by_oid = {}                              # oid -> Owner, while it can act
        self.by_hid = {}                              # hid -> Handle, until freed
        self.nr_owners = 0                            # the next oid
        self.nr_handles = 0                           # the next hid
        self.current = None                           # the owner allocating now
        self.nr_swap_used = 0
        nz = len(m.zones)
        self.nr_lru_file = [0] * nz                   # NR_ZONE_{IN,}ACTIVE_FILE
        self.nr_lru_anon = [0] * nz                   # NR_ZONE_{IN,}ACTIVE_ANON
        self.nr_write_pending = [0] * nz              # NR_ZONE_WRITE_PENDING
        self.nr_slab_reclaimable = [0] * nz

    def new_owner(self, name, kthread=False, oom_score_adj=0):
        o = Owner(self, name, kthread, oom_score_adj, oid=self.nr_owners)
        self.nr_owners += 1
        self.tasks.append(o)
        self.by_oid[o.oid] = o
        return o

    def task_exited(self, owner):
        """The task leaves the task list; the registry keeps it while it holds handles."""
        self.tasks.remove(owner)
        if not owner.handles:
            del self.by_oid[owner.oid]

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
        h = Handle(owner, kind, order, pfn, zone.nid, zone.idx, dirty, hid=self.nr_handles)
        self.nr_handles += 1
        self.by_hid[h.hid] = h
        owner.handles[h] = None
        self.by_pfn[pfn] = h
        if kind in LRU_KINDS:
            self.m.mm.lru[pfn:pfn + (1 << order)] = b"\x01" * (1 << order)
        if kind in RECLAIM_KINDS:
            self.lru[h.nid][h] = None
        self._count(h, self._zi(pfn), 1)
        return h

    def unregister(self, handle):
        """The page leaves the registry (the owner's reference is about to be dropped);
        the handle stays with its owner."""
        pfn, n = handle.pfn, 1 << handle.order
        del self.by_pfn[pfn]
        self.lru[handle.nid].pop(handle, None)
        self._count(handle, self._zi(pfn), -1)
        self.m.mm.lru[pfn:pfn + n] = bytes(n)      # off the LRU (a pinned page stays allocated)
        handle.pfn = None

    def forget(self, handle):
        """The handle leaves its owner (its page is gone already): it is freed."""
        if handle.state == SWAPPED:
            self.nr_swap_used -= 1 << handle.order
            handle.owner.nr_swapents -= 1 << handle.order
        owner = handle.owner
        del owner.handles[handle]
        del self.by_hid[handle.hid]
        handle.state = FREED
        if owner.exited and not owner.handles:
            del self.by_oid[owner.oid]

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
