"""split: which pfn each allocation returns, and what the free lists hold after.

Kernel: __rmqueue_smallest(), expand(), __free_one_page(), rmqueue_pcplist(),
__rmqueue_fallback() in mm/page_alloc.c (v4.18); the model runs them.

``python -m buddylab problem split --seed 3`` prints a sequence of operations
with ``?`` where the answers go (the pfn each allocation returns, the free
lists at the end); add ``-c`` to fill them in.  ``-A "+2,+0m,-0"`` replaces
the random list (see buddylab.problems._ops).  The first line echoes every
parameter, so a pasted transcript can be rerun.

>>> print(problem(ops="+0,+1,-0").text(solved=True))  # doctest: +NORMALIZE_WHITESPACE
python -m buddylab problem split --pages 64 --max-order 4 --pageblock-order 2 -A "+0m,+1m,-0" -c
machine: one Normal zone of 64 pages, orders 0..3, pageblocks of 4 pages, 1 CPU, min_free_kbytes 0
at boot: free_area[3] Movable [56, 48, 40, 32, 24, 16, 8, 0]
op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 56
op 2: a1 = alloc_pages(GFP_HIGHUSER_MOVABLE, 1) -> pfn 58
op 3: __free_pages(a0, 0)
free lists at the end (head -> tail):
  free_area[1] Movable [56]
  free_area[2] Movable [60]
  free_area[3] Movable [48, 40, 32, 24, 16, 8, 0]
"""

from .. import mmzone as mz
from ..errors import BuddyLabError
from ..trace import explain as explain_event
from ._base import Problem, Param, ShownIfAny, pfn_or_null, pfn_list
from ._ops import (MASKS, TYPE_OF, OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line,
                   free_list_lines, OpRun, result_pfn, migratetype_of)

__all__ = ["SplitProblem", "problem"]

def size_params(pages=64, max_order=4, pageblock_order=2):
    """The --pages, --max-order and --pageblock-order parameters, with these defaults."""
    return (Param("pages", pages, 8, 4096, help="pages in the one Normal zone"),
            Param("max_order", max_order, 2, 11, help="MAX_ORDER (orders 0..MAX_ORDER-1)"),
            Param("pageblock_order", pageblock_order, 1, 10,
                  help="pageblock_order (1..MAX_ORDER-1)"))


SIZE_PARAMS = size_params()

# v4.18 fires "fallback", v6.18 "claim" and "steal" (kernels/*/events.py)
EXPLAINED = ("rmqueue", "split", "merge", "place", "pcp_refill", "pcp_alloc", "pcp_free",
             "pcp_drain", "fallback", "claim", "steal")


def validate_sizes(params):
    """Cross checks of pages, max_order and pageblock_order (one clear line each)."""
    if params["pageblock_order"] > params["max_order"] - 1:
        raise BuddyLabError("--pageblock-order must be at most --max-order - 1 (%d), got %d"
                            % (params["max_order"] - 1, params["pageblock_order"]))
    nr = 1 << params["pageblock_order"]
    if params["pages"] % nr:
        raise BuddyLabError("--pages must be a multiple of the pageblock size (%d pages), got %d"
                            % (nr, params["pages"]))


# The rules each kernel's text names, by profile (Machine.kernel.name).  v4.18: only order 0
# uses the pcp lists and __rmqueue_fallback() raids another type; v6.18: orders 0..3 use them
# (pcp_allowed_order()), __rmqueue_claim() then __rmqueue_steal() (mm/page_alloc.c, v6.18).
PCP_RULE = {
    "classic": ("order 0 passes through this CPU's pcp list (batch 1: rmqueue_bulk() moves one "
                "page from __rmqueue(), rmqueue_pcplist() takes the head); "),
    "modern": ("orders 0..3 pass through this CPU's pcp list of that order and type "
               "(rmqueue_pcplist(): an empty list is refilled by rmqueue_bulk() with "
               "nr_pcp_alloc() blocks from __rmqueue(), each at the tail; the request takes the "
               "head); "),
}
FALLBACK_RULE = {
    "classic": ("; when free_list[%(mt)s] has no such block, __rmqueue_fallback() raids the "
                "fallbacks[%(mt)s] lists, LARGEST order first"),
    "modern": ("; when free_list[%(mt)s] has no such block, __rmqueue_claim() tries to claim a "
               "block of the fallbacks[%(mt)s] lists, LARGEST order first (try_to_claim_block() "
               "moves its pageblock's free pages to the TAIL of free_list[%(mt)s]), and else "
               "__rmqueue_steal() takes the SMALLEST such block without re-typing it"),
}


def alloc_rule(op, events, mt, kernel="classic"):
    """The rule that decides an allocation's pfn, from what the model did (no pfn in it)."""
    order = op[1]
    mt = mz.MIGRATETYPE_NAMES[mt]
    rule = ("__rmqueue_smallest() takes the HEAD of free_list[%s] of the smallest order >= %d "
            "that is not empty; a larger block is split by expand(), which keeps the LOWER half "
            "and puts each upper half at the head of the list one order down" % (mt, order))
    if any(e.name.startswith("pcp_") for e in events):
        rule = PCP_RULE[kernel] + rule
    if any(e.name in ("fallback", "claim", "steal") for e in events):
        rule += FALLBACK_RULE[kernel] % dict(mt=mt)
    return rule


def alloc_advice(op, snap):
    """What is wrong with a given pfn for this allocation, judged on the zone before it."""
    order = op[1]
    blocks = {pfn: (o, mt) for pfn, o, mt in snap.free_blocks()}
    heads = sorted(blocks)

    def advice(got):
        if got is None:
            return "the request does not fail here"
        if got % (1 << order):
            return "pfn %d is not a multiple of %d, so no order-%d block starts there" % (
                got, 1 << order, order)
        for pfn in heads:
            o, _ = blocks[pfn]
            if pfn <= got < pfn + (1 << o):
                if pfn != got:
                    return ("pfn %d lies inside a larger free block at this point; which half "
                            "does expand() keep?" % got)
                if o < order:
                    return "pfn %d heads a free block smaller than order %d" % (got, order)
                return ("pfn %d heads a free block, but not the one the kernel takes: is it the "
                        "head of the smallest non-empty list?" % got)
        return "pfn %d is not free at this point" % got
    return advice


def list_advice(order, mt, snap):
    """What is wrong with a given final list, judged on the zone at the end."""
    blocks = {pfn: (o, t) for pfn, o, t in snap.free_blocks()}

    def advice(got):
        for pfn in got:
            if pfn not in blocks:
                return "pfn %d is not the head of a free buddy block at the end" % pfn
            if blocks[pfn][0] != order:
                return ("pfn %d heads a free block at the end, but not of order %d (did it merge, "
                        "or was it split?)" % (pfn, order))
        return None
    return advice


LIST_RULE = ("a block reaches a list from expand() (upper halves, at the head), from "
             "__free_one_page() (merged while the buddy pfn ^ (1 << order) is free and of the same "
             "order; then at the head, or at the TAIL when the buddy one order up is free too), "
             "or from a fallback's move_freepages_block(); allocations take the head")
# v6.18: boot frees with FPI_TO_TAIL, a claim moves to the tail (__free_pages_core(),
# __free_one_page(), try_to_claim_block() -> move_to_free_list(), mm/page_alloc.c, v6.18)
LIST_RULES = {
    "classic": LIST_RULE,
    "modern": ("a block reaches a list from expand() (upper halves, at the head), from "
               "__free_one_page() (merged while the buddy pfn ^ (1 << order) is free and of the "
               "same order; then at the head, or at the TAIL when the buddy one order up is "
               "free too; boot frees every block at the TAIL, FPI_TO_TAIL), from a pcp drain "
               "(free_pcppages_bulk()), or from a claim's move of a whole pageblock (to the "
               "TAIL); allocations take the head"),
}


class SplitProblem(Problem):
    """Allocations and frees on a small zone: predict each pfn and the free lists after."""

    kind = "split"
    description = "which pfn each allocation returns, and the free lists at the end"
    PARAMS = SIZE_PARAMS + (
        Param("nr_ops", 8, 1, 200, flag="-n", drawn=True, help="number of random operations"),
        Param("types", "m", flag="--types", kind=str, drawn=True, echo_default=False,
              help="request types to draw from: m movable, u unmovable, r reclaimable"),
        Param("ops", None, flag="-A", kind=str, help=OPS_HELP),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        validate_sizes(self.params)
        t = self.params["types"]
        if not t or any(c not in MASKS for c in t) or len(set(t)) != len(t):
            raise BuddyLabError("--types takes letters out of m, u, r (each once), got %r" % t)
        if self.params["ops"] is not None:
            self._worked()                  # a free of something not held fails now, not later

    def _run(self):
        """Build the machine and run the operations (drawn now from the seed, or -A)."""
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"],
                             kernel=self.kernel)
        boot = m.zone_snapshot(0, "Normal")
        run = OpRun(m, keep_before=True)
        if p["ops"] is not None:
            for op in parse_ops(p["ops"]):
                run.run(op)
        else:
            run.random_ops(self.rng(), p["nr_ops"], p["max_order"], p["types"])
        return m, boot, run, run.finish()

    def _work(self):
        from ._base import Worked
        p = self.params
        m, boot, run, end = self._run()
        w = Worked()
        w.lines.append(machine_line(m, p["pages"]))
        w.lines.append("at boot: " + "; ".join(free_list_lines(boot)))
        w.steps.append("at boot: " + "; ".join(free_list_lines(boot)))
        in_play = sorted({mt for pfn, o, mt in boot.free_blocks()}
                         | {migratetype_of(m, o[2]) for o in run.ops if o[0] == "alloc"})
        made, first_split = 0, None
        for i, (op, events) in enumerate(zip(run.ops, run.events), 1):
            if op[0] == "alloc":
                name = MASKS[op[2]][0]
                pfn = result_pfn(events)
                key = "pfn_op%d" % i
                slot = w.ask(key, pfn_or_null(), pfn,
                             alloc_rule(op, events, migratetype_of(m, op[2]), self.kernel),
                             alloc_advice(op, run.before[i - 1]))
                head = "op %d: a%d = alloc_pages(%s, %d) -> " % (i, made, name, op[1])
                w.lines.append([head, slot])
                w.steps.append(head + ("NULL" if pfn is None else "pfn %d" % pfn))
                made += 1
                if first_split is None and any(e.name == "split" for e in events):
                    first_split = i
            else:
                line = run.free_line(i, op)
                w.lines.append(line)
                w.steps.append(line)
            w.steps.extend("    " + explain_event(e) for e in events if e.name in EXPLAINED)
        w.lines.append("free lists at the end (head -> tail):")
        w.steps.append("free lists at the end (head -> tail):")
        for order in range(m.max_order):
            for mt in in_play:
                key = "free_area[%d] %s" % (order, mz.MIGRATETYPE_NAMES[mt])
                slot = w.ask(key, pfn_list(), end.free_lists[order][mt],
                             "the list at the end: " + LIST_RULES[self.kernel],
                             list_advice(order, mt, end))
                w.lines.append(ShownIfAny(["  %s " % key, slot]))
        w.steps.extend("  " + ln for ln in free_list_lines(end))
        bad = [ln for ln in free_list_lines(end) if not any(
            ln.startswith("free_area[%d] %s " % (o, mz.MIGRATETYPE_NAMES[t]))
            for o in range(m.max_order) for t in in_play)]
        assert not bad, "a free list outside the types in play: %s" % bad
        w.hints = hints(first_split, any(o[0] == "alloc" and o[2] != "m" for o in run.ops),
                        self.kernel)
        return w


HINT_PCP = {
    "classic": ("order 0 passes through the per-cpu list: with high 0 and batch 1 one page comes "
                "in and goes out, and a freed order-0 page is drained straight back "
                "(count >= high)."),
    "modern": ("orders 0..3 pass through the per-cpu lists, one per order and type: an empty "
               "list is refilled with nr_pcp_alloc() blocks at its tail, a request takes the "
               "head, a freed block goes to the head, and once count reaches high (auto-tuned "
               "between high_min and high_max) free_pcppages_bulk() returns blocks to the buddy "
               "lists."),
}
HINT_BOOT = {
    "classic": ".",
    "modern": ("; boot frees every block at the TAIL (FPI_TO_TAIL), so each list starts in "
               "ascending pfn order."),
}
HINT_FALLBACK = {
    "classic": ("__rmqueue_fallback(): an Unmovable or Reclaimable request whose own lists "
                "are empty takes the LARGEST block on a fallbacks[] type's lists and moves the "
                "free pages of that whole pageblock to its own lists (the pageblock changes "
                "type when at least half of it is free or alike)."),
    "modern": ("__rmqueue_claim(): an Unmovable or Reclaimable request whose own lists are "
               "empty looks at the fallbacks[] types' lists from the LARGEST order down; "
               "when the block is a pageblock or more, or at least half of its pageblock is "
               "free or alike, try_to_claim_block() re-types the pageblock and moves its "
               "free pages to the TAIL of the request's own lists; otherwise nothing moves "
               "and __rmqueue_steal() takes the SMALLEST such block, leaving the pageblock's "
               "type alone."),
}


def hints(first_split, fallback, kernel="classic"):
    """The stepwise hints of the allocate/free kinds (rules, no values), in `kernel`'s terms."""
    out = ["__rmqueue_smallest(): a request of order k takes the HEAD of free_list[its type] of "
           "the smallest order >= k that is not empty.",
           "expand(): a block bigger than asked is halved until it fits; the LOWER half is kept, "
           "each upper half goes to the HEAD of free_list one order down"
           + ("" if first_split is None else " (op %d is the first to need it)." % first_split),
           HINT_PCP[kernel],
           "__free_one_page(): a freed block merges with its buddy (pfn ^ (1 << order)) while "
           "that buddy is free, whole and of the same order; the result goes to the HEAD of its "
           "list, or to the TAIL when the buddy of the next order up is free too"
           + HINT_BOOT[kernel]]
    if fallback:
        out.append(HINT_FALLBACK[kernel])
    return out


def problem(seed=0, ops=None, nr_ops=8, pages=64, max_order=4, pageblock_order=2, types="m"):
    """A split problem (the same as buddylab.problem("split", ...))."""
    return SplitProblem(seed, ops=ops, nr_ops=nr_ops, pages=pages, max_order=max_order,
                        pageblock_order=pageblock_order, types=types)
