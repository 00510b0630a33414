"""struct zone: free_area, watermarks, lowmem_reserve (the data both kernels share).

Kernel: struct zone (include/linux/mmzone.h).  The rules that fill and check the
watermarks differ between kernels: v4.18's (__setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve(), init_per_zone_wmark_min(), __zone_watermark_ok(),
zone_watermark_fast() in mm/page_alloc.c) live in buddylab/kernels/v4_18/watermark.py,
re-exported at the end of this file for the chapters; the model calls them through
``machine.kernel``.

Simplification, said aloud: the kernel's NR_FREE_PAGES lags behind by per-CPU
vmstat deltas (up to stat_threshold per CPU); the model keeps it exact.
"""

from . import mmzone as mz
from .mmzone import MIGRATE_TYPES


class Zone:
    """One struct zone.

    ``free_area`` is modelled by ``nr_free[order]`` plus one list head per
    (order, migratetype): list head id ``head_base + order * MIGRATE_TYPES + mt``
    in the machine's MemMap, which hands the zone its heads (``reserve_heads``).
    ``free_lists[order][mt]`` holds those ids, so the kernel paths read
    ``&zone->free_area[order].free_list[mt]`` as two subscripts, not a call of
    free_list().
    """

    def __init__(self, mm, vm, nid, zone_idx, start_pfn, spanned_pages, present_pages,
                 max_order, pageblock_order, zone_names=mz.ZONE_NAMES, nr_wmark=3):
        self.mm = mm                 # the machine's mem_map (struct page arrays, list heads)
        self.vm = vm                 # the machine's VmGlobals (trace, allocator switches)
        self.nid = nid
        self.node = nid
        self.idx = zone_idx
        self.name = zone_names[zone_idx]
        self.zone_start_pfn = start_pfn
        self.spanned_pages = spanned_pages
        self.present_pages = present_pages
        self.managed_pages = 0
        self.max_order = max_order
        self.pageblock_order = pageblock_order
        self.pageblock_nr_pages = 1 << pageblock_order
        self.head_base = mm.reserve_heads(max_order * MIGRATE_TYPES, self)
        self.free_lists = tuple(tuple(self.free_list(order, mt)
                                      for mt in range(MIGRATE_TYPES))
                                for order in range(max_order))
        self.nr_free = [0] * self.max_order
        self.watermark = [0] * nr_wmark      # _watermark[NR_WMARK] (v4.18: watermark[])
        self.watermark_boost = 0             # v6.18 only (boost_watermark()); 0 in v4.18
        self.lowmem_reserve = [0] * len(zone_names)   # lowmem_reserve[MAX_NR_ZONES]
        self.nr_reserved_highatomic = 0
        self.nr_free_highatomic = 0          # v6.18 only: free pages on HIGHATOMIC lists
        # v6.18 only: zone->flags bits the pcp auto-tuning reads (mm/page_alloc.c, v6.18)
        self.below_high = False              # ZONE_BELOW_HIGH: get_page_from_freelist() sets it
        self.reclaim_active = False          # ZONE_RECLAIM_ACTIVE: kswapd balancing the node
        self.boosted_watermark = False       # ZONE_BOOSTED_WATERMARK: try_to_claim_block() boosted
        self.nr_isolate_pageblock = 0
        self.NR_FREE_PAGES = 0
        self.NR_FREE_CMA_PAGES = 0
        self.cma_pages = 0                   # zone->cma_pages: pages of CMA areas (v6.18 prints it)
        self.pageset = {}          # cpu -> PerCpuPages
        # CONFIG_COMPACTION's deferral state (struct zone, read by mm/compaction.c)
        self.compact_considered = 0
        self.compact_defer_shift = 0
        self.compact_order_failed = 0
        # the layout boot was given: (start_pfn, end_pfn) ranges with no page / reserved
        self.holes = ()
        self.reserved = ()

    @property
    def zone_end_pfn(self):
        """zone_end_pfn(): zone_start_pfn + spanned_pages."""
        return self.zone_start_pfn + self.spanned_pages

    def zone_spans_pfn(self, pfn):
        """zone_spans_pfn(): start <= pfn < end."""
        return self.zone_start_pfn <= pfn < self.zone_start_pfn + self.spanned_pages

    def populated(self):
        """populated_zone(): present_pages != 0."""
        return self.present_pages != 0

    def managed(self):
        """managed_zone(): managed_pages != 0 (the test build_zonerefs_node uses)."""
        return self.managed_pages != 0

    @property
    def spec(self):
        """The zone's layout as boot was given it (read-only; holes and reserved as lists)."""
        return dict(idx=self.idx, start=self.zone_start_pfn, spanned=self.spanned_pages,
                    present=self.present_pages, holes=list(self.holes),
                    reserved=list(self.reserved))

    def free_list(self, order, mt):
        """The list head id of free_area[order].free_list[mt]."""
        return self.head_base + order * MIGRATE_TYPES + mt

    def has_isolate_pageblock(self):
        """has_isolate_pageblock()."""
        return self.nr_isolate_pageblock != 0

    def mod_zone_freepage_state(self, nr_pages, mt):
        """__mod_zone_freepage_state(): NR_FREE_PAGES, and NR_FREE_CMA_PAGES for CMA."""
        self.NR_FREE_PAGES += nr_pages
        if mt == mz.MIGRATE_CMA:
            self.NR_FREE_CMA_PAGES += nr_pages

    def wmark_pages(self, i):
        """wmark_pages(): _watermark[i] + watermark_boost.

        Kernel: wmark_pages() in include/linux/mmzone.h (v6.18): every accessor adds the
        boost that boost_watermark() raised; v4.18 had no boost (it stays 0 there), so
        the same sum is v4.18's ``watermark[i]``.
        """
        return self.watermark[i] + self.watermark_boost

    def min_wmark_pages(self):
        """min_wmark_pages(): watermark[WMARK_MIN] (+ boost, v6.18)."""
        return self.wmark_pages(mz.WMARK_MIN)

    def low_wmark_pages(self):
        """low_wmark_pages(): watermark[WMARK_LOW] (+ boost, v6.18)."""
        return self.wmark_pages(mz.WMARK_LOW)

    def high_wmark_pages(self):
        """high_wmark_pages(): watermark[WMARK_HIGH] (+ boost, v6.18)."""
        return self.wmark_pages(mz.WMARK_HIGH)

    def __repr__(self):
        return "<zone %s of node %d: pfn %d-%d>" % (self.name, self.nid, self.zone_start_pfn,
                                                     self.zone_end_pfn)


# compat re-exports (chapters 04/05, tests): v4.18's watermark rules, never used here
from .kernels.v4_18.watermark import (zone_watermark_ok_full, zone_watermark_ok,  # noqa: E402,F401
                                      zone_watermark_fast, int_sqrt, default_min_free_kbytes,
                                      mult_frac, setup_per_zone_wmarks,
                                      setup_per_zone_lowmem_reserve,
                                      DEFAULT_LOWMEM_RESERVE_RATIO, MIN_FREE_KBYTES_MAX,
                                      lowmem_kbytes, counts_in_lowmem_pages, wmark_values,
                                      zone_wmarks, lowmem_reserve_values, khugepaged_zone_ok)
