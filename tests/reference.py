"""A small, deliberately naive reference model of the classic (v4.18) buddy allocator.

Written from the v4.18 kernel (mm/page_alloc.c: memmap_init_zone(), page_is_buddy(),
__rmqueue_smallest(), expand(), __free_one_page(), fallbacks[][], __rmqueue_fallback(),
steal_suitable_fallback(), reserve_highatomic_pageblock(), zone_batchsize(), rmqueue_bulk(),
free_pcppages_bulk(), __zone_watermark_ok(), __setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve(); include/linux/gfp.h; mm/internal.h), NOT from
buddylab's code, so that the hypothesis state machine in test_state_machine.py can compare the
two pfn for pfn.  It is slow and simple on purpose:

- one node with two zones, DMA (zone index 0) from pfn 0 and Normal (zone index 2) right after
  it (Normal may be empty); no holes, no reserved pages, no CMA, no isolation;
- free lists are plain Python lists, index 0 = the list head; per-page state lives in dicts;
- MAX_ORDER (exclusive) and pageblock_order are parameters;
- the slow path is only "gfp_to_alloc_flags + one more zonelist walk": no reclaim, no
  compaction, no OOM, no unreserve of the highatomic reserve (none of that is in this model).

Every function names the kernel function it stands for.
"""

# --- include/linux/mmzone.h -------------------------------------------------------------
MIGRATE_UNMOVABLE = 0
MIGRATE_MOVABLE = 1
MIGRATE_RECLAIMABLE = 2
MIGRATE_PCPTYPES = 3
MIGRATE_HIGHATOMIC = 3
MIGRATE_CMA = 4
MIGRATE_ISOLATE = 5
MIGRATE_TYPES = 6

ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE = 0, 1, 2, 3
MAX_NR_ZONES = 4

# fallbacks[][] (mm/page_alloc.c, v4.18)
FALLBACKS = {
    MIGRATE_UNMOVABLE: (MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE),
    MIGRATE_MOVABLE: (MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE),
    MIGRATE_RECLAIMABLE: (MIGRATE_UNMOVABLE, MIGRATE_MOVABLE),
}

# --- mm/internal.h alloc_flags (v4.18) ---------------------------------------------------
ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_WMARK_HIGH = 0, 1, 2
ALLOC_WMARK_MASK = 0x03
ALLOC_OOM = 0x08
ALLOC_HARDER = 0x10
ALLOC_HIGH = 0x20

# --- GFP bits, the 4.18 values of include/linux/gfp.h ------------------------------------
__GFP_DMA = 0x01
__GFP_HIGHMEM = 0x02
__GFP_DMA32 = 0x04
__GFP_MOVABLE = 0x08
__GFP_RECLAIMABLE = 0x10
__GFP_HIGH = 0x20
__GFP_IO = 0x40
__GFP_FS = 0x80
__GFP_WRITE = 0x100
__GFP_NOWARN = 0x200
__GFP_RETRY_MAYFAIL = 0x400
__GFP_NOFAIL = 0x800
__GFP_NORETRY = 0x1000
__GFP_MEMALLOC = 0x2000
__GFP_COMP = 0x4000
__GFP_ZERO = 0x8000
__GFP_NOMEMALLOC = 0x10000
__GFP_HARDWALL = 0x20000
__GFP_THISNODE = 0x40000
__GFP_ATOMIC = 0x80000
__GFP_ACCOUNT = 0x100000
__GFP_DIRECT_RECLAIM = 0x200000
__GFP_KSWAPD_RECLAIM = 0x400000
__GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM

GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM
GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS
GFP_NOWAIT = __GFP_KSWAPD_RECLAIM
GFP_NOIO = __GFP_RECLAIM
GFP_NOFS = __GFP_RECLAIM | __GFP_IO
GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL
GFP_DMA = __GFP_DMA
GFP_DMA32 = __GFP_DMA32
GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM
GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE

# GFP_ZONE_TABLE on x86_64 without HIGHMEM (include/linux/gfp.h, v4.18); None = GFP_ZONE_BAD
GFP_ZONE_TABLE = {
    0x0: ZONE_NORMAL, 0x1: ZONE_DMA, 0x2: ZONE_NORMAL, 0x3: None,
    0x4: ZONE_DMA32, 0x5: None, 0x6: None, 0x7: None,
    0x8: ZONE_NORMAL, 0x9: ZONE_DMA, 0xa: ZONE_MOVABLE, 0xb: None,
    0xc: ZONE_DMA32, 0xd: None, 0xe: None, 0xf: None,
}


# aliases without the leading "__" (a class body would mangle those names)
_GFP_MOVABLE_BIT = __GFP_MOVABLE
_GFP_RECLAIMABLE_BIT = __GFP_RECLAIMABLE
_GFP_HIGH_BIT = __GFP_HIGH
_GFP_ATOMIC_BIT = __GFP_ATOMIC
_GFP_NOMEMALLOC_BIT = __GFP_NOMEMALLOC


class RefError(Exception):
    """The reference model was asked for something the kernel forbids."""


def gfp_zone(gfp):
    z = GFP_ZONE_TABLE[gfp & 0xf]
    if z is None:
        raise RefError("GFP_ZONE_BAD")
    return z


def rounddown_pow_of_two(n):
    return 1 << (n.bit_length() - 1)


def int_sqrt(n):
    x = 0
    while (x + 1) * (x + 1) <= n:
        x += 1
    return x


def zone_batchsize(managed):
    """zone_batchsize() (mm/page_alloc.c, v4.18), 4 KiB pages."""
    batch = managed // 1024
    if batch * 4096 > 512 * 1024:
        batch = (512 * 1024) // 4096
    batch //= 4
    if batch < 1:
        batch = 1
    return rounddown_pow_of_two(batch + batch // 2) - 1


class RPcp:
    """struct per_cpu_pages: count, high, batch, lists[3] (index 0 = head)."""

    def __init__(self, high=0, batch=1):
        self.count = 0
        self.high = high
        self.batch = batch
        self.lists = [[], [], []]


class RZone:
    def __init__(self, idx, name, start, pages, max_order, nr_cpus):
        self.idx = idx
        self.name = name
        self.start = start
        self.end = start + pages
        self.managed = 0                     # counted while boot frees the pages
        self.free = [[[] for _ in range(MIGRATE_TYPES)] for _ in range(max_order)]
        self.nr_free = [0] * max_order
        self.nr_free_pages = 0               # vm_stat NR_FREE_PAGES
        self.watermark = [0, 0, 0]
        self.lowmem_reserve = [0] * MAX_NR_ZONES
        self.nr_reserved_highatomic = 0
        self.pcp = [RPcp(0, 1) for _ in range(nr_cpus)]     # the boot pageset

    def spans(self, pfn):
        return self.start <= pfn < self.end

    @property
    def populated(self):
        return self.end > self.start


class Reference:
    """One node: DMA [0, dma) then Normal [dma, dma+normal)."""

    def __init__(self, dma_pages, normal_pages, nr_cpus=1, max_order=11, pageblock_order=9,
                 min_free_kbytes=None, watermark_scale_factor=10,
                 lowmem_reserve_ratio=(256, 256, 32, 0), percpu_pagelist_fraction=0):
        assert dma_pages > 0 and normal_pages >= 0
        assert 1 <= pageblock_order <= max_order - 1
        self.MAX_ORDER = max_order
        self.pageblock_order = pageblock_order
        self.pageblock_nr_pages = 1 << pageblock_order
        self.nr_cpus = nr_cpus
        self.total = dma_pages + normal_pages
        self.dma = RZone(ZONE_DMA, "DMA", 0, dma_pages, max_order, nr_cpus)
        self.normal = RZone(ZONE_NORMAL, "Normal", dma_pages, normal_pages, max_order, nr_cpus)
        self.zones = [self.dma, self.normal]
        self.zone_of = [self.dma] * dma_pages + [self.normal] * normal_pages
        self.buddy = {}        # free block head pfn -> (order, mt): PageBuddy + page_private + list
        self.on_pcp = {}       # pfn -> cpu, for pages on a pcp list
        self.pcpmt = {}        # page->index (the "pcp migratetype")
        self.allocated = {}    # head pfn -> (order, migratetype)
        self.lru = set()       # pfns that move_freepages counts as movable (PageLRU)
        nr = self.pageblock_nr_pages
        # memmap_init_zone(): every block whose first pfn lies in a zone is MOVABLE (1.5)
        self.pageblock = [MIGRATE_MOVABLE] * ((self.total + nr - 1) // nr)
        # build_all_zonelists(): vm_total_pages from the early managed estimate
        self.page_group_by_mobility_disabled = self.total < nr * MIGRATE_TYPES
        self.watermark_scale_factor = watermark_scale_factor
        self.lowmem_reserve_ratio = tuple(lowmem_reserve_ratio)
        self.percpu_pagelist_fraction = 0
        # free_all_bootmem(): ascending maximal aligned blocks, the ordinary free path
        for z in self.zones:
            pfn = z.start
            while pfn < z.end:
                order = self.MAX_ORDER - 1
                if pfn:
                    order = min(order, (pfn & -pfn).bit_length() - 1)
                while pfn + (1 << order) > z.end:
                    order -= 1
                z.managed += 1 << order
                self.__free_pages(pfn, order, cpu=0)
                pfn += 1 << order
        # setup_per_cpu_pageset(): real pagesets for populated zones
        for z in self.zones:
            if z.populated:
                for p in z.pcp:
                    self._pageset_set_high_and_batch(z, p)
        # init_per_zone_wmark_min()
        lowmem_kbytes = sum(z.managed for z in self.zones) * 4
        self.min_free_kbytes = max(128, min(65536, int_sqrt(lowmem_kbytes * 16)))
        self._setup_per_zone_wmarks()
        self._setup_per_zone_lowmem_reserve()
        if min_free_kbytes is not None:
            self.set_min_free_kbytes(min_free_kbytes)
        if percpu_pagelist_fraction:
            self.set_percpu_pagelist_fraction(percpu_pagelist_fraction)

    # ------------------------------------------------------------------ helpers
    def pb_type(self, pfn):
        return self.pageblock[pfn >> self.pageblock_order]

    def set_pageblock_migratetype(self, pfn, mt):
        if self.page_group_by_mobility_disabled and mt < MIGRATE_PCPTYPES:
            mt = MIGRATE_UNMOVABLE
        self.pageblock[pfn >> self.pageblock_order] = mt

    def zonelist(self):
        """ZONELIST_FALLBACK of node 0: managed zones, highest zone first."""
        return [z for z in (self.normal, self.dma) if z.managed > 0]

    def migratetype(self, gfp):
        if gfp & _GFP_MOVABLE_BIT and gfp & _GFP_RECLAIMABLE_BIT:
            raise RefError("MOVABLE|RECLAIMABLE")
        if self.page_group_by_mobility_disabled:
            return MIGRATE_UNMOVABLE
        return (gfp & (_GFP_MOVABLE_BIT | _GFP_RECLAIMABLE_BIT)) >> 3

    def page_is_buddy(self, page, buddy, order):
        """page_is_buddy(): buddy is a free block head of `order` in page's zone."""
        if not 0 <= buddy < self.total:
            return False
        b = self.buddy.get(buddy)
        return b is not None and b[0] == order and self.zone_of[buddy] is self.zone_of[page]

    def _merge_likely(self, pfn, higher_page, higher_buddy, order):
        """The tail test of __free_one_page(): page_is_buddy(higher_page, higher_buddy, order).

        The zone comparison is between higher_page (the order+1 parent, which may start in the
        other zone when the zone boundary is not aligned) and higher_buddy, as in the kernel.
        """
        return self.page_is_buddy(higher_page, higher_buddy, order)

    def _list_del(self, z, pfn):
        order, mt = self.buddy.pop(pfn)
        z.free[order][mt].remove(pfn)
        return order, mt

    # ------------------------------------------------------------- sysctls
    def _setup_per_zone_wmarks(self):
        pages_min = self.min_free_kbytes >> 2
        lowmem_pages = sum(z.managed for z in self.zones)
        for z in self.zones:
            tmp = pages_min * z.managed // lowmem_pages
            step = max(tmp >> 2, z.managed * self.watermark_scale_factor // 10000)
            z.watermark = [tmp, tmp + step, tmp + 2 * step]

    def _setup_per_zone_lowmem_reserve(self):
        managed = {ZONE_DMA: self.dma.managed, ZONE_DMA32: 0, ZONE_NORMAL: self.normal.managed,
                   ZONE_MOVABLE: 0}
        lr = {i: [0] * MAX_NR_ZONES for i in range(MAX_NR_ZONES)}
        for j in range(MAX_NR_ZONES):
            acc = managed[j]
            lr[j][j] = 0
            idx = j
            while idx:
                idx -= 1
                ratio = self.lowmem_reserve_ratio[idx]
                lr[idx][j] = 0 if ratio < 1 else acc // ratio
                acc += managed[idx]
        self.dma.lowmem_reserve = lr[ZONE_DMA]
        self.normal.lowmem_reserve = lr[ZONE_NORMAL]

    def set_min_free_kbytes(self, value):
        self.min_free_kbytes = value
        self._setup_per_zone_wmarks()

    def _pageset_set_high_and_batch(self, z, p):
        if self.percpu_pagelist_fraction:
            high = z.managed // self.percpu_pagelist_fraction
            batch = max(1, high // 4)
            if high // 4 > 12 * 8:
                batch = 12 * 8
            p.high, p.batch = high, batch
        else:
            batch = zone_batchsize(z.managed)
            p.high, p.batch = 6 * batch, max(1, batch)

    def set_percpu_pagelist_fraction(self, value):
        """percpu_pagelist_fraction_sysctl_handler(): no drain, only new high/batch."""
        if value == self.percpu_pagelist_fraction:
            return
        self.percpu_pagelist_fraction = value
        for z in self.zones:
            if z.populated:
                for p in z.pcp:
                    self._pageset_set_high_and_batch(z, p)

    # ------------------------------------------------------------------ buddy
    def _rmqueue_smallest(self, z, order, mt):
        """__rmqueue_smallest() + expand() (mm/page_alloc.c, v4.18)."""
        for cur in range(order, self.MAX_ORDER):
            lst = z.free[cur][mt]
            if not lst:
                continue
            page = lst.pop(0)
            del self.buddy[page]
            z.nr_free[cur] -= 1
            high, size = cur, 1 << cur
            while high > order:
                high -= 1
                size >>= 1
                half = page + size
                z.free[high][mt].insert(0, half)
                z.nr_free[high] += 1
                self.buddy[half] = (high, mt)
            self.pcpmt[page] = mt
            return page
        return None

    def _free_one_page_core(self, z, pfn, order, mt):
        """__free_one_page() classic, with the merge-likely tail heuristic (2.4)."""
        if mt != MIGRATE_ISOLATE:
            z.nr_free_pages += 1 << order
        max_order = min(self.MAX_ORDER, self.pageblock_order + 1)
        buddy_pfn = None
        done = False
        while not done:
            while order < max_order - 1:
                buddy_pfn = pfn ^ (1 << order)
                if not self.page_is_buddy(pfn, buddy_pfn, order):
                    done = True
                    break
                self._list_del(z, buddy_pfn)
                z.nr_free[order] -= 1
                pfn &= buddy_pfn
                order += 1
            if done:
                break
            if max_order < self.MAX_ORDER:
                # (no isolated pageblocks in this model: nothing to refuse)
                max_order += 1
                continue
            break
        self.buddy[pfn] = (order, mt)
        if order < self.MAX_ORDER - 2 and buddy_pfn is not None:
            combined = buddy_pfn & pfn
            higher_buddy = combined ^ (1 << (order + 1))
            if self._merge_likely(pfn, combined, higher_buddy, order + 1):
                z.free[order][mt].append(pfn)
                z.nr_free[order] += 1
                return
        z.free[order][mt].insert(0, pfn)
        z.nr_free[order] += 1

    def _move_freepages_block(self, z, page, mt):
        """move_freepages_block(): returns (pages moved, movable pages counted)."""
        nr = self.pageblock_nr_pages
        start = page & ~(nr - 1)
        end = start + nr - 1
        if not z.spans(start):
            start = page
        if not z.spans(end):
            return 0, 0
        moved = movable = 0
        pfn = start
        while pfn <= end:
            b = self.buddy.get(pfn)
            if b is None:
                if pfn in self.lru:
                    movable += 1
                pfn += 1
                continue
            order, _ = self._list_del(z, pfn)
            z.free[order][mt].insert(0, pfn)           # list_move: to the head
            self.buddy[pfn] = (order, mt)
            pfn += 1 << order
            moved += 1 << order
        return moved, movable

    def _can_steal_fallback(self, order, start_mt):
        if order >= self.pageblock_order:
            return True
        return (order >= self.pageblock_order // 2
                or start_mt in (MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE)
                or self.page_group_by_mobility_disabled)

    def _find_suitable_fallback(self, z, order, mt, only_stealable):
        if z.nr_free[order] == 0:
            return -1, False
        can_steal = False
        for fb in FALLBACKS[mt]:
            if not z.free[order][fb]:
                continue
            if self._can_steal_fallback(order, mt):
                can_steal = True
            if not only_stealable or can_steal:
                return fb, can_steal
        return -1, can_steal

    def _steal_suitable_fallback(self, z, page, start_type, whole_block):
        cur, _ = self.buddy[page]
        old = self.pb_type(page)
        single = True
        if old == MIGRATE_HIGHATOMIC:
            pass
        elif cur >= self.pageblock_order:
            for i in range(1 << (cur - self.pageblock_order)):
                self.set_pageblock_migratetype(page + i * self.pageblock_nr_pages, start_type)
        elif whole_block:
            free_pages, movable_pages = self._move_freepages_block(z, page, start_type)
            if start_type == MIGRATE_MOVABLE:
                alike = movable_pages
            elif old == MIGRATE_MOVABLE:
                alike = self.pageblock_nr_pages - (free_pages + movable_pages)
            else:
                alike = 0
            if free_pages:
                single = False
                if (free_pages + alike >= 1 << (self.pageblock_order - 1)
                        or self.page_group_by_mobility_disabled):
                    self.set_pageblock_migratetype(page, start_type)
        if single:
            order, _ = self._list_del(z, page)
            z.free[order][start_type].insert(0, page)
            self.buddy[page] = (order, start_type)

    def _rmqueue_fallback(self, z, order, start_mt):
        """__rmqueue_fallback() classic (2.6)."""
        found = None
        for cur in range(self.MAX_ORDER - 1, order - 1, -1):
            fb, can_steal = self._find_suitable_fallback(z, cur, start_mt, False)
            if fb == -1:
                continue
            if not can_steal and start_mt == MIGRATE_MOVABLE and cur > order:
                # find_smallest
                for cur2 in range(order, self.MAX_ORDER):
                    fb, can_steal = self._find_suitable_fallback(z, cur2, start_mt, False)
                    if fb != -1:
                        cur = cur2
                        break
                else:
                    raise AssertionError("find_smallest found nothing")
            found = (cur, fb, can_steal)
            break
        if found is None:
            return False
        cur, fb, can_steal = found
        page = z.free[cur][fb][0]
        self._steal_suitable_fallback(z, page, start_mt, can_steal)
        return True

    def _rmqueue(self, z, order, mt):
        """__rmqueue() classic (no CMA in this model)."""
        while True:
            page = self._rmqueue_smallest(z, order, mt)
            if page is not None:
                return page
            if not self._rmqueue_fallback(z, order, mt):
                return None

    # -------------------------------------------------------------------- pcp
    def _rmqueue_bulk(self, z, count, lst, mt, cpu):
        i = 0
        while i < count:
            page = self._rmqueue(z, 0, mt)
            if page is None:
                break
            lst.append(page)                       # tail
            self.on_pcp[page] = cpu
            i += 1
        z.nr_free_pages -= i
        return i

    def _free_pcppages_bulk(self, z, count, pcp):
        count = min(pcp.count, count)
        mt = 0
        batch_free = 0
        collected = []
        while count:
            while True:
                batch_free += 1
                mt = (mt + 1) % MIGRATE_PCPTYPES
                if pcp.lists[mt]:
                    break
            if batch_free == MIGRATE_PCPTYPES:
                batch_free = count
            lst = pcp.lists[mt]
            while True:
                page = lst.pop()                  # tail
                pcp.count -= 1
                del self.on_pcp[page]
                collected.append(page)
                count -= 1
                if not count:
                    break
                batch_free -= 1
                if not batch_free:
                    break
                if not lst:
                    break
        for page in collected:
            self._free_one_page_core(z, page, 0, self.pcpmt[page])

    def _free_unref_page(self, pfn, cpu):
        z = self.zone_of[pfn]
        mt = self.pb_type(pfn)
        self.pcpmt[pfn] = mt
        if mt >= MIGRATE_PCPTYPES:
            if mt == MIGRATE_ISOLATE:
                self._free_one_page_core(z, pfn, 0, mt)
                return
            mt = MIGRATE_MOVABLE
        pcp = z.pcp[cpu]
        pcp.lists[mt].insert(0, pfn)                # head
        self.on_pcp[pfn] = cpu
        pcp.count += 1
        if pcp.count >= pcp.high:
            self._free_pcppages_bulk(z, pcp.batch, pcp)

    def __free_pages(self, pfn, order, cpu):
        if order == 0:
            self._free_unref_page(pfn, cpu)
        else:
            # __free_pages_ok() -> free_one_page()
            self._free_one_page_core(self.zone_of[pfn], pfn, order, self.pb_type(pfn))

    # ------------------------------------------------------------ allocation
    def _rmqueue_zone(self, z, order, alloc_flags, mt, cpu):
        """rmqueue() classic (2.10)."""
        if order == 0:
            pcp = z.pcp[cpu]
            lst = pcp.lists[mt]
            if not lst:
                pcp.count += self._rmqueue_bulk(z, pcp.batch, lst, mt, cpu)
                if not lst:
                    return None
            page = lst.pop(0)
            del self.on_pcp[page]
            pcp.count -= 1
            return page
        page = None
        if alloc_flags & ALLOC_HARDER:
            page = self._rmqueue_smallest(z, order, MIGRATE_HIGHATOMIC)
        if page is None:
            page = self._rmqueue(z, order, mt)
        if page is None:
            return None
        z.nr_free_pages -= 1 << order
        return page

    def _zone_watermark_ok(self, z, order, mark, classzone_idx, alloc_flags, free_pages):
        """__zone_watermark_ok() classic (4.6)."""
        m = mark
        alloc_harder = alloc_flags & (ALLOC_HARDER | ALLOC_OOM)
        free_pages -= (1 << order) - 1
        if alloc_flags & ALLOC_HIGH:
            m -= m // 2
        if not alloc_harder:
            free_pages -= z.nr_reserved_highatomic
        elif alloc_flags & ALLOC_OOM:
            m -= m // 2
        else:
            m -= m // 4
        if free_pages <= m + z.lowmem_reserve[classzone_idx]:
            return False
        if order == 0:
            return True
        for o in range(order, self.MAX_ORDER):
            if z.nr_free[o] == 0:
                continue
            if any(z.free[o][t] for t in range(MIGRATE_PCPTYPES)):
                return True
            if alloc_harder and z.free[o][MIGRATE_HIGHATOMIC]:
                return True
        return False

    def _zone_watermark_fast(self, z, order, mark, classzone_idx, alloc_flags):
        free_pages = z.nr_free_pages
        if order == 0 and free_pages > mark + z.lowmem_reserve[classzone_idx]:
            return True
        return self._zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags, free_pages)

    def _reserve_highatomic_pageblock(self, page, z):
        max_managed = z.managed // 100 + self.pageblock_nr_pages
        if z.nr_reserved_highatomic >= max_managed:
            return
        mt = self.pb_type(page)
        if mt not in (MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_CMA):
            z.nr_reserved_highatomic += self.pageblock_nr_pages
            self.set_pageblock_migratetype(page, MIGRATE_HIGHATOMIC)
            self._move_freepages_block(z, page, MIGRATE_HIGHATOMIC)

    def _get_page_from_freelist(self, order, alloc_flags, zones, classzone_idx, mt, cpu):
        for z in zones:
            mark = z.watermark[alloc_flags & ALLOC_WMARK_MASK]
            if not self._zone_watermark_fast(z, order, mark, classzone_idx, alloc_flags):
                continue                           # node_reclaim_mode == 0
            page = self._rmqueue_zone(z, order, alloc_flags, mt, cpu)
            if page is not None:
                if order and alloc_flags & ALLOC_HARDER:
                    self._reserve_highatomic_pageblock(page, z)
                return page
        return None

    def alloc_pages(self, gfp, order, cpu=0):
        """__alloc_pages_nodemask(): the pfn of the first page, or None."""
        if order >= self.MAX_ORDER:
            return None
        high_zoneidx = gfp_zone(gfp)
        mt = self.migratetype(gfp)
        zones = [z for z in self.zonelist() if z.idx <= high_zoneidx]
        if not zones:
            return None
        classzone_idx = zones[0].idx               # zone_idx of the preferred zoneref
        page = self._get_page_from_freelist(order, ALLOC_WMARK_LOW, zones, classzone_idx, mt,
                                            cpu)
        if page is None:
            # __alloc_pages_slowpath(): gfp_to_alloc_flags(), MIN watermark
            flags = ALLOC_WMARK_MIN | (gfp & _GFP_HIGH_BIT)
            if gfp & _GFP_ATOMIC_BIT and not gfp & _GFP_NOMEMALLOC_BIT:
                flags |= ALLOC_HARDER
            page = self._get_page_from_freelist(order, flags, zones, classzone_idx, mt, cpu)
        if page is not None:
            self.allocated[page] = (order, mt)
            if mt == MIGRATE_MOVABLE:
                self.lru.update(range(page, page + (1 << order)))
        return page

    def free_pages(self, pfn, order, cpu=0):
        """__free_pages(): order 0 to this CPU's pcp list, larger orders to the buddy lists."""
        got = self.allocated.pop(pfn)
        assert got[0] == order, (pfn, got, order)
        self.lru.difference_update(range(pfn, pfn + (1 << order)))
        self.__free_pages(pfn, order, cpu)

    # ----------------------------------------------------------------- drains
    def drain_pages_zone(self, cpu, zone_name):
        z = self.dma if zone_name == "DMA" else self.normal
        pcp = z.pcp[cpu]
        if pcp.count:
            self._free_pcppages_bulk(z, pcp.count, pcp)

    def drain_pages(self, cpu):
        for z in self.zones:
            self.drain_pages_zone(cpu, z.name)

    def drain_all_pages(self):
        for cpu in range(self.nr_cpus):
            self.drain_pages(cpu)

    # ------------------------------------------------------------------ views
    def zone_state(self, name):
        """The fields a ZoneSnapshot of buddylab must match."""
        z = self.dma if name == "DMA" else self.normal
        nr = self.pageblock_nr_pages
        blocks = tuple((p, self.pb_type(p))
                       for p in range(z.start & ~(nr - 1), z.end, nr)) if z.populated else ()
        return dict(
            free_lists=tuple(tuple(tuple(z.free[o][mt]) for mt in range(MIGRATE_TYPES))
                             for o in range(self.MAX_ORDER)),
            nr_free=tuple(z.nr_free),
            nr_free_pages=z.nr_free_pages,
            managed_pages=z.managed,
            pcp=tuple((cpu, p.count, p.high, p.batch, tuple(tuple(l) for l in p.lists))
                      for cpu, p in enumerate(z.pcp)),
            pageblock_mt=blocks,
            nr_reserved_highatomic=z.nr_reserved_highatomic,
            watermark=tuple(z.watermark),
            lowmem_reserve=tuple(z.lowmem_reserve),
            allocated=tuple(sorted((p, o, mt) for p, (o, mt) in self.allocated.items()
                                   if z.spans(p))),
        )

    def self_check(self):
        """Conservation and list/nr_free agreement, for the reference itself."""
        for z in self.zones:
            free = 0
            for o in range(self.MAX_ORDER):
                n = sum(len(z.free[o][mt]) for mt in range(MIGRATE_TYPES))
                assert n == z.nr_free[o]
                free += n << o
            assert free == z.nr_free_pages
            pcp = sum(p.count for p in z.pcp)
            assert pcp == sum(len(l) for p in z.pcp for l in p.lists)
            alloc = sum(1 << o for p, (o, _) in self.allocated.items() if z.spans(p))
            assert free + pcp + alloc == z.managed, (z.name, free, pcp, alloc, z.managed)
