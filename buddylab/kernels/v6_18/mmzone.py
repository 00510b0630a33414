"""The v6.18 spellings of include/linux/mmzone.h and mm/internal.h: a leaf (no buddylab imports).

Kernel: include/linux/mmzone.h (MAX_PAGE_ORDER, NR_PAGE_ORDERS, enum zone_watermarks,
enum zone_type, NR_PCP_LISTS) and mm/internal.h (ALLOC_* alloc_flags), Linux v6.18.

MAX_PAGE_ORDER is *inclusive* (valid orders 0 .. MAX_PAGE_ORDER; renamed from v4.18's
exclusive MAX_ORDER in 6.4, when MAX_ORDER itself first became inclusive in 6.4 and then
MAX_PAGE_ORDER in 6.8); ``free_area[]`` has NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1 entries.
A model machine's ``max_order`` argument keeps counting orders (NR_PAGE_ORDERS), in both
kernels: `max_page_order()` is the one conversion.
"""

import functools

MAX_PAGE_ORDER = 10                 # inclusive: orders 0..10 (x86_64 default)
NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1
MAX_ORDER_NR_PAGES = 1 << MAX_PAGE_ORDER


def max_page_order(nr_page_orders):
    """MAX_PAGE_ORDER of a machine built with ``max_order`` = NR_PAGE_ORDERS orders."""
    return nr_page_orders - 1


# enum zone_watermarks (v6.18): WMARK_PROMO joined in 5.18 (memory tiering)
WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO = 0, 1, 2, 3
NR_WMARK = 4
WMARK_NAMES = ("min", "low", "high", "promo")

# enum zone_type of an x86_64 distribution config (CONFIG_ZONE_DEVICE=y, no HIGHMEM)
ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, ZONE_DEVICE = 0, 1, 2, 3, 4
MAX_NR_ZONES = 5
ZONE_NAMES = ("DMA", "DMA32", "Normal", "Movable", "Device")

# per-cpu lists (include/linux/mmzone.h, v6.18): orders 0..PAGE_ALLOC_COSTLY_ORDER one list per
# pcp type, then NR_PCP_THP lists for the THP order (pageblock_order: Unmovable and Reclaimable
# share the first, Movable has the second)
MIGRATE_PCPTYPES = 3
PAGE_ALLOC_COSTLY_ORDER = 3
NR_PCP_THP = 2                      # CONFIG_TRANSPARENT_HUGEPAGE
NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1)   # 12
NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + NR_PCP_THP                          # 14
PCPF_PREV_FREE_HIGH_ORDER = 1 << 0  # struct per_cpu_pages.flags
PCPF_FREE_HIGH_BATCH = 1 << 1

HPAGE_PMD_ORDER = 9                 # PMD_SHIFT - PAGE_SHIFT on x86_64, whatever pageblock_order


def pcp_allowed_order(order):
    """pcp_allowed_order(): orders 0..PAGE_ALLOC_COSTLY_ORDER and the THP order.

    Kernel: pcp_allowed_order() in mm/page_alloc.c (v6.18).

    >>> [o for o in range(11) if pcp_allowed_order(o)]
    [0, 1, 2, 3, 9]
    """
    return order <= PAGE_ALLOC_COSTLY_ORDER or order == HPAGE_PMD_ORDER


# mm/internal.h (v6.18) alloc_flags: ALLOC_HARDER/ALLOC_HIGH of v4.18 became
# ALLOC_NON_BLOCK/ALLOC_MIN_RESERVE (6.3), ALLOC_NOFRAGMENT joined in 5.0
ALLOC_WMARK_MIN = WMARK_MIN
ALLOC_WMARK_LOW = WMARK_LOW
ALLOC_WMARK_HIGH = WMARK_HIGH
ALLOC_NO_WATERMARKS = 0x04
ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1
ALLOC_OOM = 0x08
ALLOC_NON_BLOCK = 0x10
ALLOC_MIN_RESERVE = 0x20            # == __GFP_HIGH
ALLOC_CPUSET = 0x40
ALLOC_CMA = 0x80
ALLOC_NOFRAGMENT = 0x100            # 0 without CONFIG_ZONE_DMA32; x86_64 has it
ALLOC_HIGHATOMIC = 0x200
ALLOC_TRYLOCK = 0x400
ALLOC_KSWAPD = 0x800                # == __GFP_KSWAPD_RECLAIM
ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM

ALLOC_FLAG_NAMES = (
    (ALLOC_NO_WATERMARKS, "ALLOC_NO_WATERMARKS"),
    (ALLOC_OOM, "ALLOC_OOM"),
    (ALLOC_NON_BLOCK, "ALLOC_NON_BLOCK"),
    (ALLOC_MIN_RESERVE, "ALLOC_MIN_RESERVE"),
    (ALLOC_CPUSET, "ALLOC_CPUSET"),
    (ALLOC_CMA, "ALLOC_CMA"),
    (ALLOC_NOFRAGMENT, "ALLOC_NOFRAGMENT"),
    (ALLOC_HIGHATOMIC, "ALLOC_HIGHATOMIC"),
    (ALLOC_TRYLOCK, "ALLOC_TRYLOCK"),
    (ALLOC_KSWAPD, "ALLOC_KSWAPD"),
)


@functools.lru_cache(maxsize=1024)   # a pure function of the flags: decoded once per value
def alloc_flags_str(alloc_flags):
    """Decode alloc_flags into the mm/internal.h (v6.18) names, watermark first.

    >>> alloc_flags_str(0x830)
    'ALLOC_WMARK_MIN|ALLOC_NON_BLOCK|ALLOC_MIN_RESERVE|ALLOC_KSWAPD'
    """
    parts = ["ALLOC_WMARK_" + WMARK_NAMES[alloc_flags & ALLOC_WMARK_MASK].upper()]
    parts += [name for bit, name in ALLOC_FLAG_NAMES if alloc_flags & bit]
    return "|".join(parts)
