"""fallback: which list an unmovable or reclaimable request raids, steal or claim, and the pfn.

Kernel: __rmqueue_fallback(), find_suitable_fallback(), can_steal_fallback(),
steal_suitable_fallback(), move_freepages_block() and the fallbacks[] table
in mm/page_alloc.c (v4.18); the model runs them.

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
from ._ops import MASKS, TYPE_OF, OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line, \
    free_list_lines, OpRun, result_pfn
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


def memory_picture(snap):
    """The zone one character per page, one pageblock a line, with the pageblock's type.

    ``M``, ``U``, ``R``: a page of an allocation of that migratetype; ``.``: a
    free page (on a buddy list; this machine's pcp lists hold none).

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
    return ["  pfn %3d: %s  %s" % (pfn, "".join(page[pfn:pfn + nr]), mz.MIGRATETYPE_NAMES[mt])
            for pfn, mt in snap.pageblock_mt]


class FallbackProblem(Problem):
    """An Unmovable or Reclaimable request that must raid another type's lists."""

    kind = "fallback"
    KERNELS = ("classic",)
    KERNEL_WHY = ('it asks about __rmqueue_fallback(), which v6.18 replaced with __rmqueue_claim() and __rmqueue_steal() (mm/page_alloc.c)')
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
            if not any(e.name == "fallback" for e in self._run()[1].events[-1]):
                raise BuddyLabError("problem fallback: the last allocation of -A does not fall "
                                    "back (its own free lists serve it, or it fails)")

    def _attempt(self, rng, fill):
        """Fill the zone with small allocations (7% of the other unmovable type), free 10-45% at
        random, then ask for a small unmovable or reclaimable block."""
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"])
        run = OpRun(m)
        zone = m.zone(0, "Normal")
        final = "u" if rng.random() < 0.6 else "r"
        other = "r" if final == "u" else "u"
        while fill and zone.NR_FREE_PAGES > m.pageblock_nr_pages // 2:
            run.run(("alloc", int(rng.random() * 2), "m" if rng.random() < 0.93 else other))
        p_free = 0.1 + 0.35 * rng.random()
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
            run = OpRun(teaching_machine(p["pages"], p["max_order"], p["pageblock_order"]))
            return run.m, run, run.run_all(parse_ops(p["ops"]))
        rng = self.rng()
        for attempt in range(12):
            run, before = self._attempt(rng, attempt < 11)
            evs = run.events[-1]
            if [e.name for e in evs].count("fallback") == 1 and result_pfn(evs) is not None:
                return run.m, run, before
        raise AssertionError("no fallback on a fresh machine")   # pragma: no cover

    def _work(self):
        p = self.params
        m, run, before = self._run()
        run.finish()
        events = run.events[-1]
        (fb,) = [e for e in events if e.name == "fallback"]
        op = run.ops[-1]
        mtname = mz.MIGRATETYPE_NAMES[TYPE_OF[op[2]]]
        w = Worked()
        w.lines += [machine_line(m, p["pages"]),
                    "memory now, a page a character (M, U, R: allocated Movable, Unmovable, "
                    "Reclaimable; '.': free), a pageblock a line, with its type:"]
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
        w.steps = ["the operations that led here (the command replays them):"]
        w.steps += ["  " + ln for ln in run.given_lines()]
        w.steps += ["    " + explain_event(e) for e in events if e.name in EXPLAINED]
        w.hints = ["free_list[%s] has no block of order >= %d now, so __rmqueue() calls "
                   "__rmqueue_fallback()." % (mtname, op[1]),
                   ORDER_RULE + ".", TYPE_RULE + ".", STEAL_RULE + ".", PFN_RULE + "."]
        return w
