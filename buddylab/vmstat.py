"""The text of /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo and the extfrag debugfs files.

Kernel: mm/vmstat.c (v4.18 layout, byte for byte, trailing spaces included).

Every function here is pure: it reads a `buddylab.snapshot.MachineSnapshot`
(or plain numbers) and returns numbers or text; nothing in the model changes.
The layouts follow the seq_printf() format strings of v4.18: `"%8s"` right-aligns
a zone name in 8 columns, `"%6lu "` leaves a space after every count, so lines of
/proc/buddyinfo and /proc/pagetypeinfo end with a space before the newline.

Values the model does not track (LRU sizes, slab, NUMA hit counters, ...) are
printed as 0; the stat names come from vmstat_text[] and are kept below as data.
The build configuration assumed is an x86_64 distribution kernel:
CONFIG_NUMA, CONFIG_SMP and CONFIG_ZSMALLOC on, CONFIG_CMA and
CONFIG_MEMORY_ISOLATION on (six migrate types), no page_owner.
"""

from .mmzone import MAX_ORDER, MIGRATETYPE_NAMES, MIGRATE_TYPES, PAGE_SHIFT

SECTION_SIZE_BITS = 27                          # x86_64 sparsemem: 128 MiB sections
PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT

# ---------------------------------------------------------------------------
# vmstat_text[] of v4.18 (mm/vmstat.c), split the way zoneinfo_show_print()
# indexes it: zone items, then NUMA items, then node items.

# enum zone_stat_item (CONFIG_ZSMALLOC on: "nr_zspages" present)
ZONE_STAT_ITEMS = (
    "nr_free_pages",
    "nr_zone_inactive_anon",
    "nr_zone_active_anon",
    "nr_zone_inactive_file",
    "nr_zone_active_file",
    "nr_zone_unevictable",
    "nr_zone_write_pending",
    "nr_mlock",
    "nr_page_table_pages",
    "nr_kernel_stack",
    "nr_bounce",
    "nr_zspages",
    "nr_free_cma",
)

# enum numa_stat_item (CONFIG_NUMA)
NUMA_STAT_ITEMS = (
    "numa_hit",
    "numa_miss",
    "numa_foreign",
    "numa_interleave",
    "numa_local",
    "numa_other",
)

# enum node_stat_item.  The last entry is NR_INDIRECTLY_RECLAIMABLE_BYTES, whose
# name 4.17-4.19 blank out ("" /* nr_indirectly_reclaimable */) to hide it from
# /proc/vmstat; zoneinfo_show_print() of those versions still prints it, as a
# line of 19 spaces and the value.
NODE_STAT_ITEMS = (
    "nr_inactive_anon",
    "nr_active_anon",
    "nr_inactive_file",
    "nr_active_file",
    "nr_unevictable",
    "nr_slab_reclaimable",
    "nr_slab_unreclaimable",
    "nr_isolated_anon",
    "nr_isolated_file",
    "workingset_refault",
    "workingset_activate",
    "workingset_nodereclaim",
    "nr_anon_pages",
    "nr_mapped",
    "nr_file_pages",
    "nr_dirty",
    "nr_writeback",
    "nr_writeback_temp",
    "nr_shmem",
    "nr_shmem_hugepages",
    "nr_shmem_pmdmapped",
    "nr_anon_transparent_hugepages",
    "nr_unstable",
    "nr_vmscan_write",
    "nr_vmscan_immediate_reclaim",
    "nr_dirtied",
    "nr_written",
    "",
)

# The format strings, as data, in the order the kernel prints them.
BUDDYINFO_ZONE_FMT = "Node %d, zone %8s "          # frag_show_print
BUDDYINFO_COUNT_FMT = "%6lu "
PAGETYPEINFO_FREE_ROW_FMT = "Node %4d, zone %8s, type %12s "   # pagetypeinfo_showfree_print
PAGETYPEINFO_BLOCK_ROW_FMT = "Node %d, zone %8s "              # ..._showblockcount_print
ZONEINFO_WATERMARK_LINES = (                       # zoneinfo_show_print
    "\n  pages free     %lu",
    "\n        min      %lu",
    "\n        low      %lu",
    "\n        high     %lu",
    "\n        spanned  %lu",
    "\n        present  %lu",
    "\n        managed  %lu",
)
ZONEINFO_STAT_FMT = "\n      %-12s %lu"
ZONEINFO_PAGESET_FMT = ("\n    cpu: %i"
                        "\n              count: %i"
                        "\n              high:  %i"
                        "\n              batch: %i")
ZONEINFO_THRESHOLD_FMT = "\n  vm stats threshold: %d"
ZONEINFO_TAIL_FMT = ("\n  node_unreclaimable:  %u"
                     "\n  start_pfn:           %lu")
FRAG_INDEX_FMT = "%d.%03d "                        # extfrag_show_print, unusable_show_print


# ---------------------------------------------------------------------------
# Fragmentation metrics

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


def fragmentation_index(order, nr_free, max_order=MAX_ORDER):
    """The extfrag index of an order-`order` request, times 1000.

    Kernel: __fragmentation_index() (and fragmentation_index()) in mm/vmstat.c.

    Only meaningful when the request would fail: with a suitable block free it
    is -1000; with no free block at all it is 0.  Otherwise
    1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total,
    integer divisions: near 0 means "failing for lack of memory" (reclaim),
    near 1000 "failing for fragmentation" (compact).  compaction_suitable()
    skips compaction when it lies in [0, extfrag_threshold = 500].
    An order >= max_order is a WARN_ON_ONCE in the kernel and returns 0.

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
    mem = managed_pages >> (27 - PAGE_SHIFT)
    threshold = 2 * nr_online_cpus.bit_length() * (1 + mem.bit_length())
    return min(125, threshold)


# ---------------------------------------------------------------------------
# Text helpers

def _c_div(a, b):
    """C integer division: truncates toward zero (Python's // floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _index_text(index):
    """`"%d.%03d "` of index / 1000 and index % 1000, with C's truncation.

    >>> _index_text(808), _index_text(-1000), _index_text(0)
    ('0.808 ', '-1.000 ', '0.000 ')
    """
    q = _c_div(index, 1000)
    return FRAG_INDEX_FMT % (q, index - q * 1000)


def _nodes(snap):
    """The zones of `snap` grouped by node, in the order the snapshot lists them."""
    nodes = {}
    for zone in snap.zones:
        nodes.setdefault(zone.nid, []).append(zone)
    return list(nodes.items())


def _walk_populated(snap, print_zone):
    """walk_zones_in_node(..., assert_populated=true, ...) over every node."""
    return "".join(print_zone(zone)
                   for _, zones in _nodes(snap) for zone in zones if zone.populated)


# ---------------------------------------------------------------------------
# /proc/buddyinfo

def buddyinfo(snap):
    """The text of /proc/buddyinfo: nr_free per order, one line per populated zone.

    Kernel: frag_show() / frag_show_print() in mm/vmstat.c.

    Each line is "Node %d, zone %8s " then "%6lu " per order, so it ends in a
    space.  Empty zones are left out.
    """
    def print_zone(zone):
        return (BUDDYINFO_ZONE_FMT % (zone.nid, zone.name)
                + "".join(BUDDYINFO_COUNT_FMT % zone.nr_free[order]
                          for order in range(snap.max_order))
                + "\n")
    return _walk_populated(snap, print_zone)


# ---------------------------------------------------------------------------
# /proc/pagetypeinfo

def _section_is_hole(zone, pfn):
    """True if pfn_to_online_page(pfn) would fail: its whole section is a hole of the zone.

    Kernel: pfn_to_online_page() in include/linux/memory_hotplug.h (sparsemem).

    A section that reaches outside the zone may hold another zone's memory,
    so it is taken as present.
    """
    start = pfn >> PFN_SECTION_SHIFT << PFN_SECTION_SHIFT
    end = start + (1 << PFN_SECTION_SHIFT)
    if start < zone.start_pfn or end > zone.end_pfn:
        return False
    covered = start
    for hole_start, hole_end in sorted(zone.holes):
        if hole_start <= covered < hole_end:
            covered = hole_end
    return covered >= end


def pageblock_counts(zone, pageblock_order):
    """Pageblocks of each migrate type in `zone`, as pagetypeinfo counts them.

    Kernel: pagetypeinfo_showblockcount_print() in mm/vmstat.c.

    The walk starts at zone_start_pfn, not at an aligned pfn, and steps by
    pageblock_nr_pages while below the zone's end; each visited pfn counts the
    type of the pageblock holding it.  A zone starting at pfn 1 and ending at
    4096 visits 1, 513, ..., 3585: 8 pageblocks; one spanning [8448, 8800)
    visits only 8448, so the pageblock at 8704 it also touches is not counted.
    A pfn whose whole memory section (128 MiB) lies in a hole of the zone has
    no struct page (pfn_to_online_page() fails) and is skipped.
    """
    nr_pages = 1 << pageblock_order
    block_mt = dict(zone.pageblock_mt)
    count = [0] * MIGRATE_TYPES
    for pfn in range(zone.start_pfn, zone.end_pfn, nr_pages):
        if _section_is_hole(zone, pfn):
            continue
        mt = block_mt.get(pfn & ~(nr_pages - 1))
        if mt is not None and mt < MIGRATE_TYPES:
            count[mt] += 1
    return tuple(count)


def pagetypeinfo(snap):
    """The text of /proc/pagetypeinfo (4.18: free counts and block counts).

    Kernel: pagetypeinfo_show(), pagetypeinfo_showfree_print() and
    pagetypeinfo_showblockcount_print() in mm/vmstat.c.

    Every node with memory prints its own header, then one row per (populated
    zone, migrate type) counting free_list entries per order, then the
    pageblock counts.  A node without memory prints nothing.  The "mixed
    blocks" section needs page_owner and is not printed.
    """
    out = []
    for nid, zones in _nodes(snap):
        populated = [zone for zone in zones if zone.populated]
        if not populated:                       # !node_state(nid, N_MEMORY)
            continue
        out.append("Page block order: %d\n" % snap.pageblock_order)
        out.append("Pages per block:  %lu\n" % (1 << snap.pageblock_order))
        out.append("\n")
        out.append("%-43s " % "Free pages count per migrate type at order")
        out.extend("%6d " % order for order in range(snap.max_order))
        out.append("\n")
        for zone in populated:
            for mt in range(MIGRATE_TYPES):
                out.append(PAGETYPEINFO_FREE_ROW_FMT
                           % (nid, zone.name, MIGRATETYPE_NAMES[mt]))
                out.extend("%6lu " % zone.free_count(mt, order)
                           for order in range(snap.max_order))
                out.append("\n")
        out.append("\n%-23s" % "Number of blocks type ")
        out.extend("%12s " % name for name in MIGRATETYPE_NAMES[:MIGRATE_TYPES])
        out.append("\n")
        for zone in populated:
            out.append(PAGETYPEINFO_BLOCK_ROW_FMT % (nid, zone.name))
            out.extend("%12lu " % n
                       for n in pageblock_counts(zone, snap.pageblock_order))
            out.append("\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# /proc/zoneinfo

def zone_stat_values(zone):
    """{name: value} of enum zone_stat_item: free and free CMA pages, the counters in
    `zone.vm_stat` (the owners' LRU and write-pending pages); the rest 0.

    Kernel: zone_page_state() in include/linux/vmstat.h, as zoneinfo_show_print() reads it.
    """
    values = dict.fromkeys(ZONE_STAT_ITEMS, 0)
    values.update(zone.vm_stat)
    values["nr_free_pages"] = zone.nr_free_pages
    values["nr_free_cma"] = zone.nr_free_cma_pages
    return values


def node_stat_values(zones):
    """{name: value} of enum node_stat_item for a node: the sum of its zones' `node_stat`.

    Kernel: node_page_state() in include/linux/vmstat.h, as zoneinfo_show_print() reads it.
    """
    values = dict.fromkeys(NODE_STAT_ITEMS, 0)
    for zone in zones:
        for name, value in zone.node_stat:
            values[name] += value
    return values


def _zoneinfo_zone(snap, zone, node_stats):
    """One zone of /proc/zoneinfo (zoneinfo_show_print()); `node_stats` only for the node's
    first populated zone."""
    out = ["Node %d, zone %8s" % (zone.nid, zone.name)]
    if node_stats is not None:
        out.append("\n  per-node stats")
        out.extend(ZONEINFO_STAT_FMT % (name, node_stats[name]) for name in NODE_STAT_ITEMS)
    values = (zone.nr_free_pages, *zone.watermark,
              zone.spanned_pages, zone.present_pages, zone.managed_pages)
    out.extend(fmt % value for fmt, value in zip(ZONEINFO_WATERMARK_LINES, values))
    out.append("\n        protection: (%ld" % zone.lowmem_reserve[0])
    out.extend(", %ld" % reserve for reserve in zone.lowmem_reserve[1:])
    out.append(")")
    if not zone.populated:
        out.append("\n")
        return "".join(out)
    stats = zone_stat_values(zone)
    out.extend(ZONEINFO_STAT_FMT % (name, stats[name]) for name in ZONE_STAT_ITEMS)
    out.extend(ZONEINFO_STAT_FMT % (name, 0) for name in NUMA_STAT_ITEMS)
    out.append("\n  pagesets")
    threshold = calculate_normal_threshold(zone.managed_pages, snap.nr_cpus)
    for pcp in sorted(zone.pcp, key=lambda p: p.cpu):
        out.append(ZONEINFO_PAGESET_FMT % (pcp.cpu, pcp.count, pcp.high, pcp.batch))
        out.append(ZONEINFO_THRESHOLD_FMT % threshold)
    unreclaimable = snap.node_unreclaimable[zone.nid] if snap.node_unreclaimable else False
    out.append(ZONEINFO_TAIL_FMT % (unreclaimable, zone.start_pfn))
    out.append("\n")
    return "".join(out)


def zoneinfo(snap):
    """The text of /proc/zoneinfo in the 4.18 layout, every zone of every node.

    Kernel: zoneinfo_show() / zoneinfo_show_print() and is_zone_first_populated()
    in mm/vmstat.c; calculate_normal_threshold() for "vm stats threshold".

    All zones are printed, empty ones too (lowmem_reserve_ratio acts on all of
    them), but an empty zone stops after its protection line.  The per-node
    stats come once per node, in the node's first populated zone.  Lines are
    "\\n"-led, so the file has no trailing spaces.  The owners' LRU, dirty and
    slab pages are counted (Owners.vm_stat()); counters the model does not
    keep print 0; "vm stats threshold" is computed for `snap.nr_cpus` online
    CPUs; node_unreclaimable is pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES
    (`snap.node_unreclaimable`; 0 for a snapshot without it).
    """
    out = []
    for _, zones in _nodes(snap):
        first = next((zone for zone in zones if zone.populated), None)
        node_stats = node_stat_values(zones)
        out.extend(_zoneinfo_zone(snap, zone, node_stats if zone is first else None)
                   for zone in zones)
    return "".join(out)


# ---------------------------------------------------------------------------
# /sys/kernel/debug/extfrag/{extfrag_index,unusable_index}

def extfrag_index(snap):
    """The text of /sys/kernel/debug/extfrag/extfrag_index.

    Kernel: extfrag_show() / extfrag_show_print() in mm/vmstat.c.

    One line per populated zone, "%d.%03d " per order: -1.000 where the order
    would succeed, 0.000 when the zone has no free block.
    """
    def print_zone(zone):
        return (BUDDYINFO_ZONE_FMT % (zone.nid, zone.name)
                + "".join(_index_text(fragmentation_index(order, zone.nr_free,
                                                          snap.max_order))
                          for order in range(snap.max_order))
                + "\n")
    return _walk_populated(snap, print_zone)


def unusable_index(snap):
    """The text of /sys/kernel/debug/extfrag/unusable_index.

    Kernel: unusable_show() / unusable_show_print() in mm/vmstat.c.

    One line per populated zone, "%d.%03d " per order; 1.000 means no free
    block is large enough (or nothing is free).
    """
    def print_zone(zone):
        return (BUDDYINFO_ZONE_FMT % (zone.nid, zone.name)
                + "".join(_index_text(unusable_free_index(order, zone.nr_free))
                          for order in range(snap.max_order))
                + "\n")
    return _walk_populated(snap, print_zone)
