"""The v4.18 spellings of include/linux/mmzone.h and mm/internal.h: a leaf (no buddylab imports).

Kernel: include/linux/mmzone.h (MAX_ORDER, enum zone_watermarks) and mm/internal.h
(ALLOC_* alloc_flags), Linux v4.18.  MAX_ORDER is *exclusive* in 4.18: valid orders are
0 .. MAX_ORDER-1 (6.x spells the same limit MAX_PAGE_ORDER = 10, inclusive).  The alloc_flags
values differ in 6.x (ALLOC_HARDER became ALLOC_NON_BLOCK / ALLOC_MIN_RESERVE), so they live
here, with the kernel that has them; ``buddylab.mmzone`` re-exports them for old callers.
"""

import functools

MAX_ORDER = 11                      # exclusive: orders 0..10
MAX_ORDER_NR_PAGES = 1 << (MAX_ORDER - 1)

# enum zone_watermarks (WMARK_MIN, WMARK_LOW, WMARK_HIGH = 0, 1, 2: buddylab.mmzone)
WMARK_NAMES = ("min", "low", "high")

# mm/internal.h (v4.18) alloc_flags
ALLOC_WMARK_MIN = 0                 # WMARK_MIN
ALLOC_WMARK_LOW = 1                 # WMARK_LOW
ALLOC_WMARK_HIGH = 2                # WMARK_HIGH
ALLOC_NO_WATERMARKS = 0x04
ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1
ALLOC_OOM = 0x08
ALLOC_HARDER = 0x10
ALLOC_HIGH = 0x20
ALLOC_CPUSET = 0x40
ALLOC_CMA = 0x80

ALLOC_FLAG_NAMES = (
    (ALLOC_NO_WATERMARKS, "ALLOC_NO_WATERMARKS"),
    (ALLOC_OOM, "ALLOC_OOM"),
    (ALLOC_HARDER, "ALLOC_HARDER"),
    (ALLOC_HIGH, "ALLOC_HIGH"),
    (ALLOC_CPUSET, "ALLOC_CPUSET"),
    (ALLOC_CMA, "ALLOC_CMA"),
)


@functools.lru_cache(maxsize=1024)   # a pure function of the flags: decoded once per value
def alloc_flags_str(alloc_flags):
    """Decode alloc_flags into the mm/internal.h names, watermark first.

    >>> alloc_flags_str(ALLOC_WMARK_MIN | ALLOC_HIGH | ALLOC_HARDER)
    'ALLOC_WMARK_MIN|ALLOC_HARDER|ALLOC_HIGH'
    """
    parts = ["ALLOC_WMARK_" + WMARK_NAMES[alloc_flags & ALLOC_WMARK_MASK].upper()]
    parts += [name for bit, name in ALLOC_FLAG_NAMES if alloc_flags & bit]
    return "|".join(parts)
