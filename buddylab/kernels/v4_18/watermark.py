"""v4.18's watermarks: how they are set and how a request is checked against them.

Kernel: __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(), init_per_zone_wmark_min(),
__zone_watermark_ok(), zone_watermark_ok(), zone_watermark_fast() in mm/page_alloc.c (v4.18).

Simplification, said aloud: the kernel's NR_FREE_PAGES lags behind by per-CPU vmstat deltas
(up to stat_threshold per CPU); the model keeps it exact.
"""

from ... import mmzone as mz
from ...mmzone import MIGRATE_PCPTYPES
from . import mmzone as mz418
from ...kmath import int_sqrt, mult_frac


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
    return suitable_free_block(z, order, alloc_flags & mz418.ALLOC_CMA, alloc_harder)


def suitable_free_block(z, order, cma_ok, highatomic_ok):
    """__zone_watermark_ok()'s last test: a free block of `order` or above on a list the
    request may use: a pcp type's, CMA's when `cma_ok`, HIGHATOMIC's when `highatomic_ok`.

    Kernel: the "for a high-order request, check at least one suitable page is free" loop
    of __zone_watermark_ok() in mm/page_alloc.c (v4.18; v6.18 runs it over
    NR_PAGE_ORDERS with its own flags for the last two).
    """
    mm = z.mm
    for o in range(order, z.max_order):
        if z.nr_free[o] == 0:
            continue
        for mt in range(MIGRATE_PCPTYPES):
            if mm.list_len[z.free_lists[o][mt]]:
                return True
        if cma_ok and mm.list_len[z.free_lists[o][mz.MIGRATE_CMA]]:
            return True
        if highatomic_ok and mm.list_len[z.free_lists[o][mz.MIGRATE_HIGHATOMIC]]:
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


# ------------------------------------------------------------------ the formulas
# Pure functions of plain numbers: the model (below), the host model (buddylab.host)
# and the side-by-side tables (buddylab.profiles) all call these, so each rule of
# v4.18 is written once.  v6.18's variants live in buddylab/kernels/v6_18/formulas.py
# under the same names.

# sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] of v4.18 on x86_64: DMA, DMA32, Normal, Movable
# (mm/page_alloc.c, v4.18)
DEFAULT_LOWMEM_RESERVE_RATIO = (256, 256, 32, 0)
# init_per_zone_wmark_min(): the upper clamp of the default (mm/page_alloc.c, v4.18)
MIN_FREE_KBYTES_MAX = 65536


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
    return max(128, min(MIN_FREE_KBYTES_MAX, new))


def lowmem_kbytes(zonelist):
    """nr_free_buffer_pages() in kB at boot: managed pages of the zonelist's zones up to Normal.

    Kernel: init_per_zone_wmark_min() takes ``nr_free_buffer_pages() * (PAGE_SIZE >> 10)``;
    nr_free_zone_pages(gfp_zone(GFP_USER)) walks the local node's GFP_KERNEL zonelist
    and sums managed - high over zones <= ZONE_NORMAL (mm/page_alloc.c, v4.18 and
    v6.18).  At boot every watermark is still 0, so it is the managed pages.
    `zonelist` is any iterable of zones (``.idx``, ``.managed_pages``).
    """
    pages = sum(z.managed_pages for z in zonelist if z.idx <= mz.ZONE_NORMAL)
    return pages << (mz.PAGE_SHIFT - 10)


def set_recommended_min_free_kbytes(zones, zonelist, pageblock_nr_pages, min_free_kbytes,
                                    watermark_scale_factor):
    """khugepaged's start, as the v4.18 model boots: not run; min_free_kbytes is unchanged.

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (v4.18) raises
    min_free_kbytes when THP is enabled.  Simplification, said aloud: the v4.18 model
    boots as if THP were off, so its default is the square-root rule alone
    (buddylab.host.khugepaged_min_free_kbytes() gives the recommendation).
    """
    return min_free_kbytes


def counts_in_lowmem_pages(name):
    """Whether __setup_per_zone_wmarks() adds zone `name` to lowmem_pages (v4.18: every zone).

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v4.18) sums every zone
    that is not highmem; x86_64 has no highmem, and ZONE_MOVABLE is not highmem
    there.
    """
    return True


def wmark_values(pages_min, managed_pages, lowmem_pages, watermark_scale_factor, name=None):
    """(min, low, high) of one zone: its share of pages_min, and the steps above it.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v4.18).  min is
    pages_min * managed / lowmem_pages; step = max(min/4, managed *
    watermark_scale_factor / 10000); low = min + step, high = min + 2*step.
    x86_64 has no highmem zone, so every zone follows this rule (`name` is not
    read; v6.18's rule needs it for ZONE_MOVABLE).

    >>> wmark_values(362, 28672, 28672, 10)
    (362, 452, 542)
    """
    tmp = pages_min * managed_pages // lowmem_pages if lowmem_pages else 0
    step = max(tmp >> 2, mult_frac(managed_pages, watermark_scale_factor, 10000))
    return tmp, tmp + step, tmp + 2 * step


def zone_wmarks(zones, min_free_kbytes, watermark_scale_factor):
    """[(min, low, high)] of every zone; `zones` is (name, managed pages) over ALL nodes.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v4.18): pages_min =
    min_free_kbytes >> (PAGE_SHIFT - 10), lowmem_pages a global sum.

    >>> zone_wmarks([("DMA", 4096), ("Normal", 28672)], 1448, 10)
    [(45, 56, 67), (316, 395, 474)]
    """
    pages_min = min_free_kbytes >> (mz.PAGE_SHIFT - 10)
    lowmem_pages = sum(managed for name, managed in zones if counts_in_lowmem_pages(name))
    return [wmark_values(pages_min, managed, lowmem_pages, watermark_scale_factor, name)
            for name, managed in zones]


def setup_per_zone_wmarks(zones, min_free_kbytes, watermark_scale_factor):
    """__setup_per_zone_wmarks(): min, low, high of every zone (zone_wmarks() applied).

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v4.18).  Each zone's
    min is its share of pages_min by managed pages; step = max(min/4,
    managed * watermark_scale_factor / 10000); low = min + step, high = min +
    2*step.  x86_64 has no highmem zone, so every zone follows the lowmem rule
    (an empty Movable zone gets 0/0/0).

    >>> class Z: managed_pages = 28672; watermark = [0, 0, 0]
    >>> z = Z(); setup_per_zone_wmarks([z], 1448, 10); z.watermark
    [362, 452, 542]
    """
    table = zone_wmarks([(getattr(z, "name", None), z.managed_pages) for z in zones],
                        min_free_kbytes, watermark_scale_factor)
    for z, marks in zip(zones, table):
        z.watermark = list(marks)


def lowmem_reserve_values(managed, ratio):
    """lowmem_reserve[] rows of ONE node's zones: row i, entry j.

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18).
    `managed` is the managed pages of the node's zones in zone order, `ratio`
    sysctl_lowmem_reserve_ratio (entry i for every zone i but the last, which
    protects no lower zone).  Entry j > i is the managed pages of zones
    i+1 .. j divided by ratio[i], 0 if ratio[i] < 1; entries j <= i are 0.
    An empty lower zone still gets the sum (v6.18 gives it 0).

    >>> lowmem_reserve_values([4096, 8192, 16384, 0], (256, 256, 32, 0))
    [(0, 32, 96, 96), (0, 0, 64, 64), (0, 0, 0, 0), (0, 0, 0, 0)]
    """
    n = len(managed)
    rows = []
    for i in range(n):
        row = [0] * n
        acc = 0
        for j in range(i + 1, n):
            acc += managed[j]
            row[j] = acc // ratio[i] if ratio[i] >= 1 else 0
        rows.append(tuple(row))
    return rows


def setup_per_zone_lowmem_reserve(node_zones, ratio):
    """setup_per_zone_lowmem_reserve(): protection of lower zones, one node.

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18).
    lowmem_reserve[j] of a lower zone idx is the managed pages of the zones
    idx+1 .. j of the same node divided by ratio[idx] (0 if ratio < 1).
    `node_zones` is the node's zones in zone order; `ratio` is 4.18's
    sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] (DMA, DMA32, Normal, Movable);
    the last entry protects no lower zone, so it is never read here.
    """
    rows = lowmem_reserve_values([z.managed_pages for z in node_zones], ratio)
    for zone, row in zip(node_zones, rows):
        zone.lowmem_reserve[:len(row)] = row


def khugepaged_zone_ok(zone_idx):
    """Whether set_recommended_min_free_kbytes() counts a populated zone (v4.18: every one).

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (v4.18) counts
    for_each_populated_zone(); later kernels skip zones above ZONE_NORMAL.
    """
    return True
