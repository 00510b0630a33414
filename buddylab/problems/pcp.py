"""pcp: when an order-0 request refills the per-cpu list, when a free drains it, which pages move.

Kernel: rmqueue_pcplist(), rmqueue_bulk(), free_unref_page(),
free_pcppages_bulk(), pageset_set_high() in mm/page_alloc.c (v4.18); the
model runs them.

percpu_pagelist_fraction sets high = managed_pages / fraction and
batch = high / 4, so the lists fill and drain within a few operations.

>>> from buddylab.problems import problem
>>> p = problem("pcp", ops="+0,+0,+0")
>>> print(p.text().split("\\n", 3)[-1])
op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> ?; refilled first with ?
op 2: a1 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> ?; refilled first with ?
op 3: a2 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> ?; refilled first with ?

Worked by hand (high 8, batch 2): op 1 finds the list empty; rmqueue_bulk()
takes two pages with __rmqueue() (120 by splitting the order-3 block 120,
then 121) and adds each at the tail; 120 is taken from the head.  Op 2 takes
121 with no refill; op 3 refills with 122 and 123.

>>> p.answers()["refill_op1"], p.answers()["pfn_op2"], p.answers()["refill_op3"]
([120, 121], 121, [122, 123])
"""

from .. import mmzone as mz
from ..errors import BuddyLabError
from ..trace import explain as explain_event
from ._base import Problem, Param, Worked, pfn_or_null, pfn_list
from ._ops import MASKS, OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line, \
    free_list_lines, OpRun, result_pfn
from .split import size_params, validate_sizes

__all__ = ["PcpProblem"]

PFN_RULE = ("rmqueue_pcplist(): an order-0 page comes from the HEAD of this CPU's pcp list of "
            "the request's migratetype")
REFILL_RULE = ("only when that pcp list is empty, rmqueue_bulk() first takes batch blocks with "
               "__rmqueue() (each the head of the smallest non-empty free list, split by "
               "expand()) and adds each at the TAIL of the pcp list")
DRAIN_RULE = ("free_unref_page() adds the page at the HEAD of the pcp list of its pageblock's "
              "type; "
              "when count reaches high, free_pcppages_bulk() returns batch pages, round robin over "
              "the lists starting with Movable, then Reclaimable, Unmovable, each giving from its "
              "TAIL (more pages from a list when empty lists were skipped to reach it)")
EXPLAINED = ("pcp_refill", "pcp_alloc", "pcp_free", "pcp_drain", "mm_page_pcpu_drain", "rmqueue",
             "split", "fallback")


class PcpProblem(Problem):
    """Order-0 allocations and frees through one CPU's pcp lists."""

    kind = "pcp"
    KERNELS = ("classic",)
    KERNEL_WHY = ("it asks about v4.18's one order-0 pcp list with high = managed / percpu_pagelist_fraction; v6.18 has 14 lists with an auto-tuned high")
    description = "when a pcp refill or drain happens, and which pages move"
    PARAMS = size_params(128, 4, 2) + (
        Param("fraction", 16, 8, 4096, flag="--fraction",
              help="percpu_pagelist_fraction: pcp high = pages / fraction, batch = high / 4"),
        Param("nr_ops", 18, 1, 200, flag="-n", drawn=True, help="number of random operations"),
        Param("types", "mu", flag="--types", kind=str, drawn=True, echo_default=False,
              help="request types to draw from: m movable, u unmovable, r reclaimable"),
        Param("ops", None, flag="-A", kind=str, help=OPS_HELP + "; orders must be 0"),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        p = self.params
        validate_sizes(p)
        if p["pages"] // p["fraction"] < 4:
            raise BuddyLabError("problem pcp: --pages / --fraction (the pcp high mark) must be at "
                                "least 4, got %d" % (p["pages"] // p["fraction"]))
        if not p["types"] or any(c not in MASKS for c in p["types"]):
            raise BuddyLabError("--types takes letters out of m, u, r, got %r" % p["types"])
        if p["ops"] is not None:
            if any(op[0] == "alloc" and op[1] != 0 for op in parse_ops(p["ops"])):
                raise BuddyLabError("problem pcp: every allocation of -A is order 0 (+0, +0u, +0r)")
            self._worked()

    def _work(self):
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"], p["fraction"])
        boot = m.zone_snapshot(0, "Normal")
        run = OpRun(m)
        if p["ops"] is not None:
            for op in parse_ops(p["ops"]):
                run.run(op)
        else:
            rng = self.rng()
            half = p["nr_ops"] // 2
            run.random_ops(rng, p["nr_ops"] - half, p["max_order"], p["types"], 0.25, orders=1)
            run.random_ops(rng, half, p["max_order"], p["types"], 0.9, orders=1)
        run.finish()
        pcp = boot.pcp[0]
        w = Worked()
        w.lines += [machine_line(m, p["pages"]),
                    "at boot: " + "; ".join(free_list_lines(boot)) + "; pcp lists empty"]
        made = 0
        for i, (op, events) in enumerate(zip(run.ops, run.events), 1):
            if op[0] == "alloc":
                head = "op %d: a%d = alloc_pages(%s, 0) -> " % (i, made, MASKS[op[2]][0])
                refill = [pfn for e in events if e.name == "pcp_refill" for pfn in e["pfns"]]
                w.lines.append([head, w.ask("pfn_op%d" % i, pfn_or_null(), result_pfn(events),
                                            PFN_RULE),
                                "; refilled first with ",
                                w.ask("refill_op%d" % i, pfn_list("list of pfns rmqueue_bulk() "
                                                                  "adds, in order ([] if none)"),
                                      refill, REFILL_RULE)])
                made += 1
            else:
                drained = [e["pfn"] for e in events if e.name == "mm_page_pcpu_drain"]
                w.lines.append([run.free_line(i, op) + "; drains ",
                                w.ask("drain_op%d" % i, pfn_list("list of pfns that leave the pcp "
                                                                 "lists, in order ([] if none)"),
                                      drained, DRAIN_RULE)])
            w.steps.append(run.given_lines(i - 1)[0])
            w.steps.extend("    " + explain_event(e) for e in events if e.name in EXPLAINED)
        w.hints = ["count, high %d and batch %d: keep a tally of this CPU's pcp count; pages on "
                   "the pcp lists are free but not on the buddy lists." % (pcp.high, pcp.batch),
                   PFN_RULE + "; " + REFILL_RULE + ".",
                   "A refill takes its pages from the buddy lists the usual way: "
                   "__rmqueue_smallest() and expand(), lower half kept, one block at a time.",
                   DRAIN_RULE + ".",
                   "Each list has its own migratetype: an Unmovable request never takes a page "
                   "from the Movable pcp list, and a freed page goes to the list of its "
                   "pageblock's type (stored in page->index at free time)."]
        return w
