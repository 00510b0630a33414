"""Chapter 07's exercises: what the v6.18 (modern) profile does differently.

Kernel: __free_pages_core() with FPI_TO_TAIL, __rmqueue_smallest(), expand(), nr_pcp_alloc(),
rmqueue_bulk(), __setup_per_zone_wmarks(), zone_highsize() in mm/page_alloc.c (v6.18).
Every key is recomputed on a fresh Machine(kernel="modern") at check time.
"""

from ..machine import Machine
from ..kernels.v6_18.gfp import parse_gfp
from .ch02 import HAND
from .core import Exercise, Int, ListOf, block_misfit

# 07.1: the first pfns of a fresh modern zone.
SETUP_01 = {"calls": [("GFP_HIGHUSER_MOVABLE", 1), ("GFP_HIGHUSER_MOVABLE", 2),
                      ("GFP_HIGHUSER_MOVABLE", 1), ("GFP_HIGHUSER_MOVABLE", 3)]}


def _modern(**kw):
    return Machine(kernel="modern", **kw)


def _solve_01(s):
    m = _modern(**HAND)
    return [m.alloc_pages(parse_gfp(mask), order, cpu=0).pfn for mask, order in s["calls"]]


def _why_01(i, answer, s):
    order = s["calls"][i][1]
    held = [("request %d" % (j + 1), answer[j], s["calls"][j][1]) for j in range(i)]
    misfit = block_misfit(answer[i], order, held)
    if misfit:
        return misfit + "."
    return ("not the block v6.18 hands out: boot freed every block with FPI_TO_TAIL "
            "(__free_pages_core(), since 5.10), so the order-3 list holds ascending pfns from "
            "head to tail; every order 0..3 goes through the pcp lists, but with batch 1 a "
            "refill takes a single block (nr_pcp_alloc()): __rmqueue_smallest() takes the HEAD "
            "block of the first non-empty list from its order up, expand() keeping the low half and putting each "
            "upper half at the head of the list one order down.")


EX_01 = Exercise(
    "07.1", "the first pfns of a fresh v6.18 zone",
    "On a fresh modern hand-sized machine (Machine(kernel='modern', **HAND): 64 pages, orders "
    "0..3, pageblocks of 4 pages), CPU 0 makes Movable requests of orders 1, 2, 1, 3 in this "
    "order. Which pfn does each return?",
    SETUP_01, _solve_01, ListOf(Int("pfn"), 4),
    where=lambda i, s: "request %d (order %d)" % (i + 1, s["calls"][i][1]), why=_why_01,
    hints=["After boot, which order-3 block is at the HEAD of free_list[3][Movable] on v6.18?",
           "expand() keeps the LOW half; each upper half goes to the head of the list one order "
           "down, so the next request may find it there.",
           "This tiny zone's batch is 1: how many blocks does nr_pcp_alloc() let a refill take, "
           "and can any be left on the pcp list for the next request?"])

# 07.2: the sizes of successive order-0 refills.
SETUP_02 = {"nodes": [{"Normal": 65536}], "cpus_per_node": 1, "allocs": 400}


def _solve_02(s):
    m = _modern(nodes=s["nodes"], cpus_per_node=s["cpus_per_node"])
    m.start_trace(kinds=["pcp_refill"])
    for _ in range(s["allocs"]):
        m.alloc_pages(m.kernel.gfp.GFP_KERNEL, 0, cpu=0)
    return [e["count"] for e in m.stop_trace()][:5]


EX_02 = Exercise(
    "07.2", "how many pages each refill takes",
    "On Machine(kernel='modern', nodes=[{'Normal': 65536}], cpus_per_node=1), CPU 0 makes "
    "GFP_KERNEL order-0 allocations only, one after another, never freeing. How many pages "
    "does each of its first five pcp refills take from the buddy lists? (Look up the zone's "
    "batch, high_min and high_max in its snapshot first.)",
    SETUP_02, _solve_02, ListOf(Int("pages", after=True), 5),
    where=lambda i, s: "refill %d" % (i + 1),
    why=("nr_pcp_alloc() (mm/page_alloc.c, v6.18, since 6.7) starts an order-0 refill at batch "
         "and, while no free has interrupted the run, doubles it on each refill (alloc_factor, up "
         "to CONFIG_PCP_BATCH_SCALE_MAX = 5), bounded by high - count - batch but never below "
         "batch; each refill also raises high, up to high_max."),
    hints=["zone_batchsize() caps its input at 1 MiB in v6.18: work batch out for 65536 pages.",
           "No free happens here, so alloc_factor only grows.",
           "Is high_max ever close enough to limit one of the first five refills?"])

# 07.3: the four watermarks of a modern zone.
SETUP_03 = {"nodes": [{"DMA32": 200000, "Normal": 300000}], "cpus_per_node": 2,
            "min_free_kbytes": 20000}


def _solve_03(s):
    m = _modern(**s)
    z = m.zone_snapshot(0, "Normal")
    return list(z.watermark) + [z.pcp[0].high_min, z.pcp[0].high_max]


_WHERE_03 = ("min", "low", "high", "promo", "high_min", "high_max")

EX_03 = Exercise(
    "07.3", "decode a 6.18 zone: watermarks and pcp bounds",
    "A modern machine has one node with a DMA32 zone of 200000 pages and a Normal zone of "
    "300000, 2 CPUs, min_free_kbytes 20000 and watermark_scale_factor 10. Give Normal's min, "
    "low, high and promo watermarks, then its pcp high_min and high_max.",
    SETUP_03, _solve_03, ListOf(Int("pages", after=True), 6),
    where=lambda i, s: _WHERE_03[i],
    why=lambda i, a, s: (
        "__setup_per_zone_wmarks() (mm/page_alloc.c, v6.18) shares min_free_kbytes / 4 pages "
        "between the zones in proportion to their managed pages, and separates min, low, high "
        "and promo by one step, max(min / 4, managed * watermark_scale_factor / 10000)."
        if i < 4 else
        "zone_highsize() (mm/page_alloc.c, v6.18, since 6.7) gives high_min = the low watermark "
        "/ the node's CPUs and high_max = managed / 8 / the node's CPUs, each at least 4 * batch."),
    hints=["min_free_kbytes is in kB: divide by 4 for pages, then share it by managed pages.",
           "The step is the larger of min / 4 and managed * 10 / 10000.",
           "Both pcp bounds are divided by the CPUs of the zone's node."])

EXERCISES = [EX_01, EX_02, EX_03]
