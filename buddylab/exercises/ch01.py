"""Chapter 01's exercises: free lists, blocks and pageblocks.

Kernel: struct free_area and nr_free (include/linux/mmzone.h), __free_one_page(), expand(),
__rmqueue_fallback() (mm/page_alloc.c), pagetypeinfo_showblockcount_print() (mm/vmstat.c), v4.18.
"""

from ..machine import Machine
from ..gfp import GFP_KERNEL, GFP_HIGHUSER_MOVABLE, parse_gfp
from ..mmzone import MIGRATE_TYPES, MIGRATETYPE_NAMES
from .core import Exercise, Int, ListOf, Optional, TupleOf, block_misfit

# 01.1: allocate orders 0,1,2,3,0,5 with GFP_KERNEL on bl.Machine(), free the 2nd, 4th, 6th.
SETUP_01 = {"allocs": (0, 1, 2, 3, 0, 5), "free": (1, 3, 5)}


def _machine_01(s):
    big = Machine()
    pages = [big.alloc_pages(GFP_KERNEL, order=o) for o in s["allocs"]]
    for i in s["free"]:
        big.free_pages(pages[i], order=s["allocs"][i])
    return big


EX_01 = Exercise(
    "01.1", "free pages from buddyinfo",
    "How many pages are free on the buddy lists of the Normal zone of this machine "
    "(its buddyinfo line is printed below)?",
    SETUP_01, lambda s: _machine_01(s).zone_snapshot(0, "Normal").nr_free_pages, Int("pages", after=True),
    why=("that is not the number of free pages: each column of buddyinfo counts free BLOCKS of "
         "one order (free_area[order].nr_free), and a block of order k holds 2^k pages."),
    hints=["buddyinfo's numbers are blocks, not pages.",
           "Multiply each column's count by 2 to the power of its order (the first column is order 0).",
           "Add the eleven products: an order-10 block is 1024 pages."],
    show=lambda s: print(_machine_01(s).buddyinfo().splitlines()[1]))

# 01.2: the hand-sized machine after a small workload; which free block holds each pfn?
SETUP_02 = {"movable": (0, 0, 1, 2, 0), "kernel": (1,), "reclaimable": (0,), "free_movable": 1,
            "pfns": (2, 22, 35, 47, 51, 58)}


def _snapshot_02(s):
    m = Machine(nodes=[{"Normal": 64}], cpus_per_node=1, max_order=4, pageblock_order=2,
                min_free_kbytes=0)
    movable = [m.alloc_pages(GFP_HIGHUSER_MOVABLE, order=o) for o in s["movable"]]
    for o in s["kernel"]:
        m.alloc_pages(GFP_KERNEL, order=o)
    for o in s["reclaimable"]:
        m.alloc_pages(parse_gfp("GFP_KERNEL | __GFP_RECLAIMABLE"), order=o)
    i = s["free_movable"]
    m.free_pages(movable[i], order=s["movable"][i])
    return m.zone_snapshot(0, "Normal")


def _solve_02(s):
    blocks = list(_snapshot_02(s).free_blocks())
    return [next(((p, o) for p, o, _ in blocks if p <= pfn < p + (1 << o)), None)
            for pfn in s["pfns"]]


def _why_02(i, answer, s):
    pfn, given = s["pfns"][i], answer[i]
    if given is None:
        return ("the kernel does not hold pfn %d allocated at this point: a block only leaves "
                "the free lists when a request is cut from it; follow each request through "
                "__rmqueue() and expand()." % pfn)
    head, order = given
    if not 0 <= order < 4:
        return "orders on this machine run from 0 to 3 (max_order 4)."
    misfit = block_misfit(head, order)
    if misfit:
        return misfit + "."
    if not head <= pfn < head + (1 << order):
        return "a block of order %d at pfn %d covers pfns %d..%d, not pfn %d." % (
            order, head, head, head + (1 << order) - 1, pfn)
    return ("no free block (%d, %d) holds pfn %d now: either the pfn is allocated, or the "
            "free space around it forms a block of another order (expand() leaves one free "
            "half per order it splits; __free_one_page() merges a freed page with its free "
            "buddy, order by order)." % (head, order, pfn))


EX_02 = Exercise(
    "01.2", "which free block holds a pfn",
    "On the hand-sized machine (64 pages, orders 0..3, pageblocks of 4 pages), Movable requests "
    "of orders 0, 0, 1, 2, 0 are made, then a GFP_KERNEL request of order 1 and a "
    "GFP_KERNEL | __GFP_RECLAIMABLE request of order 0; then the second Movable page is freed. "
    "Which free block holds each of the pfns 2, 22, 35, 47, 51 and 58? Give (head pfn, order) "
    "for each, or None where the pfn is allocated.",
    SETUP_02, _solve_02,
    ListOf(Optional(TupleOf(Int("pfn"), Int("order"), names=("head_pfn", "order"))), 6),
    where=lambda i, s: "pfn %d" % s["pfns"][i], why=_why_02,
    hints=["Draw the 64 pfns as eight order-3 blocks; at boot they sit on free_area[3], "
           "highest pfn at the head.",
           "Each request takes the head block of the smallest non-empty order that fits and "
           "keeps its low half; the upper halves go back, one per order.",
           "The Unmovable and Reclaimable requests find their own lists empty and fall back: "
           "they take a whole Movable block of the largest order.",
           "A freed page merges with its buddy (pfn ^ 1 at order 0) if that buddy is free, "
           "then tries again one order up."])

# 01.3: pageblock types after one Unmovable and one Reclaimable page on bl.Machine().
SETUP_03 = {"masks": ("GFP_KERNEL", "GFP_KERNEL | __GFP_RECLAIMABLE")}


def _solve_03(s):
    big = Machine()
    for mask in s["masks"]:
        big.alloc_pages(parse_gfp(mask), order=0)
    types = [mt for _, mt in big.zone_snapshot(0, "Normal").pageblock_mt]
    return [types.count(t) for t in range(MIGRATE_TYPES)]


_WHY_03 = {
    "Unmovable": "the GFP_KERNEL request finds free_list[Unmovable] empty; __rmqueue_fallback() "
                 "takes the largest free Movable block, and a block of pageblock_order or more is "
                 "claimed whole: every pageblock in it is re-typed (change_pageblock_range()).",
    "Movable": "every pageblock of the zone is Movable at boot (memmap_init_zone()); it stays "
               "so unless a fallback claims it. How many pageblocks does an order-10 block span "
               "when pageblock_order is 9?",
    "Reclaimable": "the Reclaimable request finds free_list[Reclaimable] empty too; its fallbacks "
                   "are Unmovable, then Movable: which free block does it find, and is it "
                   "claimed whole?",
}


def _why_03(i, answer, s):
    name = MIGRATETYPE_NAMES[i]
    return _WHY_03.get(name, "which call here would make a pageblock %s? (HighAtomic only by "
                             "reserve_highatomic_pageblock() for a high-order atomic request in "
                             "the slow path, CMA only by a declared CMA area, Isolate only by "
                             "start_isolate_page_range())" % name)


EX_03 = Exercise(
    "01.3", "pageblock types after two fallbacks",
    "Boot bl.Machine() and allocate one GFP_KERNEL page and one GFP_KERNEL | __GFP_RECLAIMABLE "
    "page. Each request takes over the whole free block it is cut from, as on the hand-sized "
    "machine. Give the Normal zone's 'Number of blocks type' row of /proc/pagetypeinfo: six "
    "counts (Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate).",
    SETUP_03, _solve_03, ListOf(Int("count"), MIGRATE_TYPES),
    where=lambda i, s: "the %s count" % MIGRATETYPE_NAMES[i], why=_why_03,
    hints=["Start from the boot state: how many pageblocks does the Normal zone have, and of "
           "which type?",
           "Neither request finds a free block of its own type, so each falls back to the "
           "largest free Movable block.",
           "A block of order >= pageblock_order is claimed whole: every pageblock it spans "
           "changes type."])

EXERCISES = [EX_01, EX_02, EX_03]
