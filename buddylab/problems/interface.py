"""interface: what an allocation call returns, from which node, zone and migratetype, or not.

Kernel: alloc_pages(), alloc_page(), alloc_pages_node(), __get_free_pages(),
get_zeroed_page(), __get_dma_pages() (include/linux/gfp.h, mm/page_alloc.c,
v4.18), gfp_zone(), gfpflags_to_migratetype(); the model makes the call.  On the modern
kernel (v6.18) the masks take its bit values, the order bound is MAX_PAGE_ORDER (inclusive),
and __get_free_pages() clears __GFP_HIGHMEM instead of VM_BUG_ON (get_free_pages_noprof(),
mm/page_alloc.c, v6.18); the texts name those rules.

>>> from buddylab.problems import problem
>>> p = problem("interface", seed=0)
>>> [k for k, _ in p.fields()]
['returns', 'node', 'zone', 'migratetype']
"""

import warnings

from .. import mmzone as mz
from ..errors import BuddyLabError
from ._base import Problem, Worked, choice
from ._ops import named_mask

__all__ = ["InterfaceProblem"]

CALLS = ("alloc_pages", "alloc_page", "alloc_pages_node", "__get_free_pages", "get_zeroed_page",
         "__get_dma_pages")
#: the masks asked about, by name; their values come from the running kernel (named_mask())
MASKS = ("GFP_KERNEL", "GFP_ATOMIC", "GFP_DMA", "GFP_DMA32", "GFP_HIGHUSER_MOVABLE", "GFP_USER",
         "GFP_KERNEL|__GFP_RECLAIMABLE", "GFP_KERNEL|__GFP_THISNODE", "GFP_DMA|__GFP_THISNODE",
         "GFP_HIGHUSER", "__GFP_DMA|__GFP_HIGHMEM")
ADDRESS_CALLS = ("__get_free_pages", "get_zeroed_page", "__get_dma_pages")
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
# v6.18: get_free_pages_noprof() clears __GFP_HIGHMEM; __alloc_frozen_pages_noprof() fails
# an order > MAX_PAGE_ORDER (WARN_ON_ONCE_GFP); alloc_pages_noprof() takes the default
# mempolicy (local node); gfp_migratetype() (mm/page_alloc.c, mm/mempolicy.c,
# include/linux/gfp.h, v6.18)
MT_FUNCTION = {"classic": "gfpflags_to_migratetype", "modern": "gfp_migratetype"}
RULES = {
    "classic": dict(returns=RETURNS_RULE, node=NODE_RULE, zone=ZONE_RULE, migratetype=MT_RULE),
    "modern": dict(
        returns=("alloc_pages(), alloc_page() and alloc_pages_node() return a struct page * "
                 "(NULL on failure); __get_free_pages(), get_zeroed_page() and __get_dma_pages() "
                 "return a kernel virtual address (0 on failure) and clear __GFP_HIGHMEM from "
                 "the mask (get_free_pages_noprof()); a mask gfp_zone() rejects (GFP_ZONE_BAD, "
                 "e.g. __GFP_DMA|__GFP_HIGHMEM) is a bug; an order > MAX_PAGE_ORDER fails"),
        node=("alloc_pages() starts on the calling CPU's node (the default mempolicy, "
              "alloc_pages_mpol()), alloc_pages_node(nid, ...) on nid; the FALLBACK zonelist "
              "reaches other nodes only for zones the near ones lack or that fail; "
              "__GFP_THISNODE stays on the node (NOFALLBACK)"),
        zone=("gfp_zone() gives the highest zone allowed (no modifier: Normal; __GFP_DMA32: "
              "DMA32; __GFP_DMA: DMA; __get_dma_pages() adds GFP_DMA; __get_free_pages() has "
              "cleared __GFP_HIGHMEM first); the walk takes the first zone of the zonelist at "
              "or below it that passes its watermark"),
        migratetype=("gfp_migratetype(): __GFP_MOVABLE -> Movable, __GFP_RECLAIMABLE -> "
                     "Reclaimable, neither -> Unmovable")),
}


class InterfaceProblem(Problem):
    """One call of the allocation interface on a fresh two-node machine."""

    kind = "interface"
    description = "what an allocation call returns: node, zone and migratetype, or failure"
    PARAMS = ()

    def draw(self, rng):
        """The call, the mask, the order, the CPU and (alloc_pages_node) the node."""
        call = CALLS[int(rng.random() * len(CALLS))]
        name = MASKS[int(rng.random() * len(MASKS))]
        order = 0 if call in ("alloc_page", "get_zeroed_page") else \
            (MAX_ORDER if rng.random() < 0.08 else int(rng.random() * 4))
        cpu = int(rng.random() * 2)
        nid = int(rng.random() * 2)
        return call, name, order, cpu, nid

    def _work(self):
        from ..machine import Machine
        call, name, order, cpu, nid = self.draw(self.rng())
        m = Machine(nodes=LAYOUT, cpus_per_node=1, max_order=MAX_ORDER, pageblock_order=2,
                    min_free_kbytes=64, kernel=self.kernel)
        mask = named_mask(m, name)
        rules = RULES[self.kernel]
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
        elif call in ADDRESS_CALLS:
            returns, pfn = ("0", None) if res == 0 else ("address", m.virt_to_page(res).pfn)
        else:
            returns, pfn = ("NULL", None) if res is None else ("struct page", res.pfn)
        zone = m.page_zone(pfn) if pfn is not None else None
        w = Worked()
        bound = ("MAX_PAGE_ORDER %d" % (MAX_ORDER - 1) if m.kernel.order_limit_inclusive
                 else "MAX_ORDER %d" % MAX_ORDER)
        w.lines.append("machine: %s; %s (orders 0..%d), nothing allocated yet" % (
            "; ".join("node %d: %s (CPU %d)" % (i, ", ".join("%s %d pages" % (z, n[z])
                                                               for z in mz.ZONE_NAMES if z in n), i)
                      for i, n in enumerate(LAYOUT)), bound, MAX_ORDER - 1))
        w.lines.append("call on CPU %d: %s" % (cpu, text))
        w.lines.append(["  returns: ", w.ask("returns", choice(*RESULTS), returns, rules["returns"])])
        w.lines.append(["  from node ", w.ask("node", choice("0", "1", "none"),
                                              "none" if zone is None else str(zone.nid), rules["node"]),
                        ", zone ", w.ask("zone", choice(*(mz.ZONE_NAMES + ("none",))),
                                         "none" if zone is None else zone.name, rules["zone"]),
                        ", migratetype ",
                        w.ask("migratetype", choice("Unmovable", "Movable", "Reclaimable", "none"),
                              "none" if pfn is None else mz.MIGRATETYPE_NAMES[m.allocated[pfn][1]],
                              rules["migratetype"])])
        w.lines.append("  (answer none for node, zone and migratetype when nothing is allocated)")
        w.steps = ["%s on CPU %d (node %d)" % (text, cpu, m.cpu_to_node[cpu])]
        if error is not None:
            w.steps.append("the model raises %s: %s" % (type(error).__name__, error))
        else:
            seen, shown = mask, name
            if call in ADDRESS_CALLS and m.kernel.get_free_pages_clears_highmem \
                    and mask & named_mask(m, "__GFP_HIGHMEM"):
                seen = mask & ~int(named_mask(m, "__GFP_HIGHMEM"))
                shown = "(%s) & ~__GFP_HIGHMEM" % name
            w.steps.append("gfp_zone(%s) = ZONE_%s, %s() = %s" % (
                shown, mz.ZONE_NAMES[m.kernel.gfp.gfp_zone(seen)].upper(),
                MT_FUNCTION[self.kernel],
                mz.MIGRATETYPE_NAMES[m.kernel.gfp.gfpflags_to_migratetype(seen)]))
            w.steps += ["warning: %s" % x.message for x in warned]
            w.steps.append("returns %s" % (returns if zone is None else
                                           "%s (pfn %d, node %d, zone %s)"
                                           % (returns, pfn, zone.nid, zone.name)))
        w.hints = [rules[k] + "." for k in ("returns", "migratetype", "zone", "node")]
        return w
