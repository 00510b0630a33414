"""Chapter 05's exercises: GFP masks, gfp_zone(), alloc_flags and the watermark a request meets.

Kernel: the __GFP_* bits, GFP_ZONE_TABLE and gfp_zone() in include/linux/gfp.h;
gfp_to_alloc_flags(), get_page_from_freelist(), __zone_watermark_ok(),
reserve_highatomic_pageblock() in mm/page_alloc.c (v4.18).
"""

import warnings

from ..machine import Machine
from ..alloc import AllocationWarning
from ..errors import BadGfpError
from ..gfp import parse_gfp, gfp_zone, gfp_to_alloc_flags, gfpflags_to_migratetype, GFP_KERNEL, \
    __GFP_HIGH
from ..mmzone import ZONE_NAMES, MAX_ORDER, ALLOC_WMARK_MASK, ALLOC_FLAG_NAMES, alloc_flags_str
from .core import Exercise, Int, Hex, Choice, ListOf, ShapeError, and_list, draw


def _masks(s):
    return [parse_gfp(text) for text in s["masks"]]


def _mask_where(i, s):
    return "mask %d (%s)" % (i + 1, s["masks"][i])


def _varied(question, pool, n):
    """vary() of an exercise on `n` masks: n distinct masks of `pool`, and the question."""
    def vary(rng):
        masks = draw(rng, pool, n)
        return {"masks": masks}, question % and_list(masks)
    return vary


# 05.1: the hex value of four masks.
SETUP_01 = {"masks": ["GFP_NOFS | __GFP_NOWARN", "GFP_USER | __GFP_ZERO",
                      "GFP_ATOMIC | __GFP_NOWARN", "GFP_HIGHUSER_MOVABLE | __GFP_COMP"]}
QUESTION_01 = ("Give the v4.18 values of %s, as a list of four ints (write them as hex "
               "literals), from the bit table only.")
POOL_01 = ["%s | %s" % (c, m) for c in ("GFP_KERNEL", "GFP_NOFS", "GFP_NOIO", "GFP_USER",
                                        "GFP_ATOMIC", "GFP_NOWAIT", "GFP_HIGHUSER",
                                        "GFP_HIGHUSER_MOVABLE", "GFP_DMA32")
           for m in ("__GFP_NOWARN", "__GFP_ZERO", "__GFP_COMP", "__GFP_NORETRY")]

EX_01 = Exercise(
    "05.1", "the hex value of a mask", QUESTION_01 % and_list(SETUP_01["masks"]),
    SETUP_01, lambda s: [int(m) for m in _masks(s)], ListOf(Hex("mask"), 4),
    vary=_varied(QUESTION_01, POOL_01, 4),
    where=_mask_where,
    why=("a composite is the OR of the __GFP_* bits its #define names (include/linux/gfp.h, "
         "v4.18), and | adds the flag's bit: expand the composite into its bits, look each up in "
         "the bit table, and OR them."),
    hints=["Expand each composite into its __GFP_* bits first (GFP_NOFS is GFP_KERNEL without "
           "one of them).",
           "Each ___GFP_* bit has its own value in v4.18's table; they are powers of two, so OR is "
           "the same as adding distinct bits.",
           "__GFP_RECLAIM is two bits: direct and kswapd reclaim."])


# 05.2: gfp_zone() of six masks.
SETUP_02 = {"masks": ["GFP_KERNEL", "GFP_DMA32 | __GFP_MOVABLE", "GFP_HIGHUSER_MOVABLE",
                      "GFP_HIGHUSER", "__GFP_DMA | __GFP_DMA32", "GFP_HIGHUSER_MOVABLE | __GFP_DMA"]}


def _solve_02(s):
    zones = []
    for mask in _masks(s):
        try:
            zones.append(ZONE_NAMES[gfp_zone(mask)])
        except BadGfpError:
            zones.append("BAD")
    return zones


QUESTION_02 = ('For %s, give what gfp_zone() answers: "DMA", "DMA32", "Normal", "Movable", '
               'or "BAD".')
POOL_02 = ["GFP_KERNEL", "GFP_DMA", "GFP_DMA32", "GFP_USER", "GFP_HIGHUSER",
           "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL | __GFP_MOVABLE", "GFP_DMA32 | __GFP_MOVABLE",
           "GFP_DMA | __GFP_MOVABLE", "__GFP_DMA | __GFP_DMA32", "__GFP_DMA | __GFP_HIGHMEM",
           "GFP_HIGHUSER_MOVABLE | __GFP_DMA", "GFP_HIGHUSER_MOVABLE | __GFP_DMA32",
           "GFP_HIGHUSER | __GFP_DMA32", "GFP_NOWAIT | __GFP_HIGHMEM"]

EX_02 = Exercise(
    "05.2", "which zone", QUESTION_02 % and_list(SETUP_02["masks"]),
    SETUP_02, _solve_02, ListOf(Choice(ZONE_NAMES + ("BAD",), what="zone"), 6),
    vary=_varied(QUESTION_02, POOL_02, 6),
    where=_mask_where,
    why=("gfp_zone() looks the four zone bits (__GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32, "
         "__GFP_MOVABLE) up in GFP_ZONE_TABLE: no bit is Normal; __GFP_MOVABLE gives ZONE_MOVABLE "
         "only together with __GFP_HIGHMEM and otherwise leaves the other bit's zone; two of "
         "DMA/HIGHMEM/DMA32 together are in GFP_ZONE_BAD; on x86_64 HIGHMEM means Normal."),
    hints=["Write down which of the four zone bits each mask has; GFP_HIGHUSER contains "
           "__GFP_HIGHMEM.",
           "GFP_ZONE_TABLE's comment lists all sixteen combinations (0x0 .. 0xf).",
           "Movable is valid only with HIGHMEM set too (0xa); a combination the table marks BAD is "
           "rejected, not resolved."])


# 05.3: the slow path's alloc_flags.
SETUP_03 = {"masks": ["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT | __GFP_HIGH",
                      "GFP_ATOMIC | __GFP_NOMEMALLOC", "GFP_HIGHUSER_MOVABLE"]}


class AllocFlags(Int):
    """alloc_flags built from the ALLOC_* names, shown by those names."""

    def parse(self, value):
        value = Int.parse(self, value)
        known = ALLOC_WMARK_MASK | sum(bit for bit, _ in ALLOC_FLAG_NAMES)
        if value < 0 or value & ~known or value & ALLOC_WMARK_MASK == ALLOC_WMARK_MASK:
            raise ShapeError("%#x, which is not built from the ALLOC_* flags" % value)
        return value

    def render(self, value):
        return alloc_flags_str(value)


QUESTION_03 = ("For %s, give the alloc_flags that gfp_to_alloc_flags() returns, built from the "
               "ALLOC_* names.")
POOL_03 = ["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_NOWAIT | __GFP_HIGH",
           "GFP_ATOMIC | __GFP_NOMEMALLOC", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL | __GFP_HIGH",
           "GFP_NOIO", "GFP_USER", "GFP_KERNEL | __GFP_RECLAIMABLE", "GFP_ATOMIC | __GFP_MOVABLE",
           "GFP_NOWAIT | __GFP_MOVABLE", "GFP_DMA"]

EX_03 = Exercise(
    "05.3", "the slow path's alloc_flags", QUESTION_03 % and_list(SETUP_03["masks"]),
    SETUP_03,
    lambda s: [int(gfp_to_alloc_flags(m, gfpflags_to_migratetype(m))) for m in _masks(s)],
    ListOf(AllocFlags("alloc_flags value"), 5),
    where=_mask_where, vary=_varied(QUESTION_03, POOL_03, 5),
    why=("gfp_to_alloc_flags() (v4.18) starts from ALLOC_WMARK_MIN | ALLOC_CPUSET, adds "
         "ALLOC_HIGH for __GFP_HIGH; with __GFP_ATOMIC it drops ALLOC_CPUSET and adds "
         "ALLOC_HARDER unless __GFP_NOMEMALLOC is set; with CONFIG_CMA a Movable request gets "
         "ALLOC_CMA."),
    hints=["Every result starts from ALLOC_WMARK_MIN | ALLOC_CPUSET.",
           "Which of the masks contain __GFP_HIGH, and which __GFP_ATOMIC?",
           "__GFP_NOMEMALLOC takes away only ALLOC_HARDER, not the rest of what __GFP_ATOMIC does."])


# 05.4: which watermark let each request through.
SETUP_04 = {"nodes": [{"Normal": 8192}], "nr_free": 230,
            "requests": [("GFP_KERNEL", 2), ("GFP_KERNEL", 0), ("GFP_ATOMIC", 1),
                         ("GFP_KERNEL", 1), ("GFP_ATOMIC", 2)]}


def eat_memory(machine, nr_free):
    """Allocate and keep blocks, largest first, until Normal of node 0 has nr_free free pages.

    GFP_KERNEL | __GFP_HIGH, so that it can go below the min watermark too (the same helper as
    chapter 05's).
    """
    z = machine.zone(0, "Normal")
    held = []
    for order in range(MAX_ORDER - 1, -1, -1):
        while z.NR_FREE_PAGES - (1 << order) >= nr_free and any(z.nr_free[order:]):
            held.append((machine.alloc_pages(GFP_KERNEL | __GFP_HIGH, order, 0), order))
    return held


def _solve_04(s):
    machine = Machine(nodes=s["nodes"], cpus_per_node=1)
    eat_memory(machine, s["nr_free"])
    verdicts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllocationWarning)
        for mask, order in s["requests"]:
            trace = machine.start_trace(kinds=["zonelist_step"])
            page = machine.alloc_pages(parse_gfp(mask), order, 0)
            machine.stop_trace()
            verdicts.append("fail" if page is None else [e["mark"] for e in trace if e["ok"]][-1])
    return verdicts


EX_04 = Exercise(
    "05.4", "fast path, slow path, or failure",
    "A fresh bl.Machine(nodes=[{'Normal': 8192}], cpus_per_node=1) (min 181, low 226) is filled "
    "with eat_memory(machine, 230) until exactly 230 pages are free. Then CPU 0 makes five "
    "requests, in this order: alloc_pages(GFP_KERNEL, 2), alloc_pages(GFP_KERNEL, 0), "
    "alloc_pages(GFP_ATOMIC, 1), alloc_pages(GFP_KERNEL, 1), alloc_pages(GFP_ATOMIC, 2). "
    "For each, say which watermark let it through, 'low' (the fast path) or 'min' (the slow "
    "path), or 'fail'.",
    SETUP_04, _solve_04, ListOf(Choice(("low", "min", "fail"), what="verdict"), 5),
    where=lambda i, s: "request %d (%s, order %d)" % ((i + 1,) + tuple(s["requests"][i])),
    why=("__zone_watermark_ok() subtracts (1 << order) - 1 from the free pages and fails on "
         "free_pages <= mark; ALLOC_HIGH halves min, ALLOC_HARDER takes a further quarter off; "
         "a request without ALLOC_HARDER also loses the pages of highatomic pageblocks "
         "(nr_reserved_highatomic), which reserve_highatomic_pageblock() sets aside after a "
         "successful order > 0 ALLOC_HARDER allocation. Count the free pages before this request."),
    hints=["Keep a running count of free pages: each success takes 2^order pages.",
           "The fast path uses the low mark and no flags; the slow path uses min with the flags "
           "of gfp_to_alloc_flags().",
           "After the first GFP_ATOMIC request of order 1 succeeds in the slow path, a pageblock "
           "becomes HighAtomic: what does that do to the free count a GFP_KERNEL request sees?"])

EXERCISES = [EX_01, EX_02, EX_03, EX_04]
