"""Chapter 04's exercises: zonelists, watermarks, protection and min_free_kbytes.

Kernel: build_zonelists(), find_next_best_node(), build_zonerefs_node(), __setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve(), __zone_watermark_ok() in mm/page_alloc.c;
set_recommended_min_free_kbytes() in mm/khugepaged.c (v4.18).
"""

from ..machine import Machine
from ..gfp import GFP_KERNEL
from ..mmzone import ZONE_NAMES, WMARK_LOW
from .. import host
from .core import Exercise, Int, Choice, TupleOf, ListOf

D2 = [[10, 21],
      [21, 10]]

# A ring of four nodes: each is 20 from its two neighbours and 30 from the node opposite.
RING4 = [[10, 20, 30, 20],
         [20, 10, 20, 30],
         [30, 20, 10, 20],
         [20, 30, 20, 10]]

# 04.1: node 3's GFP_KERNEL zonelist on m4's nodes, wired as a ring (the chapter prints m4's own).
SETUP_01 = {"nodes": [{"DMA": 4096, "DMA32": 28672, "Normal": 32768}] + [{"Normal": 32768}] * 3,
            "distance": RING4, "nid": 3}


def _solve_01(s):
    m = Machine(nodes=s["nodes"], cpus_per_node=1, distance=s["distance"], min_free_kbytes=0)
    return m.zonelist(s["nid"], GFP_KERNEL)


def _why_01(i, answer, s):
    if i < len(answer) and answer[i][0] not in range(len(s["nodes"])):
        return "the machine has nodes 0..%d only." % (len(s["nodes"]) - 1)
    return ("build_zonelists() lists whole nodes in the order find_next_best_node() picks them: "
            "the node itself, then the lowest node_distance(), where a node numbered below this "
            "one gets +1 ('prefer the next node') and node_load[] (the round robin) breaks what "
            "is still tied; within each node build_zonerefs_node() adds its zones that have managed "
            "pages, from the highest down (the walk then skips zones above gfp_zone()).")


EX_01 = Exercise(
    "04.1", "a zonelist in walk order",
    "Take the nodes of m4 (DMA, DMA32 and Normal on node 0, Normal on nodes 1 to 3) but wire them "
    "as a ring: node_distance() is 10 to itself, 20 to each neighbour and 30 to the node opposite "
    "(distance=[[10, 20, 30, 20], [20, 10, 20, 30], [30, 20, 10, 20], [20, 30, 20, 10]]). Give node "
    "3's GFP_KERNEL zonelist as a list of (nid, zone name) pairs, in walk order.",
    SETUP_01, _solve_01,
    ListOf(TupleOf(Int("nid"), Choice(ZONE_NAMES, what="zone"), names=("nid", "zone name"))),
    where=lambda i, s: "zoneref %d" % i, why=_why_01,
    hints=["Read node 3's row of the distances: which nodes are nearest, and which tie?",
           "Two nodes at the same distance: find_next_best_node() adds 1 to a node numbered "
           "below the one whose zonelist it builds, then node_load[].",
           "Within a node, the zones go from the highest one GFP_KERNEL may use (gfp_zone()) down; empty "
           "zones are left out."])

# 04.2: watermarks of three zones from min_free_kbytes.
SETUP_02 = {"nodes": [{"DMA": 4096, "DMA32": 200704, "Normal": 319488}], "min_free_kbytes": 8192}


def _solve_02(s):
    m = Machine(nodes=s["nodes"], cpus_per_node=1, min_free_kbytes=s["min_free_kbytes"])
    return [tuple(m.zone(0, name).watermark) for name in ("DMA", "DMA32", "Normal")]


EX_02 = Exercise(
    "04.2", "watermarks from min_free_kbytes",
    "A one-node machine has DMA 4096, DMA32 200704 and Normal 319488 managed pages, "
    "min_free_kbytes = 8192 and watermark_scale_factor = 10. Give (min, low, high) of DMA, DMA32 "
    "and Normal.",
    SETUP_02, _solve_02,
    ListOf(TupleOf(Int("min"), Int("low"), Int("high"), names=("min", "low", "high")), 3),
    where=lambda i, s: "the %s zone" % ("DMA", "DMA32", "Normal")[i],
    why=("__setup_per_zone_wmarks(): min = pages_min * managed_pages / lowmem_pages (pages_min = "
         "min_free_kbytes >> (PAGE_SHIFT - 10), integer division), then "
         "tmp = max(min / 4, managed_pages * watermark_scale_factor / 10000), low = min + tmp and "
         "high = min + 2 * tmp."),
    hints=["Turn min_free_kbytes into pages first (4 KiB pages).",
           "Each zone's min is its share of those pages, in proportion to its managed pages.",
           "The gap between min and low is the larger of min/4 and managed_pages * 10 / 10000."])

# 04.3: DMA's protection on the 4.18 machine shipped with the package (host.SNAPSHOT_418).
SETUP_03 = {"host": host.SNAPSHOT_418, "classzones": ("DMA", "DMA32", "Normal")}


def _solve_03(s):
    dma = Machine.from_host(s["host"]).zone(0, "DMA")
    return [dma.watermark[WMARK_LOW] + dma.lowmem_reserve[ZONE_NAMES.index(cz)] + 1
            for cz in s["classzones"]]


EX_03 = Exercise(
    "04.3", "what the protection costs",
    "On the 4.18 fixture machine, how many free pages must the DMA zone have at least, so that an "
    "order-0 fast-path request passes it, when the request is GFP_DMA, GFP_DMA32 and GFP_KERNEL? "
    "(Three numbers. The zone has no free CMA pages and no highatomic reserve, so neither is "
    "subtracted from its free pages first.)",
    SETUP_03, _solve_03, ListOf(Int("pages", after=True), 3),
    where=lambda i, s: "the GFP_%s request" % ("DMA", "DMA32", "KERNEL")[i],
    why=("__zone_watermark_ok() fails on free_pages <= mark + z->lowmem_reserve[classzone_idx]: "
         "the fast path uses the LOW mark, classzone_idx is the highest zone the request may use "
         "(gfp_zone()), and passing needs one page more than that sum."),
    hints=["Print the DMA zone's watermarks and lowmem_reserve (protection) of the fixture machine.",
           "The protection used is the one indexed by the request's own highest zone.",
           "The check fails on <=, so the least passing count is one above the sum."])

# 04.4: khugepaged's min_free_kbytes.
SETUP_04 = {"nodes": [{"DMA": 4096, "DMA32": 520192, "Normal": 262144},
                      {"Normal": 262144, "Movable": 262144}],
            "distance": D2}

EX_04 = Exercise(
    "04.4", "khugepaged's min_free_kbytes",
    "A two-node machine has DMA 4096, DMA32 520192 and Normal 262144 pages on node 0, and Normal "
    "262144 and Movable 262144 pages on node 1; it runs v4.18 with THP enabled. What "
    "min_free_kbytes does khugepaged recommend (kB)?",
    SETUP_04,
    lambda s: host.khugepaged_min_free_kbytes(
        Machine(nodes=s["nodes"], cpus_per_node=2, distance=s["distance"])),
    Int("kB", after=True),
    why=("set_recommended_min_free_kbytes() (v4.18): nr_zones counts every populated zone; "
         "recommended = pageblock_nr_pages * nr_zones * 2 + pageblock_nr_pages * nr_zones * "
         "MIGRATE_PCPTYPES * MIGRATE_PCPTYPES, at most nr_free_buffer_pages() / 20, then "
         "shifted to kB (<< (PAGE_SHIFT - 10))."),
    hints=["Count the populated zones of both nodes.",
           "pageblock_nr_pages is 512 and MIGRATE_PCPTYPES is 3: 2 + 3 * 3 pageblocks per zone.",
           "Check the 5 % cap, then turn pages into kB."])

EXERCISES = [EX_01, EX_02, EX_03, EX_04]
