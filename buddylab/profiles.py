"""What a modern (v6.18) kernel computes differently from the classic (v4.18) one.

Kernel: zone_batchsize(), zone_highsize(), zone_set_pageset_high_and_batch(),
__setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve() and
calculate_min_free_kbytes() / init_per_zone_wmark_min() in mm/page_alloc.c
(v4.18) and mm/page_alloc.c + mm/mm_init.c (v6.18).

The model runs the classic allocator only.  This module holds the formulas
in which the two kernels differ, as pure functions of plain numbers, so a
notebook can put a classic and a modern kernel side by side and a test can
hold them against a real 6.18 /proc/zoneinfo.  The constants that differ
are data: `CLASSIC` and `MODERN` (one dict each, the same keys).

The worked example (mm/page_alloc.c, __setup_per_zone_wmarks(), v4.18 and
v6.18, applied by hand): one node, DMA 3 840, DMA32 742 000,
Normal 3 200 000 managed pages, Movable and Device empty, THP's
min_free_kbytes 67 584:

>>> zones = [("DMA", 3840), ("DMA32", 742000), ("Normal", 3200000),
...          ("Movable", 0), ("Device", 0)]
>>> for name, w in zip([n for n, _ in zones], setup_per_zone_wmarks(zones, 67584, 10, "modern")):
...     print(name, w)
DMA (16, 20, 24, 28)
DMA32 (3177, 3971, 4765, 5559)
Normal (13702, 17127, 20552, 23977)
Movable (32, 32, 32, 32)
Device (0, 0, 0, 0)
>>> setup_per_zone_wmarks(zones, 67584, 10, "classic")[3]
(0, 0, 0)
"""

from .pcp import rounddown_pow_of_two, zone_batchsize as zone_batchsize_classic
from .zone import mult_frac, int_sqrt

__all__ = ["CLASSIC", "MODERN", "PROFILES", "profile", "zone_batchsize",
           "zone_batchsize_classic", "zone_batchsize_modern", "pageset_high_and_batch_classic",
           "zone_highsize", "zone_set_pageset_high_and_batch", "setup_per_zone_wmarks",
           "setup_per_zone_lowmem_reserve", "calculate_min_free_kbytes", "valid_orders"]

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
SWAP_CLUSTER_MAX = 32

# The constants and rules that differ, as data (x86_64, 4 KiB pages, CMA and
# MEMORY_ISOLATION on, THP on).  Same keys in both; None where a kernel has no
# such thing.
CLASSIC = {
    "version": "v4.18",
    "MAX_ORDER": 11,                      # exclusive: orders 0..10
    "MAX_PAGE_ORDER": None,               # the name does not exist yet
    "NR_PAGE_ORDERS": 11,                 # (spelled MAX_ORDER in 4.18)
    "order_limit_inclusive": False,
    "batch_cap_bytes": 512 * 1024,        # zone_batchsize(): 512 KiB -> at most 31
    "max_batch": 31,
    "pcp_high_rule": "high = 6 * batch",
    "pcp_orders": (0,),                   # only order-0 pages are cached
    "NR_PCP_LISTS": 3,                    # MIGRATE_PCPTYPES
    "pcp_fraction_sysctl": "percpu_pagelist_fraction",      # high = managed / fraction
    "PCP_BATCH_SCALE_MAX": None,          # no auto-tuning
    "min_free_kbytes_max": 65536,         # init_per_zone_wmark_min() clamp
    "watermarks": ("min", "low", "high"),
    "empty_movable_wmark": 0,             # ZONE_MOVABLE is not highmem on x86_64
    "lowmem_pages_excludes_movable": False,
    "watermark_boost": False,
    "watermark_scale_factor_max": 1000,
    "zonerefs_test": "managed_zone",      # build_zonerefs_node()
    "lowmem_reserve_of_empty_lower_zone": "computed",
    "nr_lowmem_reserve_ratio": 4,         # sysctl entries on x86_64 (DMA, DMA32, Normal, Movable)
}

MODERN = {
    "version": "v6.18",
    "MAX_ORDER": None,                    # renamed in 6.8 (commit 5e0a760b4441)
    "MAX_PAGE_ORDER": 10,                 # inclusive since 6.4 (commit 23baf831a32c)
    "NR_PAGE_ORDERS": 11,
    "order_limit_inclusive": True,
    "batch_cap_bytes": 1024 * 1024,       # zone_batchsize(): SZ_1M -> at most 63
    "max_batch": 63,
    "pcp_high_rule": "high_min = max(low / cpus, 4 batch), high_max = max(managed/8 / cpus, 4 batch)",
    "pcp_orders": (0, 1, 2, 3, 9),        # orders <= PAGE_ALLOC_COSTLY_ORDER and the THP order
    "NR_PCP_LISTS": 14,
    "pcp_fraction_sysctl": "percpu_pagelist_high_fraction",
    "PCP_BATCH_SCALE_MAX": 5,
    "min_free_kbytes_max": 262144,        # calculate_min_free_kbytes() clamp
    "watermarks": ("min", "low", "high", "promo"),
    "empty_movable_wmark": SWAP_CLUSTER_MAX,
    "lowmem_pages_excludes_movable": True,
    "watermark_boost": True,
    "watermark_scale_factor_max": 3000,
    "zonerefs_test": "populated_zone",
    "lowmem_reserve_of_empty_lower_zone": 0,
    "nr_lowmem_reserve_ratio": 5,         # with ZONE_DEVICE (DMA, DMA32, Normal, Movable, Device)
}

PROFILES = {"classic": CLASSIC, "modern": MODERN}


def profile(kernel):
    """The constants dict of "classic" or "modern" (ValueError otherwise).

    >>> profile("modern")["max_batch"], profile("classic")["max_batch"]
    (63, 31)
    """
    try:
        return PROFILES[kernel]
    except KeyError:
        raise ValueError("kernel must be 'classic' or 'modern', got %r" % (kernel,)) from None


def valid_orders(kernel):
    """The orders the buddy allocator serves: the same 0..10 under both names.

    Kernel: MAX_ORDER (exclusive, 4.18) versus MAX_PAGE_ORDER (inclusive, 6.8+):
    ``order < MAX_ORDER`` and ``order <= MAX_PAGE_ORDER`` say the same thing.

    >>> valid_orders("classic") == valid_orders("modern") == range(0, 11)
    True
    """
    p = profile(kernel)
    if p["order_limit_inclusive"]:
        return range(0, p["MAX_PAGE_ORDER"] + 1)
    return range(0, p["MAX_ORDER"])


# --------------------------------------------------------------------- pcp
def zone_batchsize_modern(managed_pages):
    """zone_batchsize() of a modern kernel: the classic rule with a 1 MiB cap.

    Kernel: zone_batchsize() in mm/page_alloc.c (v6.18).  min(managed >> 10,
    SZ_1M / PAGE_SIZE) / 4, at least 1, then rounddown_pow_of_two(b + b/2) - 1.
    Any zone of >= 262 144 managed pages gets 63 (classic: 31); a DMA zone
    gets 0, which the caller stores as 1.

    >>> zone_batchsize_modern(772917), zone_batchsize_modern(163840), zone_batchsize_modern(3840)
    (63, 31, 0)
    """
    batch = min(managed_pages >> 10, MODERN["batch_cap_bytes"] // PAGE_SIZE)
    batch //= 4
    if batch < 1:
        batch = 1
    return rounddown_pow_of_two(batch + batch // 2) - 1


def zone_batchsize(managed_pages, kernel="classic"):
    """zone_batchsize() of either kernel.

    >>> zone_batchsize(742000, "classic"), zone_batchsize(742000, "modern")
    (31, 63)
    """
    if profile(kernel) is MODERN:
        return zone_batchsize_modern(managed_pages)
    return zone_batchsize_classic(managed_pages)


def pageset_high_and_batch_classic(managed_pages, percpu_pagelist_fraction=0):
    """(batch, high) a classic kernel stores in every CPU's pageset.

    Kernel: pageset_set_high_and_batch(), pageset_set_batch(),
    pageset_set_high() in mm/page_alloc.c (v4.18).  Without the sysctl:
    high = 6 * batch, batch = max(1, batch); with it: high = managed /
    fraction, batch = max(1, high/4), at most 96.

    >>> pageset_high_and_batch_classic(742000), pageset_high_and_batch_classic(3840)
    ((31, 186), (1, 0))
    >>> pageset_high_and_batch_classic(742000, 8)
    (96, 92750)
    """
    if percpu_pagelist_fraction:
        high = managed_pages // percpu_pagelist_fraction
        batch = max(1, high // 4)
        if high // 4 > PAGE_SHIFT * 8:
            batch = PAGE_SHIFT * 8
        return batch, high
    batch = zone_batchsize_classic(managed_pages)
    return max(1, batch), 6 * batch


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
                                    percpu_pagelist_high_fraction=0, cpu_online=0):
    """(batch, high_min, high_max) a modern kernel stores for every CPU of a zone.

    Kernel: zone_set_pageset_high_and_batch() in mm/page_alloc.c (v6.18).
    Without the sysctl, high_min comes from the low watermark and high_max
    from managed/8 (MIN_PERCPU_PAGELIST_HIGH_FRACTION), and pcp->high
    auto-tunes between them; with it both are managed/fraction (no tuning).
    The ``high`` that zoneinfo prints is the tuned value, 0 on an unused CPU.

    The worked example, 8 CPUs on the node (mm/page_alloc.c,
    zone_highsize() and zone_set_pageset_high_and_batch(), v6.18, by hand):

    >>> zone_set_pageset_high_and_batch(742000, 3971, 8)
    (63, 496, 11593)
    >>> zone_set_pageset_high_and_batch(3840, 20, 8)
    (1, 4, 60)
    """
    batch = max(1, zone_batchsize_modern(managed_pages))
    if percpu_pagelist_high_fraction:
        high = zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node,
                             percpu_pagelist_high_fraction, cpu_online)
        return batch, high, high
    return (batch,
            zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node, 0, cpu_online),
            zone_highsize(managed_pages, low_wmark, batch, nr_cpus_node, 8, cpu_online))


# -------------------------------------------------------------- watermarks
def calculate_min_free_kbytes(lowmem_kbytes, kernel="classic"):
    """The default min_free_kbytes: int_sqrt(lowmem_kbytes * 16), clamped.

    Kernel: init_per_zone_wmark_min() (v4.18, clamp 128..65536);
    calculate_min_free_kbytes() (v6.18, clamp 128..262144).  The two differ
    only above 256 GiB of lowmem.  THP's khugepaged may raise the result
    (buddylab.host.khugepaged_min_free_kbytes).

    >>> calculate_min_free_kbytes(15783360, "modern")
    15891
    >>> calculate_min_free_kbytes(1 << 30, "classic"), calculate_min_free_kbytes(1 << 30, "modern")
    (65536, 131072)
    """
    new = int_sqrt(lowmem_kbytes * 16)
    return max(128, min(profile(kernel)["min_free_kbytes_max"], new))


def _zone_name_idx(name):
    order = ("DMA", "DMA32", "Normal", "Movable", "Device")
    if name not in order:
        raise ValueError("unknown zone %r (x86_64 zones are %s)" % (name, ", ".join(order)))
    return name


def setup_per_zone_wmarks(zones, min_free_kbytes, watermark_scale_factor=10, kernel="classic"):
    """The watermarks of every zone: (min, low, high) classic, + promo modern.

    Kernel: __setup_per_zone_wmarks() in mm/page_alloc.c.  `zones` is a
    sequence of (zone name, managed pages) over ALL nodes (lowmem_pages is a
    global sum).  min is the zone's share of min_free_kbytes by managed
    pages; step = max(min/4, managed * watermark_scale_factor / 10000).
    Modern differences: ZONE_MOVABLE is left out of lowmem_pages and gets
    min = clamp(managed/1024, 32, 128) (an EMPTY Movable zone: 32/32/32/32,
    classic 0/0/0), and high = low + step, promo = high + step.  An empty
    ZONE_DEVICE gets zeros.  Boost is 0 here.

    >>> setup_per_zone_wmarks([("DMA", 3840), ("DMA32", 772917), ("Normal", 163840)], 67584)
    [(68, 85, 102), (13883, 17353, 20823), (2943, 3678, 4413)]
    """
    modern = profile(kernel) is MODERN
    pages_min = min_free_kbytes >> (PAGE_SHIFT - 10)
    zones = [(_zone_name_idx(name), managed) for name, managed in zones]
    lowmem_pages = sum(managed for name, managed in zones
                       if not (modern and name == "Movable"))
    out = []
    for name, managed in zones:
        tmp = pages_min * managed // lowmem_pages if lowmem_pages else 0
        if modern and name == "Movable":
            wmin = max(SWAP_CLUSTER_MAX, min(managed // 1024, 128))
        else:
            wmin = tmp
        step = max(tmp >> 2, mult_frac(managed, watermark_scale_factor, 10000))
        if modern:
            out.append((wmin, wmin + step, wmin + 2 * step, wmin + 3 * step))
        else:
            out.append((wmin, wmin + step, wmin + 2 * step))
    return out


def setup_per_zone_lowmem_reserve(node_zones, ratio, kernel="classic"):
    """The protection (lowmem_reserve[]) of every zone of ONE node.

    Kernel: setup_per_zone_lowmem_reserve() in mm/page_alloc.c.
    `node_zones` is (name, managed) in zone order, `ratio` one entry per zone
    (sysctl_lowmem_reserve_ratio; missing entries count as 0).  Zone i's
    reserve against a request of highest zone j is the managed pages of zones
    i+1 .. j divided by ratio[i].  Modern: an empty lower zone, or ratio 0,
    gets 0; classic computes the sum even for an empty lower zone.

    >>> zones = [("DMA", 3840), ("DMA32", 742000), ("Normal", 3200000),
    ...          ("Movable", 0), ("Device", 0)]
    >>> setup_per_zone_lowmem_reserve(zones, (256, 256, 32, 0, 0), "modern")[:2]
    [(0, 2898, 15398, 15398, 15398), (0, 0, 12500, 12500, 12500)]
    """
    modern = profile(kernel) is MODERN
    n = len(node_zones)
    ratio = tuple(ratio) + (0,) * (n - len(tuple(ratio)))
    out = []
    for i, (_, managed_i) in enumerate(node_zones):
        row = [0] * n
        clear = ratio[i] < 1 or (modern and managed_i == 0)
        acc = 0
        for j in range(i + 1, n):
            acc += node_zones[j][1]
            row[j] = 0 if clear else acc // ratio[i]
        out.append(tuple(row))
    return out
