"""Chapter 00's exercise: predict a line of /proc/buddyinfo.

Kernel: __rmqueue() and expand() in mm/page_alloc.c, frag_show_print() in mm/vmstat.c (v4.18).
"""

from ..machine import Machine
from ..gfp import GFP_KERNEL
from .core import Exercise, Int, ListOf

SETUP_01 = {"nodes": [{"DMA": 4096, "Normal": 28672}], "cpus_per_node": 2, "order": 3}


def _solve_01(s):
    fresh = Machine(nodes=s["nodes"], cpus_per_node=s["cpus_per_node"])
    fresh.alloc_pages(GFP_KERNEL, order=s["order"], cpu=0)
    return list(fresh.zone(0, "Normal").nr_free)


def _why_01(i, answer, s):
    k = s["order"]
    if i < k:
        return ("expand() stops splitting at the order asked for (%d), so a list below it is "
                "left as it was at boot." % k)
    if i < len(answer) - 1:
        return ("expand() halves the block it took down to order %d and puts one upper half on "
                "the free list of every order it passes on the way (set_page_order(), "
                "list_add()); which orders lie between the block's and the request's?" % k)
    return ("a fresh zone holds only order-10 blocks; the block the request is cut from leaves "
            "this list (a GFP_KERNEL request finds free_list[Unmovable] empty and "
            "__rmqueue_fallback() claims the largest Movable block).")


EX_01 = Exercise(
    "00.1", "predict a line of buddyinfo",
    "On a fresh machine like m (DMA 4096 and Normal 28672 pages, 2 CPUs), CPU 0 calls "
    "alloc_pages(GFP_KERNEL, 3). Give the 11 numbers of the Normal line of /proc/buddyinfo "
    "afterwards (orders 0 to 10).",
    SETUP_01, _solve_01, ListOf(Int("count"), 11),
    where=lambda i, s: "order %d" % i, why=_why_01,
    hints=["Each number of buddyinfo counts free blocks of one order, not pages.",
           "A fresh zone has only blocks of the highest order; an order-3 request is cut from one.",
           "expand() halves a block again and again; each halving leaves one free block behind, "
           "one order lower each time, until the piece has the order asked for."])

EXERCISES = [EX_01]
