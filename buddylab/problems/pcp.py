"""pcp: when an order-0 request refills the per-cpu list, when a free drains it, which pages move.

Kernel: rmqueue_pcplist(), rmqueue_bulk(), free_unref_page(),
free_pcppages_bulk(), pageset_set_high() in mm/page_alloc.c (v4.18); with
``--kernel modern`` order_to_pindex(), rmqueue_pcplist(), nr_pcp_alloc(),
rmqueue_bulk(), __free_frozen_pages(), free_frozen_page_commit(),
nr_pcp_high(), nr_pcp_free(), free_pcppages_bulk() and zone_highsize() in
mm/page_alloc.c (v6.18); the model runs them.

On v6.18 the requests are of orders 0 and 1 (-A: 0..3), each order and type
with its own list, and ``--fraction`` is percpu_pagelist_high_fraction: 0 (the
default) auto-tunes high between high_min and high_max, another value fixes
both at pages / fraction.

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
    free_list_lines, OpRun, result_pfn, pcp_list_name
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
             "split", "fallback", "claim", "steal")
# v6.18 (mm/page_alloc.c, v6.18): order_to_pindex(), rmqueue_pcplist(), nr_pcp_alloc(),
# rmqueue_bulk(), free_frozen_page_commit(), nr_pcp_high(), nr_pcp_free(), free_pcppages_bulk()
PFN_RULE_618 = ("rmqueue_pcplist(): a block of order 0..3 comes from the HEAD of this CPU's pcp "
                "list of that order and migratetype (order_to_pindex(): 3 lists per order, 14 in "
                "all with the THP order's two); every allocation first halves free_count")
REFILL_RULE_618 = (
    "only when that list is empty, rmqueue_bulk() first takes nr_pcp_alloc() blocks with "
    "__rmqueue() (each the head of the smallest non-empty free list, split by expand()) and "
    "adds each at the TAIL; nr_pcp_alloc() clamps high into [high_min, high_max] and raises "
    "it by the batch it computes (up to high_max; not while the zone is below its high "
    "watermark); order 0 takes batch << alloc_factor pages, at most high - count - batch and "
    "at least batch, and alloc_factor grows by one when that many fitted (up to 5); a count "
    "above 1 becomes max(count >> order, 2) blocks")
DRAIN_RULE_618 = (
    "free_frozen_page_commit() halves alloc_factor, adds the block at the HEAD of the list of "
    "its order and its pageblock's type, and adds its pages to free_count (while that is "
    "below batch << 5); nr_pcp_high(): when count >= high, high rises to free_count + batch "
    "if that is more (up to high_max), for later frees (below the zone's high watermark it "
    "drops instead); an order 1..3 free right after another one, with "
    "free_count >= batch + high_min / 2, is a free_high run: high drops by batch << 5 (to "
    "high_min at least) and min(count, batch << 5) pages go; otherwise once count >= high "
    "nr_pcp_free() pages go, free_count clamped into [batch, high - batch]; "
    "free_pcppages_bulk() starts with the list just freed to and empties each list from its "
    "TAIL before the next pindex (order 0 Unmovable, Movable, Reclaimable, then order 1, "
    "..., wrapping round), whole blocks, until the count is reached")


#: --fraction's default: v4.18 percpu_pagelist_fraction 16 (lists that fill and drain within a
#: few operations); v6.18 percpu_pagelist_high_fraction 0 (the default: high auto-tuned)
FRACTION = {"classic": 16, "modern": 0}
#: the largest order an -A allocation may ask: v4.18 keeps order 0 on the pcp lists, v6.18
#: orders 0..PAGE_ALLOC_COSTLY_ORDER (and the THP order, which these machines lack)
PCP_ORDERS = {"classic": 0, "modern": 3}
#: the seeded draw's orders (0..n-1): v4.18 order 0; v6.18 orders 0 and 1, two lists per type
PCP_ORDERS_DRAWN = {"classic": 1, "modern": 2}


class PcpProblem(Problem):
    """Order-0 allocations and frees through one CPU's pcp lists."""

    kind = "pcp"
    description = "when a pcp refill or drain happens, and which pages move"
    PARAMS = size_params(128, 4, 2) + (
        Param("fraction", None, 0, 4096, flag="--fraction",
              help="percpu_pagelist_fraction: pcp high = pages / fraction, batch = high / 4 "
                   "(default 16); modern: percpu_pagelist_high_fraction, high_min = high_max "
                   "= pages / fraction (default 0: high auto-tuned)"),
        Param("nr_ops", 18, 1, 200, flag="-n", drawn=True, help="number of random operations"),
        Param("types", "mu", flag="--types", kind=str, drawn=True, echo_default=False,
              help="request types to draw from: m movable, u unmovable, r reclaimable"),
        Param("ops", None, flag="-A", kind=str,
              help=OPS_HELP + "; orders must be 0 (modern: 0..3)"),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        p = self.params
        validate_sizes(p)
        if p["fraction"] is None:
            p["fraction"] = FRACTION[self.kernel]
        zero_ok = FRACTION[self.kernel] == 0          # v6.18: 0 is the default, auto-tuning
        if not (zero_ok and p["fraction"] == 0) and p["fraction"] < 8:
            raise BuddyLabError("--fraction must be %sbetween 8 and 4096, got %d"
                                % ("0 or " if zero_ok else "", p["fraction"]))
        if p["fraction"] and p["pages"] // p["fraction"] < 4:
            raise BuddyLabError("problem pcp: --pages / --fraction (the pcp high mark) must be at "
                                "least 4, got %d" % (p["pages"] // p["fraction"]))
        if not p["types"] or any(c not in MASKS for c in p["types"]):
            raise BuddyLabError("--types takes letters out of m, u, r, got %r" % p["types"])
        if p["ops"] is not None:
            top = PCP_ORDERS[self.kernel]
            if any(op[0] == "alloc" and op[1] > top for op in parse_ops(p["ops"])):
                raise BuddyLabError("problem pcp: every allocation of -A is order 0 (+0, +0u, +0r)"
                                    if not top else "problem pcp: every allocation of -A is of "
                                    "order 0..%d on the modern kernel (the pcp orders below the "
                                    "THP order)" % top)
            self._worked()

    def _work(self):
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"], p["fraction"],
                             kernel=self.kernel)
        modern = m.kernel.pcp_high_decays         # v6.18: lists per order, high auto-tuned
        boot = m.zone_snapshot(0, "Normal")
        run = OpRun(m)
        if p["ops"] is not None:
            for op in parse_ops(p["ops"]):
                run.run(op)
        else:
            rng = self.rng()
            half = p["nr_ops"] // 2
            orders = PCP_ORDERS_DRAWN[self.kernel]
            run.random_ops(rng, p["nr_ops"] - half, p["max_order"], p["types"], 0.25,
                           orders=orders)
            run.random_ops(rng, half, p["max_order"], p["types"], 0.9, orders=orders)
        run.finish()
        pcp = boot.pcp[0]
        pfn_rule, refill_rule, drain_rule = ((PFN_RULE_618, REFILL_RULE_618, DRAIN_RULE_618)
                                             if modern else (PFN_RULE, REFILL_RULE, DRAIN_RULE))
        w = Worked()
        w.lines += [machine_line(m, p["pages"]),
                    "at boot: " + "; ".join(free_list_lines(boot)) + "; pcp lists empty"
                    + ("" if not modern else " (count 0, high %d: clamped into [high_min, "
                       "high_max] at first use; alloc_factor %d, free_count %d)"
                       % (pcp.high, pcp.alloc_factor, pcp.free_count))]
        made = 0
        for i, (op, events) in enumerate(zip(run.ops, run.events), 1):
            if op[0] == "alloc":
                head = "op %d: a%d = alloc_pages(%s, %d) -> " % (i, made, MASKS[op[2]][0], op[1])
                refill = [pfn for e in events if e.name == "pcp_refill" for pfn in e["pfns"]]
                w.lines.append([head, w.ask("pfn_op%d" % i, pfn_or_null(), result_pfn(events),
                                            pfn_rule),
                                "; refilled first with ",
                                w.ask("refill_op%d" % i, pfn_list("list of pfns rmqueue_bulk() "
                                                                  "adds, in order ([] if none)"),
                                      refill, refill_rule)])
                made += 1
            else:
                drained = [e["pfn"] for e in events if e.name == "mm_page_pcpu_drain"]
                w.lines.append([run.free_line(i, op) + "; drains ",
                                w.ask("drain_op%d" % i, pfn_list("list of pfns that leave the pcp "
                                                                 "lists, in order ([] if none)"),
                                      drained, drain_rule)])
            w.steps.append(run.given_lines(i - 1)[0])
            w.steps.extend("    " + explain_event(e) for e in events if e.name in EXPLAINED)
        if modern:
            below = any(e.name == "zonelist_step" and e["mark"] == "high" and not e["ok"]
                        for evs in run.events for e in evs)
            w.hints = ["Keep a tally of this CPU's count (pages), high, alloc_factor and "
                       "free_count; high starts at %d and is clamped into [%d, %d] at first use; "
                       "pages on the pcp lists are free but not on the buddy lists."
                       % (pcp.high, pcp.high_min, pcp.high_max)
                       + ("" if below else " The zone never falls below its high watermark "
                          "here (ZONE_BELOW_HIGH stays clear)."),
                       pfn_rule + "; " + refill_rule + ".",
                       "A refill takes its blocks from the buddy lists the usual way: "
                       "__rmqueue_smallest() and expand(), lower half kept, one block at a time.",
                       drain_rule + ".",
                       "Each list has its own order and migratetype (%s, ...): an Unmovable "
                       "request never takes a block from a Movable list, and a freed block goes "
                       "to the list of its order and its pageblock's type, read at free time "
                       "(get_pfnblock_migratetype())."
                       % ", ".join(pcp_list_name(m, i) for i in range(4))]
            return w
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
