"""watermark: does a request pass each zone's watermark check, with which mark and protection?

Kernel: __alloc_pages_nodemask(), prepare_alloc_pages(), get_page_from_freelist(),
zone_watermark_fast(), __zone_watermark_ok(), setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18); the model
computes every answer.

The zones' free pages are set near their marks first (with __GFP_MEMALLOC
allocations, which ignore watermarks); the question is the fast path of one
request: which mark, which protection (lowmem_reserve[classzone_idx]) each
zone of the walk adds, whether it passes, and where the page comes from.

>>> from buddylab.problems import problem
>>> p = problem("watermark", seed=4)
>>> [k for k, _ in p.fields()][:2]
['mark', 'Normal protection']
"""

from .. import gfp as G
from .. import mmzone as mz
from ..alloc import prepare_alloc_pages
from ..zone import zone_watermark_fast
from ._base import Problem, Param, Worked, choice, count, yes_no

__all__ = ["WatermarkProblem"]

MASKS = (("GFP_KERNEL", G.GFP_KERNEL), ("GFP_ATOMIC", G.GFP_ATOMIC), ("GFP_NOWAIT", G.GFP_NOWAIT),
         ("GFP_HIGHUSER_MOVABLE", G.GFP_HIGHUSER_MOVABLE), ("GFP_DMA", G.GFP_DMA))
QUIET = G.__GFP_NOWARN
HOLD = G.__GFP_MEMALLOC | G.__GFP_NOWARN      # ALLOC_NO_WATERMARKS in the slow path

MARK_RULE = ("look at the alloc_flags __alloc_pages_nodemask() gives its FIRST "
             "get_page_from_freelist() call: which ALLOC_WMARK_* do they hold? (only "
             "__alloc_pages_slowpath() changes them, with gfp_to_alloc_flags())")
PROTECTION_RULE = ("the protection is the zone's lowmem_reserve[classzone_idx], where "
                   "classzone_idx "
                   "is the index of the preferred zone (the first zone of the walk), not of the "
                   "zone being checked")
PASS_RULE = ("zone_watermark_fast(): order 0 passes when free pages > mark + protection; otherwise "
             "__zone_watermark_ok(): free - (2^order - 1) must be > mark + protection (fails on "
             "<=), and some free list of order >= the request's must hold a block")
SERVE_RULE = ("the first zone of the walk that passes serves the request (rmqueue()); if none "
              "passes, __alloc_pages_slowpath() retries at the MIN mark (lowered for "
              "__GFP_HIGH and __GFP_ATOMIC), wakes kswapd and, when it may, reclaims")


class WatermarkProblem(Problem):
    """A DMA + Normal node with zones near their marks, and one request's fast path."""

    kind = "watermark"
    KERNELS = ("classic",)
    KERNEL_WHY = ("it asks about v4.18's three watermarks and ALLOC_HARDER; v6.18 adds the promo mark and ALLOC_MIN_RESERVE/ALLOC_NON_BLOCK")
    description = "does a request pass the watermark check in each zone (mark, protection)"
    PARAMS = (Param("pages", 512, 128, 4096, flag="--pages", help="pages in ZONE_NORMAL"),
              Param("min_free_kbytes", 256, 16, 4096, flag="--min-free-kbytes",
                    help="vm.min_free_kbytes"),
              Param("ratio", 32, 1, 256, flag="--ratio",
                    help="lowmem_reserve_ratio of DMA (DMA's protection = Normal pages / ratio)"))

    def _machine(self, rng):
        from ..machine import Machine
        p = self.params
        m = Machine(nodes=[{"DMA": 64, "Normal": p["pages"]}], cpus_per_node=1, max_order=4,
                    pageblock_order=2, min_free_kbytes=p["min_free_kbytes"],
                    lowmem_reserve_ratio=(p["ratio"], 256, 32, 0))
        name, mask = MASKS[int(rng.random() * len(MASKS))]
        order = int(rng.random() * 3)
        ac, alloc_flags = prepare_alloc_pages(m, mask, 0)
        classzone = ac.classzone_idx()
        dma, normal = m.zone(0, "DMA"), m.zone(0, "Normal")
        targets = {z.name: max(0, z.watermark[mz.WMARK_LOW] + z.lowmem_reserve[classzone]
                               + int(rng.random() * 11) - 5) for z in (dma, normal)}
        held = []
        while dma.NR_FREE_PAGES:                      # hold DMA so that Normal serves the fill
            page = m.alloc_pages(G.GFP_DMA | HOLD, 0)
            held.append(page)
        while normal.NR_FREE_PAGES > targets["Normal"]:
            rem = normal.NR_FREE_PAGES - targets["Normal"]
            o = min(3 if rem > 24 else int(rng.random() * 3), rem.bit_length() - 1)
            page = m.alloc_pages(G.GFP_KERNEL | HOLD, o)
            if page is None:
                break
        while held and dma.NR_FREE_PAGES < targets["DMA"]:
            m.free_pages(held.pop(int(rng.random() * len(held))), 0)
        return m, name, mask, order, ac, alloc_flags

    def _work(self):
        p = self.params
        m, name, mask, order, ac, alloc_flags = self._machine(self.rng())
        classzone = ac.classzone_idx()
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
        w.lines.append("request: alloc_pages(%s, %d)" % (name, order))
        w.lines.append(["  the fast path checks the ",
                        w.ask("mark", choice(*mz.WMARK_NAMES), mz.WMARK_NAMES[wm], MARK_RULE),
                        " watermark of each zone"])
        w.steps = ["gfp_zone(%s) = ZONE_%s; the walk: %s; classzone_idx %d (%s)" % (
            name, mz.ZONE_NAMES[ac.high_zoneidx].upper(), [z.name for z in ac.zones()],
            classzone, mz.ZONE_NAMES[classzone]),
            "fast path: %s" % mz.alloc_flags_str(alloc_flags)]
        for z in ac.zones():
            mark = z.watermark[wm]
            ok = zone_watermark_fast(z, order, mark, classzone, alloc_flags)
            w.lines.append(["  %s: protection ", w.ask("%s protection" % z.name, count("pages"),
                                                         z.lowmem_reserve[classzone],
                                                         PROTECTION_RULE),
                            " pages; passes: ",
                            w.ask("%s passes" % z.name, yes_no(), ok, PASS_RULE)])
            w.lines[-1][0] = w.lines[-1][0] % z.name
            w.steps.append("%s: free %d, order %d: %d - %d = %d vs %s %d + lowmem_reserve[%d] %d "
                           "-> %s" % (z.name, z.NR_FREE_PAGES, order, z.NR_FREE_PAGES,
                                      (1 << order) - 1, z.NR_FREE_PAGES - (1 << order) + 1,
                                      mz.WMARK_NAMES[wm], mark, classzone,
                                      z.lowmem_reserve[classzone], "passes" if ok else "fails"))
        t = m.start_trace(kinds=["slowpath", "mm_page_alloc"])
        page = m.alloc_pages(mask | QUIET, order)
        m.stop_trace()
        served = m.page_zone(page.pfn).name if page is not None else "none"
        path = "slow" if t.of("slowpath") else "fast"
        w.lines.append(["  served from zone ", w.ask("served_from", choice("DMA", "Normal", "none"),
                                                     served, SERVE_RULE),
                        " by the ", w.ask("path", choice("fast", "slow"), path, SERVE_RULE),
                        " path"])
        w.steps.append("alloc_pages() -> %s, %s path" % (
            "NULL" if page is None else "pfn %d in %s" % (page.pfn, served), path))
        w.hints = [MARK_RULE + ".", PROTECTION_RULE + ".", PASS_RULE + ".", SERVE_RULE + "."]
        return w
