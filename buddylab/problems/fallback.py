"""fallback: which list an unmovable or reclaimable request raids, steal or claim, and the pfn.

Kernel: __rmqueue_fallback(), find_suitable_fallback(), can_steal_fallback(),
steal_suitable_fallback(), move_freepages_block() and the fallbacks[] table
in mm/page_alloc.c (v4.18); with ``--kernel modern`` __rmqueue() and its
rmqueue_mode, __rmqueue_claim(), try_to_claim_block(), __rmqueue_steal(),
find_suitable_fallback() and ALLOC_NOFRAGMENT (alloc_flags_nofragment()) in
mm/page_alloc.c (v6.18); the model runs them.

On v6.18 the question asks which claims try_to_claim_block() refuses, which
block the page comes from, claim or steal, and the pageblocks re-typed.  An
order 0..3 request goes through its pcp list, whose refill (rmqueue_bulk())
may take more than one block: the question follows the first, the one
returned (the seeded draw keeps only requests whose first block falls back).

The operations before the last are given, answered; the last one is a
GFP_KERNEL (Unmovable) or __GFP_RECLAIMABLE request whose own free lists have
no block big enough, so __rmqueue() falls back.

>>> from buddylab.problems import problem
>>> p = problem("fallback", ops="+0u")
>>> print(p.text().split("\\n", 11)[-1])
free lists now (head -> tail):
  free_area[3] Movable [56, 48, 40, 32, 24, 16, 8, 0]
op 1: a0 = alloc_pages(GFP_KERNEL, 0) -> ?
  __rmqueue_fallback() raids free_list[?] of order ?
  steal or claim: ? (claim: the pageblock changes type to Unmovable; steal: it keeps its type)

Worked by hand: no Unmovable block at all; the largest Movable block (order 3
at the head, 56) is at least pageblock_order, so its pageblock is claimed;
__rmqueue_smallest() then splits it on free_list[Unmovable]: pfn 56.

>>> p.check({"pfn": 56, "fallback_type": "Movable", "fallback_order": 3,
...          "steal_or_claim": "claim"}).correct
True
"""

from .. import mmzone as mz
from ..errors import BuddyLabError
from ..trace import explain as explain_event
from ._base import Problem, Param, Worked, pfn_or_null, count, choice
from ._base import pfn_list
from ._ops import MASKS, TYPE_OF, OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line, \
    free_list_lines, OpRun, result_pfn, pcp_blocks, pcp_list_lines
from .split import size_params, validate_sizes, EXPLAINED

__all__ = ["FallbackProblem"]

TYPE_RULE = ("find_suitable_fallback() tries the types of fallbacks[requester] in table order "
             "(Unmovable: Reclaimable, then Movable; Reclaimable: Unmovable, then Movable) at each "
             "order it looks at")
ORDER_RULE = ("__rmqueue_fallback() looks from the LARGEST order (MAX_ORDER - 1) DOWN to the "
              "request's order, to take a whole pageblock and keep the types apart")
STEAL_RULE = ("steal_suitable_fallback(): a block of pageblock_order or more re-types its "
              "pageblocks (claim); a smaller one moves every free page of its pageblock to the "
              "requester's lists (move_freepages_block()) and re-types the pageblock only when "
              "free + alike pages reach half of it (claim); otherwise the pageblock keeps its type "
              "(steal)")
PFN_RULE = ("after the fallback __rmqueue() runs __rmqueue_smallest() again on the requester's own "
            "lists: the HEAD of the smallest non-empty order >= the request's, split by expand() "
            "(lower half kept)")


# v6.18: __rmqueue() -> __rmqueue_claim() (try_to_claim_block()) then __rmqueue_steal();
# ALLOC_NOFRAGMENT on the fast path's first walk (mm/page_alloc.c, v6.18)
CLAIM_SEARCH_RULE = (
    "__rmqueue_claim() looks from MAX_PAGE_ORDER DOWN to the request's order (the fast path's "
    "first walk has ALLOC_NOFRAGMENT and stops at pageblock_order; with one zone, the walk "
    "without it follows); at each order it tries the HEAD block of the first fallbacks[] type "
    "that has one (Unmovable: Reclaimable, then Movable; Reclaimable: Unmovable, then "
    "Movable); try_to_claim_block() takes a block of pageblock_order or more whole, and "
    "refuses a smaller one unless the free pages of its pageblock plus the alike ones reach "
    "half a pageblock (alike: for an Unmovable or Reclaimable request in a Movable pageblock, "
    "the pages neither free nor movable in use, pcp pages included; in any other pageblock "
    "none); a refused claim moves nothing and the search goes on one order down")
SOURCE_RULE = (
    "the page comes from the block the first accepted claim took; when every claim was "
    "refused or none was possible, __rmqueue_steal() takes the head block of the first "
    "fallbacks[] type at the SMALLEST order >= the request's that has one")
CLAIM_RULE = (
    "claim: try_to_claim_block() accepted a block and re-typed its pageblock; steal: no claim "
    "was accepted and __rmqueue_steal() took a block, whose pageblock keeps its type")
RETYPE_RULE = (
    "an accepted claim re-types every pageblock a block of pageblock_order or more covers "
    "(change_pageblock_range()), or the one pageblock of a smaller block, whose free blocks "
    "all move to the TAIL of the requester's lists (__move_freepages_block(), "
    "move_to_free_list()); a steal re-types nothing")
PFN_RULE_618 = (
    "a block of pageblock_order or more is claimed whole and split by expand() onto the "
    "requester's lists (lower half kept); after a smaller claim __rmqueue_smallest() takes the "
    "HEAD of the requester's smallest non-empty list >= the request's order, where the moved "
    "blocks went at the TAIL in ascending pfn order; a stolen block is split by expand() on "
    "the fallback type's lists (lower half kept); for orders 0..3 rmqueue_bulk() refills the "
    "empty pcp list and the request gets its first block")


def memory_picture(snap, pcp=None):
    """The zone one character per page, one pageblock a line, with the pageblock's type.

    ``M``, ``U``, ``R``: a page of an allocation of that migratetype; ``.``: a
    free page on a buddy list; ``p``: a page on a pcp list, given as `pcp`, [(pfn, order)]
    (v4.18's lists on this machine hold none; v6.18 keeps orders 0..3 there).

    >>> from buddylab.problems._ops import teaching_machine
    >>> import buddylab as bl
    >>> m = teaching_machine(48, 4, 3)
    >>> _ = m.alloc_pages(bl.GFP_KERNEL, 1)
    >>> print("\\n".join(memory_picture(m.zone_snapshot(0, "Normal"))[-2:]))
      pfn  32: ........  Movable
      pfn  40: UU......  Unmovable
    """
    nr = 1 << snap.pageblock_order
    page = ["."] * (snap.start_pfn + snap.spanned_pages)
    for pfn, order, mt in snap.allocated:
        page[pfn:pfn + (1 << order)] = mz.MIGRATETYPE_NAMES[mt][0] * (1 << order)
    for pfn, order in pcp or ():
        page[pfn:pfn + (1 << order)] = "p" * (1 << order)
    return ["  pfn %3d: %s  %s" % (pfn, "".join(page[pfn:pfn + nr]), mz.MIGRATETYPE_NAMES[mt])
            for pfn, mt in snap.pageblock_mt]


#: the share of allocations the seeded setup frees: low + span * random() ** power
#: (v4.18 10-45%; v6.18 2-45%, most often few, so that dense pageblocks refuse claims)
P_FREE = {"classic": (0.1, 0.35, 1), "modern": (0.02, 0.43, 3)}
#: what else may serve the last request without a fallback (v6.18: its pcp list, orders 0..3)
PCP_TOO = {"classic": "", "modern": " or pcp list"}


class FallbackProblem(Problem):
    """An Unmovable or Reclaimable request that must raid another type's lists."""

    kind = "fallback"
    description = "which list a fallback raids, steal or claim, and the pfn returned"
    PARAMS = size_params(64, 4, 3) + (
        Param("ops", None, flag="-A", kind=str,
              help=OPS_HELP + "; the last must be a u or r allocation that falls back"),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        validate_sizes(self.params)
        need = (1 << self.params["pageblock_order"]) * mz.MIGRATE_TYPES
        if self.params["pages"] < need:
            raise BuddyLabError("problem fallback needs --pages of at least pageblock_nr_pages * "
                                "MIGRATE_TYPES (%d): below that the kernel disables grouping by "
                                "mobility and nothing falls back" % need)
        if self.params["ops"] is not None:
            last = parse_ops(self.params["ops"])[-1]
            if last[0] != "alloc" or last[2] == "m":
                raise BuddyLabError("problem fallback: the last operation of -A must be an "
                                    "unmovable or reclaimable allocation (+ORDERu or +ORDERr)")
            if not self._falls_back(self._run()[1].events[-1]):
                raise BuddyLabError("problem fallback: the last allocation of -A does not fall "
                                    "back (its own free lists%s serve it, or it fails)"
                                    % PCP_TOO[self.kernel])

    def _falls_back(self, events):
        """The last request got its page from another type's block: v4.18 one
        __rmqueue_fallback(); v6.18 the first claim or steal of the request (the first
        mm_page_alloc_extfrag) gave the pfn returned, not a later block of a pcp refill."""
        if result_pfn(events) is None:
            return False
        names = [e.name for e in events]
        if "fallback" in names:                                  # v4.18
            return names.count("fallback") == 1
        ext = [e for e in events if e.name == "mm_page_alloc_extfrag"]
        return bool(ext) and ext[0]["pfn"] == result_pfn(events)

    def _attempt(self, rng, fill):
        """Fill the zone with small allocations (7% of the other unmovable type), free 10-45% at
        random (on v6.18 2-45%, most often few: denser pageblocks refuse claims), then ask for a small
        unmovable or reclaimable block."""
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"], kernel=self.kernel)
        run = OpRun(m)
        zone = m.zone(0, "Normal")
        final = "u" if rng.random() < 0.6 else "r"
        other = "r" if final == "u" else "u"
        while fill and zone.NR_FREE_PAGES > m.pageblock_nr_pages // 2:
            run.run(("alloc", int(rng.random() * 2), "m" if rng.random() < 0.93 else other))
        low, span, power = P_FREE[self.kernel]
        p_free = low + span * rng.random() ** power
        for i in run.live():
            if rng.random() < p_free:
                run.run(("free", i))
        order = int(rng.random() * min(p["pageblock_order"], 3)) if fill else 0
        return run, run.run_all([("alloc", order, final)])

    def _run(self):
        """The machine and run; seeded draws retry until the last request falls back.

        The last attempt has no setup and asks for order 0, which always falls
        back on a freshly booted machine (every pageblock is Movable at boot).
        """
        p = self.params
        if p["ops"] is not None:
            run = OpRun(teaching_machine(p["pages"], p["max_order"], p["pageblock_order"],
                                         kernel=self.kernel))
            return run.m, run, run.run_all(parse_ops(p["ops"]))
        rng = self.rng()
        for attempt in range(12):
            run, before = self._attempt(rng, attempt < 11)
            if self._falls_back(run.events[-1]):
                return run.m, run, before
        raise AssertionError("no fallback on a fresh machine")   # pragma: no cover

    def _work(self):
        p = self.params
        m, run, before = self._run()
        run.finish()
        events = run.events[-1]
        op = run.ops[-1]
        mtname = mz.MIGRATETYPE_NAMES[TYPE_OF[op[2]]]
        w = Worked()
        w.lines.append(machine_line(m, p["pages"]))
        ASK[self.kernel](self, w, m, run, before, events, op, mtname)
        w.steps = ["the operations that led here (the command replays them):"]
        w.steps += ["  " + ln for ln in run.given_lines()]
        w.steps += ["    " + explain_event(e) for e in events if e.name in EXPLAINED]
        return w

    def _ask_classic(self, w, m, run, before, events, op, mtname):
        """v4.18: which list __rmqueue_fallback() raids, steal or claim, the pfn."""
        (fb,) = [e for e in events if e.name == "fallback"]
        w.lines.append("memory now, a page a character (M, U, R: allocated Movable, Unmovable, "
                       "Reclaimable; '.': free), a pageblock a line, with its type:")
        w.lines += memory_picture(before)
        w.lines.append("free lists now (head -> tail):")
        w.lines += ["  " + ln for ln in free_list_lines(before)]
        n = len(run.ops)
        w.lines.append(["op %d: a%d = alloc_pages(%s, %d) -> " % (
            n, len(run.made) - 1, MASKS[op[2]][0], op[1]),
            w.ask("pfn", pfn_or_null(), result_pfn(events), PFN_RULE)])
        w.lines.append(["  __rmqueue_fallback() raids free_list[",
                        w.ask("fallback_type", choice("Unmovable", "Movable", "Reclaimable"),
                              mz.MIGRATETYPE_NAMES[fb["fallback_migratetype"]], TYPE_RULE),
                        "] of order ",
                        w.ask("fallback_order", count("order"), fb["order"], ORDER_RULE)])
        w.lines.append(["  steal or claim: ",
                        w.ask("steal_or_claim", choice("steal", "claim"),
                              "claim" if fb["claimed"] else "steal", STEAL_RULE),
                        " (claim: the pageblock changes type to %s; steal: it keeps its type)"
                        % mtname])
        w.hints = ["free_list[%s] has no block of order >= %d now, so __rmqueue() calls "
                   "__rmqueue_fallback()." % (mtname, op[1]),
                   ORDER_RULE + ".", TYPE_RULE + ".", STEAL_RULE + ".", PFN_RULE + "."]

    def _ask_modern(self, w, m, run, before, events, op, mtname):
        """v6.18: the claims refused, the block the page comes from, claim or steal, the
        pageblocks re-typed and the pfn (__rmqueue_claim(), __rmqueue_steal())."""
        first = [e.name for e in events].index("mm_page_alloc_extfrag")
        tried = events[:first]                   # what the request's own __rmqueue() did
        refused = [e["pfn"] for e in tried if e.name == "claim" and not e["claimed"]]
        claims = [e for e in tried if e.name == "claim" and e["claimed"]]
        nr = m.pageblock_nr_pages
        retyped = [] if not claims else list(range(
            claims[0]["pageblock_pfn"], claims[0]["pageblock_pfn"] + claims[0]["nr_pageblocks"] * nr,
            nr))
        ext = events[first]
        w.lines.append("memory now, a page a character (M, U, R: allocated Movable, Unmovable, "
                       "Reclaimable; p: on a pcp list; '.': free on a buddy list), a pageblock "
                       "a line, with its type:")
        w.lines += memory_picture(before, pcp_blocks(m, before))
        w.lines.append("free lists now (head -> tail):")
        w.lines += ["  " + ln for ln in free_list_lines(before)]
        w.lines += ["  " + ln for ln in pcp_list_lines(m, before)] or ["  pcp lists empty"]
        n = len(run.ops)
        w.lines.append(["op %d: a%d = alloc_pages(%s, %d) -> " % (
            n, len(run.made) - 1, MASKS[op[2]][0], op[1]),
            w.ask("pfn", pfn_or_null(), result_pfn(events), PFN_RULE_618)])
        w.lines.append(["  try_to_claim_block() refuses the blocks at (in order): ",
                        w.ask("refused", pfn_list("list of pfns of the blocks whose claim is "
                                                  "refused, in order ([] if none)"),
                              refused, CLAIM_SEARCH_RULE)])
        w.lines.append(["  the page comes from a block on free_list[",
                        w.ask("fallback_type", choice("Unmovable", "Movable", "Reclaimable"),
                              mz.MIGRATETYPE_NAMES[ext["fallback_migratetype"]], SOURCE_RULE),
                        "] of order ",
                        w.ask("fallback_order", count("order"), ext["fallback_order"],
                              SOURCE_RULE)])
        w.lines.append(["  claim or steal: ",
                        w.ask("steal_or_claim", choice("steal", "claim"),
                              "claim" if claims else "steal", CLAIM_RULE),
                        " (claim: __rmqueue_claim(); steal: __rmqueue_steal())"])
        w.lines.append(["  pageblocks that change type to %s: " % mtname,
                        w.ask("retyped", pfn_list("list of pageblock start pfns, ascending "
                                                  "([] if none)"), retyped, RETYPE_RULE)])
        w.hints = ["free_list[%s] has no block of order >= %d now%s, so __rmqueue() goes on to "
                   "__rmqueue_claim(), then __rmqueue_steal()."
                   % (mtname, op[1], "" if op[1] > m.kernel.PAGE_ALLOC_COSTLY_ORDER else
                      " and its order-%d pcp list is empty" % op[1]),
                   CLAIM_SEARCH_RULE + ".", SOURCE_RULE + ".", RETYPE_RULE + ".",
                   PFN_RULE_618 + "."]


#: the question each kernel asks (v4.18: __rmqueue_fallback(); v6.18: claim, then steal)
ASK = {"classic": FallbackProblem._ask_classic, "modern": FallbackProblem._ask_modern}
