"""check(): every invariant of the allocator, as CONFIG_DEBUG_VM would check it.

Kernel: the VM_BUG_ON()s scattered through mm/page_alloc.c and the
"Bad page state" checks of free_pages_check() / check_new_page().

Raises InvariantError naming the first broken invariant; a broken invariant is
always a bug in the model, never bad input.

Every state the kernel can reach passes: two neighbouring free blocks of
pageblock order or more may stay unmerged when either lies in an isolated
pageblock (__free_one_page() does not merge across an isolation boundary, and
the pcp drain of start_isolate_page_range() frees pages into the first block
before its neighbour is isolated; mm/page_alloc.c and mm/page_isolation.c,
v4.18).  Beside the buddy lists it checks NR_FREE_CMA_PAGES against the CMA
free lists, that an isolated pageblock lies inside one zone, and the owners'
registry: no pfn held by two handles, every resident handle on an allocation
of its own order, the LRU and the per-zone counters.
"""

from . import mmzone as mz
from .errors import InvariantError
from .memmap import HOLE, RESERVED, FREE, PCP, ALLOCATED
from .owners import RESIDENT, FILE, ANON, SLAB, LRU_KINDS, RECLAIM_KINDS


def _fail(msg):
    raise InvariantError(msg)


# bytes.translate() tables over a page state: 1 where the pfn must be on a list or in an
# allocation (not a hole, not reserved); and over `role`: 1 where the pfn was placed
_NEEDS_ROLE = bytes(0 if st in (HOLE, RESERVED) else 1 for st in range(256))
_PLACED = bytes([0]) + bytes([1]) * 255


def _place(role, start, end, value, where):
    """role[start:end] = value (1 free, 2 pcp, 3 allocated), failing on a pfn already placed.

    One slice operation per block; the per-pfn search runs only to name a failure.
    """
    if role.count(0, start, end) != end - start:
        p = next(p for p in range(start, end) if role[p])
        _fail("pfn %d is in two places (%s)" % (p, where()))
    role[start:end] = bytes([value]) * (end - start)


def _place_block(mm, role, pfn, order, value, state, what, where):
    """A pcp or allocated block: placed once (_place()), every page in `state`, none with
    PageBuddy."""
    end = pfn + (1 << order)
    _place(role, pfn, end, value, where)
    p = _all_equal(mm.state, pfn, end, state)
    p = _all_equal(mm.buddy, pfn, end, 0) if p is None else p
    if p is not None:
        _fail("%s pfn %d has the wrong state" % (what, p))


def _all_equal(arr, start, end, value):
    """Whether arr[start:end] (a bytearray) holds only `value`, and if not the first pfn that
    does not."""
    if arr.count(value, start, end) == end - start:
        return None
    return next(p for p in range(start, end) if arr[p] != value)


def check_machine(m):
    """Every invariant of machine `m` (Machine.check() calls this)."""
    mm = m.mm
    role = bytearray(mm.nr_pfns)           # 0 unseen, 1 free, 2 pcp, 3 allocated
    for z in m.zones:
        s, e = z.zone_start_pfn, z.zone_end_pfn
        free_pages = 0
        counted = 0
        cma_free = 0
        heads = []                          # every free block's head pfn
        for order in range(m.max_order):
            n = 0
            for mt in range(mz.MIGRATE_TYPES):
                head = z.free_list(order, mt)
                length = 0
                for pfn in mm.iter_list(head):
                    length += 1
                    if not s <= pfn < e or pfn + (1 << order) > e:
                        _fail("free block pfn %d order %d lies outside zone %s (%d-%d)"
                              % (pfn, order, z.name, s, e))
                    if pfn & ((1 << order) - 1):
                        _fail("free block pfn %d is not aligned to its order %d" % (pfn, order))
                    if not mm.buddy[pfn] or mm.private[pfn] != order:
                        _fail("pfn %d on free_list[%d] of order %d lacks PageBuddy/order"
                              % (pfn, mt, order))
                    if mm.onlist[pfn] != head:
                        _fail("pfn %d's list link does not match its list" % pfn)
                    end = pfn + (1 << order)
                    _place(role, pfn, end, 1, lambda: "free block at %d" % pfn)
                    p = _all_equal(mm.state, pfn, end, FREE)
                    if p is not None:
                        _fail("pfn %d inside free block %d is marked %d" % (p, pfn, mm.state[p]))
                    p = _all_equal(mm.buddy, pfn + 1, end, 0)
                    if p is not None:
                        _fail("tail pfn %d of free block %d has PageBuddy" % (p, pfn))
                    heads.append(pfn)
                    if mt != mz.MIGRATE_ISOLATE:
                        counted += 1 << order
                    if mt == mz.MIGRATE_CMA:
                        cma_free += 1 << order
                    free_pages += 1 << order
                if length != mm.list_len[head]:
                    _fail("list length of zone %s order %d mt %d is %d, counted %d"
                          % (z.name, order, mt, mm.list_len[head], length))
                n += length
            if n != z.nr_free[order]:
                _fail("zone %s nr_free[%d] = %d but the lists hold %d blocks"
                      % (z.name, order, z.nr_free[order], n))
        if counted != z.NR_FREE_PAGES:
            _fail("zone %s NR_FREE_PAGES = %d but non-isolate lists hold %d pages"
                  % (z.name, z.NR_FREE_PAGES, counted))
        if cma_free != z.NR_FREE_CMA_PAGES:
            _fail("zone %s NR_FREE_CMA_PAGES = %d but the CMA lists hold %d pages"
                  % (z.name, z.NR_FREE_CMA_PAGES, cma_free))
        pcp_pages = 0
        for cpu, p in z.pageset.items():
            n = 0
            for pindex in range(p.nr_lists):
                order = m.kernel.pindex_to_order(pindex)       # v4.18: always 0
                for pfn in mm.iter_list(p.list_head(pindex)):
                    n += 1 << order
                    if not s <= pfn < e or pfn + (1 << order) > e:
                        _fail("pcp pfn %d is outside zone %s" % (pfn, z.name))
                    if pfn & ((1 << order) - 1):
                        _fail("pcp block pfn %d is not aligned to its order %d" % (pfn, order))
                    _place_block(mm, role, pfn, order, 2, PCP, "pcp",
                                 lambda: "pcp list of cpu %d" % cpu)
            if n != p.count:
                _fail("zone %s cpu %d pcp count %d but its lists hold %d" % (z.name, cpu, p.count, n))
            pcp_pages += n
        alloc_pages = 0
        for pfn, (order, mt) in m.allocated.items():
            if not s <= pfn < e:
                continue
            if pfn & ((1 << order) - 1):
                _fail("allocation at pfn %d is not aligned to its order %d" % (pfn, order))
            if mm.refcount[pfn] < 1:
                _fail("allocated pfn %d has refcount %d" % (pfn, mm.refcount[pfn]))
            _place_block(mm, role, pfn, order, 3, ALLOCATED, "allocated",
                         lambda: "allocation at %d" % pfn)
            alloc_pages += 1 << order
        if free_pages + pcp_pages + alloc_pages != z.managed_pages:
            _fail("zone %s: free %d + pcp %d + allocated %d != managed %d"
                  % (z.name, free_pages, pcp_pages, alloc_pages, z.managed_pages))
        # every free block fully merged (PageBuddy marks exactly the heads walked above)
        if (e - s) - mm.buddy.count(0, s, e) != len(heads):
            walked = set(heads)
            p = next(p for p in range(s, e) if mm.buddy[p] and p not in walked)
            _fail("pfn %d has PageBuddy but is on no free list of zone %s" % (p, z.name))
        isolate_blocks = 0
        for pfn in sorted(heads):
            order = mm.private[pfn]
            if order >= m.max_order - 1:
                continue
            b = pfn ^ (1 << order)
            if s <= b < e and mm.buddy[b] and mm.private[b] == order:
                mt_a = mm.get_pageblock_migratetype(pfn)
                mt_b = mm.get_pageblock_migratetype(b)
                blocked = (order >= m.pageblock_order
                           and mz.MIGRATE_ISOLATE in (mt_a, mt_b))
                if not blocked:
                    _fail("free buddies pfn %d and %d of order %d were not merged" % (pfn, b, order))
        nr = m.pageblock_nr_pages
        zi = m.zones.index(z)
        for p in range(s & ~(nr - 1), e, nr):
            if mm.get_pageblock_migratetype(p) != mz.MIGRATE_ISOLATE:
                continue
            if m.zone_of_pfn[p:p + nr].count(zi) != nr:
                if zi == m.zone_of_pfn[max(p, s)]:
                    _fail("isolated pageblock at pfn %d is not inside one zone" % p)
                continue
            isolate_blocks += 1
        if isolate_blocks != z.nr_isolate_pageblock:
            _fail("zone %s nr_isolate_pageblock %d but %d pageblocks are ISOLATE"
                  % (z.name, z.nr_isolate_pageblock, isolate_blocks))
        if z.nr_reserved_highatomic % nr or z.nr_reserved_highatomic < 0:
            _fail("zone %s nr_reserved_highatomic %d is not whole pageblocks"
                  % (z.name, z.nr_reserved_highatomic))
    # a hole or reserved pfn is in no role, every other pfn in one (two C passes; the
    # per-pfn loop runs only to name the first pfn that breaks the rule)
    if mm.state.translate(_NEEDS_ROLE) != role.translate(_PLACED):
        for pfn in range(mm.nr_pfns):
            st = mm.state[pfn]
            if st in (HOLE, RESERVED):
                if role[pfn]:
                    _fail("pfn %d is a hole/reserved page but is in use" % pfn)
            elif not role[pfn]:
                _fail("pfn %d (state %d) is on no list and in no allocation" % (pfn, st))
    if m.owners is not None:
        check_owners(m)


def check_owners(m):
    """The owners' registry agrees with the allocator: no pfn is held twice."""
    reg = m.owners
    mm = m.mm
    nz = len(m.zones)
    counts = dict(file=[0] * nz, anon=[0] * nz, slab=[0] * nz, wp=[0] * nz)
    resident = 0
    for hid, h in reg.by_hid.items():
        if h.hid != hid or h not in h.owner.handles:
            _fail("handle %d is not held by its owner %s" % (hid, h.owner.name))
        if h.state != RESIDENT:
            if h.pfn is not None:
                _fail("%r is not resident but points at pfn %d" % (h, h.pfn))
            continue
        resident += 1
        holder = reg.by_pfn.get(h.pfn)
        if holder is not h:
            _fail("pfn %d is held twice: by %r and by %r" % (h.pfn, h, holder))
        if m.allocated.get(h.pfn, (None,))[0] != h.order or mm.refcount[h.pfn] < 1:
            _fail("%r points at pfn %d, which is not an allocation of order %d"
                  % (h, h.pfn, h.order))
        if (h.kind in RECLAIM_KINDS) != (h in reg.lru[h.nid]):
            _fail("%r is %son the LRU" % (h, "not " if h.kind in RECLAIM_KINDS else ""))
        if h.kind in LRU_KINDS and not mm.lru[h.pfn]:
            _fail("%r lacks PageLRU" % (h,))
        zi = m.zone_of_pfn[h.pfn]
        n = 1 << h.order
        key = {FILE: "file", ANON: "anon", SLAB: "slab"}.get(h.kind)
        if key:
            counts[key][zi] += n
        if h.kind == FILE and h.dirty:
            counts["wp"][zi] += n
    if resident != len(reg.by_pfn):
        _fail("the registry maps %d pfns but %d handles are resident" % (len(reg.by_pfn), resident))
    for lru in reg.lru:
        for h in lru:
            if h.state != RESIDENT or reg.by_hid.get(h.hid) is not h:
                _fail("%r is on the LRU but not resident" % (h,))
    for key, have in (("file", reg.nr_lru_file), ("anon", reg.nr_lru_anon),
                      ("slab", reg.nr_slab_reclaimable), ("wp", reg.nr_write_pending)):
        if list(have) != counts[key]:
            _fail("owners' %s counters %r but the handles add up to %r" % (key, have, counts[key]))
    for o in reg.tasks:
        if o.exited or reg.by_oid.get(o.oid) is not o:
            _fail("task %s is listed but has exited or left the registry" % o.name)
