"""A naive reference of the v6.18 page allocator's fast path, for tests/test_state_machine_modern.py.

Written from the kernel's text (mm/page_alloc.c, mm/mm_init.c, mm/memblock.c,
include/linux/mmzone.h, v6.18), independently of buddylab: it imports nothing from buddylab and
keeps its state in plain lists and dicts (a free list is a Python list, head = index 0).

Scope, said aloud (the compared machines are restricted to what this covers):
- one node, one Normal zone starting at pfn 0, no holes, no CMA, no isolation;
- min_free_kbytes 0 and fewer than 1000 pages, so every watermark is 0 (no boosting: the
  boost's max_boost = high * watermark_boost_factor / 10000 is 0, boost_watermark());
- percpu_pagelist_high_fraction set, so high_min == high_max (no pcp auto-tuning of high;
  alloc_factor and free_count still run as the kernel runs them);
- allocations only through the fast path: get_page_from_freelist() with ALLOC_WMARK_LOW and
  ALLOC_NOFRAGMENT (alloc_flags_nofragment(): a Normal zone on one node), retried without
  ALLOC_NOFRAGMENT when nothing is found.  When the fast path fails the request would enter
  __alloc_pages_slowpath(); `alloc_pages` returns FAILED and the caller stops comparing;
- the lab's convention for PageLRU (as tests/reference.py): a block allocated with a MOVABLE
  request is user memory on the LRU, so prep_move_freepages_block() counts its pages as
  movable; other allocations are not;
- PCPF_FREE_HIGH_BATCH clear (setup_pcp_cacheinfo() is not modelled by either side).
"""

UNMOVABLE, MOVABLE, RECLAIMABLE = 0, 1, 2
PCPTYPES = 3
FALLBACKS = {UNMOVABLE: (RECLAIMABLE, MOVABLE), MOVABLE: (RECLAIMABLE, UNMOVABLE),
             RECLAIMABLE: (UNMOVABLE, MOVABLE)}            # fallbacks[][], v6.18
COSTLY = 3                                                 # PAGE_ALLOC_COSTLY_ORDER
SCALE_MAX = 5                                              # CONFIG_PCP_BATCH_SCALE_MAX
NR_PCP_LISTS = 14
FAILED = "fast path failed"

# include/linux/gfp_types.h (v6.18), by hand
GFP_KERNEL = 0xcc0
GFP_HIGHUSER_MOVABLE = 0x100cca
GFP_RECLAIMABLE_KERNEL = 0xcc0 | 0x10
GFP_MASKS = {"GFP_KERNEL": GFP_KERNEL, "GFP_HIGHUSER_MOVABLE": GFP_HIGHUSER_MOVABLE,
             "GFP_KERNEL|__GFP_RECLAIMABLE": GFP_RECLAIMABLE_KERNEL}


def gfp_migratetype(gfp):
    """(gfp & (__GFP_RECLAIMABLE | __GFP_MOVABLE)) >> GFP_MOVABLE_SHIFT, include/linux/gfp.h."""
    return (gfp & 0x18) >> 3


class Pcp:
    def __init__(self, batch, high):
        # pageset_update() writes batch, high_min and high_max; pcp->high keeps
        # per_cpu_pages_init()'s 0 until nr_pcp_alloc()/nr_pcp_high() clamp it
        self.batch, self.high_min, self.high_max, self.high = batch, high, high, 0
        self.lists = [[] for _ in range(NR_PCP_LISTS)]
        self.count = 0
        self.alloc_factor = 0
        self.free_count = 0
        self.prev_free_high_order = False       # PCPF_PREV_FREE_HIGH_ORDER


class ReferenceModern:
    def __init__(self, pages, nr_cpus, max_order, pageblock_order, fraction):
        assert fraction >= 8 and pages < 1000
        self.pages = pages
        self.max_page_order = max_order - 1          # MAX_PAGE_ORDER (inclusive)
        self.pb_order = pageblock_order
        self.pb_pages = 1 << pageblock_order
        self.free = [[[] for _ in range(PCPTYPES)] for _ in range(max_order)]
        self.buddy = {}                               # head pfn -> order (PageBuddy)
        self.block_mt = {p: MOVABLE for p in range(0, pages, self.pb_pages)}
        self.nr_free_pages = 0
        self.allocated = {}                           # pfn -> order
        self.lru = set()                              # PageLRU pfns (MOVABLE requests)
        # zone_batchsize() (mm/page_alloc.c, v6.18): min(managed >> 10, SZ_1M / PAGE_SIZE) / 4,
        # at least 1, then rounddown_pow_of_two(b + b / 2) - 1: below 1024 pages that is
        # rounddown_pow_of_two(1) - 1 = 0, and zone_set_pageset_high_and_batch() takes
        # max(1, 0) = 1.  zone_highsize() with the fraction: high_min = high_max =
        # max(managed / fraction / nr_cpus_of_node, batch << 2).
        batch = 1
        high = max(pages // fraction // nr_cpus, batch << 2)
        self.pcp = [Pcp(batch, high) for _ in range(nr_cpus)]
        self._boot()

    # ------------------------------------------------------------------ boot
    def _boot(self):
        """memblock_free_all() -> __free_pages_memory(): aligned chunks, ascending, each freed
        by __free_pages_core() -> __free_pages_ok(FPI_TO_TAIL) -> split_large_buddy()."""
        start, end = 0, self.pages
        while start < end:
            order = self.max_page_order if start == 0 else min(
                self.max_page_order, (start & -start).bit_length() - 1)
            while start + (1 << order) > end:
                order -= 1
            self._split_large_buddy(start, order, to_tail=True)
            start += 1 << order

    # ------------------------------------------------------------ free lists
    def _add(self, pfn, order, mt, tail):
        lst = self.free[order][mt]
        lst.append(pfn) if tail else lst.insert(0, pfn)
        self.buddy[pfn] = order

    def _del(self, pfn, order, mt):
        """list_del(): the block leaves whatever list it is on.  `mt` is the type the caller
        passed; after a one-pageblock re-type (see _free_one_page) a block can sit on a list
        other than its pageblock's type, and the kernel only warns
        (__del_page_from_free_list(): "page type is %d, passed migratetype is %d")."""
        lst = self.free[order][mt]
        if pfn not in lst:
            lst = next(per for per in self.free[order] if pfn in per)
        lst.remove(pfn)
        del self.buddy[pfn]

    def _mt_of(self, pfn):
        return self.block_mt[pfn & ~(self.pb_pages - 1)]

    def _is_buddy(self, pfn, order):
        return 0 <= pfn < self.pages and self.buddy.get(pfn) == order

    def _merge_likely(self, pfn, buddy_pfn, order):
        """buddy_merge_likely(): the parent's buddy one order up is a free block."""
        if order >= self.max_page_order - 1:
            return False
        higher = (buddy_pfn & pfn) ^ (1 << (order + 1))
        return self._is_buddy(higher, order + 1)

    def _free_one_page(self, pfn, order, mt, to_tail=False):
        """__free_one_page(): merge up to MAX_PAGE_ORDER; across pageblocks a mergeable buddy
        of another type is re-typed, a non-mergeable type (HIGHATOMIC, CMA, ISOLATE) stops it;
        FPI_TO_TAIL first, else buddy_merge_likely()."""
        self.nr_free_pages += 1 << order
        buddy_pfn = pfn
        while order < self.max_page_order:
            buddy_pfn = pfn ^ (1 << order)
            if not self._is_buddy(buddy_pfn, order):
                break
            buddy_mt = mt
            if order >= self.pb_order:
                buddy_mt = self._mt_of(buddy_pfn)
                if mt != buddy_mt and (mt >= PCPTYPES or buddy_mt >= PCPTYPES):
                    break
            self._del(buddy_pfn, order, buddy_mt)
            if buddy_mt != mt:
                # set_pageblock_migratetype(buddy, migratetype): the ONE pageblock holding the
                # buddy's first page (its type was the one read above), even when the buddy
                # spans several pageblocks (order > pageblock_order): the v6.18 text.  The
                # stable fix "mm/page_alloc: change all pageblocks migrate type on coalescing"
                # (Dec 2025, Fixes: e6cf9e1c4cde, Cc: stable) re-types every pageblock of the
                # buddy (change_pageblock_range()); the two differ only when pageblock_order <
                # MAX_PAGE_ORDER - 1, never with x86_64's 9 and 10.
                self.block_mt[buddy_pfn] = mt
            pfn &= buddy_pfn
            order += 1
        tail = to_tail or self._merge_likely(pfn, buddy_pfn, order)
        self._add(pfn, order, mt, tail)

    def _split_large_buddy(self, pfn, order, to_tail=False):
        end = pfn + (1 << order)
        order = min(order, self.pb_order)
        while pfn < end:
            self._free_one_page(pfn, order, self._mt_of(pfn), to_tail)
            pfn += 1 << order

    # ------------------------------------------------------------ allocation
    def _expand(self, pfn, low, high, mt):
        while high > low:
            high -= 1
            self._add(pfn + (1 << high), high, mt, tail=False)

    def _take(self, pfn, low, high, mt):
        """page_del_and_expand(): the NR_FREE_PAGES count drops by what leaves the lists."""
        self._del(pfn, high, mt)
        self._expand(pfn, low, high, mt)
        self.nr_free_pages -= 1 << low

    def _rmqueue_smallest(self, order, mt):
        for o in range(order, self.max_page_order + 1):
            if self.free[o][mt]:
                pfn = self.free[o][mt][0]
                self._take(pfn, order, o, mt)
                return pfn
        return None

    def _should_try_claim(self, order, start_mt):
        return (order >= self.pb_order or order >= self.pb_order // 2
                or start_mt in (RECLAIMABLE, UNMOVABLE))

    def _find_fallback(self, order, start_mt, claimable):
        if claimable and not self._should_try_claim(order, start_mt):
            return -2
        if not any(self.free[order][t] for t in range(PCPTYPES)):
            return -1
        for t in FALLBACKS[start_mt]:
            if self.free[order][t]:
                return t
        return -1

    def _try_to_claim(self, pfn, current_order, order, start_mt, block_mt):
        if current_order >= self.pb_order:
            self._del(pfn, current_order, block_mt)
            for b in range(pfn, pfn + (1 << current_order), self.pb_pages):
                self.block_mt[b] = start_mt
            self._expand(pfn, order, current_order, start_mt)
            self.nr_free_pages -= 1 << order
            return pfn
        start = pfn & ~(self.pb_pages - 1)
        if start + self.pb_pages > self.pages:       # prep_move_freepages_block(): zone end
            return None
        free_pages, movable, p, blocks = 0, 0, start, []
        while p < start + self.pb_pages:
            if p in self.buddy:
                blocks.append((p, self.buddy[p]))
                free_pages += 1 << self.buddy[p]
                p += 1 << self.buddy[p]
            else:
                movable += p in self.lru              # PageLRU: counted as movable
                p += 1
        if start_mt == MOVABLE:
            alike = movable
        elif block_mt == MOVABLE:
            alike = self.pb_pages - (free_pages + movable)
        else:
            alike = 0
        if free_pages + alike < (1 << (self.pb_order - 1)):
            return None
        for p, o in blocks:                           # __move_freepages_block(): to the tail
            self.free[o][block_mt].remove(p)
            self.free[o][start_mt].append(p)
        self.block_mt[start] = start_mt
        return self._rmqueue_smallest(order, start_mt)

    def _rmqueue_claim(self, order, start_mt, nofrag):
        min_order = self.pb_order if (order < self.pb_order and nofrag) else order
        for o in range(self.max_page_order, min_order - 1, -1):
            t = self._find_fallback(o, start_mt, True)
            if t == -1:
                continue
            if t == -2:
                break
            pfn = self._try_to_claim(self.free[o][t][0], o, order, start_mt, t)
            if pfn is not None:
                return pfn
        return None

    def _rmqueue_steal(self, order, start_mt):
        for o in range(order, self.max_page_order + 1):
            t = self._find_fallback(o, start_mt, False)
            if t == -1:
                continue
            pfn = self.free[o][t][0]
            self._take(pfn, order, o, t)
            return pfn
        return None

    def _rmqueue(self, order, mt, nofrag, mode):
        """__rmqueue() with its remembered mode ([mode] is shared along one rmqueue_bulk())."""
        if mode[0] == "normal":
            pfn = self._rmqueue_smallest(order, mt)
            if pfn is not None:
                return pfn
        if mode[0] in ("normal", "claim"):
            pfn = self._rmqueue_claim(order, mt, nofrag)
            if pfn is not None:
                mode[0] = "normal"
                return pfn
        if not nofrag:
            pfn = self._rmqueue_steal(order, mt)
            if pfn is not None:
                mode[0] = "steal"
                return pfn
        return None

    def _nr_pcp_alloc(self, pcp, order):
        base = pcp.batch
        high = pcp.high = min(max(pcp.high, pcp.high_min), pcp.high_max)
        if high < base:
            return 1
        batch = base if order else base << pcp.alloc_factor
        # high_min == high_max: no raise of high
        if not order:
            max_nr = max(high - pcp.count - base, base)
            if batch <= max_nr and pcp.alloc_factor < SCALE_MAX:
                pcp.alloc_factor += 1
            batch = min(batch, max_nr)
        if batch > 1:
            batch = max(batch >> order, 2)
        return batch

    def _rmqueue_pcplist(self, cpu, order, mt, nofrag):
        pcp = self.pcp[cpu]
        pcp.free_count >>= 1
        lst = pcp.lists[PCPTYPES * order + mt]
        if not lst:
            count = self._nr_pcp_alloc(pcp, order)
            mode = ["normal"]
            got = 0
            for _ in range(count):                    # rmqueue_bulk(): each at the tail
                pfn = self._rmqueue(order, mt, nofrag, mode)
                if pfn is None:
                    break
                lst.append(pfn)
                got += 1
            pcp.count += got << order
            if not got:
                return None
        pfn = lst.pop(0)
        pcp.count -= 1 << order
        return pfn

    def _watermark_ok(self, order):
        """zone_watermark_fast()/__zone_watermark_ok() with every mark 0 and no reserves."""
        if not order:
            return self.nr_free_pages > 0
        if self.nr_free_pages - ((1 << order) - 1) <= 0:
            return False
        return any(self.free[o][t] for o in range(order, self.max_page_order + 1)
                   for t in range(PCPTYPES))

    def alloc_pages(self, gfp, order, cpu):
        """The fast path; FAILED when the kernel would enter the slow path."""
        mt = gfp_migratetype(gfp)
        for nofrag in (True, False):
            if not self._watermark_ok(order):
                continue
            if order <= COSTLY:
                pfn = self._rmqueue_pcplist(cpu, order, mt, nofrag)
                if pfn is None:
                    pfn = self._rmqueue(order, mt, nofrag, ["normal"])   # rmqueue_buddy()
            else:
                pfn = self._rmqueue(order, mt, nofrag, ["normal"])
            if pfn is not None:
                self.allocated[pfn] = order
                if mt == MOVABLE:
                    self.lru.update(range(pfn, pfn + (1 << order)))
                return pfn
        return FAILED

    # ------------------------------------------------------------------ free
    def _free_pcppages_bulk(self, pcp, count, pindex):
        count = min(pcp.count, count)
        pindex -= 1
        while count > 0:
            while True:
                pindex = 0 if pindex + 1 > NR_PCP_LISTS - 1 else pindex + 1
                if pcp.lists[pindex]:
                    break
            order = pindex // PCPTYPES
            lst = pcp.lists[pindex]
            while True:
                pfn = lst.pop()                       # list_last_entry(): the tail
                count -= 1 << order
                pcp.count -= 1 << order
                self._free_one_page(pfn, order, self._mt_of(pfn))
                if not (count > 0 and lst):
                    break

    def free_pages(self, pfn, order, cpu):
        del self.allocated[pfn]
        self.lru.difference_update(range(pfn, pfn + (1 << order)))
        if order > COSTLY:
            self._split_large_buddy(pfn, order)       # __free_pages_ok() -> free_one_page()
            return
        mt = self._mt_of(pfn)                         # never above RECLAIMABLE here
        pcp = self.pcp[cpu]
        pcp.alloc_factor >>= 1
        pindex = PCPTYPES * order + mt
        pcp.lists[pindex].insert(0, pfn)
        pcp.count += 1 << order
        batch = pcp.batch
        free_high = False
        if order and order <= COSTLY:
            free_high = (pcp.free_count >= batch + pcp.high_min // 2
                         and pcp.prev_free_high_order)
            pcp.prev_free_high_order = True
        else:
            pcp.prev_free_high_order = False
        if pcp.free_count < (batch << SCALE_MAX):
            pcp.free_count += 1 << order
        # nr_pcp_high()
        high = pcp.high = min(max(pcp.high, pcp.high_min), pcp.high_max)
        if high and free_high:
            pcp.high = max(high - (batch << SCALE_MAX), pcp.high_min)
            high = 0
        if pcp.count < high:
            return
        # nr_pcp_free()
        if free_high:
            to_free = min(pcp.count, batch << SCALE_MAX)
        elif high < batch:
            to_free = 1
        else:
            lo, hi = batch, high - batch
            v = pcp.free_count
            to_free = hi if v >= hi else (lo if v <= lo else v)    # clamp_t()
        self._free_pcppages_bulk(pcp, to_free, pindex)

    def drain_all_pages(self):
        """drain_all_pages() -> drain_pages_zone() per CPU, in chunks of batch << 5 from
        pindex 0."""
        for pcp in self.pcp:
            while pcp.count:
                self._free_pcppages_bulk(pcp, min(pcp.count, pcp.batch << SCALE_MAX), 0)

    # ------------------------------------------------------------------ state
    def state(self):
        return dict(
            free_lists=tuple(tuple(tuple(lst) for lst in per) for per in self.free),
            nr_free_pages=self.nr_free_pages,
            pageblock_mt=tuple(sorted(self.block_mt.items())),
            pcp=tuple((p.count, p.high, p.batch, p.high_min, p.high_max, p.alloc_factor,
                       p.free_count, tuple(tuple(lst) for lst in p.lists)) for p in self.pcp),
            allocated=tuple(sorted(self.allocated.items())),
        )
