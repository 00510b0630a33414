"""Chapter 03's exercises: the per-CPU page lists.

Kernel: rmqueue_pcplist(), __rmqueue_pcplist(), rmqueue_bulk(), free_unref_page_commit(),
free_pcppages_bulk(), drain_pages(), zone_batchsize(), pageset_set_batch() in mm/page_alloc.c
(v4.18).
"""

from ..machine import Machine
from ..gfp import GFP_HIGHUSER_MOVABLE, parse_gfp
from ..mmzone import MIGRATETYPE_NAMES
from .core import Exercise, Int, TupleOf, ListOf, block_misfit

PCP = {"nodes": [{"Normal": 64}], "cpus_per_node": 2, "max_order": 4, "pageblock_order": 2,
       "min_free_kbytes": 0, "percpu_pagelist_fraction": 8}


def pcp_machine():
    """The chapter's pcp machine: 64 pages, two CPUs, pcp high 8 and batch 2."""
    return Machine(**PCP)


_PCP_RULE = ("an order-0 request takes the page at the HEAD of this CPU's pcp list of its type "
             "(__rmqueue_pcplist()); an empty list is first refilled with batch pages by "
             "rmqueue_bulk(), which appends them at the TAIL in the order __rmqueue() returns "
             "them; a freed page goes to the head (free_unref_page_commit()).")

# 03.1: three allocations, free the first, three more (CPU 0).
SETUP_01 = {"cpu": 0, "first": 3, "then": 3}


def _solve_01(s):
    m = pcp_machine()
    pages = [m.alloc_pages(GFP_HIGHUSER_MOVABLE, order=0, cpu=s["cpu"]) for _ in range(s["first"])]
    m.free_pages(pages[0], order=0, cpu=s["cpu"])
    pages += [m.alloc_pages(GFP_HIGHUSER_MOVABLE, order=0, cpu=s["cpu"]) for _ in range(s["then"])]
    return [p.pfn for p in pages]


def _why_01(i, answer, s):
    # allocation 1 is freed after the first s["first"] allocations
    held = [("allocation %d" % (j + 1), answer[j], 0) for j in range(i)
            if j != 0 or i < s["first"]]
    misfit = block_misfit(answer[i], 0, held)
    return (misfit + "; " if misfit else "") + _PCP_RULE


EX_01 = Exercise(
    "03.1", "pcp refill and reuse",
    "On a fresh pcp_machine(), CPU 0 allocates three Movable pages, frees the first one, then "
    "allocates three more. Which pfns do the six allocations return?",
    SETUP_01, _solve_01, ListOf(Int("pfn"), 6),
    where=lambda i, s: "allocation %d" % (i + 1), why=_why_01,
    hints=["The pcp list starts empty: the first request refills it with batch (2) pages.",
           "rmqueue_bulk() calls __rmqueue() batch times: which pfns come out of the buddy lists, "
           "in which order, and where are they put on the pcp list?",
           "The freed page goes to the head of the pcp list: who gets it next?"])

# 03.2: pcp count after each of nine allocations and nine frees.
SETUP_02 = {"cpu": 0, "pages": 9}


def _solve_02(s):
    m = pcp_machine()
    counts, pages = [], []
    for _ in range(s["pages"]):
        pages.append(m.alloc_pages(GFP_HIGHUSER_MOVABLE, order=0, cpu=s["cpu"]))
        counts.append(m.zone_snapshot(0, "Normal").pcp[s["cpu"]].count)
    for page in pages:
        m.free_pages(page, order=0, cpu=s["cpu"])
        counts.append(m.zone_snapshot(0, "Normal").pcp[s["cpu"]].count)
    return counts


def _why_02(i, answer, s):
    if i < s["pages"]:
        return ("an allocation from an empty pcp list first adds batch pages (rmqueue_bulk()), "
                "then takes one (count--); from a non-empty list it only takes one.")
    return ("a free adds one page (count++); when count reaches high (count >= high), "
            "free_pcppages_bulk() hands batch pages back to the buddy lists (count -= batch).")


EX_02 = Exercise(
    "03.2", "the pcp count, call by call",
    "On a fresh pcp_machine(), CPU 0 allocates nine Movable pages and then frees them in the "
    "same order. Give CPU 0's pcp count after each of the 18 calls.",
    SETUP_02, _solve_02, ListOf(Int("count"), 18),
    where=lambda i, s: ("call %d (allocation %d)" % (i + 1, i + 1) if i < s["pages"]
                        else "call %d (free %d)" % (i + 1, i + 1 - s["pages"])),
    why=_why_02,
    hints=["high is 8 and batch is 2 on this machine.",
           "Allocations: refill 2 when the list is empty, then take 1; so the count goes 1, 0, ...",
           "Frees: the check is count >= high after the page is added, and then batch pages leave."])

# 03.3: drain order of CPU 1's lists.
SETUP_03 = {"cpu": 1, "masks": ["GFP_HIGHUSER_MOVABLE"] * 5 + ["GFP_KERNEL"] * 2
            + ["GFP_KERNEL | __GFP_RECLAIMABLE"], "free": (1, 2, 3, 6, 7)}


def _machine_03(s):
    m = pcp_machine()
    pages = [m.alloc_pages(parse_gfp(mask), order=0, cpu=s["cpu"]) for mask in s["masks"]]
    for i in s["free"]:
        m.free_pages(pages[i], order=0, cpu=s["cpu"])
    return m


def _solve_03(s):
    m = _machine_03(s)
    m.start_trace(kinds=["mm_page_pcpu_drain"])
    m.drain_pages(s["cpu"])
    return [e["pfn"] for e in m.stop_trace()]


def show_pcp(m, zone="Normal"):
    """Every CPU's pcp lists in one zone, as pfns from head to tail."""
    for p in m.zone_snapshot(0, zone).pcp:
        print("cpu %d: count %d (high %d, batch %d)  %s"
              % (p.cpu, p.count, p.high, p.batch,
                 "  ".join("%s %s" % (MIGRATETYPE_NAMES[mt], list(l)) for mt, l in enumerate(p.lists))))


EX_03 = Exercise(
    "03.3", "the drain order",
    "These are CPU 1's pcp lists. In which order does drain_pages(1) hand the pages back to the "
    "buddy lists? Give the pfns.",
    SETUP_03, _solve_03, ListOf(Int("pfn"), 7),
    where=lambda i, s: "page %d of the drain" % (i + 1),
    why=("free_pcppages_bulk() visits the lists round robin, starting with the one AFTER "
         "Unmovable (migratetype is incremented before use), takes pages from the TAIL of each "
         "(list_last_entry()), batch_free pages per visit, and batch_free grows by one for every "
         "empty list it passes; when only one list is left, it takes all of it."),
    hints=["drain_pages() asks free_pcppages_bulk() for all count pages at once.",
           "The first list visited is Movable (index 1), then Reclaimable, then Unmovable.",
           "Pages leave from the tail of a list, the end opposite to where frees went in."],
    show=lambda s: show_pcp(_machine_03(s)))

# 03.4: batch and high of three zones.
SETUP_04 = {"nodes": [{"DMA": 3977, "DMA32": 50000, "Normal": 100000}]}


def _solve_04(s):
    zones = Machine(nodes=s["nodes"], cpus_per_node=1).snapshot().zones
    return [(z.pcp[0].batch, z.pcp[0].high) for z in zones if z.populated]


EX_04 = Exercise(
    "03.4", "batch and high from the zone size",
    "A machine has a DMA zone of 3977 pages, a DMA32 zone of 50000 and a Normal zone of 100000, "
    "and percpu_pagelist_fraction is 0. Give (batch, high) of each zone's pcp lists.",
    SETUP_04, _solve_04, ListOf(TupleOf(Int("batch"), Int("high"), names=("batch", "high")), 3),
    where=lambda i, s: ("DMA", "DMA32", "Normal")[i] + "'s pcp",
    why=("zone_batchsize(): batch = managed_pages / 1024, at most 512 KiB worth of pages, then a "
         "quarter of that, at least 1, then rounddown_pow_of_two(batch + batch / 2) - 1; "
         "pageset_set_batch() then sets high = 6 * batch and batch = max(1, batch)."),
    hints=["Divide each zone's pages by 1024 first, and cap at 128 pages (512 KiB).",
           "Divide by 4 (at least 1), then round batch + batch/2 down to a power of two and "
           "subtract 1.",
           "pageset_set_batch(): high is six times that result; the batch stored is the result, "
           "but at least 1."])

EXERCISES = [EX_01, EX_02, EX_03, EX_04]
