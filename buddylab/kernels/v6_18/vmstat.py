"""v6.18's /proc/zoneinfo, /proc/pagetypeinfo, /proc/buddyinfo and the extfrag files.

Kernel: zoneinfo_show_print(), pagetypeinfo_showfree_print(),
pagetypeinfo_showblockcount_print(), frag_show_print(), extfrag_show_print(),
unusable_show_print() and vmstat_text[] in mm/vmstat.c (v6.18).  The printers are
buddylab.vmstat's (shared with v4.18); what is v6.18's is data: the zoneinfo line layout
(procfmt.ZONEINFO_V6_18: boost, promo and cma lines; high_min and high_max per CPU), the
vmstat_text[] items below (read off the live 6.18.44 kernel's /proc/zoneinfo, config
CONFIG_NUMA, CONFIG_ZSMALLOC, no CONFIG_UNACCEPTED_MEMORY), the pagetypeinfo columns and
the 100 000-entry cap of the free-list walk.

buddyinfo, extfrag_index and unusable_index print as in v4.18 (the same format strings,
over NR_PAGE_ORDERS = 11 orders).

Simplification, said aloud: the model's config has CONFIG_CMA exactly when the machine was
given a CMA area (then pagetypeinfo prints a CMA column, as a CMA kernel does); without one
it is the live config, five columns: Unmovable Movable Reclaimable HighAtomic Isolate.
"""

from ... import vmstat as _vmstat
from ... import procfmt
from ... import mmzone as mz

# enum zone_stat_item (v6.18; CONFIG_ZSMALLOC, CONFIG_CMA's nr_free_cma is always listed)
ZONE_STAT_ITEMS = (
    "nr_free_pages", "nr_free_pages_blocks", "nr_zone_inactive_anon", "nr_zone_active_anon",
    "nr_zone_inactive_file", "nr_zone_active_file", "nr_zone_unevictable",
    "nr_zone_write_pending", "nr_mlock", "nr_zspages", "nr_free_cma",
)

# enum numa_stat_item (CONFIG_NUMA)
NUMA_STAT_ITEMS = ("numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local",
                   "numa_other")

# enum node_stat_item (v6.18, the live config)
NODE_STAT_ITEMS = (
    "nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file",
    "nr_unevictable", "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon",
    "nr_isolated_file", "workingset_nodes", "workingset_refault_anon",
    "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
    "workingset_restore_anon", "workingset_restore_file", "workingset_nodereclaim",
    "nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback", "nr_shmem",
    "nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped",
    "nr_anon_transparent_hugepages", "nr_vmscan_write", "nr_vmscan_immediate_reclaim",
    "nr_dirtied", "nr_written", "nr_throttled_written", "nr_kernel_misc_reclaimable",
    "nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack", "nr_page_table_pages",
    "nr_sec_page_table_pages", "nr_iommu_pages", "nr_swapcached", "pgpromote_success",
    "pgpromote_candidate", "pgpromote_candidate_nrl", "pgdemote_kswapd", "pgdemote_direct",
    "pgdemote_khugepaged", "pgdemote_proactive", "nr_hugetlb", "nr_balloon_pages",
    "nr_kernel_file_pages",
)

ZONEINFO_V6_18 = _vmstat.ZoneinfoText(ZONE_STAT_ITEMS, NUMA_STAT_ITEMS, NODE_STAT_ITEMS,
                                      procfmt.ZONEINFO_V6_18)

# pagetypeinfo_showfree_print(): "Cap the free_list iteration because it might be really
# large and we are under a spinlock" (mm/vmstat.c, v6.18)
FREE_LIST_CAP = 100000

# migratetype_names[] (mm/page_alloc.c, v6.18) without / with CONFIG_CMA, as model mts
COLUMNS_NO_CMA = ((mz.MIGRATE_UNMOVABLE, "Unmovable"), (mz.MIGRATE_MOVABLE, "Movable"),
                  (mz.MIGRATE_RECLAIMABLE, "Reclaimable"), (mz.MIGRATE_HIGHATOMIC, "HighAtomic"),
                  (mz.MIGRATE_ISOLATE, "Isolate"))
COLUMNS_CMA = COLUMNS_NO_CMA[:4] + ((mz.MIGRATE_CMA, "CMA"),) + COLUMNS_NO_CMA[4:]


def migratetype_columns(snap):
    """The (migratetype, name) columns of this machine's config: CMA only with a CMA area."""
    return COLUMNS_CMA if any(z.cma_pages for z in snap.zones) else COLUMNS_NO_CMA


def zoneinfo(snap):
    """/proc/zoneinfo in the v6.18 layout (zoneinfo_show_print(), mm/vmstat.c, v6.18).

    Every zone of every node, empty ones (Movable, Device) stopping after protection;
    min/low/high/promo printed with the boost added (min_wmark_pages() ...); each online
    CPU's count, high, batch, high_min, high_max and vm stats threshold.
    """
    return _vmstat.zoneinfo(snap, ZONEINFO_V6_18)


def pagetypeinfo(snap):
    """/proc/pagetypeinfo in the v6.18 layout: the config's columns, the 100 000 cap.

    Kernel: pagetypeinfo_show(), pagetypeinfo_showfree_print(),
    pagetypeinfo_showblockcount_print() in mm/vmstat.c (v6.18).
    """
    return _vmstat.pagetypeinfo(snap, migratetype_columns(snap), FREE_LIST_CAP)


buddyinfo = _vmstat.buddyinfo                   # unchanged since v4.18 (frag_show_print())
extfrag_index = _vmstat.extfrag_index           # unchanged since v4.18 (extfrag_show_print())
unusable_index = _vmstat.unusable_index         # unchanged since v4.18 (unusable_show_print())
