"""Boot: the steps of start_kernel() that lay out memory and hand it to the buddy allocator.

Kernel: memmap_init_zone(), free_all_bootmem() (mm/page_alloc.c, mm/nobootmem.c) and
cma_init_reserved_mem() / cma_init_reserved_areas() (mm/cma.c), v4.18.  Machine._build()
calls them in start_kernel()'s order, with build_all_zonelists(), setup_per_cpu_pageset()
and init_per_zone_wmark_min() between; the kernel's own rules (free_one_page(), the
pageset and watermark formulas) come from ``machine.kernel``.

Simplification, said aloud: boot memory is freed zone by zone (the kernel walks memblock
ranges, which is the same when zone boundaries are MAX_ORDER-aligned, as they are on real
machines).
"""

from array import array

from . import mmzone as mz
from .checks import _is_int, _as_tuple
from .errors import LayoutError
from .memmap import HOLE, RESERVED, ALLOCATED, NO_ZONE
from .node import PglistData
from .pcp import PerCpuPages
from .zone import Zone


def memmap_init(mm, vm, specs, node_cpus, nr_cpus, max_order, pageblock_order, k):
    """The zones (with boot pagesets) and nodes of a parsed layout; memmap_init_zone().

    Every pfn gets its zone (page_zone()) and starts RESERVED, holes HOLE; every pageblock
    whose first pfn a zone reaches is MOVABLE (memmap_init_zone(), v4.18).  Heads are
    reserved zone by zone, each zone's free lists then its CPUs' pcp lists.
    """
    zones, nodes = [], []
    for nid, node in enumerate(specs):
        node_zones = []
        for zs in node:
            z = Zone(mm, vm, nid, zs["idx"], zs["start"], zs["spanned"], zs["present"],
                     max_order, pageblock_order, k.ZONE_NAMES, k.NR_WMARK)
            for cpu in range(nr_cpus):                 # boot pagesets
                z.pageset[cpu] = PerCpuPages(cpu, mm, k.NR_PCP_LISTS, high=0, batch=1)
            z.holes, z.reserved = tuple(zs["holes"]), tuple(zs["reserved"])
            node_zones.append(z)
            zones.append(z)
            gz = len(zones) - 1
            s, e = zs["start"], zs["start"] + zs["spanned"]
            mm.zone_id[s:e] = array("h", [gz]) * (e - s)
            mm.state[s:e] = bytes([RESERVED]) * (e - s)
            for hs, he in zs["holes"]:
                mm.state[hs:he] = bytes([HOLE]) * (he - hs)
        nodes.append(PglistData(nid, node_zones, node_cpus[nid]))
    for z in zones:
        nr = z.pageblock_nr_pages
        first = -(-z.zone_start_pfn // nr) * nr
        for pfn in range(first, z.zone_end_pfn, nr):
            mm.set_pageblock_bits(pfn, mz.MIGRATE_MOVABLE)
    return zones, nodes


def free_all_bootmem(k, zones, cma_set, max_order):
    """free_all_bootmem(): every present, unreserved, non-CMA page to the buddy allocator.

    Runs of the largest aligned order that fits (__free_pages_memory()), each freed with
    the kernel's memblock_free_pages(); managed pages are recounted as they are freed.
    """
    for z in zones:
        z.managed_pages = 0
    for z in zones:
        for start, end in free_ranges(z, cma_set):
            pfn = start
            while pfn < end:
                order = min(max_order - 1, (pfn & -pfn).bit_length() - 1 if pfn else 63)
                while pfn + (1 << order) > end:
                    order -= 1
                z.managed_pages += 1 << order
                k.memblock_free_pages(z, pfn, order)
                pfn += 1 << order


def cma_init_reserved_areas(k, zones, cma_blocks, pageblock_order):
    """cma_init_reserved_areas() (core_initcall, after page_alloc's): areas as declared.

    Each pageblock becomes MIGRATE_CMA and is freed as one pageblock-order block.
    """
    for pfn in cma_blocks:
        mm = zones[0].mm
        z = zones[mm.zone_id[pfn]]
        mm.set_pageblock_bits(pfn, mz.MIGRATE_CMA)
        order = pageblock_order
        mm.state[pfn:pfn + (1 << order)] = bytes([ALLOCATED]) * (1 << order)
        k.free_one_page(z, pfn, order, mz.MIGRATE_CMA)
        z.managed_pages += 1 << order
        z.cma_pages += 1 << order            # init_cma_reserved_pageblock()


def parse_cma(cma, mm, zones, max_order, pageblock_order):
    """The CMA areas' pageblocks, each area checked as cma_init_reserved_mem() checks it.

    Kernel: cma_init_reserved_mem() in mm/cma.c (v4.18): "ensure minimal
    alignment required by mm core": base and size must be multiples of
    PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order), else -EINVAL
    (cma_declare_contiguous() rounds to the same alignment).  An area that
    is not aligned so could share a free MAX_ORDER block with other pages.
    Areas are activated in the order they were declared (cma_areas[]),
    ascending inside an area (cma_init_reserved_areas(), cma_activate_area()
    in mm/cma.c, v4.18); the list returned is in that order.
    """
    blocks, seen = [], set()
    for area in _as_tuple(cma or (), "cma"):
        try:
            start, nr_pages = area
        except (TypeError, ValueError):
            raise LayoutError("a CMA area is (start_pfn, nr_pages), got %r" % (area,)) from None
        if not _is_int(start) or not _is_int(nr_pages):
            raise LayoutError("a CMA area is (start_pfn, nr_pages), two ints, got %r"
                              % (area,))
        nr = 1 << pageblock_order
        align = 1 << max(max_order - 1, pageblock_order)
        if start % align or nr_pages % align or nr_pages <= 0:
            raise LayoutError("CMA area (%d, %d) must start and end on a multiple of %d pages "
                              "(max(MAX_ORDER - 1, pageblock_order) = order %d, as "
                              "cma_init_reserved_mem() requires)"
                              % (start, nr_pages, align, align.bit_length() - 1))
        if start < 0 or start + nr_pages > mm.nr_pfns:
            raise LayoutError("CMA area %d-%d lies outside memory" % (start, start + nr_pages))
        zi = mm.zone_id[start]
        for pfn in range(start, start + nr_pages):
            if mm.zone_id[pfn] != zi or zi == NO_ZONE or mm.state[pfn] == HOLE \
                    or _in_reserved(mm, zones, pfn):
                raise LayoutError("CMA area %d-%d must lie inside the managed pages of one zone"
                                  % (start, start + nr_pages))
        for pfn in range(start, start + nr_pages, nr):
            if pfn in seen:
                raise LayoutError("CMA areas overlap at pfn %d" % pfn)
            seen.add(pfn)
            blocks.append(pfn)
    return blocks

def _in_reserved(mm, zones, pfn):
    zi = mm.zone_id[pfn]
    if zi == NO_ZONE:
        return True
    return any(s <= pfn < e for s, e in zones[zi].reserved)

def free_ranges(z, cma_set):
    """The zone's pfn ranges that boot frees: present, not reserved, not CMA."""
    nr = z.pageblock_nr_pages
    cut = list(z.holes) + list(z.reserved)
    cut += [(p, p + nr) for p in cma_set if z.zone_start_pfn <= p < z.zone_end_pfn]
    cut.sort()
    out = []
    pos = z.zone_start_pfn
    for cs, ce in cut:
        if cs > pos:
            out.append((pos, min(cs, z.zone_end_pfn)))
        pos = max(pos, ce)
    if pos < z.zone_end_pfn:
        out.append((pos, z.zone_end_pfn))
    return [(a, b) for a, b in out if a < b]
