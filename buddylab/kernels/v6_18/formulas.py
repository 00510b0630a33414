"""The allocator formulas of a modern kernel (v6.18), as pure functions of plain numbers.

Kernel: zone_batchsize(), zone_highsize(), zone_set_pageset_high_and_batch(),
__setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
calculate_min_free_kbytes() in mm/page_alloc.c (v6.18);
set_recommended_min_free_kbytes() in mm/khugepaged.c (v6.18).

The modern profile's zone setup (buddylab/kernels/v6_18/watermark.py and
pageset.py) applies them to a running Machine(kernel="modern"); the host model
(buddylab.host) holds that machine against a live 6.x /proc/zoneinfo and
buddylab.profiles prints them beside v4.18's.  The names match the classic
homes (buddylab.zone, buddylab.pcp), so a caller picks a kernel by picking a
module, never by testing a kernel name.

The worked example (mm/page_alloc.c, __setup_per_zone_wmarks(), v6.18, by
hand): one node, DMA 3 840, DMA32 742 000, Normal 3 200 000 managed pages,
Movable and Device empty, min_free_kbytes 67 584:

>>> zones = [("DMA", 3840), ("DMA32", 742000), ("Normal", 3200000),
...          ("Movable", 0), ("Device", 0)]
>>> zone_wmarks(zones, 67584, 10)[2:]
[(13702, 17127, 20552, 23977), (32, 32, 32, 32), (0, 0, 0, 0)]
"""

from ... import mmzone as mz
from ...kmath import int_sqrt, mult_frac, rounddown_pow_of_two

__all__ = ["DEFAULT_LOWMEM_RESERVE_RATIO", "MIN_FREE_KBYTES_MAX", "BATCH_CAP_BYTES",
           "MIN_PERCPU_PAGELIST_HIGH_FRACTION", "SWAP_CLUSTER_MAX", "ZONE_NAMES",
           "zone_batchsize", "zone_highsize", "zone_set_pageset_high_and_batch",
           "default_min_free_kbytes", "calculate_min_free_kbytes", "counts_in_lowmem_pages",
           "wmark_values", "zone_wmarks", "lowmem_reserve_values", "nr_free_buffer_pages", "recommended_min_steps",
           "recommended_min_free_kbytes", "khugepaged_zone_ok"]

# enum zone_type of a 6.18 x86_64 distribution kernel (ZONE_DEVICE on, no HIGHMEM)
ZONE_NAMES = ("DMA", "DMA32", "Normal", "Movable", "Device")
# sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] (mm/page_alloc.c, v6.18): Movable and Device 0
DEFAULT_LOWMEM_RESERVE_RATIO = (256, 256, 32, 0, 0)
MIN_FREE_KBYTES_MAX = 262144        # calculate_min_free_kbytes() clamp (v6.18)
BATCH_CAP_BYTES = 1024 * 1024       # zone_batchsize(): SZ_1M (v6.18)
MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8
SWAP_CLUSTER_MAX = 32               # include/linux/swap.h: the empty Movable zone's min


# --------------------------------------------------------------------- pcp
def zone_batchsize(managed_pages):
    """zone_batchsize() of v6.18: the classic rule with a 1 MiB cap.

    Kernel: zone_batchsize() in mm/page_alloc.c (v6.18).  min(managed >> 10,
    SZ_1M / PAGE_SIZE) / 4, at least 1, then rounddown_pow_of_two(b + b/2) - 1.
    Any zone of >= 262 144 managed pages gets 63 (classic: 31); a DMA zone
    gets 0, which the caller stores as 1.

    >>> zone_batchsize(772917), zone_batchsize(163840), zone_batchsize(3840)
    (63, 31, 0)
    """
    batch = min(managed_pages >> 10, BATCH_CAP_BYTES // mz.PAGE_SIZE)
    batch //= 4
    if batch < 1:
        batch = 1
    return rounddown_pow_of_two(batch + batch // 2) - 1


def zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node, fraction=0, cpu_online=0,
                  nr_online_cpus=None):
    """zone_highsize(): a modern pcp's high limit for one CPU.

    Kernel: zone_highsize() in mm/page_alloc.c (v6.18).  The zone's low
    watermark (fraction 0) or managed / fraction, shared among the CPUs of the
    zone's node, but never below 4 batches.  A node without CPUs shares among
    all online CPUs.

    >>> zone_highsize(742000, 3971, 63, 8), zone_highsize(742000, 3971, 63, 8, fraction=8)
    (496, 11593)
    """
    total = low_wmark if fraction == 0 else managed_pages // fraction
    nr_cpus = nr_cpus_node + cpu_online
    if nr_cpus == 0:
        nr_cpus = nr_online_cpus if nr_online_cpus else 1
    return max(total // nr_cpus, batch * 4)


def zone_set_pageset_high_and_batch(managed_pages, low_wmark, nr_cpus_node,
                                    percpu_pagelist_high_fraction=0, cpu_online=0,
                                    nr_online_cpus=None):
    """(batch, high_min, high_max) a modern kernel stores for every CPU of a zone.

    Kernel: zone_set_pageset_high_and_batch() in mm/page_alloc.c (v6.18).
    Without the sysctl, high_min comes from the low watermark and high_max
    from managed/8 (MIN_PERCPU_PAGELIST_HIGH_FRACTION), and pcp->high
    auto-tunes between them; with it both are managed/fraction (no tuning).
    The ``high`` that zoneinfo prints is the tuned value, 0 on an unused CPU.
    A node without CPUs splits among `nr_online_cpus` (num_online_cpus()).

    The worked example, 8 CPUs on the node (mm/page_alloc.c,
    zone_highsize() and zone_set_pageset_high_and_batch(), v6.18, by hand):

    >>> zone_set_pageset_high_and_batch(742000, 3971, 8)
    (63, 496, 11593)
    >>> zone_set_pageset_high_and_batch(3840, 20, 8)
    (1, 4, 60)
    """
    batch = max(1, zone_batchsize(managed_pages))
    if percpu_pagelist_high_fraction:
        high = zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node,
                             percpu_pagelist_high_fraction, cpu_online, nr_online_cpus)
        return batch, high, high
    return (batch,
            zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node, 0, cpu_online,
                          nr_online_cpus),
            zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node,
                          MIN_PERCPU_PAGELIST_HIGH_FRACTION, cpu_online, nr_online_cpus))


# -------------------------------------------------------------- watermarks
def calculate_min_free_kbytes(lowmem_kbytes):
    """calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes * 16), clamped to 128..262144.

    Kernel: calculate_min_free_kbytes() in mm/page_alloc.c (v6.18).  It
    differs from v4.18's init_per_zone_wmark_min() only above 256 GiB of
    lowmem.  THP's khugepaged may raise the result
    (buddylab.host.khugepaged_min_free_kbytes).

    >>> calculate_min_free_kbytes(15783360), calculate_min_free_kbytes(1 << 30)
    (15891, 131072)
    """
    new = int_sqrt(lowmem_kbytes * 16)
    return max(128, min(MIN_FREE_KBYTES_MAX, new))


default_min_free_kbytes = calculate_min_free_kbytes     # the name of the classic home


def counts_in_lowmem_pages(name):
    """Whether __setup_per_zone_wmarks() adds zone `name` to lowmem_pages (not Movable).

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v6.18) sums the zones
    that are neither highmem nor ZONE_MOVABLE.
    """
    return name != "Movable"


def wmark_values(pages_min, managed_pages, lowmem_pages, watermark_scale_factor, name=None):
    """(min, low, high, promo) of one zone.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v6.18).  tmp =
    pages_min * managed / lowmem_pages; ZONE_MOVABLE gets min =
    clamp(managed / 1024, SWAP_CLUSTER_MAX, 128), every other zone min = tmp;
    step = max(tmp/4, managed * watermark_scale_factor / 10000); low = min +
    step, high = low + step, promo = high + step (boost 0).

    >>> wmark_values(16896, 742000, 3945840, 10), wmark_values(16896, 0, 3945840, 10, "Movable")
    ((3177, 3971, 4765, 5559), (32, 32, 32, 32))
    """
    tmp = pages_min * managed_pages // lowmem_pages if lowmem_pages else 0
    if name == "Movable":
        wmin = max(SWAP_CLUSTER_MAX, min(managed_pages // 1024, 128))
    else:
        wmin = tmp
    step = max(tmp >> 2, mult_frac(managed_pages, watermark_scale_factor, 10000))
    return wmin, wmin + step, wmin + 2 * step, wmin + 3 * step


def zone_wmarks(zones, min_free_kbytes, watermark_scale_factor):
    """[(min, low, high, promo)] of every zone; `zones` is (name, managed) over ALL nodes.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c (v6.18): pages_min =
    min_free_kbytes >> (PAGE_SHIFT - 10), lowmem_pages a global sum without
    ZONE_MOVABLE.
    """
    pages_min = min_free_kbytes >> (mz.PAGE_SHIFT - 10)
    lowmem_pages = sum(managed for name, managed in zones if counts_in_lowmem_pages(name))
    return [wmark_values(pages_min, managed, lowmem_pages, watermark_scale_factor, name)
            for name, managed in zones]


def lowmem_reserve_values(managed, ratio):
    """lowmem_reserve[] rows of ONE node's zones: row i, entry j.

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v6.18).
    Entry j > i is the managed pages of zones i+1 .. j divided by ratio[i];
    0 when ratio[i] is 0 or zone i has no managed pages (v4.18 still divides
    for an empty lower zone); entries j <= i are 0.

    >>> lowmem_reserve_values([3840, 742000, 3200000, 0, 0], (256, 256, 32, 0, 0))[:2]
    [(0, 2898, 15398, 15398, 15398), (0, 0, 12500, 12500, 12500)]
    >>> lowmem_reserve_values([0, 2560, 0], (256, 256, 32))[0]
    (0, 0, 0)
    """
    n = len(managed)
    rows = []
    for i in range(n):
        row = [0] * n
        clear = ratio[i] < 1 or managed[i] == 0 if i < n - 1 else True
        acc = 0
        for j in range(i + 1, n):
            acc += managed[j]
            row[j] = 0 if clear else acc // ratio[i]
        rows.append(tuple(row))
    return rows


def nr_free_buffer_pages(zones):
    """nr_free_buffer_pages(): managed - high over the zones up to ZONE_NORMAL, when positive.

    Kernel: nr_free_zone_pages(gfp_zone(GFP_USER)) in mm/page_alloc.c (v6.18, as v4.18):
    the local node's GFP_KERNEL zonelist.  `zones` is (zone_idx, managed, high_wmark_pages)
    of each zone of that zonelist.

    >>> nr_free_buffer_pages([(1, 4096, 96), (2, 12288, 288), (3, 4096, 32)])
    16000
    """
    return sum(managed - high for idx, managed, high in zones
               if idx <= mz.ZONE_NORMAL and managed > high)


def recommended_min_steps(pageblock_nr_pages, nr_zones, nr_free_buffer_pages):
    """The steps of set_recommended_min_free_kbytes(), as a dict (pages, then kbytes).

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (v6.18, the same
    arithmetic in v4.18): 2 free pageblocks per counted zone "to assist fragmentation
    avoidance", plus MIGRATE_PCPTYPES * MIGRATE_PCPTYPES = 9 so each mobility type has
    a block to fall back to and one to spare; at most nr_free_buffer_pages() / 20;
    then << (PAGE_SHIFT - 10).  It replaces min_free_kbytes only when larger.
    `nr_zones` counts the populated zones khugepaged_zone_ok() accepts.

    >>> recommended_min_steps(512, 3, 2741000)["kbytes"]
    67584
    """
    two_blocks = pageblock_nr_pages * nr_zones * 2
    pcptypes = pageblock_nr_pages * nr_zones * mz.MIGRATE_PCPTYPES * mz.MIGRATE_PCPTYPES
    cap = nr_free_buffer_pages // 20
    pages = min(two_blocks + pcptypes, cap)
    return dict(nr_zones=nr_zones, pageblock_nr_pages=pageblock_nr_pages,
                two_blocks=two_blocks, pcptypes_blocks=pcptypes, five_percent_cap=cap,
                pages=pages, kbytes=pages << (mz.PAGE_SHIFT - 10))


def recommended_min_free_kbytes(pageblock_nr_pages, nr_zones, nr_free_buffer_pages):
    """set_recommended_min_free_kbytes()'s value in kB (recommended_min_steps()).

    >>> recommended_min_free_kbytes(512, 3, 2741000), recommended_min_free_kbytes(512, 1, 16000)
    (67584, 3200)
    """
    return recommended_min_steps(pageblock_nr_pages, nr_zones, nr_free_buffer_pages)["kbytes"]


def khugepaged_zone_ok(zone_idx):
    """Whether set_recommended_min_free_kbytes() counts a populated zone (<= ZONE_NORMAL).

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (v6.18) skips
    zones with zone_idx(zone) > gfp_zone(GFP_USER), i.e. above ZONE_NORMAL.
    """
    return zone_idx <= mz.ZONE_NORMAL
