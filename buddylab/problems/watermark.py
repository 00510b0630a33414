"""watermark: does a request pass each zone's watermark check, with which mark and protection?

Kernel: __alloc_pages_nodemask(), prepare_alloc_pages(), get_page_from_freelist(),
zone_watermark_fast(), __zone_watermark_ok(), setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18 and v6.18); the model
computes every answer.  On v6.18 (the modern profile) the masks take its bit values
(named_mask()), the protection is lowmem_reserve[ac->highest_zoneidx] (gfp_zone() of the
mask, not the preferred zone's index), the mark adds watermark_boost (wmark_pages()),
__zone_watermark_ok() first subtracts zone_watermark_unusable_free() (the free HIGHATOMIC
pages without ALLOC_RESERVES, the free CMA pages without ALLOC_CMA) and the slow path's
gfp_to_alloc_flags() lowers the min mark by ALLOC_MIN_RESERVE (half), ALLOC_NON_BLOCK (a
further quarter) or ALLOC_OOM (mm/page_alloc.c, v6.18).

The zones' free pages are set near their marks first (with __GFP_MEMALLOC
allocations, which ignore watermarks); the question is the fast path of one
request: which mark, which protection (lowmem_reserve[classzone_idx]) each
zone of the walk adds, whether it passes, and where the page comes from.

>>> from buddylab.problems import problem
>>> p = problem("watermark", seed=4)
>>> [k for k, _ in p.fields()][:2]
['mark', 'Normal protection']
"""

from .. import mmzone as mz
from ._base import Problem, Param, Worked, choice, count, yes_no
from ._ops import named_mask

__all__ = ["WatermarkProblem"]

#: the masks asked about, by name; their values come from the running kernel (named_mask())
MASKS = ("GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_HIGHUSER_MOVABLE", "GFP_DMA")
QUIET = "__GFP_NOWARN"
HOLD = "__GFP_MEMALLOC|__GFP_NOWARN"          # ALLOC_NO_WATERMARKS in the slow path

MARK_RULE = ("look at the alloc_flags __alloc_pages_nodemask() gives its FIRST "
             "get_page_from_freelist() call: which ALLOC_WMARK_* do they hold? (only "
             "__alloc_pages_slowpath() changes them, with gfp_to_alloc_flags())")
PROTECTION_RULE = ("the protection is the zone's lowmem_reserve[classzone_idx], where "
                   "classzone_idx "
                   "is the index of the preferred zone (the first zone of the walk), not of the "
                   "zone being checked")
# v6.18: four marks (promo), the same first mark (ALLOC_WMARK_LOW in
# __alloc_frozen_pages_noprof(), mm/page_alloc.c, v6.18)
MARK_RULES = {
    "classic": MARK_RULE,
    "modern": ("look at the alloc_flags __alloc_frozen_pages_noprof() gives its FIRST "
               "get_page_from_freelist() call: which ALLOC_WMARK_* do they hold? (only "
               "__alloc_pages_slowpath() changes them, with gfp_to_alloc_flags(); the promo "
               "mark is for NUMA-balancing promotion, never an allocation's)"),
}
# v6.18: lowmem_reserve[ac->highest_zoneidx] in get_page_from_freelist() (mm/page_alloc.c,
# v6.18; classzone_idx became highest_zoneidx in v5.7)
PROTECTION_RULES = {
    "classic": PROTECTION_RULE,
    "modern": ("the protection is the zone's lowmem_reserve[ac->highest_zoneidx], where "
               "highest_zoneidx is gfp_zone() of the mask (the highest zone the request may "
               "use), whichever zone the walk starts at"),
}
#: the lowmem_reserve index: ac_classzone_idx() (v4.18), ac->highest_zoneidx (v6.18)
PROTECTION_INDEX = {"classic": lambda ac: ac.classzone_idx(), "modern": lambda ac: ac.high_zoneidx}
#: whether the text shows v6.18's promo mark, watermark_boost and free HIGHATOMIC pages
V618_STATE = {"classic": False, "modern": True}
PASS_RULE = ("zone_watermark_fast(): order 0 passes when free pages > mark + protection; otherwise "
             "__zone_watermark_ok(): free - (2^order - 1) must be > mark + protection (fails on "
             "<=), and some free list of order >= the request's must hold a block")
# v6.18: zone_watermark_unusable_free() and the ALLOC_* lowering in __zone_watermark_ok()
# (mm/page_alloc.c, v6.18)
PASS_RULES = {
    "modern": ("zone_watermark_fast(): the mark is wmark_pages() (watermark plus "
               "watermark_boost); free pages minus zone_watermark_unusable_free() (2^order - 1, "
               "the free HIGHATOMIC pages unless the flags hold an ALLOC_RESERVES bit, the free "
               "CMA pages unless ALLOC_CMA) must be > mark + protection (fails on <=), and for "
               "order > 0 some free list of order >= the request's must hold a block of a type "
               "it may take"),
}
SERVE_RULES = {
    "modern": ("the first zone of the walk that passes serves the request (rmqueue()); if none "
               "passes, __alloc_pages_slowpath() retries at the MIN mark, which "
               "__zone_watermark_ok() lowers: ALLOC_MIN_RESERVE (__GFP_HIGH) halves it, "
               "ALLOC_NON_BLOCK with it takes a further quarter, ALLOC_OOM halves it; it wakes "
               "kswapd and, when it may, reclaims"),
}
SERVE_RULE = ("the first zone of the walk that passes serves the request (rmqueue()); if none "
              "passes, __alloc_pages_slowpath() retries at the MIN mark (lowered for "
              "__GFP_HIGH and __GFP_ATOMIC), wakes kswapd and, when it may, reclaims")


class WatermarkProblem(Problem):
    """A DMA + Normal node with zones near their marks, and one request's fast path."""

    kind = "watermark"
    description = "does a request pass the watermark check in each zone (mark, protection)"
    PARAMS = (Param("pages", 512, 128, 4096, flag="--pages", help="pages in ZONE_NORMAL"),
              Param("min_free_kbytes", 256, 16, 4096, flag="--min-free-kbytes",
                    help="vm.min_free_kbytes"),
              Param("ratio", 32, 1, 256, flag="--ratio",
                    help="lowmem_reserve_ratio of DMA (DMA's protection = Normal pages / ratio)"))

    def _machine(self, rng):
        from ..machine import Machine
        p = self.params
        from ..kernels.select import get_kernel
        ratio = tuple(get_kernel(self.kernel).DEFAULT_LOWMEM_RESERVE_RATIO)   # DMA's replaced
        m = Machine(nodes=[{"DMA": 64, "Normal": p["pages"]}], cpus_per_node=1, max_order=4,
                    pageblock_order=2, min_free_kbytes=p["min_free_kbytes"],
                    lowmem_reserve_ratio=(p["ratio"],) + ratio[1:], kernel=self.kernel)
        name = MASKS[int(rng.random() * len(MASKS))]
        mask = named_mask(m, name)
        hold = named_mask(m, HOLD)
        order = int(rng.random() * 3)
        ac, alloc_flags = m.kernel.prepare_alloc_pages(m, mask, 0)
        classzone = self._protection_idx(ac)
        dma, normal = m.zone(0, "DMA"), m.zone(0, "Normal")
        targets = {z.name: max(0, z.watermark[mz.WMARK_LOW] + z.lowmem_reserve[classzone]
                               + int(rng.random() * 11) - 5) for z in (dma, normal)}
        held = []
        while dma.NR_FREE_PAGES:                      # hold DMA so that Normal serves the fill
            page = m.alloc_pages(named_mask(m, "GFP_DMA") | hold, 0)
            held.append(page)
        while normal.NR_FREE_PAGES > targets["Normal"]:
            rem = normal.NR_FREE_PAGES - targets["Normal"]
            o = min(3 if rem > 24 else int(rng.random() * 3), rem.bit_length() - 1)
            page = m.alloc_pages(named_mask(m, "GFP_KERNEL") | hold, o)
            if page is None:
                break
        while held and dma.NR_FREE_PAGES < targets["DMA"]:
            m.free_pages(held.pop(int(rng.random() * len(held))), 0)
        return m, name, mask, order, ac, alloc_flags

    def _protection_idx(self, ac):
        """The lowmem_reserve index: v4.18's ac_classzone_idx() (the preferred zone's index),
        v6.18's ac->highest_zoneidx (gfp_zone()) (get_page_from_freelist(), mm/page_alloc.c)."""
        return PROTECTION_INDEX[self.kernel](ac)

    def _work(self):
        p = self.params
        m, name, mask, order, ac, alloc_flags = self._machine(self.rng())
        classzone = self._protection_idx(ac)
        names = m.kernel.WMARK_NAMES
        modern = V618_STATE[self.kernel]
        pass_rule = PASS_RULES.get(self.kernel, PASS_RULE)
        serve_rule = SERVE_RULES.get(self.kernel, SERVE_RULE)
        wm = alloc_flags & mz.ALLOC_WMARK_MASK
        w = Worked()
        w.lines.append("machine: one node, DMA 64 pages, Normal %d pages, 1 CPU, "
                       "min_free_kbytes %d, "
                       "lowmem_reserve_ratio %s" % (p["pages"], p["min_free_kbytes"],
                                                    " ".join(map(str, m.lowmem_reserve_ratio))))
        for z in (m.zone(0, "DMA"), m.zone(0, "Normal")):
            w.lines.append("  zone %-6s free %d, nr_free per order %s, min %d low %d high %d, "
                           "lowmem_reserve (protection) %s" % (
                               z.name, z.NR_FREE_PAGES, list(z.nr_free), z.watermark[0],
                               z.watermark[1], z.watermark[2], list(z.lowmem_reserve)))
            if modern:
                w.lines.append("         promo %d, watermark_boost %d, free HIGHATOMIC pages %d"
                               % (z.watermark[3], z.watermark_boost,
                                  z.nr_free_highatomic))
        w.lines.append("request: alloc_pages(%s, %d)" % (name, order))
        w.lines.append(["  the fast path checks the ",
                        w.ask("mark", choice(*names), names[wm], MARK_RULES[self.kernel]),
                        " watermark of each zone"])
        w.steps = ["gfp_zone(%s) = ZONE_%s; the walk: %s; %s %d (%s)" % (
            name, mz.ZONE_NAMES[ac.high_zoneidx].upper(), [z.name for z in ac.zones()],
            "highest_zoneidx" if modern else "classzone_idx", classzone, mz.ZONE_NAMES[classzone]),
            "fast path: %s" % (mz.alloc_flags_str(alloc_flags) if not modern else
                               "ALLOC_WMARK_LOW%s, no ALLOC_RESERVES bit" % (
                                   " | ALLOC_CMA" if alloc_flags & ~mz.ALLOC_WMARK_MASK else ""))]
        for z in ac.zones():
            mark = z.wmark_pages(wm)
            ok = m.kernel.zone_watermark_fast(z, order, mark, classzone, alloc_flags)
            w.lines.append(["  %s: protection ", w.ask("%s protection" % z.name, count("pages"),
                                                         z.lowmem_reserve[classzone],
                                                         PROTECTION_RULES[self.kernel]),
                            " pages; passes: ",
                            w.ask("%s passes" % z.name, yes_no(), ok, pass_rule)])
            w.lines[-1][0] = w.lines[-1][0] % z.name
            unusable = (1 << order) - 1 + (z.nr_free_highatomic if modern else 0)
            w.steps.append("%s: free %d, order %d: %d - %d = %d vs %s %d + lowmem_reserve[%d] %d "
                           "-> %s" % (z.name, z.NR_FREE_PAGES, order, z.NR_FREE_PAGES,
                                      unusable, z.NR_FREE_PAGES - unusable,
                                      names[wm], mark, classzone,
                                      z.lowmem_reserve[classzone], "passes" if ok else "fails"))
        t = m.start_trace(kinds=["slowpath", "mm_page_alloc"])
        page = m.alloc_pages(mask | named_mask(m, QUIET), order)
        m.stop_trace()
        served = m.page_zone(page.pfn).name if page is not None else "none"
        path = "slow" if t.of("slowpath") else "fast"
        w.lines.append(["  served from zone ", w.ask("served_from", choice("DMA", "Normal", "none"),
                                                     served, serve_rule),
                        " by the ", w.ask("path", choice("fast", "slow"), path, serve_rule),
                        " path"])
        w.steps.append("alloc_pages() -> %s, %s path" % (
            "NULL" if page is None else "pfn %d in %s" % (page.pfn, served), path))
        w.hints = [MARK_RULES[self.kernel] + ".", PROTECTION_RULES[self.kernel] + ".",
                   pass_rule + ".", serve_rule + "."]
        return w
