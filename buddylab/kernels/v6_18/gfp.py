"""GFP flags with their v6.18 values, gfp_zone(), gfp_migratetype() and gfp_to_alloc_flags().

Kernel: include/linux/gfp_types.h, include/linux/gfp.h, include/trace/events/mmflags.h and
gfp_to_alloc_flags() in mm/page_alloc.c, Linux v6.18.

The bits were renumbered after 4.18 (``__GFP_ZERO`` moved down to 0x100, the reclaim bits to
0x400/0x800) and ``__GFP_ATOMIC`` is gone (6.3): GFP_KERNEL is 0xcc0 here (0x6000c0 in 4.18),
GFP_ATOMIC is ``__GFP_HIGH|__GFP_KSWAPD_RECLAIM`` = 0x820.

>>> GFP_KERNEL
GFP_KERNEL
>>> hex(GFP_KERNEL), hex(GFP_ATOMIC), hex(GFP_TRANSHUGE)
('0xcc0', '0x820', '0x1c24ca')
>>> GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_COMP
GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP
>>> gfp_zone(GFP_HIGHUSER_MOVABLE)
3
"""

import functools

from ... import mmzone
from ..gfpbase import (make_gfp_type, show_gfp_flags, parse_gfp_names, zone_of, migratetype_of,
                       GFP_ZONE_TABLE, GFP_ZONE_BAD)  # noqa: F401  (unchanged since v4.18)
from .mmzone import (ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_CPUSET, ALLOC_CMA,
                     ALLOC_NON_BLOCK, ALLOC_MIN_RESERVE, ALLOC_HIGHATOMIC,
                     ALLOC_NO_WATERMARKS)

# enum ___GFP_*_BIT (include/linux/gfp_types.h, v6.18), x86_64 distribution config without
# KASAN_HW_TAGS and LOCKDEP; bit 9 is ___GFP_UNUSED_BIT
__GFP_BITS_SHIFT = 25               # ___GFP_LAST_BIT with ___GFP_NO_OBJ_EXT_BIT (SLAB_OBJ_EXT)
__GFP_BITS_MASK = (1 << __GFP_BITS_SHIFT) - 1
_GFP_BITS_MASK = __GFP_BITS_MASK    # for class bodies, which mangle __names


def gfp_str(gfp_mask):
    """show_gfp_flags() of v6.18: composites first, then single bits, joined by '|'.

    >>> gfp_str(GFP_ATOMIC | __GFP_NOWARN)
    'GFP_ATOMIC|__GFP_NOWARN'
    >>> gfp_str(0)
    'none'
    """
    return show_gfp_flags(gfp_mask, GFPFLAG_NAMES)


gfp_t = make_gfp_type("v6.18", __GFP_BITS_MASK, gfp_str)

__GFP_DMA = gfp_t(0x01)
__GFP_HIGHMEM = gfp_t(0x02)
__GFP_DMA32 = gfp_t(0x04)
__GFP_MOVABLE = gfp_t(0x08)
__GFP_RECLAIMABLE = gfp_t(0x10)
__GFP_HIGH = gfp_t(0x20)
__GFP_IO = gfp_t(0x40)
__GFP_FS = gfp_t(0x80)
__GFP_ZERO = gfp_t(0x100)
__GFP_DIRECT_RECLAIM = gfp_t(0x400)
__GFP_KSWAPD_RECLAIM = gfp_t(0x800)
__GFP_WRITE = gfp_t(0x1000)
__GFP_NOWARN = gfp_t(0x2000)
__GFP_RETRY_MAYFAIL = gfp_t(0x4000)
__GFP_NOFAIL = gfp_t(0x8000)
__GFP_NORETRY = gfp_t(0x10000)
__GFP_MEMALLOC = gfp_t(0x20000)
__GFP_COMP = gfp_t(0x40000)
__GFP_NOMEMALLOC = gfp_t(0x80000)
__GFP_HARDWALL = gfp_t(0x100000)
__GFP_THISNODE = gfp_t(0x200000)
__GFP_ACCOUNT = gfp_t(0x400000)
__GFP_ZEROTAGS = gfp_t(0x800000)
__GFP_NO_OBJ_EXT = gfp_t(0x1000000)
__GFP_RECLAIM = gfp_t(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE
GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE
GFP_MOVABLE_SHIFT = 3

GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM
GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS
GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT
GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN
GFP_NOIO = gfp_t(__GFP_RECLAIM)
GFP_NOFS = __GFP_RECLAIM | __GFP_IO
GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL
GFP_DMA = gfp_t(__GFP_DMA)
GFP_DMA32 = gfp_t(__GFP_DMA32)
GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM
GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE     # | __GFP_SKIP_KASAN (0 here)
GFP_TRANSHUGE_LIGHT = gfp_t((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC
                             | __GFP_NOWARN) & ~__GFP_RECLAIM)
GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM

# Every single bit by name, in bit order.
GFP_BITS = {
    "__GFP_DMA": __GFP_DMA, "__GFP_HIGHMEM": __GFP_HIGHMEM, "__GFP_DMA32": __GFP_DMA32,
    "__GFP_MOVABLE": __GFP_MOVABLE, "__GFP_RECLAIMABLE": __GFP_RECLAIMABLE,
    "__GFP_HIGH": __GFP_HIGH, "__GFP_IO": __GFP_IO, "__GFP_FS": __GFP_FS,
    "__GFP_ZERO": __GFP_ZERO, "__GFP_DIRECT_RECLAIM": __GFP_DIRECT_RECLAIM,
    "__GFP_KSWAPD_RECLAIM": __GFP_KSWAPD_RECLAIM, "__GFP_WRITE": __GFP_WRITE,
    "__GFP_NOWARN": __GFP_NOWARN, "__GFP_RETRY_MAYFAIL": __GFP_RETRY_MAYFAIL,
    "__GFP_NOFAIL": __GFP_NOFAIL, "__GFP_NORETRY": __GFP_NORETRY,
    "__GFP_MEMALLOC": __GFP_MEMALLOC, "__GFP_COMP": __GFP_COMP,
    "__GFP_NOMEMALLOC": __GFP_NOMEMALLOC, "__GFP_HARDWALL": __GFP_HARDWALL,
    "__GFP_THISNODE": __GFP_THISNODE, "__GFP_ACCOUNT": __GFP_ACCOUNT,
    "__GFP_ZEROTAGS": __GFP_ZEROTAGS, "__GFP_NO_OBJ_EXT": __GFP_NO_OBJ_EXT,
}

# Bits gfp_types.h (v6.18) defines only in some configurations, placed after __GFP_ZEROTAGS:
# __GFP_SKIP_ZERO and __GFP_SKIP_KASAN (CONFIG_KASAN_HW_TAGS), __GFP_NOLOCKDEP (CONFIG_LOCKDEP).
# The model's configuration has none of them (so GFP_BITS holds no value for them), but a
# kernel built with them prints them in a trace: known names without a bit here.
CONFIG_GFP_NAMES = ("__GFP_SKIP_ZERO", "__GFP_SKIP_KASAN", "__GFP_NOLOCKDEP")

COMPOSITES = {
    "GFP_ATOMIC": GFP_ATOMIC, "GFP_KERNEL": GFP_KERNEL, "GFP_KERNEL_ACCOUNT": GFP_KERNEL_ACCOUNT,
    "GFP_NOWAIT": GFP_NOWAIT, "GFP_NOIO": GFP_NOIO, "GFP_NOFS": GFP_NOFS, "GFP_USER": GFP_USER,
    "GFP_DMA": GFP_DMA, "GFP_DMA32": GFP_DMA32, "GFP_HIGHUSER": GFP_HIGHUSER,
    "GFP_HIGHUSER_MOVABLE": GFP_HIGHUSER_MOVABLE, "GFP_TRANSHUGE_LIGHT": GFP_TRANSHUGE_LIGHT,
    "GFP_TRANSHUGE": GFP_TRANSHUGE,
}

# __def_gfpflag_names (include/trace/events/mmflags.h, v6.18): the composites, then
# __GFP_RECLAIM, then the single bits in bit order (gfpflag_string(__GFP_*) per bit).
GFPFLAG_NAMES = (
    ("GFP_TRANSHUGE", GFP_TRANSHUGE), ("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT),
    ("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE), ("GFP_HIGHUSER", GFP_HIGHUSER),
    ("GFP_USER", GFP_USER), ("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT),
    ("GFP_KERNEL", GFP_KERNEL), ("GFP_NOFS", GFP_NOFS), ("GFP_ATOMIC", GFP_ATOMIC),
    ("GFP_NOIO", GFP_NOIO), ("GFP_NOWAIT", GFP_NOWAIT), ("GFP_DMA", GFP_DMA),
    ("GFP_DMA32", GFP_DMA32), ("__GFP_RECLAIM", __GFP_RECLAIM),
) + tuple(GFP_BITS.items())


def parse_gfp(text):
    """The mask named by 'GFP_KERNEL|__GFP_ZERO' (the inverse of gfp_str).

    >>> hex(parse_gfp("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP"))
    '0x440dc0'
    """
    return gfp_t(parse_gfp_names(text, dict(COMPOSITES, **GFP_BITS, __GFP_RECLAIM=__GFP_RECLAIM)))


@functools.lru_cache(maxsize=4096)     # a pure function of the mask: decoded once per mask
def gfp_zone(flags):
    """gfp_zone(): the highest zone index a request may use (GFP_ZONE_TABLE, as in v4.18).

    Kernel: gfp_zone() in include/linux/gfp.h (v6.18).

    >>> gfp_zone(GFP_KERNEL), gfp_zone(GFP_DMA), gfp_zone(GFP_DMA32)
    (2, 0, 1)
    """
    return zone_of(flags, gfp_str)


@functools.lru_cache(maxsize=4096)     # a pure function of the mask: decoded once per mask
def gfp_migratetype(gfp_flags, page_group_by_mobility_disabled=False):
    """gfp_migratetype() (v6.18's name for gfpflags_to_migratetype()).

    Kernel: include/linux/gfp.h (v6.18).  UNMOVABLE with grouping by mobility disabled;
    __GFP_MOVABLE|__GFP_RECLAIMABLE together is refused (a VM_WARN_ON in the kernel).

    >>> gfp_migratetype(GFP_HIGHUSER_MOVABLE), gfp_migratetype(GFP_NOFS | __GFP_RECLAIMABLE)
    (1, 2)
    """
    return migratetype_of(gfp_flags, page_group_by_mobility_disabled, gfp_str)


gfpflags_to_migratetype = gfp_migratetype     # the shared model's name for the rule


def gfpflags_allow_blocking(gfp_flags):
    """gfpflags_allow_blocking(): may this request sleep (direct reclaim)?"""
    return bool(int(gfp_flags) & __GFP_DIRECT_RECLAIM)


def gfp_to_alloc_flags(gfp_mask, order, rt_task=False):
    """gfp_to_alloc_flags() of v6.18: the slow path's alloc_flags.

    Kernel: gfp_to_alloc_flags() and gfp_to_alloc_flags_cma() in mm/page_alloc.c (v6.18).
    __GFP_HIGH is ALLOC_MIN_RESERVE and __GFP_KSWAPD_RECLAIM is ALLOC_KSWAPD bit for bit; a
    request that may not block gets ALLOC_NON_BLOCK (unless __GFP_NOMEMALLOC) and, at
    order > 0 with ALLOC_MIN_RESERVE, ALLOC_HIGHATOMIC; a MIN_RESERVE non-blocking request
    drops ALLOC_CPUSET.  The model has no cpusets, no interrupt context and no
    vm.defrag_mode (so never ALLOC_NOFRAGMENT here); `rt_task` stands for an RT or deadline
    task in task context.  ALLOC_CMA for a movable request (CONFIG_CMA).

    >>> from .mmzone import alloc_flags_str
    >>> alloc_flags_str(gfp_to_alloc_flags(GFP_ATOMIC, 0))
    'ALLOC_WMARK_MIN|ALLOC_NON_BLOCK|ALLOC_MIN_RESERVE|ALLOC_KSWAPD'
    >>> hex(gfp_to_alloc_flags(GFP_ATOMIC, 2)), hex(gfp_to_alloc_flags(GFP_KERNEL, 0))
    ('0xa30', '0x840')
    >>> hex(gfp_to_alloc_flags(GFP_NOWAIT, 0)), hex(gfp_to_alloc_flags(GFP_HIGHUSER_MOVABLE, 0))
    ('0x850', '0x8c0')
    """
    mask = int(gfp_mask)
    alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET
    alloc_flags |= mask & (int(__GFP_HIGH) | int(__GFP_KSWAPD_RECLAIM))
    if not mask & __GFP_DIRECT_RECLAIM:
        if not mask & __GFP_NOMEMALLOC:
            alloc_flags |= ALLOC_NON_BLOCK
            if order > 0 and alloc_flags & ALLOC_MIN_RESERVE:
                alloc_flags |= ALLOC_HIGHATOMIC
        if alloc_flags & ALLOC_MIN_RESERVE:
            alloc_flags &= ~ALLOC_CPUSET
    elif rt_task:
        alloc_flags |= ALLOC_MIN_RESERVE
    if gfp_migratetype(mask) == mmzone.MIGRATE_MOVABLE:
        alloc_flags |= ALLOC_CMA
    return alloc_flags


def gfp_pfmemalloc_flags(gfp_mask):
    """__gfp_pfmemalloc_flags() (v6.18): ALLOC_NO_WATERMARKS for __GFP_MEMALLOC, else 0.

    The model has no PF_MEMALLOC tasks, no OOM victims and no interrupt context, so only the
    __GFP_MEMALLOC / __GFP_NOMEMALLOC bits decide.
    """
    if int(gfp_mask) & __GFP_NOMEMALLOC:
        return 0
    if int(gfp_mask) & __GFP_MEMALLOC:
        return ALLOC_NO_WATERMARKS
    return 0


# the fast path's first try (prepare_alloc_pages(): ALLOC_WMARK_LOW), named for the docs
FAST_PATH_ALLOC_FLAGS = ALLOC_WMARK_LOW

__all__ = sorted([n for n in dict(globals()) if n.startswith(("__GFP_", "GFP_"))
                  and n not in ("GFP_BITS",)] +
                 ["gfp_t", "gfp_str", "parse_gfp", "gfp_zone", "gfp_migratetype",
                  "gfpflags_to_migratetype", "gfp_to_alloc_flags", "gfpflags_allow_blocking",
                  "gfp_pfmemalloc_flags", "GFP_BITS", "COMPOSITES", "GFPFLAG_NAMES",
                  "CONFIG_GFP_NAMES"])
