"""Constants and enumerations of include/linux/mmzone.h (x86_64) that both kernels share.

Kernel: include/linux/mmzone.h, include/linux/pageblock-flags.h (v4.18 and v6.18).

The numbers are the x86_64 defaults with CONFIG_CMA and CONFIG_MEMORY_ISOLATION
set (as on distribution kernels).  MAX_ORDER is *exclusive* here, as in 4.18:
valid orders are 0 .. MAX_ORDER-1 (a modern kernel spells the same limit
MAX_PAGE_ORDER = 10, inclusive).

>>> MAX_ORDER, pageblock_order, pageblock_nr_pages
(11, 9, 512)
>>> MIGRATETYPE_NAMES[MIGRATE_MOVABLE]
'Movable'
>>> MAX_ZONES_PER_ZONELIST
256
"""

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT

pageblock_order = 9                 # HUGETLB_PAGE_ORDER on x86_64
pageblock_nr_pages = 1 << pageblock_order
PAGE_ALLOC_COSTLY_ORDER = 3
# x86_64 sparsemem: 128 MiB memory sections (arch/x86/include/asm/sparsemem.h, v4.18 and v6.18)
SECTION_SIZE_BITS = 27
PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT

# enum migratetype (with CONFIG_CMA and CONFIG_MEMORY_ISOLATION)
MIGRATE_UNMOVABLE = 0
MIGRATE_MOVABLE = 1
MIGRATE_RECLAIMABLE = 2
MIGRATE_PCPTYPES = 3
MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES
MIGRATE_CMA = 4
MIGRATE_ISOLATE = 5
MIGRATE_TYPES = 6

MIGRATETYPE_NAMES = ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate")

# enum zone_type on x86_64 without HIGHMEM and without ZONE_DEVICE
ZONE_DMA = 0
ZONE_DMA32 = 1
ZONE_NORMAL = 2
ZONE_MOVABLE = 3
MAX_NR_ZONES = 4
ZONE_NAMES = ("DMA", "DMA32", "Normal", "Movable")

NODES_SHIFT = 6                     # x86_64 default without MAXSMP
MAX_NUMNODES = 1 << NODES_SHIFT     # 64
MAX_ZONES_PER_ZONELIST = MAX_NUMNODES * MAX_NR_ZONES    # 256; _zonerefs[] has one more slot
# Size bounds of the model, checked before anything is built (by Machine and by the host model).
# CONFIG_NR_CPUS: at most 8192 on x86_64 (MAXSMP), arch/x86/Kconfig (v4.18)
NR_CPUS = 8192
MAX_MODEL_PFNS = 1 << 24            # 16M pages = 64 GiB of 4 KiB pages (~21 bytes a pfn: ~350 MB)
MAX_DISTANCE = 255                  # numa_distance[] is a u8 table (arch/x86/mm/numa.c, v4.18)
ZONELIST_FALLBACK = 0
ZONELIST_NOFALLBACK = 1
MAX_ZONELISTS = 2

LOCAL_DISTANCE = 10
REMOTE_DISTANCE = 20
RECLAIM_DISTANCE = 30
PENALTY_FOR_NODE_WITH_CPUS = 1

# mm/internal.h (v4.18): reclaim rounds without progress before the slow path and kswapd give up
MAX_RECLAIM_RETRIES = 16

# enum zone_watermarks
WMARK_MIN = 0
WMARK_LOW = 1
WMARK_HIGH = 2

# The v4.18 spellings (MAX_ORDER, the three watermark names, the ALLOC_* values of
# mm/internal.h) belong to that kernel: their home is buddylab/kernels/v4_18/mmzone.py,
# re-exported here for the chapters, the problems and the widgets that read them.
from .kernels.v4_18.mmzone import (MAX_ORDER, MAX_ORDER_NR_PAGES, WMARK_NAMES,  # noqa: E402,F401
                                   ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_WMARK_HIGH,
                                   ALLOC_NO_WATERMARKS, ALLOC_WMARK_MASK, ALLOC_OOM,
                                   ALLOC_HARDER, ALLOC_HIGH, ALLOC_CPUSET, ALLOC_CMA,
                                   ALLOC_FLAG_NAMES, alloc_flags_str)

def is_migrate_movable(mt):
    """is_migrate_movable(): MOVABLE or CMA."""
    return mt == MIGRATE_MOVABLE or mt == MIGRATE_CMA
