"""MODERN: the seam bound to Linux v6.18 (``Machine(kernel="modern")``).

Every attribute of :class:`buddylab.kernels.base.Kernel` is set here.  What v6.18 does
differently lives in this package (mmzone.py, gfp.py, formulas.py and the code beside
them); where v6.18 runs the same rule as v4.18 the attribute names v4.18's function and
the line says so ("unchanged since v4.18").
"""

from ..v4_18.kernel import Classic
from ... import mmzone as _shared
from ...owners import KINDS as _KINDS, KERNEL as _KERNEL, SLAB as _SLAB, FILE as _FILE, ANON as _ANON
from . import mmzone as _mz
from . import gfp as _gfp
from . import formulas as _f

# the GFP mask each owner kind allocates with, in v6.18's bits (owners.KIND_GFP's kinds)
KIND_GFP = {
    _KERNEL: _gfp.GFP_KERNEL,
    _SLAB: _gfp.GFP_KERNEL | _gfp.__GFP_RECLAIMABLE,
    _FILE: _gfp.GFP_HIGHUSER_MOVABLE,
    _ANON: _gfp.GFP_HIGHUSER_MOVABLE,
}
assert set(KIND_GFP) == set(_KINDS)


class Modern(Classic):
    """Linux v6.18: inclusive MAX_PAGE_ORDER, 14 pcp lists, four watermarks, 6.18 GFP bits.

    PLACEHOLDER STATE (issue 10, being built): functions not yet overridden below are
    v4.18's, inherited from Classic; each must be replaced by its v6.18 version or marked
    "unchanged since v4.18" after reading the 6.18 source.
    """

    name = "modern"
    version = "v6.18"
    aliases = ("v6.18",)

    NR_PAGE_ORDERS = _mz.NR_PAGE_ORDERS
    MAX_ORDER = _mz.MAX_PAGE_ORDER           # MAX_PAGE_ORDER: the largest order, inclusive
    order_limit_inclusive = True
    ZONE_NAMES = _mz.ZONE_NAMES
    EMPTY_ZONES = ("Device",)
    NR_PCP_LISTS = _mz.NR_PCP_LISTS
    MIN_PERCPU_PAGELIST_FRACTION = _f.MIN_PERCPU_PAGELIST_HIGH_FRACTION
    pcp_fraction_sysctl = "percpu_pagelist_high_fraction"
    NR_WMARK = _mz.NR_WMARK
    WMARK_NAMES = _mz.WMARK_NAMES
    gfp = _gfp
    alloc_flags = _mz
    kind_gfp = KIND_GFP
    min_free_kbytes_max = _f.MIN_FREE_KBYTES_MAX
    DEFAULT_LOWMEM_RESERVE_RATIO = _f.DEFAULT_LOWMEM_RESERVE_RATIO


MODERN = Modern()
