"""Per-CPU page frame cache: struct per_cpu_pages (the data both kernels share).

Kernel: struct per_cpu_pages (include/linux/mmzone.h).  v4.18's code (rmqueue_pcplist,
__rmqueue_pcplist, rmqueue_bulk, free_unref_page(_commit), free_pcppages_bulk,
drain_pages_zone, drain_all_pages, zone_batchsize, pageset_set_batch, pageset_set_high in
mm/page_alloc.c) lives in buddylab/kernels/v4_18/pcp.py, re-exported at the end of this
file for the chapters; the model calls it through ``machine.kernel``.

Allocation and free both work at the list HEAD (hot pages, LIFO); a refill
appends at the TAIL, so a fresh list holds ascending pfns; a drain takes from
the TAIL (the oldest pages first).
"""



class PerCpuPages:
    """struct per_cpu_pages: count, high, batch and lists[NR_PCP_LISTS].

    v4.18 has MIGRATE_PCPTYPES (3) order-0 lists and only count, high and batch; v6.18 has
    NR_PCP_LISTS (14) lists indexed by order_to_pindex() and the auto-tuning fields
    high_min, high_max, flags, alloc_factor and free_count (include/linux/mmzone.h, v6.18),
    which per_cpu_pages_init() zeroes and v4.18's code never touches.  ``count`` is in pages.
    """

    def __init__(self, cpu, mm, nr_lists, high=0, batch=1):
        self.cpu = cpu
        self.count = 0
        self.high = high
        self.batch = batch
        self.high_min = 0                # v6.18: zone_highsize() bounds of the tuned high
        self.high_max = 0
        self.flags = 0                   # v6.18: PCPF_PREV_FREE_HIGH_ORDER, PCPF_FREE_HIGH_BATCH
        self.alloc_factor = 0            # v6.18: nr_pcp_alloc()'s refill scale (batch << factor)
        self.free_count = 0              # v6.18: pages freed since the last allocation
        self.nr_lists = nr_lists         # the kernel's NR_PCP_LISTS
        self.head_base = mm.reserve_heads(nr_lists, self)   # lists[i] is head head_base + i
        # pcp->lists: lists[pindex] is the list head id (a range: indexed in C, no call, so
        # the allocation and free paths read it as the kernel does, &pcp->lists[pindex])
        self.lists = range(self.head_base, self.head_base + nr_lists)

    def list_head(self, pindex):
        """The list head id of pcp->lists[pindex] (v4.18: pindex is the migrate type)."""
        return self.lists[pindex]


# compat re-exports (chapter 03, README, tests): v4.18's pcp code, never used here
from .kernels.v4_18.pcp import (MIN_PERCPU_PAGELIST_FRACTION, rounddown_pow_of_two,  # noqa: E402,F401
                                zone_batchsize, pageset_set_batch, pageset_set_high,
                                pageset_set_high_and_batch, rmqueue_bulk, rmqueue_pcplist,
                                free_pcppages_bulk, free_unref_page, drain_pages_zone,
                                drain_all_pages, BATCH_CAP_BYTES, pageset_batch_values,
                                pageset_high_values, pageset_high_and_batch)
