"""Predict, then reveal: generated allocate/free problems on a hand-sized machine.

Kernel: none (teaching support, in the manner of OSTEP's simulators).

``python -m buddylab problem --seed 3`` prints a sequence of operations with
``?`` where the answers go (the pfn each allocation returns, the free lists at
the end); add ``-c`` to fill them in.  ``-A "+2,+0m,-0"`` replaces the random
list: ``+o`` allocates order o (``m`` movable, the default; ``u`` unmovable:
GFP_KERNEL; ``r`` reclaimable), ``-i`` frees the i-th allocation made.  The
first line echoes every parameter, so a pasted transcript can be rerun.

>>> print(problem(ops="+0,+1,-0", solve=True))  # doctest: +NORMALIZE_WHITESPACE
python -m buddylab problem --pages 64 --max-order 4 --pageblock-order 2 -A "+0m,+1m,-0" -c
machine: one Normal zone of 64 pages, orders 0..3, pageblocks of 4 pages, 1 CPU, min_free_kbytes 0
at boot: free_area[3] Movable [56, 48, 40, 32, 24, 16, 8, 0]
op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 56
op 2: a1 = alloc_pages(GFP_HIGHUSER_MOVABLE, 1) -> pfn 58
op 3: __free_pages(a0, 0)
free lists at the end (head -> tail):
  free_area[1] Movable [56]
  free_area[2] Movable [60]
  free_area[3] Movable [48, 40, 32, 24, 16, 8, 0]
"""

import random
import warnings

from . import gfp as G
from .mmzone import MIGRATETYPE_NAMES
from .errors import BuddyLabError

__all__ = ["problem", "parse_ops", "random_ops"]

MASKS = {"m": ("GFP_HIGHUSER_MOVABLE", G.GFP_HIGHUSER_MOVABLE),
         "u": ("GFP_KERNEL", G.GFP_KERNEL),
         "r": ("GFP_KERNEL|__GFP_RECLAIMABLE", G.GFP_KERNEL | G.__GFP_RECLAIMABLE)}


def parse_ops(text):
    """'+2,+0u,-0' -> [("alloc", 2, "m"), ("alloc", 0, "u"), ("free", 0)]."""
    ops = []
    for item in str(text).replace(" ", "").split(","):
        if not item:
            continue
        try:
            if item[0] == "+":
                kind = item[-1] if item[-1] in MASKS else "m"
                body = item[1:-1] if item[-1] in MASKS else item[1:]
                ops.append(("alloc", int(body), kind))
            elif item[0] == "-":
                ops.append(("free", int(item[1:])))
            else:
                raise ValueError
        except (ValueError, IndexError):
            raise BuddyLabError("bad operation %r: use +ORDER[m|u|r] or -INDEX" % item) from None
    return ops


def random_ops(seed, nr_ops, max_order, kinds="m"):
    """A seeded operation list: allocations of small orders, frees of live allocations."""
    rng = random.Random(seed)
    ops, live, made = [], [], 0
    for _ in range(nr_ops):
        if live and rng.random() < 0.4:
            ops.append(("free", live.pop(int(rng.random() * len(live)))))
        else:
            order = int(rng.random() * min(3, max_order))
            ops.append(("alloc", order, kinds[int(rng.random() * len(kinds))]))
            live.append(made)
            made += 1
    return ops


def _fmt_ops(ops):
    return ",".join("+%d%s" % (o[1], o[2]) if o[0] == "alloc" else "-%d" % o[1] for o in ops)


def _free_lists(snap):
    lines = []
    for order in range(snap.max_order):
        for mt, pfns in enumerate(snap.free_lists[order]):
            if pfns:
                lines.append("free_area[%d] %s %s" % (order, MIGRATETYPE_NAMES[mt], list(pfns)))
    return lines


def problem(seed=0, ops=None, nr_ops=8, pages=64, max_order=4, pageblock_order=2, kinds="m",
            solve=False):
    """The text of one problem; `solve=True` fills in the answers.

    The machine is ``Machine(nodes=[{"Normal": pages}], cpus_per_node=1,
    max_order=..., pageblock_order=..., min_free_kbytes=0)``; its pcp lists
    have high 0 and batch 1 (zone_batchsize() gives 0 below 8192 pages), so
    every order-0 page goes straight through them.
    """
    from .machine import Machine
    if ops is None:
        ops = random_ops(seed, nr_ops, max_order, kinds)
        source = "--seed %d -n %d" % (seed, nr_ops)
    else:
        ops = parse_ops(ops) if isinstance(ops, str) else list(ops)
    source = '-A "%s"' % _fmt_ops(ops)
    m = Machine(nodes=[{"Normal": pages}], cpus_per_node=1, max_order=max_order,
                pageblock_order=pageblock_order, min_free_kbytes=0)
    out = ["python -m buddylab problem --pages %d --max-order %d --pageblock-order %d %s%s"
           % (pages, max_order, pageblock_order, source, " -c" if solve else ""),
           "machine: one Normal zone of %d pages, orders 0..%d, pageblocks of %d pages, 1 CPU, "
           "min_free_kbytes 0" % (pages, max_order - 1, 1 << pageblock_order)]
    out.append("at boot: " + "; ".join(_free_lists(m.zone_snapshot(0, "Normal"))))
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, op in enumerate(ops, 1):
            if op[0] == "alloc":
                name, mask = MASKS[op[2]]
                page = m.alloc_pages(mask, op[1])
                made.append((page, op[1]))
                ans = ("pfn %d" % page.pfn if page else "NULL") if solve else "?"
                out.append("op %d: a%d = alloc_pages(%s, %d) -> %s"
                           % (i, len(made) - 1, name, op[1], ans))
            else:
                idx = op[1]
                if not 0 <= idx < len(made) or made[idx][0] is None:
                    raise BuddyLabError("op %d frees a%d, which was never allocated" % (i, idx))
                page, order = made[idx]
                m.free_pages(page, order)
                made[idx] = (None, order)
                out.append("op %d: __free_pages(a%d, %d)" % (i, idx, order))
    out.append("free lists at the end (head -> tail):")
    if solve:
        out.extend("  " + ln for ln in _free_lists(m.zone_snapshot(0, "Normal")))
    else:
        out.extend("  free_area[%d] ?" % order for order in range(max_order))
    return "\n".join(out)
