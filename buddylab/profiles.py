"""What a modern (v6.18) kernel computes differently from the classic (v4.18) one.

Kernel: zone_batchsize(), zone_highsize(), zone_set_pageset_high_and_batch(),
__setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve() and
calculate_min_free_kbytes() / init_per_zone_wmark_min() in mm/page_alloc.c
(v4.18) and mm/page_alloc.c + mm/mm_init.c (v6.18).

The model runs the classic allocator only.  This module puts the formulas
in which the two kernels differ side by side, as pure functions of plain
numbers, so a notebook can compare a classic and a modern kernel and a test
can hold them against a real 6.18 /proc/zoneinfo.  It writes no formula
itself: each function calls the one home of its rule, v4.18's in
buddylab.zone and buddylab.pcp, v6.18's in buddylab.kernels.v6_18.formulas
(picked from `FORMULAS` by kernel name).  The constants that differ are
data: `CLASSIC` and `MODERN` (one dict each, the same keys), read from
those homes.

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

from . import mmzone as mz
from . import pcp as _pcp
from . import zone as _zone
from .kernels.v6_18 import formulas as _modern
from .kernels.v4_18 import watermark as _classic_wm, pcp as _classic_pcp
from .kernels.v6_18.formulas import zone_highsize, zone_set_pageset_high_and_batch
from .kmath import rounddown_pow_of_two, mult_frac, int_sqrt  # noqa: F401  (old names)

__all__ = ["CLASSIC", "MODERN", "PROFILES", "FORMULAS", "profile", "formulas",
           "zone_batchsize", "zone_batchsize_classic", "zone_batchsize_modern",
           "pageset_high_and_batch_classic", "zone_highsize", "zone_set_pageset_high_and_batch",
           "setup_per_zone_wmarks", "setup_per_zone_lowmem_reserve",
           "calculate_min_free_kbytes", "valid_orders"]

PAGE_SHIFT = mz.PAGE_SHIFT
PAGE_SIZE = mz.PAGE_SIZE
SWAP_CLUSTER_MAX = _modern.SWAP_CLUSTER_MAX

zone_batchsize_classic = _pcp.zone_batchsize
zone_batchsize_modern = _modern.zone_batchsize
pageset_high_and_batch_classic = _pcp.pageset_high_and_batch

class _ClassicFormulas:
    """v4.18's formulas under the names of buddylab.kernels.v6_18.formulas, each read
    from its one home (buddylab/kernels/v4_18/watermark.py, pcp.py) when it is called."""

    HOMES = {"zone_batchsize": _classic_pcp, "default_min_free_kbytes": _classic_wm,
             "zone_wmarks": _classic_wm, "wmark_values": _classic_wm,
             "counts_in_lowmem_pages": _classic_wm, "lowmem_reserve_values": _classic_wm,
             "khugepaged_zone_ok": _classic_wm, "DEFAULT_LOWMEM_RESERVE_RATIO": _classic_wm}

    def __getattr__(self, name):
        if name not in self.HOMES:
            raise AttributeError(name)
        return getattr(self.HOMES[name], name)


CLASSIC_FORMULAS = _ClassicFormulas()

# the same arithmetic in both kernels (mm/page_alloc.c, mm/khugepaged.c, v4.18 and v6.18),
# written once in kernels/v6_18/formulas.py
nr_free_buffer_pages = _modern.nr_free_buffer_pages
recommended_min_steps = _modern.recommended_min_steps
FORMULAS = {"classic": CLASSIC_FORMULAS, "modern": _modern}

# The constants and rules that differ, as data (x86_64, 4 KiB pages, CMA and
# MEMORY_ISOLATION on, THP on).  Same keys in both; None where a kernel has no
# such thing.
CLASSIC = {
    "version": "v4.18",
    "MAX_ORDER": mz.MAX_ORDER,            # exclusive: orders 0..10
    "MAX_PAGE_ORDER": None,               # the name does not exist yet
    "NR_PAGE_ORDERS": mz.MAX_ORDER,       # (spelled MAX_ORDER in 4.18)
    "order_limit_inclusive": False,
    "batch_cap_bytes": _pcp.BATCH_CAP_BYTES,    # zone_batchsize(): 512 KiB -> at most 31
    "max_batch": _pcp.zone_batchsize(1 << 30),
    "pcp_high_rule": "high = 6 * batch",
    "pcp_orders": (0,),                   # only order-0 pages are cached
    "NR_PCP_LISTS": mz.MIGRATE_PCPTYPES,
    "pcp_fraction_sysctl": "percpu_pagelist_fraction",      # high = managed / fraction
    "PCP_BATCH_SCALE_MAX": None,          # no auto-tuning
    "min_free_kbytes_max": _zone.MIN_FREE_KBYTES_MAX,       # init_per_zone_wmark_min() clamp
    "watermarks": ("min", "low", "high"),
    "empty_movable_wmark": _zone.wmark_values(0, 0, 0, 10, "Movable")[0],
    "lowmem_pages_excludes_movable": not _zone.counts_in_lowmem_pages("Movable"),
    "watermark_boost": False,
    "watermark_scale_factor_max": 1000,
    "zonerefs_test": "managed_zone",      # build_zonerefs_node()
    "lowmem_reserve_of_empty_lower_zone": "computed",
    "nr_lowmem_reserve_ratio": len(_zone.DEFAULT_LOWMEM_RESERVE_RATIO),
}

MODERN = {
    "version": "v6.18",
    "MAX_ORDER": None,                    # renamed in 6.8 (commit 5e0a760b4441)
    "MAX_PAGE_ORDER": 10,                 # inclusive since 6.4 (commit 23baf831a32c)
    "NR_PAGE_ORDERS": 11,
    "order_limit_inclusive": True,
    "batch_cap_bytes": _modern.BATCH_CAP_BYTES,     # zone_batchsize(): SZ_1M -> at most 63
    "max_batch": _modern.zone_batchsize(1 << 30),
    "pcp_high_rule": "high_min = max(low / cpus, 4 batch), high_max = max(managed/8 / cpus, 4 batch)",
    "pcp_orders": (0, 1, 2, 3, 9),        # orders <= PAGE_ALLOC_COSTLY_ORDER and the THP order
    "NR_PCP_LISTS": 14,
    "pcp_fraction_sysctl": "percpu_pagelist_high_fraction",
    "PCP_BATCH_SCALE_MAX": 5,
    "min_free_kbytes_max": _modern.MIN_FREE_KBYTES_MAX,     # calculate_min_free_kbytes() clamp
    "watermarks": ("min", "low", "high", "promo"),
    "empty_movable_wmark": _modern.wmark_values(0, 0, 0, 10, "Movable")[0],
    "lowmem_pages_excludes_movable": not _modern.counts_in_lowmem_pages("Movable"),
    "watermark_boost": True,
    "watermark_scale_factor_max": 3000,
    "zonerefs_test": "populated_zone",
    "lowmem_reserve_of_empty_lower_zone": 0,
    "nr_lowmem_reserve_ratio": len(_modern.DEFAULT_LOWMEM_RESERVE_RATIO),
}

PROFILES = {"classic": CLASSIC, "modern": MODERN}


def profile(kernel):
    """The constants dict of "classic" or "modern" (ValueError otherwise).

    >>> profile("modern")["max_batch"], profile("classic")["max_batch"]
    (63, 31)
    """
    try:
        return PROFILES[kernel]
    except (KeyError, TypeError):
        raise ValueError("kernel must be 'classic' or 'modern', got %r" % (kernel,)) from None


def formulas(kernel):
    """The formulas of "classic" (buddylab/kernels/v4_18) or "modern"
    (buddylab.kernels.v6_18.formulas), under the same names (ValueError otherwise).

    >>> formulas("modern").zone_batchsize(742000), formulas("classic").zone_batchsize(742000)
    (63, 31)
    """
    profile(kernel)
    return FORMULAS[kernel]


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
def zone_batchsize(managed_pages, kernel="classic"):
    """zone_batchsize() of either kernel.

    >>> zone_batchsize(742000, "classic"), zone_batchsize(742000, "modern")
    (31, 63)
    """
    return formulas(kernel).zone_batchsize(managed_pages)


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
    return formulas(kernel).default_min_free_kbytes(lowmem_kbytes)


def _zone_name_idx(name):
    if name not in _modern.ZONE_NAMES:
        raise ValueError("unknown zone %r (x86_64 zones are %s)"
                         % (name, ", ".join(_modern.ZONE_NAMES)))
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
    zones = [(_zone_name_idx(name), managed) for name, managed in zones]
    return formulas(kernel).zone_wmarks(zones, min_free_kbytes, watermark_scale_factor)


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
    n = len(node_zones)
    ratio = tuple(ratio) + (0,) * (n - len(tuple(ratio)))
    return formulas(kernel).lowmem_reserve_values([managed for _, managed in node_zones],
                                                  ratio)
