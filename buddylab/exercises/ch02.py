"""Chapter 02's exercises: splitting, merging and falling back on the hand-sized machine.

Kernel: __rmqueue_smallest(), expand(), __free_one_page(), __rmqueue_fallback(),
steal_suitable_fallback() in mm/page_alloc.c; __find_buddy_pfn() in mm/internal.h (v4.18).
"""

from ..machine import Machine
from ..gfp import GFP_HIGHUSER_MOVABLE, parse_gfp, gfpflags_to_migratetype
from ..mmzone import MIGRATETYPE_NAMES
from .core import (Exercise, Int, Choice, ListOf, ShapeError, _sequence, _type_name, block_misfit,
                   and_list)

HAND = {"nodes": [{"Normal": 64}], "cpus_per_node": 1, "max_order": 4, "pageblock_order": 2,
        "min_free_kbytes": 0}


def hand_machine():
    """The chapter's hand-sized machine: 64 pages, orders 0..3, pageblocks of 4 pages."""
    return Machine(**HAND)


def _calls(s):
    return [(parse_gfp(mask), order) for mask, order in s["calls"]]


def _alloc_pfns(s):
    m = hand_machine()
    return [m.alloc_pages(mask, order=order).pfn for mask, order in _calls(s)]


def _held(answer, s, upto):
    return [("request %d" % (j + 1), answer[j], s["calls"][j][1]) for j in range(upto)]


_SMALLEST = ("__rmqueue_smallest() takes the block at the HEAD of the first non-empty "
             "free_list[%s] from order %d up; expand() keeps the low half and puts each upper "
             "half at the head of the list one order down")


def _misfit_or(i, answer, s, rule):
    """What is wrong with the pfn written for request i on its face (misaligned, held by an
    earlier request), else `rule(migratetype name, order)`: the kernel rule at stake."""
    mask, order = s["calls"][i]
    misfit = block_misfit(answer[i], order, _held(answer, s, i))
    if misfit:
        return misfit + "."
    return rule(MIGRATETYPE_NAMES[_migratetype(mask)], order)


def _why_alloc(i, answer, s):
    return _misfit_or(i, answer, s, lambda mt, order: (
        "that block is not the one the kernel hands out: " + _SMALLEST % (mt, order)
        + ". Which block is at that head now?"))


def _migratetype(mask):
    return gfpflags_to_migratetype(parse_gfp(mask))


# 02.1: six Movable requests.
def _setup_01(orders):
    """The setup and question of 02.1 for six request orders (6 x 8 pages at most: all fit)."""
    return ({"calls": [("GFP_HIGHUSER_MOVABLE", o) for o in orders]},
            "On a fresh hand-sized machine, Movable requests of orders %s are made in this "
            "order. Which pfn does each return?" % ", ".join("%d" % o for o in orders))


SETUP_01, QUESTION_01 = _setup_01((1, 0, 2, 0, 3, 1))

EX_01 = Exercise(
    "02.1", "which pfn each request returns", QUESTION_01,
    SETUP_01, _alloc_pfns, ListOf(Int("pfn"), 6),
    vary=lambda rng: _setup_01([int(rng.random() * HAND["max_order"]) for _ in range(6)]),
    where=lambda i, s: "request %d (order %d)" % (i + 1, s["calls"][i][1]), why=_why_alloc,
    hints=["At boot, free_area[3] holds the eight order-3 blocks, the highest pfn at the head.",
           "expand() keeps the LOW half for the caller and puts the upper half at the head of the "
           "list one order down.",
           "The next request looks from its own order up and takes the first block it finds at "
           "the head of a list."])


# 02.2: what __free_one_page() does for pfn 56.
class FreeStep:
    """('merge', pfn, buddy_pfn, order) or ('place', pfn, order, 'head' | 'tail')."""

    _POSITION = Choice(("head", "tail"), what="position")

    def describe(self, plural=False):
        return ("steps ('merge', pfn, buddy_pfn, order) or ('place', pfn, order, 'head'/'tail')"
                if plural else "a step")

    def example(self):
        return "('merge', pfn, buddy_pfn, order)"

    def parse(self, value):
        items = _sequence(value)
        if len(items) != 4 or items[0] not in ("merge", "place"):
            raise ShapeError("%r, not a 4-tuple starting with 'merge' or 'place'" % (value,))
        ints = items[1:] if items[0] == "merge" else items[1:3]
        for v in ints:
            if isinstance(v, bool) or not isinstance(v, int):
                raise ShapeError("%r, whose numbers must be ints (not %s)" % (value, _type_name(v)))
        if items[0] == "place":
            return ("place", items[1], items[2], self._POSITION.parse(items[3]))
        return tuple(items)

    def render(self, value):
        return repr(value)


SETUP_02 = {"allocated": 8, "freed_first": (59, 57, 61, 58, 60), "freed": 56}


def _solve_02(s):
    m = hand_machine()
    for _ in range(s["allocated"]):
        m.alloc_pages(GFP_HIGHUSER_MOVABLE, order=0)
    for pfn in s["freed_first"]:
        m.free_pages(pfn, order=0)
    m.start_trace(kinds=["merge", "place"])
    m.free_pages(s["freed"], order=0)
    steps = []
    for e in m.stop_trace():
        if e.name == "merge":
            steps.append(("merge", e["pfn"], e["buddy_pfn"], e["order"]))
        else:
            steps.append(("place", e["pfn"], e["order"], e["position"]))
    return steps


def _why_02(i, answer, s):
    given = answer[i] if i < len(answer) else None
    if given is None:
        return ("__free_one_page() goes on merging while page_is_buddy() finds the buddy free "
                "at the same order, and ends with one place step.")
    if given[0] == "merge":
        _, pfn, buddy_pfn, order = given
        if not 0 <= order < HAND["max_order"]:
            return "orders on this machine run from 0 to %d." % (HAND["max_order"] - 1)
        if buddy_pfn != pfn ^ (1 << order):
            return ("the buddy of the order-%d block at pfn %d is pfn %d ^ (1 << %d) "
                    "(__find_buddy_pfn())." % (order, pfn, pfn, order))
        return ("page_is_buddy() must find that buddy free, on the buddy lists (not on a pcp "
                "list) and of exactly order %d at this point; after a merge the block starts at "
                "buddy_pfn & pfn and is one order higher. Is that buddy free at this order?"
                % order)
    return ("the merge loop stops at the first buddy that is not free at the current order; the "
            "block is then placed at the TAIL only if it is below MAX_ORDER - 2 and the buddy of "
            "the merged block one order up is free (the 'higher_buddy' test), else at the head.")


EX_02 = Exercise(
    "02.2", "the merges of one free",
    "Eight order-0 Movable pages are allocated on a fresh hand-sized machine (pfns 56 to 63), "
    "then pfns 59, 57, 61, 58 and 60 are freed, in that order. Now pfn 56 is freed. List what "
    "__free_one_page() does for it: each merge as ('merge', pfn, buddy_pfn, order), then the "
    "final ('place', pfn, order, 'head' or 'tail').",
    SETUP_02, _solve_02, ListOf(FreeStep()),
    where=lambda i, s: "step %d" % (i + 1), why=_why_02,
    hints=["First work out which of 56..63 are free, and as which blocks, before 56 is freed: "
           "the earlier frees merged too.",
           "The buddy of the block at pfn p of order k is p ^ (1 << k); a merge needs that buddy "
           "free and of the same order.",
           "After the last merge, look at the buddy of the merged block one order up: is it free?"])


# 02.3 and 02.4: requests of three types; fallbacks and claims.
SETUP_03 = {"calls": [("GFP_KERNEL", 0), ("GFP_KERNEL | __GFP_RECLAIMABLE", 1), ("GFP_KERNEL", 1),
                      ("GFP_HIGHUSER_MOVABLE", 2), ("GFP_KERNEL", 2)]}
TYPED_MASKS = ("GFP_KERNEL", "GFP_KERNEL | __GFP_RECLAIMABLE", "GFP_HIGHUSER_MOVABLE")


def _calls_text(s):
    return ", ".join("%s order %d" % call for call in s["calls"])


def _question_03(s):
    return ("On a fresh hand-sized machine: %s. Which pfn does each call return? (Remember that "
            "a claim re-types every pageblock of the block it takes.)" % _calls_text(s))


def _vary_calls(rng):
    """Five calls of the three types, orders 0..2 (20 pages at most: all fit); the first is
    Unmovable or Reclaimable, so that at least one falls back."""
    calls = []
    for i in range(5):
        mask = TYPED_MASKS[int(rng.random() * (2 if i == 0 else 3))]
        calls.append((mask, int(rng.random() * 3)))
    return {"calls": calls}


def _vary_03(rng):
    s = _vary_calls(rng)
    return s, _question_03(s)


def _vary_04(rng):
    s = _vary_calls(rng)
    return s, ("On a fresh hand-sized machine: %s (exercise 02.3 of the same seed). Give the "
               "migrate type of each of the 16 pageblocks afterwards, from pfn 0 up, as names "
               "('Movable', 'Unmovable', ...)." % _calls_text(s))

_FALLBACK = ("if free_list[%s] has no block of order %d or more, __rmqueue_fallback() searches "
             "the fallbacks[] types from the LARGEST order down, takes the head block, claims it "
             "(re-typing its pageblocks) when it is big enough (can_steal_fallback()), moves it to "
             "free_list[%s], and __rmqueue_smallest() then splits it as usual.")


def _why_03(i, answer, s):
    return _misfit_or(i, answer, s, lambda mt, order: (
        _SMALLEST % (mt, order) + "; " + _FALLBACK % (mt, order, mt)))


EX_03 = Exercise(
    "02.3", "fallback: which pfn each call returns", _question_03(SETUP_03),
    SETUP_03, _alloc_pfns, ListOf(Int("pfn"), 5), vary=_vary_03,
    where=lambda i, s: "call %d (%s, order %d)" % (i + 1, s["calls"][i][0], s["calls"][i][1]),
    why=_why_03,
    hints=["Every pageblock is Movable at boot, so the first Unmovable and Reclaimable requests "
           "must fall back.",
           "A fallback looks from the LARGEST order down and takes the head block of the first "
           "list it finds; an order-3 block is at least pageblock_order, so it is claimed whole.",
           "Once claimed, the block sits on its new type's list: the next request of that type "
           "finds it there without a fallback."])


def _solve_04(s):
    m = hand_machine()
    for mask, order in _calls(s):
        m.alloc_pages(mask, order=order)
    return [MIGRATETYPE_NAMES[mt] for _, mt in m.zone_snapshot(0, "Normal").pageblock_mt]


EX_04 = Exercise(
    "02.4", "pageblock types after the fallbacks",
    "After the five calls of exercise 02.3, give the migrate type of each of the 16 pageblocks, "
    "from pfn 0 up, as names ('Movable', 'Unmovable', ...).",
    SETUP_03, _solve_04, ListOf(Choice(MIGRATETYPE_NAMES[:3], what="type"), 16), vary=_vary_04,
    where=lambda i, s: "pageblock %d (pfns %d..%d)" % (i, 4 * i, 4 * i + 3),
    why=("a pageblock changes type only when a fallback claims it: steal_suitable_fallback() "
         "re-types every pageblock of a block of pageblock_order or more "
         "(change_pageblock_range()), and a smaller block's pageblock only when at least half of "
         "that pageblock is free or already of the new type; a steal, or an allocation from a "
         "list of its own type, changes nothing."),
    hints=["Only the calls that fell back in 02.3 can change a pageblock's type.",
           "A claimed order-3 block spans two pageblocks of 4 pages; both change type.",
           "Which block did each fallback take: the head of which list, at which order?"])

EXERCISES = [EX_01, EX_02, EX_03, EX_04]
