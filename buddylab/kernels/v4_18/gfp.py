"""GFP flags with their v4.18 values, gfp_zone() and the migrate type of a mask.

Kernel: include/linux/gfp.h (v4.18), include/trace/events/mmflags.h.

The bit values were renumbered in 4.18: GFP_KERNEL is 0x6000c0 here (it was
0x14000c0 in 4.17).  A mask is a `gfp_t`, an int whose repr decodes it the way
the kmem tracepoints print it, composites first:

>>> GFP_KERNEL
GFP_KERNEL
>>> hex(GFP_KERNEL)
'0x6000c0'
>>> GFP_KERNEL | __GFP_ZERO
GFP_KERNEL|__GFP_ZERO
>>> gfp_zone(GFP_HIGHUSER_MOVABLE)
3
"""

import functools

from ... import mmzone
from ..gfpbase import (make_gfp_type, show_gfp_flags, parse_gfp_names, zone_of, migratetype_of,
                       GFP_ZONE_TABLE, GFP_ZONE_BAD)  # noqa: F401  (the table: chapter 05)
from .mmzone import (ALLOC_WMARK_MIN, ALLOC_CPUSET, ALLOC_HARDER, ALLOC_CMA,
                     ALLOC_NO_WATERMARKS)


def gfp_str(gfp_mask):
    """show_gfp_flags() of v4.18: composites first, then single bits, joined by '|'.

    >>> gfp_str(GFP_ATOMIC | __GFP_NOWARN)
    'GFP_ATOMIC|__GFP_NOWARN'
    >>> gfp_str(0)
    'none'
    """
    return show_gfp_flags(gfp_mask, GFPFLAG_NAMES)


__GFP_BITS_SHIFT = 23            # 23 + IS_ENABLED(CONFIG_LOCKDEP); no lockdep here
__GFP_BITS_MASK = (1 << __GFP_BITS_SHIFT) - 1
_GFP_BITS_MASK = __GFP_BITS_MASK   # for class bodies, which mangle __names
gfp_t = make_gfp_type("v4.18", __GFP_BITS_MASK, gfp_str)


# ___GFP_* bit values of v4.18 (include/linux/gfp.h)
__GFP_DMA = gfp_t(0x01)
__GFP_HIGHMEM = gfp_t(0x02)
__GFP_DMA32 = gfp_t(0x04)
__GFP_MOVABLE = gfp_t(0x08)
__GFP_RECLAIMABLE = gfp_t(0x10)
__GFP_HIGH = gfp_t(0x20)
__GFP_IO = gfp_t(0x40)
__GFP_FS = gfp_t(0x80)
__GFP_WRITE = gfp_t(0x100)
__GFP_NOWARN = gfp_t(0x200)
__GFP_RETRY_MAYFAIL = gfp_t(0x400)
__GFP_NOFAIL = gfp_t(0x800)
__GFP_NORETRY = gfp_t(0x1000)
__GFP_MEMALLOC = gfp_t(0x2000)
__GFP_COMP = gfp_t(0x4000)
__GFP_ZERO = gfp_t(0x8000)
__GFP_NOMEMALLOC = gfp_t(0x10000)
__GFP_HARDWALL = gfp_t(0x20000)
__GFP_THISNODE = gfp_t(0x40000)
__GFP_ATOMIC = gfp_t(0x80000)
__GFP_ACCOUNT = gfp_t(0x100000)
__GFP_DIRECT_RECLAIM = gfp_t(0x200000)
__GFP_KSWAPD_RECLAIM = gfp_t(0x400000)
__GFP_RECLAIM = gfp_t(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE
GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE
GFP_MOVABLE_SHIFT = 3

GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM
GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS
GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT
GFP_NOWAIT = gfp_t(__GFP_KSWAPD_RECLAIM)
GFP_NOIO = gfp_t(__GFP_RECLAIM)
GFP_NOFS = __GFP_RECLAIM | __GFP_IO
GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL
GFP_DMA = gfp_t(__GFP_DMA)
GFP_DMA32 = gfp_t(__GFP_DMA32)
GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM
GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE
GFP_TRANSHUGE_LIGHT = gfp_t((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC
                             | __GFP_NOWARN) & ~__GFP_RECLAIM)
GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM

# Every single bit by name, in bit order.
GFP_BITS = {
    "__GFP_DMA": __GFP_DMA, "__GFP_HIGHMEM": __GFP_HIGHMEM, "__GFP_DMA32": __GFP_DMA32,
    "__GFP_MOVABLE": __GFP_MOVABLE, "__GFP_RECLAIMABLE": __GFP_RECLAIMABLE,
    "__GFP_HIGH": __GFP_HIGH, "__GFP_IO": __GFP_IO, "__GFP_FS": __GFP_FS,
    "__GFP_WRITE": __GFP_WRITE, "__GFP_NOWARN": __GFP_NOWARN,
    "__GFP_RETRY_MAYFAIL": __GFP_RETRY_MAYFAIL, "__GFP_NOFAIL": __GFP_NOFAIL,
    "__GFP_NORETRY": __GFP_NORETRY, "__GFP_MEMALLOC": __GFP_MEMALLOC,
    "__GFP_COMP": __GFP_COMP, "__GFP_ZERO": __GFP_ZERO,
    "__GFP_NOMEMALLOC": __GFP_NOMEMALLOC, "__GFP_HARDWALL": __GFP_HARDWALL,
    "__GFP_THISNODE": __GFP_THISNODE, "__GFP_ATOMIC": __GFP_ATOMIC,
    "__GFP_ACCOUNT": __GFP_ACCOUNT, "__GFP_DIRECT_RECLAIM": __GFP_DIRECT_RECLAIM,
    "__GFP_KSWAPD_RECLAIM": __GFP_KSWAPD_RECLAIM,
}

# ___GFP_NOLOCKDEP (0x800000) exists only with CONFIG_LOCKDEP (include/linux/gfp.h, v4.18);
# the model's configuration has no lockdep, but a kernel built with it prints the name.
CONFIG_GFP_NAMES = ("__GFP_NOLOCKDEP",)

COMPOSITES = {
    "GFP_ATOMIC": GFP_ATOMIC, "GFP_KERNEL": GFP_KERNEL, "GFP_KERNEL_ACCOUNT": GFP_KERNEL_ACCOUNT,
    "GFP_NOWAIT": GFP_NOWAIT, "GFP_NOIO": GFP_NOIO, "GFP_NOFS": GFP_NOFS, "GFP_USER": GFP_USER,
    "GFP_DMA": GFP_DMA, "GFP_DMA32": GFP_DMA32, "GFP_HIGHUSER": GFP_HIGHUSER,
    "GFP_HIGHUSER_MOVABLE": GFP_HIGHUSER_MOVABLE, "GFP_TRANSHUGE_LIGHT": GFP_TRANSHUGE_LIGHT,
    "GFP_TRANSHUGE": GFP_TRANSHUGE,
}

# __def_gfpflag_names (include/trace/events/mmflags.h, v4.18): tried in this order,
# a name is printed when all its bits are set and those bits are then cleared.
GFPFLAG_NAMES = (
    ("GFP_TRANSHUGE", GFP_TRANSHUGE), ("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT),
    ("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE), ("GFP_HIGHUSER", GFP_HIGHUSER),
    ("GFP_USER", GFP_USER), ("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT),
    ("GFP_KERNEL", GFP_KERNEL), ("GFP_NOFS", GFP_NOFS), ("GFP_ATOMIC", GFP_ATOMIC),
    ("GFP_NOIO", GFP_NOIO), ("GFP_NOWAIT", GFP_NOWAIT), ("GFP_DMA", GFP_DMA),
    ("__GFP_HIGHMEM", __GFP_HIGHMEM), ("GFP_DMA32", GFP_DMA32), ("__GFP_HIGH", __GFP_HIGH),
    ("__GFP_ATOMIC", __GFP_ATOMIC), ("__GFP_IO", __GFP_IO), ("__GFP_FS", __GFP_FS),
    ("__GFP_NOWARN", __GFP_NOWARN), ("__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL),
    ("__GFP_NOFAIL", __GFP_NOFAIL), ("__GFP_NORETRY", __GFP_NORETRY),
    ("__GFP_COMP", __GFP_COMP), ("__GFP_ZERO", __GFP_ZERO),
    ("__GFP_NOMEMALLOC", __GFP_NOMEMALLOC), ("__GFP_MEMALLOC", __GFP_MEMALLOC),
    ("__GFP_HARDWALL", __GFP_HARDWALL), ("__GFP_THISNODE", __GFP_THISNODE),
    ("__GFP_RECLAIMABLE", __GFP_RECLAIMABLE), ("__GFP_MOVABLE", __GFP_MOVABLE),
    ("__GFP_ACCOUNT", __GFP_ACCOUNT), ("__GFP_WRITE", __GFP_WRITE),
    ("__GFP_RECLAIM", __GFP_RECLAIM), ("__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM),
    ("__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM),
)


def parse_gfp(text):
    """The mask named by 'GFP_KERNEL|__GFP_ZERO' (the inverse of gfp_str)."""
    return gfp_t(parse_gfp_names(text, dict(COMPOSITES, **GFP_BITS, __GFP_RECLAIM=__GFP_RECLAIM)))


@functools.lru_cache(maxsize=4096)     # a pure function of the mask: decoded once per mask
def gfp_zone(flags):
    """gfp_zone(): the highest zone index a request may use.

    Kernel: gfp_zone() in include/linux/gfp.h (a VM_BUG_ON on GFP_ZONE_BAD; the
    model raises BadGfpError instead).

    >>> gfp_zone(GFP_KERNEL), gfp_zone(GFP_DMA), gfp_zone(GFP_DMA32)
    (2, 0, 1)
    >>> hex(GFP_ZONE_BAD)
    '0xe8e8'
    """
    return zone_of(flags, gfp_str)


@functools.lru_cache(maxsize=4096)     # a pure function of the mask: decoded once per mask
def gfpflags_to_migratetype(gfp_flags, page_group_by_mobility_disabled=False):
    """gfpflags_to_migratetype(): UNMOVABLE, MOVABLE or RECLAIMABLE.

    Kernel: include/linux/gfp.h.  With grouping by mobility disabled every
    request is UNMOVABLE.  __GFP_MOVABLE|__GFP_RECLAIMABLE together would give 3
    (HIGHATOMIC) and trip a VM_WARN_ON: the model rejects it.

    >>> gfpflags_to_migratetype(GFP_HIGHUSER_MOVABLE), gfpflags_to_migratetype(GFP_KERNEL)
    (1, 0)
    """
    return migratetype_of(gfp_flags, page_group_by_mobility_disabled, gfp_str)


def gfpflags_allow_blocking(gfp_flags):
    """gfpflags_allow_blocking(): may this request sleep (direct reclaim)?"""
    return bool(int(gfp_flags) & __GFP_DIRECT_RECLAIM)


def gfp_to_alloc_flags(gfp_mask, migratetype, rt_task=False):
    """gfp_to_alloc_flags(): the slow path's alloc_flags (MIN watermark).

    Kernel: gfp_to_alloc_flags() in mm/page_alloc.c (v4.18).  The model has no
    cpusets and no interrupt context; `rt_task` stands for rt_task(current)
    outside an interrupt.

    >>> from .mmzone import alloc_flags_str
    >>> alloc_flags_str(gfp_to_alloc_flags(GFP_ATOMIC, 0))
    'ALLOC_WMARK_MIN|ALLOC_HARDER|ALLOC_HIGH'
    >>> alloc_flags_str(gfp_to_alloc_flags(GFP_KERNEL, 0))
    'ALLOC_WMARK_MIN|ALLOC_CPUSET'
    >>> type(gfp_to_alloc_flags(GFP_ATOMIC, 0)) is int
    True
    """
    alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET
    # ALLOC_HIGH == __GFP_HIGH; int() so that alloc_flags stays a plain int
    # and never prints with GFP names (it holds ALLOC_* bits)
    alloc_flags |= int(gfp_mask & __GFP_HIGH)
    if int(gfp_mask) & __GFP_ATOMIC:
        if not int(gfp_mask) & __GFP_NOMEMALLOC:
            alloc_flags |= ALLOC_HARDER
        alloc_flags &= ~ALLOC_CPUSET
    elif rt_task:
        alloc_flags |= ALLOC_HARDER
    if migratetype == mmzone.MIGRATE_MOVABLE:
        alloc_flags |= ALLOC_CMA
    return alloc_flags


def gfp_pfmemalloc_flags(gfp_mask):
    """__gfp_pfmemalloc_flags(): ALLOC_NO_WATERMARKS for __GFP_MEMALLOC, else 0.

    Kernel: mm/page_alloc.c.  The model has no PF_MEMALLOC tasks and no OOM
    victims, so only the __GFP_MEMALLOC / __GFP_NOMEMALLOC bits decide.
    """
    if int(gfp_mask) & __GFP_NOMEMALLOC:
        return 0
    if int(gfp_mask) & __GFP_MEMALLOC:
        return ALLOC_NO_WATERMARKS
    return 0


__all__ = sorted([n for n in dict(globals()) if n.startswith(("__GFP_", "GFP_"))
                  and n not in ("GFP_BITS",)] +
                 ["gfp_t", "gfp_str", "parse_gfp", "gfp_zone", "gfpflags_to_migratetype",
                  "gfp_to_alloc_flags", "gfpflags_allow_blocking", "gfp_pfmemalloc_flags",
                  "GFP_BITS", "COMPOSITES", "GFPFLAG_NAMES", "CONFIG_GFP_NAMES"])
