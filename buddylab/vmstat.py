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

from dataclasses import dataclass

from . import procfmt
from .fragindex import (fill_contig_page_info, fragmentation_index,   # noqa: F401  (old names)
                        unusable_free_index, calculate_normal_threshold)
from .mmzone import (MIGRATETYPE_NAMES, MIGRATE_TYPES, MIGRATE_ISOLATE, SECTION_SIZE_BITS,  # noqa: F401
                     PFN_SECTION_SHIFT)

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

# This kernel's zoneinfo_show_print() lines (the layouts live in buddylab.procfmt)
ZONEINFO_LAYOUT = procfmt.ZONEINFO_V4_18


@dataclass(frozen=True)
class ZoneinfoText:
    """What one kernel's zoneinfo_show_print() prints, as data: its vmstat_text[] items
    (zone, NUMA, node, in the order it prints them) and its zoneinfo line layout."""
    zone_items: tuple
    numa_items: tuple
    node_items: tuple
    layout: procfmt.ZoneinfoLayout


#: v4.18's (the v6.18 table is in buddylab/kernels/v6_18/vmstat.py)
ZONEINFO_V4_18 = ZoneinfoText(ZONE_STAT_ITEMS, NUMA_STAT_ITEMS, NODE_STAT_ITEMS,
                              ZONEINFO_LAYOUT)

#: (migratetype, name) of each pagetypeinfo column of v4.18 (CONFIG_CMA and
#: CONFIG_MEMORY_ISOLATION on: every migrate type)
MIGRATETYPE_COLUMNS = tuple(enumerate(MIGRATETYPE_NAMES[:MIGRATE_TYPES]))

_index_text = procfmt.index_text        # "%d.%03d " of an index x1000


# ---------------------------------------------------------------------------
# Text helpers

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
        return procfmt.buddyinfo_line(zone.nid, zone.name, zone.nr_free[:snap.max_order])
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


def pageblock_counts(zone, pageblock_order, columns=MIGRATETYPE_COLUMNS):
    """Pageblocks of each migrate type in `zone`, as pagetypeinfo counts them.

    Kernel: pagetypeinfo_showblockcount_print() in mm/vmstat.c.

    The walk starts at zone_start_pfn, not at an aligned pfn, and steps by
    pageblock_nr_pages while below the zone's end; each visited pfn counts the
    type of the pageblock holding it.  A zone starting at pfn 1 and ending at
    4096 visits 1, 513, ..., 3585: 8 pageblocks; one spanning [8448, 8800)
    visits only 8448, so the pageblock at 8704 it also touches is not counted.
    A pfn whose whole memory section (128 MiB) lies in a hole of the zone has
    no struct page (pfn_to_online_page() fails) and is skipped.  `columns` are the
    (migratetype, name) pairs the kernel's config prints.
    """
    nr_pages = 1 << pageblock_order
    block_mt = dict(zone.pageblock_mt)
    column = {mt: i for i, (mt, _) in enumerate(columns)}
    count = [0] * len(columns)
    for pfn in range(zone.start_pfn, zone.end_pfn, nr_pages):
        if _section_is_hole(zone, pfn):
            continue
        mt = block_mt.get(pfn & ~(nr_pages - 1))
        if mt in column:
            count[column[mt]] += 1
    return tuple(count)


def pagetypeinfo(snap, columns=MIGRATETYPE_COLUMNS, free_list_cap=None):
    """The text of /proc/pagetypeinfo (4.18: free counts and block counts).

    Kernel: pagetypeinfo_show(), pagetypeinfo_showfree_print() and
    pagetypeinfo_showblockcount_print() in mm/vmstat.c.

    Every node with memory prints its own header, then one row per (populated
    zone, migrate type) counting free_list entries per order, then the
    pageblock counts.  A node without memory prints nothing.  The "mixed
    blocks" section needs page_owner and is not printed.  `columns` are the
    (migratetype, name) pairs of the kernel's config (v4.18: all six);
    `free_list_cap` is 6.x's list walk limit (a count that reaches it prints
    ">" and the cap; v4.18 has none).
    """
    out = []
    for nid, zones in _nodes(snap):
        populated = [zone for zone in zones if zone.populated]
        if not populated:                       # !node_state(nid, N_MEMORY)
            continue
        orders = range(snap.max_order)
        out.append(procfmt.pagetypeinfo_header(snap.pageblock_order,
                                               1 << snap.pageblock_order, orders))
        for zone in populated:
            for mt, name in columns:
                counts = [zone.free_count(mt, order) for order in orders]
                over = None
                if free_list_cap is not None:
                    over = [n >= free_list_cap for n in counts]
                    counts = [min(n, free_list_cap) for n in counts]
                out.append(procfmt.free_row(nid, zone.name, name, counts, over))
        out.append("\n" + procfmt.names_line(procfmt.BLOCKS_HEADER,
                                             [name for _, name in columns]) + "\n")
        for zone in populated:
            out.append(procfmt.block_row(nid, zone.name,
                                         pageblock_counts(zone, snap.pageblock_order, columns)))
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
    values["nr_free_pages_blocks"] = nr_free_pages_blocks(zone)
    return values


def nr_free_pages_blocks(zone):
    """NR_FREE_PAGES_BLOCKS (v6.15+): free pages in buddy blocks of pageblock_order or more.

    Kernel: __add_to_free_list() / __del_page_from_free_list() in mm/page_alloc.c
    (v6.18) count a block of order >= pageblock_order that is not on an ISOLATE list.
    """
    return sum(len(zone.free_lists[order][mt]) << order
               for order in range(zone.pageblock_order, len(zone.free_lists))
               for mt in range(len(zone.free_lists[order])) if mt != MIGRATE_ISOLATE)


def node_stat_values(zones, items=NODE_STAT_ITEMS):
    """{name: value} of enum node_stat_item for a node: the sum of its zones' `node_stat`.

    Kernel: node_page_state() in include/linux/vmstat.h, as zoneinfo_show_print() reads it.
    """
    values = dict.fromkeys(items, 0)
    for zone in zones:
        for name, value in zone.node_stat:
            values[name] += value
    return values


def _zoneinfo_zone(snap, zone, node_stats, text):
    """One zone of /proc/zoneinfo (zoneinfo_show_print()); `node_stats` only for the node's
    first populated zone.  Every value either kernel prints is computed; `text.layout`
    picks the lines of its kernel."""
    boost = zone.watermark_boost
    marks = [w + boost for w in zone.watermark]        # min_wmark_pages() ... (+ boost)
    values = dict(zip(("min", "low", "high", "promo"), marks),
                  free=zone.nr_free_pages, boost=boost, spanned=zone.spanned_pages,
                  present=zone.present_pages, managed=zone.managed_pages, cma=zone.cma_pages)
    node_items = None
    if node_stats is not None:
        node_items = [(name, node_stats[name]) for name in text.node_items]
    if not zone.populated:
        return text.layout.zone_text(zone.nid, zone.name, values, zone.lowmem_reserve,
                                     node_items)
    stats = zone_stat_values(zone)
    zone_items = [(name, stats.get(name, 0)) for name in text.zone_items]
    zone_items += [(name, 0) for name in text.numa_items]
    threshold = calculate_normal_threshold(zone.managed_pages, snap.nr_cpus)
    pagesets = [dict(cpu=pcp.cpu, count=pcp.count, high=pcp.high, batch=pcp.batch,
                     high_min=pcp.high_min, high_max=pcp.high_max, stat_threshold=threshold)
                for pcp in sorted(zone.pcp, key=lambda p: p.cpu)]
    unreclaimable = snap.node_unreclaimable[zone.nid] if snap.node_unreclaimable else False
    return text.layout.zone_text(zone.nid, zone.name, values, zone.lowmem_reserve,
                                 node_items, zone_items, pagesets,
                                 dict(node_unreclaimable=unreclaimable,
                                      start_pfn=zone.start_pfn))


def zoneinfo(snap, text=ZONEINFO_V4_18):
    """The text of /proc/zoneinfo in the 4.18 layout (or `text`'s), every zone of every node.

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
        node_stats = node_stat_values(zones, text.node_items)
        out.extend(_zoneinfo_zone(snap, zone, node_stats if zone is first else None, text)
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
        return procfmt.frag_index_line(zone.nid, zone.name,
                                       (fragmentation_index(order, zone.nr_free, snap.max_order)
                                        for order in range(snap.max_order)))
    return _walk_populated(snap, print_zone)


def unusable_index(snap):
    """The text of /sys/kernel/debug/extfrag/unusable_index.

    Kernel: unusable_show() / unusable_show_print() in mm/vmstat.c.

    One line per populated zone, "%d.%03d " per order; 1.000 means no free
    block is large enough (or nothing is free).
    """
    def print_zone(zone):
        return procfmt.frag_index_line(zone.nid, zone.name,
                                       (unusable_free_index(order, zone.nr_free)
                                        for order in range(snap.max_order)))
    return _walk_populated(snap, print_zone)
