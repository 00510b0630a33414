"""v4.18's watermarks: how they are set and how a request is checked against them.

Kernel: __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(), init_per_zone_wmark_min(),
__zone_watermark_ok(), zone_watermark_ok(), zone_watermark_fast() in mm/page_alloc.c (v4.18).

Simplification, said aloud: the kernel's NR_FREE_PAGES lags behind by per-CPU vmstat deltas
(up to stat_threshold per CPU); the model keeps it exact.
"""

from math import isqrt

from ... import mmzone as mz
from ...mmzone import MIGRATE_PCPTYPES
from . import mmzone as mz418


def zone_watermark_ok_full(z, order, mark, classzone_idx, alloc_flags, free_pages):
    """__zone_watermark_ok(): enough free pages above `mark`, and a block of `order`.

    Kernel: __zone_watermark_ok() in mm/page_alloc.c (v4.18).  Note the two
    traps: free_pages loses ``(1 << order) - 1`` (not ``1 << order``) and the
    test fails on ``<=``.  Any of the three pcp migrate types' lists will do for
    the order test (and CMA with ALLOC_CMA, HIGHATOMIC with ALLOC_HARDER).
    """
    if order >= z.max_order:
        # no free list that large: the kernel's loop "for (o = order; o < MAX_ORDER; o++)"
        # finds nothing and returns false; answered before 1 << order builds a huge int
        return False
    mm = z.mm
    min_ = mark
    alloc_harder = alloc_flags & (mz418.ALLOC_HARDER | mz418.ALLOC_OOM)
    free_pages -= (1 << order) - 1
    if alloc_flags & mz418.ALLOC_HIGH:
        min_ -= min_ // 2
    if not alloc_harder:
        free_pages -= z.nr_reserved_highatomic
    else:
        if alloc_flags & mz418.ALLOC_OOM:
            min_ -= min_ // 2
        else:
            min_ -= min_ // 4
    if not alloc_flags & mz418.ALLOC_CMA:
        free_pages -= z.NR_FREE_CMA_PAGES
    if free_pages <= min_ + z.lowmem_reserve[classzone_idx]:
        return False
    if order == 0:
        return True
    for o in range(order, z.max_order):
        if z.nr_free[o] == 0:
            continue
        for mt in range(MIGRATE_PCPTYPES):
            if mm.list_len[z.free_list(o, mt)]:
                return True
        if alloc_flags & mz418.ALLOC_CMA and mm.list_len[z.free_list(o, mz.MIGRATE_CMA)]:
            return True
        if alloc_harder and mm.list_len[z.free_list(o, mz.MIGRATE_HIGHATOMIC)]:
            return True
    return False


def zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags):
    """zone_watermark_ok(): __zone_watermark_ok() with NR_FREE_PAGES."""
    return zone_watermark_ok_full(z, order, mark, classzone_idx, alloc_flags, z.NR_FREE_PAGES)


def zone_watermark_fast(z, order, mark, classzone_idx, alloc_flags):
    """zone_watermark_fast(): the order-0 shortcut, else the full check.

    Kernel: zone_watermark_fast() in mm/page_alloc.c (v4.18).  The shortcut does
    not subtract the highatomic reserve and passes on ``>`` (strictly above).
    """
    free_pages = z.NR_FREE_PAGES
    cma_pages = 0
    if not alloc_flags & mz418.ALLOC_CMA:
        cma_pages = z.NR_FREE_CMA_PAGES
    if order == 0 and (free_pages - cma_pages) > mark + z.lowmem_reserve[classzone_idx]:
        return True
    return zone_watermark_ok_full(z, order, mark, classzone_idx, alloc_flags, free_pages)


def int_sqrt(x):
    """int_sqrt(): the floor of the square root.

    >>> int_sqrt(131072 * 16)
    1448
    """
    return isqrt(x)


def default_min_free_kbytes(lowmem_kbytes):
    """init_per_zone_wmark_min(): int_sqrt(lowmem_kbytes * 16), clamped to 128..65536.

    Kernel: init_per_zone_wmark_min() in mm/page_alloc.c (v4.18; a modern kernel
    clamps at 262144).  A 64-page teaching machine has 256 kB of lowmem, so the
    square root gives 64 and the clamp raises it to 128 kB = 32 pages: half the
    machine.  Teaching machines therefore usually pass min_free_kbytes=0.

    >>> default_min_free_kbytes(131072), default_min_free_kbytes(256)
    (1448, 128)
    """
    new = int_sqrt(lowmem_kbytes * 16)
    return max(128, min(65536, new))


def mult_frac(x, numer, denom):
    """mult_frac(): x * numer / denom without overflow, i.e. floor(x*numer/denom)."""
    quot = x // denom
    rem = x % denom
    return quot * numer + (rem * numer) // denom


def setup_per_zone_wmarks(zones, min_free_kbytes, watermark_scale_factor):
    """__setup_per_zone_wmarks(): min, low, high of every zone.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v4.18).  Each zone's
    min is its share of pages_min by managed pages; step = max(min/4,
    managed * watermark_scale_factor / 10000); low = min + step, high = min +
    2*step.  x86_64 has no highmem zone, so every zone follows the lowmem rule
    (an empty Movable zone gets 0/0/0).

    >>> class Z: managed_pages = 28672; watermark = [0, 0, 0]
    >>> z = Z(); setup_per_zone_wmarks([z], 1448, 10); z.watermark
    [362, 452, 542]
    """
    pages_min = min_free_kbytes >> (mz.PAGE_SHIFT - 10)
    lowmem_pages = sum(z.managed_pages for z in zones)
    for z in zones:
        tmp = pages_min * z.managed_pages // lowmem_pages if lowmem_pages else 0
        wmin = tmp
        step = max(tmp >> 2, mult_frac(z.managed_pages, watermark_scale_factor, 10000))
        z.watermark = [wmin, wmin + step, wmin + 2 * step]


def setup_per_zone_lowmem_reserve(node_zones, ratio):
    """setup_per_zone_lowmem_reserve(): protection of lower zones, one node.

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18).
    lowmem_reserve[j] of a lower zone idx is the managed pages of the zones
    idx+1 .. j of the same node divided by ratio[idx] (0 if ratio < 1).
    `node_zones` is the node's zones in zone order; `ratio` is 4.18's
    sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] (DMA, DMA32, Normal, Movable);
    the last entry protects no lower zone, so it is never read here.
    """
    for j, zone in enumerate(node_zones):
        managed_pages = zone.managed_pages
        zone.lowmem_reserve[j] = 0
        idx = j
        while idx:
            idx -= 1
            lower = node_zones[idx]
            if ratio[idx] < 1:
                lower.lowmem_reserve[j] = 0
            else:
                lower.lowmem_reserve[j] = managed_pages // ratio[idx]
            managed_pages += lower.managed_pages
