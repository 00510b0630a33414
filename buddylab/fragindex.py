"""How fragmented a zone's free memory is: the extfrag and unusable indexes, and friends.

Kernel: fill_contig_page_info(), __fragmentation_index(), unusable_free_index(),
calculate_normal_threshold() in mm/vmstat.c (the same in v4.18 and v6.18).

Pure functions of numbers: compaction_suitable() (buddylab.compaction), the
debugfs printers (buddylab.vmstat) and the experiments call them.
"""

from .kmath import fls
from .mmzone import PAGE_SHIFT

__all__ = ["fill_contig_page_info", "fragmentation_index", "unusable_free_index",
           "calculate_normal_threshold"]


def fill_contig_page_info(nr_free, suitable_order):
    """Count free pages, free blocks, and blocks big enough for `suitable_order`.

    Kernel: fill_contig_page_info() in mm/vmstat.c.

    `nr_free[order]` is free_area[order].nr_free.  A block of order o >=
    suitable_order counts as 2**(o - suitable_order) suitable blocks: it could
    be split into that many.  Only the buddy lists are read; pcp pages are not
    free in this sense.

    Blocks 8 x order 0, 4 x order 1, 1 x order 3: 8 + 8 + 8 = 24 pages in
    13 blocks; for order 1 the suitable blocks are 4 + (1 << 2) = 8.

    >>> fill_contig_page_info((8, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0), 1)
    (24, 13, 8)
    """
    free_pages = free_blocks_total = free_blocks_suitable = 0
    for order, blocks in enumerate(nr_free):
        free_blocks_total += blocks
        free_pages += blocks << order
        if order >= suitable_order:
            free_blocks_suitable += blocks << (order - suitable_order)
    return free_pages, free_blocks_total, free_blocks_suitable


def fragmentation_index(order, nr_free, max_order=None):
    """The extfrag index of an order-`order` request, times 1000.

    Kernel: __fragmentation_index() (and fragmentation_index()) in mm/vmstat.c.

    Only meaningful when the request would fail: with a suitable block free it
    is -1000; with no free block at all it is 0.  Otherwise
    1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total,
    integer divisions: near 0 means "failing for lack of memory" (reclaim),
    near 1000 "failing for fragmentation" (compact).  compaction_suitable()
    skips compaction when it lies in [0, extfrag_threshold = 500].
    An order >= max_order is a WARN_ON_ONCE in the kernel and returns 0;
    `max_order` (the number of free lists: MAX_ORDER in 4.18, NR_PAGE_ORDERS in
    6.18) defaults to len(nr_free).

    Worked by hand for 24 free pages in 13 blocks (8 x order 0, 4 x order 1,
    1 x order 3), order 4 (requested 16):
    1000 - (1000 + 24000 / 16) / 13 = 1000 - 2500 // 13 = 1000 - 192 = 808.

    >>> nr_free = (8, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0)
    >>> fragmentation_index(4, nr_free)
    808
    >>> fragmentation_index(3, nr_free)     # an order-3 block is free
    -1000
    >>> fragmentation_index(4, (0,) * 11), fragmentation_index(11, nr_free)
    (0, 0)
    """
    if max_order is None:
        max_order = len(nr_free)
    if order < 0 or order >= max_order:
        return 0
    free_pages, free_blocks_total, free_blocks_suitable = \
        fill_contig_page_info(nr_free, order)
    if not free_blocks_total:
        return 0
    if free_blocks_suitable:
        return -1000
    requested = 1 << order
    return 1000 - (1000 + free_pages * 1000 // requested) // free_blocks_total


def unusable_free_index(order, nr_free):
    """How much of the free memory cannot serve an order-`order` request, times 1000.

    Kernel: unusable_free_index() in mm/vmstat.c.

    (free_pages - suitable_blocks << order) * 1000 / free_pages; with no free
    page at all the kernel calls everything unusable (1000).

    Same 24 free pages (8 x order 0, 4 x order 1, 1 x order 3), order 2:
    two order-2 blocks fit in the order-3 one, (24 - 8) * 1000 // 24 = 666.

    >>> nr_free = (8, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0)
    >>> [unusable_free_index(o, nr_free) for o in range(5)]
    [0, 333, 666, 666, 1000]
    >>> unusable_free_index(0, (0,) * 11)
    1000
    """
    free_pages, _, free_blocks_suitable = fill_contig_page_info(nr_free, order)
    if free_pages == 0:
        return 1000
    return (free_pages - (free_blocks_suitable << order)) * 1000 // free_pages


def calculate_normal_threshold(managed_pages, nr_online_cpus):
    """The per-cpu vmstat drift threshold of a zone ("vm stats threshold").

    Kernel: calculate_normal_threshold() in mm/vmstat.c.

    2 * fls(cpus) * (1 + fls(managed in 128 MiB units)), at most 125.
    fls() is the 1-based index of the highest set bit (fls(0) = 0).
    A 3 GiB zone on 2 CPUs: 786432 >> 15 = 24, fls(24) = 5, 2 * 2 * 6 = 24.

    >>> calculate_normal_threshold(786432, 2), calculate_normal_threshold(3977, 2)
    (24, 4)
    >>> calculate_normal_threshold(1 << 22, 1024)   # min(125, 2 * 11 * 9)
    125
    """
    mem = managed_pages >> (27 - PAGE_SHIFT)      # the kernel's literal 27: 128 MiB units
    threshold = 2 * fls(nr_online_cpus) * (1 + fls(mem))
    return min(125, threshold)
