"""merge: what one free coalesces into, and whether it goes to the head or the tail.

Kernel: __free_one_page(), __find_buddy_pfn(), page_is_buddy() in
mm/page_alloc.c (v4.18); with ``--kernel modern`` __free_frozen_pages(),
free_one_page(), split_large_buddy(), __free_one_page(),
migratetype_is_mergeable() and buddy_merge_likely() in mm/page_alloc.c
(v6.18); the model runs them.

v6.18 keeps frees of orders 0..3 (and of the THP order) on the pcp lists
(pcp_allowed_order()), so on the modern kernel the last free is of a larger
order, which goes straight to the buddy lists, on a larger default machine
(SIZES); the question adds the pageblocks the merge re-types.

The operations before the last are given, answered; the last one frees an
allocation, and the question is which buddies it merges with, the block it
ends as, and where on its free list that block goes.

Worked by hand: +1 splits 56 (60 -> order 2, 58 -> order 1) and gets 56; +1
gets 58; freeing 56 finds its buddy 58 allocated, so no merge; its parent's
buddy (60, order 2) is free, so it goes to the TAIL.

>>> from buddylab.problems import problem
>>> p = problem("merge", ops="+1,+1,-0")
>>> print(p.text().split("\\n", 5)[-1])
free lists now (head -> tail):
  free_area[2] Movable [60]
  free_area[3] Movable [48, 40, 32, 24, 16, 8, 0]
op 3: __free_pages(a0, 1)
  it merges with the buddies (in order): ?
  it ends as a free block at pfn ? of order ?
  placed at the ? of its free list
>>> p.check({"buddies": [], "pfn": 56, "order": 1, "position": "head"}).score
0.75
"""

from .. import mmzone as mz
from ..errors import BuddyLabError
from ..kernels.v6_18.mmzone import pcp_allowed_order
from ..trace import explain as explain_event
from ._base import Problem, Param, Worked, pfn_list, count, choice
from ._ops import OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line, free_list_lines, \
    OpRun, pcp_list_lines
from .split import validate_sizes, EXPLAINED

__all__ = ["MergeProblem"]

BUDDY_RULE = ("__free_one_page(): the buddy of the block at pfn p, order o is p ^ (1 << o) "
              "(__find_buddy_pfn()); the two merge while that buddy is free, whole and of the same "
              "order (page_is_buddy()), and the merged block starts at the lower pfn")
PLACE_RULE = ("__free_one_page() puts the final block at the TAIL of its list when its order is "
              "below MAX_ORDER - 2 and the buddy of the block one order up is itself a free block "
              "of that order (it may merge soon); otherwise at the HEAD")
# v6.18 (mm/page_alloc.c, __free_frozen_pages(), free_one_page(), split_large_buddy(),
# __free_one_page(), buddy_merge_likely(), v6.18)
BUDDY_RULE_618 = (
    BUDDY_RULE + "; from pageblock_order up, a buddy in a pageblock of another type merges only "
    "when both types are Unmovable, Movable or Reclaimable (migratetype_is_mergeable(); "
    "HighAtomic, CMA and Isolate never), up to MAX_PAGE_ORDER; a block larger than a "
    "pageblock is freed pageblock by pageblock (split_large_buddy(): ascending, each piece "
    "with its own pageblock's type), and the pieces merge again")
PLACE_RULE_618 = (
    "__free_one_page() puts the final block at the TAIL of its list when buddy_merge_likely(): "
    "its order is below MAX_PAGE_ORDER - 1 and the buddy of the block one order up is itself "
    "a free block of that order; otherwise at the HEAD (FPI_TO_TAIL, boot's flag, is not set "
    "on this free)")
RETYPE_RULE_618 = (
    "__free_one_page() re-types the buddy's pageblock (set_pageblock_migratetype() on the "
    "buddy's first pageblock) to the freed block's type when it merges a buddy of another "
    "mergeable type at pageblock_order or above; nothing else changes type")
#: --pages, --max-order, --pageblock-order by kernel: v6.18 needs orders above
#: PAGE_ALLOC_COSTLY_ORDER (3), the first that __free_frozen_pages() frees straight to the buddy
SIZES = {"classic": (64, 4, 2), "modern": (256, 7, 5)}
#: which frees stay on a pcp list and never reach __free_one_page() at once: none on v4.18's
#: teaching machine (pcp high 0: an order-0 free drains at once), pcp_allowed_order() on v6.18
#: (__free_frozen_pages(), mm/page_alloc.c, v6.18)
STAYS_ON_PCP = {"classic": lambda order: False, "modern": pcp_allowed_order}
#: does __free_one_page() re-type a mergeable buddy's pageblock?  v6.18 yes, v4.18 never
RETYPES_BUDDY = {"classic": False, "modern": True}


class MergeProblem(Problem):
    """Given allocations and frees, predict what the last free coalesces into."""

    kind = "merge"
    description = "what a free coalesces into (buddies, block, order), head or tail"
    PARAMS = (Param("pages", None, 8, 4096, help="pages in the one Normal zone (default 64; "
                                                 "modern 256)"),
              Param("max_order", None, 2, 11, help="MAX_ORDER (orders 0..MAX_ORDER-1; default 4, "
                                                   "modern 7)"),
              Param("pageblock_order", None, 1, 10,
                    help="pageblock_order (1..MAX_ORDER-1; default 2, modern 5)")) + (
        Param("nr_ops", 6, 1, 200, flag="-n", drawn=True,
              help="number of random operations before the free"),
        Param("ops", None, flag="-A", kind=str, help=OPS_HELP + "; the last must be a free"),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        p = self.params
        for name, default in zip(("pages", "max_order", "pageblock_order"), SIZES[self.kernel]):
            if p[name] is None:
                p[name] = default
        stays = STAYS_ON_PCP[self.kernel]
        if all(stays(o) for o in range(p["max_order"] or 0)):
            raise BuddyLabError("problem merge on the modern kernel needs --max-order %d or more: "
                                "v6.18 keeps frees of orders 0..%d on the pcp lists, so only a "
                                "larger order reaches __free_one_page() at once"
                                % (mz.PAGE_ALLOC_COSTLY_ORDER + 2, mz.PAGE_ALLOC_COSTLY_ORDER))
        validate_sizes(p)
        if p["ops"] is not None:
            if parse_ops(p["ops"])[-1][0] != "free":
                raise BuddyLabError("problem merge: the last operation of -A must be a free (-I)")
            run = self._run()[2]
            if stays(run.made[run.ops[-1][1]][1]):
                raise BuddyLabError("problem merge: the last free of -A goes to a pcp list on the "
                                    "modern kernel (orders 0..%d and the THP order, "
                                    "pcp_allowed_order()); free a larger order"
                                    % mz.PAGE_ALLOC_COSTLY_ORDER)

    def _run(self):
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"], kernel=self.kernel)
        boot = m.zone_snapshot(0, "Normal")
        run = OpRun(m)
        if p["ops"] is not None:
            return m, boot, run, run.run_all(parse_ops(p["ops"]))
        rng = self.rng()
        if RETYPES_BUDDY[self.kernel]:          # v6.18's draw (and its larger machine)
            return m, boot, run, run.run_all([("free", self._modern_ops(rng, run))])
        run.random_ops(rng, p["nr_ops"], p["max_order"])
        if not run.live():
            run.run(("alloc", int(rng.random() * min(3, p["max_order"])), "m"))
        live = run.live()
        return m, boot, run, run.run_all([("free", live[int(rng.random() * len(live))])])

    def _modern_ops(self, rng, run):
        """v6.18's draw: nr_ops allocations of any order (a quarter Unmovable) and frees, then
        the index of a held allocation that __free_frozen_pages() frees straight to the buddy
        (not pcp_allowed_order(): above PAGE_ALLOC_COSTLY_ORDER, not the THP order), of at
        most pageblock_order when it can (split_large_buddy() then frees it in one piece)."""
        p = self.params
        for _ in range(p["nr_ops"]):
            live = run.live()
            if live and rng.random() < 0.4:
                run.run(("free", live[int(rng.random() * len(live))]))
            else:
                run.run(("alloc", int(rng.random() * p["max_order"]),
                         "u" if rng.random() < 0.5 else "m"))
        big = [o for o in range(p["max_order"]) if not STAYS_ON_PCP[self.kernel](o)]
        big = [o for o in big if o <= p["pageblock_order"]] or big     # one piece if it can
        while True:
            cands = [i for i in run.live() if run.made[i][1] in big]
            if cands:
                return cands[int(rng.random() * len(cands))]
            run.run(("alloc", big[int(rng.random() * len(big))], "m"))
            if run.made[-1][0] is None:             # no room: give back the oldest allocation
                run.run(("free", run.live()[0]))

    def _work(self):
        p = self.params
        m, boot, run, before = self._run()
        end = run.finish()
        last = len(run.ops)
        events = run.events[-1]
        merges = [e for e in events if e.name == "merge"]
        place = [e for e in events if e.name == "place"][-1]
        modern = RETYPES_BUDDY[self.kernel]
        w = Worked()
        w.lines += [machine_line(m, p["pages"]), "at boot: " + "; ".join(free_list_lines(boot))]
        w.lines += run.given_lines()[:-1]
        w.lines.append("free lists now (head -> tail):")
        w.lines += ["  " + ln for ln in free_list_lines(before)] or ["  (none)"]
        if modern:
            w.lines += ["  " + ln for ln in pcp_list_lines(m, before)] or ["  pcp lists empty"]
            w.lines.append("pageblocks now: " + ", ".join(
                "%d %s" % (pfn, mz.MIGRATETYPE_NAMES[mt]) for pfn, mt in before.pageblock_mt))
        w.lines.append(run.free_line(last, run.ops[-1]))
        freed_pfn, freed_order = [(e["pfn"], e["order"]) for e in events
                                  if e.name == "mm_page_free"][0]
        # v6.18 frees a block above pageblock_order in pieces (split_large_buddy()): the first
        # piece is the one whose buddy comes first
        first_order = min(freed_order, m.pageblock_order) if modern else freed_order
        buddy_rule, place_rule = (BUDDY_RULE_618, PLACE_RULE_618) if modern \
            else (BUDDY_RULE, PLACE_RULE)

        def first_buddy(got):
            """The first buddy answered is not the first piece's buddy, pfn ^ (1 << order)."""
            if got and first_order == freed_order and got[0] != freed_pfn ^ (1 << freed_order):
                return ("pfn %d is not the buddy of pfn %d at order %d (__find_buddy_pfn(): "
                        "pfn ^ (1 << order))" % (got[0], freed_pfn, freed_order))
            return None
        w.lines.append(["  it merges with the buddies (in order): ",
                        w.ask("buddies", pfn_list("list of buddy pfns, in the order they merge "
                                                  "([] if none)"),
                              [e["buddy_pfn"] for e in merges], buddy_rule, first_buddy)])
        w.lines.append(["  it ends as a free block at pfn ",
                        w.ask("pfn", count("pfn"), place["pfn"], buddy_rule),
                        " of order ", w.ask("order", count("order"), place["order"],
                                            buddy_rule + "; each merge adds one to the order")])
        w.lines.append(["  placed at the ",
                        w.ask("position", choice("head", "tail"), place["position"], place_rule),
                        " of its free list"])
        if modern:
            was = dict(before.pageblock_mt)
            retyped = [pfn for pfn, mt in end.pageblock_mt if was[pfn] != mt]
            w.lines.append(["  pageblocks that change type: ",
                            w.ask("retyped", pfn_list("list of pageblock start pfns, ascending "
                                                      "([] if none)"), retyped,
                                  RETYPE_RULE_618)])
        w.steps = run.given_lines() + ["    " + explain_event(e) for e in events
                                       if e.name in EXPLAINED]
        if modern:
            w.steps += ["    __free_one_page(): the merged buddy's pageblock %d takes type %s "
                        "(set_pageblock_migratetype())" % (pfn, mz.MIGRATETYPE_NAMES[mt])
                        for pfn, mt in end.pageblock_mt if pfn in retyped]
            w.hints = ["The freed block starts at its allocation's pfn with its allocation's "
                       "order; above PAGE_ALLOC_COSTLY_ORDER (and not the THP order) "
                       "__free_frozen_pages() sends it straight to the buddy lists "
                       "(__free_pages_ok(), free_one_page())"
                       + (", in pageblock pieces (split_large_buddy())"
                          if freed_order > m.pageblock_order else "") + "; pages on the pcp "
                       "lists are not free buddies.",
                       "Its buddy at order o is pfn ^ (1 << o): look it up in the free lists now; "
                       "it merges only if the buddy is free as a whole block of exactly order o.",
                       "From pageblock_order up, compare the two pageblocks' types: different "
                       "mergeable types merge and the buddy's pageblock takes the freed block's "
                       "type; HighAtomic, CMA or Isolate on either side stops the merge.",
                       "After a merge the block starts at the lower of the two pfns and has order "
                       "o + 1; repeat with the new buddy, up to MAX_PAGE_ORDER.",
                       place_rule + "."]
            return w
        order0 = run.made[run.ops[-1][1]][1] == 0
        w.hints = ["The freed block starts at its allocation's pfn with its allocation's order"
                   + (" (an order-0 page passes through the pcp list first; with high 0 it is "
                      "drained at once, free_pcppages_bulk())" if order0 else "") + ".",
                   "Its buddy at order o is pfn ^ (1 << o): look it up in the free lists now; it "
                   "merges only if the buddy is free as a whole block of exactly order o.",
                   "After a merge the block starts at the lower of the two pfns and has order "
                   "o + 1; "
                   "repeat with the new buddy.",
                   PLACE_RULE + "."]
        return w
