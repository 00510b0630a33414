"""interface: what an allocation call returns, from which node, zone and migratetype, or not.

Kernel: alloc_pages(), alloc_page(), alloc_pages_node(), __get_free_pages(),
get_zeroed_page(), __get_dma_pages() (include/linux/gfp.h, mm/page_alloc.c,
v4.18), gfp_zone(), gfpflags_to_migratetype(); the model makes the call.

>>> from buddylab.problems import problem
>>> p = problem("interface", seed=0)
>>> [k for k, _ in p.fields()]
['returns', 'node', 'zone', 'migratetype']
"""

import warnings

from .. import gfp as G
from .. import mmzone as mz
from ..errors import BuddyLabError
from ._base import Problem, Worked, choice

__all__ = ["InterfaceProblem"]

CALLS = ("alloc_pages", "alloc_page", "alloc_pages_node", "__get_free_pages", "get_zeroed_page",
         "__get_dma_pages")
MASKS = (("GFP_KERNEL", G.GFP_KERNEL), ("GFP_ATOMIC", G.GFP_ATOMIC), ("GFP_DMA", G.GFP_DMA),
         ("GFP_DMA32", G.GFP_DMA32), ("GFP_HIGHUSER_MOVABLE", G.GFP_HIGHUSER_MOVABLE),
         ("GFP_USER", G.GFP_USER),
         ("GFP_KERNEL|__GFP_RECLAIMABLE", G.GFP_KERNEL | G.__GFP_RECLAIMABLE),
         ("GFP_KERNEL|__GFP_THISNODE", G.GFP_KERNEL | G.__GFP_THISNODE),
         ("GFP_DMA|__GFP_THISNODE", G.GFP_DMA | G.__GFP_THISNODE),
         ("GFP_HIGHUSER", G.GFP_HIGHUSER),
         ("__GFP_DMA|__GFP_HIGHMEM", G.__GFP_DMA | G.__GFP_HIGHMEM))
LAYOUT = [{"DMA": 64, "DMA32": 128, "Normal": 256}, {"Normal": 256}]
MAX_ORDER = 5
RESULTS = ("struct page", "address", "NULL", "0", "error")

RETURNS_RULE = ("alloc_pages(), alloc_page() and alloc_pages_node() return a struct page * "
                "(NULL on "
                "failure); __get_free_pages(), get_zeroed_page() and __get_dma_pages() return a "
                "kernel virtual address (0 on failure) and may not take __GFP_HIGHMEM (VM_BUG_ON); "
                "a mask gfp_zone() rejects (GFP_ZONE_BAD, e.g. __GFP_DMA|__GFP_HIGHMEM) is a bug; "
                "an order >= MAX_ORDER fails")
NODE_RULE = ("alloc_pages() starts on the calling CPU's node, alloc_pages_node(nid, ...) on nid; "
             "the FALLBACK zonelist reaches other nodes only for zones the near ones lack or that "
             "fail; __GFP_THISNODE stays on the node (NOFALLBACK)")
ZONE_RULE = ("gfp_zone() gives the highest zone allowed (no modifier: Normal; __GFP_DMA32: DMA32; "
             "__GFP_DMA: DMA; __get_dma_pages() adds GFP_DMA); the walk takes the first zone of "
             "the zonelist at or below it that passes its watermark")
MT_RULE = ("gfpflags_to_migratetype(): __GFP_MOVABLE -> Movable, __GFP_RECLAIMABLE -> Reclaimable, "
           "neither -> Unmovable")


class InterfaceProblem(Problem):
    """One call of the allocation interface on a fresh two-node machine."""

    kind = "interface"
    KERNELS = ("classic",)
    KERNEL_WHY = ("its GFP masks are written in v4.18's bit values (not yet ported to v6.18's)")
    description = "what an allocation call returns: node, zone and migratetype, or failure"
    PARAMS = ()

    def draw(self, rng):
        """The call, the mask, the order, the CPU and (alloc_pages_node) the node."""
        call = CALLS[int(rng.random() * len(CALLS))]
        name, mask = MASKS[int(rng.random() * len(MASKS))]
        order = 0 if call in ("alloc_page", "get_zeroed_page") else \
            (MAX_ORDER if rng.random() < 0.08 else int(rng.random() * 4))
        cpu = int(rng.random() * 2)
        nid = int(rng.random() * 2)
        return call, name, mask, order, cpu, nid

    def _work(self):
        from ..machine import Machine
        call, name, mask, order, cpu, nid = self.draw(self.rng())
        m = Machine(nodes=LAYOUT, cpus_per_node=1, max_order=MAX_ORDER, pageblock_order=2,
                    min_free_kbytes=64)
        if call == "alloc_pages_node":
            text = "alloc_pages_node(%d, %s, %d)" % (nid, name, order)
            fn = lambda: m.alloc_pages_node(nid, mask, order, cpu=cpu)   # noqa: E731
        elif call in ("alloc_page", "get_zeroed_page"):
            text = "%s(%s)" % (call, name)
            fn = lambda: getattr(m, call)(mask, cpu=cpu)                  # noqa: E731
        else:
            text = "%s(%s, %d)" % (call, name, order)
            fn = lambda: getattr(m, call)(mask, order, cpu=cpu)           # noqa: E731
        error = None
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            try:
                res = fn()
            except BuddyLabError as e:
                res, error = None, e
        if error is not None:
            returns, pfn = "error", None
        elif call in ("__get_free_pages", "get_zeroed_page", "__get_dma_pages"):
            returns, pfn = ("0", None) if res == 0 else ("address", m.virt_to_page(res).pfn)
        else:
            returns, pfn = ("NULL", None) if res is None else ("struct page", res.pfn)
        zone = m.page_zone(pfn) if pfn is not None else None
        w = Worked()
        w.lines.append("machine: %s; MAX_ORDER %d (orders 0..%d), nothing allocated yet" % (
            "; ".join("node %d: %s (CPU %d)" % (i, ", ".join("%s %d pages" % (z, n[z])
                                                               for z in mz.ZONE_NAMES if z in n), i)
                      for i, n in enumerate(LAYOUT)), MAX_ORDER, MAX_ORDER - 1))
        w.lines.append("call on CPU %d: %s" % (cpu, text))
        w.lines.append(["  returns: ", w.ask("returns", choice(*RESULTS), returns, RETURNS_RULE)])
        w.lines.append(["  from node ", w.ask("node", choice("0", "1", "none"),
                                              "none" if zone is None else str(zone.nid), NODE_RULE),
                        ", zone ", w.ask("zone", choice(*(mz.ZONE_NAMES + ("none",))),
                                         "none" if zone is None else zone.name, ZONE_RULE),
                        ", migratetype ",
                        w.ask("migratetype", choice("Unmovable", "Movable", "Reclaimable", "none"),
                              "none" if pfn is None else mz.MIGRATETYPE_NAMES[m.allocated[pfn][1]],
                              MT_RULE)])
        w.lines.append("  (answer none for node, zone and migratetype when nothing is allocated)")
        w.steps = ["%s on CPU %d (node %d)" % (text, cpu, m.cpu_to_node[cpu])]
        if error is not None:
            w.steps.append("the model raises %s: %s" % (type(error).__name__, error))
        else:
            w.steps.append("gfp_zone(%s) = ZONE_%s, gfpflags_to_migratetype() = %s" % (
                name, mz.ZONE_NAMES[G.gfp_zone(mask)].upper(),
                mz.MIGRATETYPE_NAMES[G.gfpflags_to_migratetype(mask)]))
            w.steps += ["warning: %s" % x.message for x in warned]
            w.steps.append("returns %s" % (returns if zone is None else
                                           "%s (pfn %d, node %d, zone %s)"
                                           % (returns, pfn, zone.nid, zone.name)))
        w.hints = [RETURNS_RULE + ".", MT_RULE + ".", ZONE_RULE + ".", NODE_RULE + "."]
        return w
