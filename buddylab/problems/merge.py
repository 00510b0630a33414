"""merge: what one free coalesces into, and whether it goes to the head or the tail.

Kernel: __free_one_page(), __find_buddy_pfn(), page_is_buddy() in
mm/page_alloc.c (v4.18); the model runs them.

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

from ..errors import BuddyLabError
from ..trace import explain as explain_event
from ._base import Problem, Param, Worked, pfn_list, count, choice
from ._ops import OPS_HELP, parse_ops, fmt_ops, teaching_machine, machine_line, free_list_lines, \
    OpRun
from .split import SIZE_PARAMS, validate_sizes, EXPLAINED

__all__ = ["MergeProblem"]

BUDDY_RULE = ("__free_one_page(): the buddy of the block at pfn p, order o is p ^ (1 << o) "
              "(__find_buddy_pfn()); the two merge while that buddy is free, whole and of the same "
              "order (page_is_buddy()), and the merged block starts at the lower pfn")
PLACE_RULE = ("__free_one_page() puts the final block at the TAIL of its list when its order is "
              "below MAX_ORDER - 2 and the buddy of the block one order up is itself a free block "
              "of that order (it may merge soon); otherwise at the HEAD")


class MergeProblem(Problem):
    """Given allocations and frees, predict what the last free coalesces into."""

    kind = "merge"
    KERNELS = ("classic",)
    KERNEL_WHY = ("its question is v4.18's free path (an order-0 free drained at once from a pcp list of high 0); v6.18 keeps order 0..3 frees on auto-tuned pcp lists")
    description = "what a free coalesces into (buddies, block, order), head or tail"
    PARAMS = SIZE_PARAMS + (
        Param("nr_ops", 6, 1, 200, flag="-n", drawn=True,
              help="number of random operations before the free"),
        Param("ops", None, flag="-A", kind=str, help=OPS_HELP + "; the last must be a free"),
    )
    OPS_HELP = OPS_HELP

    def _validate(self):
        validate_sizes(self.params)
        if self.params["ops"] is not None:
            if parse_ops(self.params["ops"])[-1][0] != "free":
                raise BuddyLabError("problem merge: the last operation of -A must be a free (-I)")
            self._worked()

    def _run(self):
        p = self.params
        m = teaching_machine(p["pages"], p["max_order"], p["pageblock_order"])
        boot = m.zone_snapshot(0, "Normal")
        run = OpRun(m)
        if p["ops"] is not None:
            return m, boot, run, run.run_all(parse_ops(p["ops"]))
        rng = self.rng()
        run.random_ops(rng, p["nr_ops"], p["max_order"])
        if not run.live():
            run.run(("alloc", int(rng.random() * min(3, p["max_order"])), "m"))
        live = run.live()
        return m, boot, run, run.run_all([("free", live[int(rng.random() * len(live))])])

    def _work(self):
        p = self.params
        m, boot, run, before = self._run()
        run.finish()
        last = len(run.ops)
        events = run.events[-1]
        merges = [e for e in events if e.name == "merge"]
        (place,) = [e for e in events if e.name == "place"]
        w = Worked()
        w.lines += [machine_line(m, p["pages"]), "at boot: " + "; ".join(free_list_lines(boot))]
        w.lines += run.given_lines()[:-1]
        w.lines.append("free lists now (head -> tail):")
        w.lines += ["  " + ln for ln in free_list_lines(before)] or ["  (none)"]
        w.lines.append(run.free_line(last, run.ops[-1]))
        freed_pfn, freed_order = [(e["pfn"], e["order"]) for e in events
                                  if e.name == "mm_page_free"][0]

        def first_buddy(got):
            """The first buddy answered is not freed_pfn ^ (1 << freed_order): say so."""
            if got and got[0] != freed_pfn ^ (1 << freed_order):
                return ("pfn %d is not the buddy of pfn %d at order %d (__find_buddy_pfn(): "
                        "pfn ^ (1 << order))" % (got[0], freed_pfn, freed_order))
            return None
        w.lines.append(["  it merges with the buddies (in order): ",
                        w.ask("buddies", pfn_list("list of buddy pfns, in the order they merge "
                                                  "([] if none)"),
                              [e["buddy_pfn"] for e in merges], BUDDY_RULE, first_buddy)])
        w.lines.append(["  it ends as a free block at pfn ",
                        w.ask("pfn", count("pfn"), place["pfn"], BUDDY_RULE),
                        " of order ", w.ask("order", count("order"), place["order"],
                                            BUDDY_RULE + "; each merge adds one to the order")])
        w.lines.append(["  placed at the ",
                        w.ask("position", choice("head", "tail"), place["position"], PLACE_RULE),
                        " of its free list"])
        w.steps = run.given_lines() + ["    " + explain_event(e) for e in events
                                       if e.name in EXPLAINED]
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
