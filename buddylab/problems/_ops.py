"""Operation lists for the allocate/free kinds: the -A syntax, the machine, the run.

Kernel: none (teaching support).  The calls made are the public interface
(alloc_pages(), __free_pages()); every answer comes from the model.

``+o`` allocates order o (``m`` movable, the default: GFP_HIGHUSER_MOVABLE;
``u`` unmovable: GFP_KERNEL; ``r`` reclaimable: GFP_KERNEL|__GFP_RECLAIMABLE),
``-i`` frees the i-th allocation made (a0, a1, ... counting NULLs too).

>>> parse_ops("+2, +0u,-0")
[('alloc', 2, 'm'), ('alloc', 0, 'u'), ('free', 0)]
>>> fmt_ops(parse_ops("+2,+0u,-0"))
'+2m,+0u,-0'
"""

from .. import gfp as G
from .. import mmzone as mz
from ..errors import BuddyLabError
from ..machine import Page

__all__ = ["migratetype_of", "result_pfn", "MASKS", "mask_value", "named_mask", "OPS_HELP", "parse_ops",
           "fmt_ops",
           "teaching_machine", "machine_line",
           "free_list_lines", "pcp_list_name", "pcp_list_lines", "pcp_blocks", "OpRun"]

# kind -> (the mask's name, its v4.18 value); `mask_value` gives it under any profile
MASKS = {"m": ("GFP_HIGHUSER_MOVABLE", G.GFP_HIGHUSER_MOVABLE),
         "u": ("GFP_KERNEL", G.GFP_KERNEL),
         "r": ("GFP_KERNEL|__GFP_RECLAIMABLE", G.GFP_KERNEL | G.__GFP_RECLAIMABLE)}
TYPE_OF = {"m": mz.MIGRATE_MOVABLE, "u": mz.MIGRATE_UNMOVABLE, "r": mz.MIGRATE_RECLAIMABLE}

OPS_HELP = ('-A "+2,+0u,-0": +ORDER allocates 2^ORDER pages (suffix m: GFP_HIGHUSER_MOVABLE, '
            'the default; u: GFP_KERNEL, unmovable; r: GFP_KERNEL|__GFP_RECLAIMABLE), '
            '-I frees allocation aI (a0 is the first allocation made)')


def _short(text, width=24):
    """`text` for an error line: repr'd, cut to `width` characters with '...'."""
    return repr(text) if len(text) <= width else repr(text[:width]) + "..."


def parse_ops(text):
    """'+2,+0u,-0' -> [("alloc", 2, "m"), ("alloc", 0, "u"), ("free", 0)].

    A number of more than six digits is refused (no order or allocation index is that large),
    and an error line quotes at most 24 characters of what was typed.

    >>> parse_ops("+1" + "0" * 40)
    Traceback (most recent call last):
    ...
    buddylab.errors.BuddyLabError: bad operation '+10000000000000000000000'...: use +ORDER[m|u|r] or -INDEX
    """
    if not isinstance(text, str):
        raise BuddyLabError("operations must be a str like \"+2,+0u,-0\", got %r" % (text,))
    ops = []
    for item in text.replace(" ", "").split(","):
        if not item:
            continue
        try:
            if item[0] == "+":
                kind = item[-1] if item[-1] in MASKS else "m"
                body = item[1:-1] if item[-1] in MASKS else item[1:]
                if not body.isdigit() or len(body) > 6:
                    raise ValueError
                ops.append(("alloc", int(body), kind))
            elif item[0] == "-":
                if not item[1:].isdigit() or len(item) > 7:
                    raise ValueError
                ops.append(("free", int(item[1:])))
            else:
                raise ValueError
        except (ValueError, IndexError):
            raise BuddyLabError("bad operation %s: use +ORDER[m|u|r] or -INDEX"
                                % _short(item)) from None
    if not ops:
        raise BuddyLabError("no operations in %s: use e.g. \"+2,+0u,-0\"" % _short(text))
    return ops


def fmt_ops(ops):
    """The -A text of an operation list."""
    return ",".join("+%d%s" % (o[1], o[2]) if o[0] == "alloc" else "-%d" % o[1] for o in ops)


def named_mask(m, names):
    """The GFP mask written `names` ("GFP_KERNEL|__GFP_THISNODE") under `m`'s kernel (the bits
    differ between v4.18 and v6.18: include/linux/gfp.h, include/linux/gfp_types.h)."""
    value = 0
    for name in names.split("|"):
        value |= getattr(m.kernel.gfp, name)
    return value


def mask_value(m, kind):
    """The GFP mask of request kind m/u/r under `m`'s kernel (named_mask())."""
    return named_mask(m, MASKS[kind][0])


def teaching_machine(pages, max_order, pageblock_order, percpu_pagelist_fraction=0,
                     kernel="classic"):
    """One Normal zone, one CPU, min_free_kbytes 0: the machine of every allocate/free kind.

    Classic (v4.18): below 8192 managed pages zone_batchsize() is 0, so the pcp lists have
    high 0 and batch 1: an order-0 page passes through them one at a time,
    unless percpu_pagelist_fraction sets high = managed / fraction (and batch
    = high / 4, pageset_set_high()).  Modern (v6.18): orders 0..3 pass through the pcp
    lists, whose high is auto-tuned between high_min and high_max (machine_line prints them);
    `percpu_pagelist_fraction` is then percpu_pagelist_high_fraction.
    """
    from ..kernels.select import get_kernel
    from ..machine import Machine
    k = get_kernel(kernel)
    return Machine(nodes=[{"Normal": pages}], cpus_per_node=1, max_order=max_order,
                   pageblock_order=pageblock_order, min_free_kbytes=0, kernel=kernel,
                   **{k.pcp_fraction_sysctl: percpu_pagelist_fraction})


def machine_line(m, pages):
    """The 'machine:' line every allocate/free kind prints."""
    pcp = m.zone(0, "Normal").pageset[0]
    if m.kernel.pcp_high_decays:          # v6.18: high auto-tuned in [high_min, high_max]
        pcp_text = ", pcp lists for orders 0..%d, batch %d, high_min %d, high_max %d" % (
            m.kernel.PAGE_ALLOC_COSTLY_ORDER, pcp.batch, pcp.high_min, pcp.high_max)
    else:
        pcp_text = ("" if (pcp.high, pcp.batch) == (0, 1)
                    else ", pcp high %d batch %d" % (pcp.high, pcp.batch))
    return ("machine: %sone Normal zone of %d pages, orders 0..%d, pageblocks of %d pages, "
            "1 CPU, min_free_kbytes 0" % ("" if not m.kernel.order_limit_inclusive else
                                           "v6.18 kernel, ", pages, m.max_order - 1,
                                           m.pageblock_nr_pages)) + pcp_text + (
        "" if not m.page_group_by_mobility_disabled else
        ", grouping by mobility disabled (fewer than pageblock_nr_pages * MIGRATE_TYPES pages: "
        "every request is Unmovable)")


def migratetype_of(m, kind):
    """The migratetype a request of kind m/u/r gets on this machine (gfpflags_to_migratetype())."""
    return G.gfpflags_to_migratetype(mask_value(m, kind), m.page_group_by_mobility_disabled)


def free_list_lines(snap, types=None):
    """'free_area[o] Type [pfns]' for every non-empty list (head -> tail)."""
    lines = []
    for order in range(snap.max_order):
        for mt, pfns in enumerate(snap.free_lists[order]):
            if pfns and (types is None or mt in types):
                lines.append("free_area[%d] %s %s" % (order, mz.MIGRATETYPE_NAMES[mt], list(pfns)))
    return lines


def pcp_list_name(m, pindex):
    """'order-O Type' of pcp->lists[pindex] (order_to_pindex() of the machine's kernel; v6.18's
    THP-order list shared by Unmovable and Reclaimable is named 'Unmovable/Reclaimable')."""
    order = m.kernel.pindex_to_order(pindex)
    types = [mz.MIGRATETYPE_NAMES[mt] for mt in range(mz.MIGRATE_PCPTYPES)
             if _pindex_of(m, mt, order) == pindex]
    return "order-%d %s" % (order, "/".join(types))


def _pindex_of(m, mt, order):
    try:
        return m.kernel.order_to_pindex(mt, order)
    except AssertionError:                  # an order this kernel keeps no pcp list of
        return None


def pcp_blocks(m, snap, cpu=0):
    """[(pfn, order)] of every block on CPU `cpu`'s pcp lists in `snap`."""
    lists = snap.pcp[cpu].lists
    return [(pfn, m.kernel.pindex_to_order(i)) for i, pfns in enumerate(lists) for pfn in pfns]


def pcp_list_lines(m, snap, cpu=0):
    """'pcp order-O Type [pfns]' for every non-empty pcp list of CPU `cpu` (head -> tail)."""
    return ["pcp %s %s" % (pcp_list_name(m, i), list(pfns))
            for i, pfns in enumerate(snap.pcp[cpu].lists) if pfns]


class OpRun:
    """Runs alloc/free operations one by one on a machine, keeping what each one did.

    ``made[i]`` is (pfn or None, order) of allocation ai; ``events[j]`` the
    trace events of operation j; ``before[j]`` the zone snapshot before it
    (with keep_before=True; else None).
    """

    def __init__(self, m, keep_before=False):
        self.m = m
        self.keep_before = keep_before
        self.made = []
        self.ops = []
        self.events = []
        self.before = []
        self.trace = m.start_trace()

    def live(self):
        """Indices of allocations that succeeded and are not freed yet."""
        return [i for i, (pfn, _) in enumerate(self.made) if pfn is not None]

    def run(self, op):
        """Apply one operation; BuddyLabError for a free of something not held."""
        m = self.m
        n = len(self.ops) + 1
        if op[0] == "alloc" and not 0 <= op[1] < m.max_order:
            raise BuddyLabError("op %d: order %d: orders here are 0..%d"
                                % (n, op[1], m.max_order - 1))
        if op[0] == "free":
            idx = op[1]
            if not 0 <= idx < len(self.made):
                raise BuddyLabError("op %d frees a%d, which was never allocated" % (n, idx))
            if self.made[idx][0] is None:
                raise BuddyLabError("op %d frees a%d, which is not held (it returned NULL or "
                                    "was freed already)" % (n, idx))
        self.before.append(m.zone_snapshot(0, "Normal") if self.keep_before else None)
        start = len(self.trace.events)
        if op[0] == "alloc":
            page = m.alloc_pages(mask_value(m, op[2]), op[1])
            self.made.append((None if page is None else page.pfn, op[1]))
        else:
            pfn, order = self.made[op[1]]
            m.free_pages(Page(pfn), order)      # a bare 0 would be free_pages(0): a no-op
            self.made[op[1]] = (None, order)
        self.ops.append(op)
        self.events.append(self.trace.events[start:])

    def random_ops(self, rng, nr_ops, max_order, types="m", p_free=0.4, orders=3):
        """Run `nr_ops` seeded operations: frees (of held allocations only) with
        probability p_free, else allocations of order 0..orders-1 of a type out of `types`."""
        for _ in range(nr_ops):
            live = self.live()
            if live and rng.random() < p_free:
                self.run(("free", live[int(rng.random() * len(live))]))
            else:
                order = int(rng.random() * min(orders, max_order))
                self.run(("alloc", order, types[int(rng.random() * len(types))]))

    def given_lines(self, start=0):
        """The operations from `start` on, answered (for kinds that ask about what follows)."""
        out, made = [], sum(1 for o in self.ops[:start] if o[0] == "alloc")
        for i, op in enumerate(self.ops[start:], start + 1):
            if op[0] == "alloc":
                pfn = result_pfn(self.events[i - 1])
                out.append("op %d: a%d = alloc_pages(%s, %d) -> %s" % (
                    i, made, MASKS[op[2]][0], op[1], "NULL" if pfn is None else "pfn %d" % pfn))
                made += 1
            else:
                out.append(self.free_line(i, op))
        return out

    def free_line(self, i, op):
        """'op i: __free_pages(aI, order)'."""
        return "op %d: __free_pages(a%d, %d)" % (i, op[1], self.made[op[1]][1])

    def run_all(self, ops):
        """Run a list of operations; returns the zone snapshot taken before the last one."""
        for op in ops[:-1]:
            self.run(op)
        before = self.m.zone_snapshot(0, "Normal")
        self.run(ops[-1])
        return before

    def finish(self):
        """Stop tracing; the snapshot at the end."""
        self.m.stop_trace()
        return self.m.zone_snapshot(0, "Normal")


def result_pfn(events):
    """The pfn mm_page_alloc reported among `events` (None for NULL)."""
    (ev,) = [e for e in events if e.name == "mm_page_alloc"]
    return None if ev["pfn"] < 0 else ev["pfn"]
